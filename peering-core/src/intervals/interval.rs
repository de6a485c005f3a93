//! One PG's mapping in one epoch, and the interval record `check_new_interval`
//! builds from it (`pg_interval_t`).

use crate::types::{Epoch, OsdId, OsdVec};

/// What the OSD map says of one PG in one epoch: the up and acting vectors and their
/// primaries (`pg_to_up_acting_osds`). The inputs of `is_new_interval` come
/// in pairs of these, the old epoch's and the new one's.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UpActing {
    /// The up vector (CRUSH's answer; EC holes are `CRUSH_ITEM_NONE`).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub up: OsdVec,
    /// The up primary (`-1` when none).
    pub up_primary: OsdId,
    /// The acting vector (pg_temp if set, else up).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting: OsdVec,
    /// The acting primary (`-1` when none).
    pub acting_primary: OsdId,
}

impl Default for UpActing {
    /// Mapped nowhere: empty vectors, no primaries.
    fn default() -> Self {
        UpActing {
            up: OsdVec::new(),
            up_primary: OsdId::UNDEF,
            acting: OsdVec::new(),
            acting_primary: OsdId::UNDEF,
        }
    }
}

impl UpActing {
    /// A mapping from plain ids; `up == acting` is the common case.
    pub fn new(up: &[i32], up_primary: i32, acting: &[i32], acting_primary: i32) -> Self {
        UpActing {
            up: osd_vec(up),
            up_primary: OsdId(up_primary),
            acting: osd_vec(acting),
            acting_primary: OsdId(acting_primary),
        }
    }
}

/// Ceph's `pg_interval_t`: one closed interval of a PG's history, the epochs
/// `[first, last]` during which its up and acting sets (and pool parameters)
/// did not change.
///
/// `maybe_went_rw` records whether the PG may have accepted writes during it;
/// only such intervals are kept by the compact `PastIntervals`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgInterval {
    /// The up vector during the interval.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub up: OsdVec,
    /// The acting vector during the interval.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting: OsdVec,
    /// First epoch of the interval.
    pub first: Epoch,
    /// Last epoch of the interval (inclusive).
    pub last: Epoch,
    /// The PG may have gone active and accepted writes in this interval.
    pub maybe_went_rw: bool,
    /// The acting primary (`-1` when none).
    pub primary: OsdId,
    /// The up primary (`-1` when none).
    pub up_primary: OsdId,
}

impl Default for PgInterval {
    /// `pg_interval_t()`: epochs 0, no members, primaries `-1`.
    fn default() -> Self {
        PgInterval {
            up: OsdVec::new(),
            acting: OsdVec::new(),
            first: 0,
            last: 0,
            maybe_went_rw: false,
            primary: OsdId::UNDEF,
            up_primary: OsdId::UNDEF,
        }
    }
}

impl PgInterval {
    /// A `pg_interval_t` from plain ids, arguments in the order of Ceph's
    /// `pg_interval_t(up, acting, first, last, maybe_went_rw, primary, up_primary)`.
    pub fn new(
        up: &[i32],
        acting: &[i32],
        first: Epoch,
        last: Epoch,
        maybe_went_rw: bool,
        primary: i32,
        up_primary: i32,
    ) -> Self {
        PgInterval {
            up: osd_vec(up),
            acting: osd_vec(acting),
            first,
            last,
            maybe_went_rw,
            primary: OsdId(primary),
            up_primary: OsdId(up_primary),
        }
    }
}

/// An up/acting vector from plain ids, for the constructors above that take Ceph's
/// `vector<int>` form.
fn osd_vec(ids: &[i32]) -> OsdVec {
    ids.iter().map(|&o| OsdId(o)).collect()
}
