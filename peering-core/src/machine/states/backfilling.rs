//! `Backfilling`.

use crate::ctx::{BackfillReserveOp, HostNotification, ReservationOp};
use crate::error::Crash;
use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::StateId;
use crate::types::{PgState, SpgId};

use super::recovery::schedule;

/// `Backfilling`'s definition.
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

use super::backfill::backfill_reserve;

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

/// `PeeringState::Backfilling::react(const Backfilled&)`, `react(const DeferBackfill&)`,
/// `react(const UnfoundBackfill&)`, `react(const RemoteReservationRejectedTooFull&)`,
/// `react(const RemoteReservationRevokedTooFull&)` and
/// `react(const RemoteReservationRevoked&)`.
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

/// `Backfilling::cancel_backfill()`: release, and tell the host to stop.
fn cancel_backfill(cx: &mut Cx<'_>) -> Result<(), PeeringError> {
    backfill_release_reservations(cx)?;
    cx.ctx
        .notifications
        .push(HostNotification::BackfillCanceled);
    Ok(())
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
