//! The replica's side of recovery and backfill reservations, children of
//! `ReplicaActive`: `RepNotRecovering`, `RepWaitRecoveryReserved`,
//! `RepWaitBackfillReserved`, `RepRecovering` (reference §1.2, §2.1, §3 of those
//! names).
//!
//! A primary's `REQUEST` asks this OSD's remote reserver for a slot; the grant
//! callback answers the primary with `GRANT`. For backfill the host first checks
//! (and accounts) the space the backfill will take: that answer is the host's, not
//! ours, so it comes back as an event
//! ([`crate::ctx::ReservationOp::RequestRemoteBackfill`]).

use crate::ctx::{BackfillReserveOp, RecoveryReserveOp, ReservationOp};
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E, PeeringEvt};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::machine::state_id::StateId;
use crate::types::SpgId;

use super::backfill::backfill_reserve;
use super::recovery::recovery_reserve;

/// `RepNotRecovering`'s definition (§3).
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

/// `RepWaitRecoveryReserved`'s definition (§3).
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

/// `RepWaitBackfillReserved`'s definition (§3).
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

/// `RepRecovering`'s definition (§3).
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

/// The primary's shard of this PG, where replies go.
fn primary_pgid(cx: &Cx<'_>) -> SpgId {
    SpgId::new(cx.ps.info.pgid.pgid, cx.ps.primary.shard)
}

/// Direct send of `MRecoveryReserve{op}` to the primary.
fn send_recovery_reserve(cx: &mut Cx<'_>, op: RecoveryReserveOp) {
    let msg = recovery_reserve(primary_pgid(cx), cx.ps.epoch, op, 0);
    cx.ctx.send_direct(cx.ps.primary.osd, msg);
}

/// Direct send of `MBackfillReserve{op}` to the primary.
fn send_backfill_reserve(cx: &mut Cx<'_>, op: BackfillReserveOp) {
    let msg = backfill_reserve(primary_pgid(cx), cx.ps.epoch, op);
    cx.ctx.send_direct(cx.ps.primary.osd, msg);
}

/// `reject_reservation()`: give back the space and tell the primary we are too
/// full.
fn reject_reservation(cx: &mut Cx<'_>) {
    cx.ctx.reservations.push(ReservationOp::UnreserveSpace);
    send_backfill_reserve(cx, BackfillReserveOp::RejectTooFull);
}

/// Gives back the space and the remote slot (held or still queued):
/// `unreserve_recovery_space()` + `cancel_remote_recovery_reservation()`.
pub(super) fn release_slot(cx: &mut Cx<'_>) {
    cx.ctx.reservations.push(ReservationOp::UnreserveSpace);
    cx.ctx.reservations.push(ReservationOp::CancelRemote);
}

/// `RepRecovering`'s exit: the slot and the space go back whichever way we leave.
pub(crate) fn exit_rep_recovering(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    release_slot(cx);
    Ok(())
}

/// `PeeringState::RepNotRecovering::react(const RequestRecoveryPrio&)`,
/// `react(const RequestBackfillPrio&)`, `react(const RejectTooFullRemoteReservation&)`
/// and the no-op `react(const RemoteRecoveryReserved&)` /
/// `react(const RemoteBackfillReserved&)` (§3 "RepNotRecovering").
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

/// `PeeringState::RepWaitRecoveryReserved::react(const RemoteRecoveryReserved&)`,
/// `react(const RemoteReservationRejectedTooFull&)` and
/// `react(const RemoteReservationCanceled&)` (§3 "RepWaitRecoveryReserved").
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

/// `PeeringState::RepWaitBackfillReserved::react(const RemoteBackfillReserved&)`,
/// `react(const RejectTooFullRemoteReservation&)`,
/// `react(const RemoteReservationRejectedTooFull&)` and
/// `react(const RemoteReservationCanceled&)` (§3 "RepWaitBackfillReserved").
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

/// `PeeringState::RepRecovering::react(const BackfillTooFull&)`,
/// `react(const RemoteRecoveryPreempted&)` and `react(const RemoteBackfillPreempted&)`
/// (§3 "RepRecovering"): give back the space and tell the primary, which answers
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
