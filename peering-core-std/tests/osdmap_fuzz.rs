//! Random incrementals against a map (`ceph-osd-side.md` §5.2): applying never
//! panics, a refused incremental leaves the map unchanged, and an accepted one
//! keeps the map's invariants.

use peering_core::map::{OsdMapView, PoolInfo};
use peering_core::types::{OsdId, OsdVec, PgId};
use peering_core_std::osdmap::{Incremental, OsdMap, validate_pool};
use proptest::prelude::*;

/// Mostly OSDs of the map, sometimes ids outside it.
fn osd() -> impl Strategy<Value = OsdId> {
    prop_oneof![12 => 0i32..6, 1 => -2i32..12].prop_map(OsdId)
}

fn pool() -> impl Strategy<Value = PoolInfo> {
    let size = prop_oneof![8 => 1u32..5, 1 => 0u32..7];
    let min_size = prop_oneof![8 => 1u32..3, 1 => 0u32..7];
    let pg_num = prop_oneof![8 => 1u32..40, 1 => 0u32..3];
    (1i64..4, size, min_size, pg_num, 0u32..4, any::<bool>()).prop_map(
        |(id, size, min_size, pg_num, pgp_cut, ec)| {
            // pgp_num at most pg_num, except when the cut makes it 0.
            let pgp_num = pg_num.saturating_sub(pgp_cut);
            let mut p = if ec && size >= 2 {
                PoolInfo::erasure(id, size - 1, 1, pg_num)
            } else {
                PoolInfo::replicated(id, size, pg_num)
            };
            p.size = size;
            p.min_size = min_size;
            p.pgp_num = pgp_num;
            p
        },
    )
}

fn pg() -> impl Strategy<Value = PgId> {
    (prop_oneof![6 => 1i64..2, 1 => 0i64..5], 0u32..40)
        .prop_map(|(pool, seed)| PgId::new(pool, seed))
}

fn osd_vec() -> impl Strategy<Value = OsdVec> {
    proptest::collection::vec(osd(), 0..4).prop_map(|v| v.into_iter().collect())
}

fn incremental() -> impl Strategy<Value = (i64, Incremental)> {
    (
        (-1i64..3),
        prop_oneof![6 => Just(None), 1 => proptest::option::of(0i32..14)],
        proptest::collection::btree_map(osd(), 0u32..4, 0..3),
        proptest::collection::btree_set(osd(), 0..3),
        proptest::collection::btree_map(
            osd(),
            prop_oneof![8 => 0u32..=0x10000, 1 => 0x10000u32..0x10002],
            0..3,
        ),
        proptest::collection::btree_map(osd(), 0u32..50, 0..3),
        proptest::collection::btree_map(1i64..4, pool(), 0..2),
        proptest::collection::btree_set(prop_oneof![4 => 2i64..4, 1 => 0i64..5], 0..2),
        proptest::collection::btree_map(pg(), osd_vec(), 0..3),
        proptest::collection::btree_map(pg(), osd(), 0..2),
    )
        .prop_map(
            |(skew, max, state, up, weight, up_thru, pools, old_pools, temp, ptemp)| {
                let mut inc = Incremental::new(0);
                inc.new_max_osd = max;
                inc.new_state = state;
                inc.new_up_client = up;
                inc.new_weight = weight;
                inc.new_up_thru = up_thru;
                inc.new_pools = pools.into_values().map(|p| (p.id, p)).collect();
                inc.old_pools = old_pools;
                inc.new_pg_temp = temp;
                inc.new_primary_temp = ptemp;
                (skew, inc)
            },
        )
}

fn check_invariants(m: &OsdMap) {
    for (id, pool) in m.pools() {
        assert_eq!(validate_pool(*id, pool), Ok(()));
    }
    let max = usize::try_from(m.max_osd()).unwrap();
    assert_eq!(m.weights().len(), max);
    for pg in m.pg_temp().keys().chain(m.primary_temp().keys()) {
        assert!(m.pool(pg.pool).is_some(), "mapping for a deleted pool");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn random_incrementals_apply_all_or_nothing(
        steps in proptest::collection::vec(incremental(), 1..12)
    ) {
        let mut m = OsdMap::build_simple(6, [PoolInfo::replicated(1, 3, 8)], None).unwrap();
        for (skew, mut inc) in steps {
            // Mostly the right epoch, sometimes stale or ahead.
            inc.epoch = u32::try_from(i64::from(m.epoch()) + 1 + skew).unwrap_or(0);
            let before = m.clone();
            match m.apply_incremental(&inc) {
                Ok(()) => {
                    prop_assert_eq!(m.epoch(), before.epoch() + 1);
                    check_invariants(&m);
                }
                Err(_) => prop_assert_eq!(&m, &before),
            }
        }
    }
}

#[test]
fn the_generator_produces_accepted_and_refused_incrementals() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..400 {
        let (_, mut inc) = incremental().new_tree(&mut runner).unwrap().current();
        let m = OsdMap::build_simple(6, [PoolInfo::replicated(1, 3, 8)], None).unwrap();
        inc.epoch = 2;
        match m.with_incremental(&inc) {
            Ok(_) => ok += 1,
            Err(_) => refused += 1,
        }
    }
    // Both outcomes must be common, or the property above tests only one path.
    eprintln!("accepted {ok}, refused {refused}");
    assert!(
        ok >= 40 && refused >= 40,
        "accepted {ok}, refused {refused}"
    );
}
