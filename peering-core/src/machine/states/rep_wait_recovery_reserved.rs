//! `RepWaitRecoveryReserved`.

use crate::ctx::RecoveryReserveOp;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::types::StateId;

/// `RepWaitRecoveryReserved`'s definition.
pub(crate) const REP_WAIT_RECOVERY_RESERVED: Spec<()> = Spec {
    name: "Started/ReplicaActive/RepWaitRecoveryReserved",
    short_name: "RepWaitRecoveryReserved",
    def: StateDef {
        id: StateId::RepWaitRecoveryReserved,
        parent: Some(StateId::ReplicaActive),
        initial: None,
        reactions: &[
            Reaction::custom(E::RemoteRecoveryReserved, &[StateId::RepRecovering]),
            Reaction::custom(E::RemoteReservationRejectedTooFull, &[]),
            Reaction::custom(E::RemoteReservationCanceled, &[StateId::RepNotRecovering]),
        ],
    },
    enter: no_action,
    exit: no_action,
    react: react_rep_wait_recovery,
};

use super::rep_reservation::{release_slot, send_recovery_reserve};

/// `PeeringState::RepWaitRecoveryReserved::react(const RemoteRecoveryReserved&)`,
/// `react(const RemoteReservationRejectedTooFull&)` and
/// `react(const RemoteReservationCanceled&)`.
pub(crate) fn react_rep_wait_recovery(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::RemoteRecoveryReserved => {
            send_recovery_reserve(cx, RecoveryReserveOp::Grant);
            Ok(Outcome::Transit(StateId::RepRecovering))
        }
        Event::RemoteReservationRejectedTooFull => {
            // Older primaries cancel with a reject.
            cx.post(Event::RemoteReservationCanceled);
            Ok(Outcome::Discard)
        }
        Event::RemoteReservationCanceled => {
            release_slot(cx);
            Ok(Outcome::Transit(StateId::RepNotRecovering))
        }
        _ => Ok(Outcome::Discard),
    }
}
