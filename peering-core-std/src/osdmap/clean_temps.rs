//! `OSDMap::clean_temps`: what the monitor drops from the pending
//! incremental's temporary mappings before it proposes the next epoch.

use peering_core::map::OsdMapView;
use std::collections::BTreeMap;

use peering_core::types::{OsdId, OsdVec, PgId};

use super::incremental::Incremental;
use super::map::OsdMap;

impl OsdMap {
    /// `OSDMap::clean_temps(oldmap, nextmap, pending_inc)`, as
    /// `OSDMonitor::encode_pending` runs it with `next` = `old` plus
    /// `pending`. In `pending` it erases every pg_temp of `next` whose pool or
    /// PG is gone or whose OSDs are all down; erases (or, when `old` has
    /// none, withdraws) one equal to the raw up set or longer than the pool's
    /// size; erases every primary_temp naming a down OSD, and erases (or
    /// withdraws) one that picks the primary the PG would have anyway.
    ///
    /// Returns whether `pending` changed.
    ///
    /// Work: one placement per temporary mapping of `next`.
    pub fn clean_temps(old: &OsdMap, next: &OsdMap, pending: &mut Incremental) -> bool {
        let mut changed = false;
        for (pg, osds) in next.pg_temp.iter() {
            let gone = next
                .pg_pool(pg.pool)
                .is_none_or(|pool| pg.seed >= pool.pg_num);
            if gone || osds.iter().all(|o| !next.is_up(*o)) {
                changed |= erase(&mut pending.new_pg_temp, *pg, OsdVec::new());
                continue;
            }
            let (raw_up, _) = next.pg_to_raw_up(*pg);
            let size = next.pg_pool(pg.pool).map_or(0, |p| p.size);
            let oversized = osds.len() > usize::try_from(size).unwrap_or(usize::MAX);
            if raw_up == *osds || oversized {
                changed |= if old.pg_temp.contains_key(pg) {
                    erase(&mut pending.new_pg_temp, *pg, OsdVec::new())
                } else {
                    pending.new_pg_temp.remove(pg).is_some()
                };
            }
        }
        for (pg, osd) in next.primary_temp.iter() {
            if !next.is_up(*osd) {
                changed |= erase(&mut pending.new_primary_temp, *pg, OsdId::UNDEF);
                continue;
            }
            let real = next.pg_to_up_acting_osds(*pg).acting_primary;
            let (_, templess) = next.pg_to_raw_up(*pg);
            if real == templess {
                changed |= if old.primary_temp.contains_key(pg) {
                    erase(&mut pending.new_primary_temp, *pg, OsdId::UNDEF)
                } else {
                    pending.new_primary_temp.remove(pg).is_some()
                };
            }
        }
        changed
    }
}

/// Sets `pg`'s pending entry to the "erase" value (`[]` for a pg_temp, `-1`
/// for a primary_temp); whether that changed the pending incremental.
fn erase<V: PartialEq>(pending: &mut BTreeMap<PgId, V>, pg: PgId, erased: V) -> bool {
    match pending.get(&pg) {
        Some(v) if *v == erased => false,
        _ => {
            pending.insert(pg, erased);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use peering_core::map::OsdMapView;
    use peering_core::types::{OsdId, OsdVec, PgId};

    use crate::osd::local::simple_map;
    use crate::osdmap::{Incremental, OsdMap};

    fn osds(v: &[i32]) -> OsdVec {
        v.iter().copied().map(OsdId).collect()
    }

    /// Six OSDs, one per host; pool 1 of size 3 with 8 PGs.
    fn map() -> OsdMap {
        simple_map(6, 1, 3, 8).unwrap()
    }

    /// `next` = `old` + `pending`, then `clean_temps`.
    fn clean(old: &OsdMap, pending: &mut Incremental) {
        let next = old.with_incremental(pending).unwrap();
        OsdMap::clean_temps(old, &next, pending);
    }

    // Ceph's `OSDMapTest.CleanTemps`, re-derived: a pg_temp and primary_temp
    // equal to the PG's own mapping are dropped whether they are already in
    // the map (erased) or only pending (withdrawn).
    #[test]
    fn redundant_temps_are_erased_or_withdrawn() {
        let mut m = map();
        let (pga, pgb) = (PgId::new(1, 0), PgId::new(1, 1));
        let a = m.pg_to_up_acting_osds(pga);
        let mut first = Incremental::new(m.epoch() + 1);
        first.new_pg_temp.insert(pga, a.up.clone());
        first.new_primary_temp.insert(pga, a.up_primary);
        m.apply_incremental(&first).unwrap();
        let b = m.pg_to_up_acting_osds(pgb);
        let mut pending = Incremental::new(m.epoch() + 1);
        pending.new_pg_temp.insert(pgb, b.up.clone());
        pending.new_primary_temp.insert(pgb, b.up_primary);
        clean(&m, &mut pending);
        assert_eq!(pending.new_pg_temp.get(&pga), Some(&OsdVec::new()));
        assert_eq!(pending.new_primary_temp.get(&pga), Some(&OsdId::UNDEF));
        assert!(!pending.new_pg_temp.contains_key(&pgb));
        assert!(!pending.new_primary_temp.contains_key(&pgb));
    }

    #[test]
    fn temps_on_down_osds_or_too_long_go_and_useful_ones_stay() {
        let mut m = map();
        let pgs: Vec<PgId> = (0..4).map(|s| PgId::new(1, s)).collect();
        let up: Vec<_> = pgs
            .iter()
            .map(|pg| m.pg_to_up_acting_osds(*pg).up)
            .collect();
        // A different order of the same OSDs: a real pg_temp.
        let useful: OsdVec = up[0].iter().rev().copied().collect();
        let outsider = (0..6).map(OsdId).find(|o| !up[1].contains(o)).unwrap();
        let mut first = Incremental::new(m.epoch() + 1);
        first.new_pg_temp.insert(pgs[0], useful.clone());
        first.new_pg_temp.insert(pgs[1], osds(&[outsider.0]));
        first.new_primary_temp.insert(pgs[3], up[3][1]);
        m.apply_incremental(&first).unwrap();
        // The outsider and the primary_temp's OSD go down.
        let mut pending = Incremental::new(m.epoch() + 1);
        pending.mark_down(outsider.0);
        if up[3][1] != outsider {
            pending.mark_down(up[3][1].0);
        }
        clean(&m, &mut pending);
        assert!(
            !pending.new_pg_temp.contains_key(&pgs[0]),
            "a useful pg_temp stays"
        );
        assert_eq!(
            pending.new_pg_temp.get(&pgs[1]),
            Some(&OsdVec::new()),
            "all down"
        );
        assert_eq!(
            pending.new_primary_temp.get(&pgs[3]),
            Some(&OsdId::UNDEF),
            "down primary"
        );
        let next = m.with_incremental(&pending).unwrap();
        assert_eq!(next.pg_temp().len(), 1);
        assert!(next.primary_temp().is_empty());
    }

    #[test]
    fn a_pg_temp_longer_than_a_shrunk_pool_goes() {
        let mut m = map();
        let pg = PgId::new(1, 2);
        let reversed: OsdVec = m
            .pg_to_up_acting_osds(pg)
            .up
            .iter()
            .rev()
            .copied()
            .collect();
        let mut first = Incremental::new(m.epoch() + 1);
        first.new_pg_temp.insert(pg, reversed);
        m.apply_incremental(&first).unwrap();
        let mut pool = *m.pg_pool(1).unwrap();
        pool.size = 2;
        pool.min_size = 1;
        let mut pending = Incremental::new(m.epoch() + 1);
        pending.set_pool(pool);
        clean(&m, &mut pending);
        assert_eq!(pending.new_pg_temp.get(&pg), Some(&OsdVec::new()));
    }

    #[test]
    fn temps_of_a_pg_that_is_gone_go() {
        let mut m = map();
        let mut first = Incremental::new(m.epoch() + 1);
        first.new_pg_temp.insert(PgId::new(1, 7), osds(&[5, 4, 3]));
        m.apply_incremental(&first).unwrap();
        // pg_num shrinks below the PG (the monitor's merge path, forced).
        let mut pool = *m.pg_pool(1).unwrap();
        pool.pg_num = 4;
        pool.pgp_num = 4;
        pool.pg_num_pending = 4;
        let mut pending = Incremental::new(m.epoch() + 1);
        pending.set_pool(pool);
        clean(&m, &mut pending);
        assert_eq!(
            pending.new_pg_temp.get(&PgId::new(1, 7)),
            Some(&OsdVec::new())
        );
    }
}
