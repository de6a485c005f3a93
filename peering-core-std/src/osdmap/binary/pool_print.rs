//! `pg_pool_t`'s `operator<<` and the pool lines of `OSDMap::print_pools`.

use core::fmt;

use super::common::fmt_intervals;
use super::number::fmt_g;
use super::pool::{
    HitSetParams, POOL_TYPE_ERASURE, PoolOpt, PoolRecord, STR_HASH_LINUX, STR_HASH_RJENKINS,
};

impl fmt::Display for PoolOpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolOpt::Str(s) => f.write_str(s),
            PoolOpt::Int(i) => write!(f, "{i}"),
            PoolOpt::Double(d) => f.write_str(&fmt_g(*d)),
        }
    }
}

/// `pool_opts_t::key_t` → option name (`opt_mapping`), in key order.
const OPT_NAMES: [&str; 24] = [
    "scrub_min_interval",
    "scrub_max_interval",
    "deep_scrub_interval",
    "recovery_priority",
    "recovery_op_priority",
    "scrub_priority",
    "compression_mode",
    "compression_algorithm",
    "compression_required_ratio",
    "compression_max_blob_size",
    "compression_min_blob_size",
    "csum_type",
    "csum_max_block",
    "csum_min_block",
    "fingerprint_algorithm",
    "pg_num_min",
    "target_size_bytes",
    "target_size_ratio",
    "pg_autoscale_bias",
    "read_lease_interval",
    "dedup_tier",
    "dedup_chunk_algorithm",
    "dedup_cdc_chunk_size",
    "pg_num_max",
];

/// `pg_pool_t`'s `operator<<` (the text after `pool N 'name' ` in
/// `OSDMap::print`).
impl fmt::Display for PoolRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name())?;
        if self.kind == POOL_TYPE_ERASURE {
            write!(f, " profile {}", self.erasure_code_profile)?;
        }
        let hash = match self.object_hash {
            STR_HASH_LINUX => "linux",
            STR_HASH_RJENKINS => "rjenkins",
            _ => "unknown",
        };
        write!(
            f,
            " size {} min_size {} crush_rule {} object_hash {hash} pg_num {} pgp_num {}",
            self.size, self.min_size, self.crush_rule, self.pg_num, self.pgp_num
        )?;
        if self.pg_num_target != self.pg_num {
            write!(f, " pg_num_target {}", self.pg_num_target)?;
        }
        if self.pgp_num_target != self.pgp_num {
            write!(f, " pgp_num_target {}", self.pgp_num_target)?;
        }
        if self.pg_num_pending != self.pg_num {
            write!(f, " pg_num_pending {}", self.pg_num_pending)?;
        }
        let mode = match self.pg_autoscale_mode {
            0 => Some("off"),
            1 => Some("warn"),
            2 => Some("on"),
            _ => None,
        };
        if let Some(mode) = mode {
            write!(f, " autoscale_mode {mode}")?;
        }
        write!(f, " last_change {}", self.last_change)?;
        if self.last_force_op_resend != 0
            || self.last_force_op_resend_prenautilus != 0
            || self.last_force_op_resend_preluminous != 0
        {
            write!(
                f,
                " lfor {}/{}/{}",
                self.last_force_op_resend,
                self.last_force_op_resend_prenautilus,
                self.last_force_op_resend_preluminous
            )?;
        }
        if self.auid != 0 {
            write!(f, " owner {}", self.auid)?;
        }
        if self.flags != 0 {
            write!(f, " flags {}", self.flags_string())?;
        }
        if self.quota_max_bytes != 0 {
            write!(f, " max_bytes {}", self.quota_max_bytes)?;
        }
        if self.quota_max_objects != 0 {
            write!(f, " max_objects {}", self.quota_max_objects)?;
        }
        if !self.tiers.is_empty() {
            let t: Vec<String> = self.tiers.iter().map(u64::to_string).collect();
            write!(f, " tiers [{}]", t.join(","))?;
        }
        if self.tier_of >= 0 {
            write!(f, " tier_of {}", self.tier_of)?;
        }
        if self.read_tier >= 0 {
            write!(f, " read_tier {}", self.read_tier)?;
        }
        if self.write_tier >= 0 {
            write!(f, " write_tier {}", self.write_tier)?;
        }
        if self.cache_mode != 0 {
            const MODES: [&str; 7] = [
                "none",
                "writeback",
                "forward",
                "readonly",
                "readforward",
                "readproxy",
                "proxy",
            ];
            let name = MODES
                .get(usize::from(self.cache_mode))
                .unwrap_or(&"unknown");
            write!(f, " cache_mode {name}")?;
        }
        if self.target_max_bytes != 0 {
            write!(f, " target_bytes {}", self.target_max_bytes)?;
        }
        if self.target_max_objects != 0 {
            write!(f, " target_objects {}", self.target_max_objects)?;
        }
        if self.hit_set_params != HitSetParams::None {
            let params = match &self.hit_set_params {
                HitSetParams::Bloom {
                    fpp_micro,
                    target_size,
                    seed,
                } => format!(
                    "bloom{{false_positive_probability: {}, target_size: {target_size}, seed: {seed}}}",
                    fmt_g(f64::from(*fpp_micro) / 1_000_000.0)
                ),
                HitSetParams::ExplicitHash => "explicit_hash{}".to_string(),
                HitSetParams::ExplicitObject => "explicit_object{}".to_string(),
                HitSetParams::None => "none}".to_string(),
            };
            write!(
                f,
                " hit_set {params} {}s x{} decay_rate {} search_last_n {}",
                self.hit_set_period,
                self.hit_set_count,
                self.hit_set_grade_decay_rate,
                self.hit_set_search_last_n
            )?;
        }
        if self.min_read_recency_for_promote != 0 {
            write!(
                f,
                " min_read_recency_for_promote {}",
                self.min_read_recency_for_promote
            )?;
        }
        if self.min_write_recency_for_promote != 0 {
            write!(
                f,
                " min_write_recency_for_promote {}",
                self.min_write_recency_for_promote
            )?;
        }
        write!(f, " stripe_width {}", self.stripe_width)?;
        if self.expected_num_objects != 0 {
            write!(f, " expected_num_objects {}", self.expected_num_objects)?;
        }
        if self.fast_read {
            f.write_str(" fast_read 1")?;
        }
        // pool_opts_t's operator<<: by option name, alphabetically.
        let mut named: Vec<(&str, &PoolOpt)> = self
            .opts
            .iter()
            .filter_map(|(k, v)| {
                let name = usize::try_from(*k).ok().and_then(|i| OPT_NAMES.get(i))?;
                Some((*name, v))
            })
            .collect();
        named.sort_by_key(|(n, _)| *n);
        for (name, value) in named {
            write!(f, " {name} {value}")?;
        }
        if !self.application_metadata.is_empty() {
            let apps: Vec<&str> = self
                .application_metadata
                .keys()
                .map(String::as_str)
                .collect();
            write!(f, " application {}", apps.join(","))?;
        }
        Ok(())
    }
}

/// The lines `OSDMap::print_pools` prints under a pool: its snapshots and
/// removed snaps.
pub(super) fn fmt_pool_snaps(p: &PoolRecord, out: &mut String) {
    for snap in p.snaps.values() {
        out.push_str(&format!(
            "\tsnap {} '{}' {}\n",
            snap.snapid, snap.name, snap.stamp
        ));
    }
    if !p.removed_snaps.is_empty() {
        out.push_str(&format!(
            "\tremoved_snaps {}\n",
            fmt_intervals(&p.removed_snaps)
        ));
    }
}
