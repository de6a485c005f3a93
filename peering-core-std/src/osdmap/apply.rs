//! Applying an [`Incremental`] to an [`OsdMap`] (`OSDMap::apply_incremental`.
//!
//! The new map is built from a copy and every rule is checked on the way; the
//! caller's map is only replaced when all of them hold, so a refused incremental
//! changes nothing.

use std::sync::Arc;

use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, PgId};

use super::error::OsdMapError;
use super::incremental::Incremental;
use super::map::OsdMap;
use super::osd::{
    DEFAULT_PRIMARY_AFFINITY, OSD_AUTOOUT, OSD_EXISTS, OSD_NEW, OSD_UP, OsdInfo, OsdXinfo,
    WEIGHT_IN, WEIGHT_OUT,
};
use super::pool::validate_pool;

impl OsdMap {
    /// Applies `inc` in place, all or nothing: on error `self` is unchanged.
    pub fn apply_incremental(&mut self, inc: &Incremental) -> Result<(), OsdMapError> {
        *self = self.with_incremental(inc)?;
        Ok(())
    }

    /// The map `inc` builds from this one, leaving this one untouched.
    ///
    /// Follows Ceph's order: flags, max_osd, pools, weights, primary affinity, the
    /// state XOR mask, up clients, up_thru / clean interval / lost, the temporary
    /// and upmap tables, and the CRUSH map last.
    pub fn with_incremental(&self, inc: &Incremental) -> Result<OsdMap, OsdMapError> {
        let expected = self.epoch.checked_add(1);
        if expected != Some(inc.epoch) {
            return Err(OsdMapError::WrongEpoch {
                current: self.epoch,
                got: inc.epoch,
            });
        }
        let mut m = self.clone();
        m.epoch = inc.epoch;
        if let Some(flags) = inc.new_flags {
            m.flags = flags;
        }
        if let Some(max) = inc.new_max_osd {
            m.set_max_osd(max)?;
        }
        m.check_osd_ids(inc)?;
        m.apply_pools(inc)?;
        m.apply_osd_changes(inc)?;
        // A per-OSD record must concern an OSD that exists before or after this
        // epoch; the state mask and up clients are exempt, they create OSDs.
        let records = inc
            .new_weight
            .keys()
            .chain(inc.new_primary_affinity.keys())
            .chain(inc.new_up_thru.keys())
            .chain(inc.new_last_clean_interval.keys())
            .chain(inc.new_lost.keys());
        for osd in records {
            if !self.exists(*osd) && !m.exists(*osd) {
                return Err(OsdMapError::UnknownOsd(osd.0, m.max_osd));
            }
        }
        m.apply_mappings(inc)?;
        if let Some(crush) = &inc.new_crush {
            m.crush = Some(crush.clone());
        }
        Ok(m)
    }

    /// `set_max_osd`: grows (new OSDs do not exist and are out) or shrinks the
    /// per-OSD arrays.
    fn set_max_osd(&mut self, max: i32) -> Result<(), OsdMapError> {
        let len = usize::try_from(max)
            .ok()
            .filter(|_| max <= OsdMap::MAX_OSD_LIMIT)
            .ok_or(OsdMapError::InvalidMaxOsd(max))?;
        self.max_osd = max;
        self.osd_state.resize(len, 0);
        self.osd_weight.resize(len, WEIGHT_OUT);
        self.osd_info.resize(len, OsdInfo::default());
        self.osd_xinfo.resize(len, OsdXinfo::default());
        self.osd_primary_affinity
            .resize(len, DEFAULT_PRIMARY_AFFINITY);
        Ok(())
    }

    /// [`OsdMap::slot`] as an error: Ceph asserts `osd < max_osd` here, a
    /// library refuses the incremental instead.
    fn index(&self, osd: OsdId) -> Result<usize, OsdMapError> {
        self.slot(osd)
            .ok_or(OsdMapError::UnknownOsd(osd.0, self.max_osd))
    }

    fn check_osd_ids(&self, inc: &Incremental) -> Result<(), OsdMapError> {
        for (osd, value) in inc.new_weight.iter().chain(&inc.new_primary_affinity) {
            self.index(*osd)?;
            if *value > WEIGHT_IN {
                return Err(OsdMapError::ValueTooLarge {
                    osd: osd.0,
                    value: *value,
                });
            }
        }
        let others = inc
            .new_state
            .keys()
            .chain(&inc.new_up_client)
            .chain(inc.new_up_thru.keys())
            .chain(inc.new_last_clean_interval.keys())
            .chain(inc.new_lost.keys());
        for osd in others {
            self.index(*osd)?;
        }
        Ok(())
    }

    fn apply_pools(&mut self, inc: &Incremental) -> Result<(), OsdMapError> {
        for (key, pool) in &inc.new_pools {
            validate_pool(*key, pool)?;
        }
        for pool in &inc.old_pools {
            if !self.pools.contains_key(pool) {
                return Err(OsdMapError::UnknownPool(*pool));
            }
        }
        for pool in inc.new_merge_meta.keys() {
            let kept = !inc.old_pools.contains(pool)
                && (self.pools.contains_key(pool) || inc.new_pools.contains_key(pool));
            if !kept {
                return Err(OsdMapError::UnknownPool(*pool));
            }
        }
        if !inc.new_pools.is_empty() || !inc.old_pools.is_empty() {
            let pools = Arc::make_mut(&mut self.pools);
            for (key, pool) in &inc.new_pools {
                let mut pool = *pool;
                pool.last_change = inc.epoch;
                pools.insert(*key, pool);
            }
            for pool in &inc.old_pools {
                pools.remove(pool);
                self.merge_meta.remove(pool);
            }
        }
        self.merge_meta
            .extend(inc.new_merge_meta.iter().map(|(k, m)| (*k, *m)));
        if !inc.old_pools.is_empty() {
            // The monitor's clean_temps drops a deleted pool's temporary and
            // explicit mappings in the same epoch; do it here so no entry outlives
            // its pool.
            let gone = |pg: &PgId| inc.old_pools.contains(&pg.pool);
            retain_arc(&mut self.pg_temp, |pg| !gone(pg));
            retain_arc(&mut self.primary_temp, |pg| !gone(pg));
            retain_arc(&mut self.pg_upmap, |pg| !gone(pg));
            retain_arc(&mut self.pg_upmap_items, |pg| !gone(pg));
        }
        Ok(())
    }

    fn apply_osd_changes(&mut self, inc: &Incremental) -> Result<(), OsdMapError> {
        for (osd, weight) in &inc.new_weight {
            let i = self.index(*osd)?;
            set(&mut self.osd_weight, i, *weight);
            if *weight != WEIGHT_OUT {
                // `set_weight`: a weight makes the OSD exist (how `osd new`
                // creates one). Marking in ends an automatic out and the
                // "never in" state.
                update(&mut self.osd_state, i, |s| {
                    (s | OSD_EXISTS) & !(OSD_AUTOOUT | OSD_NEW)
                });
            }
        }
        for (osd, affinity) in &inc.new_primary_affinity {
            let i = self.index(*osd)?;
            set(&mut self.osd_primary_affinity, i, *affinity);
        }
        for (osd, mask) in &inc.new_state {
            let i = self.index(*osd)?;
            let state = self.osd_state.get(i).copied().unwrap_or(0);
            // A zero mask is Ceph's shorthand for toggling UP.
            let mask = if *mask == 0 { OSD_UP } else { *mask };
            if state & OSD_UP != 0 && mask & OSD_UP != 0 {
                self.edit_info(*osd, |info| info.down_at = inc.epoch)?;
            }
            if state & OSD_EXISTS != 0 && mask & OSD_EXISTS != 0 {
                // Destroyed: forget everything the map knew about the OSD.
                set(&mut self.osd_info, i, OsdInfo::default());
                set(&mut self.osd_xinfo, i, OsdXinfo::default());
                set(&mut self.osd_primary_affinity, i, DEFAULT_PRIMARY_AFFINITY);
                set(&mut self.osd_state, i, 0);
            } else {
                set(&mut self.osd_state, i, state ^ mask);
            }
        }
        for osd in &inc.new_up_client {
            let i = self.index(*osd)?;
            update(&mut self.osd_state, i, |s| s | OSD_EXISTS | OSD_UP);
            self.edit_info(*osd, |info| info.up_from = inc.epoch)?;
        }
        for (osd, up_thru) in &inc.new_up_thru {
            self.edit_info(*osd, |info| info.up_thru = *up_thru)?;
        }
        for (osd, (begin, end)) in &inc.new_last_clean_interval {
            self.edit_info(*osd, |info| {
                info.last_clean_begin = *begin;
                info.last_clean_end = *end;
            })?;
        }
        for (osd, lost_at) in &inc.new_lost {
            self.edit_info(*osd, |info| info.lost_at = *lost_at)?;
        }
        for (osd, xinfo) in &inc.new_xinfo {
            let i = self.index(*osd)?;
            set(&mut self.osd_xinfo, i, *xinfo);
        }
        Ok(())
    }

    /// Changes one OSD's `osd_info_t` in place.
    fn edit_info(&mut self, osd: OsdId, f: impl FnOnce(&mut OsdInfo)) -> Result<(), OsdMapError> {
        let i = self.index(osd)?;
        if let Some(info) = self.osd_info.get_mut(i) {
            f(info);
        }
        Ok(())
    }

    fn apply_mappings(&mut self, inc: &Incremental) -> Result<(), OsdMapError> {
        for (pg, osds) in inc.new_pg_temp.iter().chain(&inc.new_pg_upmap) {
            self.check_mapping(*pg, osds.iter().copied(), true)?;
        }
        for (pg, osd) in &inc.new_primary_temp {
            if *osd != OsdId::UNDEF {
                self.check_mapping(*pg, core::iter::once(*osd), true)?;
            }
        }
        for (pg, items) in &inc.new_pg_upmap_items {
            // Replacement pairs are not positions: their count is not bounded
            // by the pool size.
            self.check_mapping(*pg, items.iter().map(|(_, to)| *to), false)?;
        }
        if !inc.new_pg_temp.is_empty() {
            let temp = Arc::make_mut(&mut self.pg_temp);
            for (pg, osds) in &inc.new_pg_temp {
                if osds.is_empty() {
                    temp.remove(pg);
                } else {
                    temp.insert(*pg, osds.clone());
                }
            }
        }
        if !inc.new_primary_temp.is_empty() {
            let temp = Arc::make_mut(&mut self.primary_temp);
            for (pg, osd) in &inc.new_primary_temp {
                if *osd == OsdId::UNDEF {
                    temp.remove(pg);
                } else {
                    temp.insert(*pg, *osd);
                }
            }
        }
        if !inc.new_pg_upmap.is_empty() || !inc.old_pg_upmap.is_empty() {
            let upmap = Arc::make_mut(&mut self.pg_upmap);
            upmap.extend(inc.new_pg_upmap.iter().map(|(k, v)| (*k, v.clone())));
            for pg in &inc.old_pg_upmap {
                upmap.remove(pg);
            }
        }
        if !inc.new_pg_upmap_items.is_empty() || !inc.old_pg_upmap_items.is_empty() {
            let items = Arc::make_mut(&mut self.pg_upmap_items);
            items.extend(inc.new_pg_upmap_items.iter().map(|(k, v)| (*k, v.clone())));
            for pg in &inc.old_pg_upmap_items {
                items.remove(pg);
            }
        }
        Ok(())
    }

    /// A temporary or explicit mapping must name a pool of the new map, fit the
    /// pool's size (when `bounded`), and name only OSDs that exist (or
    /// `CRUSH_ITEM_NONE` holes).
    fn check_mapping(
        &self,
        pg: PgId,
        osds: impl ExactSizeIterator<Item = OsdId>,
        bounded: bool,
    ) -> Result<(), OsdMapError> {
        let pool = self.pool_or_err(pg.pool)?;
        let len = osds.len();
        if bounded && len > usize::try_from(pool.size).unwrap_or(usize::MAX) {
            return Err(OsdMapError::MappingTooLong {
                pg,
                len,
                size: pool.size,
            });
        }
        for osd in osds {
            if !osd.is_none() && !self.exists(osd) {
                return Err(OsdMapError::NonexistentOsdInMapping { pg, osd: osd.0 });
            }
        }
        Ok(())
    }
}

fn set<T>(v: &mut [T], i: usize, value: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = value;
    }
}

fn update<T: Copy>(v: &mut [T], i: usize, f: impl FnOnce(T) -> T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = f(*slot);
    }
}

fn retain_arc<V: Clone>(
    map: &mut Arc<std::collections::BTreeMap<PgId, V>>,
    keep: impl Fn(&PgId) -> bool,
) {
    if map.keys().any(|pg| !keep(pg)) {
        Arc::make_mut(map).retain(|pg, _| keep(pg));
    }
}
