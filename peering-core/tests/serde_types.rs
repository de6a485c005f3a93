//! Every public vocabulary and map type survives a serde round trip (postcard, the
//! compact format the std crate's wire encoding uses, and JSON-like self-describing
//! formats are exercised by the std crate).
#![cfg(feature = "serde")]

use peering_core::BadInput;
use peering_core::event::PgNotify;
use peering_core::intervals::{PastIntervals, PgInterval};
use peering_core::map::{MapFlags, OsdState, PoolInfo, SimpleOsdMap, StretchRule};
use peering_core::types::*;
use serde::{Serialize, de::DeserializeOwned};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + core::fmt::Debug>(value: &T) {
    let bytes = postcard::to_allocvec(value).expect("encode");
    let back: T = postcard::from_bytes(&bytes).expect("decode");
    assert_eq!(&back, value);
}

fn sample_info() -> PgInfo {
    let mut info = PgInfo::new(SpgId::new(PgId::new(3, 0x1f), ShardId(2)));
    info.last_update = EVersion::new(7, 42);
    info.last_complete = EVersion::new(7, 40);
    info.log_tail = EVersion::new(2, 5);
    info.last_backfill = ObjectId::new(3, 0xdead_beef, "obj");
    info.history = PgHistory::new(2, UTime { sec: 9, nsec: 1 });
    info.history.prior_readable_until_ub = Timespan(-5);
    info.stats.num_bytes = 1 << 40;
    info
}

#[test]
fn vocabulary_round_trips() {
    round_trip(&EVersion::new(3, 14));
    round_trip(&EVersion::MAX);
    round_trip(&OsdId::NONE);
    round_trip(&ShardId::NO_SHARD);
    round_trip(&PgShard::new(OsdId(4), ShardId(1)));
    round_trip(&PgId::new(-1, 7));
    round_trip(&SpgId::replicated(PgId::new(1, 0)));
    round_trip(&ObjectId::MIN);
    round_trip(&ObjectId::MAX);
    round_trip(&SnapId::NOSNAP);
    round_trip(&UTime { sec: 1, nsec: 2 });
    round_trip(&Timespan(i64::MIN));
    round_trip(&PgState::ACTIVE);
    round_trip(&PgStats::default());
    round_trip(&sample_info());
    round_trip(&sample_info().history);
    let mut pi = PastIntervals::new();
    let osds: OsdVec = [OsdId(0), OsdId(1)].into_iter().collect();
    pi.add_interval(
        false,
        &PgInterval {
            up: osds.clone(),
            acting: osds,
            first: 3,
            last: 9,
            maybe_went_rw: true,
            primary: OsdId(0),
            up_primary: OsdId(0),
        },
    )
    .expect("first interval");
    round_trip(&pi);
    round_trip(&PgNotify {
        query_epoch: 9,
        epoch_sent: 10,
        info: sample_info(),
        to: ShardId(0),
        from: ShardId(2),
        past_intervals: pi,
    });
    for kind in [
        QueryKind::Info,
        QueryKind::Log {
            since: EVersion::new(1, 1),
        },
        QueryKind::Missing,
        QueryKind::FullLog,
    ] {
        round_trip(&PgQuery {
            kind,
            history: PgHistory::new(1, UTime::default()),
            epoch_sent: 4,
            to: ShardId::NO_SHARD,
            from: ShardId::NO_SHARD,
        });
    }
    let vec: OsdVec = [OsdId(1), OsdId::NONE, OsdId(3)].into_iter().collect();
    round_trip(&vec);
}

#[test]
fn map_types_round_trip() {
    let mut pool = PoolInfo::erasure(2, 4, 2, 64);
    pool.stretch = Some(StretchRule {
        bucket_count: 2,
        bucket_target: 2,
        bucket_barrier: 8,
        mandatory_member: -3,
        num_zones: 2,
    });
    round_trip(&pool);
    round_trip(&MapFlags::NOUP.with(MapFlags::SORTBITWISE));
    round_trip(&OsdState::default());
    let mut map = SimpleOsdMap::new(5)
        .with_up_osd(0, 1)
        .with_up_osd(1, 2)
        .with_pool(PoolInfo::replicated(1, 3, 8))
        .with_pool(pool);
    map.mark_down(1);
    map.mark_lost(1);
    map.set_crush_parent(0, 8, -3);
    map.set_crush_parent(1, 8, -4);
    round_trip(&map);
    round_trip(&peering_core::PeeringError::BadInput(
        BadInput::VersionBackwards {
            prev: EVersion::new(2, 2),
            new: EVersion::new(2, 1),
        },
    ));
}
