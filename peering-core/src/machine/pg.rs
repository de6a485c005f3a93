//! [`Pg`]: one PG instance's peering core and the host contract around it
//! creation and load, map advancement (`AdvMap`* then `ActMap`,
//! nothing interleaved), event admission.

use super::chart::State;
use super::config::Config;
use super::cx::PostQueue;
use super::engine::{self, Machine};
use super::history::StateHistory;
use super::outcome::{DropReason, EventOutcome};
use super::peering_state::PeeringState;
use super::read_lease::{ReadLease, Readable};
use super::state::{StackExt, StateStack};
use crate::acting::validate_peer_info;
use crate::ctx::{HostNotification, RecoveryCtx};
use crate::error::PeeringError;
use crate::error::{BadInput, Crash, HostMisuse};
use crate::event::{Event, EventKind, PeeringEvt};
use crate::intervals::{PastIntervals, UpActing, validate_vector};
use crate::log::{LogError, PgLog};
use crate::map::{MAX_POOL_PG_NUM, MapFlags, OsdMapView, PoolInfo};
use crate::types::StateId;
use crate::types::{
    Epoch, OsdId, PeerClockDelta, PgHistory, PgInfo, PgLease, PgLeaseAck, PgShard, PgState, PoolId,
    ShardId, SpgId, Timespan,
};

/// The pool `pool` of `map`, refused when it has more PGs than the core accepts
/// ([`MAX_POOL_PG_NUM`], Ceph's `mon_max_pool_pg_num`): every map a PG reads
/// its pool from comes in through here (creation, load, `AdvMap`, split), so
/// no event works on a larger pool.
pub(super) fn admit_pool(
    map: &dyn OsdMapView,
    pool: PoolId,
) -> Result<Option<PoolInfo>, PeeringError> {
    match map.pool(pool) {
        Some(p) if !p.pg_num_within_limit() => {
            Err(PeeringError::BadInput(BadInput::PgNumTooLarge {
                pool,
                pg_num: p.pg_num.max(p.pg_num_pending),
                max: MAX_POOL_PG_NUM,
            }))
        }
        p => Ok(p),
    }
}

/// Where the PG stands in the `AdvMap`* `ActMap` protocol.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Batch {
    /// No batch open: events may be delivered, `ActMap` may not.
    Closed,
    /// `Initialize` was delivered: `AdvMap`s or the `ActMap` must follow.
    Initialized,
    /// `AdvMap`s delivered: more `AdvMap`s or the `ActMap`.
    Open,
}

/// What Ceph's `PeeringState::init` takes to create a PG: a new PG from the
/// monitor, or one created on a peer's notify/query (`PGCreateInfo`).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgCreate {
    /// This instance.
    pub whoami: PgShard,
    /// The PG (and shard).
    pub pgid: SpgId,
    /// The PG's mapping in the creation map.
    pub mapping: UpActing,
    /// The history (`PGCreateInfo::history`).
    pub history: PgHistory,
    /// The past intervals (`PGCreateInfo::past_intervals`).
    pub past_intervals: PastIntervals,
    /// Options.
    pub config: Config,
}

impl PgCreate {
    /// The creation arguments for a PG named by a message's `create_info`
    /// ([`crate::event::Event::create_info`]): this OSD's instance `whoami` of it,
    /// with its mapping in the map of `info.epoch`.
    pub fn from_create_info(
        whoami: PgShard,
        info: crate::event::PgCreateInfo,
        mapping: UpActing,
        config: Config,
    ) -> Self {
        PgCreate {
            whoami,
            pgid: info.pgid,
            mapping,
            history: info.history,
            past_intervals: info.past_intervals,
            config,
        }
    }
}

/// What Ceph's `init_from_disk_state` reads back to load a PG.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgLoad {
    /// This instance.
    pub whoami: PgShard,
    /// The persisted info.
    pub info: PgInfo,
    /// The persisted past intervals.
    pub past_intervals: PastIntervals,
    /// The persisted log and missing set.
    pub log: PgLog,
    /// The PG's mapping in the map it was persisted at.
    pub mapping: UpActing,
    /// Options.
    pub config: Config,
}

/// One PG instance's peering core: the statechart configuration, the peering state,
/// and the host contract.
///
/// Every call takes the output context; what the PG asks of the host accumulates in
/// it. Errors leave the PG unchanged, except the ones documented to crash it (as
/// Ceph would abort): then [`Pg::state_id`] is [`StateId::Crashed`] and every later
/// event is refused with [`crate::Crash::AlreadyCrashed`], while the accessors keep working.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Pg {
    pub(super) ps: PeeringState,
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(super) stack: StateStack,
    pub(super) history: StateHistory,
    batch: Batch,
}

impl Pg {
    /// A PG object in `Initial`, at `map`'s epoch (nothing delivered yet). Most hosts
    /// want [`Pg::create`] or [`Pg::load`].
    pub fn new(
        config: Config,
        whoami: PgShard,
        pgid: SpgId,
        map: &dyn OsdMapView,
    ) -> Result<Pg, PeeringError> {
        let Some(pool) = admit_pool(map, pgid.pgid.pool)? else {
            return Err(PeeringError::HostMisuse(HostMisuse::NoSuchPool {
                pool: pgid.pgid.pool,
            }));
        };
        let mut stack = StateStack::new();
        let _ = stack.push(State::Initial(()));
        let mut history = StateHistory::new(config.state_history_len);
        history.record(
            super::history::Transit::Enter,
            StateId::Initial,
            map.epoch(),
        );
        Ok(Pg {
            ps: PeeringState::new(config, whoami, pgid, pool, map.epoch()),
            stack,
            history,
            batch: Batch::Closed,
        })
    }

    /// Refuses a mapping that means nothing for `pool` (`validate_vector`).
    pub(super) fn check_mapping(pool: &PoolInfo, mapping: &UpActing) -> Result<(), PeeringError> {
        validate_vector(pool, &mapping.up).map_err(BadInput::Interval)?;
        validate_vector(pool, &mapping.acting).map_err(BadInput::Interval)?;
        Ok(())
    }

    /// A new PG: Ceph's `init` (mapping, role, history, past intervals,
    /// persisted), then `Initialize` and `ActMap` at `map`'s epoch, the creation
    /// epoch. The host then advances it to its current map and delivers the event
    /// that triggered the creation, if any.
    pub fn create(
        args: PgCreate,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<Pg, PeeringError> {
        let mut pg = Pg::new(args.config, args.whoami, args.pgid, map)?;
        Pg::check_mapping(&pg.ps.pool, &args.mapping)?;
        let ps = &mut pg.ps;
        ps.init_primary_up_acting(&args.mapping);
        ps.role = ps.calc_role();
        ps.info.history = args.history;
        ps.past_intervals = args.past_intervals;
        if map.flags().contains(MapFlags::RECOVERY_DELETES) {
            ps.pg_log.set_missing_may_contain_deletes();
        }
        pg.persist_and_start(map, ctx)
    }

    /// The end of Ceph's `init` (`on_new_interval`, everything dirty and written),
    /// then `Initialize` and `ActMap` at `map`'s epoch: how a new PG, created
    /// or split off, starts.
    pub(super) fn persist_and_start(
        mut self,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<Pg, PeeringError> {
        self.ps.on_new_interval_lease();
        ctx.notifications.push(HostNotification::NewInterval);
        self.ps.dirty_all();
        self.ps.write_if_dirty(ctx);
        self.initialize(map, ctx)?;
        self.activate_map(map, ctx)?;
        Ok(self)
    }

    /// A PG read back from the store: Ceph's `init_from_disk_state` and
    /// `PG::read_state`, then `Initialize` at `map`'s epoch (the epoch it was
    /// persisted at). The PG is left in `Reset`, as Ceph's OSD leaves a PG it
    /// loads at boot: the host then advances it through every map it missed
    /// ([`Pg::advance_map`] per epoch, up to its current map) and delivers
    /// [`Pg::activate_map`] (directly, if `map` is already the current one), so a
    /// PG restarted after an outage never peers on a stale map.
    /// [`Pg::needs_act_map`] says that `ActMap` is still owed.
    pub fn load(
        args: PgLoad,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<Pg, PeeringError> {
        let mut pg = Pg::new(args.config, args.whoami, args.info.pgid, map)?;
        Pg::check_mapping(&pg.ps.pool, &args.mapping)?;
        let ps = &mut pg.ps;
        ps.info = args.info;
        ps.past_intervals = args.past_intervals;
        ps.pg_log = args.log;
        ps.init_primary_up_acting(&args.mapping);
        ps.role = ps.calc_role();
        // Luminous' Load did this; a loaded non-primary tells its primary about itself.
        ps.send_notify = !ps.is_primary();
        ps.size_acting_readable_until_ub();
        ps.last_persisted_osdmap = map.epoch();
        pg.initialize(map, ctx)?;
        Ok(pg)
    }

    /// True while the host owes the PG an `ActMap` ([`Pg::activate_map`]): after
    /// `Initialize` (a loaded PG in `Reset`) or after `AdvMap`s. Nothing but
    /// more `AdvMap`s or the `ActMap` may be delivered until then.
    pub fn needs_act_map(&self) -> bool {
        self.batch != Batch::Closed
    }

    /// Delivers `Initialize`. [`Pg::activate_map`] must follow.
    pub fn initialize(
        &mut self,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        self.check_callable(map)?;
        self.run(Event::Initialize, map, None, ctx)?;
        self.batch = Batch::Initialized;
        Ok(())
    }

    /// Refuses any call into a machine that ended: crashed, or terminated by a
    /// finished deletion.
    pub(super) fn check_running(&self) -> Result<(), PeeringError> {
        if self.is_terminated() {
            return Err(PeeringError::HostMisuse(HostMisuse::Terminated));
        }
        if self.is_crashed() {
            return Err(PeeringError::Crashed(Crash::AlreadyCrashed));
        }
        Ok(())
    }

    pub(super) fn check_callable(&self, map: &dyn OsdMapView) -> Result<(), PeeringError> {
        self.check_running()?;
        if map.epoch() != self.ps.epoch {
            return Err(PeeringError::HostMisuse(HostMisuse::MapMismatch {
                expected: self.ps.epoch,
                got: map.epoch(),
            }));
        }
        Ok(())
    }

    /// `advance_map`: deliver `AdvMap` for `newmap`, whose predecessor
    /// `lastmap` is the PG's current map, with the PG's mapping in `newmap`.
    /// Call it once per epoch, in order, then [`Pg::activate_map`]; no other event
    /// may come in between.
    ///
    /// Refused, PG unchanged: a crashed PG, `newmap` not newer than the PG's epoch,
    /// `lastmap` not the PG's map, a pool with more PGs than the core accepts
    /// ([`crate::BadInput::PgNumTooLarge`]), or a mapping that means nothing for the
    /// pool.
    pub fn advance_map(
        &mut self,
        newmap: &dyn OsdMapView,
        lastmap: &dyn OsdMapView,
        mapping: UpActing,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        self.check_running()?;
        if newmap.epoch() <= self.ps.epoch {
            return Err(PeeringError::HostMisuse(HostMisuse::EpochBackwards {
                prev: self.ps.epoch,
                new: newmap.epoch(),
            }));
        }
        if lastmap.epoch() != self.ps.epoch {
            return Err(PeeringError::HostMisuse(HostMisuse::MapMismatch {
                expected: self.ps.epoch,
                got: lastmap.epoch(),
            }));
        }
        // After `Initialize` the PG is in `Reset`, which takes `AdvMap`s: a loaded
        // PG is advanced through the maps it missed before its `ActMap`.
        let pool = admit_pool(newmap, self.ps.info.pgid.pgid.pool)?;
        if let Some(p) = &pool {
            Pg::check_mapping(p, &mapping)?;
        }
        // Ceph updates the map reference and the pool before delivering AdvMap.
        self.ps.epoch = newmap.epoch();
        if let Some(pool) = pool {
            self.ps.pool = pool;
        }
        self.batch = Batch::Open;
        self.run(Event::AdvMap(mapping), newmap, Some(lastmap), ctx)?;
        // After the event, as Ceph's `advance_map` does: the lease length of
        // the new map's pool.
        self.ps.lease.readable_interval = self.ps.pool.readable_interval(&self.ps.cfg);
        Ok(())
    }

    /// `activate_map`: deliver `ActMap` after the last `AdvMap` of a batch (or
    /// after `Initialize`), then persist what changed.
    pub fn activate_map(
        &mut self,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        self.check_callable(map)?;
        if self.batch == Batch::Closed {
            return Err(PeeringError::HostMisuse(HostMisuse::NoMapBatch));
        }
        self.batch = Batch::Closed;
        self.run(Event::ActMap, map, None, ctx)?;
        let stale = self.ps.epoch.saturating_sub(self.ps.last_persisted_osdmap);
        if stale > self.ps.cfg.pg_epoch_persisted_max_stale {
            self.ps.dirty_info = true;
        }
        self.ps.write_if_dirty(ctx);
        Ok(())
    }

    /// Delivers one event with the PG's current `map`.
    ///
    /// Admission: a crashed PG refuses everything; nothing may come between
    /// `AdvMap` and `ActMap`; `AdvMap` must come through [`Pg::advance_map`] (and
    /// `ActMap`/`Initialize` are routed to their methods); an event sent at an epoch
    /// the PG has not reached is refused (the host advances the PG first); a stale
    /// event (`last_peering_reset` after its epochs) and a message that fails the
    /// input checks of [`DropReason`] are dropped, leaving the PG unchanged.
    pub fn handle_event(
        &mut self,
        evt: PeeringEvt,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<EventOutcome, PeeringError> {
        self.check_running()?;
        let kind = evt.event.kind();
        if self.batch != Batch::Closed && kind != EventKind::ActMap {
            return Err(PeeringError::HostMisuse(HostMisuse::MapBatchOpen {
                event: kind,
            }));
        }
        match kind {
            EventKind::AdvMap => {
                return Err(PeeringError::HostMisuse(HostMisuse::MapEventOutsideBatch {
                    event: kind,
                }));
            }
            EventKind::ActMap => {
                return self
                    .activate_map(map, ctx)
                    .map(|()| EventOutcome::Delivered);
            }
            EventKind::Initialize => {
                return self.initialize(map, ctx).map(|()| EventOutcome::Delivered);
            }
            _ => {}
        }
        self.check_callable(map)?;
        if evt.epoch_sent > self.ps.epoch {
            return Err(PeeringError::HostMisuse(HostMisuse::EventFromFuture {
                epoch_sent: evt.epoch_sent,
                pg_epoch: self.ps.epoch,
            }));
        }
        let lpr = self.ps.last_peering_reset;
        if lpr > evt.epoch_sent || lpr > evt.epoch_requested {
            return Ok(EventOutcome::Dropped(DropReason::Stale {
                epoch_sent: evt.epoch_sent,
                epoch_requested: evt.epoch_requested,
                last_peering_reset: lpr,
            }));
        }
        let dropped = match self.admit(&evt.event, map)? {
            Some(reason) => Some(reason),
            None => {
                let dropped = self.run_reporting(evt.event, map, ctx)?;
                if !self.is_terminated() {
                    self.ps.write_if_dirty(ctx);
                }
                dropped
            }
        };
        if let Some(reason) = &dropped {
            pg_log!(
                debug,
                "pg {} dropped {}: {}",
                self.ps.info.pgid,
                kind.name(),
                reason.name()
            );
        }
        Ok(dropped.map_or(EventOutcome::Delivered, EventOutcome::Dropped))
    }

    /// The input checks on messages from peers.
    fn admit(&self, evt: &Event, map: &dyn OsdMapView) -> Result<Option<DropReason>, PeeringError> {
        let ours = self.ps.info.pgid;
        let primary = self.ps.is_primary();
        let sender_checks = |from: PgShard| -> Option<DropReason> {
            if from == self.ps.whoami {
                Some(DropReason::FromSelf)
            } else if !map.exists(from.osd) {
                Some(DropReason::UnknownOsd(from.osd))
            } else {
                None
            }
        };
        let wrong_pg = |got: SpgId| (got.pgid != ours.pgid).then_some(DropReason::WrongPg { got });
        let from_primary = |from: PgShard, sis: Epoch| -> Option<DropReason> {
            if primary {
                None
            } else if from != self.ps.primary {
                Some(DropReason::NotFromPrimary { from })
            } else if sis < self.ps.info.history.same_interval_since {
                Some(DropReason::StaleHistory {
                    theirs: sis,
                    ours: self.ps.info.history.same_interval_since,
                })
            } else {
                None
            }
        };
        let pool = &self.ps.pool;
        let bad_info = |from: PgShard, info: &PgInfo| {
            validate_peer_info(from, info, pool)
                .err()
                .map(DropReason::InvalidInfo)
        };
        let bad_lease = |lease: Option<&PgLease>| {
            lease
                .is_some_and(|l| {
                    l.interval < Timespan::ZERO
                        || l.readable_until < Timespan::ZERO
                        || l.readable_until_ub < Timespan::ZERO
                })
                .then_some(DropReason::BadLease)
        };
        let offered = self.ps.lease.offered_until_ub;
        let ack_not_sent = |from: OsdId, ack: Option<&PgLeaseAck>| {
            (primary && ack.is_some_and(|a| a.readable_until_ub > offered))
                .then_some(DropReason::LeaseAckNotSent { from })
        };
        let reason = match evt {
            Event::MNotifyRec(n) => wrong_pg(n.pgid)
                .or_else(|| wrong_pg(n.notify.info.pgid))
                .or_else(|| {
                    (n.notify.from != n.from.shard || n.notify.info.pgid.shard != n.from.shard)
                        .then_some(DropReason::Malformed)
                })
                .or_else(|| sender_checks(n.from))
                .or_else(|| bad_info(n.from, &n.notify.info)),
            Event::MInfoRec(m) => wrong_pg(m.info.pgid)
                .or_else(|| sender_checks(m.from))
                .or_else(|| bad_info(m.from, &m.info))
                .or_else(|| from_primary(m.from, m.info.history.same_interval_since))
                .or_else(|| bad_lease(m.lease.as_ref()))
                .or_else(|| ack_not_sent(m.from.osd, m.lease_ack.as_ref())),
            Event::MLogRec(m) => {
                m.msg.log.validate().map_err(BadInput::Log)?;
                if let Err(LogError::DivergentChainBroken {
                    version,
                    prior,
                    last,
                    ..
                }) = m.msg.log.check_object_chains()
                {
                    return Ok(Some(DropReason::BrokenLogChain {
                        version,
                        prior,
                        last,
                    }));
                }
                let unsolicited = primary
                    && matches!(
                        self.stack.innermost(),
                        StateId::GetInfo | StateId::Down | StateId::Incomplete
                    )
                    && !self.ps.peer_log_requested.contains(&m.from)
                    && !self.ps.peer_missing_requested.contains(&m.from);
                wrong_pg(m.msg.pgid)
                    .or_else(|| wrong_pg(m.msg.info.pgid))
                    .or_else(|| sender_checks(m.from))
                    .or_else(|| bad_info(m.from, &m.msg.info))
                    .or_else(|| from_primary(m.from, m.msg.info.history.same_interval_since))
                    .or_else(|| unsolicited.then_some(DropReason::UnsolicitedLog { from: m.from }))
                    .or_else(|| bad_lease(m.msg.lease.as_ref()))
            }
            Event::MQuery(q) => wrong_pg(q.pgid)
                .or_else(|| sender_checks(q.from))
                .or_else(|| {
                    (q.query.history.prior_readable_until_ub < Timespan::ZERO)
                        .then_some(DropReason::BadLease)
                })
                .or_else(|| {
                    (q.from != self.ps.primary)
                        .then_some(DropReason::NotFromPrimary { from: q.from })
                }),
            Event::MTrim(t) => {
                let from = PgShard::new(t.from, t.shard);
                sender_checks(from).or_else(|| {
                    if primary {
                        return None;
                    }
                    if from != self.ps.primary {
                        return Some(DropReason::NotFromPrimary { from });
                    }
                    self.ps
                        .pg_log
                        .check_trim(t.trim_to, &self.ps.info)
                        .err()
                        .map(|_| DropReason::TrimOutOfRange { trim_to: t.trim_to })
                })
            }
            Event::MLease(l) => {
                let from = PgShard::new(l.from, self.ps.primary.shard);
                sender_checks(from)
                    .or_else(|| {
                        (l.from != self.ps.primary.osd)
                            .then_some(DropReason::NotFromPrimary { from })
                    })
                    .or_else(|| bad_lease(Some(&l.lease)))
            }
            Event::MLeaseAck(a) => sender_checks(PgShard::new(a.from, ShardId::NO_SHARD))
                .or_else(|| ack_not_sent(a.from, Some(&a.lease_ack))),
            Event::DeleteStart if primary => Some(DropReason::DeleteWhilePrimary),
            Event::DeleteStart if self.stack.contains_state(StateId::ToDelete) => {
                Some(DropReason::Duplicate)
            }
            Event::DeleteSome(_) if !self.stack.contains_state(StateId::ToDelete) => {
                Some(DropReason::NotDeleting)
            }
            _ => None,
        };
        Ok(reason)
    }

    /// Runs `evt` and the events it posts through the engine, for the
    /// host calls whose drop reason nobody reads (`Initialize`, `AdvMap`, `ActMap`).
    fn run(
        &mut self,
        evt: Event,
        map: &dyn OsdMapView,
        lastmap: Option<&dyn OsdMapView>,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        self.run_with(evt, map, lastmap, ctx).map(|_| ())
    }

    /// Runs a delivered event and reports why its handler dropped it, if it did.
    fn run_reporting(
        &mut self,
        evt: Event,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<Option<DropReason>, PeeringError> {
        self.run_with(evt, map, None, ctx)
    }

    /// One call into the engine: a fresh context over this PG and an empty
    /// posted-event queue on the stack (see `PostQueue`).
    fn run_with(
        &mut self,
        evt: Event,
        map: &dyn OsdMapView,
        lastmap: Option<&dyn OsdMapView>,
        ctx: &mut RecoveryCtx,
    ) -> Result<Option<DropReason>, PeeringError> {
        let mut cx = Machine {
            ps: &mut self.ps,
            stack: &mut self.stack,
            map,
            lastmap,
            ctx,
            posted: &mut PostQueue::default(),
            history: &mut self.history,
            dropped: None,
            handling_posted: false,
        };
        engine::run(&mut cx, evt)?;
        Ok(cx.dropped)
    }

    /// `complete_flush`: a transaction carrying [`crate::ctx::OnCommit::CompleteFlush`]
    /// committed. When none is left in flight, the host is told (`on_flushed`).
    pub fn complete_flush(&mut self, ctx: &mut RecoveryCtx) {
        if self.ps.flushes_in_progress > 0 {
            self.ps.flushes_in_progress -= 1;
            if self.ps.flushes_in_progress == 0 {
                ctx.notifications.push(HostNotification::Flushed);
            }
        }
    }

    /// `purge_strays`, the `on_clean` commit callback
    /// ([`crate::ctx::OnCommit::PurgeStrays`]). Like `_finish_recovery`, a
    /// callback that raced with a new interval (the PG is no longer clean) or
    /// with a deletion does nothing: the strays of a later interval are not
    /// the clean interval's to remove.
    pub fn purge_strays(&mut self, map: &dyn OsdMapView, ctx: &mut RecoveryCtx) {
        let clean = self.ps.state.contains(PgState::CLEAN);
        if self.check_running().is_ok() && clean && !self.is_deleting() {
            self.ps.purge_strays(map, ctx);
            self.ps.write_if_dirty(ctx);
        }
    }

    /// Host input for `try_flush_or_schedule_async`: whether writes of the
    /// current interval may still be in flight. While set, a peering reset holds the
    /// buffered sends until `IntervalFlush`.
    pub fn set_writes_in_flight(&mut self, in_flight: bool) {
        self.ps.writes_in_flight = in_flight;
    }

    /// Host input: this OSD's monotonic clock (Ceph's `get_mnow()`: the time
    /// since the OSD started), read by the read-lease rules. The core reads no
    /// clock: the host sets it before it delivers an event or asks
    /// [`Pg::check_laggy`], as the `Osd` host does. It never goes backwards: an
    /// earlier time is ignored.
    pub fn set_mnow(&mut self, now: Timespan) {
        self.ps.lease.mnow = self.ps.lease.mnow.max(now);
    }

    /// Host input: what the heartbeats know of the primary's clock relative to
    /// this OSD's (Ceph's `hb_stamps[0]`, `HeartbeatStamps`); a non-primary
    /// converts the primary's leases with it. Without it (the default), a lease
    /// gives this instance no readable time of its own and an upper bound of one
    /// interval from its receipt, as in Ceph before the first heartbeat.
    pub fn set_primary_clock_delta(&mut self, delta: PeerClockDelta) {
        self.ps.lease.primary_clock = delta;
    }

    /// `PrimaryLogPG::check_laggy`: may an op run at this instance now? `WAIT`
    /// (a prior interval's lease may still be valid) and `LAGGY` hold it; a
    /// primary whose lease ran out becomes `LAGGY` here (the host publishes its
    /// stats); a non-primary's expired lease answers [`Readable::Expired`].
    pub fn check_laggy(&mut self) -> Readable {
        self.ps.check_laggy()
    }

    /// The read-lease state.
    pub fn read_lease(&self) -> &ReadLease {
        &self.ps.lease
    }

    /// Host input: the oldest map the host still stores (`oldest_stored_osdmap`).
    pub fn set_oldest_stored_osdmap(&mut self, epoch: Epoch) {
        self.ps.oldest_stored_osdmap = epoch;
    }

    /// The innermost active state. A terminated machine (a deleted PG) has
    /// none; it reports `Crashed`'s id then, so check [`Pg::is_terminated`] first.
    pub fn state_id(&self) -> StateId {
        self.stack.innermost()
    }

    /// Ceph's name of the innermost state (`Started/Primary/Active/Clean`).
    pub fn state_name(&self) -> &'static str {
        self.state_id().name()
    }

    /// The active states, outermost first (`Started`, `Started/Primary`, ...,
    /// the innermost last); empty once the machine terminated.
    pub fn active_states(&self) -> impl DoubleEndedIterator<Item = StateId> + '_ {
        self.stack.iter().map(State::id)
    }

    /// True when `id` is active (innermost or an enclosing state).
    pub fn in_state(&self, id: StateId) -> bool {
        self.stack.contains_state(id)
    }

    /// True once the PG crashed.
    pub fn is_crashed(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|s| s.id() == StateId::Crashed)
    }

    /// True once the machine terminated: the deletion finished (`Deleting` returned
    /// boost's `terminate()`) and the host should drop this PG
    /// ([`crate::ctx::HostNotification::Deleted`] said so). Every later call is
    /// refused with [`crate::HostMisuse::Terminated`].
    pub fn is_terminated(&self) -> bool {
        self.stack.is_empty()
    }

    /// `is_deleting()`: the instance is removing its objects (`Deleting`).
    pub fn is_deleting(&self) -> bool {
        self.stack.contains_state(StateId::Deleting)
    }

    /// `info`.
    pub fn info(&self) -> &PgInfo {
        &self.ps.info
    }

    /// `info.history`.
    pub fn history(&self) -> &PgHistory {
        &self.ps.info.history
    }

    /// The `PG_STATE_*` bits.
    pub fn state_bits(&self) -> PgState {
        self.ps.state
    }

    /// `role`.
    pub fn role(&self) -> i32 {
        self.ps.role
    }

    /// `is_primary()`.
    pub fn is_primary(&self) -> bool {
        self.ps.is_primary()
    }

    /// The PG's map epoch.
    pub fn epoch(&self) -> Epoch {
        self.ps.epoch
    }

    /// `last_peering_reset`.
    pub fn last_peering_reset(&self) -> Epoch {
        self.ps.last_peering_reset
    }

    /// `get_need_up_thru()`: the host should ask the monitor for
    /// `up_thru >= history.same_interval_since`.
    pub fn need_up_thru(&self) -> bool {
        self.ps.need_up_thru
    }

    /// `past_intervals`.
    pub fn past_intervals(&self) -> &PastIntervals {
        &self.ps.past_intervals
    }

    /// The log and missing set.
    pub fn pg_log(&self) -> &PgLog {
        &self.ps.pg_log
    }

    /// Everything else, for this crate; hosts and tests read [`Pg::status`].
    pub(crate) fn peering_state(&self) -> &PeeringState {
        &self.ps
    }

    /// The state entry/exit history.
    pub fn state_history(&self) -> &StateHistory {
        &self.history
    }

    /// The peering state, for the host-feedback calls of `recovery_feedback`.
    pub(crate) fn ps_mut(&mut self) -> &mut PeeringState {
        &mut self.ps
    }

    /// Forgets the state history (e.g. between steps of a test).
    pub fn clear_state_history(&mut self) {
        self.history.clear();
    }
}
