//! An in-process cluster for scripted peering scenarios (DESIGN.md §1.2, §6
//! "Scenarios"; the host contract of reference §8).
//!
//! A [`Harness`] runs a set of OSDs, each holding [`Pg`] instances, and plays the
//! host for all of them:
//!
//! * every [`RecoveryCtx`] output is routed: messages become the receiving PG's
//!   events ([`Outgoing::into_events`](peering_core::ctx::Outgoing::into_events),
//!   §8.4) in one FIFO queue; a query for a PG an OSD does not hold is answered
//!   with an empty info (§5.17);
//! * transactions are applied to a [`MemStore`], so the persisted info, log and
//!   past intervals can be asserted and a stopped OSD restarts from them (§8.3);
//! * on-commit callbacks run at once or are held ([`Policy::hold_commits`]);
//! * the monitor grants up_thru and pg_temp requests by publishing a new map when
//!   the cluster is quiet (§5.7, §5.10), timers are held until fired, the recovery
//!   engine answers `on_activate_complete` (§8.6), reservations are granted — each
//!   scriptable through [`Policy`];
//! * maps are published one epoch at a time and every running OSD advances its
//!   PGs through them, `AdvMap`* then `ActMap` (§8.1); placement is a per-PG
//!   preference list plus pg_temp ([`Placement`]).
//!
//! Everything is ordered (`BTreeMap`, one FIFO queue), so a scenario replays
//! identically. The [`Transcript`] records every map, message, event, state entry
//! and request; the [`Checker`] checks the safety invariants of DESIGN.md §7 after
//! every call into a PG.
//!
//! Scope: replicated pools (erasure-coded placement needs shard positions).

mod drive;
mod error;
mod invariants;
mod map_history;
mod maps;
mod placement;
mod policy;
mod route;
mod transcript;

pub use error::HarnessError;
pub use invariants::{Checker, Rule, Violation};
pub use placement::Placement;
pub use policy::Policy;
pub use transcript::{Entry, Outcome, Transcript, message_name};

use std::collections::{BTreeMap, VecDeque};

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

/// A set of in-process OSDs and the host around them (see the module docs).
#[derive(Clone, Debug)]
pub struct Harness {
    maps: map_history::MapHistory,
    placement: Placement,
    mappings: BTreeMap<(Epoch, PgId), UpActing>,
    /// Running OSDs and their PG instances.
    osds: BTreeMap<OsdId, BTreeMap<SpgId, Pg>>,
    queue: VecDeque<Queued>,
    /// Events sent at an epoch the receiver has not reached (§8.2: wait).
    deferred: Vec<Queued>,
    store: MemStore,
    transcript: Transcript,
    held: Vec<(OsdId, SpgId, OnCommit)>,
    timers: Vec<(OsdId, SpgId, Timer)>,
    want_up_thru: BTreeMap<OsdId, Epoch>,
    want_pg_temp: BTreeMap<PgId, OsdVec>,
    policy: Policy,
    checker: Checker,
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
            checker: Checker::default(),
            config: Config::default(),
            ctx: RecoveryCtx::new(),
        }
    }

    /// Epoch 1: OSDs `osds` up and running, one replicated pool `pool` of `size`
    /// replicas and one PG, no PG placed yet.
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

    /// `pgid`'s mapping at `epoch`, as published.
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

    /// The state name of `osd`'s instance of `pgid` ("-" when it does not run).
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

    /// True when `osd` is running.
    pub fn is_running(&self, osd: i32) -> bool {
        self.osds.contains_key(&OsdId(osd))
    }

    /// Every OSD's store.
    pub fn store(&self) -> &MemStore {
        &self.store
    }

    /// Everything that happened, in order.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// The safety violations seen so far (DESIGN.md §7).
    pub fn violations(&self) -> &[Violation] {
        self.checker.violations()
    }

    /// True when no event is queued.
    pub fn is_quiet(&self) -> bool {
        self.queue.is_empty()
    }

    /// The on-commit callbacks held back, in order.
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
