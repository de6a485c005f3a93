//! Received message → peering event, against Ceph's table (`ceph-osd-side.md`
//! §1.3, `ceph-peering.md` §2.1, §8.4; the `get_event()` of `MOSDPGNotify2`,
//! `MOSDPGInfo2`, `MOSDPGQuery2`, `MOSDPGLog`, `MOSDPGTrim`, `MOSDPGRemove`,
//! `MRecoveryReserve`, `MBackfillReserve`, and `OSD::handle_fast_pg_create`).
//! Expected events are written out by hand from those sources.

mod msg_support;

use msg_support::{info, lease, notify, past_intervals, sample, spg};
use peering_core::ctx::{
    BackfillReserveMsg, BackfillReserveOp, RecoveryReserveMsg, RecoveryReserveOp,
};
use peering_core::event::{
    Defer, Event, MInfoRec, MLease, MLeaseAck, MLogRec, MNotifyRec, MQuery, MTrim, PeeringEvt,
    PgCreateInfo, PgLogMsg as CoreLogMsg, RequestBackfillPrio, RequestRecoveryPrio,
};
use peering_core::map::{PoolInfo, SimpleOsdMap};
use peering_core::types::{
    EVersion, OsdId, PgHistory, PgId, PgLeaseAck, PgShard, ShardId, SpgId, Timespan, UTime,
};
use peering_core_std::msg::*;

const FROM: OsdId = OsdId(3);

fn from_shard(shard: ShardId) -> PgShard {
    PgShard::new(FROM, shard)
}

fn events(m: Message) -> Vec<(SpgId, PeeringEvt)> {
    m.into_peering_events(FROM).unwrap()
}

fn deliveries(m: Message) -> Vec<PeeringDelivery> {
    m.into_deliveries(FROM).unwrap()
}

#[test]
fn notify2_becomes_mnotifyrec_at_sent_and_query_epochs() {
    let n = notify(9);
    let ds = deliveries(sample(MsgType::PgNotify2));
    assert_eq!(ds.len(), 1);
    let d = &ds[0];
    assert_eq!(d.spgid, spg(1, 9));
    assert_eq!(
        d.evt,
        PeeringEvt::with_epochs(
            9,
            8,
            Event::MNotifyRec(MNotifyRec {
                pgid: spg(1, 9),
                from: from_shard(ShardId::NO_SHARD),
                notify: n.clone(),
                features: 0,
            })
        )
    );
    // MOSDPGNotify2 creates at the notify's epoch_sent.
    assert_eq!(
        d.create_info,
        Some(PgCreateInfo {
            pgid: spg(1, 9),
            epoch: 9,
            history: n.info.history.clone(),
            past_intervals: n.past_intervals.clone(),
            by_mon: false,
        })
    );
    assert!(d.requires_pg);
}

#[test]
fn legacy_notify_splits_per_entry_and_creates_at_query_epoch() {
    let ds = deliveries(sample(MsgType::PgNotify));
    assert_eq!(
        ds.iter().map(|d| d.spgid).collect::<Vec<_>>(),
        [spg(1, 1), spg(1, 2)]
    );
    for d in &ds {
        assert_eq!((d.evt.epoch_sent, d.evt.epoch_requested), (9, 8));
        assert!(matches!(d.evt.event, Event::MNotifyRec(_)));
        assert_eq!(d.create_info.as_ref().map(|c| c.epoch), Some(8));
    }
}

#[test]
fn query2_becomes_mquery_without_requiring_the_pg() {
    let Message::PgQuery2(m) = sample(MsgType::PgQuery2) else {
        unreachable!()
    };
    let ds = deliveries(Message::PgQuery2(m.clone()));
    assert_eq!(ds.len(), 1);
    assert_eq!(
        ds[0].evt,
        PeeringEvt::new(
            11,
            Event::MQuery(MQuery {
                pgid: spg(1, 9),
                from: from_shard(ShardId::NO_SHARD),
                query: m.query,
                query_epoch: 11,
            })
        )
    );
    assert!(!ds[0].requires_pg);
    assert_eq!(ds[0].create_info, None);
    // The legacy batch: one MQuery per entry, keyed by target.
    let evs = events(sample(MsgType::PgQuery));
    assert_eq!(
        evs.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [spg(1, 1), spg(1, 2)]
    );
    assert!(
        evs.iter()
            .all(|(_, e)| (e.epoch_sent, e.epoch_requested) == (11, 11)
                && matches!(e.event, Event::MQuery(_)))
    );
}

#[test]
fn info2_becomes_minforec_at_sent_and_min_epochs() {
    let ds = deliveries(sample(MsgType::PgInfo2));
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].spgid, spg(1, 9));
    assert_eq!(
        ds[0].evt,
        PeeringEvt::with_epochs(
            21,
            19,
            Event::MInfoRec(MInfoRec {
                from: from_shard(ShardId::NO_SHARD),
                info: info(9),
                msg_epoch: 21,
                lease: Some(lease()),
                lease_ack: Some(PgLeaseAck {
                    readable_until_ub: Timespan(1_500),
                }),
            })
        )
    );
    assert_eq!(ds[0].create_info, None);
    // The legacy batch: (epoch_sent, query_epoch) of each entry.
    let evs = events(sample(MsgType::PgInfo));
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].0, spg(1, 6));
    assert_eq!((evs[0].1.epoch_sent, evs[0].1.epoch_requested), (9, 8));
    assert!(matches!(&evs[0].1.event, Event::MInfoRec(r) if r.msg_epoch == 9));
}

#[test]
fn log_becomes_mlogrec_addressed_by_info_pg_and_to() {
    let Message::PgLog(m) = sample(MsgType::PgLog) else {
        unreachable!()
    };
    let ds = deliveries(Message::PgLog(m.clone()));
    assert_eq!(ds.len(), 1);
    let core = CoreLogMsg {
        pgid: spg(1, 4),
        from: ShardId::NO_SHARD,
        epoch: 12,
        query_epoch: 11,
        info: m.info.clone(),
        log: m.log.clone(),
        missing: m.missing.clone(),
        past_intervals: m.past_intervals.clone(),
        lease: Some(lease()),
    };
    assert_eq!(
        ds[0].evt,
        PeeringEvt::with_epochs(
            12,
            11,
            Event::MLogRec(MLogRec {
                from: from_shard(ShardId::NO_SHARD),
                msg: core,
            })
        )
    );
    // A log may create the PG: at its query_epoch, with its history.
    assert_eq!(
        ds[0].create_info,
        Some(PgCreateInfo {
            pgid: spg(1, 4),
            epoch: 11,
            history: m.info.history.clone(),
            past_intervals: past_intervals(),
            by_mon: false,
        })
    );
}

#[test]
fn trim_and_remove() {
    assert_eq!(
        events(sample(MsgType::PgTrim)),
        [(
            spg(1, 6),
            PeeringEvt::new(
                14,
                Event::MTrim(MTrim {
                    epoch: 14,
                    from: FROM,
                    shard: ShardId::NO_SHARD,
                    trim_to: EVersion::new(10, 100),
                })
            )
        )]
    );
    assert_eq!(
        events(sample(MsgType::PgRemove)),
        [
            (spg(1, 1), PeeringEvt::new(13, Event::DeleteStart)),
            (spg(1, 5), PeeringEvt::new(13, Event::DeleteStart)),
        ]
    );
}

#[test]
fn recovery_reserve_ops_map_to_ceph_events() {
    let table = [
        (
            RecoveryReserveOp::Request,
            0,
            Event::RequestRecoveryPrio(RequestRecoveryPrio { priority: 180 }),
        ),
        (RecoveryReserveOp::Grant, 1, Event::RemoteRecoveryReserved),
        (RecoveryReserveOp::Release, 2, Event::RecoveryDone),
        (
            RecoveryReserveOp::Revoke,
            3,
            Event::DeferRecovery(Defer { delay: Timespan(0) }),
        ),
    ];
    for (op, code, event) in table {
        let m = RecoveryReserveMsg {
            pgid: SpgId::new(PgId::new(1, 10), ShardId(2)),
            epoch: 23,
            op,
            priority: 180,
        };
        assert_eq!(m.op.code(), code);
        assert_eq!(
            events(Message::RecoveryReserve(m)),
            [(
                SpgId::new(PgId::new(1, 10), ShardId(2)),
                PeeringEvt::new(23, event)
            )]
        );
    }
}

#[test]
fn backfill_reserve_ops_map_to_ceph_events() {
    let table = [
        (
            BackfillReserveOp::Request,
            0,
            Event::RequestBackfillPrio(RequestBackfillPrio {
                priority: 110,
                primary_num_bytes: 1 << 30,
                local_num_bytes: 1 << 20,
            }),
        ),
        (BackfillReserveOp::Grant, 1, Event::RemoteBackfillReserved),
        (
            BackfillReserveOp::RejectTooFull,
            2,
            Event::RemoteReservationRejectedTooFull,
        ),
        (
            BackfillReserveOp::Release,
            3,
            Event::RemoteReservationCanceled,
        ),
        (
            BackfillReserveOp::RevokeTooFull,
            4,
            Event::RemoteReservationRevokedTooFull,
        ),
        (
            BackfillReserveOp::Revoke,
            5,
            Event::RemoteReservationRevoked,
        ),
    ];
    for (op, code, event) in table {
        let m = BackfillReserveMsg {
            pgid: spg(1, 7),
            epoch: 15,
            op,
            priority: 110,
            primary_num_bytes: 1 << 30,
            shard_num_bytes: 1 << 20,
        };
        assert_eq!(m.op.code(), code);
        assert_eq!(
            events(Message::BackfillReserve(m)),
            [(spg(1, 7), PeeringEvt::new(15, event))]
        );
    }
}

#[test]
fn monitor_creates_become_null_events_with_create_info() {
    let ds = deliveries(sample(MsgType::PgCreate2));
    assert_eq!(
        ds,
        [PeeringDelivery {
            spgid: spg(1, 8),
            evt: PeeringEvt::new(20, Event::NullEvt),
            create_info: Some(PgCreateInfo {
                pgid: spg(1, 8),
                epoch: 20,
                history: PgHistory::default(),
                past_intervals: past_intervals(),
                by_mon: true,
            }),
            requires_pg: true,
        }]
    );
    // Octopus+ ignores a create without history and past intervals.
    let Message::PgCreate2(mut m) = sample(MsgType::PgCreate2) else {
        unreachable!()
    };
    m.pg_extra.clear();
    assert_eq!(deliveries(Message::PgCreate2(m)), []);

    // Legacy: split children are skipped; the others start from their creation
    // epoch and stamp.
    let ds = deliveries(sample(MsgType::PgCreate));
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].spgid, SpgId::replicated(PgId::new(1, 0)));
    assert_eq!(ds[0].evt, PeeringEvt::new(3, Event::NullEvt));
    let ci = ds[0].create_info.clone().unwrap();
    assert!(ci.by_mon);
    assert_eq!(ci.history, PgHistory::new(3, UTime { sec: 1, nsec: 2 }));
}

#[test]
fn non_peering_messages_are_refused() {
    for ty in MsgType::ALL {
        let m = sample(*ty);
        let peering = m.is_peering();
        let result = m.into_deliveries(FROM);
        if peering {
            assert!(result.is_ok(), "{}", ty.name());
        } else {
            assert_eq!(result, Err(MsgError::NotPeering(ty.name())));
        }
    }
}

#[test]
fn lease_and_lease_ack_become_mlease_and_mleaseack_at_their_epoch() {
    let ds = deliveries(sample(MsgType::PgLease));
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].spgid, spg(1, 9));
    assert_eq!(
        ds[0].evt,
        PeeringEvt::new(
            22,
            Event::MLease(MLease {
                epoch: 22,
                from: FROM,
                lease: lease(),
            })
        )
    );
    assert_eq!(ds[0].create_info, None);
    let ds = deliveries(sample(MsgType::PgLeaseAck));
    assert_eq!(
        ds[0].evt,
        PeeringEvt::new(
            22,
            Event::MLeaseAck(MLeaseAck {
                epoch: 22,
                from: FROM,
                lease_ack: PgLeaseAck {
                    readable_until_ub: Timespan(2_000),
                },
            })
        )
    );
}

#[test]
fn malformed_peering_messages_are_refused() {
    // A notify whose sending shard is not its info's shard.
    let mut n = notify(9);
    n.from = ShardId(1);
    let bad = Message::PgNotify2(n.clone());
    assert_eq!(
        bad.into_peering_events(FROM),
        Err(MsgError::ShardMismatch {
            pgid: spg(1, 9),
            from: ShardId(1),
            info_shard: ShardId::NO_SHARD,
        })
    );
    // The same in a legacy batch refuses the whole message.
    let bad = Message::PgNotify(PgNotifyMsg {
        epoch: 9,
        notifies: vec![notify(1), n.clone()],
    });
    assert!(matches!(
        bad.into_peering_events(FROM),
        Err(MsgError::ShardMismatch { .. })
    ));
    let bad = Message::PgInfo(PgInfoMsg {
        epoch: 9,
        infos: vec![n],
    });
    assert!(matches!(
        bad.into_peering_events(FROM),
        Err(MsgError::ShardMismatch { .. })
    ));
    // An info whose sending shard is not its info's shard.
    let Message::PgInfo2(mut i) = sample(MsgType::PgInfo2) else {
        unreachable!()
    };
    i.from = ShardId(2);
    assert_eq!(
        Message::PgInfo2(i).into_peering_events(FROM),
        Err(MsgError::ShardMismatch {
            pgid: spg(1, 9),
            from: ShardId(2),
            info_shard: ShardId::NO_SHARD,
        })
    );
    // A query whose `to` is not the shard addressed.
    let Message::PgQuery2(mut q) = sample(MsgType::PgQuery2) else {
        unreachable!()
    };
    q.query.to = ShardId(0);
    assert_eq!(
        Message::PgQuery2(q).into_peering_events(FROM),
        Err(MsgError::PgMismatch {
            addressed: spg(1, 9),
            carried: SpgId::new(PgId::new(1, 9), ShardId(0)),
        })
    );
    // An info for another PG than the one addressed.
    let Message::PgInfo2(mut i) = sample(MsgType::PgInfo2) else {
        unreachable!()
    };
    i.pgid = spg(1, 11);
    assert_eq!(
        Message::PgInfo2(i).into_peering_events(FROM),
        Err(MsgError::PgMismatch {
            addressed: spg(1, 11),
            carried: spg(1, 9),
        })
    );
}

#[test]
fn messages_for_unknown_pools_are_refused_before_conversion() {
    let map = SimpleOsdMap::new(30).with_pool(PoolInfo::replicated(1, 3, 16));
    assert!(
        sample(MsgType::PgLog)
            .into_deliveries_checked(FROM, &map)
            .is_ok()
    );
    let mut n = notify(1);
    n.info.pgid = SpgId::replicated(PgId::new(7, 1));
    let m = Message::PgNotify2(n);
    assert_eq!(
        m.into_deliveries_checked(FROM, &map),
        Err(MsgError::UnknownPool(PgId::new(7, 1)))
    );
}
