//! [`DecodedOsdMap::apply_incremental`]: Ceph's `OSDMap::apply_incremental`
//! over a decoded map: the placement part through the crate's [`Incremental`],
//! the rest (names, addresses, uuids, profiles, ratios, releases) here.

use std::collections::BTreeMap;
use std::sync::Arc;

use peering_core::map::MapFlags;
use peering_core::types::OsdId;

use crate::crush::CrushMap;

use super::super::osd::OSD_EXISTS;
use super::super::{CrushHandle, Incremental};
use super::common::Utime;
use super::error::{OsdMapDecodeError, OsdMapDecodeErrorKind as Kind};
use super::full::{DecodedOsdMap, EcProfiles, OsdRecord, decode_osdmap, profile_k};
use super::incremental::{DecodedIncremental, RELEASE_UNCHANGED};
use super::release::{LUMINOUS, QUINCY, flags_for_release};

type Result<T> = core::result::Result<T, OsdMapDecodeError>;

impl DecodedOsdMap {
    /// Ceph's `OSDMap::apply_incremental`, all or nothing: on error the map is
    /// unchanged. The placement part goes through
    /// [`OsdMap::apply_incremental`](super::super::OsdMap::apply_incremental)
    /// and its checks; the rest (names, addresses, uuids, profiles, ratios,
    /// releases) follows Ceph's order. An incremental carrying a full map
    /// replaces the map with it.
    pub fn apply_incremental(&mut self, inc: &DecodedIncremental) -> Result<()> {
        let err = |kind| OsdMapDecodeError { offset: 0, kind };
        if !inc.fullmap.is_empty() {
            let full = decode_osdmap(&inc.fullmap)?;
            if full.map.epoch != inc.epoch {
                return Err(err(Kind::OutOfRange(format!(
                    "incremental {} carries a full map of epoch {}",
                    inc.epoch, full.map.epoch
                ))));
            }
            *self = full;
            return Ok(());
        }
        if !inc.new_pg_upmap_primary.is_empty() {
            return Err(err(Kind::OutOfRange(
                "pg_upmap_primary (Reef's read balancer) is not supported".into(),
            )));
        }
        let mut next = self.clone();
        // Profiles first: a pool created in this epoch may name a new one.
        for name in &inc.old_erasure_code_profiles {
            next.erasure_code_profiles.remove(name);
        }
        for (name, profile) in &inc.new_erasure_code_profiles {
            next.erasure_code_profiles
                .insert(name.clone(), profile.clone());
        }
        let crush = inc.crush.clone().map(Arc::new);
        let placement = placement_incremental(inc, &next.erasure_code_profiles, crush.as_ref())?;
        next.map
            .apply_incremental(&placement)
            .map_err(|e| err(Kind::Invalid(e)))?;
        next.apply_records(inc);
        if let Some(crush) = crush {
            next.crush = crush;
            if next.require_osd_release >= LUMINOUS {
                next.crush_version = next.crush_version.wrapping_add(1);
            }
            let classes = &next.crush.class_names;
            next.device_class_flags
                .retain(|c, _| classes.contains_key(c));
        }
        *self = next;
        Ok(())
    }

    /// Everything beyond placement that `apply_incremental` changes.
    fn apply_records(&mut self, inc: &DecodedIncremental) {
        self.modified = inc.modified;
        // new_flags reached the map with the placement incremental.
        if inc.new_max_osd >= 0 {
            let n = usize::try_from(inc.new_max_osd).unwrap_or(0);
            self.osds.resize(n, OsdRecord::default());
        }
        if inc.new_pool_max != -1 {
            self.pool_max = inc.new_pool_max as i32;
        }
        for (id, pool) in &inc.new_pools {
            let mut pool = pool.clone();
            pool.last_change = inc.epoch;
            self.pools.insert(*id, pool);
        }
        for (id, name) in &inc.new_pool_names {
            self.pool_names.insert(*id, name.clone());
        }
        for id in &inc.old_pools {
            self.pools.remove(id);
            self.pool_names.remove(id);
        }
        for (pool, snaps) in &inc.new_removed_snaps {
            let q = self.removed_snaps_queue.entry(*pool).or_default();
            for (start, len) in snaps {
                q.insert(*start, *len);
            }
        }
        for (pool, snaps) in &inc.new_purged_snaps {
            if let Some(q) = self.removed_snaps_queue.get_mut(pool) {
                for start in snaps.keys() {
                    q.remove(start);
                }
                if q.is_empty() {
                    self.removed_snaps_queue.remove(pool);
                }
            }
        }
        self.new_removed_snaps = inc.new_removed_snaps.clone();
        self.new_purged_snaps = inc.new_purged_snaps.clone();
        if inc.new_last_up_change != Utime::default() {
            self.last_up_change = inc.new_last_up_change;
        }
        if inc.new_last_in_change != Utime::default() {
            self.last_in_change = inc.new_last_in_change;
        }
        // A state mask that toggles EXISTS on an existing OSD destroys it: its
        // uuid and addresses go (the placement map cleared the rest).
        for (osd, record) in self.osds.iter_mut().enumerate() {
            let id = osd as i32;
            if let Some(mask) = inc.new_state.get(&id) {
                let gone = self.map.osd_state(OsdId(id)) & OSD_EXISTS == 0;
                if gone && mask & OSD_EXISTS != 0 {
                    *record = OsdRecord::default();
                }
            }
            if let Some(addrs) = inc.new_up_client.get(&id) {
                record.public_addrs = addrs.clone();
                record.hb_back_addrs = inc.new_hb_back_up.get(&id).cloned().unwrap_or_default();
                record.hb_front_addrs = inc.new_hb_front_up.get(&id).cloned().unwrap_or_default();
            }
            if let Some(addrs) = inc.new_up_cluster.get(&id) {
                record.cluster_addrs = addrs.clone();
            }
            if let Some(uuid) = inc.new_uuid.get(&id) {
                record.uuid = *uuid;
            }
        }
        self.blocklist.extend(inc.new_blocklist.iter().copied());
        self.blocklist
            .retain(|(a, _)| !inc.old_blocklist.contains(a));
        self.range_blocklist
            .extend(inc.new_range_blocklist.iter().copied());
        self.range_blocklist
            .retain(|(a, _)| !inc.old_range_blocklist.contains(a));
        for (node, flags) in &inc.new_crush_node_flags {
            if *flags != 0 {
                self.crush_node_flags.insert(*node, *flags);
            } else {
                self.crush_node_flags.remove(node);
            }
        }
        for (class, flags) in &inc.new_device_class_flags {
            if *flags != 0 {
                self.device_class_flags.insert(*class, *flags);
            } else {
                self.device_class_flags.remove(class);
            }
        }
        if inc.cluster_snapshot.is_empty() {
            self.cluster_snapshot.clear();
            self.cluster_snapshot_epoch = 0;
        } else {
            self.cluster_snapshot = inc.cluster_snapshot.clone();
            self.cluster_snapshot_epoch = inc.epoch;
        }
        if inc.new_nearfull_ratio >= 0.0 {
            self.nearfull_ratio = inc.new_nearfull_ratio;
        }
        if inc.new_backfillfull_ratio >= 0.0 {
            self.backfillfull_ratio = inc.new_backfillfull_ratio;
        }
        if inc.new_full_ratio >= 0.0 {
            self.full_ratio = inc.new_full_ratio;
        }
        if release_set(inc.new_require_min_compat_client) {
            self.require_min_compat_client = inc.new_require_min_compat_client;
        }
        if release_set(inc.new_require_osd_release) {
            self.require_osd_release = inc.new_require_osd_release;
            self.map.flags = flags_for_release(self.map.flags, self.require_osd_release);
            self.map
                .set_check_rule_mask(self.require_osd_release < QUINCY);
        }
        if inc.change_stretch_mode {
            self.stretch.enabled = inc.stretch_mode_enabled;
            self.stretch.bucket_count = inc.new_stretch_bucket_count;
            self.stretch.degraded = inc.new_degraded_stretch_mode;
            self.stretch.recovering = inc.new_recovering_stretch_mode;
            self.stretch.bucket = inc.new_stretch_mode_bucket;
        }
        match inc.mutate_allow_crimson {
            1 => self.allow_crimson = true,
            2 => self.allow_crimson = false,
            _ => {}
        }
    }
}

/// A release field that says "set": neither 0 (unknown) nor 0xff (unchanged).
fn release_set(r: u8) -> bool {
    r != 0 && r != RELEASE_UNCHANGED
}

/// The placement part of `inc` as the crate's [`Incremental`].
fn placement_incremental(
    inc: &DecodedIncremental,
    profiles: &EcProfiles,
    crush: Option<&Arc<CrushMap>>,
) -> Result<Incremental> {
    let err = |kind| OsdMapDecodeError { offset: 0, kind };
    let mut out = Incremental::new(inc.epoch);
    if inc.new_flags >= 0 {
        out.new_flags = Some(MapFlags(inc.new_flags as u32));
    }
    if inc.new_max_osd >= 0 {
        out.new_max_osd = Some(inc.new_max_osd);
    }
    for (id, pool) in &inc.new_pools {
        let k = profile_k(profiles, &pool.erasure_code_profile);
        let mut info = pool.pool_info(*id, k).map_err(err)?;
        info.last_change = inc.epoch;
        out.new_pools.insert(*id, info);
        if let Some(meta) = pool.last_pg_merge_meta {
            out.new_merge_meta.insert(*id, meta);
        }
    }
    out.old_pools = inc.old_pools.clone();
    out.new_weight = osd_keyed(&inc.new_weight);
    out.new_primary_affinity = osd_keyed(&inc.new_primary_affinity);
    out.new_state = osd_keyed(&inc.new_state);
    out.new_up_client = inc.new_up_client.keys().map(|o| OsdId(*o)).collect();
    out.new_up_thru = osd_keyed(&inc.new_up_thru);
    out.new_last_clean_interval = inc
        .new_last_clean_interval
        .iter()
        .map(|(o, v)| (OsdId(*o), *v))
        .collect();
    out.new_lost = osd_keyed(&inc.new_lost);
    out.new_xinfo = osd_keyed(&inc.new_xinfo);
    out.new_pg_temp = inc.new_pg_temp.clone();
    out.new_primary_temp = inc
        .new_primary_temp
        .iter()
        .map(|(pg, o)| (*pg, OsdId(*o)))
        .collect();
    out.new_pg_upmap = inc.new_pg_upmap.clone();
    out.old_pg_upmap = inc.old_pg_upmap.clone();
    out.new_pg_upmap_items = inc.new_pg_upmap_items.clone();
    out.old_pg_upmap_items = inc.old_pg_upmap_items.clone();
    out.new_crush = crush.map(|c| CrushHandle(c.clone()));
    Ok(out)
}

fn osd_keyed<V: Copy>(m: &BTreeMap<i32, V>) -> BTreeMap<OsdId, V> {
    m.iter().map(|(o, v)| (OsdId(*o), *v)).collect()
}
