//! `SimpleOsdMap` answers `OsdMapView` as Ceph's OSDMap would.

use peering_core::map::{MapFlags, OsdMapView, PoolInfo, PoolKind};
use peering_core::types::OsdId;

#[test]
fn unknown_osds_do_not_exist_and_are_down() {
    let map = peering_core::map::SimpleOsdMap::new(3).with_up_osd(0, 2);
    assert!(map.exists(OsdId(0)) && map.is_up(OsdId(0)));
    assert!(!map.exists(OsdId(7)) && map.is_down(OsdId(7)));
    assert_eq!(map.up_from(OsdId(0)), 2);
    assert_eq!(map.up_thru(OsdId(7)), 0);
    assert_eq!(map.max_osd(), 1);
    assert!(map.pool(1).is_none());
}

#[test]
fn marking_down_up_lost_records_epochs() {
    let mut map = peering_core::map::SimpleOsdMap::new(1)
        .with_up_osd(0, 1)
        .with_up_osd(1, 1);
    let mut next = map.next();
    next.mark_down(1);
    assert_eq!(next.epoch(), 2);
    assert!(next.is_down(OsdId(1)) && next.down_at(OsdId(1)) == 2);
    next.mark_lost(1);
    assert_eq!(next.lost_at(OsdId(1)), 2);
    next.set_up_thru(0, 2);
    assert_eq!(next.up_thru(OsdId(0)), 2);
    map.mark_up(5);
    assert!(map.is_up(OsdId(5)) && map.up_from(OsdId(5)) == 1);
    map.remove_osd(5);
    assert!(!map.exists(OsdId(5)));
    assert!(map.flags().contains(MapFlags::SORTBITWISE));
    assert!(map.flags().contains(MapFlags::RECOVERY_DELETES));
    // A reference is a view too.
    let view: &dyn OsdMapView = &map;
    assert_eq!((&view).epoch(), 1);
}

#[test]
fn pool_defaults_follow_ceph() {
    let rep = PoolInfo::replicated(1, 3, 8);
    assert_eq!(rep.min_size, 2);
    assert!(rep.can_shift_osds() && !rep.require_rollback());
    let ec = PoolInfo::erasure(2, 4, 2, 8);
    assert_eq!((ec.size, ec.min_size), (6, 5));
    assert_eq!(ec.kind, PoolKind::Erasure { k: 4, m: 2 });
    assert!(ec.is_erasure() && ec.require_rollback() && !ec.can_shift_osds());
    assert!(!ec.is_stretch_pool());
}
