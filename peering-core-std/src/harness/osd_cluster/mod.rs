//! [`OsdHarness`]: the scripted-scenario harness rebuilt on the product host:
//! N [`Osd`]s wired by [`LocalCluster`]'s in-process network (every message
//! between two OSDs is an encoded frame, with its session's sequence number),
//! a monitor that grants boot, up_thru and pg_temp by publishing incrementals,
//! and a [`MemStore`], on the real [`OsdMap`] with a CRUSH map (one hallway:
//! every driver goes through `Osd`).
//!
//! `Osd` does the host's work here: admission
//! by epoch (`waiting_on_map`, slot waiting), `advance_pg` (`AdvMap`* then
//! `ActMap`, `osd_map_max_advance` per pass), `handle_pg_create_info`,
//! `handle_pg_query_nopg`, `dispatch_context`, `share_map`, the reservers and
//! recovery/backfill (versions only). The harness keeps:
//!
//! * placement: a per-PG preference list ([`OsdHarness::place`]) is kept as a
//!   `pg_upmap` entry (Ceph's explicit mapping, which overrides CRUSH) holding
//!   the first `size` OSDs of the list that are up; pg_temp is the map's own;
//! * the [`Transcript`]: maps published, OSDs started and stopped, every
//!   message sent (decoded back from its frame), every state entered
//!   (`log_enter`, [`crate::osd::OsdConfig::report_states`]), persists, monitor
//!   requests, timers, reservations, notifications, failures;
//! * the [`Checker`]: the safety invariants, checked for every
//!   PG instance after every round of the cluster (one pass of every OSD's
//!   peering queue and the network delivered), with the states entered in it;
//! * timers, held until fired ([`OsdHarness::fire_timers`], or when quiet under
//!   [`Policy::fire_timers`]).
//!
//! Scenario disk state is seeded into the store and read by the OSD's own
//! `load_pgs` ([`OsdHarness::create_everywhere`], [`OsdHarness::load`]): the
//! OSDs start on the first call that drives the cluster, so epoch 1 holds the
//! placement of every PG placed before it.
//!
//! Client writes go to the acting primary's `Osd::submit_write`, which
//! replicates them in `MOSDRepOp` frames. Reservations and the space check
//! are the OSDs' own (`osd_max_backfills`, backfillfull injection); recovery
//! and backfill are the OSDs' engine, reported as engine lines. Not recorded:
//! one `Delivered` line per event (an `Osd` reports drops, not deliveries;
//! only the host's `DeleteSome` hand-offs are listed).

mod drive;
mod knobs;
mod record;
mod seed;
mod write;

use std::collections::{BTreeMap, BTreeSet};

use peering_core::ctx::Timer;
use peering_core::intervals::UpActing;
use peering_core::machine::{Config, Pg};
use peering_core::map::{MapFlags, OsdMapView, PoolInfo};
use peering_core::types::{Epoch, OsdId, PgId, SpgId, Timespan};

use super::{Checker, HarnessError, Placement, Policy, Transcript, Violation};
use crate::osd::local::LocalCluster;
use crate::osd::{Osd, OsdConfig};
use crate::osdmap::{Incremental, OsdMap};
use crate::store::{MemStore, Store};
use peering_core::map::PoolFlags;

/// A read-lease timer (`RenewLease`, `CheckReadable`): it runs on the clock,
/// and a renewal re-arms itself for as long as the PG is active, so only
/// [`OsdHarness::advance_clock`] fires it.
fn is_clock_timer(t: &Timer) -> bool {
    use peering_core::event::Event;
    matches!(t.event.event, Event::RenewLease | Event::CheckReadable)
}

/// N [`Osd`]s, a network, a monitor and a store, driven step by step with a
/// transcript and a safety checker (see the module docs).
#[derive(Debug)]
pub struct OsdHarness<S: Store = MemStore> {
    cluster: LocalCluster<S>,
    /// The OSD processes that run (started lazily, see the module docs).
    running: BTreeSet<OsdId>,
    started: bool,
    /// The maps published before the OSDs started, from epoch 1: they take
    /// placements (see [`OsdHarness::place`]).
    prelude: Vec<Incremental>,
    transcript: Transcript,
    checker: Checker,
    failures: Vec<HarnessError>,
    /// Scheduled timers, each with the harness time it is due at.
    timers: Vec<(OsdId, SpgId, Timer, Timespan)>,
    /// The harness's clock ([`OsdHarness::advance_clock`]).
    now: Timespan,
    /// When each running OSD process started: its `get_mnow()` counts from
    /// there.
    started_at: BTreeMap<OsdId, Timespan>,
    policy: Policy,
    config: Config,
    osd_config: fn(i32) -> OsdConfig,
    /// `osd_max_backfills` set per OSD, applied whenever it starts.
    slots: BTreeMap<OsdId, u32>,
    /// OSDs whose backfill space check fails, applied whenever they start.
    too_full: BTreeSet<OsdId>,
}

impl OsdHarness<MemStore> {
    /// Epoch 1: OSDs `osds` exist, up and in, each on its own host of a
    /// simple CRUSH map (`chooseleaf firstn 0 type host`); one replicated pool
    /// `pool` of `size` (Ceph's default `min_size`) and one PG, not placed.
    pub fn replicated(osds: &[i32], pool: i64, size: u32) -> Result<OsdHarness, HarnessError> {
        OsdHarness::replicated_on(MemStore::new(), osds, pool, size)
    }

    /// Epoch 1: as [`OsdHarness::replicated`], with one erasure-coded `k + m`
    /// pool `pool` instead (Ceph's default `min_size`, `k + 1`; CRUSH rule
    /// `chooseleaf indep 0 type host`). A PG's preference list keeps shard
    /// positions (see [`OsdHarness::place`]) and its instances are
    /// `(osd, shard)` pairs.
    pub fn erasure(osds: &[i32], pool: i64, k: u32, m: u32) -> Result<OsdHarness, HarnessError> {
        let mut p = PoolInfo::erasure(pool, k, m, 1);
        p.crush_rule = crate::osd::local::ERASURE_RULE;
        OsdHarness::with_pool(MemStore::new(), osds, p)
    }
}

impl OsdHarness<MemStore> {
    /// Epoch 1: OSDs `osds` up and in, placed by `crush` (a CRUSH map with
    /// sites, say), and the one pool `pool` (hashed, `HASHPSPOOL`). Pools
    /// whose rules need a real hierarchy (stretch pools) start here.
    pub fn with_crush(
        osds: &[i32],
        crush: crate::crush::CrushMap,
        pool: PoolInfo,
    ) -> Result<OsdHarness, HarnessError> {
        OsdHarness::build(MemStore::new(), osds, Some(crush), pool)
    }
}

impl<S: Store> OsdHarness<S> {
    /// [`OsdHarness::replicated`] on `store` (a `RedbStore` in a
    /// directory, say): the OSDs persist to it and load from it.
    pub fn replicated_on(
        store: S,
        osds: &[i32],
        pool: i64,
        size: u32,
    ) -> Result<OsdHarness<S>, HarnessError> {
        OsdHarness::with_pool(store, osds, PoolInfo::replicated(pool, size, 1))
    }

    /// Epoch 1 on `store`: OSDs `osds` up and in, each on its own host, and
    /// the one pool `pool` (hashed, `HASHPSPOOL`).
    fn with_pool(store: S, osds: &[i32], p: PoolInfo) -> Result<OsdHarness<S>, HarnessError> {
        OsdHarness::build(store, osds, None, p)
    }

    /// Epoch 1 on `store` with `crush`, or each OSD on its own host.
    fn build(
        store: S,
        osds: &[i32],
        crush: Option<crate::crush::CrushMap>,
        mut p: PoolInfo,
    ) -> Result<OsdHarness<S>, HarnessError> {
        let max = osds
            .iter()
            .copied()
            .max()
            .map_or(0, |m| m.saturating_add(1));
        let crush = match crush {
            Some(c) => c,
            None => crate::osd::local::simple_crush(max)
                .map_err(|_| HarnessError::Map(crate::osdmap::OsdMapError::InvalidMaxOsd(max)))?,
        };
        p.flags |= PoolFlags::HASHPSPOOL;
        let mut genesis = Incremental::new(1);
        genesis.new_flags = Some(MapFlags::SORTBITWISE.with(MapFlags::RECOVERY_DELETES));
        genesis.new_max_osd = Some(max);
        for &o in osds {
            genesis.add_osd(o, max);
        }
        genesis.set_pool(p);
        genesis.new_crush = Some(crate::osdmap::CrushHandle::new(crush));
        let first = OsdMap::new()
            .with_incremental(&genesis)
            .map_err(HarnessError::Map)?;
        let mut cluster = LocalCluster::with_store(store, first, &[], OsdConfig::new);
        cluster.record_outputs(true);
        Ok(OsdHarness {
            cluster,
            running: osds.iter().map(|o| OsdId(*o)).collect(),
            started: false,
            prelude: vec![genesis],
            transcript: Transcript::default(),
            checker: Checker::default(),
            failures: Vec::new(),
            timers: Vec::new(),
            now: Timespan::ZERO,
            started_at: BTreeMap::new(),
            policy: Policy::default(),
            config: Config::default(),
            osd_config: OsdConfig::new,
            slots: BTreeMap::new(),
            too_full: BTreeSet::new(),
        })
    }

    /// The options every PG instance is created with.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// The options each OSD starts with (its `report_states` is always on).
    pub fn set_osd_config(&mut self, cfg: fn(i32) -> OsdConfig) {
        self.osd_config = cfg;
    }

    /// The harness's scriptable answers: `hold_commits`, `grant_up_thru`,
    /// `grant_pg_temp`, `fire_timers` and `max_steps` (rounds) apply here;
    /// the others are the OSDs' own business (their reservers, recovery engine
    /// and flushes).
    pub fn policy_mut(&mut self) -> &mut Policy {
        &mut self.policy
    }

    /// The monitor's newest map.
    pub fn map(&self) -> &OsdMap {
        &self.cluster.mon_map
    }

    /// The newest epoch.
    pub fn epoch(&self) -> Epoch {
        self.map().epoch()
    }

    /// `pg_to_up_acting_osds` for `pgid` in the newest map.
    pub fn mapping(&self, pgid: PgId) -> UpActing {
        self.map().pg_to_up_acting_osds(pgid)
    }

    /// `pgid`'s up/acting mapping at `epoch`, from the monitor's newest map
    /// or any running OSD's copy of that epoch.
    pub fn mapping_at(&self, epoch: Epoch, pgid: PgId) -> Option<UpActing> {
        if epoch == self.epoch() {
            return Some(self.mapping(pgid));
        }
        self.cluster
            .osds
            .values()
            .find_map(|o| o.maps().get(epoch))
            .map(|m| m.pg_to_up_acting_osds(pgid))
    }

    /// Queues `evt` for `osd`'s instance of `pgid`, as the host would (a
    /// timer, a recovery callback...: `enqueue_peering_evt`).
    pub fn inject(&mut self, osd: i32, pgid: SpgId, evt: peering_core::event::PeeringEvt) {
        if let Some(o) = self.cluster.osds.get_mut(&OsdId(osd)) {
            o.enqueue_peering_evt(pgid, evt);
        }
    }

    /// The cluster underneath (OSDs, store, monitor log, frame count).
    pub fn cluster(&self) -> &LocalCluster<S> {
        &self.cluster
    }

    /// OSD `osd`, if its process runs and has started.
    pub fn osd(&self, osd: i32) -> Option<&Osd> {
        self.cluster.osd(osd)
    }

    /// `osd`'s instance of `pgid`, if it has one.
    pub fn pg(&self, osd: i32, pgid: SpgId) -> Option<&Pg> {
        self.osd(osd)?.pg(pgid)
    }

    /// Ceph's state name of `osd`'s instance of `pgid` ("-" when it has none).
    pub fn state(&self, osd: i32, pgid: SpgId) -> &'static str {
        self.pg(osd, pgid).map_or("-", Pg::state_name)
    }

    /// Every instance of `pgid` with its state name, by OSD.
    pub fn states(&self, pgid: SpgId) -> Vec<(OsdId, &'static str)> {
        self.cluster
            .osds
            .iter()
            .filter_map(|(o, osd)| osd.pg(pgid).map(|p| (*o, p.state_name())))
            .collect()
    }

    /// True when `osd`'s process runs.
    pub fn is_running(&self, osd: i32) -> bool {
        self.running.contains(&OsdId(osd))
    }

    /// Every OSD's store.
    pub fn store(&self) -> &S {
        &self.cluster.store
    }

    /// Everything that happened, in order.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// The safety violations seen so far.
    pub fn violations(&self) -> &[Violation] {
        self.checker.violations()
    }

    /// Every error an OSD or the monitor reported, in order (each also in the
    /// transcript when it names a PG).
    pub fn failures(&self) -> &[HarnessError] {
        &self.failures
    }

    /// The timers [`OsdHarness::fire_timers`] fires, scheduled and not fired
    /// yet, in order: every timer but the read lease's clock timers.
    pub fn timers(&self) -> impl Iterator<Item = &Timer> + '_ {
        self.timers
            .iter()
            .filter(|(_, _, t, _)| !is_clock_timer(t))
            .map(|(_, _, t, _)| t)
    }

    /// The read lease's timers (`RenewLease`, `CheckReadable`), scheduled and
    /// not fired yet, in order, with the harness time each is due at; only
    /// [`OsdHarness::advance_clock`] fires them.
    pub fn clock_timers(&self) -> impl Iterator<Item = (&Timer, Timespan)> + '_ {
        self.timers
            .iter()
            .filter(|(_, _, t, _)| is_clock_timer(t))
            .map(|(_, _, t, due)| (t, *due))
    }

    /// The harness's clock: zero at the start, moved by
    /// [`OsdHarness::advance_clock`].
    pub fn now(&self) -> Timespan {
        self.now
    }

    /// The placement as scenarios set it: each PG's preference list
    /// and the map's pg_temp.
    pub fn placement(&self) -> Placement {
        let mut p = Placement::default();
        for (pgid, prefs) in self.placements() {
            p.set_crush(pgid, &prefs);
        }
        for (pgid, temp) in self.map().pg_temp() {
            let osds: Vec<i32> = temp.iter().map(|o| o.0).collect();
            p.set_pg_temp(*pgid, &osds);
        }
        p
    }

    /// The pg_temp requests the monitor has not applied, by PG.
    pub fn pending_pg_temp(&self) -> &BTreeMap<PgId, peering_core::types::OsdVec> {
        self.cluster.pending_pg_temp()
    }

    /// The up_thru requests the monitor has not granted, by OSD.
    pub fn pending_up_thru(&self) -> &BTreeMap<OsdId, Epoch> {
        self.cluster.pending_up_thru()
    }

    /// The preference lists, by PG.
    pub fn placements(&self) -> BTreeMap<PgId, Vec<i32>> {
        self.cluster
            .preferred_pgs()
            .filter_map(|p| Some((p, self.cluster.preference(p)?.to_vec())))
            .collect()
    }
}
