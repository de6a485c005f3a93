//! Per-bucket alternative weights and ids for straw2 (`struct crush_choose_arg`,
//! the "weight sets" of the balancer;.

use serde::{Deserialize, Serialize};

/// `DEFAULT_CHOOSE_ARGS`: the choose_args set used when a pool has none of its own.
pub const DEFAULT_CHOOSE_ARGS: i64 = -1;

/// Alternatives for one straw2 bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChooseArg {
    /// Ids hashed in place of the item ids (`ids`), same length as the bucket.
    pub ids: Option<Vec<i32>>,
    /// One weight vector per result position (`weight_set`); positions past the last
    /// use the last vector.
    pub weight_set: Vec<Vec<u32>>,
}
