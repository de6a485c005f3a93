//! The compact `PastIntervals` representation (Ceph's `pi_compact_rep`).

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use super::shards::{extend_shard_set, first_duplicate};
use super::{IntervalError, PgInterval};
use crate::types::{Epoch, PgShard};

/// One interval that may have gone read-write (`compact_interval_t`):
/// its bounds and the acting shards, the witnesses of any write it accepted.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CompactInterval {
    /// First epoch of the interval.
    pub first: Epoch,
    /// Last epoch of the interval (inclusive).
    pub last: Epoch,
    /// The acting shards during the interval.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting: BTreeSet<PgShard>,
}

impl CompactInterval {
    /// `compact_interval_t::supersedes`: every member of this interval was also a
    /// member of `other`, so probing one of ours also reaches one of `other`'s.
    pub fn supersedes(&self, other: &CompactInterval) -> bool {
        self.acting.is_subset(&other.acting)
    }
}

/// Ceph's `PastIntervals` in its compact form (`pi_compact_rep`).
///
/// It answers two questions only: who might hold unfound objects (every shard that
/// took part in any interval), and which sets of shards must each be reached (at
/// least one member per interval that may have gone read-write) to be sure of
/// speaking to a witness of every completed write. Intervals whose acting set is a
/// superset of a newer kept interval's are dropped: probing the newer, smaller set
/// covers them.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PastIntervals {
    first: Epoch,
    last: Epoch,
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    all_participants: BTreeSet<PgShard>,
    intervals: Vec<CompactInterval>,
}

impl PastIntervals {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// `empty()`: no epoch recorded (`first > last`, or both 0).
    pub fn is_empty(&self) -> bool {
        self.first > self.last || (self.first == 0 && self.last == 0)
    }

    /// `size()`: how many maybe-read-write intervals are kept.
    pub fn len(&self) -> usize {
        self.intervals.len()
    }

    /// `clear()`: forget everything (Ceph does so on a map gap).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// First epoch covered, `first` of (0 when empty).
    pub fn first(&self) -> Epoch {
        self.first
    }

    /// Last epoch covered, inclusive, `last` of (0 when empty).
    pub fn last(&self) -> Epoch {
        self.last
    }

    /// `get_bounds()`: the epochs covered as the half-open range `[first, last + 1)`.
    pub fn bounds(&self) -> (Epoch, Epoch) {
        (self.first, self.last.saturating_add(1))
    }

    /// `get_all_participants()` / `get_all_probe()`: every acting shard of every
    /// recorded interval, whether or not it may have gone read-write.
    pub fn all_participants(&self) -> &BTreeSet<PgShard> {
        &self.all_participants
    }

    /// The kept maybe-read-write intervals, oldest first.
    pub fn intervals(&self) -> &[CompactInterval] {
        &self.intervals
    }

    /// `get_might_have_unfound(me)`: every participant but this instance, the
    /// places an unfound object could still be.
    pub fn might_have_unfound(&self, me: PgShard) -> BTreeSet<PgShard> {
        let mut set = self.all_participants.clone();
        set.remove(&me);
        set
    }

    /// `iterate_mayberw_back_to(les)`: the kept intervals newest first, stopping at
    /// the first that ended before `les` (writes before the last started interval
    /// are already in every activated log).
    pub fn iterate_mayberw_back_to(
        &self,
        les: Epoch,
    ) -> impl Iterator<Item = &CompactInterval> + '_ {
        self.intervals
            .iter()
            .rev()
            .take_while(move |i| i.last >= les)
    }

    /// `adjust_start_backwards(lec)`: extend the recorded start back to
    /// `last_epoch_clean` (used when a history is rebuilt from older maps).
    pub fn adjust_start_backwards(&mut self, last_epoch_clean: Epoch) {
        self.first = last_epoch_clean;
    }

    /// `add_interval(ec_pool, i)`: record the interval that just closed.
    ///
    /// Its acting shards join the participants (holes skipped, EC shard = position).
    /// If it may have gone read-write it is kept, and every older kept interval
    /// whose acting set contains all of its members is dropped.
    ///
    /// Refused, leaving `self` unchanged: `i.first > i.last`; `i.last` not after the
    /// recorded end (Ceph asserts); a replicated acting vector naming an OSD twice;
    /// an EC position beyond a shard id.
    pub fn add_interval(&mut self, ec_pool: bool, i: &PgInterval) -> Result<(), IntervalError> {
        if i.first > i.last {
            return Err(IntervalError::InvertedInterval {
                first: i.first,
                last: i.last,
            });
        }
        if i.last <= self.last {
            return Err(IntervalError::NotAfterLast {
                last: i.last,
                recorded: self.last,
            });
        }
        if !ec_pool {
            if let Some(osd) = first_duplicate(&i.acting) {
                return Err(IntervalError::DuplicateOsd { osd });
            }
        }
        let mut acting = BTreeSet::new();
        extend_shard_set(&mut acting, ec_pool, &i.acting)?;

        if self.first == 0 {
            self.first = i.first;
        }
        self.last = i.last;
        self.all_participants.extend(acting.iter().copied());
        if !i.maybe_went_rw {
            return Ok(());
        }
        let newest = CompactInterval {
            first: i.first,
            last: i.last,
            acting,
        };
        self.intervals.retain(|older| !newest.supersedes(older));
        self.intervals.push(newest);
        Ok(())
    }
}
