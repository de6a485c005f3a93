//! Shared fixtures of the message tests: one sample of every message type
//! (`ceph-osd-side.md` §1.2).

#![allow(dead_code)]

use std::collections::BTreeMap;

use peering_core::ctx::{
    BackfillReserveMsg, BackfillReserveOp, InfoMsg, LeaseAckMsg, LeaseMsg, QueryMsg,
    RecoveryReserveMsg, RecoveryReserveOp, RemoveMsg, TrimMsg,
};
use peering_core::event::PgNotify;
use peering_core::intervals::{PastIntervals, PgInterval};
use peering_core::log::{LogEntry, LogOp, Missing, PgLogT};
use peering_core::types::{
    EVersion, ObjectId, OsdId, OsdVec, PgHistory, PgId, PgInfo, PgLease, PgLeaseAck, PgQuery,
    PgShard, QueryKind, ShardId, SpgId, Timespan, UTime,
};
use peering_core_std::msg::*;

pub fn spg(pool: i64, seed: u32) -> SpgId {
    SpgId::replicated(PgId::new(pool, seed))
}

pub fn info(seed: u32) -> PgInfo {
    let mut i = PgInfo::new(spg(1, seed));
    i.last_update = EVersion::new(7, 42);
    i.history.same_interval_since = 5;
    i
}

pub fn past_intervals() -> PastIntervals {
    let osds: OsdVec = [OsdId(0), OsdId(2)].into_iter().collect();
    let mut pi = PastIntervals::new();
    pi.add_interval(
        false,
        &PgInterval {
            up: osds.clone(),
            acting: osds,
            first: 3,
            last: 6,
            maybe_went_rw: true,
            primary: OsdId(0),
            up_primary: OsdId(0),
        },
    )
    .unwrap();
    pi
}

/// A two-entry log `7'41..7'42` and a missing set naming one object.
pub fn pg_log() -> PgLogT {
    let mut log = PgLogT::new(EVersion::new(7, 40), EVersion::new(7, 42));
    log.entries = (41..=42)
        .map(|v| {
            LogEntry::new(
                LogOp::Modify,
                ObjectId::new(1, v as u32, format!("o{v}")),
                EVersion::new(7, v),
                EVersion::ZERO,
            )
        })
        .collect();
    log
}

pub fn missing() -> Missing {
    let mut m = Missing::new(true);
    m.add(
        &ObjectId::new(1, 41, "o41"),
        EVersion::new(7, 41),
        EVersion::ZERO,
        false,
    );
    m
}

pub fn notify(seed: u32) -> PgNotify {
    PgNotify {
        query_epoch: 8,
        epoch_sent: 9,
        info: info(seed),
        to: ShardId::NO_SHARD,
        from: ShardId::NO_SHARD,
        past_intervals: past_intervals(),
    }
}

pub fn query(kind: QueryKind) -> PgQuery {
    PgQuery {
        kind,
        history: PgHistory::default(),
        epoch_sent: 11,
        to: ShardId::NO_SHARD,
        from: ShardId::NO_SHARD,
    }
}

pub fn op(seed: u32) -> PgOpMsg {
    PgOpMsg {
        pgid: SpgId::new(PgId::new(2, seed), ShardId(1)),
        from: PgShard::new(OsdId(3), ShardId(0)),
        map_epoch: 12,
        min_epoch: 10,
        tid: 99,
        body: vec![1, 2, 3],
    }
}

pub fn lease() -> PgLease {
    PgLease {
        readable_until: Timespan(1_000),
        readable_until_ub: Timespan(2_000),
        interval: Timespan(500),
    }
}

/// One sample of every type (the match is exhaustive, so a new type needs one).
pub fn sample(ty: MsgType) -> Message {
    match ty {
        MsgType::Ping => Message::Ping(PingMsg),
        MsgType::OsdMap => Message::OsdMap(OsdMapMsg {
            maps: BTreeMap::from([(5, vec![0xaa; 4])]),
            incremental_maps: BTreeMap::from([(6, vec![1]), (7, vec![2])]),
            oldest_map: 1,
            newest_map: 7,
        }),
        MsgType::OsdOp => Message::OsdOp(ClientOpMsg {
            pgid: spg(1, 3),
            oid: "rbd_data.1".into(),
            map_epoch: 7,
            tid: 1,
            flags: 0x20,
            ops: vec![9; 16],
        }),
        MsgType::OsdOpReply => Message::OsdOpReply(ClientOpReplyMsg {
            pgid: spg(1, 3),
            oid: "rbd_data.1".into(),
            map_epoch: 7,
            tid: 1,
            result: -2,
            data: vec![],
        }),
        MsgType::MonCommand => Message::MonCommand(CommandMsg {
            cmd: vec!["{\"prefix\": \"status\"}".into()],
        }),
        MsgType::Command => Message::Command(CommandMsg {
            cmd: vec!["perf dump".into()],
        }),
        MsgType::Alive => Message::Alive(AliveMsg {
            version: 10,
            want: 10,
        }),
        MsgType::MarkMeDown => Message::MarkMeDown(MarkMeDownMsg {
            target_osd: OsdId(4),
            epoch: 9,
            request_ack: true,
        }),
        MsgType::SubOp => Message::SubOp(op(1)),
        MsgType::SubOpReply => Message::SubOpReply(op(2)),
        MsgType::PgTemp => Message::PgTemp(PgTempMsg {
            map_epoch: 9,
            pg_temp: BTreeMap::from([
                (PgId::new(1, 2), [OsdId(1), OsdId(2)].into_iter().collect()),
                (PgId::new(1, 3), OsdVec::new()),
            ]),
            forced: false,
        }),
        MsgType::PgNotify => Message::PgNotify(PgNotifyMsg {
            epoch: 9,
            notifies: vec![notify(1), notify(2)],
        }),
        MsgType::PgQuery => Message::PgQuery(PgQueryMsg {
            epoch: 11,
            queries: BTreeMap::from([
                (spg(1, 1), query(QueryKind::Info)),
                (
                    spg(1, 2),
                    query(QueryKind::Log {
                        since: EVersion::new(3, 4),
                    }),
                ),
            ]),
        }),
        MsgType::PgLog => Message::PgLog(peering_core::event::PgLogMsg {
            pgid: SpgId::new(info(4).pgid.pgid, ShardId::NO_SHARD),
            epoch: 12,
            query_epoch: 11,
            info: info(4),
            log: pg_log(),
            missing: missing(),
            past_intervals: Some(past_intervals()),
            from: ShardId::NO_SHARD,
            lease: Some(lease()),
        }),
        MsgType::PgRemove => Message::PgRemove(RemoveMsg {
            epoch: 13,
            pgids: vec![spg(1, 1), spg(1, 5)],
        }),
        MsgType::PgInfo => Message::PgInfo(PgInfoMsg {
            epoch: 9,
            infos: vec![notify(6)],
        }),
        MsgType::PgTrim => Message::PgTrim(TrimMsg {
            epoch: 14,
            pgid: spg(1, 6),
            trim_to: EVersion::new(10, 100),
        }),
        MsgType::PgStatsAck => Message::PgStatsAck(PgStatsAckMsg {
            pg_stat: BTreeMap::from([(PgId::new(1, 0), (5, 77))]),
        }),
        MsgType::PgCreate => Message::PgCreate(PgCreateMsg {
            epoch: 3,
            mkpg: BTreeMap::from([
                (
                    PgId::new(1, 0),
                    PgCreateEntry {
                        created: 3,
                        parent: PgId::new(1, 0),
                        split_bits: 0,
                    },
                ),
                (
                    PgId::new(1, 1),
                    PgCreateEntry {
                        created: 3,
                        parent: PgId::new(1, 0),
                        split_bits: 1,
                    },
                ),
            ]),
            ctimes: BTreeMap::from([(PgId::new(1, 0), UTime { sec: 1, nsec: 2 })]),
        }),
        MsgType::Scrub => Message::Scrub(ScrubMsg {
            epoch: 4,
            scrub_pgs: vec![PgId::new(1, 2)],
            repair: false,
            deep: true,
        }),
        MsgType::PgMissing => Message::PgMissing(PgMissingMsg {
            epoch: 4,
            pgid: spg(1, 2),
        }),
        MsgType::RepScrub => Message::RepScrub(op(3)),
        MsgType::PgScan => Message::PgScan(op(4)),
        MsgType::PgBackfill => Message::PgBackfill(op(5)),
        MsgType::BackfillReserve => Message::BackfillReserve(BackfillReserveMsg {
            pgid: spg(1, 7),
            epoch: 15,
            op: BackfillReserveOp::RejectTooFull,
            priority: 110,
            primary_num_bytes: 1 << 30,
            shard_num_bytes: 1 << 20,
        }),
        MsgType::PgPush => Message::PgPush(op(6)),
        MsgType::PgPull => Message::PgPull(op(7)),
        MsgType::PgPushReply => Message::PgPushReply(op(8)),
        MsgType::EcWrite => Message::EcWrite(op(9)),
        MsgType::EcWriteReply => Message::EcWriteReply(op(10)),
        MsgType::EcRead => Message::EcRead(op(11)),
        MsgType::EcReadReply => Message::EcReadReply(op(12)),
        MsgType::RepOp => Message::RepOp(op(13)),
        MsgType::RepOpReply => Message::RepOpReply(op(14)),
        MsgType::PgUpdateLogMissing => Message::PgUpdateLogMissing(op(15)),
        MsgType::PgUpdateLogMissingReply => Message::PgUpdateLogMissingReply(op(16)),
        MsgType::PgCreated => Message::PgCreated(PgCreatedMsg {
            pgid: PgId::new(1, 8),
        }),
        MsgType::PgReadyToMerge => Message::PgReadyToMerge(ReadyToMergeMsg {
            pgid: PgId::new(1, 7),
            source_version: EVersion::new(9, 40),
            target_version: EVersion::new(9, 31),
            last_epoch_started: 8,
            last_epoch_clean: 8,
            ready: true,
            map_epoch: 9,
        }),
        MsgType::PgCreate2 => Message::PgCreate2(PgCreate2Msg {
            epoch: 20,
            pgs: BTreeMap::from([(spg(1, 8), (18, UTime { sec: 5, nsec: 0 }))]),
            pg_extra: BTreeMap::from([(spg(1, 8), (PgHistory::default(), past_intervals()))]),
        }),
        MsgType::PgNotify2 => Message::PgNotify2(notify(9)),
        MsgType::PgQuery2 => Message::PgQuery2(QueryMsg {
            pgid: spg(1, 9),
            query: query(QueryKind::FullLog),
        }),
        MsgType::PgInfo2 => Message::PgInfo2(InfoMsg {
            pgid: spg(1, 9),
            from: ShardId::NO_SHARD,
            epoch: 21,
            min_epoch: 19,
            info: info(9),
            lease: Some(lease()),
            lease_ack: Some(PgLeaseAck {
                readable_until_ub: Timespan(1_500),
            }),
        }),
        MsgType::PgLease => Message::PgLease(LeaseMsg {
            epoch: 22,
            pgid: spg(1, 9),
            lease: lease(),
        }),
        MsgType::PgLeaseAck => Message::PgLeaseAck(LeaseAckMsg {
            epoch: 22,
            pgid: spg(1, 9),
            lease_ack: PgLeaseAck {
                readable_until_ub: Timespan(2_000),
            },
        }),
        MsgType::RecoveryReserve => Message::RecoveryReserve(RecoveryReserveMsg {
            pgid: spg(1, 10),
            epoch: 23,
            op: RecoveryReserveOp::Revoke,
            priority: 180,
        }),
    }
}
