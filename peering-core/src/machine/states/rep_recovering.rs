//! `RepRecovering`.

use crate::ctx::{BackfillReserveOp, RecoveryReserveOp, ReservationOp};
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::types::StateId;

/// `RepRecovering`'s definition.
pub(crate) const REP_RECOVERING: Spec<()> = Spec {
    name: "Started/ReplicaActive/RepRecovering",
    short_name: "RepRecovering",
    def: StateDef {
        id: StateId::RepRecovering,
        parent: Some(StateId::ReplicaActive),
        initial: None,
        reactions: &[
            Reaction::transition(E::RecoveryDone, StateId::RepNotRecovering),
            // Older primaries release with a reject.
            Reaction::transition(
                E::RemoteReservationRejectedTooFull,
                StateId::RepNotRecovering,
            ),
            Reaction::transition(E::RemoteReservationCanceled, StateId::RepNotRecovering),
            Reaction::custom(E::BackfillTooFull, &[]),
            Reaction::custom(E::RemoteRecoveryPreempted, &[]),
            Reaction::custom(E::RemoteBackfillPreempted, &[]),
        ],
    },
    enter: no_action,
    exit: exit_rep_recovering,
    react: react_rep_recovering,
};

use super::rep_reservation::{release_slot, send_backfill_reserve, send_recovery_reserve};

/// `RepRecovering`'s exit: the slot and the space go back whichever way we leave.
pub(crate) fn exit_rep_recovering(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    release_slot(cx);
    Ok(())
}

/// `PeeringState::RepRecovering::react(const BackfillTooFull&)`,
/// `react(const RemoteRecoveryPreempted&)` and `react(const RemoteBackfillPreempted&)`
/// give back the space and tell the primary, which answers
/// with the release that ends the visit.
pub(crate) fn react_rep_recovering(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::BackfillTooFull => {
            // We ran out of space while serving backfill: revoke, and let the
            // primary's release bring us back to RepNotRecovering.
            cx.ctx.reservations.push(ReservationOp::UnreserveSpace);
            send_backfill_reserve(cx, BackfillReserveOp::RevokeTooFull);
            Ok(Outcome::Discard)
        }
        Event::RemoteRecoveryPreempted => {
            cx.ctx.reservations.push(ReservationOp::UnreserveSpace);
            send_recovery_reserve(cx, RecoveryReserveOp::Revoke);
            Ok(Outcome::Discard)
        }
        Event::RemoteBackfillPreempted => {
            cx.ctx.reservations.push(ReservationOp::UnreserveSpace);
            send_backfill_reserve(cx, BackfillReserveOp::Revoke);
            Ok(Outcome::Discard)
        }
        _ => Ok(Outcome::Discard),
    }
}
