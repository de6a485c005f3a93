//! Per-OSD state in the map: `CEPH_OSD_*` state bits and `osd_info_t`.

use peering_core::types::Epoch;
use serde::{Deserialize, Serialize};

/// `CEPH_OSD_EXISTS`: the id is allocated.
pub const OSD_EXISTS: u32 = 1 << 0;
/// `CEPH_OSD_UP`: the OSD is up.
pub const OSD_UP: u32 = 1 << 1;
/// `CEPH_OSD_AUTOOUT`: marked out by the monitor's down-out timer.
pub const OSD_AUTOOUT: u32 = 1 << 2;
/// `CEPH_OSD_NEW`: created and never marked in.
pub const OSD_NEW: u32 = 1 << 3;
/// `CEPH_OSD_FULL`: the OSD is full (recovery into it waits).
pub const OSD_FULL: u32 = 1 << 4;
/// `CEPH_OSD_DESTROYED`: its data is gone; the id awaits reuse.
pub const OSD_DESTROYED: u32 = 1 << 7;

/// `CEPH_OSD_IN`: a 16.16 weight of one, fully in.
pub const WEIGHT_IN: u32 = 0x10000;
/// `CEPH_OSD_OUT`: weight zero.
pub const WEIGHT_OUT: u32 = 0;
/// `CEPH_OSD_DEFAULT_PRIMARY_AFFINITY` (= `CEPH_OSD_MAX_PRIMARY_AFFINITY`).
pub const DEFAULT_PRIMARY_AFFINITY: u32 = 0x10000;

/// What peering reads of Ceph's `osd_xinfo_t` (the monitor's extended
/// per-OSD record; its laggy statistics are not kept).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug, Serialize, Deserialize)]
pub struct OsdXinfo {
    /// `dead_epoch` (Octopus+): the last epoch the OSD was confirmed dead, not
    /// just down (`MOSDMarkMeDead`, a shutdown's `MOSDMarkMeDown` with
    /// `down_and_dead`); `OSDMap::is_dead` compares it with `up_from`.
    pub dead_epoch: Epoch,
}

/// Ceph's `osd_info_t`: the epochs the monitor records about one OSD.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug, Serialize, Deserialize)]
pub struct OsdInfo {
    /// `last_clean_begin`: start of the last interval the OSD ended cleanly.
    pub last_clean_begin: Epoch,
    /// `last_clean_end`: end of that interval.
    pub last_clean_end: Epoch,
    /// `up_from`: the epoch the OSD was last marked up.
    pub up_from: Epoch,
    /// `up_thru`: the newest interval start recorded alive through (`MOSDAlive`).
    pub up_thru: Epoch,
    /// `down_at`: the epoch the OSD was last marked down.
    pub down_at: Epoch,
    /// `lost_at`: the epoch the operator declared it lost (0 if never).
    pub lost_at: Epoch,
}
