//! Deletion (reference §3 "ToDelete", "WaitDeleteReserved", "Deleting", §7.1 item 5):
//! every reaction with the state entered and the outputs produced, the bad inputs,
//! and a cluster where a clean primary purges a stray that then deletes itself in
//! bounded chunks and terminates.

mod machine_support;

use peering_core::HostMisuse;
use std::collections::BTreeSet;

use machine_support::{Cluster, POOL, clean_with_stray, deliver_to as deliver, pgid};
use peering_core::PeeringError;
use peering_core::ctx::{HostNotification, OnCommit, RecoveryCtx, ReservationOp, TxOp};
use peering_core::event::{ActivateCommitted, DeleteSome, Event, PeeringEvt};
use peering_core::intervals::PastIntervals;
use peering_core::machine::{
    Config, DELETE_FULLISH, DELETE_NORMAL, DropReason, EventOutcome, Pg, PgCreate, StateDetails,
    StateId, Transit,
};
use peering_core::map::{MapFlags, SimpleOsdMap};
use peering_core::types::{ObjectId, PgShard};
use peering_core::types::{PgHistory, UTime};

/// osd.0..2 acting and clean, osd.3 holds a stray copy.
fn with_stray() -> Cluster {
    let c = clean_with_stray();
    assert_eq!(c.pg(3).state_id(), StateId::Stray);
    c
}

fn entered(pg: &Pg) -> Vec<StateId> {
    pg.state_history().entered().collect()
}

/// Object `i`; objects sort by bit-reversed hash (§6.4), so `obj(i) < obj(i + 1)`.
fn obj(i: u32) -> ObjectId {
    ObjectId::new(POOL, i.reverse_bits(), format!("obj{i}"))
}

fn chunk(objects: Vec<ObjectId>) -> Event {
    Event::DeleteSome(DeleteSome { objects })
}

/// The request for local reservation Ceph's WaitDeleteReserved makes.
fn delete_request(epoch: u32, priority: u32) -> ReservationOp {
    ReservationOp::RequestLocal {
        priority,
        on_grant: PeeringEvt::new(epoch, Event::DeleteReserved),
        on_preempt: Some(PeeringEvt::new(epoch, Event::DeleteInterrupted)),
    }
}

/// The deletion step request `Deleting` leaves for the host (default chunk size).
fn more(epoch: u32, after: Option<ObjectId>) -> OnCommit {
    OnCommit::DeleteMore {
        epoch,
        after,
        max: 30,
    }
}

/// A stray at ToDelete/WaitDeleteReserved, and its map.
fn waiting() -> (Pg, SimpleOsdMap) {
    let c = with_stray();
    let mut pg = c.pg(3).clone();
    let map = c.map().clone();
    deliver(&mut pg, &map, Event::DeleteStart);
    assert_eq!(pg.state_id(), StateId::WaitDeleteReserved);
    pg.clear_state_history();
    (pg, map)
}

/// A stray at ToDelete/Deleting, and its map.
fn deleting() -> (Pg, SimpleOsdMap) {
    let (mut pg, map) = waiting();
    deliver(&mut pg, &map, Event::DeleteReserved);
    assert_eq!(pg.state_id(), StateId::Deleting);
    pg.clear_state_history();
    (pg, map)
}

#[test]
fn state_names_are_cephs() {
    assert_eq!(StateId::ToDelete.name(), "Started/ToDelete");
    // Ceph's typo, kept so state histories compare.
    assert_eq!(
        StateId::WaitDeleteReserved.name(),
        "Started/ToDelete/WaitDeleteReseved"
    );
    assert_eq!(StateId::Deleting.name(), "Started/ToDelete/Deleting");
    assert_eq!(
        StateId::ToDelete.def().initial,
        Some(StateId::WaitDeleteReserved)
    );
    assert_eq!(StateId::Deleting.parent(), Some(StateId::ToDelete));
    assert_eq!(StateId::ToDelete.parent(), Some(StateId::Started));
}

#[test]
fn stray_delete_start_requests_the_delete_reservation() {
    let c = with_stray();
    let mut pg = c.pg(3).clone();
    pg.clear_state_history();
    let (out, mut ctx) = deliver(&mut pg, c.map(), Event::DeleteStart);
    assert_eq!(out, EventOutcome::Delivered);
    assert_eq!(
        entered(&pg),
        [StateId::ToDelete, StateId::WaitDeleteReserved]
    );
    let e = c.epoch();
    let reservations: Vec<_> = ctx.drain_reservations().collect();
    assert_eq!(
        reservations,
        [ReservationOp::CancelLocal, delete_request(e, DELETE_NORMAL)]
    );
    let rs = pg.status().recovery_state;
    let to_delete = rs
        .iter()
        .find(|s| s.name == "Started/ToDelete")
        .expect("in ToDelete");
    assert_eq!(
        to_delete.details,
        Some(StateDetails::ToDelete {
            priority: DELETE_NORMAL
        })
    );
}

#[test]
fn replica_delete_start_leaves_replica_active() {
    let c = with_stray();
    let mut pg = c.pg(1).clone();
    assert_eq!(pg.state_id(), StateId::RepNotRecovering);
    pg.clear_state_history();
    let (_, mut ctx) = deliver(&mut pg, c.map(), Event::DeleteStart);
    assert_eq!(pg.state_id(), StateId::WaitDeleteReserved);
    let exited: Vec<_> = pg
        .state_history()
        .records()
        .filter(|r| r.transit == Transit::Exit)
        .map(|r| r.state)
        .collect();
    assert_eq!(exited, [StateId::RepNotRecovering, StateId::ReplicaActive]);
    let reservations: Vec<_> = ctx.drain_reservations().collect();
    // ReplicaActive's exit gives back what it held, then the delete request.
    assert_eq!(
        reservations,
        [
            ReservationOp::UnreserveSpace,
            ReservationOp::CancelRemote,
            ReservationOp::CancelLocal,
            delete_request(c.epoch(), DELETE_NORMAL),
        ]
    );
}

#[test]
fn stray_whose_pool_is_gone_deletes_itself() {
    let mut c = with_stray();
    // The pool is deleted: the PG maps nowhere, a new interval, Stray re-entered,
    // and its entry posts DeleteStart.
    c.next_map_with(
        peering_core::intervals::UpActing::new(&[], -1, &[], -1),
        |m| {
            m.pools.remove(&POOL);
        },
    );
    let pg = c.pg(3);
    assert_eq!(pg.state_id(), StateId::WaitDeleteReserved);
    let es = entered(pg);
    let stray_at = es.iter().rposition(|s| *s == StateId::Stray).unwrap();
    assert_eq!(
        es[stray_at..],
        [
            StateId::Stray,
            StateId::ToDelete,
            StateId::WaitDeleteReserved
        ]
    );
    // The replicas go the same way.
    assert_eq!(c.pg(1).state_id(), StateId::WaitDeleteReserved);
}

#[test]
fn delete_reserved_starts_deleting() {
    let (mut pg, map) = waiting();
    let (out, mut ctx) = deliver(&mut pg, &map, Event::DeleteReserved);
    assert_eq!(out, EventOutcome::Delivered);
    assert_eq!(entered(&pg), [StateId::Deleting]);
    assert!(pg.is_deleting());
    assert!(pg.info().last_backfill.is_min());
    assert!(pg.pg_log().missing().items().is_empty());
    let notes: Vec<_> = ctx.drain_notifications().collect();
    assert!(notes.contains(&HostNotification::Removal));
    let persist = ctx.take_persist();
    // The info now claims nothing, persisted with the step.
    assert!(
        persist
            .transaction()
            .ops
            .iter()
            .any(|op| matches!(op, TxOp::WriteInfo { info, .. } if info.last_backfill.is_min()))
    );
    assert_eq!(persist.committed(), [more(map.epoch, None)]);
}

#[test]
fn delete_some_removes_one_bounded_chunk_and_asks_for_more() {
    let (mut pg, map) = deleting();
    let objects: Vec<_> = (0..30).map(obj).collect();
    let (out, mut ctx) = deliver(&mut pg, &map, chunk(objects.clone()));
    assert_eq!(out, EventOutcome::Delivered);
    assert_eq!(pg.state_id(), StateId::Deleting);
    assert_eq!(pg.state_history().records().count(), 0);
    let removed: Vec<_> = ctx
        .transaction()
        .ops
        .iter()
        .filter_map(|op| match op {
            TxOp::RemoveObject(o) => Some(o.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(removed, objects);
    let commits: Vec<_> = ctx.take_persist().committed();
    assert_eq!(commits, [more(map.epoch, Some(obj(29)))]);
    let rs = pg.status().recovery_state;
    assert_eq!(
        rs.first().and_then(|s| s.details.clone()),
        Some(StateDetails::Deleting {
            next: Some(obj(29)),
            removed: 30
        })
    );
}

#[test]
fn empty_listing_removes_the_pg_and_terminates() {
    let (mut pg, map) = deleting();
    let (out, mut ctx) = deliver(&mut pg, &map, chunk(Vec::new()));
    assert_eq!(out, EventOutcome::Delivered);
    assert!(pg.is_terminated());
    assert_eq!(pg.active_states().count(), 0);
    assert!(!pg.is_crashed());
    // Every state exits, innermost first.
    let exited: Vec<_> = pg
        .state_history()
        .records()
        .filter(|r| r.transit == Transit::Exit)
        .map(|r| r.state)
        .collect();
    assert_eq!(
        exited,
        [StateId::Deleting, StateId::ToDelete, StateId::Started]
    );
    // The metadata goes, and nothing is written after it.
    assert_eq!(
        ctx.transaction().ops,
        [TxOp::RemovePg {
            pgid: pg.info().pgid
        }]
    );
    let notes: Vec<_> = ctx.drain_notifications().collect();
    assert_eq!(notes, [HostNotification::Deleted]);
    let reservations: Vec<_> = ctx.drain_reservations().collect();
    assert_eq!(
        reservations,
        [ReservationOp::CancelLocal, ReservationOp::CancelLocal]
    );
    assert!(ctx.clone().take_persist().committed().is_empty());
    // A terminated machine refuses every call.
    let mut ctx = RecoveryCtx::new();
    assert_eq!(
        pg.handle_event(PeeringEvt::new(map.epoch, Event::NullEvt), &map, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::Terminated))
    );
    let next = map.next();
    assert_eq!(
        pg.advance_map(&next, &map, machine_support::mapping(&[0, 1, 2]), &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::Terminated))
    );
    assert!(ctx.is_empty());
}

#[test]
fn nothing_after_the_cursor_lists_once_more_from_the_beginning() {
    let (mut pg, map) = deleting();
    deliver(&mut pg, &map, chunk(vec![obj(10), obj(11)]));
    // Nothing after obj(11): Ceph lists again from the start before finishing.
    let (out, mut ctx) = deliver(&mut pg, &map, chunk(Vec::new()));
    assert_eq!(out, EventOutcome::Delivered);
    assert_eq!(pg.state_id(), StateId::Deleting);
    assert!(ctx.transaction().is_empty());
    let commits: Vec<_> = ctx.take_persist().committed();
    assert_eq!(commits, [more(map.epoch, None)]);
    // An object created behind the cursor meanwhile is found and removed; the
    // cursor restarts from it.
    let (out, ctx) = deliver(&mut pg, &map, chunk(vec![obj(3)]));
    assert_eq!(out, EventOutcome::Delivered);
    assert_eq!(ctx.transaction().ops, [TxOp::RemoveObject(obj(3))]);
    // Then nothing after it, nothing from the start: the PG goes.
    deliver(&mut pg, &map, chunk(Vec::new()));
    assert_eq!(pg.state_id(), StateId::Deleting);
    let (_, ctx) = deliver(&mut pg, &map, chunk(Vec::new()));
    assert!(pg.is_terminated());
    assert_eq!(
        ctx.transaction().ops,
        [TxOp::RemovePg {
            pgid: pg.info().pgid
        }]
    );
}

#[test]
fn delete_interrupted_waits_for_the_reservation_again() {
    let (mut pg, map) = deleting();
    deliver(&mut pg, &map, chunk(vec![obj(1), obj(2)]));
    pg.clear_state_history();
    let (_, mut ctx) = deliver(&mut pg, &map, Event::DeleteInterrupted);
    assert_eq!(pg.state_id(), StateId::WaitDeleteReserved);
    assert_eq!(entered(&pg), [StateId::WaitDeleteReserved]);
    let reservations: Vec<_> = ctx.drain_reservations().collect();
    assert_eq!(
        reservations,
        [
            ReservationOp::CancelLocal, // Deleting's exit
            ReservationOp::CancelLocal, // WaitDeleteReserved's entry
            delete_request(map.epoch, DELETE_NORMAL),
        ]
    );
    // Granted again, deletion starts over from the first object (Ceph's cursor
    // lives in Deleting).
    let (_, mut ctx) = deliver(&mut pg, &map, Event::DeleteReserved);
    let commits: Vec<_> = ctx.take_persist().committed();
    assert!(commits.contains(&more(map.epoch, None)));
}

#[test]
fn act_map_re_requests_when_the_delete_priority_changes() {
    let (mut pg, map) = waiting();
    // Same priority: discarded, nothing asked.
    let same = map.next();
    let mut ctx = RecoveryCtx::new();
    pg.advance_map(&same, &map, machine_support::mapping(&[0, 1, 2]), &mut ctx)
        .unwrap();
    pg.activate_map(&same, &mut ctx).unwrap();
    assert!(ctx.reservations().is_empty());
    assert_eq!(pg.state_history().records().count(), 0);
    let map = same;
    // The cluster fills up: the priority rises and ToDelete starts over.
    let mut fuller = map.next();
    fuller.flags = fuller.flags.with(MapFlags::NEARFULL);
    let mut ctx = RecoveryCtx::new();
    pg.advance_map(
        &fuller,
        &map,
        machine_support::mapping(&[0, 1, 2]),
        &mut ctx,
    )
    .unwrap();
    pg.activate_map(&fuller, &mut ctx).unwrap();
    assert_eq!(
        entered(&pg),
        [StateId::ToDelete, StateId::WaitDeleteReserved]
    );
    let reservations: Vec<_> = ctx.drain_reservations().collect();
    assert_eq!(
        reservations,
        [
            ReservationOp::CancelLocal, // ToDelete's exit
            ReservationOp::CancelLocal,
            delete_request(fuller.epoch, DELETE_FULLISH),
        ]
    );
}

#[test]
fn to_delete_ignores_stale_activation_commits_and_early_delete_some() {
    let (mut pg, map) = waiting();
    let before = pg.clone();
    let commit = Event::ActivateCommitted(ActivateCommitted {
        epoch: map.epoch,
        activation_epoch: map.epoch,
    });
    let (out, ctx) = deliver(&mut pg, &map, commit);
    assert_eq!(out, EventOutcome::Delivered);
    assert!(ctx.is_empty());
    // Not yet deleting: ToDelete discards a step.
    let (out, ctx) = deliver(&mut pg, &map, chunk(vec![obj(1)]));
    assert_eq!(out, EventOutcome::Delivered);
    assert!(ctx.is_empty());
    assert_eq!(pg, before);
}

#[test]
fn a_new_interval_stops_the_deletion_and_its_old_steps_go_stale() {
    let (mut pg, map) = deleting();
    let e = map.epoch;
    // osd.3 joins the acting set: a new interval resets peering (Started's AdvMap),
    // leaving ToDelete; both deletion states give their reservation back.
    let next = map.next();
    let mut ctx = RecoveryCtx::new();
    pg.advance_map(&next, &map, machine_support::mapping(&[0, 1, 3]), &mut ctx)
        .unwrap();
    pg.activate_map(&next, &mut ctx).unwrap();
    assert!(!pg.in_state(StateId::ToDelete));
    assert_eq!(pg.state_id(), StateId::Stray);
    let cancels = ctx
        .drain_reservations()
        .filter(|r| *r == ReservationOp::CancelLocal)
        .count();
    assert_eq!(cancels, 2);
    // The step the host had queued at the old epoch is stale now.
    let mut ctx = RecoveryCtx::new();
    let out = pg
        .handle_event(PeeringEvt::new(e, chunk(vec![obj(1)])), &next, &mut ctx)
        .unwrap();
    assert!(matches!(
        out,
        EventOutcome::Dropped(DropReason::Stale { .. })
    ));
    assert!(ctx.is_empty());
}

// --- bad input ---

#[test]
fn delete_start_for_an_active_primary_is_dropped() {
    let c = with_stray();
    let mut pg = c.pg(0).clone();
    let before = pg.clone();
    let (out, ctx) = deliver(&mut pg, c.map(), Event::DeleteStart);
    assert_eq!(out, EventOutcome::Dropped(DropReason::DeleteWhilePrimary));
    assert_eq!(pg, before);
    assert!(ctx.is_empty());
}

#[test]
fn delete_some_outside_to_delete_is_dropped() {
    let c = with_stray();
    for osd in [0, 1, 3] {
        let mut pg = c.pg(osd).clone();
        let before = pg.clone();
        let (out, ctx) = deliver(&mut pg, c.map(), chunk(Vec::new()));
        assert_eq!(
            out,
            EventOutcome::Dropped(DropReason::NotDeleting),
            "osd.{osd}"
        );
        assert_eq!(pg, before);
        assert!(ctx.is_empty());
    }
}

#[test]
fn a_second_delete_start_is_dropped() {
    let (mut pg, map) = waiting();
    let before = pg.clone();
    let (out, ctx) = deliver(&mut pg, &map, Event::DeleteStart);
    assert_eq!(out, EventOutcome::Dropped(DropReason::Duplicate));
    assert_eq!(pg, before);
    assert!(ctx.is_empty());
}

#[test]
fn listings_that_do_not_answer_the_request_are_dropped() {
    let (mut pg, map) = deleting();
    deliver(&mut pg, &map, chunk(vec![obj(5), obj(6)]));
    let before = pg.clone();
    let too_many: Vec<_> = (10..41).map(obj).collect();
    assert_eq!(too_many.len(), 31);
    for bad in [
        too_many,
        vec![obj(9), obj(8)], // not ascending
        vec![obj(7), obj(7)], // repeated
        vec![obj(6), obj(7)], // the cursor again
        vec![obj(1)],         // before the cursor
    ] {
        let (out, ctx) = deliver(&mut pg, &map, chunk(bad.clone()));
        assert_eq!(
            out,
            EventOutcome::Dropped(DropReason::BadDeleteChunk),
            "{bad:?}"
        );
        assert_eq!(pg, before);
        assert!(ctx.is_empty());
    }
    // A smaller chunk size is honoured too.
    let map = machine_support::map1(&[0, 1, 2, 3], 3);
    let mut ctx = RecoveryCtx::new();
    let mut pg = Pg::create(
        PgCreate {
            whoami: PgShard::replica(3),
            pgid: pgid(),
            mapping: machine_support::mapping(&[0, 1, 2]),
            history: PgHistory::new(1, UTime::default()),
            past_intervals: PastIntervals::default(),
            config: Config {
                delete_max_objects: 2,
                ..Config::default()
            },
        },
        &map,
        &mut ctx,
    )
    .unwrap();
    assert_eq!(pg.state_id(), StateId::Stray);
    deliver(&mut pg, &map, Event::DeleteStart);
    let (_, mut ctx) = deliver(&mut pg, &map, Event::DeleteReserved);
    assert!(
        ctx.take_persist()
            .committed()
            .into_iter()
            .any(|c| matches!(c, OnCommit::DeleteMore { max: 2, .. }))
    );
    let (out, _) = deliver(&mut pg, &map, chunk(vec![obj(1), obj(2), obj(3)]));
    assert_eq!(out, EventOutcome::Dropped(DropReason::BadDeleteChunk));
    let (out, _) = deliver(&mut pg, &map, chunk(vec![obj(1), obj(2)]));
    assert_eq!(out, EventOutcome::Delivered);
}

// --- scenario ---

/// The primary goes clean, purges the stray on osd.3 (`MOSDPGRemove`), and the
/// stray deletes its 70 objects: reservation, then chunks of at most 30 (30, 30,
/// 10), then the empty listing removes the PG and the machine terminates.
#[test]
fn a_purged_stray_deletes_itself_in_chunks_and_terminates() {
    let mut c = with_stray();
    c.route_removals = true;
    let objects: BTreeSet<_> = (0..70).map(obj).collect();
    c.objects.insert(3, objects);
    c.pgs.get_mut(&3).unwrap().clear_state_history();
    // The stray tells the primary about itself; the clean primary purges it.
    let e = c.epoch();
    let info = c.pg(3).info().clone();
    c.deliver(0, machine_support::notify_evt(3, e, info));
    c.run();
    assert!(!c.pgs.contains_key(&3), "osd.3 dropped its PG");
    let gone = &c.deleted[&3];
    assert!(gone.is_terminated());
    assert_eq!(
        entered(gone),
        [
            StateId::ToDelete,
            StateId::WaitDeleteReserved,
            StateId::Deleting
        ]
    );
    assert!(c.objects[&3].is_empty());
    // Each step's transaction removes at most 30 objects; the last removes the PG.
    let steps: Vec<(usize, bool)> = c
        .transactions
        .iter()
        .filter(|(o, _)| *o == 3)
        .map(|(_, t)| {
            let n = t
                .ops
                .iter()
                .filter(|op| matches!(op, TxOp::RemoveObject(_)))
                .count();
            let end = t.ops.iter().any(|op| matches!(op, TxOp::RemovePg { .. }));
            (n, end)
        })
        .filter(|(n, end)| *n > 0 || *end)
        .collect();
    assert_eq!(steps, [(30, false), (30, false), (10, false), (0, true)]);
    // The primary and its replicas are untouched.
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    assert_eq!(c.pg(1).state_id(), StateId::RepNotRecovering);
    assert_eq!(c.pg(2).state_id(), StateId::RepNotRecovering);
}
