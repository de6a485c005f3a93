//! The replica's side of recovery and backfill reservations (reference §3
//! "RepNotRecovering", "RepWaitRecoveryReserved", "RepWaitBackfillReserved",
//! "RepRecovering", "ReplicaActive"): every reaction with its state and outputs,
//! and two primaries competing for one OSD's slot.

mod machine_support;
mod reserve_support;

use peering_core::Crash;
use peering_core::PeeringError;
use peering_core::ctx::{BackfillReserveMsg, RecoveryReserveMsg};
use peering_core::ctx::{BackfillReserveOp, DirectMessage, RecoveryReserveOp, ReservationOp};
use peering_core::event::{Event, EventKind, PeeringEvt, RequestBackfillPrio, RequestRecoveryPrio};
use peering_core::machine::{DropReason, EventOutcome, StateId, Transit};
use peering_core::types::{OsdId, PgId, SpgId};
use reserve_support::{World, loaded};

const REPLICA: i32 = 1;

/// A clean size-3 PG on osd.0..2; nothing is granted automatically.
fn clean() -> World {
    let c = loaded(&[0, 1, 2], &[0, 1, 2], &[(0, 18), (1, 18), (2, 18)], 3);
    let mut w = World::new(vec![c]);
    w.run();
    assert_eq!(w.pg(0, 0).state_id(), StateId::Clean);
    assert_eq!(w.pg(0, REPLICA).state_id(), StateId::RepNotRecovering);
    w.auto_grant = false;
    w.ops.clear();
    w
}

fn state(w: &World) -> StateId {
    w.pg(0, REPLICA).state_id()
}

/// The primary's shard of the PG (where replies go).
fn to_primary() -> SpgId {
    SpgId::replicated(PgId::new(machine_support::POOL, 0))
}

fn recovery_reserve(op: RecoveryReserveOp) -> (OsdId, DirectMessage) {
    (
        OsdId(0),
        DirectMessage::RecoveryReserve(RecoveryReserveMsg {
            pgid: to_primary(),
            epoch: 10,
            op,
            priority: 0,
        }),
    )
}

fn backfill_reserve(op: BackfillReserveOp) -> (OsdId, DirectMessage) {
    (
        OsdId(0),
        DirectMessage::BackfillReserve(BackfillReserveMsg {
            pgid: to_primary(),
            epoch: 10,
            op,
            priority: 0,
            primary_num_bytes: 0,
            shard_num_bytes: 0,
        }),
    )
}

fn request_recovery(priority: u32) -> Event {
    Event::RequestRecoveryPrio(RequestRecoveryPrio { priority })
}

fn request_backfill() -> Event {
    Event::RequestBackfillPrio(RequestBackfillPrio {
        priority: 110,
        primary_num_bytes: 4096,
        local_num_bytes: 1024,
    })
}

const RELEASE_SLOT: [ReservationOp; 2] =
    [ReservationOp::UnreserveSpace, ReservationOp::CancelRemote];

#[test]
fn request_recovery_prio_asks_the_remote_reserver() {
    let mut w = clean();
    let (o, out) = w.deliver_now(0, REPLICA, request_recovery(190));
    assert_eq!(o, EventOutcome::Delivered);
    assert_eq!(state(&w), StateId::RepWaitRecoveryReserved);
    assert_eq!(
        out.reservations,
        [ReservationOp::RequestRemote {
            priority: 190,
            on_grant: PeeringEvt::new(10, Event::RemoteRecoveryReserved),
            on_preempt: Some(PeeringEvt::new(10, Event::RemoteRecoveryPreempted)),
        }]
    );
    assert!(out.messages.is_empty());
}

#[test]
fn a_pre_mimic_request_without_priority_uses_our_own() {
    let mut w = clean();
    let own = w.pg(0, REPLICA).status().recovery_priority;
    let (_, out) = w.deliver_now(0, REPLICA, request_recovery(0));
    assert!(matches!(
        out.reservations.as_slice(),
        [ReservationOp::RequestRemote { priority, .. }] if *priority == own
    ));
}

#[test]
fn the_recovery_grant_is_sent_to_the_primary() {
    let mut w = clean();
    w.deliver_now(0, REPLICA, request_recovery(190));
    let (_, out) = w.deliver_now(0, REPLICA, Event::RemoteRecoveryReserved);
    assert_eq!(state(&w), StateId::RepRecovering);
    assert_eq!(out.messages, [recovery_reserve(RecoveryReserveOp::Grant)]);
    // The primary's release ends it; the exit gives back space and slot.
    let (_, out) = w.deliver_now(0, REPLICA, Event::RecoveryDone);
    assert_eq!(state(&w), StateId::RepNotRecovering);
    assert_eq!(out.reservations, RELEASE_SLOT);
}

#[test]
fn a_cancel_while_waiting_for_the_recovery_slot_withdraws_it() {
    for cancel in [
        Event::RemoteReservationCanceled,
        // Older primaries cancel with a reject: re-posted as a cancel.
        Event::RemoteReservationRejectedTooFull,
    ] {
        let mut w = clean();
        w.deliver_now(0, REPLICA, request_recovery(190));
        let (_, out) = w.deliver_now(0, REPLICA, cancel);
        assert_eq!(state(&w), StateId::RepNotRecovering);
        assert_eq!(out.reservations, RELEASE_SLOT);
        assert!(out.messages.is_empty());
    }
}

#[test]
fn a_release_while_waiting_for_the_recovery_slot_is_replica_actives_to_drop() {
    // Ceph's RepWaitRecoveryReserved does not list RecoveryDone: ReplicaActive
    // discards it and the queued request stays until the interval ends.
    let mut w = clean();
    w.deliver_now(0, REPLICA, request_recovery(190));
    let (o, out) = w.deliver_now(0, REPLICA, Event::RecoveryDone);
    assert_eq!(o, EventOutcome::Delivered);
    assert_eq!(state(&w), StateId::RepWaitRecoveryReserved);
    assert!(out.reservations.is_empty() && out.messages.is_empty());
}

#[test]
fn request_backfill_prio_leaves_the_space_check_to_the_host() {
    let mut w = clean();
    let (_, out) = w.deliver_now(0, REPLICA, request_backfill());
    assert_eq!(state(&w), StateId::RepWaitBackfillReserved);
    assert_eq!(
        out.reservations,
        [ReservationOp::RequestRemoteBackfill {
            primary_num_bytes: 4096,
            local_num_bytes: 1024,
            priority: 110,
            on_grant: PeeringEvt::new(10, Event::RemoteBackfillReserved),
            on_preempt: Some(PeeringEvt::new(10, Event::RemoteBackfillPreempted)),
            on_too_full: PeeringEvt::new(10, Event::RejectTooFullRemoteReservation),
        }]
    );
    // Space granted and slot granted: tell the primary.
    let (_, out) = w.deliver_now(0, REPLICA, Event::RemoteBackfillReserved);
    assert_eq!(state(&w), StateId::RepRecovering);
    assert_eq!(out.messages, [backfill_reserve(BackfillReserveOp::Grant)]);
}

#[test]
fn a_failed_space_check_rejects_too_full() {
    let mut w = clean();
    w.deliver_now(0, REPLICA, request_backfill());
    // The host's answer.
    let (_, out) = w.deliver_now(0, REPLICA, Event::RejectTooFullRemoteReservation);
    assert_eq!(state(&w), StateId::RepNotRecovering);
    assert_eq!(
        out.messages,
        [backfill_reserve(BackfillReserveOp::RejectTooFull)]
    );
    // reject_reservation's unreserve, then the posted reject's release.
    assert_eq!(
        out.reservations,
        [
            ReservationOp::UnreserveSpace,
            ReservationOp::UnreserveSpace,
            ReservationOp::CancelRemote
        ]
    );
}

#[test]
fn a_release_while_waiting_for_the_backfill_slot_withdraws_it() {
    for cancel in [
        Event::RemoteReservationCanceled,
        Event::RemoteReservationRejectedTooFull,
    ] {
        let mut w = clean();
        w.deliver_now(0, REPLICA, request_backfill());
        let (_, out) = w.deliver_now(0, REPLICA, cancel);
        assert_eq!(state(&w), StateId::RepNotRecovering);
        assert_eq!(out.reservations, RELEASE_SLOT);
    }
}

#[test]
fn rep_recovering_revokes_when_too_full_or_preempted() {
    let mut w = clean();
    w.deliver_now(0, REPLICA, request_backfill());
    w.deliver_now(0, REPLICA, Event::RemoteBackfillReserved);
    for (evt, msg) in [
        (
            Event::BackfillTooFull,
            backfill_reserve(BackfillReserveOp::RevokeTooFull),
        ),
        (
            Event::RemoteBackfillPreempted,
            backfill_reserve(BackfillReserveOp::Revoke),
        ),
        (
            Event::RemoteRecoveryPreempted,
            recovery_reserve(RecoveryReserveOp::Revoke),
        ),
    ] {
        let (_, out) = w.deliver_now(0, REPLICA, evt);
        // The primary's release, not the revoke, ends RepRecovering.
        assert_eq!(state(&w), StateId::RepRecovering);
        assert_eq!(out.messages, [msg]);
        assert_eq!(out.reservations, [ReservationOp::UnreserveSpace]);
    }
    for end in [
        Event::RemoteReservationCanceled,
        Event::RemoteReservationRejectedTooFull,
    ] {
        let mut w = clean();
        w.deliver_now(0, REPLICA, request_backfill());
        w.deliver_now(0, REPLICA, Event::RemoteBackfillReserved);
        let (_, out) = w.deliver_now(0, REPLICA, end);
        assert_eq!(state(&w), StateId::RepNotRecovering);
        assert_eq!(out.reservations, RELEASE_SLOT);
    }
}

#[test]
fn rep_not_recovering_drops_late_grants_and_reenters_on_releases() {
    let mut w = clean();
    for grant in [Event::RemoteRecoveryReserved, Event::RemoteBackfillReserved] {
        let (o, out) = w.deliver_now(0, REPLICA, grant);
        assert_eq!(
            o,
            EventOutcome::Dropped(DropReason::Raced {
                state: StateId::RepNotRecovering
            })
        );
        assert!(out.messages.is_empty() && out.reservations.is_empty());
    }
    for release in [
        Event::RecoveryDone,
        Event::RemoteReservationCanceled,
        Event::RemoteReservationRejectedTooFull,
    ] {
        w.clusters[0]
            .pgs
            .get_mut(&REPLICA)
            .unwrap()
            .clear_state_history();
        let (o, _) = w.deliver_now(0, REPLICA, release);
        assert_eq!(o, EventOutcome::Delivered);
        assert_eq!(state(&w), StateId::RepNotRecovering);
        let recs: Vec<_> = w
            .pg(0, REPLICA)
            .state_history()
            .records()
            .map(|r| (r.transit, r.state))
            .collect();
        assert_eq!(
            recs,
            [
                (Transit::Exit, StateId::RepNotRecovering),
                (Transit::Enter, StateId::RepNotRecovering)
            ]
        );
    }
    // A too-full answer arriving after the request was released: still rejected.
    let (_, out) = w.deliver_now(0, REPLICA, Event::RejectTooFullRemoteReservation);
    assert_eq!(
        out.messages,
        [backfill_reserve(BackfillReserveOp::RejectTooFull)]
    );
    assert_eq!(state(&w), StateId::RepNotRecovering);
}

#[test]
fn a_second_request_while_one_is_pending_crashes_as_in_ceph() {
    let mut w = clean();
    w.deliver_now(0, REPLICA, request_recovery(190));
    let err = w.deliver_err(0, REPLICA, request_recovery(190));
    assert_eq!(
        err,
        PeeringError::Crashed(Crash::Unhandled {
            state: StateId::RepWaitRecoveryReserved,
            event: EventKind::RequestRecoveryPrio
        })
    );
    assert!(w.pg(0, REPLICA).is_crashed());
}

#[test]
fn leaving_replica_active_gives_back_a_held_slot() {
    let mut w = clean();
    w.deliver_now(0, REPLICA, request_recovery(190));
    w.deliver_now(0, REPLICA, Event::RemoteRecoveryReserved);
    assert_eq!(state(&w), StateId::RepRecovering);
    w.ops.clear();
    // osd.2 goes down: a new interval resets every instance.
    w.next_map(0, machine_support::mapping(&[0, 1]), |m| m.mark_down(2));
    let mine: Vec<_> = w
        .ops
        .iter()
        .filter(|(_, o, _)| *o == REPLICA)
        .map(|(_, _, op)| op.clone())
        .collect();
    // RepRecovering's exit, then ReplicaActive's.
    assert_eq!(
        mine,
        [
            ReservationOp::UnreserveSpace,
            ReservationOp::CancelRemote,
            ReservationOp::UnreserveSpace,
            ReservationOp::CancelRemote
        ]
    );
}

/// Scenario: two primaries need the same two OSDs' recovery slots; each OSD's
/// remote reserver has one slot. PG A's acting is [0, 2, 3], PG B's [1, 3, 2]: B
/// lists osd.3 first, but both ask osd.2 first (ascending order), so whoever
/// waits holds nothing the other needs, and both finish (no deadlock).
#[test]
fn scenario_two_primaries_compete_for_one_slot_and_both_finish() {
    let a = loaded(&[0, 1, 2, 3], &[0, 2, 3], &[(0, 18), (2, 15), (3, 15)], 3);
    let b = loaded(&[0, 1, 2, 3], &[1, 3, 2], &[(1, 18), (3, 15), (2, 15)], 3);
    let mut w = World::new(vec![a, b]);
    w.run();
    // A asked first and holds both slots; B waits for osd.2's, holding none.
    assert_eq!(w.pg(0, 0).state_id(), StateId::Recovering);
    assert_eq!(w.pg(1, 1).state_id(), StateId::WaitRemoteRecoveryReserved);
    assert_eq!(w.remote[&2].granted.as_ref().unwrap().owner, (0, 2));
    assert_eq!(w.remote[&3].granted.as_ref().unwrap().owner, (0, 3));
    assert_eq!(w.remote[&2].queue.len(), 1);
    assert_eq!(w.remote[&2].queue[0].owner, (1, 2));
    assert!(w.remote[&3].queue.is_empty());
    let b_requests: Vec<_> = w
        .reserve_msgs(1)
        .into_iter()
        .filter(|(f, _, _)| *f == 1)
        .map(|(_, t, _)| t)
        .collect();
    assert_eq!(b_requests, [2]);

    // A recovers and releases: B gets osd.2, then osd.3, then recovers too.
    w.recover_all(0, 0);
    assert_eq!(w.pg(0, 0).state_id(), StateId::Clean);
    assert_eq!(w.pg(1, 1).state_id(), StateId::Recovering);
    let b_requests: Vec<_> = w
        .reserve_msgs(1)
        .into_iter()
        .filter(|(f, _, m)| {
            *f == 1
                && matches!(
                    m,
                    DirectMessage::RecoveryReserve(RecoveryReserveMsg {
                        op: RecoveryReserveOp::Request,
                        ..
                    })
                )
        })
        .map(|(_, t, _)| t)
        .collect();
    assert_eq!(b_requests, [2, 3]);
    w.recover_all(1, 1);
    assert_eq!(w.pg(1, 1).state_id(), StateId::Clean);
    for o in [2, 3] {
        assert!(w.remote[&o].granted.is_none());
        assert!(w.remote[&o].queue.is_empty());
    }
}
