//! `check_new_interval`: record the interval a map change just closed.

use super::shards::{count_present, to_shard_set, validate_vector};
use super::{IntervalError, IsPgRecoverable, PastIntervals, PgInterval, UpActing, is_new_interval};
use crate::map::{OsdMapView, PoolInfo};
use crate::types::{Epoch, OsdId, PgId};

/// Whether a stretch pool's acting set spans enough CRUSH buckets to peer
/// (`pg_pool_t::stretch_set_can_peer`, asked by `check_new_interval`).
///
/// Deviation: Ceph walks the CRUSH hierarchy of the map; the core has no CRUSH, so
/// the host answers. It is asked only for stretch pools. Any
/// `Fn(&PoolInfo, &[OsdId]) -> bool` is one.
pub trait StretchCanPeer {
    /// True when `acting` satisfies `pool`'s stretch peering constraint.
    fn stretch_set_can_peer(&self, pool: &PoolInfo, acting: &[OsdId]) -> bool;
}

impl<F: Fn(&PoolInfo, &[OsdId]) -> bool> StretchCanPeer for F {
    fn stretch_set_can_peer(&self, pool: &PoolInfo, acting: &[OsdId]) -> bool {
        self(pool, acting)
    }
}

/// Why `check_new_interval` decided the closed interval did or did
/// not possibly go read-write (Ceph prints one message per case; its tests check
/// them).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RwReason {
    /// "acting set is too small": no members, no primary, fewer than the old pool's
    /// `min_size`, the stretch constraint unmet, or not recoverable. Not read-write.
    ActingSetTooSmall,
    /// "primary up ... includes interval": the primary was up at the interval's
    /// start and its up_thru reached it, so it may have gone active. Read-write.
    PrimaryUpThruIncludesInterval,
    /// "includes last_epoch_clean ... presumed to have been rw": the PG was clean
    /// inside the interval, so it must have been active. Read-write.
    IncludesLastEpochClean,
    /// "primary up ... does not include interval": the primary's up_thru never
    /// reached the interval, so it cannot have gone active. Not read-write.
    PrimaryUpDoesNotIncludeInterval,
}

impl RwReason {
    /// The `maybe_went_rw` this reason implies.
    pub const fn maybe_went_rw(self) -> bool {
        matches!(
            self,
            RwReason::PrimaryUpThruIncludesInterval | RwReason::IncludesLastEpochClean
        )
    }
}

/// The interval `check_new_interval` recorded, and why it judged
/// `maybe_went_rw` so.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClosedInterval {
    /// The interval added to `PastIntervals`.
    pub interval: PgInterval,
    /// Why `maybe_went_rw` is what it is.
    pub reason: RwReason,
}

/// `check_new_interval`: if the step `lastmap` → `osdmap` starts a new
/// interval for `pgid`, record the one that ended, `[same_interval_since,
/// osdmap.epoch() - 1]` with the old mapping, in `past_intervals` and return it;
/// otherwise `Ok(None)`.
///
/// `maybe_went_rw` needs an old acting set with members and a primary, at least the
/// old pool's `min_size` members, the stretch constraint (stretch pools), and
/// `could_have_gone_active` of its shards; then either the old primary's up_from /
/// up_thru in `lastmap` cover the interval's start, or `last_epoch_clean` lies inside
/// it.
///
/// Refused (with `past_intervals` unchanged): an interval that would end before it
/// starts; vectors that mean nothing for their pool (see `validate_vector`); an
/// interval not after the recorded ones.
pub fn check_new_interval<N, L, R, S>(
    change: (&UpActing, &UpActing),
    same_interval_since: Epoch,
    last_epoch_clean: Epoch,
    maps: (&N, &L),
    pgid: PgId,
    predicates: (&R, &S),
    past_intervals: &mut PastIntervals,
) -> Result<Option<ClosedInterval>, IntervalError>
where
    N: OsdMapView + ?Sized,
    L: OsdMapView + ?Sized,
    R: IsPgRecoverable + ?Sized,
    S: StretchCanPeer + ?Sized,
{
    let (old, new) = change;
    let (osdmap, lastmap) = maps;
    let (could_have_gone_active, stretch) = predicates;
    if !is_new_interval(old, new, osdmap, lastmap, pgid) {
        return Ok(None);
    }
    // is_new_interval is false when the pool is absent from lastmap.
    let Some(old_pool) = lastmap.pool(pgid.pool) else {
        return Ok(None);
    };
    validate_vector(&old_pool, &old.acting)?;
    validate_vector(&old_pool, &old.up)?;
    if let Some(new_pool) = osdmap.pool(pgid.pool) {
        validate_vector(&new_pool, &new.acting)?;
        validate_vector(&new_pool, &new.up)?;
    }
    let last = osdmap.epoch().checked_sub(1);
    let last = match last {
        Some(last) if same_interval_since <= last => last,
        _ => {
            return Err(IntervalError::InvertedInterval {
                first: same_interval_since,
                last: osdmap.epoch().saturating_sub(1),
            });
        }
    };
    let mut interval = PgInterval {
        up: old.up.clone(),
        acting: old.acting.clone(),
        first: same_interval_since,
        last,
        maybe_went_rw: false,
        primary: old.acting_primary,
        up_primary: old.up_primary,
    };
    let old_shards = to_shard_set(old_pool.is_erasure(), &old.acting)?;
    let num_acting = count_present(&old.acting);
    let big_enough = num_acting > 0
        && interval.primary != OsdId::UNDEF
        && u32::try_from(num_acting).is_ok_and(|n| n >= old_pool.min_size)
        && (!old_pool.is_stretch_pool() || stretch.stretch_set_can_peer(&old_pool, &old.acting))
        && could_have_gone_active.is_recoverable(&old_shards);
    let reason = if !big_enough {
        RwReason::ActingSetTooSmall
    } else if lastmap.up_thru(interval.primary) >= interval.first
        && lastmap.up_from(interval.primary) <= interval.first
    {
        RwReason::PrimaryUpThruIncludesInterval
    } else if (interval.first..=interval.last).contains(&last_epoch_clean) {
        // Recovery cannot finish without the PG active, and the oldest interval
        // (the one holding lec) must not flip to "never rw" on up_thru timing.
        RwReason::IncludesLastEpochClean
    } else {
        RwReason::PrimaryUpDoesNotIncludeInterval
    };
    interval.maybe_went_rw = reason.maybe_went_rw();
    past_intervals.add_interval(old_pool.is_erasure(), &interval)?;
    Ok(Some(ClosedInterval { interval, reason }))
}
