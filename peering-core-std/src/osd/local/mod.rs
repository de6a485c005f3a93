//! [`LocalCluster`]: a few [`Osd`]s in one process, wired by an in-order
//! network of encoded frames, a store, and a monitor that grants boot, up_thru
//! and pg_temp requests by publishing incrementals. It is how the tests and the
//! `osd_host` example drive the host end to end; it plays no part in an
//! `Osd`'s logic.

mod prefer;

pub(crate) use prefer::load_objects;
pub use prefer::preferred_upmap;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use peering_core::intervals::PastIntervals;
use peering_core::map::{OsdMapView, PoolFlags, PoolInfo};
use peering_core::types::{Epoch, OsdId, OsdVec, PgHistory, PgId, UTime};

use super::{Dispatched, MonMessage, Osd, OsdConfig, OsdError, OsdMaps, OsdOutput, Peer};
use crate::crush::{CrushBuilder, CrushError};
use crate::mon::MergeVerdict;
use crate::msg::{Message, PgCreate2Msg, ReadyToMergeMsg, encode};
use crate::osdmap::{CrushHandle, Incremental, OsdMap, OsdMapError};
use crate::store::{MemStore, Store, StoreError};

/// What travels between two OSDs.
#[derive(Clone, Debug)]
enum Wire {
    Frame(u64, Vec<u8>),
    Maps(OsdMaps),
}

/// Several OSDs, a network, a store and a monitor (see the module docs).
///
/// The store is any [`Store`] ([`MemStore`] by default): the cluster queues
/// every `Persist` output on it and reports to each OSD the transactions the
/// store says are durable.
#[derive(Debug)]
pub struct LocalCluster<S: Store = MemStore> {
    /// The OSDs, by id.
    pub osds: BTreeMap<OsdId, Osd>,
    /// Every OSD's persisted PGs.
    pub store: S,
    /// The errors the store returned, each with its OSD, in order (the
    /// transaction was not applied and its commit is never reported).
    pub store_errors: Vec<(OsdId, StoreError)>,
    /// The monitor's newest map.
    pub mon_map: OsdMap,
    first_map: OsdMap,
    incs: BTreeMap<Epoch, Incremental>,
    network: VecDeque<(OsdId, OsdId, Wire)>,
    /// Directed pairs of OSDs that cannot reach each other
    /// ([`LocalCluster::partition`]), and what waits to cross them, in order.
    cut: BTreeSet<(OsdId, OsdId)>,
    held_net: VecDeque<(OsdId, OsdId, Wire)>,
    seqs: BTreeMap<(OsdId, OsdId), u64>,
    want_up_thru: BTreeMap<OsdId, Epoch>,
    want_pg_temp: BTreeMap<PgId, OsdVec>,
    want_boot: Vec<OsdId>,
    /// `MOSDMarkMeDead` received: the epoch each OSD saw itself marked down.
    want_dead: BTreeMap<OsdId, Epoch>,
    /// `MOSDPGReadyToMerge` received, by merge source (the last word wins).
    want_merge: BTreeMap<PgId, ReadyToMergeMsg>,
    /// Every monitor message received, in order, with its sender.
    pub mon_log: Vec<(OsdId, MonMessage)>,
    /// Frames delivered between OSDs.
    pub frames: usize,
    /// Which requests the monitor grants when the cluster is quiet.
    pub mon_policy: MonPolicy,
    /// Hold the store's commit reports until [`LocalCluster::release_commits`]
    /// (a slow disk: the transaction is written, not yet durable).
    pub hold_commits: bool,
    held: Vec<(OsdId, super::TxnId)>,
    /// Per-PG preference lists, kept as `pg_upmap` entries ([`LocalCluster::set_preference`]).
    preferences: BTreeMap<PgId, Vec<i32>>,
    /// When set, every output moved off an OSD is also kept here, in order
    /// ([`LocalCluster::drain_recorded`]).
    recorded: Option<Vec<(OsdId, OsdOutput)>>,
}

/// The requests [`LocalCluster::grant`] answers (all by default): Ceph's
/// monitor marks a booting OSD up (`MOSDBoot`), records `up_thru`
/// (`MOSDAlive`) and applies pg_temp (`MOSDPGTemp`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MonPolicy {
    /// Mark booting OSDs up.
    pub boot: bool,
    /// Record the up_thru OSDs ask for.
    pub up_thru: bool,
    /// Apply the pg_temp OSDs ask for.
    pub pg_temp: bool,
    /// Act on the merge readiness OSDs report (`MOSDPGReadyToMerge`):
    /// lower `pg_num`, or back off.
    pub merge: bool,
}

impl Default for MonPolicy {
    fn default() -> Self {
        MonPolicy {
            boot: true,
            up_thru: true,
            pg_temp: true,
            merge: true,
        }
    }
}

/// A CRUSH map of `n` hosts with one OSD each and Ceph's replicated rule
/// (`chooseleaf firstn 0 type host`), and a map at epoch 1 with those OSDs and
/// one replicated pool `pool` of `size` and `pg_num`.
pub fn simple_map(n: i32, pool: i64, size: u32, pg_num: u32) -> Result<OsdMap, OsdMapError> {
    let crush = simple_crush(n).map_err(|_| OsdMapError::InvalidMaxOsd(n))?;
    let mut p = PoolInfo::replicated(pool, size, pg_num);
    p.flags |= PoolFlags::HASHPSPOOL;
    OsdMap::build_simple(n, [p], Some(CrushHandle::new(crush)))
}

pub(crate) fn simple_crush(n: i32) -> Result<crate::crush::CrushMap, CrushError> {
    hosted_crush(n, 1)
}

/// The id of the erasure-code rule of the CRUSH maps built here
/// ([`simple_map`], the harness, the simulator); rule 0 is the replicated
/// one.
pub const ERASURE_RULE: i32 = 1;

/// `n` OSDs in hosts of `per_host` (the last host may hold fewer) under one
/// `default` root, a replicated rule (0) and an erasure-code rule
/// ([`ERASURE_RULE`]) choosing leaves across hosts.
pub(crate) fn hosted_crush(n: i32, per_host: i32) -> Result<crate::crush::CrushMap, CrushError> {
    let per_host = per_host.max(1);
    let mut b = CrushBuilder::with_default_types();
    let mut hosts = Vec::new();
    let mut first = 0;
    while first < n {
        let last = first.saturating_add(per_host).min(n);
        let names: Vec<String> = (first..last).map(|id| format!("osd.{id}")).collect();
        for (id, name) in (first..last).zip(&names) {
            b.add_device(id, name, None)?;
        }
        let host = format!("host{}", first / per_host);
        let items: Vec<(&str, Option<u32>)> = names.iter().map(|n| (n.as_str(), None)).collect();
        b.add_bucket(&host, "host", &items)?;
        hosts.push(host);
        first = last;
    }
    let items: Vec<(&str, Option<u32>)> = hosts.iter().map(|h| (h.as_str(), None)).collect();
    b.add_bucket("default", "root", &items)?;
    b.add_replicated_rule("replicated_rule", "default", "host", None)?;
    b.add_erasure_rule("erasure_rule", "default", "host", None)?;
    b.build()
}

impl LocalCluster<MemStore> {
    /// A cluster whose monitor starts at `map`, running `osds` with the options
    /// `cfg` gives each; every OSD gets the map, loads its (empty) store and
    /// boots.
    pub fn new(map: OsdMap, osds: &[i32], cfg: impl Fn(i32) -> OsdConfig) -> Self {
        LocalCluster::with_store(MemStore::new(), map, osds, cfg)
    }
}

impl<S: Store> LocalCluster<S> {
    /// [`LocalCluster::new`] on `store`: the OSDs load whatever it holds.
    pub fn with_store(store: S, map: OsdMap, osds: &[i32], cfg: impl Fn(i32) -> OsdConfig) -> Self {
        let mut c = LocalCluster {
            osds: BTreeMap::new(),
            store,
            store_errors: Vec::new(),
            first_map: map.clone(),
            mon_map: map,
            incs: BTreeMap::new(),
            network: VecDeque::new(),
            cut: BTreeSet::new(),
            held_net: VecDeque::new(),
            seqs: BTreeMap::new(),
            want_up_thru: BTreeMap::new(),
            want_pg_temp: BTreeMap::new(),
            want_boot: Vec::new(),
            want_dead: BTreeMap::new(),
            want_merge: BTreeMap::new(),
            mon_log: Vec::new(),
            frames: 0,
            mon_policy: MonPolicy::default(),
            hold_commits: false,
            held: Vec::new(),
            preferences: BTreeMap::new(),
            recorded: None,
        };
        for &o in osds {
            c.start(cfg(o));
        }
        c
    }

    /// A new monitor starting at `map`: no OSD running, nothing on the network,
    /// no request pending, no preference list, no output recorded, commits not
    /// held; the store is kept (a cluster restarted on the same disks).
    pub fn reset_monitor(&mut self, map: OsdMap) {
        self.osds.clear();
        self.first_map = map.clone();
        self.mon_map = map;
        self.incs.clear();
        self.network.clear();
        self.seqs.clear();
        self.want_up_thru.clear();
        self.want_pg_temp.clear();
        self.want_boot.clear();
        self.want_dead.clear();
        self.want_merge.clear();
        self.mon_log.clear();
        self.frames = 0;
        self.mon_policy = MonPolicy::default();
        self.hold_commits = false;
        self.held.clear();
        self.preferences.clear();
        self.recorded = None;
        self.store.drain_committed();
    }

    /// Every map the monitor published: its first full map and the
    /// incrementals after it (what a booting OSD reads from its store).
    pub fn history(&self) -> OsdMaps {
        let mut maps = OsdMaps::incrementals(self.incs.values().cloned());
        maps.oldest = self.first_map.epoch();
        maps.full
            .insert(self.first_map.epoch(), self.first_map.clone());
        maps
    }

    /// Starts an OSD process: every map (as if read from its store),
    /// `load_pgs` from the store, `start_boot`. Its PGs wait in the peering
    /// queue.
    pub fn start(&mut self, cfg: OsdConfig) {
        let mut osd = Osd::new(cfg);
        let _ = osd.handle_osd_map(self.history());
        match osd.load_pgs(&self.store) {
            Ok(failed) => {
                self.store_errors
                    .extend(failed.into_iter().filter_map(|(_, e)| match e {
                        OsdError::Store(e) => Some((cfg.whoami, e)),
                        _ => None,
                    }))
            }
            Err(OsdError::Store(e)) => self.store_errors.push((cfg.whoami, e)),
            Err(_) => {}
        }
        if let Err(e) = prefer::load_objects(&mut osd, &self.store) {
            self.store_errors.push((cfg.whoami, e));
        }
        osd.start_boot();
        self.osds.insert(cfg.whoami, osd);
    }

    /// Stops an OSD process (its persisted PGs stay in the store).
    pub fn stop(&mut self, osd: i32) {
        self.osds.remove(&OsdId(osd));
        self.held.retain(|(o, _)| o.0 != osd);
        self.want_boot.retain(|o| o.0 != osd);
        self.want_up_thru.remove(&OsdId(osd));
        self.network.retain(|(f, t, _)| f.0 != osd && t.0 != osd);
        self.held_net.retain(|(f, t, _)| f.0 != osd && t.0 != osd);
        self.seqs.retain(|(f, t), _| f.0 != osd && t.0 != osd);
    }

    /// The monitor publishes the next epoch, built by `change`, to every
    /// running OSD.
    pub fn publish(&mut self, change: impl FnOnce(&mut Incremental)) -> Result<Epoch, OsdMapError> {
        let mut inc = Incremental::new(self.mon_map.epoch().saturating_add(1));
        change(&mut inc);
        self.prefer(&mut inc)?;
        self.mon_map.apply_incremental(&inc)?;
        self.incs.insert(inc.epoch, inc.clone());
        for osd in self.osds.values_mut() {
            let _ = osd.handle_osd_map(OsdMaps::incrementals([inc.clone()]));
        }
        Ok(inc.epoch)
    }

    /// The monitor creates every PG of `pool` (`MOSDPGCreate2` to each PG's
    /// acting primary, with a fresh history at the newest epoch).
    pub fn create_pgs(&mut self, pool: i64) {
        let epoch = self.mon_map.epoch();
        let pg_num = self.mon_map.pool(pool).map_or(0, |p| p.pg_num);
        let mut per_osd: BTreeMap<OsdId, PgCreate2Msg> = BTreeMap::new();
        for seed in 0..pg_num {
            let pgid = PgId::new(pool, seed);
            let primary = self.mon_map.pg_to_up_acting_osds(pgid).acting_primary;
            let Some(spg) = self.mon_map.primary_shard(pgid) else {
                continue;
            };
            let m = per_osd.entry(primary).or_insert_with(|| PgCreate2Msg {
                epoch,
                pgs: BTreeMap::new(),
                pg_extra: BTreeMap::new(),
            });
            m.pgs.insert(spg, (epoch, UTime::default()));
            m.pg_extra.insert(
                spg,
                (
                    PgHistory::new(epoch, UTime::default()),
                    PastIntervals::default(),
                ),
            );
        }
        for (osd, m) in per_osd {
            let seq = self.seqs.entry((OsdId::UNDEF, osd)).or_default();
            *seq += 1;
            let seq = *seq;
            if let Some(o) = self.osds.get_mut(&osd) {
                let _ = o.ms_dispatch(Peer::Mon, seq, Message::PgCreate2(m));
            }
        }
    }

    /// Sends `msg` from OSD `from` to OSD `to` on their session (as a frame,
    /// with the session's next sequence number) and dispatches it at once.
    pub fn send_now(&mut self, from: i32, to: i32, msg: &Message) -> Option<Dispatched> {
        let frame = encode(msg).ok()?;
        let seq = self.seqs.entry((OsdId(from), OsdId(to))).or_default();
        *seq += 1;
        let seq = *seq;
        let osd = self.osds.get_mut(&OsdId(to))?;
        osd.ms_fast_dispatch(Peer::Osd(OsdId(from)), seq, &frame)
            .ok()
    }

    /// The OSD `osd`, if running.
    pub fn osd(&self, osd: i32) -> Option<&Osd> {
        self.osds.get(&OsdId(osd))
    }

    /// Runs every OSD's peering queue, moves their outputs and delivers the
    /// network until nothing moves (at most `max_rounds` rounds); then, if the
    /// monitor has requests to grant, publishes one map granting them all and
    /// goes on. Returns the rounds run.
    pub fn run(&mut self, max_rounds: usize) -> usize {
        let mut rounds = 0;
        while rounds < max_rounds {
            rounds += 1;
            let (moved, _) = self.round();
            if !moved && !self.grant() {
                break;
            }
        }
        rounds
    }

    /// One round: one pass of every OSD's peering queue, its outputs moved,
    /// then every frame and map on the network delivered. Returns whether
    /// anything moved, and the errors PGs raised (each with its OSD).
    pub fn round(&mut self) -> (bool, Vec<(OsdId, OsdError)>) {
        let mut moved = false;
        let mut errors = Vec::new();
        let ids: Vec<OsdId> = self.osds.keys().copied().collect();
        for id in &ids {
            if let Some(osd) = self.osds.get_mut(id) {
                moved |= osd.has_peering_work();
                errors.extend(osd.run_peering_queue(1).1.into_iter().map(|e| (*id, e)));
            }
            moved |= self.pump(*id);
        }
        while let Some((from, to, wire)) = self.network.pop_front() {
            if self.cut.contains(&(from, to)) {
                self.held_net.push_back((from, to, wire));
                continue;
            }
            moved = true;
            self.deliver(from, to, wire);
        }
        (moved, errors)
    }

    /// Cuts the network between the OSDs of `a` and those of `b`: what one
    /// side sends the other waits, in order, until [`LocalCluster::heal`]
    /// (Ceph's lossless peer connections retry; nothing is lost unless a
    /// side is marked down, which closes the connection). Heartbeats are not
    /// modelled here: the monitor marks a side down only when told.
    pub fn partition(&mut self, a: &[i32], b: &[i32]) {
        for &x in a {
            for &y in b {
                self.cut.insert((OsdId(x), OsdId(y)));
                self.cut.insert((OsdId(y), OsdId(x)));
            }
        }
    }

    /// Reconnects every cut pair; what waited crosses, in the order it was
    /// sent. Returns how many items waited.
    pub fn heal(&mut self) -> usize {
        self.cut.clear();
        let n = self.held_net.len();
        let held = std::mem::take(&mut self.held_net);
        self.network.extend(held);
        n
    }

    /// Whether any pair of OSDs is cut.
    pub fn is_partitioned(&self) -> bool {
        !self.cut.is_empty()
    }

    /// Delivers one network item.
    fn deliver(&mut self, from: OsdId, to: OsdId, wire: Wire) {
        let Some(osd) = self.osds.get_mut(&to) else {
            return;
        };
        match wire {
            Wire::Frame(seq, frame) => {
                self.frames += 1;
                let _ = osd.ms_fast_dispatch(Peer::Osd(from), seq, &frame);
            }
            Wire::Maps(maps) => {
                let _ = osd.handle_osd_map(maps);
            }
        }
    }

    /// Moves `id`'s outputs: frames and maps onto the network, transactions
    /// into the store (committed at once), monitor messages to the monitor;
    /// `on_activate_complete` is answered as a recovery engine with nothing to
    /// recover does. True when anything moved.
    fn pump(&mut self, id: OsdId) -> bool {
        let Some(osd) = self.osds.get_mut(&id) else {
            return false;
        };
        let outputs = osd.drain_outputs();
        let moved = !outputs.is_empty();
        if let Some(rec) = self.recorded.as_mut() {
            rec.extend(outputs.iter().map(|o| (id, o.clone())));
        }
        for out in outputs {
            match out {
                OsdOutput::Send { to, messages, .. } => {
                    for m in messages {
                        let Ok(frame) = encode(&m) else { continue };
                        let seq = self.seqs.entry((id, to)).or_default();
                        *seq += 1;
                        self.network.push_back((id, to, Wire::Frame(*seq, frame)));
                    }
                }
                OsdOutput::ShareMap { to, maps } => {
                    let batch = match maps.full {
                        Some(full) => OsdMaps::full((*full).clone()),
                        None => OsdMaps::incrementals(maps.incrementals),
                    };
                    self.network.push_back((id, to, Wire::Maps(batch)));
                }
                OsdOutput::Persist {
                    txn,
                    pgid,
                    transaction,
                } => {
                    if let Err(e) = self.store.queue_transaction(id, pgid, txn, &transaction) {
                        self.store_errors.push((id, e));
                    }
                    self.report_commits();
                }
                OsdOutput::Mon(m) => self.mon_receive(id, m),
                // The object layer wrote a recovered object: the store has it.
                OsdOutput::Recovery {
                    pgid,
                    report:
                        super::RecoveryReport::Wrote {
                            oid,
                            version,
                            delete,
                        },
                } => {
                    if let Err(e) = self.store.write_object(id, pgid, &oid, version, delete) {
                        self.store_errors.push((id, e));
                    }
                }
                // `C_DeleteMore`: the store lists the next objects.
                OsdOutput::DeleteMore {
                    pgid,
                    epoch,
                    after,
                    max,
                } => {
                    let max = usize::try_from(max).unwrap_or(usize::MAX);
                    let objects = match self.store.list_objects(id, pgid, after.as_ref(), max) {
                        Ok(objects) => objects.into_iter().map(|(o, _)| o).collect(),
                        Err(e) => {
                            self.store_errors.push((id, e));
                            Vec::new()
                        }
                    };
                    if let Some(osd) = self.osds.get_mut(&id) {
                        osd.delete_some(pgid, epoch, objects);
                    }
                }
                // The connection is closed on both ends: a new session starts
                // at sequence 1 (the transport contract). The cluster runs one
                // instance per OSD and a restarted OSD starts with fresh
                // connections, so the connection is the down instance's.
                OsdOutput::MarkDown { osd: peer, .. } => {
                    self.seqs.remove(&(id, peer));
                    self.seqs.remove(&(peer, id));
                    // What waited behind a cut is gone with the connection.
                    self.held_net.retain(|(f, t, _)| {
                        !((*f == id && *t == peer) || (*f == peer && *t == id))
                    });
                    if let Some(osd) = self.osds.get_mut(&id) {
                        osd.ms_handle_reset(Peer::Osd(peer));
                    }
                }
                // Every connection of the rebinding OSD is new.
                OsdOutput::Rebind => {
                    self.seqs.retain(|(f, t), _| *f != id && *t != id);
                    self.network.retain(|(f, t, _)| *f != id && *t != id);
                    self.held_net.retain(|(f, t, _)| *f != id && *t != id);
                    for (o, osd) in self.osds.iter_mut() {
                        if *o != id {
                            osd.ms_handle_reset(Peer::Osd(id));
                        }
                    }
                }
                _ => {}
            }
        }
        moved
    }

    /// Passes the transactions the store reports durable to their OSDs'
    /// `on_commit` (or holds them, under [`LocalCluster::hold_commits`]).
    fn report_commits(&mut self) {
        for (osd, txn) in self.store.drain_committed() {
            if self.hold_commits {
                self.held.push((osd, txn));
            } else if let Some(o) = self.osds.get_mut(&osd) {
                o.on_commit(txn);
            }
        }
    }

    /// The monitor records a request.
    fn mon_receive(&mut self, from: OsdId, m: MonMessage) {
        match &m {
            MonMessage::Boot { .. } => self.want_boot.push(from),
            MonMessage::Alive(a) => {
                let w = self.want_up_thru.entry(from).or_default();
                *w = (*w).max(a.want);
            }
            MonMessage::PgTemp(t) => self.want_pg_temp.extend(t.pg_temp.clone()),
            MonMessage::Subscribe { start } => {
                let maps: Vec<Incremental> =
                    self.incs.range(*start..).map(|(_, i)| i.clone()).collect();
                if let (Some(osd), false) = (self.osds.get_mut(&from), maps.is_empty()) {
                    let _ = osd.handle_osd_map(OsdMaps::incrementals(maps));
                }
            }
            MonMessage::PgCreated(_) => {}
            MonMessage::MarkMeDead { epoch } => {
                self.want_dead.insert(from, *epoch);
            }
            MonMessage::ReadyToMerge(r) => {
                self.want_merge.insert(r.pgid, *r);
            }
        }
        self.mon_log.push((from, m));
    }

    /// Publishes one map granting the pending requests; false when there was
    /// none. An OSD's `MOSDMarkMeDead` goes first, in a map of its own: the OSD
    /// sends it as soon as it sees itself down, before it rebinds and boots
    /// (a Ceph 16.2 monitor records it one epoch before the boot). Then one
    /// map grants every pending boot, up_thru and pg_temp request.
    pub fn grant(&mut self) -> bool {
        // `preprocess_mark_me_dead`: only an OSD that is still down.
        let dead: Vec<(OsdId, Epoch)> = std::mem::take(&mut self.want_dead)
            .into_iter()
            .filter(|(o, _)| !self.mon_map.is_up(*o))
            .collect();
        if !dead.is_empty() {
            return self
                .publish(|inc| {
                    for (o, dead_epoch) in dead {
                        inc.mark_dead(o, dead_epoch);
                    }
                })
                .is_ok();
        }
        let p = self.mon_policy;
        let down: Vec<OsdId> = take_if(p.boot, &mut self.want_boot)
            .into_iter()
            .filter(|o| !self.mon_map.is_up(*o))
            .collect();
        let up_thru = take_if(p.up_thru, &mut self.want_up_thru);
        let temps = take_if(p.pg_temp, &mut self.want_pg_temp);
        // `prepare_pg_ready_to_merge` on each report.
        let epoch = self.mon_map.epoch().saturating_add(1);
        let merges: Vec<MergeVerdict> = take_if(p.merge, &mut self.want_merge)
            .values()
            .filter_map(|r| {
                let pool = self.mon_map.pg_pool(r.pgid.pool).copied()?;
                MergeVerdict::of(pool, r, epoch)
            })
            .collect();
        if down.is_empty() && up_thru.is_empty() && temps.is_empty() && merges.is_empty() {
            return false;
        }
        let result = self.publish(|inc| {
            for o in down {
                inc.mark_up(o.0);
            }
            inc.new_up_thru.extend(up_thru);
            inc.new_pg_temp.extend(temps);
            for verdict in merges {
                verdict.apply(inc);
            }
        });
        result.is_ok()
    }
}

/// `v` taken when `take`, else left where it is.
fn take_if<T: Default>(take: bool, v: &mut T) -> T {
    if take {
        std::mem::take(v)
    } else {
        T::default()
    }
}

#[cfg(test)]
mod tests;
