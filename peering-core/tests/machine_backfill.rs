//! Backfill under reservation, primary side (reference §3 "Activating",
//! "WaitLocalBackfillReserved", "WaitRemoteBackfillReserved", "Backfilling",
//! "NotBackfilling", "Recovered", §5.24, §8.6, §9 E): every reaction with its state
//! and outputs, a target rejecting too-full then granting after the retry, and a
//! new OSD backfilled through a pg_temp until acting == up.

mod machine_support;
mod reserve_support;

use peering_core::PeeringError;
use peering_core::ctx::{BackfillReserveMsg, RemoveMsg};
use peering_core::ctx::{BackfillReserveOp, DirectMessage, HostNotification, ReservationOp};
use peering_core::event::{Defer, Event, EventKind, PeeringEvt};
use peering_core::machine::{DropReason, EventOutcome, StateId};
use peering_core::types::{ObjectId, OsdId, PgState, Timespan};
use peering_core::{Crash, HostMisuse};
use reserve_support::{World, backfill_world, shard, temp_mapping};

const PRIMARY: i32 = 0;
const TARGET: i32 = 3;

/// The PG remapped to up [0, 1, 3] through the pg_temp [0, 1, 2]: active with
/// osd.3 as backfill target. Without `auto` it waits in Activating for the host's
/// answer; with it the host answers and grants, and backfill starts.
fn remapped(auto: bool) -> World {
    let mut w = backfill_world();
    w.auto_grant = auto;
    w.answer_activate = auto;
    remap(&mut w);
    let ps = w.pg(0, PRIMARY).status();
    assert_eq!(
        ps.backfill_targets.iter().copied().collect::<Vec<_>>(),
        [shard(TARGET)]
    );
    assert!(ps.needs_backfill && !ps.needs_recovery);
    w
}

/// The up set becomes [0, 1, 3]; the primary asks for the pg_temp [0, 1, 2], the
/// monitor grants it and then the primary's up_thru.
fn remap(w: &mut World) {
    w.next_map(0, temp_mapping(&[0, 1, 3], &[0, 1, 3]), |_| {});
    w.run();
    assert_eq!(w.pg(0, PRIMARY).state_id(), StateId::WaitActingChange);
    assert_eq!(want_acting(w), [0, 1, 2]);
    w.next_map(0, temp_mapping(&[0, 1, 3], &[0, 1, 2]), |_| {});
    w.run();
    let e = w.clusters[0].epoch();
    w.next_map(0, temp_mapping(&[0, 1, 3], &[0, 1, 2]), |m| {
        m.set_up_thru(0, e)
    });
    w.run();
}

/// The acting set the primary asked the monitor for.
fn want_acting(w: &World) -> Vec<i32> {
    let ps = w.pg(0, PRIMARY).status();
    ps.want_acting.iter().map(|o| o.0).collect()
}

/// The target was released and a `RequestBackfill` retry scheduled after `delay`.
fn released_then_retried(out: &reserve_support::Out, delay: Timespan) {
    assert_eq!(
        backfill_msgs(&out.messages),
        [(TARGET, BackfillReserveOp::Release)]
    );
    assert_eq!(out.timers.len(), 1);
    assert_eq!(out.timers[0].delay, delay);
    assert_eq!(out.timers[0].event.event, Event::RequestBackfill);
}

fn backfill_msgs(out: &[(OsdId, DirectMessage)]) -> Vec<(i32, BackfillReserveOp)> {
    out.iter()
        .filter_map(|(to, m)| match m {
            DirectMessage::BackfillReserve(BackfillReserveMsg { op, .. }) => Some((to.0, *op)),
            _ => None,
        })
        .collect()
}

fn bits(w: &World) -> PgState {
    w.pg(0, PRIMARY).state_bits()
}

fn state(w: &World) -> StateId {
    w.pg(0, PRIMARY).state_id()
}

fn to_wait_remote(w: &mut World) {
    w.deliver_now(0, PRIMARY, Event::RequestBackfill);
    w.deliver_now(0, PRIMARY, Event::LocalBackfillReserved);
    assert_eq!(state(w), StateId::WaitRemoteBackfillReserved);
}

fn to_backfilling(w: &mut World) {
    to_wait_remote(w);
    w.deliver_now(0, PRIMARY, Event::RemoteBackfillReserved);
    assert_eq!(state(w), StateId::Backfilling);
    // The target never saw the hand-delivered request.
    w.clusters[0].queue.clear();
}

#[test]
fn request_backfill_in_activating_asks_the_local_reserver() {
    let mut w = remapped(false);
    assert_eq!(state(&w), StateId::Activating);
    let e = w.pg(0, PRIMARY).epoch();
    let (_, out) = w.deliver_now(0, PRIMARY, Event::RequestBackfill);
    assert_eq!(state(&w), StateId::WaitLocalBackfillReserved);
    assert!(bits(&w).contains(PgState::BACKFILL_WAIT));
    let prio = w.pg(0, PRIMARY).status().backfill_priority;
    // BACKFILL_BASE plus the pool's priority shifted into [0, 20] (§5.24).
    assert_eq!(prio, 110);
    assert_eq!(
        out.reservations,
        [ReservationOp::RequestLocal {
            priority: prio,
            on_grant: PeeringEvt::new(e, Event::LocalBackfillReserved),
            on_preempt: Some(PeeringEvt::new(
                e,
                Event::DeferBackfill(Defer { delay: Timespan(0) })
            )),
        }]
    );
    assert!(backfill_msgs(&out.messages).is_empty());
    // A grant before any remote was asked: Ceph's no-op.
    let (o, out) = w.deliver_now(0, PRIMARY, Event::RemoteBackfillReserved);
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::Raced {
            state: StateId::WaitLocalBackfillReserved
        })
    );
    assert!(out.messages.is_empty());
    assert_eq!(state(&w), StateId::WaitLocalBackfillReserved);
}

#[test]
fn remote_backfill_slots_then_backfilling() {
    let mut w = remapped(false);
    w.deliver_now(0, PRIMARY, Event::RequestBackfill);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::LocalBackfillReserved);
    assert_eq!(state(&w), StateId::WaitRemoteBackfillReserved);
    assert!(bits(&w).contains(PgState::BACKFILL_WAIT));
    let e = w.pg(0, PRIMARY).epoch();
    assert_eq!(
        out.messages,
        [(
            OsdId(TARGET),
            DirectMessage::BackfillReserve(BackfillReserveMsg {
                pgid: machine_support::pgid(),
                epoch: e,
                op: BackfillReserveOp::Request,
                priority: 110,
                primary_num_bytes: w.pg(0, PRIMARY).info().stats.num_bytes,
                shard_num_bytes: 0,
            })
        )]
    );
    let (_, out) = w.deliver_now(0, PRIMARY, Event::RemoteBackfillReserved);
    assert_eq!(state(&w), StateId::Backfilling);
    assert!(bits(&w).contains(PgState::BACKFILLING));
    assert!(!bits(&w).contains(PgState::BACKFILL_WAIT));
    assert_eq!(out.notifications, [HostNotification::BackfillReserved]);
    let ps = w.pg(0, PRIMARY).status();
    assert!(ps.backfill_reserved);
    assert!(ps.peer_bytes.is_empty());
}

#[test]
fn a_too_full_target_makes_the_primary_release_and_retry() {
    let mut w = remapped(false);
    to_wait_remote(&mut w);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::RemoteReservationRejectedTooFull);
    assert_eq!(state(&w), StateId::NotBackfilling);
    assert!(bits(&w).contains(PgState::BACKFILL_TOOFULL));
    assert!(!bits(&w).contains(PgState::BACKFILL_WAIT));
    assert_eq!(out.reservations, [ReservationOp::CancelLocal]);
    // The rejecting target is released too (the iterator is already past it).
    released_then_retried(&out, Timespan(30_000_000_000));
    // A late grant or reject is dropped; the retry asks again.
    for late in [
        Event::RemoteBackfillReserved,
        Event::RemoteReservationRejectedTooFull,
    ] {
        let (o, _) = w.deliver_now(0, PRIMARY, late);
        assert_eq!(
            o,
            EventOutcome::Dropped(DropReason::Raced {
                state: StateId::NotBackfilling
            })
        );
    }
    w.deliver_now(0, PRIMARY, Event::RequestBackfill);
    assert_eq!(state(&w), StateId::WaitLocalBackfillReserved);
    // TOOFULL stays until the reservations are all held.
    assert!(bits(&w).contains(PgState::BACKFILL_TOOFULL));
    w.deliver_now(0, PRIMARY, Event::LocalBackfillReserved);
    w.deliver_now(0, PRIMARY, Event::RemoteBackfillReserved);
    assert_eq!(state(&w), StateId::Backfilling);
    assert!(!bits(&w).contains(PgState::BACKFILL_TOOFULL));
}

#[test]
fn a_revoke_while_reserving_retries_without_too_full() {
    let mut w = remapped(false);
    to_wait_remote(&mut w);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::RemoteReservationRevoked);
    assert_eq!(state(&w), StateId::NotBackfilling);
    assert!(!bits(&w).contains(PgState::BACKFILL_TOOFULL));
    assert_eq!(
        backfill_msgs(&out.messages),
        [(TARGET, BackfillReserveOp::Release)]
    );
    assert_eq!(out.timers[0].event.event, Event::RequestBackfill);
    // A revoke once everything is released: Active drops it.
    let (o, out) = w.deliver_now(0, PRIMARY, Event::RemoteReservationRevoked);
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::Raced {
            state: StateId::NotBackfilling
        })
    );
    assert!(out.messages.is_empty() && out.timers.is_empty());
}

#[test]
fn defer_backfill_cancels_and_schedules_a_retry() {
    let mut w = remapped(false);
    to_backfilling(&mut w);
    let delay = Timespan(2_000_000_000);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::DeferBackfill(Defer { delay }));
    assert_eq!(state(&w), StateId::NotBackfilling);
    assert!(bits(&w).contains(PgState::BACKFILL_WAIT));
    assert!(!bits(&w).contains(PgState::BACKFILLING));
    assert_eq!(out.reservations, [ReservationOp::CancelLocal]);
    released_then_retried(&out, delay);
    assert_eq!(out.notifications, [HostNotification::BackfillCanceled]);
    assert!(!w.pg(0, PRIMARY).status().backfill_reserved);
}

#[test]
fn unfound_backfill_stops_until_request_backfill() {
    let mut w = remapped(false);
    to_backfilling(&mut w);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::UnfoundBackfill);
    assert_eq!(state(&w), StateId::NotBackfilling);
    assert!(bits(&w).contains(PgState::BACKFILL_UNFOUND));
    assert!(out.timers.is_empty());
    assert_eq!(out.notifications, [HostNotification::BackfillCanceled]);
    w.deliver_now(0, PRIMARY, Event::RequestBackfill);
    assert_eq!(state(&w), StateId::WaitLocalBackfillReserved);
    assert!(!bits(&w).contains(PgState::BACKFILL_UNFOUND));
}

#[test]
fn a_target_that_fills_up_revokes_and_the_primary_retries_later() {
    for evt in [
        Event::RemoteReservationRevokedTooFull,
        // Older targets say "rejected": re-posted as revoked.
        Event::RemoteReservationRejectedTooFull,
    ] {
        let mut w = remapped(false);
        to_backfilling(&mut w);
        let (_, out) = w.deliver_now(0, PRIMARY, evt);
        assert_eq!(state(&w), StateId::NotBackfilling);
        assert!(bits(&w).contains(PgState::BACKFILL_TOOFULL));
        assert!(!bits(&w).contains(PgState::BACKFILLING));
        released_then_retried(&out, Timespan(30_000_000_000));
        assert_eq!(out.notifications, [HostNotification::BackfillCanceled]);
    }
}

#[test]
fn a_preempted_target_sends_the_primary_back_to_reserving() {
    let mut w = remapped(false);
    to_backfilling(&mut w);
    let (_, out) = w.deliver_now(0, PRIMARY, Event::RemoteReservationRevoked);
    assert_eq!(state(&w), StateId::WaitLocalBackfillReserved);
    assert!(bits(&w).contains(PgState::BACKFILL_WAIT));
    assert_eq!(
        backfill_msgs(&out.messages),
        [(TARGET, BackfillReserveOp::Release)]
    );
    assert_eq!(out.reservations.len(), 2);
    assert_eq!(out.reservations[0], ReservationOp::CancelLocal);
    assert!(matches!(
        out.reservations[1],
        ReservationOp::RequestLocal { .. }
    ));

    // Raced with the end of backfill: released, but nothing more to do here.
    let mut w = remapped(false);
    to_backfilling(&mut w);
    w.clusters[0]
        .pgs
        .get_mut(&PRIMARY)
        .unwrap()
        .update_peer_last_backfill(shard(TARGET), ObjectId::MAX)
        .unwrap();
    let (o, out) = w.deliver_now(0, PRIMARY, Event::RemoteReservationRevoked);
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::Raced {
            state: StateId::Backfilling
        })
    );
    assert_eq!(state(&w), StateId::Backfilling);
    assert_eq!(
        backfill_msgs(&out.messages),
        [(TARGET, BackfillReserveOp::Release)]
    );
}

#[test]
fn backfilled_releases_and_goes_recovered_then_clean() {
    let mut w = remapped(false);
    to_backfilling(&mut w);
    w.deliver_now(0, PRIMARY, Event::SetForceBackfill);
    assert!(bits(&w).contains(PgState::FORCED_BACKFILL));
    let (_, out) = w.deliver_now(0, PRIMARY, Event::Backfilled);
    assert_eq!(
        backfill_msgs(&out.messages),
        [(TARGET, BackfillReserveOp::Release)]
    );
    assert_eq!(out.reservations, [ReservationOp::CancelLocal]);
    // Backfilling's exit dropped the force flag; Recovered went clean at once.
    assert!(!bits(&w).contains(PgState::FORCED_BACKFILL));
    assert!(!bits(&w).contains(PgState::BACKFILLING));
    assert_eq!(state(&w), StateId::Clean);
    let entered: Vec<_> = w.pg(0, PRIMARY).state_history().entered().collect();
    assert_eq!(
        entered[entered.len() - 2..],
        [StateId::Recovered, StateId::Clean]
    );
}

#[test]
fn bad_backfill_events_are_refused_as_ceph_would() {
    // A second grant once backfilling: no state lists it (Ceph aborts).
    let mut w = remapped(false);
    to_backfilling(&mut w);
    let err = w.deliver_err(0, PRIMARY, Event::RemoteBackfillReserved);
    assert_eq!(
        err,
        PeeringError::Crashed(Crash::Unhandled {
            state: StateId::Backfilling,
            event: EventKind::RemoteBackfillReserved
        })
    );
    assert!(w.pg(0, PRIMARY).is_crashed());
    // Backfilled when not backfilling is Active's to drop.
    let mut w = remapped(false);
    let (o, _) = w.deliver_now(0, PRIMARY, Event::Backfilled);
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::Raced {
            state: StateId::Activating
        })
    );
    // Feedback about a shard that is not a backfill target is refused.
    let err = w.clusters[0]
        .pgs
        .get_mut(&PRIMARY)
        .unwrap()
        .update_peer_last_backfill(shard(1), ObjectId::MAX)
        .unwrap_err();
    assert_eq!(
        err,
        PeeringError::HostMisuse(HostMisuse::NotARecoveryPeer { peer: shard(1) })
    );
}

/// Scenario: the backfill target's space check fails (the host says it is too
/// full); the primary releases and retries after the interval; by then there is
/// room, the retry is granted and backfill runs.
#[test]
fn scenario_rejected_too_full_then_granted_after_a_retry() {
    let mut w = backfill_world();
    w.too_full.insert(TARGET);
    remap(&mut w);
    assert_eq!(state(&w), StateId::NotBackfilling);
    assert!(bits(&w).contains(PgState::BACKFILL_TOOFULL));
    assert_eq!(w.pg(0, TARGET).state_id(), StateId::RepNotRecovering);
    use BackfillReserveOp::*;
    let msgs: Vec<_> = w
        .reserve_msgs(0)
        .into_iter()
        .map(|(f, t, m)| match m {
            DirectMessage::BackfillReserve(BackfillReserveMsg { op, .. }) => (f, t, op),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        msgs,
        [(0, 3, Request), (3, 0, RejectTooFull), (0, 3, Release)]
    );
    assert_eq!(w.timers.len(), 1);
    assert!(w.local.get(&0).is_none_or(|r| r.granted.is_none()));

    w.too_full.clear();
    w.fire_timers();
    assert_eq!(state(&w), StateId::Backfilling);
    assert!(!bits(&w).contains(PgState::BACKFILL_TOOFULL));
    assert_eq!(w.pg(0, TARGET).state_id(), StateId::RepRecovering);
    let msgs: Vec<_> = w.reserve_msgs(0)[3..]
        .iter()
        .map(|(f, t, m)| match m {
            DirectMessage::BackfillReserve(BackfillReserveMsg { op, .. }) => (*f, *t, *op),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(msgs, [(0, 3, Request), (3, 0, Grant)]);
}

/// Scenario §9 E: a new OSD joins the up set. The primary keeps a complete OSD in
/// acting through a pg_temp, backfills the newcomer under reservation, then asks
/// for acting == up; once the monitor drops the pg_temp the PG peers again and is
/// clean on the up set, the old member purged.
#[test]
fn scenario_backfill_of_a_new_osd_ends_clean_with_acting_equal_up() {
    let mut w = remapped(true);
    assert_eq!(state(&w), StateId::Backfilling);
    assert_eq!(w.pg(0, TARGET).state_id(), StateId::RepRecovering);
    // The activation log told osd.3 to start from scratch.
    assert!(!w.pg(0, TARGET).info().last_backfill.is_max());

    // The backfill engine, scripted: every object copied, both sides told.
    let mut ctx = peering_core::ctx::RecoveryCtx::new();
    let c = &mut w.clusters[0];
    c.pgs
        .get_mut(&PRIMARY)
        .unwrap()
        .update_peer_last_backfill(shard(TARGET), ObjectId::MAX)
        .unwrap();
    c.pgs
        .get_mut(&TARGET)
        .unwrap()
        .update_last_backfill(ObjectId::MAX, &mut ctx)
        .unwrap();
    assert!(!w.pg(0, PRIMARY).needs_backfill());
    w.deliver_now(0, PRIMARY, Event::Backfilled);
    w.run();
    // Recovered asked for acting == up; the PG is clean meanwhile.
    assert_eq!(state(&w), StateId::Clean);
    assert_eq!(want_acting(&w), [0, 1, 3]);
    assert_eq!(w.pg(0, TARGET).state_id(), StateId::RepNotRecovering);

    // The monitor drops the pg_temp: a new interval on the up set.
    w.next_map(0, temp_mapping(&[0, 1, 3], &[0, 1, 3]), |_| {});
    w.run();
    let e = w.clusters[0].epoch();
    w.next_map(0, temp_mapping(&[0, 1, 3], &[0, 1, 3]), |m| {
        m.set_up_thru(0, e)
    });
    w.run();
    let pg = w.pg(0, PRIMARY);
    assert_eq!(pg.state_id(), StateId::Clean);
    assert!(pg.state_bits().contains(PgState::ACTIVE | PgState::CLEAN));
    let ps = pg.status();
    assert_eq!(ps.acting, ps.up);
    assert!(ps.backfill_targets.is_empty());
    assert_eq!(w.pg(0, TARGET).state_id(), StateId::RepNotRecovering);
    // osd.2 is no longer in the PG: it was told to remove its copy.
    assert!(w.clusters[0].sent.iter().any(|s| s.from == 0
        && s.to == 2
        && matches!(
            &s.msg,
            peering_core::ctx::Outgoing::Direct(DirectMessage::Remove(RemoveMsg { .. }))
        )));
    assert_eq!(w.pg(0, PRIMARY).history().last_epoch_clean, e + 1);
}
