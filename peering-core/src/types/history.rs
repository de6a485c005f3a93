//! Ceph's `pg_history_t`.

use core::fmt;

use super::eversion::{EVersion, Epoch};
use super::time::{Timespan, UTime};

/// Ceph's `pg_history_t`: what every OSD knows of a PG's recent history, shared
/// aggressively so that each OSD bounds how far back it must look.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgHistory {
    /// Epoch the PG was created (pool creation or split).
    pub epoch_created: Epoch,
    /// Epoch the pool was created.
    pub epoch_pool_created: Epoch,
    /// `les`: lower bound on the last epoch some interval went active.
    pub last_epoch_started: Epoch,
    /// `lis`: the first epoch of that started interval.
    pub last_interval_started: Epoch,
    /// `lec`: lower bound on the last epoch the PG was clean.
    pub last_epoch_clean: Epoch,
    /// `lic`: the first epoch of that clean interval.
    pub last_interval_clean: Epoch,
    /// The last split epoch (as parent or child).
    pub last_epoch_split: Epoch,
    /// The last epoch the pool or cluster was marked full.
    pub last_epoch_marked_full: Epoch,
    /// The up set has been unchanged since this epoch.
    pub same_up_since: Epoch,
    /// `sis`: up and acting (the interval) unchanged since this epoch.
    pub same_interval_since: Epoch,
    /// The acting primary has been unchanged since this epoch.
    pub same_primary_since: Epoch,
    /// Version of the last scrub.
    pub last_scrub: EVersion,
    /// Version of the last deep scrub.
    pub last_deep_scrub: EVersion,
    /// When the last scrub finished.
    pub last_scrub_stamp: UTime,
    /// When the last deep scrub finished.
    pub last_deep_scrub_stamp: UTime,
    /// When the last scrub that found nothing finished.
    pub last_clean_scrub_stamp: UTime,
    /// Time prior intervals may still serve reads, relative to when it was encoded.
    pub prior_readable_until_ub: Timespan,
}

impl PgHistory {
    /// `pg_history_t(created, stamp)`: a PG created at `created`.
    pub fn new(created: Epoch, stamp: UTime) -> Self {
        PgHistory {
            epoch_created: created,
            epoch_pool_created: created,
            same_up_since: created,
            same_interval_since: created,
            same_primary_since: created,
            last_scrub_stamp: stamp,
            last_deep_scrub_stamp: stamp,
            last_clean_scrub_stamp: stamp,
            ..PgHistory::default()
        }
    }

    /// `pg_history_t::merge`: learn from a peer's history; returns whether anything
    /// changed.
    ///
    /// Every epoch, version and stamp takes the newer of the two. The interval fields
    /// (`same_*_since`) are not merged: each OSD computes them from its own maps.
    /// `prior_readable_until_ub` follows `lis`: a newer started interval replaces it;
    /// the same interval keeps the tighter (smaller) bound.
    pub fn merge(&mut self, other: &PgHistory) -> bool {
        let mut modified = false;
        fn raise<T: Ord + Copy>(mine: &mut T, theirs: T, modified: &mut bool) {
            if *mine < theirs {
                *mine = theirs;
                *modified = true;
            }
        }
        raise(&mut self.epoch_created, other.epoch_created, &mut modified);
        raise(
            &mut self.epoch_pool_created,
            other.epoch_pool_created,
            &mut modified,
        );
        raise(
            &mut self.last_epoch_started,
            other.last_epoch_started,
            &mut modified,
        );
        if self.last_interval_started < other.last_interval_started {
            self.last_interval_started = other.last_interval_started;
            // A newer started interval makes our read bound obsolete.
            self.prior_readable_until_ub = other.prior_readable_until_ub;
            modified = true;
        } else if self.last_interval_started == other.last_interval_started
            && other.prior_readable_until_ub < self.prior_readable_until_ub
        {
            self.prior_readable_until_ub = other.prior_readable_until_ub;
            modified = true;
        }
        raise(
            &mut self.last_epoch_clean,
            other.last_epoch_clean,
            &mut modified,
        );
        raise(
            &mut self.last_interval_clean,
            other.last_interval_clean,
            &mut modified,
        );
        raise(
            &mut self.last_epoch_split,
            other.last_epoch_split,
            &mut modified,
        );
        raise(
            &mut self.last_epoch_marked_full,
            other.last_epoch_marked_full,
            &mut modified,
        );
        raise(&mut self.last_scrub, other.last_scrub, &mut modified);
        raise(
            &mut self.last_scrub_stamp,
            other.last_scrub_stamp,
            &mut modified,
        );
        raise(
            &mut self.last_deep_scrub,
            other.last_deep_scrub,
            &mut modified,
        );
        raise(
            &mut self.last_deep_scrub_stamp,
            other.last_deep_scrub_stamp,
            &mut modified,
        );
        raise(
            &mut self.last_clean_scrub_stamp,
            other.last_clean_scrub_stamp,
            &mut modified,
        );
        modified
    }
}

impl fmt::Debug for PgHistory {
    /// Ceph's form: `ec=created/pool_created lis/c=lis/lic les/c/f=les/lec/full sis=sis`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ec={}/{} lis/c={}/{} les/c/f={}/{}/{} sis={}",
            self.epoch_created,
            self.epoch_pool_created,
            self.last_interval_started,
            self.last_interval_clean,
            self.last_epoch_started,
            self.last_epoch_clean,
            self.last_epoch_marked_full,
            self.same_interval_since
        )?;
        if self.prior_readable_until_ub != Timespan(0) {
            write!(f, " pruub={}ns", self.prior_readable_until_ub.0)?;
        }
        Ok(())
    }
}
