//! A tiny in-process cluster for the machine's tests: one PG instance per OSD, maps
//! by epoch, and a router that turns each PG's outgoing messages into the events
//! the receiving PG gets (§8.4). Commits are immediate unless held.

#![allow(dead_code)]
// peering-core (Rust 1.85) shares this file with crates on 1.88, whose clippy
// would ask for let-chains here.
#![allow(clippy::collapsible_if)]

use std::collections::BTreeMap;

use peering_core::ctx::{OnCommit, Outgoing, RecoveryCtx};
use peering_core::event::{Event, EventKind, MInfoRec, MNotifyRec, PeeringEvt};
use peering_core::intervals::{PastIntervals, UpActing};
use peering_core::machine::{Config, EventOutcome, Pg, PgCreate};
use peering_core::map::{PoolInfo, SimpleOsdMap};
use peering_core::types::{
    EVersion, Epoch, OsdId, PgHistory, PgId, PgShard, ShardId, SpgId, UTime,
};

pub const POOL: i64 = 1;

/// The configuration these tests run with: Ceph's defaults and its strict aborts
/// (a message no state handles crashes the PG, as it aborts Ceph's OSD), since
/// they check the machine against Ceph's own behaviour.
pub fn ceph_config() -> Config {
    Config {
        strict_ceph_aborts: true,
        ..Config::default()
    }
}

pub fn pgid() -> SpgId {
    SpgId::replicated(PgId::new(POOL, 0))
}

pub fn mapping(osds: &[i32]) -> UpActing {
    UpActing::new(
        osds,
        osds.first().copied().unwrap_or(-1),
        osds,
        osds.first().copied().unwrap_or(-1),
    )
}

pub fn map1(osds: &[i32], size: u32) -> SimpleOsdMap {
    let mut m = SimpleOsdMap::new(1).with_pool(PoolInfo::replicated(POOL, size, 1));
    for &o in osds {
        m = m.with_up_osd(o, 1);
    }
    m
}

/// A routed message, for assertions.
#[derive(Clone, Debug)]
pub struct Sent {
    pub from: i32,
    pub to: i32,
    pub msg: Outgoing,
}

pub struct Cluster {
    pub maps: BTreeMap<Epoch, SimpleOsdMap>,
    pub mappings: BTreeMap<Epoch, UpActing>,
    pub pgs: BTreeMap<i32, Pg>,
    pub queue: Vec<(i32, PeeringEvt)>,
    pub sent: Vec<Sent>,
    /// Every transaction each PG produced, in order.
    pub transactions: Vec<(i32, peering_core::ctx::Transaction)>,
    pub outcomes: Vec<(i32, EventOutcome)>,
    pub hold_commits: bool,
    pub held: Vec<(i32, OnCommit)>,
    /// The host's answer to `ActivateComplete` (§8.6).
    pub auto_recovered: bool,
    /// up_thru requests the monitor has not granted yet (osd → wanted epoch).
    pub want_up_thru: BTreeMap<i32, Epoch>,
    /// Route removals (`MOSDPGRemove` → `DeleteStart`) and act as the deletion
    /// host: grant local reservations at once, list objects for `DeleteMore`,
    /// apply `RemoveObject`, drop a PG once `Deleted`.
    pub route_removals: bool,
    /// Each OSD's objects of the PG (the deletion host's store).
    pub objects: BTreeMap<i32, std::collections::BTreeSet<peering_core::types::ObjectId>>,
    /// PGs that finished deleting and were dropped by their OSD (kept here so
    /// tests can read their last state history).
    pub deleted: BTreeMap<i32, Pg>,
    /// Every timer a PG scheduled, in order (nothing fires them: tests do).
    pub timers: Vec<(i32, peering_core::ctx::Timer)>,
    /// Every notification each PG gave its host, in order.
    pub notifications: Vec<(i32, peering_core::ctx::HostNotification)>,
}

impl Cluster {
    /// No maps, no PGs.
    pub fn empty() -> Cluster {
        Cluster {
            maps: BTreeMap::new(),
            mappings: BTreeMap::new(),
            pgs: BTreeMap::new(),
            queue: Vec::new(),
            sent: Vec::new(),
            transactions: Vec::new(),
            outcomes: Vec::new(),
            hold_commits: false,
            held: Vec::new(),
            auto_recovered: true,
            want_up_thru: BTreeMap::new(),
            route_removals: false,
            objects: BTreeMap::new(),
            deleted: BTreeMap::new(),
            timers: Vec::new(),
            notifications: Vec::new(),
        }
    }

    /// Every OSD in `osds` up at epoch 1, the PG created on each member of `acting`.
    pub fn new(osds: &[i32], acting: &[i32], size: u32) -> Cluster {
        Cluster::with_pgs(osds, acting, acting, size, |_| {})
    }

    /// Every OSD in `osds` up at epoch 1 (after `tweak`), the PG created on each of
    /// `pg_osds` with the mapping `acting`.
    pub fn with_pgs(
        osds: &[i32],
        pg_osds: &[i32],
        acting: &[i32],
        size: u32,
        tweak: impl FnOnce(&mut SimpleOsdMap),
    ) -> Cluster {
        Cluster::general(
            osds,
            pg_osds,
            mapping(acting),
            size,
            tweak,
            PgHistory::new(1, UTime::default()),
        )
    }

    /// The most general constructor: any mapping, any creation history.
    pub fn general(
        osds: &[i32],
        pg_osds: &[i32],
        the_mapping: UpActing,
        size: u32,
        tweak: impl FnOnce(&mut SimpleOsdMap),
        history: PgHistory,
    ) -> Cluster {
        let mut map = map1(osds, size);
        tweak(&mut map);
        let mut c = Cluster::empty();
        c.maps.insert(1, map.clone());
        c.mappings.insert(1, the_mapping.clone());
        for &o in pg_osds {
            let mut ctx = RecoveryCtx::new();
            let pg = Pg::create(
                PgCreate {
                    whoami: PgShard::replica(o),
                    pgid: pgid(),
                    mapping: the_mapping.clone(),
                    history: history.clone(),
                    past_intervals: PastIntervals::default(),
                    config: ceph_config(),
                },
                &map,
                &mut ctx,
            )
            .expect("create");
            c.pgs.insert(o, pg);
            c.absorb(o, ctx);
        }
        c
    }

    /// PGs loaded from "disk" (`Pg::load`) at `map`'s epoch with `the_mapping`.
    pub fn loaded(
        map: SimpleOsdMap,
        the_mapping: UpActing,
        pgs: Vec<(i32, peering_core::machine::PgLoad)>,
    ) -> Cluster {
        let mut c = Cluster::empty();
        c.maps.insert(map.epoch, map.clone());
        c.mappings.insert(map.epoch, the_mapping);
        for (o, args) in pgs {
            let mut ctx = RecoveryCtx::new();
            let mut pg = Pg::load(args, &map, &mut ctx).expect("load");
            pg.activate_map(&map, &mut ctx).expect("ActMap after load");
            c.pgs.insert(o, pg);
            c.absorb(o, ctx);
        }
        c
    }

    pub fn map(&self) -> &SimpleOsdMap {
        self.maps.values().next_back().unwrap()
    }

    pub fn epoch(&self) -> Epoch {
        self.map().epoch
    }

    pub fn pg(&self, osd: i32) -> &Pg {
        &self.pgs[&osd]
    }

    /// Publishes the next map (built by `f` from the current one) with `acting` as
    /// the mapping, and advances every PG whose OSD is up.
    pub fn next_map(&mut self, acting: &[i32], f: impl FnOnce(&mut SimpleOsdMap)) {
        self.next_map_with(mapping(acting), f)
    }

    /// [`Cluster::next_map`] with any mapping.
    pub fn next_map_with(&mut self, the_mapping: UpActing, f: impl FnOnce(&mut SimpleOsdMap)) {
        let mut m = self.map().next();
        f(&mut m);
        let e = m.epoch;
        self.maps.insert(e, m);
        self.mappings.insert(e, the_mapping);
        let osds: Vec<i32> = self.pgs.keys().copied().collect();
        for o in osds {
            if self.maps[&e].osds.get(&OsdId(o)).is_some_and(|s| s.up) {
                self.advance(o);
            }
        }
    }

    /// Advances one PG to the newest map.
    pub fn advance(&mut self, osd: i32) {
        let ctx = self.advance_ctx(osd);
        self.absorb(osd, ctx);
    }

    /// Advances one PG to the newest map, returning what it asked for unrouted.
    pub fn advance_ctx(&mut self, osd: i32) -> RecoveryCtx {
        let newest = self.epoch();
        let mut ctx = RecoveryCtx::new();
        let pg = self.pgs.get_mut(&osd).unwrap();
        while pg.epoch() < newest {
            let last = pg.epoch();
            let next = last + 1;
            pg.advance_map(
                &self.maps[&next],
                &self.maps[&last],
                self.mappings[&next].clone(),
                &mut ctx,
            )
            .expect("advance_map");
        }
        let map = &self.maps[&newest];
        pg.activate_map(map, &mut ctx).expect("activate_map");
        ctx
    }

    /// Queues what a PG's context asks for.
    pub fn absorb(&mut self, from: i32, mut ctx: RecoveryCtx) {
        let persist = ctx.take_persist();
        let t = persist.transaction().clone();
        for op in &t.ops {
            if let peering_core::ctx::TxOp::RemoveObject(o) = op {
                if let Some(set) = self.objects.get_mut(&from) {
                    set.remove(o);
                }
            }
        }
        if !t.is_empty() {
            self.transactions.push((from, t));
        }
        self.timers
            .extend(ctx.drain_timers().map(|timer| (from, timer)));
        for (to, out) in ctx.drain_outgoing() {
            self.sent.push(Sent {
                from,
                to: to.0,
                msg: out.clone(),
            });
            for (_pgid, evt) in out.into_events(OsdId(from)) {
                if matches!(evt.event, Event::DeleteStart) && !self.route_removals {
                    continue; // deletion is opt-in for these tests
                }
                self.queue.push((to.0, evt));
            }
        }
        for c in persist.committed() {
            if self.hold_commits {
                self.held.push((from, c));
            } else {
                self.commit(from, c);
            }
        }
        for r in ctx.drain_reservations().collect::<Vec<_>>() {
            if let peering_core::ctx::ReservationOp::RequestLocal { on_grant, .. } = r {
                if self.route_removals {
                    self.queue.push((from, on_grant));
                }
            }
        }
        for r in ctx.drain_mon().collect::<Vec<_>>() {
            if let peering_core::ctx::MonRequest::UpThru { want } = r {
                self.want_up_thru.insert(from, want);
            }
        }
        for n in ctx.drain_notifications().collect::<Vec<_>>() {
            self.notifications.push((from, n.clone()));
            if n == peering_core::ctx::HostNotification::Deleted {
                if let Some(pg) = self.pgs.remove(&from) {
                    self.deleted.insert(from, pg);
                }
            }
            if let peering_core::ctx::HostNotification::ActivateComplete {
                needs_recovery,
                needs_backfill,
            } = n
            {
                if self.auto_recovered && !needs_recovery && !needs_backfill {
                    let e = self.pg(from).epoch();
                    self.queue
                        .push((from, PeeringEvt::new(e, Event::AllReplicasRecovered)));
                }
            }
        }
    }

    pub fn commit(&mut self, osd: i32, c: OnCommit) {
        let mut ctx = RecoveryCtx::new();
        match c {
            OnCommit::Event(e) => self.queue.push((osd, e)),
            OnCommit::CompleteFlush => self.pgs.get_mut(&osd).unwrap().complete_flush(&mut ctx),
            OnCommit::PurgeStrays => {
                let map = self.maps[&self.pg(osd).epoch()].clone();
                self.pgs.get_mut(&osd).unwrap().purge_strays(&map, &mut ctx)
            }
            OnCommit::DeleteMore { epoch, after, max } => {
                let objects = self
                    .objects
                    .get(&osd)
                    .map(|set| {
                        set.iter()
                            .filter(|o| after.as_ref().is_none_or(|a| *o > a))
                            .take(max as usize)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                let evt = Event::DeleteSome(peering_core::event::DeleteSome { objects });
                self.queue.push((osd, PeeringEvt::new(epoch, evt)));
            }
        }
        self.absorb(osd, ctx);
    }

    pub fn release_commits(&mut self) {
        for (o, c) in std::mem::take(&mut self.held) {
            self.commit(o, c);
        }
    }

    /// Delivers one event to one PG now.
    pub fn deliver(&mut self, osd: i32, evt: PeeringEvt) -> EventOutcome {
        let mut ctx = RecoveryCtx::new();
        let pg = self.pgs.get_mut(&osd).unwrap();
        let map = self.maps[&pg.epoch()].clone();
        let out = pg.handle_event(evt, &map, &mut ctx).expect("handle_event");
        self.outcomes.push((osd, out));
        self.absorb(osd, ctx);
        out
    }

    /// Delivers queued events until none is left (messages to OSDs without the PG
    /// or down are dropped).
    pub fn run(&mut self) {
        let mut steps = 0;
        while !self.queue.is_empty() {
            steps += 1;
            assert!(steps < 10_000, "no quiescence");
            let (to, evt) = self.queue.remove(0);
            let up = self.map().osds.get(&OsdId(to)).is_some_and(|s| s.up);
            if !up || !self.pgs.contains_key(&to) {
                continue;
            }
            self.deliver(to, evt);
        }
    }

    pub fn names(&self) -> Vec<(i32, &'static str)> {
        self.pgs.iter().map(|(o, p)| (*o, p.state_name())).collect()
    }
}

pub fn no_shard() -> ShardId {
    ShardId::NO_SHARD
}

/// The payload-free events (`None` for events that carry a payload).
pub fn unit_event(kind: EventKind) -> Option<Event> {
    let e = match kind {
        EventKind::NullEvt => Event::NullEvt,
        EventKind::Initialize => Event::Initialize,
        EventKind::ActMap => Event::ActMap,
        EventKind::SetForceRecovery => Event::SetForceRecovery,
        EventKind::UnsetForceRecovery => Event::UnsetForceRecovery,
        EventKind::SetForceBackfill => Event::SetForceBackfill,
        EventKind::UnsetForceBackfill => Event::UnsetForceBackfill,
        EventKind::AllReplicasRecovered => Event::AllReplicasRecovered,
        EventKind::AllReplicasActivated => Event::AllReplicasActivated,
        EventKind::RejectTooFullRemoteReservation => Event::RejectTooFullRemoteReservation,
        EventKind::IntervalFlush => Event::IntervalFlush,
        EventKind::DeleteStart => Event::DeleteStart,
        EventKind::DeleteReserved => Event::DeleteReserved,
        EventKind::DeleteInterrupted => Event::DeleteInterrupted,
        EventKind::RemoteBackfillReserved => Event::RemoteBackfillReserved,
        EventKind::RemoteReservationRejectedTooFull => Event::RemoteReservationRejectedTooFull,
        EventKind::RemoteReservationCanceled => Event::RemoteReservationCanceled,
        EventKind::RemoteReservationRevokedTooFull => Event::RemoteReservationRevokedTooFull,
        EventKind::RemoteReservationRevoked => Event::RemoteReservationRevoked,
        EventKind::RemoteRecoveryReserved => Event::RemoteRecoveryReserved,
        EventKind::RecoveryDone => Event::RecoveryDone,
        EventKind::DoRecovery => Event::DoRecovery,
        EventKind::RequestBackfill => Event::RequestBackfill,
        EventKind::Backfilled => Event::Backfilled,
        EventKind::UnfoundRecovery => Event::UnfoundRecovery,
        EventKind::UnfoundBackfill => Event::UnfoundBackfill,
        EventKind::LocalRecoveryReserved => Event::LocalRecoveryReserved,
        EventKind::LocalBackfillReserved => Event::LocalBackfillReserved,
        EventKind::BackfillTooFull => Event::BackfillTooFull,
        EventKind::RemoteRecoveryPreempted => Event::RemoteRecoveryPreempted,
        EventKind::RemoteBackfillPreempted => Event::RemoteBackfillPreempted,
        EventKind::MakePrimary => Event::MakePrimary,
        EventKind::MakeStray => Event::MakeStray,
        EventKind::GotInfo => Event::GotInfo,
        EventKind::IsDown => Event::IsDown,
        EventKind::GotLog => Event::GotLog,
        EventKind::NeedActingChange => Event::NeedActingChange,
        EventKind::IsIncomplete => Event::IsIncomplete,
        EventKind::NeedUpThru => Event::NeedUpThru,
        EventKind::GoClean => Event::GoClean,
        EventKind::AllRemotesReserved => Event::AllRemotesReserved,
        EventKind::AllBackfillsReserved => Event::AllBackfillsReserved,
        EventKind::RecoveryTooFull => Event::RecoveryTooFull,
        _ => return None,
    };
    Some(e)
}

/// An `MNotifyRec` from `from` carrying `info`, sent (and answering) at `e`.
pub fn notify_evt(from: i32, e: Epoch, info: peering_core::types::PgInfo) -> PeeringEvt {
    PeeringEvt::new(
        e,
        Event::MNotifyRec(MNotifyRec {
            pgid: pgid(),
            from: PgShard::new(OsdId(from), info.pgid.shard),
            notify: peering_core::event::PgNotify {
                query_epoch: e,
                epoch_sent: e,
                to: ShardId::NO_SHARD,
                from: info.pgid.shard,
                info,
                past_intervals: PastIntervals::default(),
            },
            features: 0,
        }),
    )
}

/// `Pg::create` of osd `osd`'s instance at `map`'s epoch with `acting` and a fresh
/// history, returning the PG and the creation's context.
pub fn create_pg(osd: i32, acting: &[i32], map: &SimpleOsdMap) -> (Pg, RecoveryCtx) {
    let mut ctx = RecoveryCtx::new();
    let pg = Pg::create(
        PgCreate {
            whoami: PgShard::replica(osd),
            pgid: pgid(),
            mapping: mapping(acting),
            history: PgHistory::new(1, UTime::default()),
            past_intervals: PastIntervals::default(),
            config: ceph_config(),
        },
        map,
        &mut ctx,
    )
    .expect("create");
    (pg, ctx)
}

/// An `MInfoRec` from `from` carrying `info`, at `e`.
pub fn info_evt(from: i32, e: Epoch, info: peering_core::types::PgInfo) -> PeeringEvt {
    PeeringEvt::new(
        e,
        Event::MInfoRec(MInfoRec {
            from: PgShard::replica(from),
            info,
            msg_epoch: e,
            lease: None,
            lease_ack: None,
        }),
    )
}

/// Log entry `10'v` modifying object `o{v}`.
pub fn entry(v: u64) -> peering_core::log::LogEntry {
    peering_core::log::LogEntry::new(
        peering_core::log::LogOp::Modify,
        peering_core::types::ObjectId::new(1, v as u32, format!("o{v}")),
        EVersion::new(10, v),
        EVersion::ZERO,
    )
}

/// A PG loaded from "disk" on `osd`: log `10'1..=10'head`, one object per entry,
/// local les `les`, history active and clean at 10.
pub fn loaded_pg(osd: i32, head: u64, les: u32) -> (i32, peering_core::machine::PgLoad) {
    let mut log = peering_core::log::PgLogT::new(EVersion::ZERO, EVersion::new(10, head));
    log.entries = (1..=head).map(entry).collect();
    let mut h = PgHistory::new(1, UTime::default());
    h.last_epoch_started = 10;
    h.last_interval_started = 10;
    h.last_epoch_clean = 10;
    h.last_interval_clean = 10;
    h.same_interval_since = 10;
    h.same_up_since = 10;
    h.same_primary_since = 10;
    let mut info = peering_core::types::PgInfo::new(pgid());
    info.last_update = EVersion::new(10, head);
    info.last_complete = info.last_update;
    info.last_epoch_started = les;
    info.last_interval_started = les;
    info.history = h;
    info.stats.num_objects = head as i64;
    let log =
        peering_core::log::PgLog::from_parts(log, peering_core::log::Missing::new(true)).unwrap();
    (
        osd,
        peering_core::machine::PgLoad {
            whoami: PgShard::replica(osd),
            info,
            past_intervals: Default::default(),
            log,
            mapping: mapping(&[0, 1, 2]),
            config: ceph_config(),
        },
    )
}

/// Three OSDs up since epoch 1 at epoch 10 (osd.0's up_thru recorded at 10), a
/// size-3 pool, and the PG loaded on osd.0..2 with `(log head, les)` each: the
/// starting point of the log scenarios.
pub fn loaded_cluster(pgs: [(u64, u32); 3]) -> Cluster {
    let mut map = SimpleOsdMap::new(10).with_pool(PoolInfo::replicated(POOL, 3, 1));
    for o in 0..3 {
        map = map.with_up_osd(o, 1);
    }
    map.set_up_thru(0, 10);
    let loads = (0..3)
        .zip(pgs)
        .map(|(o, (head, les))| loaded_pg(o, head, les))
        .collect();
    Cluster::loaded(map, mapping(&[0, 1, 2]), loads)
}

/// osd.0..3 up; the PG created on all four with acting [0, 1, 2], peered to
/// Active+Clean once osd.0's up_thru is recorded; osd.3 holds a stray copy.
pub fn clean_with_stray() -> Cluster {
    let mut c = Cluster::with_pgs(&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1, 2], 3, |_| {});
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_id(), peering_core::machine::StateId::Clean);
    c
}

/// Delivers `evt` straight to `pg` at its own epoch (no cluster routing); returns
/// the outcome and the context it produced.
pub fn deliver_to(pg: &mut Pg, map: &SimpleOsdMap, evt: Event) -> (EventOutcome, RecoveryCtx) {
    let mut ctx = RecoveryCtx::new();
    let e = pg.epoch();
    let out = pg
        .handle_event(PeeringEvt::new(e, evt), map, &mut ctx)
        .expect("handle_event");
    (out, ctx)
}

/// Delivers `evt` to `pg` and checks it is dropped for `reason`, with nothing
/// changed and nothing to send.
pub fn assert_dropped(
    pg: &mut Pg,
    c: &Cluster,
    evt: PeeringEvt,
    reason: peering_core::machine::DropReason,
) {
    let before = pg.clone();
    let mut ctx = RecoveryCtx::new();
    assert_eq!(
        pg.handle_event(evt, c.map(), &mut ctx),
        Ok(EventOutcome::Dropped(reason))
    );
    assert_eq!(*pg, before, "PG changed");
    assert!(ctx.is_empty(), "{ctx:?}");
}
