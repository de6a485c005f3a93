//! In-process clusters for scripted peering scenarios
//! "Scenarios"; the host contract of).
//!
//! [`OsdHarness`] ([`osd_cluster`]) is the harness: N [`crate::osd::Osd`]s,
//! every message between them through the wire encoding, a monitor granting
//! boot, up_thru and pg_temp by publishing incrementals, and the store, on a
//! real [`crate::osdmap::OsdMap`] with CRUSH. The scenario tests, the random
//! histories and the examples run on it.
//!
//! [`Harness`] is the older scripted host on the core's `SimpleOsdMap`, kept
//! for one scenario (trace C, `tests/scenario_c_down.rs`) whose starting point
//! it alone reaches: stray copies that a clean primary has not purged (its
//! `Pg::create`d strays never notify; an `Osd`'s loaded strays do, and Ceph
//! purges them). It shares the [`Transcript`], the [`Checker`] and [`Policy`].
//!
//! A [`Harness`] runs a set of OSDs, each holding [`Pg`] instances, and plays the
//! host for all of them:
//!
//! * every [`RecoveryCtx`] output is routed: messages become the receiving PG's
//!   events ([`Outgoing::into_events`](peering_core::ctx::Outgoing::into_events))
//!   in one FIFO queue; a query for a PG an OSD does not hold is answered
//!   with an empty info;
//! * transactions are applied to a [`MemStore`], so the persisted info, log and
//!   past intervals can be asserted and a stopped OSD restarts from them;
//! * on-commit callbacks run at once or are held ([`Policy::hold_commits`]);
//! * the monitor grants up_thru and pg_temp requests by publishing a new map when
//!   the cluster is quiet; timers are held until fired
//!   ([`Harness::fire_timers`], or when quiet under [`Policy::fire_timers`]);
//!   reservations go to each OSD's local and remote [`Reserver`] (slots, priority
//!   then FIFO, preemption, cancellation) after the backfill space check
//!   ([`Harness::set_too_full`]); the recovery engine answers
//!   `on_activate_complete` and, once a PG holds its reservations, recovers and
//!   backfills objects (versions only) feeding back the calls and events —
//!   each scriptable through [`Policy`];
//! * a notify or log for a PG an OSD does not hold creates it there
//!   (`handle_pg_create_info`); a map raising `pg_num` splits every parent
//!   between its `AdvMap` and `ActMap` and creates the children on the same OSD;
//! * maps are published one epoch at a time and every running OSD advances its
//!   PGs through them, `AdvMap`* then `ActMap`; placement is a per-PG
//!   preference list plus pg_temp ([`Placement`]);
//! * a minimal client write path ([`Harness::write`], [`Harness::delete`]): the
//!   acting primary appends the entry (`Pg::submit_write`, Ceph's `append_log`)
//!   and replicates it to its running acting replicas (`MOSDRepOp` →
//!   `Pg::append_log`); an OSD that is down misses it. Versions only: no
//!   object data.
//!
//! Everything is ordered (`BTreeMap`, one FIFO queue), so a scenario replays
//! identically. The [`Transcript`] records every map, message, event, state entry
//! and request; the [`Checker`] checks the safety invariants after
//! every call into a PG.
//!
//! Scope: replicated pools (erasure-coded placement needs shard positions).

mod drive;
mod error;
mod invariants;
mod map_history;
mod maps;
pub mod osd_cluster;
mod placement;
mod policy;
mod recovery;
mod route;
mod transcript;
pub(super) mod write;

pub use crate::osd::AsyncReserver as Reserver;
pub use error::HarnessError;
pub use invariants::{Checker, Rule, Violation};
pub use osd_cluster::OsdHarness;
pub use placement::Placement;
pub use policy::Policy;
pub use transcript::{Entry, Outcome, Transcript, message_name};

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use peering_core::ctx::{OnCommit, RecoveryCtx, Timer};
use peering_core::event::PeeringEvt;
use peering_core::intervals::UpActing;
use peering_core::machine::{Config, Pg};
use peering_core::map::{PoolInfo, SimpleOsdMap};
use peering_core::types::{Epoch, OsdId, OsdVec, PgId, SpgId};

use crate::store::MemStore;

/// An event waiting for delivery to one PG instance.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Queued {
    to: OsdId,
    pgid: SpgId,
    from: Option<OsdId>,
    evt: PeeringEvt,
}

/// Work the recovery engine owes a PG once the current call is routed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum EngineJob {
    /// `on_recovery_reserved`: log-based recovery.
    Recover,
    /// `on_backfill_reserved`: backfill.
    Backfill,
}

/// A set of in-process OSDs and the host around them (see the
/// module docs).
#[derive(Clone, Debug)]
pub struct Harness {
    maps: map_history::MapHistory,
    placement: Placement,
    mappings: BTreeMap<(Epoch, PgId), UpActing>,
    /// Running OSDs and their PG instances.
    osds: BTreeMap<OsdId, BTreeMap<SpgId, Pg>>,
    queue: VecDeque<Queued>,
    /// Events sent at an epoch the receiver has not reached (wait).
    deferred: Vec<Queued>,
    store: MemStore,
    transcript: Transcript,
    held: Vec<(OsdId, SpgId, OnCommit)>,
    timers: Vec<(OsdId, SpgId, Timer)>,
    want_up_thru: BTreeMap<OsdId, Epoch>,
    want_pg_temp: BTreeMap<PgId, OsdVec>,
    policy: Policy,
    /// Each OSD's local (`false`) and remote (`true`) reserver.
    reservers: BTreeMap<(OsdId, bool), Reserver>,
    /// OSDs whose backfill space check fails.
    too_full: BTreeSet<OsdId>,
    engine_jobs: Vec<(OsdId, SpgId, EngineJob)>,
    checker: Checker,
    /// Calls into single PG instances that failed, in order (reported, not
    /// returned: the rest of the cluster keeps running).
    failures: Vec<HarnessError>,
    config: Config,
    ctx: RecoveryCtx,
}

impl Harness {
    /// A cluster whose first map is `map`; no OSD runs and no PG exists yet.
    pub fn new(map: SimpleOsdMap) -> Harness {
        Harness {
            maps: map_history::MapHistory::new(map),
            placement: Placement::default(),
            mappings: BTreeMap::new(),
            osds: BTreeMap::new(),
            queue: VecDeque::new(),
            deferred: Vec::new(),
            store: MemStore::new(),
            transcript: Transcript::default(),
            held: Vec::new(),
            timers: Vec::new(),
            want_up_thru: BTreeMap::new(),
            want_pg_temp: BTreeMap::new(),
            policy: Policy::default(),
            reservers: BTreeMap::new(),
            too_full: BTreeSet::new(),
            engine_jobs: Vec::new(),
            checker: Checker::default(),
            failures: Vec::new(),
            config: Config::default(),
            ctx: RecoveryCtx::new(),
        }
    }

    /// Epoch 1: OSDs `osds` up and running, one replicated pool `pool` of `size`
    /// replicas (Ceph's default `min_size`) and one PG, no PG placed yet.
    pub fn replicated(osds: &[i32], pool: i64, size: u32) -> Harness {
        let mut map = SimpleOsdMap::new(1).with_pool(PoolInfo::replicated(pool, size, 1));
        for &o in osds {
            map = map.with_up_osd(o, 1);
        }
        let mut h = Harness::new(map);
        for &o in osds {
            h.osds.insert(OsdId(o), BTreeMap::new());
        }
        h
    }

    /// The options every PG instance is created or loaded with.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// The host's scriptable answers.
    pub fn policy_mut(&mut self) -> &mut Policy {
        &mut self.policy
    }

    /// Makes `osd`'s backfill space check (`try_reserve_recovery_space`
    /// "RepNotRecovering") fail (`true`) or pass: a too-full OSD answers a backfill
    /// request with `REJECT_TOOFULL`.
    pub fn set_too_full(&mut self, osd: i32, too_full: bool) {
        if too_full {
            self.too_full.insert(OsdId(osd));
        } else {
            self.too_full.remove(&OsdId(osd));
        }
    }

    /// Gives `osd`'s local and remote reservers `local` and `remote` slots
    /// (`osd_max_backfills`; 0: unlimited), replacing reservers not used yet; the
    /// default is [`Policy::reserver_slots`].
    pub fn set_reserver_slots(&mut self, osd: i32, local: usize, remote: usize) {
        self.reservers
            .insert((OsdId(osd), false), Reserver::new(reserver_slots(local)));
        self.reservers
            .insert((OsdId(osd), true), Reserver::new(reserver_slots(remote)));
    }

    /// `osd`'s local (`remote == false`) or remote reserver, once used.
    pub fn reserver(&self, osd: i32, remote: bool) -> Option<&Reserver> {
        self.reservers.get(&(OsdId(osd), remote))
    }

    /// The newest map.
    pub fn map(&self) -> &SimpleOsdMap {
        self.maps.newest()
    }

    /// The map of `epoch`, if published.
    pub fn map_at(&self, epoch: Epoch) -> Option<&SimpleOsdMap> {
        self.maps.get(epoch)
    }

    /// The newest epoch.
    pub fn epoch(&self) -> Epoch {
        self.map().epoch
    }

    /// `pgid`'s up/acting mapping at `epoch`, as published.
    pub fn mapping_at(&self, epoch: Epoch, pgid: PgId) -> Option<&UpActing> {
        self.mappings.get(&(epoch, pgid))
    }

    /// The placement (preference lists and pg_temp).
    pub fn placement(&self) -> &Placement {
        &self.placement
    }

    /// `osd`'s running instance of `pgid`.
    pub fn pg(&self, osd: i32, pgid: SpgId) -> Option<&Pg> {
        self.osds.get(&OsdId(osd))?.get(&pgid)
    }

    /// Ceph's state name of `osd`'s instance of `pgid` ("-" when it does
    /// not run).
    pub fn state(&self, osd: i32, pgid: SpgId) -> &'static str {
        self.pg(osd, pgid).map_or("-", Pg::state_name)
    }

    /// Every running instance of `pgid` with its state name, by OSD.
    pub fn states(&self, pgid: SpgId) -> Vec<(OsdId, &'static str)> {
        self.osds
            .iter()
            .filter_map(|(o, pgs)| pgs.get(&pgid).map(|p| (*o, p.state_name())))
            .collect()
    }

    /// True when `osd`'s process is running.
    pub fn is_running(&self, osd: i32) -> bool {
        self.osds.contains_key(&OsdId(osd))
    }

    /// Every OSD's store.
    pub fn store(&self) -> &MemStore {
        &self.store
    }

    /// Everything that happened, in order (names).
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// The safety violations seen so far.
    pub fn violations(&self) -> &[Violation] {
        self.checker.violations()
    }

    /// Every call into a single PG instance that failed while the harness
    /// advanced maps or started OSDs (a crashed PG refusing its next map, a PG
    /// the store cannot load), in order. Each is also in the transcript; the rest
    /// of the cluster kept running.
    pub fn failures(&self) -> &[HarnessError] {
        &self.failures
    }

    /// True when no event is queued.
    pub fn is_quiet(&self) -> bool {
        self.queue.is_empty()
    }

    /// How many on-commit callbacks are held back.
    pub fn held_commits(&self) -> usize {
        self.held.len()
    }

    /// The timers scheduled and not fired yet, in order.
    pub fn timers(&self) -> impl Iterator<Item = &Timer> + '_ {
        self.timers.iter().map(|(_, _, t)| t)
    }

    /// The up_thru requests the monitor has not granted, by OSD.
    pub fn pending_up_thru(&self) -> &BTreeMap<OsdId, Epoch> {
        &self.want_up_thru
    }

    /// The pg_temp requests the monitor has not applied, by PG.
    pub fn pending_pg_temp(&self) -> &BTreeMap<PgId, OsdVec> {
        &self.want_pg_temp
    }
}

/// The harness's slot count convention: 0 means unlimited (the product
/// [`Reserver`], like Ceph's, grants nothing with 0 slots).
fn reserver_slots(slots: usize) -> usize {
    if slots == 0 { usize::MAX } else { slots }
}
