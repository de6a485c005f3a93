//! The compact `PastIntervals` representation (Ceph's `pi_compact_rep`, §5.6, §6.11).

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use crate::types::{Epoch, PgShard};

/// One interval that may have gone read-write: its bounds and the acting shards.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CompactInterval {
    /// First epoch of the interval.
    pub first: Epoch,
    /// Last epoch of the interval.
    pub last: Epoch,
    /// The acting shards during the interval.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting: BTreeSet<PgShard>,
}

/// Ceph's `PastIntervals` in its compact form: the bounds `[first, last]` of the
/// history kept, every shard that took part in any interval, and only the intervals
/// that may have gone read-write.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PastIntervals {
    /// First epoch covered (0 when empty).
    pub first: Epoch,
    /// Last epoch covered (0 when empty).
    pub last: Epoch,
    /// Every shard that was up or acting in any recorded interval.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub all_participants: BTreeSet<PgShard>,
    /// The intervals that may have gone read-write, oldest first.
    pub intervals: Vec<CompactInterval>,
}
