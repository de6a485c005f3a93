//! [`decode_incremental`]: `OSDMap::Incremental::decode` on untrusted bytes.

use std::collections::{BTreeMap, BTreeSet};

use peering_core::types::{OsdVec, PgId, PoolId};

use crate::crush::{CrushMap, decode_crush};

use super::super::OsdXinfo;
use super::super::map::UpmapItems;
use super::common::{
    AddrVec, EntityAddr, PG_SIZE, SnapIntervals, Utime, Uuid, decode_osd_xinfo, decode_pg,
    decode_pool_intervals,
};
use super::crc::{check_crc, crc32c};
use super::error::{OsdMapDecodeError, OsdMapDecodeErrorKind as Kind};
use super::full::{
    EcProfiles, decode_blocklist, decode_i32_u32_map, decode_osds, decode_pairs, decode_profiles,
};
use super::pool::PoolRecord;
use super::reader::Reader;

type Result<T> = core::result::Result<T, OsdMapDecodeError>;

/// An `OSDMap::Incremental` decoded from Ceph's binary encoding (what the
/// monitor publishes and `ceph-monstore-tool` extracts): every change, with
/// Ceph's "unchanged" sentinels (`-1`, negative ratios, release 0) kept.
#[derive(Clone, Debug, Default)]
pub struct DecodedIncremental {
    /// `fsid`.
    pub fsid: Uuid,
    /// `epoch`: the epoch this incremental builds.
    pub epoch: u32,
    /// `modified`.
    pub modified: Utime,
    /// `new_pool_max` (-1: unchanged).
    pub new_pool_max: i64,
    /// `new_flags` (-1: unchanged).
    pub new_flags: i32,
    /// `fullmap`: a whole map replacing the previous one, when not empty.
    pub fullmap: Vec<u8>,
    /// `crush`: a whole new CRUSH map.
    pub crush: Option<CrushMap>,
    /// `new_max_osd` (-1: unchanged).
    pub new_max_osd: i32,
    /// `new_pools`.
    pub new_pools: BTreeMap<PoolId, PoolRecord>,
    /// `new_pool_names`.
    pub new_pool_names: BTreeMap<PoolId, String>,
    /// `old_pools`.
    pub old_pools: BTreeSet<PoolId>,
    /// `new_up_client`: OSDs marked up, with their public addresses.
    pub new_up_client: BTreeMap<i32, AddrVec>,
    /// `new_state`: XOR masks (0 means `UP`).
    pub new_state: BTreeMap<i32, u32>,
    /// `new_weight`.
    pub new_weight: BTreeMap<i32, u32>,
    /// `new_pg_temp` (empty: erase).
    pub new_pg_temp: BTreeMap<PgId, OsdVec>,
    /// `new_primary_temp` (-1: erase).
    pub new_primary_temp: BTreeMap<PgId, i32>,
    /// `new_primary_affinity`.
    pub new_primary_affinity: BTreeMap<i32, u32>,
    /// `new_erasure_code_profiles`.
    pub new_erasure_code_profiles: EcProfiles,
    /// `old_erasure_code_profiles`.
    pub old_erasure_code_profiles: Vec<String>,
    /// `new_pg_upmap`.
    pub new_pg_upmap: BTreeMap<PgId, OsdVec>,
    /// `old_pg_upmap`.
    pub old_pg_upmap: BTreeSet<PgId>,
    /// `new_pg_upmap_items`.
    pub new_pg_upmap_items: BTreeMap<PgId, UpmapItems>,
    /// `old_pg_upmap_items`.
    pub old_pg_upmap_items: BTreeSet<PgId>,
    /// `new_removed_snaps`.
    pub new_removed_snaps: BTreeMap<i64, SnapIntervals>,
    /// `new_purged_snaps`.
    pub new_purged_snaps: BTreeMap<i64, SnapIntervals>,
    /// `new_last_up_change`.
    pub new_last_up_change: Utime,
    /// `new_last_in_change`.
    pub new_last_in_change: Utime,
    /// `new_pg_upmap_primary` (Reef+).
    pub new_pg_upmap_primary: BTreeMap<PgId, i32>,
    /// `old_pg_upmap_primary` (Reef+).
    pub old_pg_upmap_primary: BTreeSet<PgId>,
    /// `new_hb_back_up`.
    pub new_hb_back_up: BTreeMap<i32, AddrVec>,
    /// `new_up_thru`.
    pub new_up_thru: BTreeMap<i32, u32>,
    /// `new_last_clean_interval`.
    pub new_last_clean_interval: BTreeMap<i32, (u32, u32)>,
    /// `new_lost`.
    pub new_lost: BTreeMap<i32, u32>,
    /// `new_blocklist`.
    pub new_blocklist: Vec<(EntityAddr, Utime)>,
    /// `old_blocklist`.
    pub old_blocklist: Vec<EntityAddr>,
    /// `new_up_cluster`.
    pub new_up_cluster: BTreeMap<i32, AddrVec>,
    /// `cluster_snapshot`.
    pub cluster_snapshot: String,
    /// `new_uuid`.
    pub new_uuid: BTreeMap<i32, Uuid>,
    /// `new_xinfo`: the OSDs' new `osd_xinfo_t` (`dead_epoch`; the laggy
    /// statistics are not kept).
    pub new_xinfo: BTreeMap<i32, OsdXinfo>,
    /// `new_hb_front_up`.
    pub new_hb_front_up: BTreeMap<i32, AddrVec>,
    /// `encode_features`.
    pub encode_features: u64,
    /// `new_nearfull_ratio` (negative: unchanged).
    pub new_nearfull_ratio: f32,
    /// `new_full_ratio` (negative: unchanged).
    pub new_full_ratio: f32,
    /// `new_backfillfull_ratio` (negative: unchanged).
    pub new_backfillfull_ratio: f32,
    /// `new_require_min_compat_client`.
    pub new_require_min_compat_client: u8,
    /// `new_require_osd_release`.
    pub new_require_osd_release: u8,
    /// `new_crush_node_flags` (0: erase).
    pub new_crush_node_flags: BTreeMap<i32, u32>,
    /// `new_device_class_flags` (0: erase).
    pub new_device_class_flags: BTreeMap<i32, u32>,
    /// `change_stretch_mode`: the stretch fields below apply.
    pub change_stretch_mode: bool,
    /// `new_stretch_bucket_count`.
    pub new_stretch_bucket_count: u32,
    /// `new_degraded_stretch_mode`.
    pub new_degraded_stretch_mode: u32,
    /// `new_recovering_stretch_mode`.
    pub new_recovering_stretch_mode: u32,
    /// `new_stretch_mode_bucket`.
    pub new_stretch_mode_bucket: i32,
    /// `stretch_mode_enabled`.
    pub stretch_mode_enabled: bool,
    /// `new_range_blocklist`.
    pub new_range_blocklist: Vec<(EntityAddr, Utime)>,
    /// `old_range_blocklist`.
    pub old_range_blocklist: Vec<EntityAddr>,
    /// `mutate_allow_crimson` (0 none, 1 set, 2 clear).
    pub mutate_allow_crimson: u8,
    /// `inc_crc` (checked on decode).
    pub inc_crc: u32,
    /// `full_crc`: the CRC of the full map this incremental builds.
    pub full_crc: u32,
}

impl DecodedIncremental {
    /// An incremental building `epoch` that changes nothing: Ceph's
    /// `Incremental(epoch)` with its "unchanged" sentinels.
    pub fn new(epoch: u32) -> Self {
        DecodedIncremental {
            epoch,
            new_pool_max: -1,
            new_flags: -1,
            new_max_osd: -1,
            new_nearfull_ratio: -1.0,
            new_full_ratio: -1.0,
            new_backfillfull_ratio: -1.0,
            new_require_min_compat_client: RELEASE_UNCHANGED,
            new_require_osd_release: RELEASE_UNCHANGED,
            ..DecodedIncremental::default()
        }
    }
}

/// "No change" for the release fields (`ceph_release_t{0xff}` in Squid;
/// Pacific's monitor writes 0 for "unknown", which also means no change).
pub(super) const RELEASE_UNCHANGED: u8 = 0xff;

/// Decodes a binary `OSDMap::Incremental`: the wrapper (v7–8), the client
/// section (up to v9) and the OSD section (up to v12), as Ceph's decoder does,
/// with its CRC checked. Bounds as [`decode_osdmap`](super::decode_osdmap).
pub fn decode_incremental(bytes: &[u8]) -> Result<DecodedIncremental> {
    let mut r = Reader::new(bytes);
    let wrapper = r.start_legacy("OSDMap::Incremental", 8, 7)?;
    let mut inc = DecodedIncremental::default();

    let client = r.start("OSDMap::Incremental client data", 9)?;
    let cv = client.version;
    inc.fsid = Uuid::decode(&mut r)?;
    inc.epoch = r.u32("epoch")?;
    inc.modified = Utime::decode(&mut r)?;
    inc.new_pool_max = r.i64("new_pool_max")?;
    inc.new_flags = r.i32("new_flags")?;
    inc.fullmap = r.blob("fullmap")?.to_vec();
    let crush_at = r.offset();
    let crush = r.blob("crush")?;
    if !crush.is_empty() {
        inc.crush =
            Some(decode_crush(crush).map_err(|e| r.error_at(crush_at + 4, Kind::Crush(e)))?);
    }
    inc.new_max_osd = r.i32("new_max_osd")?;
    inc.new_pools = r.map("new_pools", 14, |r| {
        Ok((r.i64("pool id")?, PoolRecord::decode(r)?))
    })?;
    inc.new_pool_names = r.map("new_pool_names", 12, |r| {
        Ok((r.i64("pool id")?, r.string("pool name")?))
    })?;
    inc.old_pools = r
        .vec("old_pools", 8, |r| r.i64("pool id"))?
        .into_iter()
        .collect();
    inc.new_up_client = r.map("new_up_client", 5, |r| {
        Ok((r.i32("osd")?, AddrVec::decode(r)?))
    })?;
    inc.new_state = if cv >= 5 {
        decode_i32_u32_map(&mut r, "new_state")?
    } else {
        r.map("new_state", 5, |r| {
            Ok((r.i32("osd")?, u32::from(r.u8("state")?)))
        })?
    };
    inc.new_weight = decode_i32_u32_map(&mut r, "new_weight")?;
    inc.new_pg_temp = r.map("new_pg_temp", PG_SIZE + 4, |r| {
        Ok((decode_pg(r)?, decode_osds(r)?))
    })?;
    inc.new_primary_temp = r.map("new_primary_temp", PG_SIZE + 4, |r| {
        Ok((decode_pg(r)?, r.i32("primary")?))
    })?;
    if cv >= 2 {
        inc.new_primary_affinity = decode_i32_u32_map(&mut r, "new_primary_affinity")?;
    }
    if cv >= 3 {
        inc.new_erasure_code_profiles = decode_profiles(&mut r)?;
        inc.old_erasure_code_profiles =
            r.vec("old_erasure_code_profiles", 4, |r| r.string("profile name"))?;
    }
    if cv >= 4 {
        inc.new_pg_upmap = r.map("new_pg_upmap", PG_SIZE + 4, |r| {
            Ok((decode_pg(r)?, decode_osds(r)?))
        })?;
        inc.old_pg_upmap = r
            .vec("old_pg_upmap", PG_SIZE, decode_pg)?
            .into_iter()
            .collect();
        inc.new_pg_upmap_items = r.map("new_pg_upmap_items", PG_SIZE + 4, |r| {
            Ok((decode_pg(r)?, decode_pairs(r)?))
        })?;
        inc.old_pg_upmap_items = r
            .vec("old_pg_upmap_items", PG_SIZE, decode_pg)?
            .into_iter()
            .collect();
    }
    if cv >= 6 {
        inc.new_removed_snaps = decode_pool_intervals(&mut r)?;
        inc.new_purged_snaps = decode_pool_intervals(&mut r)?;
    }
    if cv >= 8 {
        inc.new_last_up_change = Utime::decode(&mut r)?;
        inc.new_last_in_change = Utime::decode(&mut r)?;
    }
    if cv >= 9 {
        inc.new_pg_upmap_primary = r.map("new_pg_upmap_primary", PG_SIZE + 4, |r| {
            Ok((decode_pg(r)?, r.i32("primary")?))
        })?;
        inc.old_pg_upmap_primary = r
            .vec("old_pg_upmap_primary", PG_SIZE, decode_pg)?
            .into_iter()
            .collect();
    }
    r.finish(client)?;

    let osd = r.start("OSDMap::Incremental osd-only data", 12)?;
    let ov = osd.version;
    inc.new_hb_back_up = addr_map(&mut r, "new_hb_back_up")?;
    inc.new_up_thru = decode_i32_u32_map(&mut r, "new_up_thru")?;
    inc.new_last_clean_interval = r.map("new_last_clean_interval", 12, |r| {
        Ok((r.i32("osd")?, (r.u32("begin")?, r.u32("end")?)))
    })?;
    inc.new_lost = decode_i32_u32_map(&mut r, "new_lost")?;
    inc.new_blocklist = decode_blocklist(&mut r)?;
    inc.old_blocklist = r.vec("old_blocklist", 2, EntityAddr::decode)?;
    inc.new_up_cluster = addr_map(&mut r, "new_up_cluster")?;
    inc.cluster_snapshot = r.string("cluster_snapshot")?;
    inc.new_uuid = r.map("new_uuid", 20, |r| Ok((r.i32("osd")?, Uuid::decode(r)?)))?;
    inc.new_xinfo = r.map("new_xinfo", 10, |r| {
        Ok((r.i32("osd")?, decode_osd_xinfo(r)?))
    })?;
    inc.new_hb_front_up = addr_map(&mut r, "new_hb_front_up")?;
    if ov >= 2 {
        inc.encode_features = r.u64("encode_features")?;
    }
    inc.new_nearfull_ratio = -1.0;
    inc.new_full_ratio = -1.0;
    inc.new_backfillfull_ratio = -1.0;
    if ov >= 3 {
        inc.new_nearfull_ratio = r.f32("new_nearfull_ratio")?;
        inc.new_full_ratio = r.f32("new_full_ratio")?;
    }
    if ov >= 4 {
        inc.new_backfillfull_ratio = r.f32("new_backfillfull_ratio")?;
    }
    inc.new_require_min_compat_client = RELEASE_UNCHANGED;
    inc.new_require_osd_release = RELEASE_UNCHANGED;
    if ov == 5 {
        let name = r.string("new_require_min_compat_client")?;
        if !name.is_empty() {
            inc.new_require_min_compat_client = super::release::release_from_name(&name);
        }
    }
    if ov >= 6 {
        inc.new_require_min_compat_client = r.u8("new_require_min_compat_client")?;
        inc.new_require_osd_release = r.u8("new_require_osd_release")?;
    }
    if ov >= 8 {
        inc.new_crush_node_flags = decode_i32_u32_map(&mut r, "new_crush_node_flags")?;
    }
    if ov >= 9 {
        inc.new_device_class_flags = decode_i32_u32_map(&mut r, "new_device_class_flags")?;
    }
    if ov >= 10 {
        inc.change_stretch_mode = r.bool("change_stretch_mode")?;
        inc.new_stretch_bucket_count = r.u32("new_stretch_bucket_count")?;
        inc.new_degraded_stretch_mode = r.u32("new_degraded_stretch_mode")?;
        inc.new_recovering_stretch_mode = r.u32("new_recovering_stretch_mode")?;
        inc.new_stretch_mode_bucket = r.i32("new_stretch_mode_bucket")?;
        inc.stretch_mode_enabled = r.bool("stretch_mode_enabled")?;
    }
    if ov >= 11 {
        inc.new_range_blocklist = decode_blocklist(&mut r)?;
        inc.old_range_blocklist = r.vec("old_range_blocklist", 2, EntityAddr::decode)?;
    }
    if ov >= 12 {
        inc.mutate_allow_crimson = r.u8("mutate_allow_crimson")?;
    }
    r.finish(osd)?;

    if wrapper.version >= 8 {
        let crc_at = r.offset();
        let front = r.since(0);
        inc.inc_crc = r.u32("inc_crc")?;
        let tail_start = r.offset();
        inc.full_crc = r.u32("full_crc")?;
        r.finish(wrapper)?;
        check_crc(
            &r,
            crc_at,
            inc.inc_crc,
            crc32c(&[front, r.since(tail_start)]),
        )?;
    } else {
        r.finish(wrapper)?;
    }
    if r.remaining() > 0 {
        return Err(r.error(Kind::TrailingData(r.remaining())));
    }
    Ok(inc)
}

fn addr_map(r: &mut Reader<'_>, what: &'static str) -> Result<BTreeMap<i32, AddrVec>> {
    r.map(what, 5, |r| Ok((r.i32("osd")?, AddrVec::decode(r)?)))
}
