//! A deterministic cluster simulator: the real [`Osd`] hosts and the real
//! [`Monitor`] in a simulated world with a virtual clock, a seeded PRNG, a
//! messenger-faithful network, disks, clients and injected faults, checked
//! after every step.
//!
//! Ceph proves its peering by thrashing real clusters for days; FoundationDB
//! and TigerBeetle's VOPR run the real code in a simulated world instead.
//! [`Sim`] does that for Ceph peering:
//!
//! - **World.** `n` OSD processes, each an [`Osd`] with its share of a
//!   [`MemStore`]; one [`Monitor`] that ticks and proposes every simulated
//!   second; a client writing objects to their PGs' primaries; the clock and
//!   the PRNG (`ChaCha8`, value-stable across platforms) are the only sources
//!   of time and chance, so one seed is one run, byte for byte
//!   ([`SimReport::transcript_hash`]).
//! - **Network.** Ceph's `lossless_peer` messenger between OSDs: in order
//!   and exactly once within a connection, any order across connections
//!   (seeded latency); a socket reset or a partition only delays what is in
//!   flight (the messenger reconnects and replays); a connection marked down
//!   (its peer instance went down in the map) or a restarted process loses
//!   it and tells both ends (`ms_handle_reset`). The world under the
//!   messengers is a [`Wire`] ([`Faithful`] by default): tests bring a
//!   broken one to see the checks catch it.
//! - **Disks.** A transaction is applied to the store when it commits, after
//!   a seeded delay, in order per OSD; a crash loses what had not committed.
//! - **Heartbeats.** Each OSD watches up to ten ring neighbours; a neighbour
//!   unreachable for `osd_heartbeat_grace` is reported to the monitor, which
//!   marks it down when two reporters agree.
//! - **Faults** ([`FaultKind`]): connection resets, partitions, slow links,
//!   crashes and restarts, slow disks, OSDs marked down while alive, OSDs
//!   out and in, `pg_num` raised; swarm testing draws a subset per seed.
//! - **Checks.** After every step, the safety invariants of
//!   [`crate::harness::Checker`] on every PG instance that changed state or
//!   map, judged against the monitor's maps (not an OSD's copy), plus the
//!   messenger's order; in [`Mode::Liveness`], once faults stop and the
//!   cluster heals, every PG must become active+clean before the deadline,
//!   and every acknowledged write must read back, at its version, from the
//!   store of every member of its PG's acting set.
//!
//! Pools are replicated or erasure-coded (`SimConfig::ec`: one shard per
//! position, `CRUSH_ITEM_NONE` holes, the EC write path of
//! [`crate::osd`] with its rollbacks). Not simulated: object contents (a
//! write's version stands for its data, on every shard).

mod client;
mod config;
mod drive;
mod faults;
mod network;
mod report;
mod transcript;
mod verify;
mod wire;

#[cfg(test)]
mod tests;

pub use config::{FaultKind, Mode, SimConfig, SimError};
pub use report::{SimReport, SimRule, SimViolation, StuckPg};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use peering_core::ctx::Transaction;
use peering_core::event::PeeringEvt;
use peering_core::map::{OsdMapView, PoolFlags, PoolInfo};
use peering_core::types::{EVersion, Epoch, ObjectId, OsdId, SpgId, Timespan};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::harness::Checker;
use crate::mon::{MonConfig, Monitor};
use crate::msg::Message;
use crate::osd::{MonMessage, Osd, OsdMaps, TxnId};
use crate::osdmap::{CrushHandle, Incremental, OsdMap};
use crate::store::{MemStore, Store};
use config::SEC;
use network::Network;
use transcript::{Rec, Transcript};
pub use wire::{Faithful, Wire};

/// The pool every run creates.
const POOL: i64 = 1;

/// A step of the world, at its time.
#[derive(Clone, Debug)]
enum Ev {
    /// A frame arrives on `from → to`.
    Frame {
        from: OsdId,
        to: OsdId,
        generation: u64,
        seq: u64,
        frame: Vec<u8>,
    },
    /// A peer's map share arrives on `from → to`.
    PeerMaps {
        from: OsdId,
        to: OsdId,
        generation: u64,
        maps: OsdMaps,
    },
    /// The monitor's maps arrive at a process.
    MonMaps {
        to: OsdId,
        incarnation: u64,
        maps: Vec<Incremental>,
    },
    /// A monitor message arrives at a process.
    MonMsg {
        to: OsdId,
        incarnation: u64,
        msg: Message,
    },
    /// An OSD's message arrives at the monitor.
    ToMon { from: OsdId, msg: MonMessage },
    /// A transaction commits.
    Commit {
        osd: OsdId,
        incarnation: u64,
        txn: TxnId,
        pgid: SpgId,
        transaction: Transaction,
    },
    /// A PG's timer fires.
    Timer {
        osd: OsdId,
        incarnation: u64,
        pgid: SpgId,
        evt: PeeringEvt,
    },
    /// The world's second: heartbeats, monitor, manager, client, faults.
    Tick,
    /// A crashed OSD starts again from its store.
    Restart { osd: OsdId },
    /// A fault ends.
    Heal(faults::Heal),
}

/// One OSD process.
#[derive(Debug)]
struct Proc {
    osd: Osd,
    /// Which start of the OSD this is: work scheduled by an earlier one is lost.
    incarnation: u64,
    /// When its disk's last queued transaction commits.
    disk_busy_until: i64,
    /// The monitor session's last sequence number.
    mon_seq: u64,
    /// This instance's `up_from` once the monitor marked it up (Ceph tells
    /// instances apart by address; the map's `up_from` does it here).
    up_from: Option<Epoch>,
    /// When the process started: its monotonic clock (`get_mnow()`) counts
    /// from here.
    started_at: i64,
}

/// How often, in simulated time, a liveness run asks whether every PG is
/// clean (10 ms).
const CLEAN_CHECK: i64 = 10_000_000;

/// The simulator (see the module docs), over the store `S` (a
/// [`MemStore`] unless a test brings its own: [`Sim::with_store`]).
#[derive(Debug)]
pub struct Sim<S: Store = MemStore> {
    cfg: SimConfig,
    rng: ChaCha8Rng,
    now: i64,
    seq: u64,
    queue: BTreeMap<(i64, u64), Ev>,
    mon: Monitor,
    procs: BTreeMap<OsdId, Proc>,
    incarnations: BTreeMap<OsdId, u64>,
    crashed: BTreeSet<OsdId>,
    store: S,
    net: Network,
    slow_disks: BTreeMap<OsdId, i64>,
    /// Transactions handed to a disk and not committed (or lost) yet.
    disk_pending: usize,
    marked_out: BTreeSet<OsdId>,
    /// `(reporter, target)` → when the reporter last heard the target.
    hb_failed: BTreeMap<(OsdId, OsdId), i64>,
    checker: Checker,
    /// Per object, the newest acknowledged version.
    acked: BTreeMap<ObjectId, EVersion>,
    next_reqid: u64,
    kinds: Vec<FaultKind>,
    faults_on: bool,
    report: SimReport,
    transcript: Transcript,
    max_pg_num: u32,
    /// The world under the messengers ([`Faithful`] unless a test brings
    /// its own).
    wire: Box<dyn Wire>,
    /// The monitor's maps as published, by epoch: the truth the checker
    /// judges against (an OSD's copy may differ when the wire lies).
    truth: BTreeMap<Epoch, Arc<OsdMap>>,
}

impl Sim<MemStore> {
    /// Builds the world of `cfg` on an in-memory store: the OSDs booted from
    /// empty stores, the pool created by the monitor. Refuses a configuration
    /// it cannot honour.
    pub fn new(cfg: SimConfig) -> Result<Sim, SimError> {
        Sim::with_store(cfg, MemStore::new())
    }
}

impl<S: Store> Sim<S> {
    /// [`Sim::new`] on `store`, which must be empty: every OSD's disk.
    pub fn with_store(cfg: SimConfig, store: S) -> Result<Sim<S>, SimError> {
        cfg.validate()?;
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let kinds = draw_kinds(&cfg, &mut rng);
        let n = i32::try_from(cfg.osds).map_err(|_| SimError::TooFewOsds {
            osds: cfg.osds,
            needed: cfg.size,
        })?;
        let per_host = i32::try_from(cfg.osds_per_host).unwrap_or(i32::MAX);
        let crush = crate::osd::local::hosted_crush(n, per_host)
            .map_err(|e| SimError::Setup(e.to_string()))?;
        let map = OsdMap::build_simple(n, [], Some(CrushHandle::new(crush)))
            .map_err(|e| SimError::Setup(e.to_string()))?;
        let mut mon = Monitor::new(map, MonConfig::default());
        let mut pool = match cfg.ec {
            Some((k, m)) => {
                let mut p = PoolInfo::erasure(POOL, k, m, cfg.pg_num);
                p.crush_rule = crate::osd::local::ERASURE_RULE;
                p
            }
            None => PoolInfo::replicated(POOL, cfg.size, cfg.pg_num),
        };
        pool.min_size = cfg.min_size;
        pool.flags |= PoolFlags::HASHPSPOOL;
        mon.create_pool(pool)
            .map_err(|e| SimError::Setup(e.to_string()))?;
        let mut report = SimReport {
            seed: cfg.seed,
            fault_kinds: kinds.iter().map(|k| k.name()).collect(),
            ..SimReport::default()
        };
        report.liveness = matches!(cfg.mode, Mode::Liveness { .. });
        let max_pg_num = cfg.pg_num.saturating_mul(4).min(1024).max(cfg.pg_num);
        let mut sim = Sim {
            transcript: Transcript::new(cfg.transcript),
            rng,
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            mon,
            procs: BTreeMap::new(),
            incarnations: BTreeMap::new(),
            crashed: BTreeSet::new(),
            store,
            net: Network::default(),
            slow_disks: BTreeMap::new(),
            disk_pending: 0,
            marked_out: BTreeSet::new(),
            hb_failed: BTreeMap::new(),
            checker: Checker::default(),
            acked: BTreeMap::new(),
            next_reqid: 0,
            kinds,
            faults_on: true,
            report,
            max_pg_num,
            wire: Box::new(Faithful),
            truth: BTreeMap::new(),
            cfg,
        };
        sim.note_truth();
        for o in 0..n {
            sim.start_osd(OsdId(o));
        }
        sim.schedule(0, Ev::Tick);
        Ok(sim)
    }

    /// Runs over `wire` instead of the faithful world (see [`Wire`]).
    pub fn with_wire(mut self, wire: impl Wire + 'static) -> Self {
        self.wire = Box::new(wire);
        self
    }

    /// Records the monitor's current map as the truth of its epoch.
    fn note_truth(&mut self) {
        let map = self.mon.map();
        self.truth
            .entry(map.epoch())
            .or_insert_with(|| Arc::new(map.clone()));
    }

    /// Runs the whole scenario: faults and clients for the configured
    /// duration; in liveness mode, then healing until every PG is clean or
    /// the deadline passes. Stops at the first violation.
    pub fn run(mut self) -> SimReport {
        let end_faults = self.cfg.duration.0;
        let deadline = match self.cfg.mode {
            Mode::Safety => end_faults,
            Mode::Liveness { deadline } => end_faults.saturating_add(deadline.0),
        };
        // A bound on events, so no run can spin: far above what a clean run
        // of this size needs.
        let max_events = 2_000_000u64.saturating_add(
            u64::from(self.cfg.pg_num.max(self.max_pg_num)) * u64::from(self.cfg.osds) * 20_000,
        );
        let mut next_clean_check = 0;
        while let Some((&(t, _), _)) = self.queue.first_key_value() {
            if t > deadline || self.report.events >= max_events {
                break;
            }
            if self.faults_on && t >= end_faults {
                if matches!(self.cfg.mode, Mode::Safety) {
                    break;
                }
                self.faults_on = false;
                self.now = end_faults;
                self.heal_all();
            }
            let Some(((t, _), ev)) = self.queue.pop_first() else {
                break;
            };
            self.now = t;
            self.report.events += 1;
            self.step(ev);
            if !self.report.violations.is_empty() {
                break;
            }
            if self.cfg.stop_at == Some(self.report.events) {
                self.report.snapshot = self.snapshot();
                break;
            }
            // Whether every PG is clean costs a pass over all of them: asked
            // at most once per `CLEAN_CHECK` of simulated time, so a big
            // cluster's run stays linear in its events.
            if !self.faults_on && self.now >= next_clean_check {
                next_clean_check = self.now.saturating_add(CLEAN_CHECK);
                if self.is_clean() {
                    self.report.clean = true;
                    break;
                }
            }
        }
        let stopped = self.cfg.stop_at.is_some_and(|at| self.report.events >= at);
        if matches!(self.cfg.mode, Mode::Liveness { .. })
            && self.report.violations.is_empty()
            && !stopped
        {
            if self.report.clean {
                self.check_acked_writes();
            } else {
                self.report.stuck = self.stuck_pgs();
                self.report.waiting_on = self.cluster_waits();
            }
        }
        self.report.sim_time = self.now;
        self.report.epoch = self.mon.epoch();
        self.report.transcript_hash = self.transcript.hash();
        self.report.transcript = self.transcript.take_lines();
        self.report
    }

    /// Every running PG instance's `pg query`, by OSD then PG.
    fn snapshot(&self) -> Vec<(OsdId, peering_core::machine::PgStatus)> {
        self.procs
            .iter()
            .flat_map(|(o, p)| p.osd.pgs().map(move |(_, pg)| (*o, pg.status())))
            .collect()
    }

    /// Queues `ev` at `at` (never in the past).
    fn schedule(&mut self, at: i64, ev: Ev) {
        self.seq = self.seq.wrapping_add(1);
        self.queue.insert((at.max(self.now), self.seq), ev);
    }

    fn record(&mut self, what: &'static str, a: OsdId, b: OsdId, x: u64) {
        self.transcript
            .record(Rec::osds(self.now, what, a.0, b.0, x));
    }

    /// A network latency: 0.5–5 ms.
    fn latency(&mut self) -> i64 {
        self.rng.random_range(500_000..5_000_000)
    }

    /// Processes one event, every process's monotonic clock set to now first
    /// (heartbeat clock bounds are not simulated: replicas take leases on
    /// their own clock, as Ceph does before its first heartbeat).
    fn step(&mut self, ev: Ev) {
        for p in self.procs.values_mut() {
            p.osd.set_mnow(peering_core::types::Timespan(
                self.now.saturating_sub(p.started_at),
            ));
        }
        match ev {
            Ev::Frame {
                from,
                to,
                generation,
                seq,
                frame,
            } => {
                if !self.net.live(from, to, generation) {
                    return;
                }
                let detail = if self.transcript.keeps() {
                    crate::msg::decode(&frame).map_or("undecodable", |m| m.class_name())
                } else {
                    ""
                };
                self.transcript.record(Rec {
                    detail,
                    ..Rec::osds(self.now, "frame", from.0, to.0, seq)
                });
                self.report.messages += 1;
                if let Some(p) = self.procs.get_mut(&to) {
                    let _ = p
                        .osd
                        .ms_fast_dispatch(crate::osd::Peer::Osd(from), seq, &frame);
                    self.drive(to);
                }
            }
            Ev::PeerMaps {
                from,
                to,
                generation,
                maps,
            } => {
                if !self.net.live(from, to, generation) {
                    return;
                }
                self.record("peer-maps", from, to, 0);
                if let Some(p) = self.procs.get_mut(&to) {
                    let _ = p.osd.handle_osd_map(maps);
                    self.drive_after_map(to);
                }
            }
            Ev::MonMaps {
                to,
                incarnation,
                maps,
            } => {
                if self.live_proc(to, incarnation).is_none() {
                    return;
                }
                let mut maps = maps;
                self.wire.maps_to_osd(to, &mut maps);
                let last = maps.last().map_or(0, |i| i.epoch);
                let Some(p) = self.procs.get_mut(&to) else {
                    return;
                };
                let _ = p.osd.handle_osd_map(OsdMaps::incrementals(maps));
                self.record("mon-maps", to, to, u64::from(last));
                self.drive_after_map(to);
            }
            Ev::MonMsg {
                to,
                incarnation,
                msg,
            } => {
                let Some(p) = self.live_proc(to, incarnation) else {
                    return;
                };
                p.mon_seq = p.mon_seq.saturating_add(1);
                let seq = p.mon_seq;
                let _ = p.osd.ms_dispatch(crate::osd::Peer::Mon, seq, msg);
                self.record("mon-msg", to, to, seq);
                self.drive(to);
            }
            Ev::ToMon { from, msg } => {
                self.record("to-mon", from, from, 0);
                self.mon.handle(from, msg, Timespan(self.now));
                self.pump_mon();
            }
            Ev::Commit {
                osd,
                incarnation,
                txn,
                pgid,
                transaction,
            } => {
                self.disk_pending = self.disk_pending.saturating_sub(1);
                if self.live_proc(osd, incarnation).is_none() {
                    return;
                }
                if let Err(e) = self.store.queue_transaction(osd, pgid, txn, &transaction) {
                    self.violation(SimRule::HostError, osd, Some(pgid), format!("store: {e}"));
                    return;
                }
                self.record("commit", osd, osd, txn.0);
                // The disk's commit time is this event's: what the store
                // reports durable now goes to its OSD.
                for (o, t) in self.store.drain_committed() {
                    if let Some(p) = self.procs.get_mut(&o) {
                        p.osd.on_commit(t);
                    }
                }
                self.drive(osd);
            }
            Ev::Timer {
                osd,
                incarnation,
                pgid,
                evt,
            } => {
                let Some(p) = self.live_proc(osd, incarnation) else {
                    return;
                };
                p.osd.enqueue_peering_evt(pgid, evt);
                self.record("timer", osd, osd, 0);
                self.drive(osd);
            }
            Ev::Tick => self.tick(),
            Ev::Restart { osd } => {
                if self.crashed.remove(&osd) {
                    self.record("restart", osd, osd, 0);
                    // The map may still have the old instance up (nobody
                    // noticed the crash yet). Ceph's monitor tells instances
                    // apart by address: the new one's boot makes it mark the
                    // old one down first, and the new process never takes the
                    // old one's "up" for its own. Here the monitor marks it
                    // down before the new process reads its maps.
                    if self.mon.map().is_up(osd) {
                        self.mon.mark_down(osd);
                        let _ = self.mon.propose();
                        self.pump_mon();
                    }
                    self.start_osd(osd);
                }
            }
            Ev::Heal(h) => self.heal(h),
        }
    }

    /// The process `osd` if it is still incarnation `incarnation`.
    fn live_proc(&mut self, osd: OsdId, incarnation: u64) -> Option<&mut Proc> {
        self.procs
            .get_mut(&osd)
            .filter(|p| p.incarnation == incarnation)
    }

    /// The world's second.
    fn tick(&mut self) {
        self.record(
            "tick",
            OsdId(0),
            OsdId(0),
            u64::try_from(self.now / SEC).unwrap_or(0),
        );
        self.heartbeats();
        self.mon.tick(Timespan(self.now));
        let misplaced = self.misplaced_ratio();
        self.mon.mgr_tick(misplaced);
        let _ = self.mon.propose();
        self.pump_mon();
        if self.faults_on {
            self.client_writes();
            if self.rng.random_bool(self.cfg.fault_rate) && !self.kinds.is_empty() {
                let i = self.rng.random_range(0..self.kinds.len());
                if let Some(kind) = self.kinds.get(i).copied() {
                    self.inject(kind);
                }
            }
        }
        self.schedule(self.now.saturating_add(SEC), Ev::Tick);
    }

    /// The monitor's outputs onto the network (the monitor is reachable from
    /// every OSD; partitions cut OSDs from each other).
    fn pump_mon(&mut self) {
        while let Some(out) = self.mon.poll_output() {
            match out {
                crate::mon::MonOutput::Publish(inc) => {
                    self.record("publish", OsdId(0), OsdId(0), u64::from(inc.epoch));
                    self.note_truth();
                    // Only a running instance's own boot marks it up (an old
                    // instance is marked down before a new one starts).
                    let map = self.mon.map();
                    for (o, p) in self.procs.iter_mut() {
                        if map.is_up(*o) {
                            p.up_from = Some(map.up_from(*o));
                        }
                    }
                    let targets: Vec<(OsdId, u64)> = self
                        .procs
                        .iter()
                        .map(|(o, p)| (*o, p.incarnation))
                        .collect();
                    for (to, incarnation) in targets {
                        let at = self.now.saturating_add(self.latency());
                        self.schedule(
                            at,
                            Ev::MonMaps {
                                to,
                                incarnation,
                                maps: vec![inc.clone()],
                            },
                        );
                    }
                }
                crate::mon::MonOutput::Maps { to, maps } => {
                    if let Some(incarnation) = self.procs.get(&to).map(|p| p.incarnation) {
                        let at = self.now.saturating_add(self.latency());
                        self.schedule(
                            at,
                            Ev::MonMaps {
                                to,
                                incarnation,
                                maps,
                            },
                        );
                    }
                }
                crate::mon::MonOutput::Send { to, msg } => {
                    if let Some(incarnation) = self.procs.get(&to).map(|p| p.incarnation) {
                        let at = self.now.saturating_add(self.latency());
                        self.schedule(
                            at,
                            Ev::MonMsg {
                                to,
                                incarnation,
                                msg,
                            },
                        );
                    }
                }
            }
        }
    }

    /// The fraction of PGs whose primary is not active+clean: what the
    /// manager waits on before walking `pgp_num` further.
    fn misplaced_ratio(&self) -> f64 {
        let map = self.mon.map();
        let Some(pool) = map.pg_pool(POOL) else {
            return 0.0;
        };
        let total = pool.pg_num.max(1);
        let unclean = (0..pool.pg_num)
            .filter(|s| !self.pg_is_clean(peering_core::types::PgId::new(POOL, *s)))
            .count();
        f64::from(u32::try_from(unclean).unwrap_or(u32::MAX)) / f64::from(total)
    }
}

/// The fault kinds this run has on: all of `cfg.faults`, or with swarm
/// testing a non-empty subset the seed draws.
fn draw_kinds(cfg: &SimConfig, rng: &mut ChaCha8Rng) -> Vec<FaultKind> {
    let mut kinds = cfg.faults.clone();
    kinds.sort();
    kinds.dedup();
    if cfg.swarm && kinds.len() > 1 {
        let drawn: Vec<FaultKind> = kinds
            .iter()
            .copied()
            .filter(|_| rng.random_bool(0.5))
            .collect();
        if !drawn.is_empty() {
            return drawn;
        }
    }
    kinds
}
