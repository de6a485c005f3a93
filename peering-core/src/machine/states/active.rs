//! `Active`: the primary's activation
//! bookkeeping. Its substates (`Activating`, `Recovered`, `Clean`, and the
//! recovery and backfill reservation states) are each in their own file.

use crate::error::Crash;
use alloc::collections::BTreeSet;

use crate::ctx::{HostNotification, MonRequest, ReservationOp};
use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::choose::ActingRequest;
use crate::machine::cx::{Cx, Local};
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::DropReason;
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::map::{MergeRole, PoolFlags};
use crate::types::StateId;
use crate::types::{PgId, PgShard, PgState, ShardId};

/// `Active`'s local data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ActiveLocal {
    /// `remote_shards_to_reserve_recovery`: acting_recovery_backfill minus self, one
    /// shard per OSD (the first).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub remote_shards_to_reserve_recovery: BTreeSet<PgShard>,
    /// `remote_shards_to_reserve_backfill`: backfill targets minus self, one per OSD.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub remote_shards_to_reserve_backfill: BTreeSet<PgShard>,
    /// `all_replicas_activated`.
    pub all_replicas_activated: bool,
}

impl Local for ActiveLocal {
    const ID: StateId = StateId::Active;
}

/// `Active`'s definition.
pub(crate) const ACTIVE: Spec<ActiveLocal> = Spec {
    name: "Started/Primary/Active",
    short_name: "Active",
    def: StateDef {
        id: StateId::Active,
        parent: Some(StateId::Primary),
        initial: Some(StateId::Activating),
        reactions: &[
            Reaction::custom(E::AdvMap, &[]),
            Reaction::custom(E::MInfoRec, &[]),
            Reaction::custom(E::MNotifyRec, &[]),
            Reaction::custom(E::MTrim, &[]),
            Reaction::custom(E::MLogRec, &[]),
            Reaction::custom(E::ActMap, &[]),
            Reaction::custom(E::Backfilled, &[]),
            Reaction::custom(E::ActivateCommitted, &[]),
            Reaction::custom(E::AllReplicasActivated, &[]),
            Reaction::custom(E::DeferRecovery, &[]),
            Reaction::custom(E::DeferBackfill, &[]),
            Reaction::custom(E::UnfoundRecovery, &[]),
            Reaction::custom(E::UnfoundBackfill, &[]),
            Reaction::custom(E::RemoteReservationRevokedTooFull, &[]),
            Reaction::custom(E::RemoteReservationRevoked, &[]),
            Reaction::custom(E::DoRecovery, &[]),
            Reaction::custom(E::RenewLease, &[]),
            Reaction::custom(E::MLeaseAck, &[]),
            Reaction::custom(E::CheckReadable, &[]),
        ],
    },
    enter,
    exit,
    react,
};

/// One shard per OSD (the first in order), self excluded: Ceph's
/// `unique_osd_shard_set`.
fn unique_osd_shards(set: &BTreeSet<PgShard>, me: PgShard) -> BTreeSet<PgShard> {
    // Built by insertion, and the OSDs seen looked up in the result itself: no
    // side set and no collect buffer to allocate (a handful of shards).
    let mut out = BTreeSet::new();
    for s in set.iter().copied().filter(|s| *s != me) {
        if !out.iter().any(|o: &PgShard| o.osd == s.osd) {
            out.insert(s);
        }
    }
    out
}

/// Entry: activate.
pub(crate) fn enter(cx: &mut Cx<'_>, data: &mut ActiveLocal) -> Result<(), PeeringError> {
    let me = cx.ps.whoami;
    let local = ActiveLocal {
        remote_shards_to_reserve_recovery: unique_osd_shards(&cx.ps.acting_recovery_backfill, me),
        remote_shards_to_reserve_backfill: unique_osd_shards(&cx.ps.backfill_targets, me),
        all_replicas_activated: false,
    };
    *data = local;
    cx.ps.start_flush(cx.ctx);
    let e = cx.ps.epoch;
    cx.ps.activate(e, cx.map, cx.ctx)?;
    // Ceph's quirk: shard ids, not OSD ids (so nothing for replicated pools).
    // Cleared and extended in place rather than collected: no sort buffer.
    let ps = &mut *cx.ps;
    ps.blocked_by.clear();
    ps.blocked_by.extend(
        ps.acting_recovery_backfill
            .iter()
            .filter(|s| s.shard != me.shard)
            .map(|s| i32::from(s.shard.0)),
    );
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// Exit: release the local reservation and the activity bits.
pub(crate) fn exit(cx: &mut Cx<'_>, _: &mut ActiveLocal) -> Result<(), PeeringError> {
    cx.ctx.reservations.push(ReservationOp::CancelLocal);
    cx.ps.blocked_by.clear();
    cx.ps.backfill_reserved = false;
    cx.ps.state.clear(
        PgState::ACTIVATING
            | PgState::DEGRADED
            | PgState::UNDERSIZED
            | PgState::BACKFILL_TOOFULL
            | PgState::BACKFILL_WAIT
            | PgState::RECOVERY_WAIT
            | PgState::RECOVERY_TOOFULL,
    );
    cx.ctx.notifications.push(HostNotification::ActiveExit);
    Ok(())
}

/// `all_activated_and_committed`: every shard is active and durable; the
/// lease, renewed, goes to the acting peers and its renewal is scheduled.
fn all_activated_and_committed(cx: &mut Cx<'_>) {
    cx.ps.renew_lease();
    cx.ps.send_lease(cx.ctx);
    cx.ps.schedule_renew_lease(cx.ctx);
    // DEGRADED from `update_calc_stats`'s degraded count, which is positive when some
    // acting shard misses objects, or when copies are missing because the acting set
    // is short and there are objects at all (so an empty undersized PG is not
    // degraded). The full stats machinery is not modelled (§10.10).
    let undersized = u32::try_from(cx.ps.actingset.len()).is_ok_and(|n| n < cx.ps.pool.size);
    let has_objects = cx.ps.info.stats.num_objects > 0;
    if cx.ps.needs_recovery() || (undersized && has_objects) {
        cx.ps.state.set(PgState::DEGRADED);
    } else {
        cx.ps.state.clear(PgState::DEGRADED);
    }
    cx.post(Event::AllReplicasActivated);
}

fn check_all_activated(cx: &mut Cx<'_>) {
    if cx.ps.peer_activated.len() == cx.ps.acting_recovery_backfill.len() {
        all_activated_and_committed(cx);
    }
}

fn shard_of(i: usize, ec: bool) -> ShardId {
    if ec {
        ShardId(i8::try_from(i).unwrap_or(i8::MAX))
    } else {
        ShardId::NO_SHARD
    }
}

/// `PeeringState::Active::react(const AdvMap&)`, `react(const ActMap&)`,
/// `react(const MInfoRec&)`, `react(const MNotifyRec&)`, `react(const MLogRec&)`,
/// `react(const MTrim&)`, `react(const ActivateCommitted&)`,
/// `react(const AllReplicasActivated&)` and the discarding `Backfilled`,
/// `DeferRecovery`, ... `DoRecovery` reactions, and the lease's `RenewLease`,
/// `MLeaseAck` and `CheckReadable`.
pub(crate) fn react(
    cx: &mut Cx<'_>,
    data: &mut ActiveLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::AdvMap(new) => {
            let restart = cx
                .lastmap
                .is_some_and(|last| cx.ps.should_restart_peering(new, cx.map, last));
            if restart {
                // Started resets; nothing here would survive it.
                return Ok(Outcome::Forward);
            }
            cx.ctx.notifications.push(HostNotification::ActiveAdvMap);
            if cx.ps.dirty_big_info {
                cx.ps.share_pg_info(cx.ctx);
                PeeringState::publish(cx.ctx);
            }
            let ec = cx.ps.is_ec();
            let need_rechoose = cx.ps.want_acting.iter().enumerate().any(|(i, o)| {
                let s = PgShard::new(*o, shard_of(i, ec));
                cx.map.is_down(*o) && !cx.ps.is_acting(s) && !cx.ps.is_up(s)
            });
            if need_rechoose {
                cx.ps.remove_down_peer_info(cx.map, cx.ctx);
                cx.ps.choose_acting(
                    ActingRequest {
                        restrict_to_up_acting: false,
                        request_pg_temp_change_only: true,
                        history_les_bound: false,
                    },
                    cx.map,
                    cx.ctx,
                )?;
            }
            let pool = cx.ps.info.pgid.pgid.pool;
            let old_size = cx.lastmap.and_then(|l| l.pool(pool)).map(|p| p.size);
            let new_size = cx.map.pool(pool).map(|p| p.size);
            if let (Some(o), Some(n)) = (old_size, new_size) {
                if o != n {
                    if u32::try_from(cx.ps.actingset.len()).is_ok_and(|a| n > a) {
                        cx.ps.state.set(PgState::UNDERSIZED);
                    } else {
                        cx.ps.state.clear(PgState::UNDERSIZED);
                    }
                    PeeringState::publish(cx.ctx);
                }
            }
            // Not reported for a long time: do so now.
            let reported = cx.ps.info.stats.reported_epoch;
            if reported.saturating_add(cx.ps.cfg.pg_stat_report_interval_max) < cx.map.epoch() {
                PeeringState::publish(cx.ctx);
            }
            if cx.ps.check_prior_readable_down_osds(cx.map) {
                cx.ps.recheck_readable(cx.ctx);
            }
            Ok(Outcome::Forward)
        }
        Event::ActMap => {
            cx.ctx.notifications.push(HostNotification::ActiveActMap);
            if cx.ps.missing_loc.have_unfound() {
                // Objects may have become unfound: ask whoever may have them.
                cx.ps.discover_all_missing(cx.map, cx.ctx);
            }
            Ok(Outcome::Forward)
        }
        Event::MInfoRec(m) => {
            let from = m.from;
            if let Some(ack) = &m.lease_ack {
                cx.ps.proc_lease_ack(from.osd, ack, cx.ctx);
            }
            if cx.ps.acting_recovery_backfill.contains(&from)
                && !cx.ps.peer_activated.contains(&from)
            {
                // History is deliberately not merged here (Ceph).
                cx.ps.peer_activated.insert(from);
                cx.ps.blocked_by.remove(&i32::from(from.shard.0));
                PeeringState::publish(cx.ctx);
                check_all_activated(cx);
                Ok(Outcome::Discard)
            } else {
                Ok(Outcome::Dropped(DropReason::Duplicate))
            }
        }
        Event::MNotifyRec(n) => {
            if cx.ps.peer_info.contains_key(&n.from) || cx.ps.peer_purged.contains(&n.from) {
                return Ok(Outcome::Dropped(DropReason::InfoNotNew));
            }
            cx.ps
                .proc_replica_info(n.from, &n.notify.info, n.notify.epoch_sent, cx.map, cx.ctx);
            if cx.ps.missing_loc.have_unfound()
                || (cx.ps.state.contains(PgState::DEGRADED)
                    && cx.ps.might_have_unfound.contains(&n.from))
            {
                cx.ps.discover_all_missing(cx.map, cx.ctx);
            }
            // A returning former member may want back in: only ask for a pg_temp.
            cx.ps.choose_acting(
                ActingRequest {
                    restrict_to_up_acting: false,
                    request_pg_temp_change_only: true,
                    history_les_bound: false,
                },
                cx.map,
                cx.ctx,
            )?;
            Ok(Outcome::Discard)
        }
        Event::MLogRec(m) => {
            let m = core::mem::take(m);
            cx.ps
                .proc_replica_log(m.msg.info, &m.msg.log, m.msg.missing, m.from)?;
            let found = cx.ps.search_for_missing(m.from, cx.ctx);
            if found && cx.ps.state.contains(PgState::ACTIVE) {
                cx.post(Event::DoRecovery);
            }
            Ok(Outcome::Discard)
        }
        Event::MTrim(t) => {
            let from = PgShard::new(t.from, t.shard);
            cx.ps.peer_last_complete_ondisk.insert(from, t.trim_to);
            cx.ps.calc_min_last_complete_ondisk();
            Ok(Outcome::Discard)
        }
        Event::ActivateCommitted(_) => {
            let me = cx.ps.whoami;
            if !cx.ps.peer_activated.insert(me) {
                return Err(PeeringError::Crashed(Crash::Invariant {
                    state: StateId::Active,
                    what: Invariant::AlreadyActivated,
                }));
            }
            check_all_activated(cx);
            Ok(Outcome::Discard)
        }
        Event::AllReplicasActivated => {
            data.all_replicas_activated = true;
            let ps = &mut *cx.ps;
            ps.state
                .clear(PgState::ACTIVATING | PgState::CREATING | PgState::PREMERGE);
            let pgid = ps.info.pgid.pgid;
            if let Some(role) = ps.pool.pending_merge(pgid) {
                // A PG about to merge only peers: no writes may land between its
                // readiness report and the merge.
                ps.state.set(PgState::PEERED | PgState::PREMERGE);
                if u32::try_from(ps.actingset.len()).ok() != Some(ps.pool.size) {
                    let notice = match role {
                        MergeRole::Target => HostNotification::NotReadyToMergeTarget {
                            source: PgId::new(pgid.pool, ps.pool.pg_num_pending),
                        },
                        MergeRole::Source => HostNotification::NotReadyToMergeSource,
                    };
                    cx.ctx.notifications.push(notice);
                }
            } else if ps.acting_set_writeable(cx.map) {
                ps.state.set(PgState::ACTIVE);
            } else {
                ps.state.set(PgState::PEERED);
            }
            ps.wait_for_prior_leases(cx.ctx);
            if ps.pool.flags.contains(PoolFlags::CREATING) {
                cx.ctx.mon.push(MonRequest::PgCreated {
                    pgid: ps.info.pgid.pgid,
                });
            }
            ps.info.history.last_epoch_started = ps.info.last_epoch_started;
            ps.info.history.last_interval_started = ps.info.last_interval_started;
            ps.dirty_info = true;
            ps.share_pg_info(cx.ctx);
            PeeringState::publish(cx.ctx);
            let needs_recovery = ps.needs_recovery();
            let needs_backfill = ps.needs_backfill();
            cx.ctx
                .notifications
                .push(HostNotification::ActivateComplete {
                    needs_recovery,
                    needs_backfill,
                });
            Ok(Outcome::Discard)
        }
        // What no substate wanted: a recovery or backfill step, a revoke or a defer
        // that raced with a release or a finish, or a DoRecovery while recovery or
        // backfill is already under way (Ceph's discarding custom reactions).
        Event::Backfilled
        | Event::DeferRecovery(_)
        | Event::DeferBackfill(_)
        | Event::UnfoundRecovery
        | Event::UnfoundBackfill
        | Event::RemoteReservationRevokedTooFull
        | Event::RemoteReservationRevoked
        | Event::DoRecovery => Ok(cx.raced()),
        Event::RenewLease => {
            cx.ps.proc_renew_lease(cx.ctx);
            Ok(Outcome::Discard)
        }
        Event::MLeaseAck(a) => {
            cx.ps.proc_lease_ack(a.from, &a.lease_ack, cx.ctx);
            Ok(Outcome::Discard)
        }
        Event::CheckReadable => {
            cx.ps.recheck_readable(cx.ctx);
            Ok(Outcome::Discard)
        }
        _ => Ok(Outcome::Discard),
    }
}
