//! The read-only questions the peering core asks of an OSD map (`OSDMap`).
//!
//! The host owns its maps; the core only asks. [`OsdMapView`] is a trait so that the
//! std crate's full `OsdMap`, a firmware's fixed table and a test's hand-written map
//! can all answer. [`SimpleOsdMap`] is a small in-memory implementation for tests
//! and examples.

mod pool;
mod simple;

pub use pool::{MAX_POOL_PG_NUM, MapFlags, MergeRole, PoolFlags, PoolInfo, PoolKind, StretchRule};
pub use simple::{OsdState, SimpleOsdMap};

use crate::types::{Epoch, OsdId, PoolId};

/// What the peering core reads from one epoch of the OSD map.
///
/// Every question is answered for any id, including ones the map has never heard of:
/// an unknown OSD does not exist, is not up, and has zero epochs, as in Ceph's
/// `OSDMap` (whose getters are only called after `exists`).
pub trait OsdMapView {
    /// The map's epoch.
    fn epoch(&self) -> Epoch;

    /// `get_max_osd()`: one past the highest OSD id the map has room for.
    fn max_osd(&self) -> i32;

    /// `exists(osd)`: the id is allocated in this map.
    fn exists(&self, osd: OsdId) -> bool;

    /// `is_up(osd)`: the OSD exists and is up.
    fn is_up(&self, osd: OsdId) -> bool;

    /// `is_down(osd)`: not up (including "does not exist").
    fn is_down(&self, osd: OsdId) -> bool {
        !self.is_up(osd)
    }

    /// `get_up_from(osd)`: the epoch the OSD last came up.
    fn up_from(&self, osd: OsdId) -> Epoch;

    /// `get_up_thru(osd)`: the newest interval start the monitor has recorded the OSD
    /// as alive through.
    fn up_thru(&self, osd: OsdId) -> Epoch;

    /// `get_down_at(osd)`: the epoch the OSD was last marked down.
    fn down_at(&self, osd: OsdId) -> Epoch;

    /// `get_xinfo(osd).dead_epoch`: the last epoch the OSD was confirmed dead,
    /// not just down (it asked to be marked down and dead, or said it saw
    /// itself marked down); 0 if never.
    fn dead_epoch(&self, osd: OsdId) -> Epoch;

    /// `is_dead(osd)`: the OSD exists and was confirmed dead since it last
    /// came up, so it serves no reads.
    fn is_dead(&self, osd: OsdId) -> bool {
        self.exists(osd) && self.dead_epoch(osd) > self.up_from(osd)
    }

    /// `get_info(osd).lost_at`: the epoch the operator declared the OSD lost (0 if
    /// never).
    fn lost_at(&self, osd: OsdId) -> Epoch;

    /// The map's flags (`CEPH_OSDMAP_*`).
    fn flags(&self) -> MapFlags;

    /// `get_pg_pool(pool)`: the pool's parameters, or `None` if the pool does not exist
    /// in this map.
    fn pool(&self, pool: PoolId) -> Option<PoolInfo>;

    /// `CrushWrapper::get_parent_of_type(osd, bucket_type, crush_rule)`: the
    /// bucket of CRUSH type `bucket_type` that holds `osd`, among the buckets
    /// below `crush_rule`'s `take` steps; `None` when there is none (Ceph's 0),
    /// including for `OsdId::NONE` and unknown OSDs.
    ///
    /// Only stretch pools ask it (`peering_crush_bucket_barrier`): a map without
    /// a CRUSH hierarchy may answer `None`, and its stretch pools then never
    /// span enough buckets to peer. A device-class rule takes shadow buckets
    /// (`dc1~hdd`); answer with the bucket they shadow (`dc1`), as newer Ceph's
    /// `OSDMap::get_osd_zone` does, so that `peering_crush_mandatory_member`
    /// compares against the id the monitor wrote.
    fn parent_of_type(&self, osd: OsdId, bucket_type: u32, crush_rule: i32) -> Option<i32>;

    /// `is_full(osd)`: the OSD's `CEPH_OSD_FULL` state bit, read by `check_full`
    /// before recovery is reserved. A map that does
    /// not track fullness answers `false`.
    fn is_full(&self, osd: OsdId) -> bool {
        let _ = osd;
        false
    }
}

impl<T: OsdMapView + ?Sized> OsdMapView for &T {
    fn epoch(&self) -> Epoch {
        (**self).epoch()
    }
    fn max_osd(&self) -> i32 {
        (**self).max_osd()
    }
    fn exists(&self, osd: OsdId) -> bool {
        (**self).exists(osd)
    }
    fn is_up(&self, osd: OsdId) -> bool {
        (**self).is_up(osd)
    }
    fn is_down(&self, osd: OsdId) -> bool {
        (**self).is_down(osd)
    }
    fn up_from(&self, osd: OsdId) -> Epoch {
        (**self).up_from(osd)
    }
    fn up_thru(&self, osd: OsdId) -> Epoch {
        (**self).up_thru(osd)
    }
    fn down_at(&self, osd: OsdId) -> Epoch {
        (**self).down_at(osd)
    }
    fn lost_at(&self, osd: OsdId) -> Epoch {
        (**self).lost_at(osd)
    }
    fn dead_epoch(&self, osd: OsdId) -> Epoch {
        (**self).dead_epoch(osd)
    }
    fn is_dead(&self, osd: OsdId) -> bool {
        (**self).is_dead(osd)
    }
    fn flags(&self) -> MapFlags {
        (**self).flags()
    }
    fn pool(&self, pool: PoolId) -> Option<PoolInfo> {
        (**self).pool(pool)
    }
    fn parent_of_type(&self, osd: OsdId, bucket_type: u32, crush_rule: i32) -> Option<i32> {
        (**self).parent_of_type(osd, bucket_type, crush_rule)
    }
    fn is_full(&self, osd: OsdId) -> bool {
        (**self).is_full(osd)
    }
}
