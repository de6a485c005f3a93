//! CRUSH tunables and Ceph's named profiles (`CrushWrapper::set_tunables_*`.

use serde::{Deserialize, Serialize};

use super::bucket::BucketAlg;

/// Bucket algorithms allowed by the legacy profiles: uniform, list, straw
/// (`CRUSH_LEGACY_ALLOWED_BUCKET_ALGS`).
pub const LEGACY_ALLOWED_BUCKET_ALGS: u32 = (1 << BucketAlg::Uniform as u32)
    | (1 << BucketAlg::List as u32)
    | (1 << BucketAlg::Straw as u32);

/// Legacy algorithms plus straw2 (hammer and later).
pub const HAMMER_ALLOWED_BUCKET_ALGS: u32 =
    LEGACY_ALLOWED_BUCKET_ALGS | (1 << BucketAlg::Straw2 as u32);

/// The map-wide knobs of `struct crush_map` that change placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tunables {
    /// `choose_local_tries`: local retries on collision before a full descent.
    pub choose_local_tries: u32,
    /// `choose_local_fallback_tries`: exhaustive permutation retries in the same bucket.
    pub choose_local_fallback_tries: u32,
    /// `choose_total_tries`: retries before giving up (the mapper uses it + 1 as tries).
    pub choose_total_tries: u32,
    /// `chooseleaf_descend_once`: the chooseleaf recursion makes one attempt.
    pub chooseleaf_descend_once: u32,
    /// `chooseleaf_vary_r`: pass `r >> (vary_r - 1)` into the chooseleaf recursion.
    pub chooseleaf_vary_r: u8,
    /// `chooseleaf_stable`: the recursion starts at rep 0 for every replica.
    pub chooseleaf_stable: u8,
    /// `straw_calc_version`: how straw (v1) bucket straws are computed (0 buggy, 1 fixed).
    pub straw_calc_version: u8,
    /// `allowed_bucket_algs`: bitmask of algorithms new buckets may use.
    pub allowed_bucket_algs: u32,
}

/// Ceph's named tunable profiles (`ceph osd crush tunables <profile>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TunablesProfile {
    /// argonaut / legacy: 2 local tries, 5 fallback, 19 total, no descend_once.
    Argonaut,
    /// bobtail: local retries off, 50 total tries, descend_once.
    Bobtail,
    /// firefly: bobtail plus `chooseleaf_vary_r = 1`.
    Firefly,
    /// hammer: firefly plus straw2 allowed.
    Hammer,
    /// jewel: hammer plus `chooseleaf_stable = 1`.
    Jewel,
}

impl Tunables {
    /// The tunables a profile sets. Like Ceph's `set_tunables_<profile>`, only argonaut
    /// (legacy) and jewel (optimal/default) pin `straw_calc_version` (0 and 1); the
    /// middle profiles leave it as it was, so `base` supplies it.
    pub fn profile(profile: TunablesProfile, base: Tunables) -> Tunables {
        let mut t = Tunables {
            choose_local_tries: 0,
            choose_local_fallback_tries: 0,
            choose_total_tries: 50,
            chooseleaf_descend_once: 1,
            chooseleaf_vary_r: 1,
            chooseleaf_stable: 0,
            straw_calc_version: base.straw_calc_version,
            allowed_bucket_algs: LEGACY_ALLOWED_BUCKET_ALGS,
        };
        match profile {
            TunablesProfile::Argonaut => {
                t.choose_local_tries = 2;
                t.choose_local_fallback_tries = 5;
                t.choose_total_tries = 19;
                t.chooseleaf_descend_once = 0;
                t.chooseleaf_vary_r = 0;
                t.straw_calc_version = 0;
            }
            TunablesProfile::Bobtail => t.chooseleaf_vary_r = 0,
            TunablesProfile::Firefly => {}
            TunablesProfile::Hammer => t.allowed_bucket_algs = HAMMER_ALLOWED_BUCKET_ALGS,
            TunablesProfile::Jewel => {
                t.allowed_bucket_algs = HAMMER_ALLOWED_BUCKET_ALGS;
                t.chooseleaf_stable = 1;
                t.straw_calc_version = 1;
            }
        }
        t
    }

    /// `set_tunables_legacy`: argonaut with `straw_calc_version = 0`; also what
    /// `crushtool -c` starts from, so a text map without `tunable` lines gets these.
    pub fn legacy() -> Tunables {
        Tunables::profile(TunablesProfile::Argonaut, Tunables::optimal())
    }

    /// `set_tunables_optimal` / `set_tunables_default` (jewel with straw_calc_version 1):
    /// what a freshly created cluster map (and [`super::CrushBuilder::new`]) gets.
    pub fn optimal() -> Tunables {
        Tunables {
            choose_local_tries: 0,
            choose_local_fallback_tries: 0,
            choose_total_tries: 50,
            chooseleaf_descend_once: 1,
            chooseleaf_vary_r: 1,
            chooseleaf_stable: 1,
            straw_calc_version: 1,
            allowed_bucket_algs: HAMMER_ALLOWED_BUCKET_ALGS,
        }
    }
}

impl Default for Tunables {
    fn default() -> Self {
        Tunables::optimal()
    }
}
