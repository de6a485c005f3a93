//! The placement relations Ceph's `src/test/osd/TestOSDMap.cc` checks
//! (`ceph-osd-side.md` §5.3), over a fixed-table CRUSH stand-in so that every
//! expected set is known in advance: pg_temp overrides acting, primary_temp
//! overrides only the primary, down OSDs leave up, EC holes keep positions, upmap
//! items apply to the raw set before up is computed.

use peering_core::map::PoolFlags;
use peering_core::map::{OsdMapView, PoolInfo};
use peering_core::types::{OsdId, OsdVec, PgId, PgShard, ShardId, SpgId};
use peering_core_std::crush::hash::crush_hash32_2;
use peering_core_std::osdmap::{
    CrushHandle, CrushRules, Incremental, OSD_EXISTS, OsdMap, UpActing, calc_pg_role, raw_pg_to_pps,
};

/// Places `x` on consecutive OSD ids starting at `x mod n`, skipping OSDs whose
/// weight is 0 (out), as CRUSH skips out devices.
struct Cyclic {
    n: i32,
}

impl CrushRules for Cyclic {
    fn map_rule(
        &self,
        rule: i32,
        x: u32,
        result_max: usize,
        weights: &[u32],
        _choose_args_index: i64,
    ) -> Vec<i32> {
        if rule != 0 {
            return Vec::new();
        }
        let start = (x % self.n as u32) as i32;
        (0..self.n)
            .map(|k| (start + k) % self.n)
            .filter(|o| weights.get(*o as usize).is_some_and(|w| *w > 0))
            .take(result_max)
            .collect()
    }
}

const REP: i64 = 1;
const EC: i64 = 2;

/// 8 OSDs; a size-3 replicated pool and a 2+1 EC pool, 16 PGs each, without
/// HASHPSPOOL so that the CRUSH input of PG `1.s` is `s + 1` (legacy pps).
fn map() -> OsdMap {
    OsdMap::build_simple(
        8,
        [
            PoolInfo::replicated(REP, 3, 16),
            PoolInfo::erasure(EC, 2, 1, 16),
        ],
        Some(CrushHandle::new(Cyclic { n: 8 })),
    )
    .unwrap()
}

fn v(osds: &[i32]) -> OsdVec {
    osds.iter().copied().map(OsdId).collect()
}

fn apply(m: &mut OsdMap, f: impl FnOnce(&mut Incremental)) {
    let mut inc = Incremental::new(m.epoch() + 1);
    f(&mut inc);
    m.apply_incremental(&inc).unwrap();
}

fn placement(m: &OsdMap, pool: i64, seed: u32) -> UpActing {
    m.pg_to_up_acting_osds(PgId::new(pool, seed))
}

#[test]
fn map_pg_fills_the_pool_size_and_primary_is_first() {
    let m = map();
    // PG 1.0: pps = 0 + 1 = 1 → OSDs 1, 2, 3.
    let p = placement(&m, REP, 0);
    assert_eq!(p.up, v(&[1, 2, 3]));
    assert_eq!(p.up_primary, OsdId(1));
    assert_eq!(p.acting, p.up);
    assert_eq!(p.acting_primary, OsdId(1));
    for seed in 0..16 {
        let p = placement(&m, REP, seed);
        assert_eq!(p.up.len(), 3);
        assert_eq!(p.up[0], p.up_primary);
        assert_eq!(p.acting[0], p.acting_primary);
    }
}

#[test]
fn pg_temp_overrides_acting_not_up() {
    let mut m = map();
    let pg = PgId::new(REP, 0);
    apply(&mut m, |inc| {
        inc.set_pg_temp(pg, &[3, 2, 1]);
    });
    let p = m.pg_to_up_acting_osds(pg);
    assert_eq!(p.up, v(&[1, 2, 3]));
    assert_eq!(p.up_primary, OsdId(1));
    assert_eq!(p.acting, v(&[3, 2, 1]));
    // Without a primary_temp, pg_temp's first member is the acting primary.
    assert_eq!(p.acting_primary, OsdId(3));
}

#[test]
fn primary_temp_overrides_only_the_primary() {
    let mut m = map();
    let pg = PgId::new(REP, 0);
    apply(&mut m, |inc| {
        inc.set_primary_temp(pg, 2);
    });
    let p = m.pg_to_up_acting_osds(pg);
    assert_eq!(p.up, v(&[1, 2, 3]));
    assert_eq!(p.up_primary, OsdId(1));
    assert_eq!(p.acting, v(&[1, 2, 3]));
    assert_eq!(p.acting_primary, OsdId(2));
    // With a pg_temp too, primary_temp still wins over pg_temp's first member.
    apply(&mut m, |inc| {
        inc.set_pg_temp(pg, &[5, 2, 1]);
    });
    let p = m.pg_to_up_acting_osds(pg);
    assert_eq!(p.acting, v(&[5, 2, 1]));
    assert_eq!(p.acting_primary, OsdId(2));
}

#[test]
fn down_osds_leave_up_and_pg_temp_in_replicated_pools() {
    let mut m = map();
    let pg = PgId::new(REP, 0);
    apply(&mut m, |inc| {
        inc.set_pg_temp(pg, &[2, 5, 6]);
    });
    apply(&mut m, |inc| {
        inc.mark_down(2);
        inc.mark_down(5);
    });
    let p = m.pg_to_up_acting_osds(pg);
    // Down but still in: CRUSH still picks osd.2, up drops it and shifts left.
    assert_eq!(p.up, v(&[1, 3]));
    assert_eq!(p.up_primary, OsdId(1));
    // pg_temp loses its down members too; its first live member is primary.
    assert_eq!(p.acting, v(&[6]));
    assert_eq!(p.acting_primary, OsdId(6));
    // An entirely down pg_temp falls back to up.
    apply(&mut m, |inc| {
        inc.mark_down(6);
    });
    let p = m.pg_to_up_acting_osds(pg);
    assert_eq!(p.acting, p.up);
    assert_eq!(p.acting_primary, OsdId(1));
}

#[test]
fn out_osds_are_not_chosen_by_crush() {
    let mut m = map();
    apply(&mut m, |inc| {
        inc.mark_out(2);
    });
    let p = placement(&m, REP, 0);
    assert_eq!(p.up, v(&[1, 3, 4]));
}

#[test]
fn ec_holes_keep_positions() {
    let mut m = map();
    // PG 2.1: pps = 1 + 2 = 3 → shards on OSDs 3, 4, 5.
    let pg = PgId::new(EC, 1);
    assert_eq!(m.pg_to_up_acting_osds(pg).up, v(&[3, 4, 5]));
    apply(&mut m, |inc| {
        inc.mark_down(3);
    });
    let p = m.pg_to_up_acting_osds(pg);
    assert_eq!(p.up, v(&[0x7fff_ffff, 4, 5]));
    assert!(p.up[0].is_none());
    // The primary is the first position that is not a hole.
    assert_eq!(p.up_primary, OsdId(4));
    assert_eq!(p.acting, p.up);
    // A pg_temp with a down member keeps its position as a hole as well.
    apply(&mut m, |inc| {
        inc.new_pg_temp.insert(pg, v(&[0x7fff_ffff, 4, 3]));
    });
    let p = m.pg_to_up_acting_osds(pg);
    assert_eq!(p.acting, v(&[0x7fff_ffff, 4, 0x7fff_ffff]));
    assert_eq!(p.acting_primary, OsdId(4));
}

#[test]
fn nonexistent_osds_are_removed_from_raw() {
    let mut m = map();
    // Destroy osd.2 (toggle EXISTS): raw drops it for replicated, holes it for EC.
    apply(&mut m, |inc| {
        inc.new_state.insert(OsdId(2), OSD_EXISTS);
    });
    // The destroyed OSD keeps its weight, so the stand-in CRUSH still picks it.
    let (raw, pps) = m.pg_to_raw_osds(m.pg_pool(REP).unwrap(), PgId::new(REP, 0));
    assert_eq!(pps, 1);
    assert_eq!(raw, v(&[1, 3]));
    let (raw, _) = m.pg_to_raw_osds(m.pg_pool(EC).unwrap(), PgId::new(EC, 0));
    assert_eq!(raw, v(&[0x7fff_ffff, 3, 4]));
}

#[test]
fn upmap_items_apply_to_raw_before_up() {
    let mut m = map();
    let pg = PgId::new(REP, 0);
    apply(&mut m, |inc| {
        inc.new_pg_upmap_items
            .insert(pg, vec![(OsdId(2), OsdId(6)), (OsdId(3), OsdId(7))]);
    });
    assert_eq!(placement(&m, REP, 0).up, v(&[1, 6, 7]));
    // The replacement lands in the raw set, so a down target then leaves up:
    // the item was applied before the up filter, not after.
    apply(&mut m, |inc| {
        inc.mark_down(6);
    });
    let p = placement(&m, REP, 0);
    assert_eq!(p.up, v(&[1, 7]));
    let (raw_up, _) = m.pg_to_raw_up(pg);
    assert_eq!(raw_up, p.up);
}

#[test]
fn upmap_items_skip_present_or_out_targets() {
    let mut m = map();
    let pg = PgId::new(REP, 0);
    apply(&mut m, |inc| {
        inc.mark_out(7);
        inc.new_pg_upmap_items.insert(
            pg,
            vec![
                (OsdId(1), OsdId(3)), // 3 already present: skipped
                (OsdId(2), OsdId(7)), // 7 is out: skipped
                (OsdId(3), OsdId(5)), // applied
                (OsdId(4), OsdId(6)), // 4 not present: nothing to replace
            ],
        );
    });
    assert_eq!(placement(&m, REP, 0).up, v(&[1, 2, 5]));
}

#[test]
fn pg_upmap_replaces_raw_unless_a_target_is_out() {
    let mut m = map();
    let pg = PgId::new(REP, 0);
    apply(&mut m, |inc| {
        inc.new_pg_upmap.insert(pg, v(&[7, 6, 5]));
        inc.new_pg_upmap_items
            .insert(pg, vec![(OsdId(6), OsdId(0))]);
    });
    // pg_upmap first, then the items on top of it.
    assert_eq!(placement(&m, REP, 0).up, v(&[7, 0, 5]));
    apply(&mut m, |inc| {
        inc.mark_out(6);
    });
    // A target out: the PG's upmaps are ignored altogether (items included).
    assert_eq!(placement(&m, REP, 0).up, v(&[1, 2, 3]));
}

#[test]
fn primary_affinity_zero_never_leads() {
    let mut m = map();
    apply(&mut m, |inc| {
        inc.new_primary_affinity.insert(OsdId(0), 0);
        inc.new_primary_affinity.insert(OsdId(1), 0);
    });
    for seed in 0..16 {
        let p = placement(&m, REP, seed);
        assert!(p.up_primary != OsdId(0) && p.up_primary != OsdId(1));
        // Replicated pools move the chosen primary to the front.
        assert_eq!(p.up[0], p.up_primary);
        let mut sorted_before = placement(&map(), REP, seed).up.to_vec();
        let mut sorted_after = p.up.to_vec();
        sorted_before.sort();
        sorted_after.sort();
        assert_eq!(sorted_before, sorted_after, "affinity only reorders");
        let ec = placement(&m, EC, seed);
        assert!(ec.up_primary != OsdId(0) && ec.up_primary != OsdId(1));
        // EC pools keep positions.
        assert_eq!(ec.up, placement(&map(), EC, seed).up);
    }
}

#[test]
fn unknown_pool_and_exact_seeds_map_to_nothing() {
    let m = map();
    let none = placement(&m, 9, 0);
    assert!(none.up.is_empty() && none.acting.is_empty());
    assert_eq!(none.up_primary, OsdId::UNDEF);
    assert_eq!(none.acting_primary, OsdId::UNDEF);
    // A raw seed beyond pg_num folds into its PG...
    assert_eq!(placement(&m, REP, 16), placement(&m, REP, 0));
    // ...but with exact-pgid semantics it does not exist.
    assert!(
        m.pg_to_up_acting_osds_exact(PgId::new(REP, 16))
            .up
            .is_empty()
    );
}

#[test]
fn pps_folds_by_pgp_num_and_hashes_with_hashpspool() {
    let mut pool = PoolInfo::replicated(3, 3, 16);
    pool.pgp_num = 8;
    // Legacy: stable_mod(seed, pgp_num) + pool.
    assert_eq!(raw_pg_to_pps(&pool, PgId::new(3, 5)), 5 + 3);
    assert_eq!(raw_pg_to_pps(&pool, PgId::new(3, 13)), 5 + 3);
    pool.flags |= PoolFlags::HASHPSPOOL;
    let a = raw_pg_to_pps(&pool, PgId::new(3, 5));
    assert_eq!(a, crush_hash32_2(5, 3));
    assert_eq!(a, raw_pg_to_pps(&pool, PgId::new(3, 13)));
    assert_ne!(a, 5 + 3);
    // The same seed in another pool hashes elsewhere.
    let mut other = pool;
    other.id = 4;
    assert_ne!(a, raw_pg_to_pps(&other, PgId::new(4, 5)));
}

#[test]
fn calc_pg_role_by_index_or_shard() {
    let acting = v(&[4, 0x7fff_ffff, 6]);
    assert_eq!(calc_pg_role(PgShard::replica(4), &acting), Some(0));
    assert_eq!(calc_pg_role(PgShard::replica(6), &acting), Some(2));
    assert_eq!(calc_pg_role(PgShard::replica(5), &acting), None);
    let shard = |osd, s| PgShard::new(OsdId(osd), ShardId(s));
    assert_eq!(calc_pg_role(shard(6, 2), &acting), Some(2));
    // An EC shard is only that position's holder.
    assert_eq!(calc_pg_role(shard(6, 0), &acting), None);
    assert_eq!(calc_pg_role(shard(4, 5), &acting), None);
}

#[test]
fn primary_shard_and_up_acting_membership() {
    let mut m = map();
    assert_eq!(
        m.primary_shard(PgId::new(REP, 0)),
        Some(SpgId::replicated(PgId::new(REP, 0)))
    );
    // EC PG 2.1 on [3, 4, 5]: with osd.3 down the primary is shard 1 on osd.4.
    apply(&mut m, |inc| {
        inc.mark_down(3);
    });
    let pg = PgId::new(EC, 1);
    assert_eq!(m.primary_shard(pg), Some(SpgId::new(pg, ShardId(1))));
    assert_eq!(m.primary_shard(PgId::new(9, 0)), None);
    assert!(m.is_up_acting_osd_shard(SpgId::new(pg, ShardId(2)), OsdId(5)));
    assert!(!m.is_up_acting_osd_shard(SpgId::new(pg, ShardId(0)), OsdId(5)));
    assert!(!m.is_up_acting_osd_shard(SpgId::new(pg, ShardId(0)), OsdId(3)));
    // A pg_temp member is in acting though not in up.
    apply(&mut m, |inc| {
        inc.set_pg_temp(PgId::new(REP, 0), &[7, 1]);
    });
    let rep = SpgId::replicated(PgId::new(REP, 0));
    assert!(m.is_up_acting_osd_shard(rep, OsdId(7)));
    assert!(m.is_up_acting_osd_shard(rep, OsdId(2)));
    assert!(!m.is_up_acting_osd_shard(rep, OsdId(0)));
    // Exact semantics: seed 16 is not a PG of a 16-PG pool.
    assert!(!m.is_up_acting_osd_shard(SpgId::replicated(PgId::new(REP, 16)), OsdId(1)));
}
