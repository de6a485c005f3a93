//! Incremental application (`ceph-osd-side.md` §5.2): Ceph's rules, and refusal of
//! malformed or out-of-order incrementals with the map left unchanged.

use peering_core::map::{MapFlags, OsdMapView, PoolInfo};
use peering_core::types::{OsdId, PgId};
use peering_core_std::osdmap::{
    Incremental, OSD_AUTOOUT, OSD_EXISTS, OSD_NEW, OSD_UP, OsdMap, OsdMapCache, OsdMapError,
};

fn base() -> OsdMap {
    OsdMap::build_simple(6, [PoolInfo::replicated(1, 3, 8)], None).unwrap()
}

fn pg(seed: u32) -> PgId {
    PgId::new(1, seed)
}

#[test]
fn build_simple_makes_epoch_one_with_up_in_osds() {
    let m = base();
    assert_eq!(m.epoch(), 1);
    assert_eq!(m.max_osd(), 6);
    for o in 0..6 {
        assert!(m.exists(OsdId(o)) && m.is_up(OsdId(o)) && m.is_in(OsdId(o)));
        assert_eq!(m.up_from(OsdId(o)), 1);
    }
    assert!(!m.exists(OsdId(6)));
    assert_eq!(m.pool(1).unwrap().last_change, 1);
    assert!(m.flags().contains(MapFlags::SORTBITWISE));
}

#[test]
fn state_mask_zero_marks_down_and_records_down_at() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.mark_down(3);
    m.apply_incremental(&inc).unwrap();
    assert!(m.exists(OsdId(3)));
    assert!(!m.is_up(OsdId(3)));
    assert_eq!(m.down_at(OsdId(3)), 2);
    // Marking a down OSD with the UP toggle again would bring it up without
    // touching down_at: the mask is an XOR.
    let mut inc = Incremental::new(3);
    inc.new_state.insert(OsdId(3), OSD_UP);
    m.apply_incremental(&inc).unwrap();
    assert!(m.is_up(OsdId(3)));
    assert_eq!(m.down_at(OsdId(3)), 2);
}

#[test]
fn up_client_sets_up_from_to_the_epoch() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.mark_down(0);
    m.apply_incremental(&inc).unwrap();
    let mut inc = Incremental::new(3);
    inc.mark_up(0);
    m.apply_incremental(&inc).unwrap();
    assert!(m.is_up(OsdId(0)));
    assert_eq!(m.up_from(OsdId(0)), 3);
    assert_eq!(m.down_at(OsdId(0)), 2);
}

#[test]
fn exists_toggle_destroys_the_osd_and_its_info() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.new_up_thru.insert(OsdId(4), 2);
    m.apply_incremental(&inc).unwrap();
    let mut inc = Incremental::new(3);
    inc.new_state.insert(OsdId(4), OSD_EXISTS | OSD_UP);
    m.apply_incremental(&inc).unwrap();
    assert!(!m.exists(OsdId(4)));
    assert_eq!(m.osd_state(OsdId(4)), 0);
    // Destruction wipes the info after down_at was set.
    assert_eq!(m.up_thru(OsdId(4)), 0);
    assert_eq!(m.down_at(OsdId(4)), 0);
}

#[test]
fn marking_in_clears_autoout_and_new() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.new_weight.insert(OsdId(2), 0);
    inc.new_state.insert(OsdId(2), OSD_AUTOOUT | OSD_NEW);
    m.apply_incremental(&inc).unwrap();
    assert!(m.is_out(OsdId(2)));
    assert_eq!(
        m.osd_state(OsdId(2)) & (OSD_AUTOOUT | OSD_NEW),
        OSD_AUTOOUT | OSD_NEW
    );
    let mut inc = Incremental::new(3);
    inc.mark_in(2);
    m.apply_incremental(&inc).unwrap();
    assert!(m.is_in(OsdId(2)));
    assert_eq!(m.osd_state(OsdId(2)) & (OSD_AUTOOUT | OSD_NEW), 0);
}

#[test]
fn up_thru_lost_clean_interval_and_affinity_are_recorded() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.new_up_thru.insert(OsdId(1), 2);
    inc.new_lost.insert(OsdId(5), 2);
    inc.new_last_clean_interval.insert(OsdId(1), (1, 2));
    inc.new_primary_affinity.insert(OsdId(1), 0x8000);
    m.apply_incremental(&inc).unwrap();
    assert_eq!(m.up_thru(OsdId(1)), 2);
    assert_eq!(m.lost_at(OsdId(5)), 2);
    assert_eq!(m.osd_info(OsdId(1)).last_clean_begin, 1);
    assert_eq!(m.osd_info(OsdId(1)).last_clean_end, 2);
    assert_eq!(m.primary_affinity(OsdId(1)), 0x8000);
}

#[test]
fn new_max_osd_grows_with_nonexistent_out_osds() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.new_max_osd = Some(10);
    m.apply_incremental(&inc).unwrap();
    assert_eq!(m.max_osd(), 10);
    assert!(!m.exists(OsdId(8)));
    assert_eq!(m.weight(OsdId(8)), 0);
    let mut inc = Incremental::new(3);
    inc.add_osd(8, 10);
    m.apply_incremental(&inc).unwrap();
    assert!(m.is_up(OsdId(8)) && m.is_in(OsdId(8)));
}

#[test]
fn pg_temp_and_primary_temp_set_and_erase() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.set_pg_temp(pg(3), &[4, 5]);
    inc.set_primary_temp(pg(3), 5);
    m.apply_incremental(&inc).unwrap();
    assert_eq!(m.pg_temp()[&pg(3)].as_slice(), &[OsdId(4), OsdId(5)]);
    assert_eq!(m.primary_temp()[&pg(3)], OsdId(5));
    let mut inc = Incremental::new(3);
    inc.set_pg_temp(pg(3), &[]);
    inc.set_primary_temp(pg(3), -1);
    m.apply_incremental(&inc).unwrap();
    assert!(m.pg_temp().is_empty());
    assert!(m.primary_temp().is_empty());
}

#[test]
fn upmap_entries_set_and_remove() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.new_pg_upmap
        .insert(pg(1), [OsdId(0), OsdId(1), OsdId(2)].into_iter().collect());
    inc.new_pg_upmap_items
        .insert(pg(2), vec![(OsdId(0), OsdId(5))]);
    m.apply_incremental(&inc).unwrap();
    assert_eq!(m.pg_upmap().len(), 1);
    assert_eq!(m.pg_upmap_items()[&pg(2)], vec![(OsdId(0), OsdId(5))]);
    let mut inc = Incremental::new(3);
    inc.old_pg_upmap.insert(pg(1));
    inc.old_pg_upmap_items.insert(pg(2));
    m.apply_incremental(&inc).unwrap();
    assert!(m.pg_upmap().is_empty() && m.pg_upmap_items().is_empty());
}

#[test]
fn pools_create_modify_delete_and_pg_num_change() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.set_pool(PoolInfo::erasure(2, 4, 2, 16));
    let mut grown = *m.pg_pool(1).unwrap();
    grown.pg_num = 16;
    grown.pgp_num = 16;
    inc.set_pool(grown);
    m.apply_incremental(&inc).unwrap();
    assert_eq!(m.pool(1).unwrap().pg_num, 16);
    assert_eq!(m.pool(1).unwrap().last_change, 2);
    assert_eq!(m.pool(2).unwrap().size, 6);
    let mut inc = Incremental::new(3);
    inc.set_pg_temp(PgId::new(2, 1), &[0, 1, 2, 3, 4, 5]);
    m.apply_incremental(&inc).unwrap();
    let mut inc = Incremental::new(4);
    inc.old_pools.insert(2);
    m.apply_incremental(&inc).unwrap();
    assert!(m.pool(2).is_none());
    // The deleted pool's pg_temp went with it.
    assert!(m.pg_temp().is_empty());
}

#[test]
fn flags_are_replaced_when_given() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.new_flags = Some(m.flags().with(MapFlags::NOUP).with(MapFlags::NOOUT));
    m.apply_incremental(&inc).unwrap();
    assert!(m.flags().contains(MapFlags::NOUP));
    assert!(m.flags().contains(MapFlags::NOOUT));
    assert!(!m.flags().contains(MapFlags::NODOWN));
}

fn refused(inc: &Incremental) -> OsdMapError {
    let mut m = base();
    let before = m.clone();
    let err = m.apply_incremental(inc).unwrap_err();
    assert_eq!(
        m, before,
        "a refused incremental must leave the map unchanged"
    );
    err
}

#[test]
fn wrong_epoch_is_refused() {
    let inc = Incremental::new(3);
    assert_eq!(
        refused(&inc),
        OsdMapError::WrongEpoch { current: 1, got: 3 }
    );
    assert!(matches!(
        refused(&Incremental::new(1)),
        OsdMapError::WrongEpoch { .. }
    ));
}

#[test]
fn unknown_osd_ids_are_refused() {
    let mut inc = Incremental::new(2);
    inc.mark_up(0);
    inc.new_up_thru.insert(OsdId(6), 2);
    assert_eq!(refused(&inc), OsdMapError::UnknownOsd(6, 6));
    let mut inc = Incremental::new(2);
    inc.mark_down(-1);
    assert!(matches!(refused(&inc), OsdMapError::UnknownOsd(-1, _)));
    // In range but never created: a record about it is refused too.
    let mut inc = Incremental::new(2);
    inc.new_max_osd = Some(8);
    inc.new_lost.insert(OsdId(7), 2);
    assert_eq!(refused(&inc), OsdMapError::UnknownOsd(7, 8));
}

#[test]
fn unknown_pools_are_refused() {
    let mut inc = Incremental::new(2);
    inc.old_pools.insert(9);
    assert_eq!(refused(&inc), OsdMapError::UnknownPool(9));
    let mut inc = Incremental::new(2);
    inc.set_pg_temp(PgId::new(9, 0), &[1, 2]);
    assert_eq!(refused(&inc), OsdMapError::UnknownPool(9));
}

#[test]
fn bad_pools_are_refused() {
    let mut zero = PoolInfo::replicated(2, 3, 8);
    zero.size = 0;
    zero.min_size = 0;
    let mut inc = Incremental::new(2);
    inc.set_pool(zero);
    assert_eq!(refused(&inc), OsdMapError::ZeroPoolSize(2));

    let mut big_min = PoolInfo::replicated(2, 3, 8);
    big_min.min_size = 4;
    let mut inc = Incremental::new(2);
    inc.mark_up(1);
    inc.set_pool(big_min);
    assert_eq!(
        refused(&inc),
        OsdMapError::BadMinSize {
            pool: 2,
            min_size: 4,
            size: 3
        }
    );

    let mut bad_pgp = PoolInfo::replicated(2, 3, 8);
    bad_pgp.pgp_num = 9;
    let mut inc = Incremental::new(2);
    inc.set_pool(bad_pgp);
    assert!(matches!(refused(&inc), OsdMapError::BadPgNum { .. }));

    let mut ec = PoolInfo::erasure(2, 2, 1, 8);
    ec.size = 4;
    let mut inc = Incremental::new(2);
    inc.set_pool(ec);
    assert_eq!(refused(&inc), OsdMapError::ErasureSizeMismatch(2));
}

#[test]
fn pg_temp_naming_a_nonexistent_osd_is_refused() {
    let mut inc = Incremental::new(2);
    inc.new_max_osd = Some(8);
    inc.set_pg_temp(pg(0), &[1, 7]);
    assert_eq!(
        refused(&inc),
        OsdMapError::NonexistentOsdInMapping { pg: pg(0), osd: 7 }
    );
    let mut inc = Incremental::new(2);
    inc.set_primary_temp(pg(0), 42);
    assert!(matches!(
        refused(&inc),
        OsdMapError::NonexistentOsdInMapping { osd: 42, .. }
    ));
    let mut inc = Incremental::new(2);
    inc.set_pg_temp(pg(0), &[0, 1, 2, 3]);
    assert!(matches!(refused(&inc), OsdMapError::MappingTooLong { .. }));
    // An OSD destroyed in the same epoch cannot be named either.
    let mut inc = Incremental::new(2);
    inc.new_state.insert(OsdId(2), OSD_EXISTS | OSD_UP);
    inc.set_pg_temp(pg(0), &[2, 1]);
    assert!(matches!(
        refused(&inc),
        OsdMapError::NonexistentOsdInMapping { osd: 2, .. }
    ));
}

#[test]
fn oversized_values_are_refused() {
    let mut inc = Incremental::new(2);
    inc.new_weight.insert(OsdId(0), 0x10001);
    assert!(matches!(refused(&inc), OsdMapError::ValueTooLarge { .. }));
    let mut inc = Incremental::new(2);
    inc.new_max_osd = Some(OsdMap::MAX_OSD_LIMIT + 1);
    assert!(matches!(refused(&inc), OsdMapError::InvalidMaxOsd(_)));
}

#[test]
fn cache_shares_unchanged_pools_and_evicts_oldest() {
    let mut cache = OsdMapCache::new(3);
    let first = cache.insert(base());
    for e in 2..=5 {
        let mut inc = Incremental::new(e);
        inc.new_up_thru.insert(OsdId(0), e);
        cache.apply(&inc).unwrap();
    }
    assert_eq!(cache.len(), 3);
    assert_eq!(cache.oldest_epoch(), Some(3));
    assert!(cache.get(1).is_none());
    let latest = cache.latest().unwrap();
    assert_eq!(latest.epoch(), 5);
    assert_eq!(latest.up_thru(OsdId(0)), 5);
    assert!(latest.shares_pools_with(&first));
    // A refused incremental caches nothing.
    assert!(cache.apply(&Incremental::new(9)).is_err());
    assert_eq!(cache.latest().unwrap().epoch(), 5);
    // Changing a pool makes a new pool table, leaving the old epoch's intact.
    let mut inc = Incremental::new(6);
    inc.set_pool(PoolInfo::replicated(2, 2, 4));
    let six = cache.apply(&inc).unwrap();
    assert!(!six.shares_pools_with(&latest));
    assert!(latest.pool(2).is_none());
}

#[test]
fn upmap_items_are_not_bounded_by_pool_size_but_targets_must_exist() {
    let mut m = base();
    let mut inc = Incremental::new(2);
    let items = (0..4).map(|i| (OsdId(i), OsdId(5 - i))).collect();
    inc.new_pg_upmap_items.insert(pg(0), items);
    m.apply_incremental(&inc).unwrap();
    assert_eq!(m.pg_upmap_items()[&pg(0)].len(), 4);
    let mut inc = Incremental::new(2);
    inc.new_pg_upmap_items
        .insert(pg(0), vec![(OsdId(0), OsdId(9))]);
    assert!(matches!(
        refused(&inc),
        OsdMapError::NonexistentOsdInMapping { osd: 9, .. }
    ));
}

#[test]
fn pg_num_beyond_mon_max_pool_pg_num_is_refused() {
    use peering_core::map::MAX_POOL_PG_NUM;
    assert_eq!(
        MAX_POOL_PG_NUM, 65_536,
        "Ceph's default mon_max_pool_pg_num"
    );

    // Raising a pool to the limit is accepted, one past it is not.
    let mut at_limit = *base().pg_pool(1).unwrap();
    at_limit.pg_num = MAX_POOL_PG_NUM;
    let mut m = base();
    let mut inc = Incremental::new(2);
    inc.set_pool(at_limit);
    m.apply_incremental(&inc).unwrap();
    assert_eq!(m.pool(1).unwrap().pg_num, MAX_POOL_PG_NUM);

    let mut past = at_limit;
    past.pg_num = MAX_POOL_PG_NUM + 1;
    let mut inc = Incremental::new(2);
    inc.set_pool(past);
    assert_eq!(
        refused(&inc),
        OsdMapError::PgNumTooLarge {
            pool: 1,
            pg_num: MAX_POOL_PG_NUM + 1,
            max: MAX_POOL_PG_NUM
        }
    );

    // A pending merge target past the limit is as bad.
    let mut pending = at_limit;
    pending.pg_num_pending = u32::MAX;
    let mut inc = Incremental::new(2);
    inc.set_pool(pending);
    assert!(matches!(
        refused(&inc),
        OsdMapError::PgNumTooLarge {
            pg_num: u32::MAX,
            ..
        }
    ));

    // Pool creation goes through the same check.
    let huge = PoolInfo::replicated(2, 3, 1 << 31);
    assert_eq!(
        OsdMap::build_simple(3, [huge], None).unwrap_err(),
        OsdMapError::PgNumTooLarge {
            pool: 2,
            pg_num: 1 << 31,
            max: MAX_POOL_PG_NUM
        }
    );
}
