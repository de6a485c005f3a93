//! up_thru: a primary may not go active in an interval until the monitor
//! has recorded it alive through the interval's start.
//!
//! That record is what later lets `check_new_interval` tell whether the interval
//! may have gone read-write.

use crate::map::OsdMapView;
use crate::types::{Epoch, OsdId};

/// `build_prior`'s step 4: `whoami` must ask the monitor for an up_thru bump when
/// `map`'s up_thru for it is older than `same_interval_since`.
pub fn need_up_thru<M: OsdMapView + ?Sized>(
    map: &M,
    whoami: OsdId,
    same_interval_since: Epoch,
) -> bool {
    map.up_thru(whoami) < same_interval_since
}

/// `adjust_need_up_thru` (on a Peering `AdvMap`): clear `need_up_thru` once `map`
/// records `whoami` up through `same_interval_since`. Returns true when it changed.
pub fn adjust_need_up_thru<M: OsdMapView + ?Sized>(
    need_up_thru: &mut bool,
    map: &M,
    whoami: OsdId,
    same_interval_since: Epoch,
) -> bool {
    if *need_up_thru && map.up_thru(whoami) >= same_interval_since {
        *need_up_thru = false;
        return true;
    }
    false
}
