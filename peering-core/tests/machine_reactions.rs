//! The remaining reactions of the peering path's transition table (§3), one test
//! each: the state entered and the outputs produced.

mod machine_support;

use machine_support::{Cluster, clean_with_stray, deliver_to as deliver, mapping, pgid};
use peering_core::ctx::BackfillReserveMsg;
use peering_core::ctx::{
    BackfillReserveOp, DirectMessage, HostNotification, Outgoing, RecoveryCtx, ReservationOp,
};
use peering_core::event::PgNotify;
use peering_core::event::{
    Event, MInfoRec, MLogRec, MNotifyRec, MQuery, MTrim, PeeringEvt, PgLogMsg, RequestScrub,
};
use peering_core::log::{LogEntry, LogOp, PgLogT};
use peering_core::machine::{EventOutcome, Pg, StateId};
use peering_core::types::{
    EVersion, ObjectId, PgHistory, PgQuery, PgShard, PgState, QueryKind, ShardId, UTime,
};

fn active_clean() -> Cluster {
    clean_with_stray()
}

fn notify_from(from: i32, c: &Cluster, of: &Pg) -> Event {
    let e = c.epoch();
    Event::MNotifyRec(MNotifyRec {
        pgid: pgid(),
        from: PgShard::replica(from),
        notify: PgNotify {
            query_epoch: e,
            epoch_sent: e,
            info: of.info().clone(),
            ..Default::default()
        },
        features: 0,
    })
}

fn log_of(n: u64) -> PgLogT {
    let mut log = PgLogT::new(EVersion::ZERO, EVersion::new(1, n));
    for v in 1..=n {
        log.entries.push(LogEntry::new(
            LogOp::Modify,
            ObjectId::new(1, v as u32, format!("o{v}")),
            EVersion::new(1, v),
            EVersion::ZERO,
        ));
    }
    log
}

#[test]
fn primary_force_recovery_on_a_degraded_pg() {
    // A PG with objects (18) loses a replica: undersized and degraded. The host does
    // not answer ActivateComplete, so the PG stays in Activating, which (unlike
    // Clean) does not discard the force events.
    let mut c = machine_support::loaded_cluster([(18, 10); 3]);
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    c.auto_recovered = false;
    // osd.2's process is gone: down and dead, so no read lease is waited for.
    c.next_map(&[0, 1], |m| m.mark_dead(2));
    c.run();
    c.next_map(&[0, 1], |m| m.set_up_thru(0, 11));
    c.run();
    let mut pg = c.pg(0).clone();
    let map = c.map().clone();
    assert_eq!(pg.state_id(), StateId::Activating);
    assert_eq!(pg.state_bits().to_string(), "active+undersized+degraded");
    let (_, ctx) = deliver(&mut pg, &map, Event::SetForceRecovery);
    assert!(pg.state_bits().contains(PgState::FORCED_RECOVERY));
    assert_eq!(
        ctx.reservations(),
        [ReservationOp::UpdateLocalPriority { priority: 255 }]
    );
    assert!(ctx.publish_stats());
    let (_, ctx) = deliver(&mut pg, &map, Event::UnsetForceRecovery);
    assert!(!pg.state_bits().contains(PgState::FORCED_RECOVERY));
    assert_eq!(ctx.reservations().len(), 1);
    // Backfill: undersized (2 of 3) → 140 + 1, plus the pool option (0) shifted
    // into [0, 20] as Ceph's clamp does → 151.
    let (_, ctx) = deliver(&mut pg, &map, Event::SetForceBackfill);
    assert_eq!(
        ctx.reservations(),
        [ReservationOp::UpdateLocalPriority { priority: 254 }]
    );
    let (_, ctx) = deliver(&mut pg, &map, Event::UnsetForceBackfill);
    assert_eq!(
        ctx.reservations(),
        [ReservationOp::UpdateLocalPriority { priority: 151 }]
    );
    // A clean, healthy PG cannot be forced (and Clean discards the set events).
    let c2 = active_clean();
    let mut clean = c2.pg(0).clone();
    let (_, ctx) = deliver(&mut clean, c2.map(), Event::SetForceRecovery);
    assert!(ctx.reservations().is_empty());
}

#[test]
fn primary_passes_scrub_requests_to_the_host() {
    let c = active_clean();
    let mut pg = c.pg(0).clone();
    let (_, ctx) = deliver(
        &mut pg,
        c.map(),
        Event::RequestScrub(RequestScrub {
            deep: true,
            repair: false,
        }),
    );
    assert_eq!(
        ctx.notifications(),
        [HostNotification::ScrubRequested {
            deep: true,
            repair: false
        }]
    );
}

#[test]
fn get_info_rebuilds_the_prior_when_a_notify_raises_les() {
    let c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    let mut pg = c.pg(0).clone();
    assert_eq!(pg.state_id(), StateId::GetInfo);
    let mut n = notify_from(1, &c, c.pg(1));
    if let Event::MNotifyRec(m) = &mut n {
        m.notify.info.history.last_epoch_started = 1;
    }
    let (out, _) = deliver(&mut pg, c.map(), n);
    assert_eq!(out, EventOutcome::Delivered);
    assert_eq!(pg.history().last_epoch_started, 1);
    // Still waiting for osd.2, whose query stands.
    assert_eq!(pg.state_id(), StateId::GetInfo);
    assert!(pg.status().blocked_by.contains(&2));
    let (_, _) = deliver(&mut pg, c.map(), notify_from(2, &c, c.pg(2)));
    assert_ne!(pg.state_id(), StateId::GetInfo);
}

#[test]
fn get_log_resets_when_the_authoritative_shard_goes_down() {
    // The auth is osd.1 (newer last_update); it goes down before answering.
    let c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    let mut pg = c.pg(0).clone();
    let map = c.map().clone();
    let mut n1 = notify_from(1, &c, c.pg(1));
    if let Event::MNotifyRec(m) = &mut n1 {
        m.notify.info.last_update = EVersion::new(1, 3);
        m.notify.info.last_complete = EVersion::new(1, 3);
    }
    deliver(&mut pg, &map, notify_from(2, &c, c.pg(2)));
    deliver(&mut pg, &map, n1);
    assert_eq!(pg.state_id(), StateId::GetLog);
    let mut next = map.next();
    next.mark_down(1);
    let mut ctx = RecoveryCtx::new();
    pg.clear_state_history();
    // The mapping stays (a stale CRUSH view); GetLog itself notices.
    pg.advance_map(&next, &map, mapping(&[0, 1, 2]), &mut ctx)
        .unwrap();
    let entered: Vec<_> = pg.state_history().entered().collect();
    assert_eq!(entered[0], StateId::Reset, "{entered:?}");
}

#[test]
fn wait_up_thru_keeps_a_late_log() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    let mut pg = c.pg(0).clone();
    assert_eq!(pg.state_id(), StateId::WaitUpThru);
    let mut info = c.pg(1).info().clone();
    info.last_update = EVersion::new(1, 2);
    let msg = PgLogMsg {
        pgid: pgid(),
        epoch: 1,
        query_epoch: 1,
        info,
        log: log_of(2),
        ..Default::default()
    };
    let (out, _) = deliver(
        &mut pg,
        c.map(),
        Event::MLogRec(MLogRec {
            from: PgShard::replica(1),
            msg,
        }),
    );
    assert_eq!(out, EventOutcome::Delivered);
    assert_eq!(
        pg.peer_infos()
            .find(|(s, _)| **s == PgShard::replica(1))
            .unwrap()
            .1
            .last_update,
        EVersion::new(1, 2)
    );
    assert_eq!(pg.state_id(), StateId::WaitUpThru);
}

#[test]
fn down_escapes_to_get_info_when_a_notify_raises_les() {
    let mut c = Cluster::with_pgs(&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1], 2, |_| {});
    c.run();
    c.next_map(&[0, 1], |m| m.set_up_thru(0, 1));
    c.run();
    c.next_map(&[2, 3], |m| {
        m.mark_down(0);
        m.mark_down(1);
    });
    c.run();
    let mut pg = c.pg(2).clone();
    assert_eq!(pg.state_id(), StateId::Down);
    let mut n = notify_from(3, &c, c.pg(3));
    if let Event::MNotifyRec(m) = &mut n {
        m.notify.info.history.last_epoch_started = 2;
        m.notify.epoch_sent = 3;
    }
    pg.clear_state_history();
    let (out, _) = deliver(&mut pg, c.map(), n);
    assert_eq!(out, EventOutcome::Delivered);
    // GetInfo re-runs build_prior; the interval [1, 2] still ends at or after the
    // new les (2) and its members are still down, so the PG is down again.
    let entered: Vec<_> = pg.state_history().entered().collect();
    assert_eq!(entered, [StateId::GetInfo, StateId::Down]);
    assert_eq!(pg.history().last_epoch_started, 2);
    assert!(pg.state_bits().contains(PgState::DOWN));
}

#[test]
fn incomplete_retries_get_log_on_new_info() {
    let mut h = PgHistory::new(1, UTime::default());
    h.last_epoch_started = 5;
    let mut c = Cluster::general(&[0, 1, 2, 3], &[0, 1, 2], mapping(&[0, 1, 2]), 3, |_| {}, h);
    c.run();
    let mut pg = c.pg(0).clone();
    assert_eq!(pg.state_id(), StateId::Incomplete);
    // A stray with a complete info that did go active at 5.
    let mut n = notify_from(3, &c, c.pg(1));
    if let Event::MNotifyRec(m) = &mut n {
        m.notify.info.last_epoch_started = 5;
        m.notify.info.last_update = EVersion::new(1, 1);
        m.notify.info.last_complete = EVersion::new(1, 1);
    }
    pg.clear_state_history();
    let (out, _) = deliver(&mut pg, c.map(), n);
    assert_eq!(out, EventOutcome::Delivered);
    let entered: Vec<_> = pg.state_history().entered().collect();
    assert_eq!(entered.first(), Some(&StateId::GetLog), "{entered:?}");
    // The same info again is nothing new.
    let mut pg2 = c.pg(0).clone();
    let n = notify_from(1, &c, c.pg(1));
    let (out, _) = deliver(&mut pg2, c.map(), n.clone());
    assert_eq!(
        out,
        EventOutcome::Dropped(peering_core::machine::DropReason::InfoNotNew)
    );
}

#[test]
fn active_records_trims_and_replica_logs() {
    let c = active_clean();
    let mut pg = c.pg(0).clone();
    let map = c.map().clone();
    for r in [1, 2] {
        deliver(
            &mut pg,
            &map,
            Event::MTrim(MTrim {
                epoch: 2,
                from: peering_core::types::OsdId(r),
                shard: ShardId::NO_SHARD,
                trim_to: EVersion::new(1, r as u64),
            }),
        );
    }
    // min over the primary's own lcod (0'0) and the replicas' reports.
    assert_eq!(
        pg.status()
            .peer_last_complete_ondisk
            .iter()
            .find(|(s, _)| *s == PgShard::replica(2))
            .unwrap()
            .1,
        EVersion::new(1, 2)
    );
    assert_eq!(pg.status().min_last_complete_ondisk, EVersion::ZERO);
    // A stray's full log (an answer to discover_all_missing) is processed.
    let info = c.pg(3).info().clone();
    let (out, _) = deliver(
        &mut pg,
        &map,
        Event::MLogRec(MLogRec {
            from: PgShard::replica(3),
            msg: PgLogMsg {
                pgid: pgid(),
                epoch: 2,
                query_epoch: 2,
                info,
                log: PgLogT::default(),
                ..Default::default()
            },
        }),
    );
    assert_eq!(out, EventOutcome::Delivered);
    assert!(pg.peer_missing().any(|(s, _)| *s == PgShard::replica(3)));
    assert!(
        pg.status()
            .might_have_unfound
            .contains(&PgShard::replica(3))
    );
}

#[test]
fn replica_active_answers_queries_merges_logs_and_trims() {
    let c = active_clean();
    let mut pg = c.pg(1).clone();
    let map = c.map().clone();
    assert_eq!(pg.state_id(), StateId::RepNotRecovering);
    // MQuery: a MISSING query gets a log message without entries.
    let (_, mut ctx) = deliver(
        &mut pg,
        &map,
        Event::MQuery(MQuery {
            pgid: pgid(),
            from: PgShard::replica(0),
            query: PgQuery {
                kind: QueryKind::Missing,
                history: c.pg(0).history().clone(),
                epoch_sent: 2,
                to: ShardId::NO_SHARD,
                from: ShardId::NO_SHARD,
            },
            query_epoch: 2,
        }),
    );
    let out = ctx.drain_outgoing();
    assert!(
        matches!(&out[..], [(o, Outgoing::Direct(DirectMessage::Log(l)))] if o.0 == 0 && l.log.entries.is_empty())
    );
    // MInfoRec: the primary's history is merged.
    let mut info = c.pg(0).info().clone();
    info.history.last_epoch_clean = 2;
    info.history.last_scrub = EVersion::new(2, 1);
    deliver(
        &mut pg,
        &map,
        Event::MInfoRec(MInfoRec {
            from: PgShard::replica(0),
            info,
            msg_epoch: 2,
            lease: None,
            lease_ack: None,
        }),
    );
    assert_eq!(pg.history().last_scrub, EVersion::new(2, 1));
    // MLogRec: new entries from the primary are merged.
    let mut info = c.pg(0).info().clone();
    info.last_update = EVersion::new(1, 3);
    info.last_complete = EVersion::new(1, 3);
    let (_, ctx) = deliver(
        &mut pg,
        &map,
        Event::MLogRec(MLogRec {
            from: PgShard::replica(0),
            msg: PgLogMsg {
                pgid: pgid(),
                epoch: 2,
                query_epoch: 2,
                info,
                log: log_of(3),
                ..Default::default()
            },
        }),
    );
    assert_eq!(pg.info().last_update, EVersion::new(1, 3));
    assert_eq!(pg.pg_log().missing().num_missing(), 3);
    assert!(!ctx.transaction().is_empty());
    // MTrim (the primary's "trim to") trims the log and moves the tail.
    let (_, ctx) = deliver(
        &mut pg,
        &map,
        Event::MTrim(MTrim {
            epoch: 2,
            from: peering_core::types::OsdId(0),
            shard: ShardId::NO_SHARD,
            trim_to: EVersion::new(1, 1),
        }),
    );
    assert_eq!(pg.info().log_tail, EVersion::new(1, 1));
    assert_eq!(pg.pg_log().log().tail(), EVersion::new(1, 1));
    assert!(!ctx.transaction().is_empty());
    assert_eq!(pg.state_id(), StateId::RepNotRecovering);
}

#[test]
fn rep_not_recovering_rejects_a_backfill_reservation_when_too_full() {
    let c = active_clean();
    let mut pg = c.pg(1).clone();
    pg.clear_state_history();
    let (_, ctx) = deliver(&mut pg, c.map(), Event::RejectTooFullRemoteReservation);
    assert_eq!(ctx.reservations(), [ReservationOp::UnreserveSpace]);
    assert!(matches!(
        ctx.messages(),
        [(o, DirectMessage::BackfillReserve(BackfillReserveMsg { op: BackfillReserveOp::RejectTooFull, .. }))] if o.0 == 0
    ));
    // The posted RemoteReservationRejectedTooFull re-enters RepNotRecovering.
    let entered: Vec<_> = pg.state_history().entered().collect();
    assert_eq!(entered, [StateId::RepNotRecovering]);
}

/// §8.3: a message for a PG this OSD does not have carries `create_info`; the host
/// creates the PG from it at that epoch, then delivers the message.
#[test]
fn a_pg_created_from_a_peers_log_activates_on_it() {
    let c = active_clean();
    let primary = c.pg(0);
    let evt = Event::MLogRec(MLogRec {
        from: PgShard::replica(0),
        msg: PgLogMsg {
            pgid: pgid(),
            epoch: 2,
            query_epoch: 2,
            info: primary.info().clone(),
            log: PgLogT::default(),
            past_intervals: Some(primary.past_intervals().clone()),
            ..Default::default()
        },
    });
    let info = evt.create_info().unwrap();
    assert_eq!(info.epoch, 2);
    assert_eq!(info.history, *primary.history());
    assert!(Event::NullEvt.create_info().is_none());
    let mut ctx = RecoveryCtx::new();
    let map = c.map().clone();
    let mut pg = Pg::create(
        peering_core::machine::PgCreate::from_create_info(
            PgShard::replica(3),
            info,
            mapping(&[0, 1, 2]),
            Default::default(),
        ),
        &map,
        &mut ctx,
    )
    .unwrap();
    assert_eq!(pg.state_name(), "Started/Stray");
    assert_eq!(pg.history().last_epoch_started, 2);
    let out = pg
        .handle_event(PeeringEvt::with_epochs(2, 2, evt), &map, &mut ctx)
        .unwrap();
    assert_eq!(out, EventOutcome::Delivered);
    assert_eq!(pg.state_name(), "Started/ReplicaActive/RepNotRecovering");
}

/// `check_full_transition`: the epoch a pool is marked full goes into the history
/// (Started's `AdvMap`), and is persisted.
#[test]
fn started_records_the_epoch_the_pool_went_full() {
    let mut c = active_clean();
    c.next_map(&[0, 1, 2], |m| {
        m.pools.get_mut(&1).unwrap().flags |= peering_core::map::PoolFlags::FULL;
    });
    assert_eq!(c.pg(0).history().last_epoch_marked_full, 3);
    assert_eq!(c.pg(1).history().last_epoch_marked_full, 3);
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    let persisted = c.transactions.iter().rev().find(|(o, _)| *o == 0).unwrap();
    assert!(persisted.1.ops.iter().any(|op| matches!(
        op,
        peering_core::ctx::TxOp::WriteInfo { info, .. } if info.history.last_epoch_marked_full == 3
    )));
}
