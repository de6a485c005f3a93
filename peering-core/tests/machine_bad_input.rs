//! Bad input (DESIGN.md §4): each is dropped with a reason the host can see, or
//! refused with a typed error, and the PG is unchanged.

mod machine_support;

use machine_support::{Cluster, assert_dropped, mapping, pgid};
use peering_core::PeeringError;
use peering_core::ctx::RecoveryCtx;
use peering_core::event::PgNotify;
use peering_core::event::{Event, EventKind, MLogRec, MNotifyRec, PeeringEvt, PgLogMsg};
use peering_core::log::{LogError, PgLogT};
use peering_core::machine::{DropReason, EventOutcome, Pg, StateId};
use peering_core::types::{EVersion, OsdId, PgId, PgShard, SpgId};
use peering_core::{BadInput, HostMisuse};

/// A primary in GetInfo (waiting for infos) and its map.
fn primary_in_get_info() -> (Cluster, Pg) {
    let c = Cluster::new(&[0, 1, 2, 5], &[0, 1, 2], 3);
    let pg = c.pg(0).clone();
    assert_eq!(pg.state_id(), StateId::GetInfo);
    (c, pg)
}

fn notify(from: i32, pgid: SpgId, e: u32, info_of: &Pg) -> PeeringEvt {
    let mut info = info_of.info().clone();
    info.pgid = SpgId::new(pgid.pgid, info.pgid.shard);
    PeeringEvt::new(
        e,
        Event::MNotifyRec(MNotifyRec {
            pgid,
            from: PgShard::replica(from),
            notify: PgNotify {
                query_epoch: e,
                epoch_sent: e,
                info,
                ..Default::default()
            },
            features: 0,
        }),
    )
}

#[test]
fn an_event_for_another_pg_is_dropped() {
    let (c, mut pg) = primary_in_get_info();
    let other = SpgId::replicated(PgId::new(1, 7));
    let evt = notify(1, other, 1, c.pg(1));
    assert_dropped(&mut pg, &c, evt, DropReason::WrongPg { got: other });
}

#[test]
fn a_notify_from_an_osd_the_map_does_not_know_is_dropped() {
    let (c, mut pg) = primary_in_get_info();
    let evt = notify(42, pgid(), 1, c.pg(1));
    assert_dropped(&mut pg, &c, evt, DropReason::UnknownOsd(OsdId(42)));
}

#[test]
fn a_notify_from_an_osd_outside_every_interval_records_a_stray_as_ceph_does() {
    // osd.5 exists and is up but was never in any interval: Ceph takes it as a
    // stray holding data (and purges it once clean). Its notify is not a probe
    // answer, so GetInfo still waits for osd.1 and osd.2.
    let (c, mut pg) = primary_in_get_info();
    let mut ctx = RecoveryCtx::new();
    let evt = notify(5, pgid(), 1, c.pg(1));
    assert_eq!(
        pg.handle_event(evt, c.map(), &mut ctx),
        Ok(EventOutcome::Delivered)
    );
    assert!(pg.status().stray_set.contains(&PgShard::replica(5)));
    assert_eq!(pg.state_id(), StateId::GetInfo);
}

#[test]
fn a_notify_from_ourselves_or_malformed_is_dropped() {
    let (c, mut pg) = primary_in_get_info();
    let evt = notify(0, pgid(), 1, c.pg(1));
    assert_dropped(&mut pg, &c, evt, DropReason::FromSelf);
    let mut evt = notify(1, pgid(), 1, c.pg(1));
    if let Event::MNotifyRec(n) = &mut evt.event {
        n.notify.from = peering_core::types::ShardId(3);
    }
    assert_dropped(&mut pg, &c, evt, DropReason::Malformed);
}

#[test]
fn a_stale_event_is_dropped() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1], |m| m.mark_down(2));
    let mut pg = c.pg(0).clone();
    assert_eq!(pg.last_peering_reset(), 2);
    let evt = notify(1, pgid(), 1, c.pg(1));
    assert_dropped(
        &mut pg,
        &c,
        evt,
        DropReason::Stale {
            epoch_sent: 1,
            epoch_requested: 1,
            last_peering_reset: 2,
        },
    );
}

#[test]
fn an_info_with_an_older_history_is_dropped_by_a_replica() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1], |m| m.mark_down(2));
    c.run();
    let mut pg = c.pg(1).clone();
    assert_eq!(pg.state_id(), StateId::Stray);
    let mut info = c.pg(0).info().clone();
    info.history.same_interval_since = 1;
    let evt = machine_support::info_evt(0, 2, info);
    assert_dropped(
        &mut pg,
        &c,
        evt,
        DropReason::StaleHistory { theirs: 1, ours: 2 },
    );
    // And an info from a non-primary.
    let info = c.pg(0).info().clone();
    let evt = machine_support::info_evt(2, 2, info);
    assert_dropped(
        &mut pg,
        &c,
        evt,
        DropReason::NotFromPrimary {
            from: PgShard::replica(2),
        },
    );
}

fn log_from(from: i32, info_of: &Pg, log: PgLogT) -> PeeringEvt {
    PeeringEvt::new(
        1,
        Event::MLogRec(MLogRec {
            from: PgShard::replica(from),
            msg: PgLogMsg {
                pgid: pgid(),
                epoch: 1,
                query_epoch: 1,
                info: info_of.info().clone(),
                log,
                ..Default::default()
            },
        }),
    )
}

#[test]
fn a_log_reply_to_a_query_never_sent_is_dropped() {
    let (c, mut pg) = primary_in_get_info();
    let evt = log_from(1, c.pg(1), PgLogT::default());
    assert_dropped(
        &mut pg,
        &c,
        evt,
        DropReason::UnsolicitedLog {
            from: PgShard::replica(1),
        },
    );
}

#[test]
fn a_log_whose_tail_is_past_its_head_is_refused() {
    let (c, mut pg) = primary_in_get_info();
    let before = pg.clone();
    let bad = PgLogT::new(EVersion::new(1, 9), EVersion::new(1, 2));
    let mut ctx = RecoveryCtx::new();
    let err = pg
        .handle_event(log_from(1, c.pg(1), bad), c.map(), &mut ctx)
        .unwrap_err();
    assert!(
        matches!(
            err,
            PeeringError::BadInput(BadInput::Log(LogError::TailPastHead { .. }))
        ),
        "{err:?}"
    );
    assert_eq!(pg, before);
}

#[test]
fn map_protocol_violations_are_refused() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    let mut pg = c.pg(0).clone();
    let before = pg.clone();
    let m2 = c.maps[&2].clone();
    let m1 = c.maps[&1].clone();
    let mut ctx = RecoveryCtx::new();
    // AdvMap for an older epoch.
    assert_eq!(
        pg.advance_map(&m1, &m2, mapping(&[0, 1, 2]), &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::EpochBackwards {
            prev: 2,
            new: 1
        }))
    );
    // ActMap without a preceding AdvMap.
    assert_eq!(
        pg.activate_map(&m2, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::NoMapBatch))
    );
    assert_eq!(
        pg.handle_event(PeeringEvt::new(2, Event::ActMap), &m2, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::NoMapBatch))
    );
    // AdvMap through handle_event.
    assert_eq!(
        pg.handle_event(
            PeeringEvt::new(2, Event::AdvMap(mapping(&[0]))),
            &m2,
            &mut ctx
        ),
        Err(PeeringError::HostMisuse(HostMisuse::MapEventOutsideBatch {
            event: EventKind::AdvMap
        }))
    );
    // An event from the future: the host must advance the PG first.
    assert_eq!(
        pg.handle_event(PeeringEvt::new(9, Event::NullEvt), &m2, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::EventFromFuture {
            epoch_sent: 9,
            pg_epoch: 2
        }))
    );
    // A map that is not the PG's.
    assert_eq!(
        pg.handle_event(PeeringEvt::new(1, Event::NullEvt), &m1, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::MapMismatch {
            expected: 2,
            got: 1
        }))
    );
    assert_eq!(pg, before);
    assert!(ctx.is_empty());

    // Nothing between AdvMap and ActMap.
    let m3 = m2.next();
    pg.advance_map(&m3, &m2, mapping(&[0, 1, 2]), &mut ctx)
        .unwrap();
    assert_eq!(
        pg.handle_event(PeeringEvt::new(3, Event::NullEvt), &m3, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::MapBatchOpen {
            event: EventKind::NullEvt
        }))
    );
    pg.activate_map(&m3, &mut ctx).unwrap();
    assert_eq!(pg.state_id(), StateId::Clean);
}

#[test]
fn a_mapping_that_means_nothing_for_the_pool_is_refused() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    let mut pg = c.pg(0).clone();
    let before = pg.clone();
    let m1 = c.maps[&1].clone();
    let m2 = m1.next();
    let mut ctx = RecoveryCtx::new();
    // osd.1 twice in a replicated acting set.
    let err = pg
        .advance_map(&m2, &m1, mapping(&[0, 1, 1]), &mut ctx)
        .unwrap_err();
    assert!(
        matches!(err, PeeringError::BadInput(BadInput::Interval(_))),
        "{err:?}"
    );
    assert_eq!(pg, before);
}
