//! Building a first map (`OSDMap::build_simple`).

use peering_core::map::{MapFlags, PoolInfo};

use super::crush_rules::CrushHandle;
use super::error::OsdMapError;
use super::incremental::Incremental;
use super::map::OsdMap;

impl OsdMap {
    /// Epoch 1 of a new cluster, as `build_simple` and the first OSD boots make it:
    /// OSDs `0..num_osd` exist, are up and in; flags `SORTBITWISE` and
    /// `RECOVERY_DELETES` (every modern cluster has them); the given pools (each
    /// checked as an incremental would check it) and CRUSH map.
    pub fn build_simple(
        num_osd: i32,
        pools: impl IntoIterator<Item = PoolInfo>,
        crush: Option<CrushHandle>,
    ) -> Result<OsdMap, OsdMapError> {
        let mut inc = Incremental::new(1);
        inc.new_flags = Some(MapFlags::SORTBITWISE.with(MapFlags::RECOVERY_DELETES));
        inc.new_max_osd = Some(num_osd);
        for osd in 0..num_osd {
            inc.add_osd(osd, num_osd);
        }
        for pool in pools {
            inc.set_pool(pool);
        }
        inc.new_crush = crush;
        OsdMap::new().with_incremental(&inc)
    }
}
