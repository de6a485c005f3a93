//! [`ActingError`]: why an acting-set computation refused its input.

use crate::types::PgShard;

/// Why authoritative-log or acting-set choice refused its input (§5.8–5.10).
///
/// Ceph's documented outcomes ("no authoritative log", "not recoverable") are results,
/// not errors; these are inputs that contradict themselves.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ActingError {
    /// The same shard's info was supplied twice.
    #[error("info for {shard:?} supplied twice")]
    DuplicateInfo {
        /// The repeated shard.
        shard: PgShard,
    },
}
