//! CRUSH rules and their steps (`struct crush_rule`, `CRUSH_RULE_*` op codes in
//! `src/crush/crush.h`;.

use serde::{Deserialize, Serialize};

/// `CEPH_PG_TYPE_REPLICATED`: rule type for replicated pools.
pub const RULE_TYPE_REPLICATED: u8 = 1;
/// `CEPH_PG_TYPE_ERASURE`: rule type for erasure-coded pools.
pub const RULE_TYPE_ERASURE: u8 = 3;

/// One rule step. `num` in choose steps is Ceph's `arg1`: positive = that many,
/// zero or negative = relative to the requested result size (`CRUSH_N_MINUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleStep {
    /// `CRUSH_RULE_NOOP` (0).
    Noop,
    /// `step take <item>` (1): start from a bucket (or device). With a device class
    /// the item is already the shadow bucket (`host~ssd`).
    Take(i32),
    /// `step choose firstn N type T` (2).
    ChooseFirstN {
        /// N.
        num: i32,
        /// T (type id).
        type_id: i32,
    },
    /// `step choose indep N type T` (3).
    ChooseIndep {
        /// N.
        num: i32,
        /// T (type id).
        type_id: i32,
    },
    /// `step emit` (4): append the working set to the result.
    Emit,
    /// `step chooseleaf firstn N type T` (6).
    ChooseLeafFirstN {
        /// N.
        num: i32,
        /// T (type id).
        type_id: i32,
    },
    /// `step chooseleaf indep N type T` (7).
    ChooseLeafIndep {
        /// N.
        num: i32,
        /// T (type id).
        type_id: i32,
    },
    /// `step set_choose_tries V` (8): overrides `choose_total_tries + 1` when V > 0.
    SetChooseTries(i32),
    /// `step set_chooseleaf_tries V` (9): tries of the chooseleaf recursion when V > 0.
    SetChooseLeafTries(i32),
    /// `step set_choose_local_tries V` (10).
    SetChooseLocalTries(i32),
    /// `step set_choose_local_fallback_tries V` (11).
    SetChooseLocalFallbackTries(i32),
    /// `step set_chooseleaf_vary_r V` (12).
    SetChooseLeafVaryR(i32),
    /// `step set_chooseleaf_stable V` (13).
    SetChooseLeafStable(i32),
}

/// A rule: a program of steps evaluated by `crush_do_rule`. The id is the index in
/// the map's rule array (and, since Luminous, also the "ruleset").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Rule id.
    pub id: i32,
    /// Rule name (`replicated_rule`...), may be empty.
    pub name: String,
    /// Pool type the rule serves: [`RULE_TYPE_REPLICATED`] or [`RULE_TYPE_ERASURE`].
    pub rule_type: u8,
    /// Smallest pool size the rule is meant for (`min_size`, deprecated in Ceph).
    pub min_size: u32,
    /// Largest pool size the rule is meant for (`max_size`).
    pub max_size: u32,
    /// The steps in order.
    pub steps: Vec<RuleStep>,
}
