//! [`LogError`]: why a PG log operation refused its input.

use crate::types::EVersion;

/// Why a PG log or missing-set operation refused its input (§5.11–5.14, §6.8–6.10).
///
/// An operation returning one of these has left the log and missing set exactly as
/// they were.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum LogError {
    /// A log whose tail is past its head (`pg_log_t` requires `tail <= head`).
    #[error("log tail {tail:?} is past its head {head:?}")]
    TailPastHead {
        /// The claimed tail.
        tail: EVersion,
        /// The claimed head.
        head: EVersion,
    },
}
