//! Log-based recovery under reservation, primary side (reference §3
//! "Activating", "Clean", "WaitLocalRecoveryReserved", "WaitRemoteRecoveryReserved",
//! "Recovering", "NotRecovering", §5.24, §8.6): every reaction, its state and its
//! outputs, then scenarios through the shared-reserver host of `reserve_support`.

mod machine_support;
mod reserve_support;

use peering_core::Crash;
use peering_core::PeeringError;
use peering_core::ctx::RecoveryReserveMsg;
use peering_core::ctx::{DirectMessage, HostNotification, RecoveryReserveOp, ReservationOp};
use peering_core::event::{Defer, Event, EventKind, PeeringEvt};
use peering_core::machine::{DropReason, EventOutcome, Invariant, StateId};
use peering_core::types::{OsdId, PgState, Timespan};
use reserve_support::{World, loaded};

const PRIMARY: i32 = 0;

/// osd.1 missed the writes 10'16..10'18; nothing is granted automatically, and
/// the PG waits in Activating for the host's answer.
fn behind_replica() -> World {
    let c = loaded(&[0, 1, 2], &[0, 1, 2], &[(0, 18), (1, 15), (2, 18)], 3);
    let mut w = World::new(vec![c]);
    w.auto_grant = false;
    w.answer_activate = false;
    w.run();
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::Activating);
    assert!(w.pg(0, PRIMARY).needs_recovery());
    w
}

fn recovery_requests(out: &[(OsdId, DirectMessage)]) -> Vec<(i32, RecoveryReserveOp, u32)> {
    out.iter()
        .filter_map(|(to, m)| match m {
            DirectMessage::RecoveryReserve(RecoveryReserveMsg { op, priority, .. }) => {
                Some((to.0, *op, *priority))
            }
            _ => None,
        })
        .collect()
}

fn bits(w: &World) -> PgState {
    w.pg(0, PRIMARY).state_bits()
}

/// Brings the primary of `behind_replica` to Recovering by hand.
fn to_recovering(w: &mut World) {
    reserve_support::to_recovering(w, PRIMARY);
}

#[test]
fn do_recovery_in_activating_asks_the_local_reserver() {
    let mut w = behind_replica();
    let (outcome, out) = w.deliver_now(0, PRIMARY, Event::DoRecovery);
    assert_eq!(outcome, EventOutcome::Delivered);
    let pg = w.pg(0, PRIMARY);
    assert_eq!(pg.state_id(), StateId::WaitLocalRecoveryReserved);
    assert!(pg.state_bits().contains(PgState::RECOVERY_WAIT));
    assert!(!pg.state_bits().contains(PgState::RECOVERY_TOOFULL));
    let prio = pg.status().recovery_priority;
    // RECOVERY_BASE plus the pool's priority shifted into [0, 20] (§5.24).
    assert_eq!(prio, 190);
    assert_eq!(
        out.reservations,
        [ReservationOp::RequestLocal {
            priority: prio,
            on_grant: PeeringEvt::new(10, Event::LocalRecoveryReserved),
            on_preempt: Some(PeeringEvt::new(
                10,
                Event::DeferRecovery(Defer { delay: Timespan(0) })
            )),
        }]
    );
    // Nothing goes to a replica before the local slot is held.
    assert!(recovery_requests(&out.messages).is_empty());
}

#[test]
fn remote_slots_are_asked_one_at_a_time_in_order() {
    let mut w = behind_replica();
    w.deliver_now(0, PRIMARY, Event::DoRecovery);
    // The local grant: the self-kick asks osd.1 only.
    let (_, out) = w.deliver_now(0, PRIMARY, Event::LocalRecoveryReserved);
    assert_eq!(
        w.pg(0, PRIMARY).state_id(),
        StateId::WaitRemoteRecoveryReserved
    );
    assert_eq!(
        recovery_requests(&out.messages),
        [(1, RecoveryReserveOp::Request, 190)]
    );
    // osd.1's grant: now osd.2.
    let (_, out) = w.deliver_now(0, PRIMARY, Event::RemoteRecoveryReserved);
    assert_eq!(
        w.pg(0, PRIMARY).state_id(),
        StateId::WaitRemoteRecoveryReserved
    );
    assert_eq!(
        recovery_requests(&out.messages),
        [(2, RecoveryReserveOp::Request, 190)]
    );
    // osd.2's grant: all held (AllRemotesReserved) and recovery starts.
    let (_, out) = w.deliver_now(0, PRIMARY, Event::RemoteRecoveryReserved);
    let pg = w.pg(0, PRIMARY);
    assert_eq!(pg.state_id(), StateId::Recovering);
    assert!(recovery_requests(&out.messages).is_empty());
    assert!(pg.state_bits().contains(PgState::RECOVERING));
    assert!(!pg.state_bits().contains(PgState::RECOVERY_WAIT));
    assert_eq!(out.notifications, [HostNotification::RecoveryReserved]);
    assert!(out.reservations.is_empty());
    let entered: Vec<_> = pg.state_history().entered().collect();
    let tail = &entered[entered.len() - 3..];
    assert_eq!(
        tail,
        [
            StateId::WaitLocalRecoveryReserved,
            StateId::WaitRemoteRecoveryReserved,
            StateId::Recovering
        ]
    );
}

#[test]
fn remote_order_is_ascending_osd_not_acting_order() {
    // Acting lists osd.3 before osd.1; both missed writes.
    let c = loaded(&[0, 1, 3], &[0, 3, 1], &[(0, 18), (3, 15), (1, 16)], 3);
    let mut w = World::new(vec![c]);
    w.run();
    let reqs: Vec<_> = w
        .reserve_msgs(0)
        .into_iter()
        .map(|(from, to, m)| match m {
            DirectMessage::RecoveryReserve(RecoveryReserveMsg { op, .. }) => (from, to, op),
            other => panic!("{other:?}"),
        })
        .collect();
    use RecoveryReserveOp::*;
    assert_eq!(
        reqs,
        [
            (0, 1, Request),
            (1, 0, Grant),
            (0, 3, Request),
            (3, 0, Grant)
        ]
    );
    assert_eq!(w.pg(0, 0).state_id(), StateId::Recovering);
}

#[test]
fn a_full_participant_defers_recovery_and_a_timer_retries() {
    let c = loaded(&[0, 1, 2], &[0, 1, 2], &[(0, 18), (1, 15), (2, 18)], 3);
    let mut w = World::new(vec![c]);
    w.answer_activate = false;
    w.run();
    let e = w.pg(0, PRIMARY).epoch();
    w.next_map(0, machine_support::mapping(&[0, 1, 2]), |m| {
        m.set_full(2, true)
    });
    w.run();
    let (_, out) = w.deliver_now(0, PRIMARY, Event::DoRecovery);
    let pg = w.pg(0, PRIMARY);
    assert_eq!(pg.state_id(), StateId::NotRecovering);
    assert!(pg.state_bits().contains(PgState::RECOVERY_TOOFULL));
    assert!(!pg.state_bits().contains(PgState::RECOVERY_WAIT));
    // No slot was asked for; a DoRecovery is scheduled after the retry interval.
    assert!(out.reservations.is_empty());
    assert_eq!(out.timers.len(), 1);
    assert_eq!(out.timers[0].delay, Timespan(30_000_000_000));
    assert_eq!(
        out.timers[0].event,
        PeeringEvt::new(e + 1, Event::DoRecovery)
    );
    // The OSD drains; the retry goes through both reservations.
    w.next_map(0, machine_support::mapping(&[0, 1, 2]), |m| {
        m.set_full(2, false)
    });
    w.run();
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::NotRecovering);
    w.fire_timers();
    let pg = w.pg(0, PRIMARY);
    assert_eq!(pg.state_id(), StateId::Recovering);
    assert!(!pg.state_bits().contains(PgState::RECOVERY_TOOFULL));
}

#[test]
fn all_replicas_recovered_releases_everything_and_goes_clean() {
    let mut w = behind_replica();
    to_recovering(&mut w);
    // The replicas never saw the hand-delivered requests: drop them.
    w.clusters[0].queue.clear();
    // The host pushes the three objects (scripted engine), then reports.
    w.auto_grant = true;
    w.recover_all(0, PRIMARY);
    let pg = w.pg(0, PRIMARY);
    assert_eq!(pg.state_id(), StateId::Clean);
    assert!(!pg.state_bits().contains(PgState::RECOVERING));
    assert!(pg.state_bits().contains(PgState::CLEAN));
    let releases: Vec<_> = w
        .reserve_msgs(0)
        .into_iter()
        .filter(|(_, _, m)| {
            matches!(
                m,
                DirectMessage::RecoveryReserve(RecoveryReserveMsg {
                    op: RecoveryReserveOp::Release,
                    ..
                })
            )
        })
        .map(|(f, t, _)| (f, t))
        .collect();
    assert_eq!(releases, [(0, 1), (0, 2)]);
    assert!(
        w.ops
            .iter()
            .any(|(_, o, op)| *o == PRIMARY && *op == ReservationOp::CancelLocal)
    );
}

#[test]
fn defer_recovery_releases_and_schedules_a_retry() {
    let mut w = behind_replica();
    to_recovering(&mut w);
    let delay = Timespan(5_000_000_000);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::DeferRecovery(Defer { delay }));
    let pg = w.pg(0, PRIMARY);
    assert_eq!(pg.state_id(), StateId::NotRecovering);
    assert!(pg.state_bits().contains(PgState::RECOVERY_WAIT));
    assert!(!pg.state_bits().contains(PgState::RECOVERING));
    assert_eq!(out.reservations, [ReservationOp::CancelLocal]);
    assert_eq!(
        recovery_requests(&out.messages),
        [
            (1, RecoveryReserveOp::Release, 0),
            (2, RecoveryReserveOp::Release, 0)
        ]
    );
    assert_eq!(out.timers.len(), 1);
    assert_eq!(out.timers[0].delay, delay);
    assert_eq!(out.timers[0].event.event, Event::DoRecovery);
    // The retry starts over with the local reservation.
    w.deliver_now(0, PRIMARY, Event::DoRecovery);
    assert_eq!(
        w.pg(0, PRIMARY).state_id(),
        StateId::WaitLocalRecoveryReserved
    );
}

#[test]
fn unfound_recovery_stops_until_do_recovery() {
    let mut w = behind_replica();
    to_recovering(&mut w);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::UnfoundRecovery);
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::NotRecovering);
    assert!(bits(&w).contains(PgState::RECOVERY_UNFOUND));
    assert_eq!(out.reservations, [ReservationOp::CancelLocal]);
    assert_eq!(recovery_requests(&out.messages).len(), 2);
    assert!(out.timers.is_empty());
    // NotRecovering discards what would stop recovery again, with a reason.
    for evt in [
        Event::UnfoundRecovery,
        Event::DeferRecovery(Defer::default()),
    ] {
        let (outcome, out) = w.deliver_now(0, PRIMARY, evt);
        assert_eq!(
            outcome,
            EventOutcome::Dropped(DropReason::Raced {
                state: StateId::NotRecovering
            })
        );
        assert!(out.reservations.is_empty() && out.messages.is_empty());
    }
    // Leaving NotRecovering forgets the unfound flag.
    w.deliver_now(0, PRIMARY, Event::DoRecovery);
    assert_eq!(
        w.pg(0, PRIMARY).state_id(),
        StateId::WaitLocalRecoveryReserved
    );
    assert!(!bits(&w).contains(PgState::RECOVERY_UNFOUND));
}

#[test]
fn request_backfill_while_recovering_moves_to_backfill_reservation() {
    let mut w = behind_replica();
    to_recovering(&mut w);
    w.deliver_now(0, PRIMARY, Event::SetForceRecovery);
    assert!(bits(&w).contains(PgState::FORCED_RECOVERY));
    let (_, out) = w.deliver_now(0, PRIMARY, Event::RequestBackfill);
    assert_eq!(
        w.pg(0, PRIMARY).state_id(),
        StateId::WaitLocalBackfillReserved
    );
    assert!(!bits(&w).contains(PgState::FORCED_RECOVERY));
    assert!(!bits(&w).contains(PgState::RECOVERING));
    assert!(bits(&w).contains(PgState::BACKFILL_WAIT));
    assert_eq!(
        recovery_requests(&out.messages),
        [
            (1, RecoveryReserveOp::Release, 0),
            (2, RecoveryReserveOp::Release, 0)
        ]
    );
    // Local slot given back, then asked for again at the backfill priority.
    let prio = w.pg(0, PRIMARY).status().backfill_priority;
    assert_eq!(out.reservations.len(), 2);
    assert_eq!(out.reservations[0], ReservationOp::CancelLocal);
    assert!(matches!(
        &out.reservations[1],
        ReservationOp::RequestLocal { priority, on_grant, .. }
            if *priority == prio && on_grant.event == Event::LocalBackfillReserved
    ));
}

#[test]
fn forcing_recovery_raises_the_priority_of_what_is_asked_next() {
    let mut w = behind_replica();
    w.deliver_now(0, PRIMARY, Event::DoRecovery);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::SetForceRecovery);
    assert!(bits(&w).contains(PgState::FORCED_RECOVERY));
    assert_eq!(
        out.reservations,
        [ReservationOp::UpdateLocalPriority { priority: 255 }]
    );
    let (_, out) = w.deliver_now(0, PRIMARY, Event::LocalRecoveryReserved);
    assert_eq!(
        recovery_requests(&out.messages),
        [(1, RecoveryReserveOp::Request, 255)]
    );
    // Cancelling the force lowers it again.
    let (_, out) = w.deliver_now(0, PRIMARY, Event::UnsetForceRecovery);
    assert_eq!(
        out.reservations,
        [ReservationOp::UpdateLocalPriority { priority: 190 }]
    );
}

#[test]
fn recovery_finishing_with_the_primary_still_missing_crashes() {
    // The primary itself is behind: it cannot declare recovery done.
    let c = loaded(&[0, 1, 2], &[0, 1, 2], &[(0, 15), (1, 18), (2, 18)], 3);
    let mut w = World::new(vec![c]);
    w.run();
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::Recovering);
    let err = w.deliver_err(0, PRIMARY, Event::AllReplicasRecovered);
    assert_eq!(
        err,
        PeeringError::Crashed(Crash::Invariant {
            state: StateId::Recovering,
            what: Invariant::ReleaseWithMissing
        })
    );
    assert!(w.pg(0, PRIMARY).is_crashed());
}

#[test]
fn a_grant_nobody_asked_for_crashes_the_pg_as_ceph_does() {
    // A second grant once every slot is held: no state lists it (Ceph aborts).
    let mut w = behind_replica();
    to_recovering(&mut w);
    let err = w.deliver_err(0, PRIMARY, Event::RemoteRecoveryReserved);
    assert_eq!(
        err,
        PeeringError::Crashed(Crash::Unhandled {
            state: StateId::Recovering,
            event: EventKind::RemoteRecoveryReserved
        })
    );
    assert!(w.pg(0, PRIMARY).is_crashed());

    // A grant in Activating, before anything was requested.
    let mut w = behind_replica();
    let err = w.deliver_err(0, PRIMARY, Event::RemoteRecoveryReserved);
    assert!(matches!(
        err,
        PeeringError::Crashed(Crash::Unhandled {
            state: StateId::Activating,
            ..
        })
    ));
    // A local grant that was never asked for.
    let mut w = behind_replica();
    let err = w.deliver_err(0, PRIMARY, Event::LocalRecoveryReserved);
    assert!(matches!(
        err,
        PeeringError::Crashed(Crash::Unhandled { .. })
    ));
}

#[test]
fn late_defers_and_retries_are_dropped_with_a_reason() {
    let mut w = behind_replica();
    to_recovering(&mut w);
    // DoRecovery while recovering (Active discards it).
    let (o, out) = w.deliver_now(0, PRIMARY, Event::DoRecovery);
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::Raced {
            state: StateId::Recovering
        })
    );
    assert!(out.reservations.is_empty() && out.messages.is_empty());
    // A local preemption while waiting on remotes is Active's to discard.
    let mut w = behind_replica();
    w.deliver_now(0, PRIMARY, Event::DoRecovery);
    w.deliver_now(0, PRIMARY, Event::LocalRecoveryReserved);
    let (o, _) = w.deliver_now(0, PRIMARY, Event::DeferRecovery(Defer::default()));
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::Raced {
            state: StateId::WaitRemoteRecoveryReserved
        })
    );
    assert_eq!(
        w.pg(0, PRIMARY).state_id(),
        StateId::WaitRemoteRecoveryReserved
    );
}

#[test]
fn do_recovery_in_clean_starts_recovery_again() {
    let c = loaded(&[0, 1, 2], &[0, 1, 2], &[(0, 18), (1, 18), (2, 18)], 3);
    let mut w = World::new(vec![c]);
    w.run();
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::Clean);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::DoRecovery);
    assert_eq!(
        w.pg(0, PRIMARY).state_id(),
        StateId::WaitLocalRecoveryReserved
    );
    assert!(!bits(&w).contains(PgState::CLEAN));
    assert!(matches!(
        out.reservations.as_slice(),
        [ReservationOp::RequestLocal { .. }]
    ));
    // A revoke for a slot already released (Clean, nothing held) is dropped.
    let c = loaded(&[0, 1, 2], &[0, 1, 2], &[(0, 18), (1, 18), (2, 18)], 3);
    let mut w = World::new(vec![c]);
    w.run();
    let (o, _) = w.deliver_now(0, PRIMARY, Event::DeferRecovery(Defer::default()));
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::Raced {
            state: StateId::Clean
        })
    );
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::Clean);
}

/// Scenario (§9, §8.6): a replica that missed writes is recovered through both
/// reservations, local then remote one by one, and the PG ends clean with the
/// replica's copy complete.
#[test]
fn scenario_a_replica_that_missed_writes_is_recovered() {
    let c = loaded(&[0, 1, 2], &[0, 1, 2], &[(0, 18), (1, 15), (2, 18)], 3);
    let mut w = World::new(vec![c]);
    w.run();
    // Local first, then osd.1's and osd.2's remote slots, each after the previous
    // grant.
    let kinds: Vec<_> = w
        .ops
        .iter()
        .map(|(_, osd, op)| match op {
            ReservationOp::RequestLocal { .. } => (*osd, "local"),
            ReservationOp::RequestRemote { .. } => (*osd, "remote"),
            _ => (*osd, "other"),
        })
        .collect();
    assert_eq!(kinds, [(0, "local"), (1, "remote"), (2, "remote")]);
    use RecoveryReserveOp::*;
    let msgs: Vec<_> = w
        .reserve_msgs(0)
        .into_iter()
        .map(|(f, t, m)| match m {
            DirectMessage::RecoveryReserve(RecoveryReserveMsg { op, .. }) => (f, t, op),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        msgs,
        [
            (0, 1, Request),
            (1, 0, Grant),
            (0, 2, Request),
            (2, 0, Grant)
        ]
    );
    assert_eq!(w.pg(0, 1).state_id(), StateId::RepRecovering);
    assert_eq!(w.pg(0, 2).state_id(), StateId::RepRecovering);
    assert!(w.remote[&1].granted.is_some() && w.remote[&2].granted.is_some());

    w.recover_all(0, PRIMARY);
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::Clean);
    assert!(
        w.pg(0, PRIMARY)
            .state_bits()
            .contains(PgState::ACTIVE | PgState::CLEAN)
    );
    assert!(!w.pg(0, PRIMARY).needs_recovery());
    for o in [1, 2] {
        assert_eq!(w.pg(0, o).state_id(), StateId::RepNotRecovering);
        // RepRecovering's exit gave the slot back.
        assert!(w.remote[&o].granted.is_none());
    }
    let r = w.pg(0, 1);
    assert_eq!(r.info().last_complete, r.info().last_update);
    assert!(!r.pg_log().missing().have_missing());
    assert!(w.local[&0].granted.is_none());
}

#[test]
fn do_recovery_in_recovered_starts_recovery_again() {
    // The primary's own activation commit is held, so Recovered cannot go clean
    // yet (not all replicas activated) and stays put.
    let c = loaded(&[0, 1, 2], &[0, 1, 2], &[(0, 18), (1, 18), (2, 18)], 3);
    let mut w = World::new(vec![c]);
    w.clusters[0].hold_commits = true;
    w.run();
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::Activating);
    w.deliver_now(0, PRIMARY, Event::AllReplicasRecovered);
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::Recovered);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::DoRecovery);
    assert_eq!(
        w.pg(0, PRIMARY).state_id(),
        StateId::WaitLocalRecoveryReserved
    );
    assert!(matches!(
        out.reservations.as_slice(),
        [ReservationOp::RequestLocal { .. }]
    ));
}

#[test]
fn active_drops_recovery_and_backfill_steps_no_substate_wants() {
    let c = loaded(&[0, 1, 2], &[0, 1, 2], &[(0, 18), (1, 18), (2, 18)], 3);
    let mut w = World::new(vec![c]);
    w.run();
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::Clean);
    w.ops.clear();
    for evt in [
        Event::Backfilled,
        Event::DeferRecovery(Defer::default()),
        Event::DeferBackfill(Defer::default()),
        Event::UnfoundRecovery,
        Event::UnfoundBackfill,
        Event::RemoteReservationRevokedTooFull,
        Event::RemoteReservationRevoked,
    ] {
        let kind = evt.kind();
        let (o, out) = w.deliver_now(0, PRIMARY, evt);
        assert_eq!(
            o,
            EventOutcome::Dropped(DropReason::Raced {
                state: StateId::Clean
            }),
            "{kind:?}"
        );
        assert!(out.messages.is_empty() && out.reservations.is_empty() && out.timers.is_empty());
        assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::Clean);
    }
    // A replica-side event at the primary is unhandled, as in Ceph.
    let err = w.deliver_err(0, PRIMARY, Event::RecoveryDone);
    assert_eq!(
        err,
        PeeringError::Crashed(Crash::Unhandled {
            state: StateId::Clean,
            event: EventKind::RecoveryDone
        })
    );
}
