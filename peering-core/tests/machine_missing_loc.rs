//! `MissingLoc` (reference §5.16): what must be recovered and from where.

use peering_core::Crash;
use std::collections::BTreeSet;

use peering_core::PeeringError;
use peering_core::intervals::RecoverablePredicate;
use peering_core::log::{LogEntry, LogOp, Missing};
use peering_core::machine::{Invariant, MissingLoc};
use peering_core::map::SimpleOsdMap;
use peering_core::types::{EVersion, ObjectId, PgId, PgInfo, PgShard, SpgId};

fn obj(n: u32) -> ObjectId {
    ObjectId::new(1, n, format!("o{n}"))
}

fn missing(objs: &[(u32, u64)]) -> Missing {
    let mut m = Missing::new(true);
    for (o, v) in objs {
        m.add_next_event(&LogEntry::new(
            LogOp::Modify,
            obj(*o),
            EVersion::new(5, *v),
            EVersion::new(5, v - 1),
        ));
    }
    m
}

fn info(lu: u64) -> PgInfo {
    let mut i = PgInfo::new(SpgId::replicated(PgId::new(1, 0)));
    i.last_update = EVersion::new(5, lu);
    i
}

fn shard(o: i32) -> PgShard {
    PgShard::replica(o)
}

#[test]
fn sources_are_shards_that_hold_the_needed_version() {
    let mut ml = MissingLoc::new(RecoverablePredicate::Replicated);
    ml.add_active_missing(&missing(&[(1, 3), (2, 6)])).unwrap();
    // The same need again is fine; a different one is a broken merge.
    ml.add_active_missing(&missing(&[(1, 3)])).unwrap();
    assert_eq!(
        ml.add_active_missing(&missing(&[(1, 4)])),
        Err(PeeringError::Crashed(Crash::Invariant {
            state: peering_core::machine::StateId::Active,
            what: Invariant::ConflictingNeed
        }))
    );
    assert_eq!(ml.num_unfound(), 2);
    // osd.1 is at 5'4: it has o1 (needs 5'3) but not o2 (needs 5'6).
    assert!(ml.add_source_info(shard(1), &info(4), &Missing::new(true)));
    assert!(ml.missing_loc[&obj(1)].contains(&shard(1)));
    assert!(!ml.missing_loc.contains_key(&obj(2)));
    assert!(!ml.is_unfound(&obj(1)) && ml.is_unfound(&obj(2)));
    // osd.2 is new enough but itself missing o2: a source of o1 only.
    assert!(ml.add_source_info(shard(2), &info(9), &missing(&[(2, 6)])));
    assert_eq!(
        ml.missing_loc[&obj(1)],
        BTreeSet::from([shard(1), shard(2)])
    );
    assert!(ml.is_unfound(&obj(2)));
    // osd.3 is backfilling below o2: nothing past its last_backfill counts.
    let mut backfilling = info(9);
    backfilling.last_backfill = ObjectId::MIN;
    assert!(!ml.add_source_info(shard(3), &backfilling, &Missing::new(true)));
    // A batch of complete shards covers everything.
    ml.add_batch_sources_info(&BTreeSet::from([shard(4)]));
    assert_eq!(ml.num_unfound(), 0);
    assert!(!ml.have_unfound());

    // osd.2 and osd.4 go down: o2 is unfound again; o1 still has osd.1.
    let map = SimpleOsdMap::new(1).with_up_osd(1, 1);
    ml.check_recovery_sources(&map);
    assert!(ml.is_unfound(&obj(2)));
    assert!(!ml.is_unfound(&obj(1)));
    // Purging osd.1 as a stray removes it as a source.
    ml.remove_stray_recovery_sources(shard(1));
    assert_eq!(ml.num_unfound(), 2);
    assert!(ml.missing_loc_sources.is_empty());
    ml.clear();
    assert!(!ml.have_unfound());
}

#[test]
fn erasure_coded_objects_need_k_shards() {
    let mut ml = MissingLoc::new(RecoverablePredicate::Erasure { k: 2, m: 1 });
    ml.add_active_missing(&missing(&[(1, 3)])).unwrap();
    let s = |o: i32, i: i8| {
        PgShard::new(
            peering_core::types::OsdId(o),
            peering_core::types::ShardId(i),
        )
    };
    ml.add_source_info(s(1, 1), &info(4), &Missing::new(true));
    assert!(
        ml.is_unfound(&obj(1)),
        "one shard of a 2+1 code is not enough"
    );
    ml.add_source_info(s(2, 2), &info(4), &Missing::new(true));
    assert!(!ml.is_unfound(&obj(1)));
}
