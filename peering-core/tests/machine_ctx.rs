//! `RecoveryCtx` (reference §4): draining, buffered messages held around an
//! interval flush go in front, and what each outgoing message becomes at the
//! receiver (§8.4).

use peering_core::ctx::{BackfillReserveMsg, QueryMsg, RecoveryReserveMsg, RemoveMsg, TrimMsg};
use peering_core::ctx::{
    BackfillReserveOp, BufferedMessages, DirectMessage, InfoMsg, Outgoing, RecoveryCtx,
    RecoveryReserveOp,
};
use peering_core::event::EventKind;
use peering_core::types::{
    EVersion, OsdId, PgHistory, PgId, PgInfo, PgQuery, QueryKind, ShardId, SpgId,
};

fn spg() -> SpgId {
    SpgId::replicated(PgId::new(1, 0))
}

fn query(epoch: u32) -> PgQuery {
    PgQuery {
        kind: QueryKind::Info,
        history: PgHistory::default(),
        epoch_sent: epoch,
        to: ShardId::NO_SHARD,
        from: ShardId::NO_SHARD,
    }
}

fn info(epoch: u32) -> InfoMsg {
    InfoMsg {
        pgid: spg(),
        from: ShardId::NO_SHARD,
        min_epoch: epoch,
        epoch,
        info: PgInfo::new(spg()),
        lease: None,
        lease_ack: None,
    }
}

#[test]
fn held_messages_go_in_front_and_drains_empty_the_context() {
    let mut ctx = RecoveryCtx::new();
    assert!(ctx.is_empty());
    ctx.send_info(OsdId(1), info(5));
    let mut held = BufferedMessages::default();
    held.send_info(OsdId(1), info(4));
    held.send_query(OsdId(2), spg(), query(4));
    ctx.accept_buffered(held);
    let epochs: Vec<_> = ctx.infos()[&OsdId(1)].iter().map(|i| i.epoch).collect();
    assert_eq!(epochs, [4, 5]);
    ctx.send_direct(
        OsdId(3),
        DirectMessage::Trim(TrimMsg {
            epoch: 5,
            pgid: spg(),
            trim_to: EVersion::new(5, 1),
        }),
    );
    let out = ctx.drain_outgoing();
    let kinds: Vec<_> = out
        .iter()
        .map(|(o, m)| {
            (
                o.0,
                match m {
                    Outgoing::Query(..) => "query",
                    Outgoing::Notify(_) => "notify",
                    Outgoing::Info(_) => "info",
                    Outgoing::Direct(_) => "direct",
                },
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [(2, "query"), (1, "info"), (1, "info"), (3, "direct")]
    );
    assert!(ctx.is_empty());
}

#[test]
fn outgoing_messages_become_cephs_events() {
    let from = OsdId(7);
    let evs = Outgoing::Query(QueryMsg {
        pgid: spg(),
        query: query(9),
    })
    .into_events(from);
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].1.event.kind(), EventKind::MQuery);
    assert_eq!((evs[0].1.epoch_sent, evs[0].1.epoch_requested), (9, 9));

    let mut i = info(9);
    i.min_epoch = 8;
    let evs = Outgoing::Info(i).into_events(from);
    assert_eq!(evs[0].1.event.kind(), EventKind::MInfoRec);
    assert_eq!((evs[0].1.epoch_sent, evs[0].1.epoch_requested), (9, 8));

    let backfill = |op| {
        DirectMessage::BackfillReserve(BackfillReserveMsg {
            pgid: spg(),
            epoch: 3,
            op,
            priority: 100,
            primary_num_bytes: 1,
            shard_num_bytes: 2,
        })
    };
    for (op, kind) in [
        (BackfillReserveOp::Request, EventKind::RequestBackfillPrio),
        (BackfillReserveOp::Grant, EventKind::RemoteBackfillReserved),
        (
            BackfillReserveOp::RejectTooFull,
            EventKind::RemoteReservationRejectedTooFull,
        ),
        (
            BackfillReserveOp::Release,
            EventKind::RemoteReservationCanceled,
        ),
        (
            BackfillReserveOp::RevokeTooFull,
            EventKind::RemoteReservationRevokedTooFull,
        ),
        (
            BackfillReserveOp::Revoke,
            EventKind::RemoteReservationRevoked,
        ),
    ] {
        let evs = Outgoing::Direct(backfill(op)).into_events(from);
        assert_eq!(evs[0].1.event.kind(), kind, "{op:?}");
    }
    let recovery = |op| {
        DirectMessage::RecoveryReserve(RecoveryReserveMsg {
            pgid: spg(),
            epoch: 3,
            op,
            priority: 180,
        })
    };
    for (op, kind) in [
        (RecoveryReserveOp::Request, EventKind::RequestRecoveryPrio),
        (RecoveryReserveOp::Grant, EventKind::RemoteRecoveryReserved),
        (RecoveryReserveOp::Release, EventKind::RecoveryDone),
        (RecoveryReserveOp::Revoke, EventKind::DeferRecovery),
    ] {
        let evs = Outgoing::Direct(recovery(op)).into_events(from);
        assert_eq!(evs[0].1.event.kind(), kind, "{op:?}");
    }
    let other = SpgId::replicated(PgId::new(1, 1));
    let evs = Outgoing::Direct(DirectMessage::Remove(RemoveMsg {
        epoch: 4,
        pgids: vec![spg(), other],
    }))
    .into_events(from);
    let targets: Vec<_> = evs.iter().map(|(p, e)| (*p, e.event.kind())).collect();
    assert_eq!(
        targets,
        [
            (spg(), EventKind::DeleteStart),
            (other, EventKind::DeleteStart)
        ]
    );
}
