//! Every message round-trips through the frame encoding; bad frames are refused
//! with typed errors; random bytes never panic the decoder (`ceph-osd-side.md` §1).

use std::collections::{BTreeMap, BTreeSet};

use peering_core::intervals::{PastIntervals, PgInterval};
use peering_core::map::{OsdMapView, PoolInfo, SimpleOsdMap};
use peering_core::types::{
    EVersion, OsdId, OsdVec, PgHistory, PgId, PgInfo, PgNotify, PgQuery, PgShard, QueryKind,
    ShardId, SpgId, Timespan, UTime,
};
use peering_core_std::msg::*;
use proptest::prelude::*;

fn spg(pool: i64, seed: u32) -> SpgId {
    SpgId::replicated(PgId::new(pool, seed))
}

fn info(seed: u32) -> PgInfo {
    let mut i = PgInfo::new(spg(1, seed));
    i.last_update = EVersion::new(7, 42);
    i.history.same_interval_since = 5;
    i
}

fn past_intervals() -> PastIntervals {
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

fn notify(seed: u32) -> PgNotify {
    PgNotify {
        query_epoch: 8,
        epoch_sent: 9,
        info: info(seed),
        to: ShardId::NO_SHARD,
        from: ShardId::NO_SHARD,
        past_intervals: past_intervals(),
    }
}

fn query(kind: QueryKind) -> PgQuery {
    PgQuery {
        kind,
        history: PgHistory::default(),
        epoch_sent: 11,
        to: ShardId::NO_SHARD,
        from: ShardId::NO_SHARD,
    }
}

fn op(seed: u32) -> PgOpMsg {
    PgOpMsg {
        pgid: SpgId::new(PgId::new(2, seed), ShardId(1)),
        from: PgShard::new(OsdId(3), ShardId(0)),
        map_epoch: 12,
        min_epoch: 10,
        tid: 99,
        body: vec![1, 2, 3],
    }
}

fn lease() -> PgLease {
    PgLease {
        readable_until: Timespan(1_000),
        readable_until_ub: Timespan(2_000),
        interval: Timespan(500),
    }
}

/// One sample of every type (the match is exhaustive, so a new type needs one).
fn sample(ty: MsgType) -> Message {
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
                (PgId::new(1, 2), vec![OsdId(1), OsdId(2)]),
                (PgId::new(1, 3), vec![]),
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
        MsgType::PgLog => Message::PgLog(PgLogMsg {
            epoch: 12,
            query_epoch: 11,
            info: info(4),
            log: vec![5; 10],
            missing: vec![],
            past_intervals: past_intervals(),
            to: ShardId::NO_SHARD,
            from: ShardId::NO_SHARD,
        }),
        MsgType::PgRemove => Message::PgRemove(PgRemoveMsg {
            epoch: 13,
            pgs: vec![spg(1, 1), spg(1, 5)],
        }),
        MsgType::PgInfo => Message::PgInfo(PgInfoMsg {
            epoch: 9,
            infos: vec![notify(6)],
        }),
        MsgType::PgTrim => Message::PgTrim(PgTrimMsg {
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
        MsgType::BackfillReserve => Message::BackfillReserve(BackfillReserve {
            pgid: spg(1, 7),
            query_epoch: 15,
            kind: BackfillReserveKind::RejectTooFull,
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
        MsgType::PgCreate2 => Message::PgCreate2(PgCreate2Msg {
            epoch: 20,
            pgs: BTreeMap::from([(spg(1, 8), (18, UTime { sec: 5, nsec: 0 }))]),
            pg_extra: BTreeMap::from([(spg(1, 8), (PgHistory::default(), past_intervals()))]),
        }),
        MsgType::PgNotify2 => Message::PgNotify2(PgNotify2Msg {
            spgid: spg(1, 9),
            notify: notify(9),
        }),
        MsgType::PgQuery2 => Message::PgQuery2(PgQuery2Msg {
            spgid: spg(1, 9),
            query: query(QueryKind::FullLog),
        }),
        MsgType::PgInfo2 => Message::PgInfo2(PgInfo2Msg {
            spgid: spg(1, 9),
            epoch_sent: 21,
            min_epoch: 19,
            info: info(9),
            lease: Some(lease()),
            lease_ack: None,
        }),
        MsgType::PgLease => Message::PgLease(PgLeaseMsg {
            epoch: 22,
            spgid: spg(1, 9),
            lease: lease(),
        }),
        MsgType::PgLeaseAck => Message::PgLeaseAck(PgLeaseAckMsg {
            epoch: 22,
            spgid: spg(1, 9),
            lease_ack: PgLeaseAck {
                readable_until_ub: Timespan(2_000),
            },
        }),
        MsgType::RecoveryReserve => Message::RecoveryReserve(RecoveryReserve {
            pgid: spg(1, 10),
            query_epoch: 23,
            kind: RecoveryReserveKind::Revoke,
            priority: 180,
        }),
    }
}

#[test]
fn every_message_round_trips() {
    for ty in MsgType::ALL {
        let msg = sample(*ty);
        assert_eq!(msg.msg_type(), *ty);
        let frame = encode(&msg).unwrap();
        assert_eq!(frame[0], FRAME_VERSION);
        assert_eq!(u16::from_le_bytes([frame[1], frame[2]]), ty.code());
        assert_eq!(decode(&frame).unwrap(), msg, "{}", ty.name());
    }
}

#[test]
fn truncated_frames_are_refused() {
    let frame = encode(&sample(MsgType::PgNotify)).unwrap();
    for cut in 0..frame.len() {
        let err = decode(&frame[..cut]).unwrap_err();
        assert!(
            matches!(err, MsgError::Truncated | MsgError::Malformed { .. }),
            "cut at {cut}: {err:?}"
        );
    }
    assert_eq!(decode(&[]), Err(MsgError::Truncated));
    assert_eq!(decode(&[FRAME_VERSION, 80]), Err(MsgError::Truncated));
}

#[test]
fn oversized_unknown_and_trailing_frames_are_refused() {
    let frame = encode(&sample(MsgType::PgLog)).unwrap();
    assert_eq!(
        decode_with_limit(&frame, frame.len() - 1),
        Err(MsgError::TooLarge {
            len: frame.len(),
            max: frame.len() - 1
        })
    );
    let huge = vec![0u8; MAX_FRAME_LEN + 1];
    assert!(matches!(decode(&huge), Err(MsgError::TooLarge { .. })));

    let mut bad_version = frame.clone();
    bad_version[0] = 2;
    assert_eq!(decode(&bad_version), Err(MsgError::UnknownVersion(2)));

    let mut bad_type = frame.clone();
    bad_type[1..3].copy_from_slice(&82u16.to_le_bytes());
    assert_eq!(decode(&bad_type), Err(MsgError::UnknownType(82)));

    let mut trailing = frame.clone();
    trailing.extend_from_slice(&[0, 0]);
    assert_eq!(decode(&trailing), Err(MsgError::TrailingBytes(2)));

    // A valid payload under the wrong type code does not decode as that type.
    let mut retyped = encode(&sample(MsgType::Ping)).unwrap();
    retyped[1..3].copy_from_slice(&MsgType::PgTrim.code().to_le_bytes());
    assert!(decode(&retyped).is_err());
}

#[test]
fn oversized_messages_are_not_encoded() {
    let msg = Message::OsdMap(OsdMapMsg {
        maps: BTreeMap::from([(1, vec![0; MAX_FRAME_LEN])]),
        ..OsdMapMsg::default()
    });
    assert!(matches!(encode(&msg), Err(MsgError::TooLarge { .. })));
}

#[test]
fn peering_items_follow_the_epoch_rules() {
    // Notify: (epoch_sent, query_epoch), addressed to (info.pgid.pgid, to).
    let m = sample(MsgType::PgNotify);
    let items = m.peering_items();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].spgid, spg(1, 1));
    assert_eq!((items[0].epoch_sent, items[0].epoch_requested), (9, 8));
    assert!(matches!(items[0].payload, PeeringPayload::Notify { .. }));

    // Query: (epoch_sent, epoch_sent), keyed by target.
    let m = sample(MsgType::PgQuery);
    let items = m.peering_items();
    assert_eq!(
        items.iter().map(|i| i.spgid).collect::<Vec<_>>(),
        vec![spg(1, 1), spg(1, 2)]
    );
    assert!(
        items
            .iter()
            .all(|i| (i.epoch_sent, i.epoch_requested) == (11, 11))
    );

    // Info2: (epoch_sent, min_epoch) with the lease.
    let m = sample(MsgType::PgInfo2);
    let items = m.peering_items();
    assert_eq!((items[0].epoch_sent, items[0].epoch_requested), (21, 19));
    assert!(matches!(
        items[0].payload,
        PeeringPayload::Info { lease: Some(_), .. }
    ));

    // Log: (epoch, query_epoch).
    let items_log = sample(MsgType::PgLog);
    let items = items_log.peering_items();
    assert_eq!((items[0].epoch_sent, items[0].epoch_requested), (12, 11));
    assert_eq!(items[0].spgid, spg(1, 4));

    // Reservations: (query_epoch, query_epoch).
    let m = sample(MsgType::BackfillReserve);
    let items = m.peering_items();
    assert_eq!((items[0].epoch_sent, items[0].epoch_requested), (15, 15));
    assert!(matches!(
        items[0].payload,
        PeeringPayload::BackfillReserve {
            kind: BackfillReserveKind::RejectTooFull,
            priority: 110,
            ..
        }
    ));

    // Remove: one DeleteStart per PG at the message epoch.
    let m = sample(MsgType::PgRemove);
    let items = m.peering_items();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i.payload == PeeringPayload::Remove));

    // Legacy create: split children (split_bits != 0) are ignored.
    let m = sample(MsgType::PgCreate);
    assert_eq!(m.peering_items().len(), 1);

    // Create2 carries the history and past intervals.
    let m = sample(MsgType::PgCreate2);
    let items = m.peering_items();
    assert!(matches!(
        items[0].payload,
        PeeringPayload::Create {
            created: 18,
            history: Some(_),
            past_intervals: Some(_)
        }
    ));
}

#[test]
fn only_peering_messages_have_peering_items() {
    let peering: BTreeSet<MsgType> = MsgType::ALL
        .iter()
        .copied()
        .filter(|t| sample(*t).is_peering())
        .collect();
    let expected: BTreeSet<MsgType> = [
        MsgType::PgNotify,
        MsgType::PgNotify2,
        MsgType::PgQuery,
        MsgType::PgQuery2,
        MsgType::PgInfo,
        MsgType::PgInfo2,
        MsgType::PgLog,
        MsgType::PgTrim,
        MsgType::PgRemove,
        MsgType::PgCreate,
        MsgType::PgCreate2,
        MsgType::BackfillReserve,
        MsgType::RecoveryReserve,
        MsgType::PgLease,
        MsgType::PgLeaseAck,
    ]
    .into();
    assert_eq!(peering, expected);
}

#[test]
fn messages_naming_unknown_pools_are_refused() {
    let map = SimpleOsdMap::new(30).with_pool(PoolInfo::replicated(1, 3, 16));
    assert_eq!(map.epoch(), 30);
    for ty in MsgType::ALL {
        let msg = sample(*ty);
        let pgs = msg.pgs();
        let result = msg.validate_pools(&map);
        match pgs.iter().find(|pg| pg.pool != 1) {
            Some(pg) => assert_eq!(result, Err(MsgError::UnknownPool(*pg)), "{}", ty.name()),
            None => assert_eq!(result, Ok(()), "{}", ty.name()),
        }
    }
    // Decoding and checking in one step refuses the frame as a whole.
    let frame = encode(&sample(MsgType::PgLog)).unwrap();
    assert_eq!(decode_validated(&frame, &map), Ok(sample(MsgType::PgLog)));
    let frame = encode(&sample(MsgType::EcRead)).unwrap();
    assert_eq!(
        decode_validated(&frame, &map),
        Err(MsgError::UnknownPool(PgId::new(2, 11)))
    );
    assert_eq!(
        decode_validated(&frame[..2], &map),
        Err(MsgError::Truncated)
    );
    // The data-path samples name pool 2, which this map lacks.
    assert_eq!(
        sample(MsgType::RepOp).validate_pools(&map),
        Err(MsgError::UnknownPool(PgId::new(2, 13)))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn random_payloads_under_valid_headers_never_panic(
        ty in proptest::sample::select(MsgType::ALL.to_vec()),
        payload in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut frame = vec![FRAME_VERSION];
        frame.extend_from_slice(&ty.code().to_le_bytes());
        frame.extend_from_slice(&payload);
        if let Ok(msg) = decode(&frame) {
            // Whatever decodes must be of the header's type and re-encode.
            prop_assert_eq!(msg.msg_type(), ty);
            prop_assert!(encode(&msg).is_ok());
        }
    }

    #[test]
    fn corrupted_valid_frames_never_panic(
        ty in proptest::sample::select(MsgType::ALL.to_vec()),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let mut frame = encode(&sample(ty)).unwrap();
        for (at, byte) in flips {
            let len = frame.len();
            frame[at % len] ^= byte;
        }
        let _ = decode(&frame);
    }
}
