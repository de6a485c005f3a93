//! [`OsdMap`]: one epoch of Ceph's OSD map.

use std::collections::BTreeMap;
use std::sync::Arc;

use peering_core::machine::MergeMeta;
use peering_core::map::{MapFlags, OsdMapView, PoolInfo};
use peering_core::types::{Epoch, OsdId, OsdVec, PgId, PoolId};

use super::crush_rules::CrushHandle;
use super::error::OsdMapError;
use super::osd::{DEFAULT_PRIMARY_AFFINITY, OSD_EXISTS, OSD_FULL, OSD_UP, OsdInfo, OsdXinfo};

/// `pg_upmap_items` entries: `(from, to)` pairs replacing one OSD of the raw set.
pub type UpmapItems = Vec<(OsdId, OsdId)>;

/// One epoch of Ceph's `OSDMap`: flags, per-OSD state, pools, the temporary and
/// explicit mappings, and the CRUSH map.
///
/// Per-OSD arrays are sized `max_osd`, as in Ceph. Pools, the mapping tables and
/// the CRUSH map sit behind `Arc`s: an incremental that does not touch them shares
/// them with the previous epoch instead of copying them (the map cache keeps
/// many epochs alive at once). A map only changes by applying an
/// [`Incremental`](super::Incremental), which is all-or-nothing.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct OsdMap {
    pub(super) epoch: Epoch,
    pub(super) flags: MapFlags,
    pub(super) max_osd: i32,
    pub(super) osd_state: Vec<u32>,
    pub(super) osd_weight: Vec<u32>,
    pub(super) osd_info: Vec<OsdInfo>,
    pub(super) osd_xinfo: Vec<OsdXinfo>,
    pub(super) osd_primary_affinity: Vec<u32>,
    pub(super) pools: Arc<BTreeMap<PoolId, PoolInfo>>,
    pub(super) pg_temp: Arc<BTreeMap<PgId, OsdVec>>,
    pub(super) primary_temp: Arc<BTreeMap<PgId, OsdId>>,
    pub(super) pg_upmap: Arc<BTreeMap<PgId, OsdVec>>,
    pub(super) pg_upmap_items: Arc<BTreeMap<PgId, UpmapItems>>,
    pub(super) crush: Option<CrushHandle>,
    /// Each pool's `last_pg_merge_meta` (only pools that merged).
    pub(super) merge_meta: BTreeMap<PoolId, MergeMeta>,
    /// Pacific's `find_rule` mask check in placement (see
    /// [`OsdMap::checks_rule_mask`]).
    pub(super) check_rule_mask: bool,
}

impl OsdMap {
    /// The most OSD ids a map accepts (`new_max_osd` beyond it is refused), so that
    /// a hostile incremental cannot make the map allocate without bound.
    pub const MAX_OSD_LIMIT: i32 = 1 << 20;

    /// An empty map at epoch 0: no OSDs, no pools, no CRUSH map. The first
    /// incremental (epoch 1) populates it, as the monitor's first map does.
    pub fn new() -> Self {
        OsdMap::default()
    }

    /// Index of `osd` in the per-OSD arrays, if `0 <= osd < max_osd` (Ceph's
    /// `exists()` / `get_state()` bounds check).
    pub(super) fn slot(&self, osd: OsdId) -> Option<usize> {
        if osd.0 < 0 || osd.0 >= self.max_osd {
            return None;
        }
        usize::try_from(osd.0).ok()
    }

    /// `get_state(osd)`: the `CEPH_OSD_*` bits (0 for ids outside the map).
    pub fn osd_state(&self, osd: OsdId) -> u32 {
        self.slot(osd)
            .and_then(|i| self.osd_state.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// `get_weight(osd)`: the 16.16 in/out weight (`0x10000` in, 0 out).
    pub fn weight(&self, osd: OsdId) -> u32 {
        self.slot(osd)
            .and_then(|i| self.osd_weight.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// `is_in(osd)`: exists with a nonzero weight.
    pub fn is_in(&self, osd: OsdId) -> bool {
        self.exists(osd) && self.weight(osd) != 0
    }

    /// `is_out(osd)`: not in.
    pub fn is_out(&self, osd: OsdId) -> bool {
        !self.is_in(osd)
    }

    /// `get_primary_affinity(osd)` (`0x10000` by default).
    pub fn primary_affinity(&self, osd: OsdId) -> u32 {
        self.slot(osd)
            .and_then(|i| self.osd_primary_affinity.get(i))
            .copied()
            .unwrap_or(DEFAULT_PRIMARY_AFFINITY)
    }

    /// `get_info(osd)`: the OSD's recorded epochs (default for ids outside the map).
    pub fn osd_info(&self, osd: OsdId) -> OsdInfo {
        self.slot(osd)
            .and_then(|i| self.osd_info.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// `get_xinfo(osd)` (default for ids outside the map).
    pub fn osd_xinfo(&self, osd: OsdId) -> OsdXinfo {
        self.slot(osd)
            .and_then(|i| self.osd_xinfo.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// The 16.16 weight of every OSD id, indexed by id: the vector CRUSH reads.
    pub fn weights(&self) -> &[u32] {
        &self.osd_weight
    }

    /// Every existing OSD id, ascending.
    pub fn existing_osds(&self) -> impl Iterator<Item = OsdId> + '_ {
        (0..self.max_osd)
            .map(OsdId)
            .filter(move |o| self.exists(*o))
    }

    /// `get_num_up_osds()`.
    pub fn num_up_osds(&self) -> usize {
        self.existing_osds().filter(|o| self.is_up(*o)).count()
    }

    /// `get_num_in_osds()`.
    pub fn num_in_osds(&self) -> usize {
        self.existing_osds().filter(|o| self.is_in(*o)).count()
    }

    /// Every pool, by id.
    pub fn pools(&self) -> &BTreeMap<PoolId, PoolInfo> {
        &self.pools
    }

    /// `get_pg_pool(pool)`, or [`OsdMapError::UnknownPool`] where Ceph would
    /// assert the pool exists.
    pub(super) fn pool_or_err(&self, pool: PoolId) -> Result<&PoolInfo, OsdMapError> {
        self.pools.get(&pool).ok_or(OsdMapError::UnknownPool(pool))
    }

    /// `get_pg_pool(pool)` by reference.
    pub fn pg_pool(&self, pool: PoolId) -> Option<&PoolInfo> {
        self.pools.get(&pool)
    }

    /// `pg_pool_t::last_pg_merge_meta`: what the monitor recorded of the
    /// pool's last merge (the default, recording nothing, if it never merged).
    pub fn last_pg_merge_meta(&self, pool: PoolId) -> MergeMeta {
        self.merge_meta.get(&pool).copied().unwrap_or_default()
    }

    /// `pg_temp`: acting-set overrides, by PG.
    pub fn pg_temp(&self) -> &BTreeMap<PgId, OsdVec> {
        &self.pg_temp
    }

    /// `primary_temp`: acting-primary overrides, by PG.
    pub fn primary_temp(&self) -> &BTreeMap<PgId, OsdId> {
        &self.primary_temp
    }

    /// `pg_upmap`: explicit raw mappings, by PG.
    pub fn pg_upmap(&self) -> &BTreeMap<PgId, OsdVec> {
        &self.pg_upmap
    }

    /// `pg_upmap_items`: `(from, to)` replacements in the raw mapping, by PG.
    pub fn pg_upmap_items(&self) -> &BTreeMap<PgId, UpmapItems> {
        &self.pg_upmap_items
    }

    /// The CRUSH map, if the map has one yet.
    pub fn crush(&self) -> Option<&CrushHandle> {
        self.crush.as_ref()
    }

    /// Whether placement checks the pool's CRUSH rule against the pool's type
    /// and size first, as Ceph up to Pacific does (`find_rule` on the rule
    /// mask): a mismatched rule maps the PG to nothing. Quincy removed the
    /// mask; maps built here do not check, and a decoded map checks when its
    /// `require_osd_release` is older than Quincy. In a map the monitor
    /// validated the two agree: it refuses a pool whose rule does not fit.
    pub fn checks_rule_mask(&self) -> bool {
        self.check_rule_mask
    }

    /// Turns the rule-mask check on or off (see [`OsdMap::checks_rule_mask`]).
    pub fn set_check_rule_mask(&mut self, check: bool) {
        self.check_rule_mask = check;
    }

    /// True when `other` shares this map's pool table (no copy was made).
    pub fn shares_pools_with(&self, other: &OsdMap) -> bool {
        Arc::ptr_eq(&self.pools, &other.pools)
    }
}

impl OsdMapView for OsdMap {
    fn epoch(&self) -> Epoch {
        self.epoch
    }
    fn max_osd(&self) -> i32 {
        self.max_osd
    }
    fn exists(&self, osd: OsdId) -> bool {
        self.osd_state(osd) & OSD_EXISTS != 0
    }
    fn is_up(&self, osd: OsdId) -> bool {
        self.exists(osd) && self.osd_state(osd) & OSD_UP != 0
    }
    fn up_from(&self, osd: OsdId) -> Epoch {
        self.osd_info(osd).up_from
    }
    fn up_thru(&self, osd: OsdId) -> Epoch {
        self.osd_info(osd).up_thru
    }
    fn down_at(&self, osd: OsdId) -> Epoch {
        self.osd_info(osd).down_at
    }
    fn lost_at(&self, osd: OsdId) -> Epoch {
        self.osd_info(osd).lost_at
    }
    fn dead_epoch(&self, osd: OsdId) -> Epoch {
        self.osd_xinfo(osd).dead_epoch
    }
    fn flags(&self) -> MapFlags {
        self.flags
    }
    fn pool(&self, pool: PoolId) -> Option<PoolInfo> {
        self.pools.get(&pool).copied()
    }
    fn parent_of_type(&self, osd: OsdId, bucket_type: u32, crush_rule: i32) -> Option<i32> {
        if !osd.is_valid() {
            return None;
        }
        let type_id = i32::try_from(bucket_type).ok()?;
        self.crush
            .as_ref()?
            .rules()
            .parent_of_type(osd.0, type_id, crush_rule)
    }
    fn is_full(&self, osd: OsdId) -> bool {
        self.exists(osd) && self.osd_state(osd) & OSD_FULL != 0
    }
}
