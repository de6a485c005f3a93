//! [`SimpleOsdMap`]: a small in-memory [`OsdMapView`] for tests and examples.

use alloc::collections::BTreeMap;

use super::{MapFlags, OsdMapView, PoolInfo};
use crate::types::{Epoch, OsdId, PoolId};

/// One OSD's entry in a [`SimpleOsdMap`] (`osd_info_t` plus the up bit).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OsdState {
    /// Marked up in this map.
    pub up: bool,
    /// Epoch it last came up.
    pub up_from: Epoch,
    /// Newest interval start recorded as alive through.
    pub up_thru: Epoch,
    /// Epoch it was last marked down.
    pub down_at: Epoch,
    /// Epoch it was declared lost (0 if never).
    pub lost_at: Epoch,
    /// `CEPH_OSD_FULL`: the OSD is full (recovery waits
    /// "WaitLocalRecoveryReserved").
    #[cfg_attr(feature = "serde", serde(default))]
    pub full: bool,
    /// `osd_xinfo_t::dead_epoch`: the last epoch it was confirmed dead (0 if
    /// never).
    #[cfg_attr(feature = "serde", serde(default))]
    pub dead_epoch: Epoch,
}

/// An in-memory OSD map: OSDs by id, pools by id, flags and an epoch.
///
/// It holds just what [`OsdMapView`] answers; placement is the host's business (the
/// std crate's `OsdMap` computes it). Scripted scenarios build one per epoch.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SimpleOsdMap {
    /// The epoch.
    pub epoch: Epoch,
    /// The flags.
    pub flags: MapFlags,
    /// Every existing OSD.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub osds: BTreeMap<OsdId, OsdState>,
    /// Every existing pool.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub pools: BTreeMap<PoolId, PoolInfo>,
    /// The CRUSH ancestors stretch pools ask about: OSD → bucket type → the
    /// bucket of that type holding the OSD, for every rule (a hand-written map has
    /// one hierarchy).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    #[cfg_attr(feature = "serde", serde(default))]
    pub crush_parents: BTreeMap<OsdId, BTreeMap<u32, i32>>,
}

impl SimpleOsdMap {
    /// An empty map at `epoch` with `SORTBITWISE` and `RECOVERY_DELETES` set, as every
    /// modern cluster has them.
    pub fn new(epoch: Epoch) -> Self {
        SimpleOsdMap {
            epoch,
            flags: MapFlags::SORTBITWISE.with(MapFlags::RECOVERY_DELETES),
            osds: BTreeMap::new(),
            pools: BTreeMap::new(),
            crush_parents: BTreeMap::new(),
        }
    }

    /// Adds (or replaces) `osd`, up since `up_from`.
    pub fn with_up_osd(mut self, osd: i32, up_from: Epoch) -> Self {
        self.osds.insert(
            OsdId(osd),
            OsdState {
                up: true,
                up_from,
                ..OsdState::default()
            },
        );
        self
    }

    /// Adds (or replaces) a pool.
    pub fn with_pool(mut self, pool: PoolInfo) -> Self {
        self.pools.insert(pool.id, pool);
        self
    }

    /// The next epoch's map: a copy with the epoch advanced by one.
    pub fn next(&self) -> Self {
        let mut m = self.clone();
        m.epoch = self.epoch.saturating_add(1);
        m
    }

    /// Marks `osd` down in this epoch (no-op for an unknown OSD).
    pub fn mark_down(&mut self, osd: i32) {
        let epoch = self.epoch;
        if let Some(s) = self.osds.get_mut(&OsdId(osd)) {
            s.up = false;
            s.down_at = epoch;
        }
    }

    /// Marks `osd` down and confirmed dead in this epoch (Ceph's
    /// `MOSDMarkMeDown` with `down_and_dead`, or `MOSDMarkMeDead`).
    pub fn mark_dead(&mut self, osd: i32) {
        self.mark_down(osd);
        let epoch = self.epoch;
        if let Some(s) = self.osds.get_mut(&OsdId(osd)) {
            s.dead_epoch = epoch;
        }
    }

    /// Marks `osd` up in this epoch (adding it if unknown).
    pub fn mark_up(&mut self, osd: i32) {
        let epoch = self.epoch;
        let s = self.osds.entry(OsdId(osd)).or_default();
        s.up = true;
        s.up_from = epoch;
    }

    /// Records `up_thru` for `osd`.
    pub fn set_up_thru(&mut self, osd: i32, up_thru: Epoch) {
        if let Some(s) = self.osds.get_mut(&OsdId(osd)) {
            s.up_thru = up_thru;
        }
    }

    /// Declares `osd` lost in this epoch.
    pub fn mark_lost(&mut self, osd: i32) {
        let epoch = self.epoch;
        if let Some(s) = self.osds.get_mut(&OsdId(osd)) {
            s.lost_at = epoch;
        }
    }

    /// Marks `osd` full (`CEPH_OSD_FULL`) or not full in this epoch.
    pub fn set_full(&mut self, osd: i32, full: bool) {
        if let Some(s) = self.osds.get_mut(&OsdId(osd)) {
            s.full = full;
        }
    }

    /// Records that the CRUSH bucket `bucket` (a negative id) of type
    /// `bucket_type` holds `osd`, for [`OsdMapView::parent_of_type`].
    pub fn set_crush_parent(&mut self, osd: i32, bucket_type: u32, bucket: i32) {
        self.crush_parents
            .entry(OsdId(osd))
            .or_default()
            .insert(bucket_type, bucket);
    }

    /// Removes `osd` from the map altogether (it no longer exists).
    pub fn remove_osd(&mut self, osd: i32) {
        self.osds.remove(&OsdId(osd));
    }

    fn osd(&self, osd: OsdId) -> Option<&OsdState> {
        self.osds.get(&osd)
    }
}

impl OsdMapView for SimpleOsdMap {
    fn epoch(&self) -> Epoch {
        self.epoch
    }
    fn max_osd(&self) -> i32 {
        self.osds
            .keys()
            .next_back()
            .map_or(0, |o| o.0.saturating_add(1))
    }
    fn exists(&self, osd: OsdId) -> bool {
        self.osds.contains_key(&osd)
    }
    fn is_up(&self, osd: OsdId) -> bool {
        self.osd(osd).is_some_and(|s| s.up)
    }
    fn up_from(&self, osd: OsdId) -> Epoch {
        self.osd(osd).map_or(0, |s| s.up_from)
    }
    fn up_thru(&self, osd: OsdId) -> Epoch {
        self.osd(osd).map_or(0, |s| s.up_thru)
    }
    fn down_at(&self, osd: OsdId) -> Epoch {
        self.osd(osd).map_or(0, |s| s.down_at)
    }
    fn lost_at(&self, osd: OsdId) -> Epoch {
        self.osd(osd).map_or(0, |s| s.lost_at)
    }
    fn dead_epoch(&self, osd: OsdId) -> Epoch {
        self.osd(osd).map_or(0, |s| s.dead_epoch)
    }
    fn flags(&self) -> MapFlags {
        self.flags
    }
    fn pool(&self, pool: PoolId) -> Option<PoolInfo> {
        self.pools.get(&pool).copied()
    }
    fn parent_of_type(&self, osd: OsdId, bucket_type: u32, _crush_rule: i32) -> Option<i32> {
        self.crush_parents
            .get(&osd)
            .and_then(|types| types.get(&bucket_type))
            .copied()
    }
    fn is_full(&self, osd: OsdId) -> bool {
        self.osd(osd).is_some_and(|s| s.full)
    }
}
