//! [`IntervalError`]: why a past-intervals operation refused its input.

use crate::types::Epoch;

/// Why a past-intervals or prior-set operation refused its input (§5.1–5.7).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum IntervalError {
    /// An interval that does not start after the last recorded one
    /// (`add_interval` requires `i.last > last`).
    #[error("interval ending at {last} does not follow the recorded end {recorded}")]
    NotAfterLast {
        /// The end of the offered interval.
        last: Epoch,
        /// The end already recorded.
        recorded: Epoch,
    },
}
