//! The placement pipeline over a real CRUSH map (`ceph-osd-side.md` §5.3, §5.5):
//! an EC 4+2 pool on 8 hosts × 2 OSDs (the crush fixture `erasure.txt`, rule
//! `ec_k4m2`: chooseleaf indep over hosts).

use peering_core::map::PoolFlags;
use std::collections::BTreeSet;

use peering_core::map::{OsdMapView, PoolInfo};
use peering_core::types::{OsdId, PgId};
use peering_core_std::crush::parse_crush_text;
use peering_core_std::osdmap::{CrushHandle, Incremental, OsdMap, UpActing, raw_pg_to_pps};

const POOL: i64 = 3;
const PG_NUM: u32 = 256;

fn map() -> OsdMap {
    let crush = parse_crush_text(include_str!("fixtures/crush/erasure.txt")).unwrap();
    let mut pool = PoolInfo::erasure(POOL, 4, 2, PG_NUM);
    pool.crush_rule = 0;
    pool.flags |= PoolFlags::HASHPSPOOL;
    OsdMap::build_simple(16, [pool], Some(CrushHandle::new(crush))).unwrap()
}

fn all(m: &OsdMap) -> Vec<UpActing> {
    (0..PG_NUM)
        .map(|s| m.pg_to_up_acting_osds(PgId::new(POOL, s)))
        .collect()
}

fn next(m: &mut OsdMap, f: impl FnOnce(&mut Incremental)) {
    let mut inc = Incremental::new(m.epoch() + 1);
    f(&mut inc);
    m.apply_incremental(&inc).unwrap();
}

#[test]
fn raw_mapping_is_crush_on_the_pps() {
    let m = map();
    let crush = parse_crush_text(include_str!("fixtures/crush/erasure.txt")).unwrap();
    let pool = *m.pg_pool(POOL).unwrap();
    for seed in 0..PG_NUM {
        let pg = PgId::new(POOL, seed);
        let (raw, pps) = m.pg_to_raw_osds(&pool, pg);
        assert_eq!(pps, raw_pg_to_pps(&pool, pg));
        let direct = crush
            .do_rule_with_choose_args(0, pps, 6, m.weights(), POOL)
            .unwrap();
        assert_eq!(raw.iter().map(|o| o.0).collect::<Vec<_>>(), direct);
    }
}

#[test]
fn every_shard_on_a_distinct_host() {
    for p in all(&map()) {
        assert_eq!(p.up.len(), 6);
        let hosts: BTreeSet<i32> = p.up.iter().map(|o| o.0 / 2).collect();
        assert_eq!(hosts.len(), 6, "{:?}", p.up);
        assert_eq!(p.up_primary, p.up[0]);
    }
}

#[test]
fn a_down_osd_leaves_a_hole_in_its_position() {
    let mut m = map();
    let before = all(&m);
    next(&mut m, |inc| {
        inc.mark_down(3);
    });
    for (p, q) in before.iter().zip(all(&m)) {
        for (a, b) in p.up.iter().zip(q.up.iter()) {
            if *a == OsdId(3) {
                assert!(b.is_none());
            } else {
                assert_eq!(a, b);
            }
        }
        if p.up[0] == OsdId(3) {
            assert_eq!(q.up_primary, p.up[1]);
        }
    }
}

#[test]
fn an_out_osd_moves_little_beyond_its_own_shards() {
    let mut m = map();
    let before = all(&m);
    next(&mut m, |inc| {
        inc.mark_out(3);
    });
    let (mut on_victim, mut moved) = (0, 0);
    for (p, q) in before.iter().zip(all(&m)) {
        assert!(!q.up.contains(&OsdId(3)));
        assert!(q.up.iter().all(|o| !o.is_none()), "indep refills positions");
        if !p.up.contains(&OsdId(3)) {
            // A PG that never drew osd.3 never meets the out check: unchanged.
            assert_eq!(p.up, q.up);
            continue;
        }
        on_victim += 1;
        // Within a PG that did, indep may trade another shard too: a position
        // that collided with osd.3's host before can now take that host.
        moved += p.up.iter().zip(q.up.iter()).filter(|(a, b)| a != b).count();
    }
    assert!(on_victim > 0);
    assert!(moved >= on_victim);
    assert!(
        2 * moved <= 3 * on_victim,
        "moved {moved} shards for {on_victim} on the out OSD"
    );
}

#[test]
fn new_epochs_share_the_crush_map_and_pools() {
    let first = map();
    let mut m = first.clone();
    next(&mut m, |inc| {
        inc.mark_down(1);
        inc.new_up_thru.insert(OsdId(0), 2);
    });
    // Same CrushHandle means the same Arc: no copy of the CRUSH map was made.
    assert_eq!(m.crush(), first.crush());
    assert!(m.shares_pools_with(&first));
    // A new CRUSH map replaces the handle.
    let crush = parse_crush_text(include_str!("fixtures/crush/erasure.txt")).unwrap();
    next(&mut m, |inc| {
        inc.new_crush = Some(CrushHandle::new(crush));
    });
    assert_ne!(m.crush(), first.crush());
}
