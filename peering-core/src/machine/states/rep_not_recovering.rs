//! `RepNotRecovering`.

use crate::ctx::ReservationOp;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E, PeeringEvt};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::types::StateId;

/// `RepNotRecovering`'s definition.
pub(crate) const REP_NOT_RECOVERING: Spec<()> = Spec {
    name: "Started/ReplicaActive/RepNotRecovering",
    short_name: "RepNotRecovering",
    def: StateDef {
        id: StateId::RepNotRecovering,
        parent: Some(StateId::ReplicaActive),
        initial: None,
        reactions: &[
            Reaction::custom(E::RequestRecoveryPrio, &[StateId::RepWaitRecoveryReserved]),
            Reaction::custom(E::RequestBackfillPrio, &[StateId::RepWaitBackfillReserved]),
            Reaction::custom(E::RejectTooFullRemoteReservation, &[]),
            Reaction::transition(
                E::RemoteReservationRejectedTooFull,
                StateId::RepNotRecovering,
            ),
            Reaction::transition(E::RemoteReservationCanceled, StateId::RepNotRecovering),
            Reaction::custom(E::RemoteRecoveryReserved, &[]),
            Reaction::custom(E::RemoteBackfillReserved, &[]),
            // For peers that predate reservations.
            Reaction::transition(E::RecoveryDone, StateId::RepNotRecovering),
        ],
    },
    enter: no_action,
    exit: no_action,
    react: react_rep_not_recovering,
};

use super::rep_reservation::reject_reservation;

/// `PeeringState::RepNotRecovering::react(const RequestRecoveryPrio&)`,
/// `react(const RequestBackfillPrio&)`, `react(const RejectTooFullRemoteReservation&)`
/// and the no-op `react(const RemoteRecoveryReserved&)` /
/// `react(const RemoteBackfillReserved&)`.
pub(crate) fn react_rep_not_recovering(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    let e = cx.ps.epoch;
    match evt {
        Event::RequestRecoveryPrio(r) => {
            // A pre-Mimic primary sends no priority: reckon our own.
            let priority = if r.priority == 0 {
                cx.ps.recovery_priority()
            } else {
                r.priority
            };
            cx.ctx.reservations.push(ReservationOp::RequestRemote {
                priority,
                on_grant: PeeringEvt::new(e, Event::RemoteRecoveryReserved),
                on_preempt: Some(PeeringEvt::new(e, Event::RemoteRecoveryPreempted)),
            });
            Ok(Outcome::Transit(StateId::RepWaitRecoveryReserved))
        }
        Event::RequestBackfillPrio(r) => {
            // Ceph checks the space first and, if it is short, posts the rejection
            // and still moves on, so the rejection is handled in
            // RepWaitBackfillReserved; here the host's answer arrives there too.
            cx.ctx
                .reservations
                .push(ReservationOp::RequestRemoteBackfill {
                    primary_num_bytes: r.primary_num_bytes,
                    local_num_bytes: r.local_num_bytes,
                    priority: r.priority,
                    on_grant: PeeringEvt::new(e, Event::RemoteBackfillReserved),
                    on_preempt: Some(PeeringEvt::new(e, Event::RemoteBackfillPreempted)),
                    on_too_full: PeeringEvt::new(e, Event::RejectTooFullRemoteReservation),
                });
            Ok(Outcome::Transit(StateId::RepWaitBackfillReserved))
        }
        Event::RejectTooFullRemoteReservation => {
            reject_reservation(cx);
            cx.post(Event::RemoteReservationRejectedTooFull);
            Ok(Outcome::Discard)
        }
        // Our reserver's grant raced with the primary's release.
        Event::RemoteRecoveryReserved | Event::RemoteBackfillReserved => Ok(cx.raced()),
        _ => Ok(Outcome::Discard),
    }
}
