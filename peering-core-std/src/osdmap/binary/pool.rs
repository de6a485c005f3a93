//! `pg_pool_t`: every field of a pool as the map encodes it ([`PoolRecord`]),
//! its decoder (versions 5 to 29, Luminous to Squid) and the [`PoolInfo`]
//! placement and peering read from it. Printing is in `pool_print`.

use std::collections::{BTreeMap, BTreeSet};

use peering_core::machine::MergeMeta;
use peering_core::map::{PoolFlags, PoolInfo, StretchRule};
use peering_core::types::{EVersion, PgId, PoolId, Timespan};

use super::common::{SnapIntervals, Utime, decode_intervals, decode_pg};
use super::error::{OsdMapDecodeError, OsdMapDecodeErrorKind as Kind};
use super::reader::Reader;
use crate::crush::CRUSH_ITEM_NONE;

type Result<T> = core::result::Result<T, OsdMapDecodeError>;

/// `pg_pool_t::TYPE_REPLICATED`.
pub const POOL_TYPE_REPLICATED: u8 = 1;
/// `pg_pool_t::TYPE_ERASURE`.
pub const POOL_TYPE_ERASURE: u8 = 3;
/// `CEPH_STR_HASH_LINUX`: the object name hash of legacy pools.
pub const STR_HASH_LINUX: u8 = 1;
/// `CEPH_STR_HASH_RJENKINS`: the default object name hash.
pub const STR_HASH_RJENKINS: u8 = 2;

/// A pool option value (`pool_opts_t::value_t`).
#[derive(Clone, PartialEq, Debug)]
pub enum PoolOpt {
    /// `STR`.
    Str(String),
    /// `INT`.
    Int(i64),
    /// `DOUBLE`.
    Double(f64),
}

/// A pool snapshot (`pool_snap_info_t`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PoolSnap {
    /// `snapid`.
    pub snapid: u64,
    /// `stamp`.
    pub stamp: Utime,
    /// `name`.
    pub name: String,
}

/// The hit set parameters of a cache tier (`HitSet::Params`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub enum HitSetParams {
    /// `TYPE_NONE`.
    #[default]
    None,
    /// `TYPE_EXPLICIT_HASH`.
    ExplicitHash,
    /// `TYPE_EXPLICIT_OBJECT`.
    ExplicitObject,
    /// `TYPE_BLOOM`: false-positive probability (millionths), target size, seed.
    Bloom {
        /// `fpp_micro`.
        fpp_micro: u32,
        /// `target_size`.
        target_size: u64,
        /// `seed`.
        seed: u64,
    },
}

/// Every field of Ceph's `pg_pool_t` that the map encodes, decoded. Peering
/// and placement read the [`PoolInfo`] made from it ([`PoolRecord::pool_info`]);
/// the rest is kept so that `osdmaptool --print` can be reproduced.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct PoolRecord {
    /// The `struct_v` it was encoded with.
    pub struct_v: u8,
    /// `type` (`POOL_TYPE_*`).
    pub kind: u8,
    /// `size`.
    pub size: u8,
    /// `crush_rule`.
    pub crush_rule: u8,
    /// `object_hash` (`STR_HASH_*`).
    pub object_hash: u8,
    /// `pg_num`.
    pub pg_num: u32,
    /// `pgp_num`.
    pub pgp_num: u32,
    /// `last_change`.
    pub last_change: u32,
    /// `snap_seq`.
    pub snap_seq: u64,
    /// `snap_epoch`.
    pub snap_epoch: u32,
    /// `snaps`.
    pub snaps: BTreeMap<u64, PoolSnap>,
    /// `removed_snaps`.
    pub removed_snaps: SnapIntervals,
    /// `auid`.
    pub auid: u64,
    /// `flags` (`FLAG_*`).
    pub flags: u64,
    /// `min_size`.
    pub min_size: u8,
    /// `quota_max_bytes`.
    pub quota_max_bytes: u64,
    /// `quota_max_objects`.
    pub quota_max_objects: u64,
    /// `tiers`.
    pub tiers: BTreeSet<u64>,
    /// `tier_of` (-1: not a tier).
    pub tier_of: i64,
    /// `cache_mode`.
    pub cache_mode: u8,
    /// `read_tier` (-1: none).
    pub read_tier: i64,
    /// `write_tier` (-1: none).
    pub write_tier: i64,
    /// `properties`.
    pub properties: BTreeMap<String, String>,
    /// `hit_set_params`.
    pub hit_set_params: HitSetParams,
    /// `hit_set_period`.
    pub hit_set_period: u32,
    /// `hit_set_count`.
    pub hit_set_count: u32,
    /// `stripe_width`.
    pub stripe_width: u32,
    /// `target_max_bytes`.
    pub target_max_bytes: u64,
    /// `target_max_objects`.
    pub target_max_objects: u64,
    /// `cache_target_dirty_ratio_micro`.
    pub cache_target_dirty_ratio_micro: u32,
    /// `cache_target_full_ratio_micro`.
    pub cache_target_full_ratio_micro: u32,
    /// `cache_min_flush_age`.
    pub cache_min_flush_age: u32,
    /// `cache_min_evict_age`.
    pub cache_min_evict_age: u32,
    /// `erasure_code_profile`.
    pub erasure_code_profile: String,
    /// `last_force_op_resend_preluminous`.
    pub last_force_op_resend_preluminous: u32,
    /// `min_read_recency_for_promote`.
    pub min_read_recency_for_promote: u32,
    /// `expected_num_objects`.
    pub expected_num_objects: u64,
    /// `cache_target_dirty_high_ratio_micro`.
    pub cache_target_dirty_high_ratio_micro: u32,
    /// `min_write_recency_for_promote`.
    pub min_write_recency_for_promote: u32,
    /// `use_gmt_hitset`.
    pub use_gmt_hitset: bool,
    /// `fast_read`.
    pub fast_read: bool,
    /// `hit_set_grade_decay_rate`.
    pub hit_set_grade_decay_rate: u32,
    /// `hit_set_search_last_n`.
    pub hit_set_search_last_n: u32,
    /// `opts`, by `pool_opts_t::key_t`.
    pub opts: BTreeMap<i32, PoolOpt>,
    /// `last_force_op_resend_prenautilus`.
    pub last_force_op_resend_prenautilus: u32,
    /// `application_metadata`.
    pub application_metadata: BTreeMap<String, BTreeMap<String, String>>,
    /// `create_time`.
    pub create_time: Utime,
    /// `pg_num_target`.
    pub pg_num_target: u32,
    /// `pgp_num_target`.
    pub pgp_num_target: u32,
    /// `pg_num_pending`.
    pub pg_num_pending: u32,
    /// `last_force_op_resend`.
    pub last_force_op_resend: u32,
    /// `pg_autoscale_mode` (0 off, 1 warn, 2 on, 255 unknown).
    pub pg_autoscale_mode: u8,
    /// `last_pg_merge_meta` (v29+), when it records a merge (`source_pgid`
    /// set).
    pub last_pg_merge_meta: Option<MergeMeta>,
    /// `peering_crush_bucket_count` (v30+; 0: not a stretch pool).
    pub peering_crush_bucket_count: u32,
    /// `peering_crush_bucket_target`.
    pub peering_crush_bucket_target: u32,
    /// `peering_crush_bucket_barrier` (a CRUSH type id).
    pub peering_crush_bucket_barrier: u32,
    /// `peering_crush_mandatory_member` (`CRUSH_ITEM_NONE` when unset).
    pub peering_crush_mandatory_member: i32,
}

impl PoolRecord {
    /// `pg_pool_t::decode`. Encodings before version 5 (Firefly and older, no
    /// length) are refused; fields a version lacks take Ceph's defaults.
    pub(super) fn decode(r: &mut Reader<'_>) -> Result<PoolRecord> {
        let s = r.start_legacy("pg_pool_t", 31, 5)?;
        let v = s.version;
        let mut p = PoolRecord {
            struct_v: v,
            kind: r.u8("pool type")?,
            size: r.u8("pool size")?,
            crush_rule: r.u8("crush_rule")?,
            object_hash: r.u8("object_hash")?,
            pg_num: r.u32("pg_num")?,
            pgp_num: r.u32("pgp_num")?,
            peering_crush_mandatory_member: CRUSH_ITEM_NONE,
            ..PoolRecord::default()
        };
        r.u32("lpg_num")?;
        r.u32("lpgp_num")?;
        p.last_change = r.u32("last_change")?;
        p.snap_seq = r.u64("snap_seq")?;
        p.snap_epoch = r.u32("snap_epoch")?;
        p.snaps = r.map("pool snap", 14, |r| {
            let id = r.u64("snapid")?;
            Ok((id, decode_snap(r)?))
        })?;
        p.removed_snaps = decode_intervals(r)?;
        p.auid = r.u64("auid")?;
        p.flags = r.u64("pool flags")?;
        r.u32("crash_replay_interval")?;
        const SELFMANAGED_SNAPS: u64 = 1 << 13;
        const POOL_SNAPS: u64 = 1 << 14;
        if p.snap_seq > 0 && p.flags & (SELFMANAGED_SNAPS | POOL_SNAPS) == 0 {
            p.flags |= if p.removed_snaps.is_empty() {
                POOL_SNAPS
            } else {
                SELFMANAGED_SNAPS
            };
        }
        p.min_size = if v >= 7 {
            r.u8("min_size")?
        } else {
            p.size - p.size / 2
        };
        if v >= 8 {
            p.quota_max_bytes = r.u64("quota_max_bytes")?;
            p.quota_max_objects = r.u64("quota_max_objects")?;
        }
        p.tier_of = -1;
        p.read_tier = -1;
        p.write_tier = -1;
        if v >= 9 {
            p.tiers = r.vec("tiers", 8, |r| r.u64("tier"))?.into_iter().collect();
            p.tier_of = r.i64("tier_of")?;
            p.cache_mode = r.u8("cache_mode")?;
            p.read_tier = r.i64("read_tier")?;
            p.write_tier = r.i64("write_tier")?;
        }
        if v >= 10 {
            p.properties = r.string_map("pool properties")?;
        }
        p.hit_set_count = 4;
        p.hit_set_period = 0;
        if v >= 11 {
            p.hit_set_params = decode_hit_set_params(r)?;
            p.hit_set_period = r.u32("hit_set_period")?;
            p.hit_set_count = r.u32("hit_set_count")?;
        }
        if v >= 12 {
            p.stripe_width = r.u32("stripe_width")?;
        }
        if v >= 13 {
            p.target_max_bytes = r.u64("target_max_bytes")?;
            p.target_max_objects = r.u64("target_max_objects")?;
            p.cache_target_dirty_ratio_micro = r.u32("cache_target_dirty_ratio_micro")?;
            p.cache_target_full_ratio_micro = r.u32("cache_target_full_ratio_micro")?;
            p.cache_min_flush_age = r.u32("cache_min_flush_age")?;
            p.cache_min_evict_age = r.u32("cache_min_evict_age")?;
        }
        if v >= 14 {
            p.erasure_code_profile = r.string("erasure_code_profile")?;
        }
        if v >= 15 {
            p.last_force_op_resend_preluminous = r.u32("last_force_op_resend_preluminous")?;
        }
        p.min_read_recency_for_promote = if v >= 16 {
            r.u32("min_read_recency_for_promote")?
        } else {
            1
        };
        if v >= 17 {
            p.expected_num_objects = r.u64("expected_num_objects")?;
        }
        p.cache_target_dirty_high_ratio_micro = if v >= 19 {
            r.u32("cache_target_dirty_high_ratio_micro")?
        } else {
            p.cache_target_dirty_ratio_micro
        };
        p.min_write_recency_for_promote = if v >= 20 {
            r.u32("min_write_recency_for_promote")?
        } else {
            1
        };
        if v >= 21 {
            p.use_gmt_hitset = r.bool("use_gmt_hitset")?;
        }
        if v >= 22 {
            p.fast_read = r.bool("fast_read")?;
        }
        p.hit_set_search_last_n = 1;
        if v >= 23 {
            p.hit_set_grade_decay_rate = r.u32("hit_set_grade_decay_rate")?;
            p.hit_set_search_last_n = r.u32("hit_set_search_last_n")?;
        }
        if v >= 24 {
            p.opts = decode_opts(r)?;
        }
        p.last_force_op_resend_prenautilus = if v >= 25 {
            r.u32("last_force_op_resend_prenautilus")?
        } else {
            p.last_force_op_resend_preluminous
        };
        if v >= 26 {
            p.application_metadata = r.map("application_metadata", 8, |r| {
                Ok((r.string("application")?, r.string_map("application")?))
            })?;
        }
        if v >= 27 {
            p.create_time = Utime::decode(r)?;
        }
        if v >= 28 {
            p.pg_num_target = r.u32("pg_num_target")?;
            p.pgp_num_target = r.u32("pgp_num_target")?;
            p.pg_num_pending = r.u32("pg_num_pending")?;
            r.u32("old merge last_epoch_started")?;
            r.u32("old merge last_epoch_clean")?;
            p.last_force_op_resend = r.u32("last_force_op_resend")?;
            p.pg_autoscale_mode = r.u8("pg_autoscale_mode")?;
            if v >= 29 {
                p.last_pg_merge_meta = decode_merge_meta(r)?;
            }
            if v == 30 {
                // Pacific: the four fields, always present.
                p.peering_crush_bucket_count = r.u32("peering_crush_bucket_count")?;
                p.peering_crush_bucket_target = r.u32("peering_crush_bucket_target")?;
                p.peering_crush_bucket_barrier = r.u32("peering_crush_bucket_barrier")?;
                p.peering_crush_mandatory_member = r.i32("peering_crush_mandatory_member")?;
            } else if v >= 31 && r.bool("peering crush data present")? {
                // v31 and later: `maybe_peering_crush_data()`, an optional tuple
                // in the order count, target, barrier, member.
                p.peering_crush_bucket_count = r.u32("peering_crush_bucket_count")?;
                p.peering_crush_bucket_target = r.u32("peering_crush_bucket_target")?;
                p.peering_crush_bucket_barrier = r.u32("peering_crush_bucket_barrier")?;
                p.peering_crush_mandatory_member = r.i32("peering_crush_mandatory_member")?;
            }
        } else {
            p.pg_num_target = p.pg_num;
            p.pgp_num_target = p.pgp_num;
            p.pg_num_pending = p.pg_num;
            p.last_force_op_resend = p.last_force_op_resend_prenautilus;
            // Ceph warns on pools from before the autoscaler.
            p.pg_autoscale_mode = 1;
        }
        r.finish(s)?;
        Ok(p)
    }

    /// `get_type_name()`.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            POOL_TYPE_REPLICATED => "replicated",
            POOL_TYPE_ERASURE => "erasure",
            _ => "???",
        }
    }

    /// `get_flags_string()`: the names of the set flags, comma-separated.
    pub fn flags_string(&self) -> String {
        const NAMES: [&str; 19] = [
            "hashpspool",
            "full",
            "ec_overwrites",
            "incomplete_clones",
            "nodelete",
            "nopgchange",
            "nosizechange",
            "write_fadvise_dontneed",
            "noscrub",
            "nodeep-scrub",
            "full_quota",
            "nearfull",
            "backfillfull",
            "selfmanaged_snaps",
            "pool_snaps",
            "creating",
            "eio",
            "bulk",
            "crimson",
        ];
        let names: Vec<&str> = (0..64)
            .filter(|b| self.flags & (1u64 << b) != 0)
            .map(|b| NAMES.get(b).copied().unwrap_or("???"))
            .collect();
        names.join(",")
    }

    /// The pool as placement and peering read it. An erasure-coded pool's `k`
    /// comes from its profile (`profile_k`); when the map has no such profile
    /// (maps made by `osdmaptool` name none), `k` is `min_size - 1`, the inverse
    /// of Ceph's default `min_size = k + 1`, clamped to `1..size`.
    pub fn pool_info(
        &self,
        id: PoolId,
        profile_k: Option<u32>,
    ) -> core::result::Result<PoolInfo, Kind> {
        let size = u32::from(self.size);
        let mut info = match self.kind {
            POOL_TYPE_REPLICATED => PoolInfo::replicated(id, size, self.pg_num),
            POOL_TYPE_ERASURE => {
                let k = profile_k
                    .filter(|k| (1..size).contains(k))
                    .unwrap_or_else(|| {
                        u32::from(self.min_size)
                            .saturating_sub(1)
                            .clamp(1, size.saturating_sub(1).max(1))
                    });
                PoolInfo::erasure(id, k, size.saturating_sub(k), self.pg_num)
            }
            other => {
                return Err(Kind::OutOfRange(format!(
                    "pool {id} has type {other}, neither replicated (1) nor erasure (3)"
                )));
            }
        };
        info.min_size = u32::from(self.min_size);
        info.pgp_num = self.pgp_num;
        info.pg_num_pending = self.pg_num_pending;
        info.crush_rule = i32::from(self.crush_rule);
        info.flags = PoolFlags(self.flags);
        info.last_change = self.last_change;
        info.read_lease_interval = self.read_lease_interval(id)?;
        if self.peering_crush_bucket_count != 0 {
            info.stretch = Some(StretchRule {
                bucket_count: self.peering_crush_bucket_count,
                bucket_target: self.peering_crush_bucket_target,
                bucket_barrier: self.peering_crush_bucket_barrier,
                mandatory_member: self.peering_crush_mandatory_member,
                num_zones: 0,
            });
        }
        Ok(info)
    }

    /// The `read_lease_interval` pool option (`pool_opts_t::READ_LEASE_INTERVAL`,
    /// seconds as a double), as `PGPool::get_readable_interval` reads it.
    /// Refused: a value that is not a double, or not a finite number of
    /// seconds a lease can last (Ceph would make a garbage span of it).
    fn read_lease_interval(&self, id: PoolId) -> core::result::Result<Option<Timespan>, Kind> {
        let Some(opt) = self.opts.get(&POOL_OPT_READ_LEASE_INTERVAL) else {
            return Ok(None);
        };
        let bad = || Kind::OutOfRange(format!("pool {id} read_lease_interval {opt:?}"));
        let PoolOpt::Double(secs) = opt else {
            return Err(bad());
        };
        let nanos = secs * 1e9;
        if !nanos.is_finite() || !(0.0..=i64::MAX as f64).contains(&nanos) {
            return Err(bad());
        }
        // In range by the check above: the cast does not saturate.
        Ok(Some(Timespan(nanos as i64)))
    }
}

/// `pool_opts_t::READ_LEASE_INTERVAL`: the option's key.
const POOL_OPT_READ_LEASE_INTERVAL: i32 = 19;

fn decode_snap(r: &mut Reader<'_>) -> Result<PoolSnap> {
    let s = r.start_legacy("pool_snap_info_t", 2, 2)?;
    let snap = PoolSnap {
        snapid: r.u64("snapid")?,
        stamp: Utime::decode(r)?,
        name: r.string("snap name")?,
    };
    r.finish(s)?;
    Ok(snap)
}

/// `HitSet::Params::decode`: the type, then the type's own parameters.
fn decode_hit_set_params(r: &mut Reader<'_>) -> Result<HitSetParams> {
    let s = r.start("HitSet::Params", 1)?;
    let at = r.offset();
    let params = match r.u8("hit set type")? {
        0 => HitSetParams::None,
        1 => HitSetParams::ExplicitHash,
        2 => HitSetParams::ExplicitObject,
        3 => {
            let b = r.start("BloomHitSet::Params", 1)?;
            let params = HitSetParams::Bloom {
                fpp_micro: r.u32("fpp_micro")?,
                target_size: r.u64("target_size")?,
                seed: r.u64("seed")?,
            };
            r.finish(b)?;
            params
        }
        value => {
            return Err(r.error_at(
                at,
                Kind::BadMarker {
                    what: "hit set type",
                    value,
                },
            ));
        }
    };
    r.finish(s)?;
    Ok(params)
}

/// `pool_opts_t::decode`: key, value type, value (an `INT` is 32-bit before
/// version 2).
/// `pg_merge_meta_t::decode` (v1): `source_pgid`, `ready_epoch`,
/// `last_epoch_started`, `last_epoch_clean`, `source_version`,
/// `target_version`; `None` when no merge is recorded (`source_pgid` is
/// `pg_t()`).
fn decode_merge_meta(r: &mut Reader<'_>) -> Result<Option<MergeMeta>> {
    let s = r.start("pg_merge_meta_t", 1)?;
    let eversion = |r: &mut Reader<'_>| -> Result<EVersion> {
        let version = r.u64("eversion_t version")?;
        let epoch = r.u32("eversion_t epoch")?;
        Ok(EVersion::new(epoch, version))
    };
    let meta = MergeMeta {
        source_pgid: decode_pg(r)?,
        ready_epoch: r.u32("ready_epoch")?,
        last_epoch_started: r.u32("last_epoch_started")?,
        last_epoch_clean: r.u32("last_epoch_clean")?,
        source_version: eversion(r)?,
        target_version: eversion(r)?,
    };
    r.finish(s)?;
    Ok((meta.source_pgid != PgId::default()).then_some(meta))
}

fn decode_opts(r: &mut Reader<'_>) -> Result<BTreeMap<i32, PoolOpt>> {
    let s = r.start("pool_opts_t", 2)?;
    let v = s.version;
    let opts = r.map("pool option", 12, |r| {
        let key = r.i32("option key")?;
        let at = r.offset();
        let value = match r.i32("option type")? {
            0 => PoolOpt::Str(r.string("option value")?),
            1 if v >= 2 => PoolOpt::Int(r.i64("option value")?),
            1 => PoolOpt::Int(i64::from(r.i32("option value")?)),
            2 => PoolOpt::Double(r.f64("option value")?),
            t => {
                return Err(r.error_at(
                    at,
                    Kind::OutOfRange(format!("pool option {key} has value type {t}")),
                ));
            }
        };
        Ok((key, value))
    })?;
    r.finish(s)?;
    Ok(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(opt: Option<PoolOpt>) -> PoolRecord {
        let mut p = PoolRecord {
            kind: POOL_TYPE_REPLICATED,
            size: 3,
            min_size: 2,
            pg_num: 8,
            pgp_num: 8,
            ..PoolRecord::default()
        };
        if let Some(o) = opt {
            p.opts.insert(POOL_OPT_READ_LEASE_INTERVAL, o);
        }
        p
    }

    /// A replicated size-4 `pg_pool_t` encoded at `version` (29, 30 or 31)
    /// with every field at its zero value, then `stretch` as that version
    /// lays it out (`pg_pool_t::encode`).
    fn encode_pool(version: u8, stretch: Option<[u32; 4]>) -> Vec<u8> {
        let mut b: Vec<u8> = Vec::new();
        let u32s = |b: &mut Vec<u8>, v: &[u32]| v.iter().for_each(|x| b.extend(x.to_le_bytes()));
        let u64s = |b: &mut Vec<u8>, n: usize| (0..n).for_each(|_| b.extend(0u64.to_le_bytes()));
        b.extend([1, 4, 0, 2]); // type, size, crush_rule, object_hash
        u32s(&mut b, &[8, 8, 0, 0, 1]); // pg_num, pgp_num, lpg, lpgp, last_change
        u64s(&mut b, 1); // snap_seq
        u32s(&mut b, &[0, 0, 0]); // snap_epoch, snaps, removed_snaps
        u64s(&mut b, 2); // auid, flags
        u32s(&mut b, &[0]); // crash_replay_interval
        b.push(2); // min_size
        u64s(&mut b, 2); // quotas
        u32s(&mut b, &[0]); // tiers
        u64s(&mut b, 1); // tier_of
        b.push(0); // cache_mode
        u64s(&mut b, 2); // read_tier, write_tier
        u32s(&mut b, &[0]); // properties
        b.extend([1, 1]); // HitSet::Params v1
        u32s(&mut b, &[1]);
        b.push(0);
        u32s(&mut b, &[0, 4, 0]); // hit_set_period, hit_set_count, stripe_width
        u64s(&mut b, 2); // target_max_*
        u32s(&mut b, &[0, 0, 0, 0]); // cache ratios and ages
        u32s(&mut b, &[0, 0, 1]); // ec profile "", resend, min_read_recency
        u64s(&mut b, 1); // expected_num_objects
        u32s(&mut b, &[0, 1]); // dirty_high_ratio, min_write_recency
        b.extend([0, 0]); // use_gmt_hitset, fast_read
        u32s(&mut b, &[0, 1]); // grade_decay_rate, search_last_n
        b.extend([2, 1]); // pool_opts_t v2, no options
        u32s(&mut b, &[4, 0]);
        u32s(&mut b, &[0, 0, 0, 0]); // resend_prenautilus, app metadata, create_time
        u32s(&mut b, &[8, 8, 8, 0, 0, 0]); // targets, pending, old merge epochs, resend
        b.push(0); // pg_autoscale_mode
        b.extend([1, 1]); // pg_merge_meta_t v1: pg_t(0.0), epochs, versions
        u32s(&mut b, &[53]);
        b.push(1);
        u64s(&mut b, 1);
        u32s(&mut b, &[0, u32::MAX, 0, 0, 0]);
        for _ in 0..2 {
            u64s(&mut b, 1);
            u32s(&mut b, &[0]);
        }
        match (version, stretch) {
            (30, s) => u32s(&mut b, &s.unwrap_or([0, 0, 0, CRUSH_ITEM_NONE as u32])),
            (31, None) => b.push(0),
            (31, Some(s)) => {
                b.push(1);
                u32s(&mut b, &s);
            }
            _ => {}
        }
        let mut out = vec![version, 5];
        out.extend((b.len() as u32).to_le_bytes());
        out.extend(b);
        out
    }

    /// `pg_merge_meta_t` (pool v29+): what the monitor recorded of the last
    /// merge; a `source_pgid` of `pg_t()` records none.
    #[test]
    fn merge_meta_decodes_and_empty_means_none() {
        let mut b = vec![1u8, 1, 53, 0, 0, 0, 1];
        b.extend(7i64.to_le_bytes()); // pool 7
        b.extend(3u32.to_le_bytes()); // seed 3
        b.extend((-1i32).to_le_bytes());
        for e in [12u32, 10, 9] {
            b.extend(e.to_le_bytes());
        }
        for (v, e) in [(7u64, 11u32), (5, 11)] {
            b.extend(v.to_le_bytes());
            b.extend(e.to_le_bytes());
        }
        let meta = decode_merge_meta(&mut Reader::new(&b)).unwrap().unwrap();
        assert_eq!(
            meta,
            MergeMeta {
                source_pgid: PgId::new(7, 3),
                ready_epoch: 12,
                last_epoch_started: 10,
                last_epoch_clean: 9,
                source_version: EVersion::new(11, 7),
                target_version: EVersion::new(11, 5),
            }
        );
        b.splice(7..19, [0u8; 12]);
        assert_eq!(decode_merge_meta(&mut Reader::new(&b)).unwrap(), None);
        b.truncate(40);
        assert!(decode_merge_meta(&mut Reader::new(&b)).is_err());
    }

    /// `pg_pool_t` v30 (Pacific) always carries the four `peering_crush_*`
    /// fields; v31 and later carry them as an optional tuple. Either makes a
    /// stretch pool of a nonzero bucket count.
    #[test]
    fn stretch_fields_decode_from_v30_and_v31() {
        let decode = |bytes: Vec<u8>| {
            let mut r = Reader::new(&bytes);
            PoolRecord::decode(&mut r)
                .unwrap()
                .pool_info(1, None)
                .unwrap()
        };
        let want = StretchRule {
            bucket_count: 2,
            bucket_target: 2,
            bucket_barrier: 8,
            mandatory_member: -3,
            num_zones: 0,
        };
        let fields = Some([2, 2, 8, (-3i32) as u32]);
        assert_eq!(decode(encode_pool(30, fields)).stretch, Some(want));
        assert_eq!(decode(encode_pool(31, fields)).stretch, Some(want));
        assert_eq!(decode(encode_pool(30, None)).stretch, None);
        assert_eq!(decode(encode_pool(31, None)).stretch, None);
        let plain = decode(encode_pool(29, None));
        assert_eq!((plain.size, plain.min_size, plain.stretch), (4, 2, None));
        // A truncated optional tuple is an error, not a guess.
        let mut cut = encode_pool(31, fields);
        cut.truncate(cut.len() - 2);
        let len = (cut.len() - 6) as u32;
        cut.splice(2..6, len.to_le_bytes());
        assert!(PoolRecord::decode(&mut Reader::new(&cut)).is_err());
    }

    /// `PGPool::get_readable_interval`: the pool's own lease when set, in
    /// seconds as a double; a value no lease can have refuses the pool.
    #[test]
    fn read_lease_interval_comes_from_the_pool_option() {
        let info = |o| pool(o).pool_info(1, None);
        assert_eq!(info(None).unwrap().read_lease_interval, None);
        assert_eq!(
            info(Some(PoolOpt::Double(4.5)))
                .unwrap()
                .read_lease_interval,
            Some(Timespan(4_500_000_000))
        );
        for bad in [
            PoolOpt::Double(-1.0),
            PoolOpt::Double(f64::NAN),
            PoolOpt::Double(1e30),
            PoolOpt::Int(5),
        ] {
            assert!(
                matches!(info(Some(bad.clone())), Err(Kind::OutOfRange(_))),
                "{bad:?}"
            );
        }
    }
}
