//! Backfill under reservation, primary side: `WaitLocalBackfillReserved`,
//! `WaitRemoteBackfillReserved`, `Backfilling`, `NotBackfilling` (reference §1.2,
//! §2.3, §3 of those names, §5.24).
//!
//! As for recovery, the local slot comes first, then each backfill target's
//! (`remote_shards_to_reserve_backfill`, one shard per OSD) one at a time in
//! ascending (osd, shard) order, the next only after the previous grant. A target
//! that is too full rejects; the primary then releases every slot it already holds
//! (and the rejecting one) and retries after `osd_backfill_retry_interval`.

use crate::ctx::{BackfillReserveOp, HostNotification, Message, ReservationOp};
use crate::error::Crash;
use crate::error::PeeringError;
use crate::event::{Defer, Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::invariant::Invariant;
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::machine::state_id::StateId;
use crate::types::{Epoch, PgState, SpgId, Timespan};

use super::active::ActiveLocal;
use super::recovery::{request_local, schedule};

/// `WaitRemoteBackfillReserved`'s local data (§1.2): Ceph's `backfill_osd_it`, an
/// iterator into `Active`'s `remote_shards_to_reserve_backfill`, kept as the number
/// of targets already asked.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WaitRemoteBackfillReservedLocal {
    /// How many of `remote_shards_to_reserve_backfill` have been sent a `REQUEST`
    /// (the iterator's position).
    pub backfill_osd_it: usize,
}

/// `WaitLocalBackfillReserved`'s definition (§3).
pub(crate) const WAIT_LOCAL_BACKFILL_RESERVED: Spec<()> = Spec {
    name: "Started/Primary/Active/WaitLocalBackfillReserved",
    short_name: "WaitLocalBackfillReserved",
    def: StateDef {
        id: StateId::WaitLocalBackfillReserved,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(
                E::LocalBackfillReserved,
                StateId::WaitRemoteBackfillReserved,
            ),
            Reaction::custom(E::RemoteBackfillReserved, &[]),
        ],
    },
    enter: enter_wait_local,
    exit: no_action,
    react: react_wait_local,
};

/// `WaitRemoteBackfillReserved`'s definition (§3).
pub(crate) const WAIT_REMOTE_BACKFILL_RESERVED: Spec<WaitRemoteBackfillReservedLocal> = Spec {
    name: "Started/Primary/Active/WaitRemoteBackfillReserved",
    short_name: "WaitRemoteBackfillReserved",
    def: StateDef {
        id: StateId::WaitRemoteBackfillReserved,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::custom(E::RemoteBackfillReserved, &[]),
            Reaction::custom(
                E::RemoteReservationRejectedTooFull,
                &[StateId::NotBackfilling],
            ),
            Reaction::custom(E::RemoteReservationRevoked, &[StateId::NotBackfilling]),
            Reaction::transition(E::AllBackfillsReserved, StateId::Backfilling),
        ],
    },
    enter: enter_wait_remote,
    exit: no_action,
    react: react_wait_remote,
};

/// `Backfilling`'s definition (§3).
pub(crate) const BACKFILLING: Spec<()> = Spec {
    name: "Started/Primary/Active/Backfilling",
    short_name: "Backfilling",
    def: StateDef {
        id: StateId::Backfilling,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::custom(E::Backfilled, &[StateId::Recovered]),
            Reaction::custom(E::DeferBackfill, &[StateId::NotBackfilling]),
            Reaction::custom(E::UnfoundBackfill, &[StateId::NotBackfilling]),
            Reaction::custom(E::RemoteReservationRejectedTooFull, &[]),
            Reaction::custom(
                E::RemoteReservationRevokedTooFull,
                &[StateId::NotBackfilling],
            ),
            Reaction::custom(
                E::RemoteReservationRevoked,
                &[StateId::WaitLocalBackfillReserved],
            ),
        ],
    },
    enter: enter_backfilling,
    exit: exit_backfilling,
    react: react_backfilling,
};

/// `NotBackfilling`'s definition (§3). A grant or reject arriving here raced with
/// the release that brought us here.
pub(crate) const NOT_BACKFILLING: Spec<()> = Spec {
    name: "Started/Primary/Active/NotBackfilling",
    short_name: "NotBackfilling",
    def: StateDef {
        id: StateId::NotBackfilling,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(E::RequestBackfill, StateId::WaitLocalBackfillReserved),
            Reaction::custom(E::RemoteBackfillReserved, &[]),
            Reaction::custom(E::RemoteReservationRejectedTooFull, &[]),
        ],
    },
    enter: enter_not_backfilling,
    exit: exit_not_backfilling,
    react: react_not_backfilling,
};

/// `MBackfillReserve{op}` addressed to `pgid` for every op but `REQUEST` (no
/// priority, no byte counts; a direct send, §2.3): the one builder for the
/// primary's releases and the replica's answers.
pub(super) fn backfill_reserve(pgid: SpgId, epoch: Epoch, op: BackfillReserveOp) -> Message {
    Message::BackfillReserve {
        pgid,
        epoch,
        op,
        priority: 0,
        primary_num_bytes: 0,
        shard_num_bytes: 0,
    }
}

/// `WaitLocalBackfillReserved`'s entry: ask the local reserver for a slot at the
/// backfill priority (§5.24); preemption defers backfill.
pub(crate) fn enter_wait_local(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.set(PgState::BACKFILL_WAIT);
    let priority = cx.ps.backfill_priority();
    let defer = Event::DeferBackfill(Defer { delay: Timespan(0) });
    request_local(cx, priority, Event::LocalBackfillReserved, defer);
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// `WaitRemoteBackfillReserved`'s entry: still waiting; a self-kick sends the
/// first request through the same reaction as every later one.
pub(crate) fn enter_wait_remote(
    cx: &mut Cx<'_>,
    _: &mut WaitRemoteBackfillReservedLocal,
) -> Result<(), PeeringError> {
    cx.ps.state.set(PgState::BACKFILL_WAIT);
    PeeringState::publish(cx.ctx);
    cx.post(Event::RemoteBackfillReserved);
    Ok(())
}

/// `Backfilling`'s entry: every reservation is held; the host starts backfill.
pub(crate) fn enter_backfilling(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.backfill_reserved = true;
    cx.ctx
        .notifications
        .push(HostNotification::BackfillReserved);
    cx.ps
        .state
        .clear(PgState::BACKFILL_TOOFULL | PgState::BACKFILL_WAIT);
    cx.ps.state.set(PgState::BACKFILLING);
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// `Backfilling`'s exit: the reservations are gone, and so is any force flag
/// (forcing applies to the backfill that just ended).
pub(crate) fn exit_backfilling(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.backfill_reserved = false;
    cx.ps
        .state
        .clear(PgState::BACKFILLING | PgState::FORCED_BACKFILL | PgState::FORCED_RECOVERY);
    Ok(())
}

/// `NotBackfilling`'s entry: a repair that was under way is over.
pub(crate) fn enter_not_backfilling(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::REPAIR);
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// `NotBackfilling`'s exit: whether objects are unfound is decided afresh.
pub(crate) fn exit_not_backfilling(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::BACKFILL_UNFOUND);
    Ok(())
}

/// `PeeringState::WaitLocalBackfillReserved::react(const RemoteBackfillReserved&)`
/// (§3 "WaitLocalBackfillReserved"): nothing was asked of a remote yet (Ceph's
/// no-op).
pub(crate) fn react_wait_local(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::RemoteBackfillReserved => Ok(cx.raced()),
        _ => Ok(Outcome::Discard),
    }
}

/// `WaitRemoteBackfillReserved::retry()`: give up this round. Release the local
/// slot and every target asked so far (the one that just answered included: the
/// iterator is already past it), and try again after `osd_backfill_retry_interval`.
fn retry(cx: &mut Cx<'_>, it: usize) -> Result<(), PeeringError> {
    cx.ctx.reservations.push(ReservationOp::CancelLocal);
    let Some(active) = cx.outer.get::<ActiveLocal>() else {
        return Ok(());
    };
    if active.remote_shards_to_reserve_backfill.is_empty() {
        return Err(PeeringError::Crashed(Crash::Invariant {
            state: StateId::WaitRemoteBackfillReserved,
            what: Invariant::NoBackfillTargets,
        }));
    }
    let me = cx.ps.whoami;
    let pgid = cx.ps.info.pgid.pgid;
    let epoch = cx.ps.epoch;
    // Sent while iterating `Active`'s set in place: no snapshot to allocate.
    for s in active.remote_shards_to_reserve_backfill.iter().take(it) {
        if *s == me {
            return Err(PeeringError::Crashed(Crash::Invariant {
                state: StateId::WaitRemoteBackfillReserved,
                what: Invariant::ReserveSelf,
            }));
        }
        let msg = backfill_reserve(SpgId::new(pgid, s.shard), epoch, BackfillReserveOp::Release);
        cx.ctx.send_direct(s.osd, msg);
    }
    cx.ps.state.clear(PgState::BACKFILL_WAIT);
    PeeringState::publish(cx.ctx);
    let delay = cx.ps.cfg.backfill_retry_interval;
    schedule(cx, Event::RequestBackfill, delay);
    Ok(())
}

/// `PeeringState::WaitRemoteBackfillReserved::react(const RemoteBackfillReserved&)`,
/// `react(const RemoteReservationRejectedTooFull&)` and
/// `react(const RemoteReservationRevoked&)` (§3 "WaitRemoteBackfillReserved"): each
/// grant (and the entry's self-kick) sends the next `REQUEST` with the byte counts
/// the target checks its space against; a rejection or revocation gives up this
/// round (`retry()`).
pub(crate) fn react_wait_remote(
    cx: &mut Cx<'_>,
    data: &mut WaitRemoteBackfillReservedLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::RemoteBackfillReserved => {
            let it = data.backfill_osd_it;
            let next = cx
                .outer
                .get::<ActiveLocal>()
                .and_then(|a| a.remote_shards_to_reserve_backfill.iter().nth(it).copied());
            let Some(target) = next else {
                cx.ps.peer_bytes.clear();
                cx.post(Event::AllBackfillsReserved);
                return Ok(Outcome::Discard);
            };
            if target == cx.ps.whoami {
                return Err(PeeringError::Crashed(Crash::Invariant {
                    state: StateId::WaitRemoteBackfillReserved,
                    what: Invariant::ReserveSelf,
                }));
            }
            // Ceph reads the map with operator[], which records a zero for a
            // target it has no byte count for; the map is cleared once all are held.
            let shard_num_bytes = *cx.ps.peer_bytes.entry(target).or_insert(0);
            let msg = Message::BackfillReserve {
                pgid: SpgId::new(cx.ps.info.pgid.pgid, target.shard),
                epoch: cx.ps.epoch,
                op: BackfillReserveOp::Request,
                priority: cx.ps.backfill_priority(),
                primary_num_bytes: cx.ps.info.stats.num_bytes,
                shard_num_bytes,
            };
            cx.ctx.send_direct(target.osd, msg);
            data.backfill_osd_it = it.saturating_add(1);
            Ok(Outcome::Discard)
        }
        Event::RemoteReservationRejectedTooFull => {
            cx.ps.state.set(PgState::BACKFILL_TOOFULL);
            retry(cx, data.backfill_osd_it)?;
            Ok(Outcome::Transit(StateId::NotBackfilling))
        }
        Event::RemoteReservationRevoked => {
            retry(cx, data.backfill_osd_it)?;
            Ok(Outcome::Transit(StateId::NotBackfilling))
        }
        _ => Ok(Outcome::Discard),
    }
}

/// `Backfilling::backfill_release_reservations()`: the local slot and every backfill
/// target's (all of `backfill_targets`, not one per OSD, as Ceph does).
fn backfill_release_reservations(cx: &mut Cx<'_>) -> Result<(), PeeringError> {
    cx.ctx.reservations.push(ReservationOp::CancelLocal);
    let me = cx.ps.whoami;
    if cx.ps.backfill_targets.contains(&me) {
        return Err(PeeringError::Crashed(Crash::Invariant {
            state: StateId::Backfilling,
            what: Invariant::ReserveSelf,
        }));
    }
    let pgid = cx.ps.info.pgid.pgid;
    let epoch = cx.ps.epoch;
    for s in &cx.ps.backfill_targets {
        let msg = backfill_reserve(SpgId::new(pgid, s.shard), epoch, BackfillReserveOp::Release);
        cx.ctx.send_direct(s.osd, msg);
    }
    Ok(())
}

/// `Backfilling::cancel_backfill()`: release, and tell the host to stop.
fn cancel_backfill(cx: &mut Cx<'_>) -> Result<(), PeeringError> {
    backfill_release_reservations(cx)?;
    cx.ctx
        .notifications
        .push(HostNotification::BackfillCanceled);
    Ok(())
}

/// `PeeringState::Backfilling::react(const Backfilled&)`, `react(const DeferBackfill&)`,
/// `react(const UnfoundBackfill&)`, `react(const RemoteReservationRejectedTooFull&)`,
/// `react(const RemoteReservationRevokedTooFull&)` and
/// `react(const RemoteReservationRevoked&)` (§3 "Backfilling").
pub(crate) fn react_backfilling(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::Backfilled => {
            backfill_release_reservations(cx)?;
            Ok(Outcome::Transit(StateId::Recovered))
        }
        Event::DeferBackfill(d) => {
            let delay = d.delay;
            cx.ps.state.set(PgState::BACKFILL_WAIT);
            cx.ps.state.clear(PgState::BACKFILLING);
            cancel_backfill(cx)?;
            schedule(cx, Event::RequestBackfill, delay);
            Ok(Outcome::Transit(StateId::NotBackfilling))
        }
        Event::UnfoundBackfill => {
            cx.ps.state.set(PgState::BACKFILL_UNFOUND);
            cx.ps.state.clear(PgState::BACKFILLING);
            cancel_backfill(cx)?;
            Ok(Outcome::Transit(StateId::NotBackfilling))
        }
        Event::RemoteReservationRejectedTooFull => {
            // Older peers said "rejected" where they meant "revoked".
            cx.post(Event::RemoteReservationRevokedTooFull);
            Ok(Outcome::Discard)
        }
        Event::RemoteReservationRevokedTooFull => {
            cx.ps.state.set(PgState::BACKFILL_TOOFULL);
            cx.ps.state.clear(PgState::BACKFILLING);
            cancel_backfill(cx)?;
            let delay = cx.ps.cfg.backfill_retry_interval;
            schedule(cx, Event::RequestBackfill, delay);
            Ok(Outcome::Transit(StateId::NotBackfilling))
        }
        Event::RemoteReservationRevoked => {
            cx.ps.state.set(PgState::BACKFILL_WAIT);
            cancel_backfill(cx)?;
            if cx.ps.needs_backfill() {
                Ok(Outcome::Transit(StateId::WaitLocalBackfillReserved))
            } else {
                // Raced with the end of backfill: the Backfilled event follows.
                Ok(cx.raced())
            }
        }
        _ => Ok(Outcome::Discard),
    }
}

/// `PeeringState::NotBackfilling::react(const RemoteBackfillReserved&)` and
/// `react(const RemoteReservationRejectedTooFull&)` (§3 "NotBackfilling"): it
/// answers a request the retry already released.
pub(crate) fn react_not_backfilling(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::RemoteBackfillReserved | Event::RemoteReservationRejectedTooFull => Ok(cx.raced()),
        _ => Ok(Outcome::Discard),
    }
}
