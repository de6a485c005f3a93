//! Stretch pools: where each OSD sits in the CRUSH hierarchy, and
//! `pg_pool_t::stretch_set_can_peer`.
//!
//! A stretch pool (`peering_crush_bucket_count != 0`) must keep its acting set
//! spread over at least `bucket_count` CRUSH buckets of the barrier type (sites,
//! datacenters), including the mandatory one when the monitor names it. The
//! core has no CRUSH map: the host answers "which bucket of type T holds this
//! OSD" through [`OsdMapView::parent_of_type`](crate::map::OsdMapView::parent_of_type),
//! and [`StretchBuckets`] keeps those answers as a plain value for the pure
//! acting-set functions.

use alloc::collections::BTreeMap;

use smallvec::SmallVec;

use crate::map::{OsdMapView, PoolInfo};
use crate::types::OsdId;

/// The bucket of the pool's barrier type holding each OSD
/// (`CrushWrapper::get_parent_of_type(osd, peering_crush_bucket_barrier,
/// crush_rule)`), for the OSDs an acting-set choice may name. An OSD absent
/// from the table is in no such bucket.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StretchBuckets {
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    buckets: BTreeMap<OsdId, i32>,
}

impl StretchBuckets {
    /// An empty table: every OSD is in no bucket.
    pub fn new() -> Self {
        StretchBuckets::default()
    }

    /// Asks `map` for the barrier bucket of each of `osds` (holes and duplicates
    /// are skipped). Empty for a pool that is not a stretch pool: nothing reads it.
    pub fn from_map<I>(map: &dyn OsdMapView, pool: &PoolInfo, osds: I) -> Self
    where
        I: IntoIterator<Item = OsdId>,
    {
        let mut table = StretchBuckets::new();
        let Some(rule) = pool.stretch_rule() else {
            return table;
        };
        for osd in osds {
            if !osd.is_valid() || table.buckets.contains_key(&osd) {
                continue;
            }
            if let Some(bucket) = map.parent_of_type(osd, rule.bucket_barrier, pool.crush_rule) {
                table.buckets.insert(osd, bucket);
            }
        }
        table
    }

    /// Records that `bucket` holds `osd`.
    pub fn insert(&mut self, osd: OsdId, bucket: i32) {
        self.buckets.insert(osd, bucket);
    }

    /// The barrier bucket holding `osd`, if any.
    pub fn bucket_of(&self, osd: OsdId) -> Option<i32> {
        self.buckets.get(&osd).copied()
    }
}

/// `pg_pool_t::stretch_set_can_peer`: true unless `pool` is a stretch pool whose
/// constraint `osds` does not meet — fewer than `peering_crush_bucket_count`
/// distinct barrier buckets, or the mandatory bucket missing.
///
/// `bucket_of` answers `get_parent_of_type` for one OSD. An OSD in no bucket
/// counts as Ceph counts it, in the pseudo-bucket 0 (what `get_parent_of_type`
/// answers for it), as the acting-set choices group it. Holes
/// (`CRUSH_ITEM_NONE`, in erasure-coded vectors) count for nothing: Ceph 16's
/// loop would count them as bucket 0 too, which newer Ceph's tests rule out (an
/// EC acting set `[0, 1, 2, NONE, NONE, NONE]` with every real member in one
/// site cannot peer across two). No allocation: the distinct buckets are
/// collected inline.
pub fn stretch_set_can_peer<F>(pool: &PoolInfo, osds: &[OsdId], bucket_of: F) -> bool
where
    F: Fn(OsdId) -> Option<i32>,
{
    let Some(rule) = pool.stretch_rule() else {
        return true;
    };
    let mut ancestors: SmallVec<[i32; 8]> = SmallVec::new();
    for &osd in osds.iter().filter(|o| o.is_valid()) {
        let bucket = bucket_of(osd).unwrap_or(0);
        if !ancestors.contains(&bucket) {
            ancestors.push(bucket);
        }
    }
    let spanned = u32::try_from(ancestors.len()).unwrap_or(u32::MAX);
    if spanned < rule.bucket_count {
        return false;
    }
    match rule.mandatory_bucket() {
        Some(member) => ancestors.contains(&member),
        None => true,
    }
}

/// [`stretch_set_can_peer`] with the answers of `map`.
pub fn stretch_set_can_peer_in(pool: &PoolInfo, osds: &[OsdId], map: &dyn OsdMapView) -> bool {
    let Some(rule) = pool.stretch_rule() else {
        return true;
    };
    stretch_set_can_peer(pool, osds, |osd| {
        map.parent_of_type(osd, rule.bucket_barrier, pool.crush_rule)
    })
}
