//! Ceph's binary OSDMap and `OSDMap::Incremental` (what `ceph osd getmap`,
//! `osdmaptool` and the monitor's store hold), read into this crate's
//! [`OsdMap`](super::OsdMap).
//!
//! - [`decode_osdmap`] → [`DecodedOsdMap`]: the placement-ready map, its CRUSH
//!   map, and every other field `osdmaptool --print` shows
//!   ([`DecodedOsdMap::print`]).
//! - [`decode_incremental`] → [`DecodedIncremental`], applied with
//!   [`DecodedOsdMap::apply_incremental`] as the monitor's next epoch.
//!
//! The layouts are `OSDMap::encode` / `decode` from Luminous on (wrapper v8,
//! client section v9 in Pacific, v10 in Reef; OSD section v10 in Pacific,
//! v12 in Squid), `pg_pool_t` v5–v31. The input is untrusted: every error is an
//! [`OsdMapDecodeError`] with the byte offset where it was found, nothing
//! panics, counts are checked against the bytes left before anything is
//! allocated, and the stored CRC32C is verified. A struct whose `compat`
//! version is newer than this decoder knows is refused with
//! [`OsdMapDecodeErrorKind::UnsupportedVersion`] naming it; a newer version
//! with an old `compat` is read up to the fields known here and the rest
//! skipped, which is Ceph's own rule. Reef's `pg_upmap_primaries` changes
//! placement and is not modelled: a map or incremental that sets it is refused.

mod apply;
mod common;
mod crc;
mod error;
mod full;
mod incremental;
mod number;
mod pool;
mod pool_print;
mod print;
mod reader;
mod release;
mod tool;

pub use common::{AddrVec, EntityAddr, SnapIntervals, SockAddr, Utime, Uuid};
pub use crc::ceph_crc32c;
pub use error::{OsdMapDecodeError, OsdMapDecodeErrorKind};
pub use full::{DecodedOsdMap, EcProfiles, OsdRecord, StretchMode, decode_osdmap};
pub use incremental::{DecodedIncremental, decode_incremental};
pub use number::{div_x86, fmt_g};
pub use pool::{
    HitSetParams, POOL_TYPE_ERASURE, POOL_TYPE_REPLICATED, PoolOpt, PoolRecord, PoolSnap,
    STR_HASH_LINUX, STR_HASH_RJENKINS,
};
pub use print::{map_flag_string, osd_state_names};
pub use release::{release_from_name, release_name};
