//! [`PeeringError`]: every way the peering core refuses an input.
//!
//! Peers are untrusted (DESIGN.md §4). Each error names exactly what was wrong, and an
//! operation that returns one leaves its inputs as they were: nothing is half-applied.

use crate::acting::ActingError;
use crate::intervals::IntervalError;
use crate::log::LogError;
use crate::types::{EVersion, Epoch};

/// Why the peering core refused an input.
///
/// Modelled on rustls' error enums: one variant per distinct failure, each saying
/// what was wrong in Ceph's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PeeringError {
    /// An `eversion_t` went backwards where Ceph requires it to grow (§6.1).
    #[error("version went backwards: {new:?} is not after {prev:?}")]
    VersionBackwards {
        /// The version already recorded.
        prev: EVersion,
        /// The offending, older or equal, version.
        new: EVersion,
    },
    /// An epoch went backwards where Ceph requires it never to (DESIGN.md §7).
    #[error("epoch went backwards: {new} is before {prev}")]
    EpochBackwards {
        /// The epoch already recorded.
        prev: Epoch,
        /// The offending, older, epoch.
        new: Epoch,
    },
    /// The PG log or missing set refused an operation (§5.11–5.14).
    #[error("pg log: {0}")]
    Log(#[from] LogError),
    /// A past-intervals or prior-set operation refused its input (§5.1–5.7).
    #[error("past intervals: {0}")]
    Interval(#[from] IntervalError),
    /// Authoritative-log or acting-set choice refused its input (§5.8–5.10).
    #[error("acting set: {0}")]
    Acting(#[from] ActingError),
}
