//! The epochs `PastIntervals` must cover (`get_required_past_interval_bounds`) and
//! the check that they do (`check_past_interval_bounds`).

use super::{IntervalError, PastIntervals};
use crate::types::{Epoch, PgHistory};

/// `get_required_past_interval_bounds`: the half-open range `[start, end)`
/// of epochs whose intervals a PG must remember.
///
/// It starts at the last epoch the PG was clean (before that every write is on
/// every clean replica), or the pool's creation if it never was, but never before
/// the oldest map the cluster still keeps (`oldest_map`, nothing older can be
/// read). It ends at the start of the current interval.
pub fn required_past_interval_bounds(history: &PgHistory, oldest_map: Epoch) -> (Epoch, Epoch) {
    let clean = if history.last_epoch_clean != 0 {
        history.last_epoch_clean
    } else {
        history.epoch_pool_created
    };
    let start = clean.max(oldest_map);
    let end = history.same_interval_since.max(history.epoch_pool_created);
    (start, end)
}

/// What `check_past_interval_bounds` found when it did not refuse.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BoundsCheck {
    /// The recorded intervals cover what is required.
    Consistent,
    /// Nothing is required, yet intervals are recorded and the required start is
    /// not simply the oldest kept map. Ceph only logs a cluster error for this.
    UnexpectedIntervals,
}

impl PastIntervals {
    /// `check_past_interval_bounds` against the required `[start, end)` of
    /// [`required_past_interval_bounds`].
    ///
    /// When something is required (`start < end`) the history must be non-empty,
    /// start no later than `start` and end exactly at `end`; Ceph aborts the OSD
    /// otherwise, here each case is a typed error. When nothing is required a
    /// non-empty history is only worth a warning ([`BoundsCheck::UnexpectedIntervals`]),
    /// unless the required start is the oldest kept map (then the PG's info explains
    /// the history).
    pub fn check_past_interval_bounds(
        &self,
        required: (Epoch, Epoch),
        oldest_map: Epoch,
    ) -> Result<BoundsCheck, IntervalError> {
        let (start, end) = required;
        if start >= end {
            if !self.is_empty() && start > oldest_map {
                return Ok(BoundsCheck::UnexpectedIntervals);
            }
            return Ok(BoundsCheck::Consistent);
        }
        if self.is_empty() {
            return Err(IntervalError::RequiredButEmpty { start, end });
        }
        let (have_start, have_end) = self.bounds();
        if have_start > start {
            return Err(IntervalError::StartAfterRequired {
                start: have_start,
                required: start,
            });
        }
        if have_end != end {
            return Err(IntervalError::EndMismatch {
                end: have_end,
                required: end,
            });
        }
        Ok(BoundsCheck::Consistent)
    }
}
