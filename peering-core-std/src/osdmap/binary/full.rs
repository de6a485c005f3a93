//! [`decode_osdmap`]: `OSDMap::decode` on untrusted bytes, into a
//! [`DecodedOsdMap`].

use std::collections::BTreeMap;
use std::sync::Arc;

use peering_core::map::MapFlags;
use peering_core::types::{OsdId, OsdVec, PoolId};

use crate::crush::{CrushMap, decode_crush};

use super::super::map::UpmapItems;
use super::super::osd::DEFAULT_PRIMARY_AFFINITY;
use super::super::{CrushHandle, OsdMap, validate_pool};
use super::common::{
    AddrVec, EntityAddr, PG_SIZE, SnapIntervals, Utime, Uuid, decode_osd_info, decode_osd_xinfo,
    decode_pg, decode_pool_intervals,
};
use super::crc::{check_crc, crc32c};
use super::error::{OsdMapDecodeError, OsdMapDecodeErrorKind as Kind};
use super::pool::PoolRecord;
use super::reader::Reader;
use super::release::{QUINCY, flags_for_release, release_from_legacy_flags, release_from_name};

type Result<T> = core::result::Result<T, OsdMapDecodeError>;

/// `map<string, map<string, string>>`: erasure-code profiles by name.
pub type EcProfiles = BTreeMap<String, BTreeMap<String, String>>;

/// One OSD slot's record beyond what [`OsdMap`] keeps: its addresses and uuid.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct OsdRecord {
    /// `client_addrs`: the public addresses.
    pub public_addrs: AddrVec,
    /// `cluster_addrs`.
    pub cluster_addrs: AddrVec,
    /// `hb_back_addrs`.
    pub hb_back_addrs: AddrVec,
    /// `hb_front_addrs`.
    pub hb_front_addrs: AddrVec,
    /// `osd_uuid`.
    pub uuid: Uuid,
}

/// The stretch-mode fields of the map (`stretch_mode_enabled` and friends).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StretchMode {
    /// `stretch_mode_enabled`.
    pub enabled: bool,
    /// `stretch_bucket_count`.
    pub bucket_count: u32,
    /// `degraded_stretch_mode`.
    pub degraded: u32,
    /// `recovering_stretch_mode`.
    pub recovering: u32,
    /// `stretch_mode_bucket`.
    pub bucket: i32,
}

/// A full OSDMap decoded from Ceph's binary encoding (`ceph osd getmap`,
/// `osdmaptool --createsimple`): the placement-ready [`OsdMap`], the CRUSH map
/// it carries, and every other field `osdmaptool --print` shows.
#[derive(Clone, Debug)]
pub struct DecodedOsdMap {
    /// The map placement and peering read.
    pub map: OsdMap,
    /// The CRUSH map inside (the same one `map` places with).
    pub crush: Arc<CrushMap>,
    /// `fsid`.
    pub fsid: Uuid,
    /// `created`.
    pub created: Utime,
    /// `modified`.
    pub modified: Utime,
    /// Every pool as encoded.
    pub pools: BTreeMap<PoolId, PoolRecord>,
    /// `pool_name`.
    pub pool_names: BTreeMap<PoolId, String>,
    /// `pool_max`: the largest pool id ever allocated.
    pub pool_max: i32,
    /// Per OSD slot (`max_osd` of them): addresses and uuid.
    pub osds: Vec<OsdRecord>,
    /// `erasure_code_profiles`.
    pub erasure_code_profiles: EcProfiles,
    /// `crush_version`.
    pub crush_version: i32,
    /// `new_removed_snaps`.
    pub new_removed_snaps: BTreeMap<i64, SnapIntervals>,
    /// `new_purged_snaps`.
    pub new_purged_snaps: BTreeMap<i64, SnapIntervals>,
    /// `last_up_change`.
    pub last_up_change: Utime,
    /// `last_in_change`.
    pub last_in_change: Utime,
    /// `blocklist`, in encoded order.
    pub blocklist: Vec<(EntityAddr, Utime)>,
    /// `range_blocklist`, in encoded order.
    pub range_blocklist: Vec<(EntityAddr, Utime)>,
    /// `cluster_snapshot_epoch`.
    pub cluster_snapshot_epoch: u32,
    /// `cluster_snapshot`.
    pub cluster_snapshot: String,
    /// `nearfull_ratio`.
    pub nearfull_ratio: f32,
    /// `full_ratio`.
    pub full_ratio: f32,
    /// `backfillfull_ratio`.
    pub backfillfull_ratio: f32,
    /// `require_min_compat_client` (`ceph_release_t`, 0 unknown).
    pub require_min_compat_client: u8,
    /// `require_osd_release` (`ceph_release_t`, 0 unknown).
    pub require_osd_release: u8,
    /// `removed_snaps_queue`.
    pub removed_snaps_queue: BTreeMap<i64, SnapIntervals>,
    /// `crush_node_flags`.
    pub crush_node_flags: BTreeMap<i32, u32>,
    /// `device_class_flags`.
    pub device_class_flags: BTreeMap<i32, u32>,
    /// Stretch mode.
    pub stretch: StretchMode,
    /// `allow_crimson`.
    pub allow_crimson: bool,
    /// `crc`: the CRC32C the encoding carried (checked on decode).
    pub crc: u32,
}

/// Decodes a full binary OSDMap.
///
/// Reads the wrapper (v7–8), the client section (up to v10) and the OSD
/// section (up to v12), as `OSDMap::decode` does, and checks the CRC32C.
/// Older encodings (`decode_classic`, before Giant) are refused with
/// [`Kind::UnsupportedVersion`]; a newer section whose `compat` this decoder
/// knows is read up to the fields it knows and the rest skipped, as Ceph does.
///
/// Work and memory are linear in the input: counts are checked against the
/// bytes left before anything is allocated, and `max_osd` is bounded by
/// [`OsdMap::MAX_OSD_LIMIT`] (and by the per-OSD vectors the input must hold).
pub fn decode_osdmap(bytes: &[u8]) -> Result<DecodedOsdMap> {
    let mut r = Reader::new(bytes);
    let wrapper = r.start_legacy("OSDMap", 8, 7)?;

    let client = r.start("OSDMap client data", 10)?;
    let cv = client.version;
    let fsid = Uuid::decode(&mut r)?;
    let epoch = r.u32("epoch")?;
    let created = Utime::decode(&mut r)?;
    let modified = Utime::decode(&mut r)?;
    let pools_at = r.offset();
    let pools = r.map("pools", 14, |r| {
        Ok((r.i64("pool id")?, PoolRecord::decode(r)?))
    })?;
    let pool_names = r.map("pool names", 12, |r| {
        Ok((r.i64("pool id")?, r.string("pool name")?))
    })?;
    let pool_max = r.i32("pool_max")?;
    let mut flags = MapFlags(r.u32("flags")?);
    let max_osd_at = r.offset();
    let max_osd = r.i32("max_osd")?;
    if !(0..=OsdMap::MAX_OSD_LIMIT).contains(&max_osd) {
        return Err(r.error_at(max_osd_at, Kind::OutOfRange(format!("max_osd {max_osd}"))));
    }
    let osd_state = if cv >= 5 {
        r.vec("osd_state", 4, |r| r.u32("osd_state"))?
    } else {
        r.vec("osd_state", 1, |r| Ok(u32::from(r.u8("osd_state")?)))?
    };
    let osd_weight = r.vec("osd_weight", 4, |r| r.u32("osd_weight"))?;
    let public_addrs = r.vec("client_addrs", 1, AddrVec::decode)?;
    let pg_temp = r.map("pg_temp", PG_SIZE + 4, |r| {
        Ok((decode_pg(r)?, decode_osds(r)?))
    })?;
    let primary_temp = r.map("primary_temp", PG_SIZE + 4, |r| {
        Ok((decode_pg(r)?, OsdId(r.i32("primary_temp")?)))
    })?;
    let mut affinity = if cv >= 2 {
        r.vec("osd_primary_affinity", 4, |r| r.u32("primary affinity"))?
    } else {
        Vec::new()
    };
    let crush_at = r.offset();
    let crush_bytes = r.blob("crush")?;
    let crush = decode_crush(crush_bytes).map_err(|e| r.error_at(crush_at + 4, Kind::Crush(e)))?;
    let erasure_code_profiles = if cv >= 3 {
        decode_profiles(&mut r)?
    } else {
        EcProfiles::new()
    };
    let (pg_upmap, pg_upmap_items) = if cv >= 4 {
        (
            r.map("pg_upmap", PG_SIZE + 4, |r| {
                Ok((decode_pg(r)?, decode_osds(r)?))
            })?,
            r.map("pg_upmap_items", PG_SIZE + 4, |r| {
                Ok((decode_pg(r)?, decode_pairs(r)?))
            })?,
        )
    } else {
        Default::default()
    };
    let crush_version = if cv >= 6 { r.i32("crush_version")? } else { 1 };
    let (new_removed_snaps, new_purged_snaps) = if cv >= 7 {
        (
            decode_pool_intervals(&mut r)?,
            decode_pool_intervals(&mut r)?,
        )
    } else {
        Default::default()
    };
    let (last_up_change, last_in_change) = if cv >= 9 {
        (Utime::decode(&mut r)?, Utime::decode(&mut r)?)
    } else {
        Default::default()
    };
    let primaries_at = r.offset();
    let pg_upmap_primaries = if cv >= 10 {
        r.map("pg_upmap_primaries", PG_SIZE + 4, |r| {
            Ok((decode_pg(r)?, r.i32("primary")?))
        })?
    } else {
        BTreeMap::new()
    };
    if !pg_upmap_primaries.is_empty() {
        // Reef's read balancer moves primaries in placement, which this
        // crate does not model: placing with the map would be wrong.
        return Err(r.error_at(
            primaries_at,
            Kind::OutOfRange("pg_upmap_primaries (Reef's read balancer) is not supported".into()),
        ));
    }
    r.finish(client)?;

    let osd = r.start("OSDMap osd-only data", 12)?;
    let ov = osd.version;
    let hb_back_addrs = r.vec("hb_back_addrs", 1, AddrVec::decode)?;
    let osd_info = r.vec("osd_info", 25, decode_osd_info)?;
    let blocklist = decode_blocklist(&mut r)?;
    let cluster_addrs = r.vec("cluster_addrs", 1, AddrVec::decode)?;
    let cluster_snapshot_epoch = r.u32("cluster_snapshot_epoch")?;
    let cluster_snapshot = r.string("cluster_snapshot")?;
    let uuids = r.vec("osd_uuid", 16, Uuid::decode)?;
    let osd_xinfo = r.vec("osd_xinfo", 6, decode_osd_xinfo)?;
    let hb_front_addrs = r.vec("hb_front_addrs", 1, AddrVec::decode)?;
    let (mut nearfull_ratio, mut full_ratio, mut backfillfull_ratio) = (0.0, 0.0, 0.0);
    if ov >= 2 {
        nearfull_ratio = r.f32("nearfull_ratio")?;
        full_ratio = r.f32("full_ratio")?;
    }
    if ov >= 3 {
        backfillfull_ratio = r.f32("backfillfull_ratio")?;
    }
    let mut require_min_compat_client = 0;
    let require_osd_release;
    if ov == 4 {
        // Luminous development releases wrote the release as a name.
        let name = r.string("require_min_compat_client")?;
        require_min_compat_client = release_from_name(&name);
    }
    if ov >= 5 {
        require_min_compat_client = r.u8("require_min_compat_client")?;
        require_osd_release = r.u8("require_osd_release")?;
        flags = flags_for_release(flags, require_osd_release);
    } else {
        (require_osd_release, flags) = release_from_legacy_flags(flags);
    }
    let removed_snaps_queue = if ov >= 6 {
        decode_pool_intervals(&mut r)?
    } else {
        BTreeMap::new()
    };
    let crush_node_flags = if ov >= 8 {
        decode_i32_u32_map(&mut r, "crush_node_flags")?
    } else {
        BTreeMap::new()
    };
    let device_class_flags = if ov >= 9 {
        decode_i32_u32_map(&mut r, "device_class_flags")?
    } else {
        BTreeMap::new()
    };
    let mut stretch = StretchMode::default();
    if ov >= 10 {
        stretch.enabled = r.bool("stretch_mode_enabled")?;
        stretch.bucket_count = r.u32("stretch_bucket_count")?;
        stretch.degraded = r.u32("degraded_stretch_mode")?;
        stretch.recovering = r.u32("recovering_stretch_mode")?;
        stretch.bucket = r.i32("stretch_mode_bucket")?;
    }
    let range_blocklist = if ov >= 11 {
        decode_blocklist(&mut r)?
    } else {
        Vec::new()
    };
    let allow_crimson = if ov >= 12 {
        r.bool("allow_crimson")?
    } else {
        false
    };
    r.finish(osd)?;

    let crc_at = r.offset();
    let crc = if wrapper.version >= 8 {
        let front = r.since(0);
        let stored = r.u32("crc")?;
        let tail_start = r.offset();
        r.finish(wrapper)?;
        check_crc(&r, crc_at, stored, crc32c(&[front, r.since(tail_start)]))?;
        stored
    } else {
        r.finish(wrapper)?;
        0
    };
    if r.remaining() > 0 {
        return Err(r.error(Kind::TrailingData(r.remaining())));
    }

    // Per-OSD vectors are sized max_osd (OSDMap::set_max_osd keeps them so);
    // primary affinity may be empty (all default).
    let n = usize::try_from(max_osd).unwrap_or(0);
    for (what, len) in [
        ("osd_state", osd_state.len()),
        ("osd_weight", osd_weight.len()),
        ("client_addrs", public_addrs.len()),
        ("hb_back_addrs", hb_back_addrs.len()),
        ("osd_info", osd_info.len()),
        ("cluster_addrs", cluster_addrs.len()),
        ("osd_uuid", uuids.len()),
        ("osd_xinfo", osd_xinfo.len()),
        ("hb_front_addrs", hb_front_addrs.len()),
    ] {
        if len != n {
            return Err(r.error_at(
                max_osd_at,
                Kind::OutOfRange(format!("{what} has {len} entries, max_osd is {max_osd}")),
            ));
        }
    }
    if affinity.is_empty() {
        affinity = vec![DEFAULT_PRIMARY_AFFINITY; n];
    } else if affinity.len() != n {
        return Err(r.error_at(
            max_osd_at,
            Kind::OutOfRange(format!(
                "osd_primary_affinity has {} entries, max_osd is {max_osd}",
                affinity.len()
            )),
        ));
    }

    let crush = Arc::new(crush);
    let mut infos = BTreeMap::new();
    for (id, p) in &pools {
        let k = profile_k(&erasure_code_profiles, &p.erasure_code_profile);
        let info = p
            .pool_info(*id, k)
            .map_err(|kind| r.error_at(pools_at, kind))?;
        validate_pool(*id, &info).map_err(|e| r.error_at(pools_at, Kind::Invalid(e)))?;
        infos.insert(*id, info);
    }
    let map = OsdMap {
        epoch,
        flags,
        max_osd,
        osd_state,
        osd_weight,
        osd_info,
        osd_xinfo,
        osd_primary_affinity: affinity,
        pools: Arc::new(infos),
        pg_temp: Arc::new(pg_temp),
        primary_temp: Arc::new(primary_temp),
        pg_upmap: Arc::new(pg_upmap),
        pg_upmap_items: Arc::new(pg_upmap_items),
        crush: Some(CrushHandle(crush.clone())),
        merge_meta: pools
            .iter()
            .filter_map(|(id, p)| p.last_pg_merge_meta.map(|m| (*id, m)))
            .collect(),
        // OSDs before Quincy (require_osd_release < 17) place through
        // find_rule's mask check.
        check_rule_mask: require_osd_release < QUINCY,
    };
    let osds = (0..n)
        .map(|i| OsdRecord {
            public_addrs: public_addrs.get(i).cloned().unwrap_or_default(),
            cluster_addrs: cluster_addrs.get(i).cloned().unwrap_or_default(),
            hb_back_addrs: hb_back_addrs.get(i).cloned().unwrap_or_default(),
            hb_front_addrs: hb_front_addrs.get(i).cloned().unwrap_or_default(),
            uuid: uuids.get(i).copied().unwrap_or_default(),
        })
        .collect();
    Ok(DecodedOsdMap {
        map,
        crush,
        fsid,
        created,
        modified,
        pools,
        pool_names,
        pool_max,
        osds,
        erasure_code_profiles,
        crush_version,
        new_removed_snaps,
        new_purged_snaps,
        last_up_change,
        last_in_change,
        blocklist,
        range_blocklist,
        cluster_snapshot_epoch,
        cluster_snapshot,
        nearfull_ratio,
        full_ratio,
        backfillfull_ratio,
        require_min_compat_client,
        require_osd_release,
        removed_snaps_queue,
        crush_node_flags,
        device_class_flags,
        stretch,
        allow_crimson,
        crc,
    })
}

/// The `k` an erasure-code profile names, if it names one.
pub(super) fn profile_k(profiles: &EcProfiles, name: &str) -> Option<u32> {
    profiles.get(name)?.get("k")?.parse().ok()
}

/// `vector<int32_t>` of OSD ids.
pub(super) fn decode_osds(r: &mut Reader<'_>) -> Result<OsdVec> {
    let v = r.vec("osd list", 4, |r| Ok(OsdId(r.i32("osd")?)))?;
    Ok(v.into_iter().collect())
}

/// `vector<pair<int32_t, int32_t>>` of upmap replacements.
pub(super) fn decode_pairs(r: &mut Reader<'_>) -> Result<UpmapItems> {
    r.vec("upmap items", 8, |r| {
        Ok((OsdId(r.i32("from")?), OsdId(r.i32("to")?)))
    })
}

pub(super) fn decode_profiles(r: &mut Reader<'_>) -> Result<EcProfiles> {
    r.map("erasure_code_profiles", 8, |r| {
        Ok((r.string("profile name")?, r.string_map("profile")?))
    })
}

pub(super) fn decode_blocklist(r: &mut Reader<'_>) -> Result<Vec<(EntityAddr, Utime)>> {
    r.vec("blocklist", 10, |r| {
        Ok((EntityAddr::decode(r)?, Utime::decode(r)?))
    })
}

pub(super) fn decode_i32_u32_map(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<BTreeMap<i32, u32>> {
    r.map(what, 8, |r| Ok((r.i32(what)?, r.u32(what)?)))
}
