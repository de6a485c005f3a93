//! `RepWaitBackfillReserved`.

use crate::ctx::BackfillReserveOp;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::types::StateId;

/// `RepWaitBackfillReserved`'s definition.
pub(crate) const REP_WAIT_BACKFILL_RESERVED: Spec<()> = Spec {
    name: "Started/ReplicaActive/RepWaitBackfillReserved",
    short_name: "RepWaitBackfillReserved",
    def: StateDef {
        id: StateId::RepWaitBackfillReserved,
        parent: Some(StateId::ReplicaActive),
        initial: None,
        reactions: &[
            Reaction::custom(E::RemoteBackfillReserved, &[StateId::RepRecovering]),
            Reaction::custom(E::RejectTooFullRemoteReservation, &[]),
            Reaction::custom(
                E::RemoteReservationRejectedTooFull,
                &[StateId::RepNotRecovering],
            ),
            Reaction::custom(E::RemoteReservationCanceled, &[StateId::RepNotRecovering]),
        ],
    },
    enter: no_action,
    exit: no_action,
    react: react_rep_wait_backfill,
};

use super::rep_reservation::{reject_reservation, release_slot, send_backfill_reserve};

/// `PeeringState::RepWaitBackfillReserved::react(const RemoteBackfillReserved&)`,
/// `react(const RejectTooFullRemoteReservation&)`,
/// `react(const RemoteReservationRejectedTooFull&)` and
/// `react(const RemoteReservationCanceled&)`.
pub(crate) fn react_rep_wait_backfill(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::RemoteBackfillReserved => {
            send_backfill_reserve(cx, BackfillReserveOp::Grant);
            Ok(Outcome::Transit(StateId::RepRecovering))
        }
        Event::RejectTooFullRemoteReservation => {
            reject_reservation(cx);
            cx.post(Event::RemoteReservationRejectedTooFull);
            Ok(Outcome::Discard)
        }
        Event::RemoteReservationRejectedTooFull | Event::RemoteReservationCanceled => {
            release_slot(cx);
            Ok(Outcome::Transit(StateId::RepNotRecovering))
        }
        _ => Ok(Outcome::Discard),
    }
}
