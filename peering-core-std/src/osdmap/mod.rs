//! The OSD map, its incrementals, placement pipeline and PG math.
//!
//! - [`OsdMap`]: one epoch of the map; implements the core's
//!   [`OsdMapView`](peering_core::map::OsdMapView).
//! - [`Incremental`]: the change to the next epoch, applied all or nothing.
//! - [`OsdMapCache`]: recent epochs, sharing what did not change.
//! - Placement: [`OsdMap::pg_to_up_acting_osds`] runs raw CRUSH → upmap → up →
//!   primary affinity → pg_temp / primary_temp; [`OsdMap::object_to_pg`] maps an
//!   object name to its PG; [`calc_pg_role`] and friends read roles off the sets.
//! - [`pg_math`]: Ceph's PG arithmetic, re-exported from the core.
//! - [`binary`]: Ceph's binary OSDMap and incremental encodings.

mod apply;
pub mod binary;
mod build;
mod cache;
mod clean_temps;
mod crush_rules;
mod error;
mod filter_log;
mod incremental;
mod map;
mod object;
mod osd;
mod placement;
mod pool;
mod roles;

pub use cache::OsdMapCache;
pub use crush_rules::{CrushHandle, CrushRules};
pub use error::OsdMapError;
pub use incremental::Incremental;
pub use map::{OsdMap, UpmapItems};
pub use object::{ObjectLocator, hash_key};
pub use osd::{
    DEFAULT_PRIMARY_AFFINITY, OSD_AUTOOUT, OSD_DESTROYED, OSD_EXISTS, OSD_NEW, OSD_UP, OsdInfo,
    OsdXinfo, WEIGHT_IN, WEIGHT_OUT,
};
pub use peering_core::types::pg_math;
pub use placement::{UpActing, pick_primary, raw_pg_to_pps};
pub use pool::validate_pool;
pub use roles::calc_pg_role;
