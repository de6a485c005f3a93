//! Ceph's `pg_info_t`.

use core::fmt;

use super::eversion::{EVersion, Epoch, Version};
use super::history::PgHistory;
use super::object::ObjectId;
use super::pg::SpgId;

/// The part of Ceph's `pg_stat_t` that peering reads or reports: object counts for
/// the backfill space check and async-recovery cost, and the recovery gauges the
/// primary publishes.
#[derive(Clone, PartialEq, Eq, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgStats {
    /// The PG version the stats were taken at.
    pub version: EVersion,
    /// Epoch the stats were reported in.
    pub reported_epoch: Epoch,
    /// Sequence number of the report.
    pub reported_seq: u64,
    /// Bytes stored (`num_bytes`): the backfill target's space check reads it.
    pub num_bytes: i64,
    /// Objects stored (`num_objects`).
    pub num_objects: i64,
    /// Objects missing on the primary.
    pub num_objects_missing_on_primary: i64,
    /// Objects missing anywhere in the acting set.
    pub num_objects_missing: i64,
    /// Degraded object copies.
    pub num_objects_degraded: i64,
    /// Misplaced object copies.
    pub num_objects_misplaced: i64,
    /// Objects no OSD is known to hold.
    pub num_objects_unfound: i64,
    /// Entries in the PG log (`log_size`).
    pub log_size: i64,
}

impl PgStats {
    /// `pg_stat_t::add`: a merge target takes on a source's counts (the
    /// sums and the log size; the version and report stamps stay ours).
    pub fn add(&mut self, other: &PgStats) {
        self.num_bytes = self.num_bytes.saturating_add(other.num_bytes);
        self.num_objects = self.num_objects.saturating_add(other.num_objects);
        self.num_objects_missing_on_primary = self
            .num_objects_missing_on_primary
            .saturating_add(other.num_objects_missing_on_primary);
        self.num_objects_missing = self
            .num_objects_missing
            .saturating_add(other.num_objects_missing);
        self.num_objects_degraded = self
            .num_objects_degraded
            .saturating_add(other.num_objects_degraded);
        self.num_objects_misplaced = self
            .num_objects_misplaced
            .saturating_add(other.num_objects_misplaced);
        self.num_objects_unfound = self
            .num_objects_unfound
            .saturating_add(other.num_objects_unfound);
        self.log_size = self.log_size.saturating_add(other.log_size);
    }
}

/// Ceph's `pg_info_t`: one PG instance's summary of its own state.
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgInfo {
    /// The PG and shard this instance holds.
    pub pgid: SpgId,
    /// The newest log entry applied to the store: the PG's version.
    pub last_update: EVersion,
    /// Every object is present at least up to this version (`<= last_update`).
    pub last_complete: EVersion,
    /// Local: the last epoch this OSD's instance activated (vs the cluster-wide
    /// `history.last_epoch_started`).
    pub last_epoch_started: Epoch,
    /// Local counterpart of `history.last_interval_started`.
    pub last_interval_started: Epoch,
    /// The last user-visible object version applied.
    pub last_user_version: Version,
    /// The oldest log bound: the log covers `(log_tail, last_update]`.
    pub log_tail: EVersion,
    /// Objects after this may be missing (backfill in progress); `MAX` when complete.
    pub last_backfill: ObjectId,
    /// The statistics peering reads.
    pub stats: PgStats,
    /// The PG's history.
    pub history: PgHistory,
}

impl PgInfo {
    /// `pg_info_t(pgid)`: an empty instance, complete (`last_backfill = MAX`).
    pub fn new(pgid: SpgId) -> Self {
        PgInfo {
            pgid,
            last_update: EVersion::ZERO,
            last_complete: EVersion::ZERO,
            last_epoch_started: 0,
            last_interval_started: 0,
            last_user_version: 0,
            log_tail: EVersion::ZERO,
            last_backfill: ObjectId::MAX,
            stats: PgStats::default(),
            history: PgHistory::default(),
        }
    }

    /// `is_empty()`: no write has ever been applied (`last_update.version == 0`).
    pub fn is_empty(&self) -> bool {
        self.last_update.version == 0
    }

    /// `dne()`: "does not exist", the instance was never created
    /// (`history.epoch_created == 0`).
    pub fn dne(&self) -> bool {
        self.history.epoch_created == 0
    }

    /// `has_missing()`: some object is behind (`last_complete != last_update`).
    pub fn has_missing(&self) -> bool {
        self.last_complete != self.last_update
    }

    /// `is_incomplete()`: backfill has not finished (`last_backfill != MAX`).
    pub fn is_incomplete(&self) -> bool {
        !self.last_backfill.is_max()
    }
}

impl Default for PgInfo {
    fn default() -> Self {
        PgInfo::new(SpgId::default())
    }
}

impl fmt::Debug for PgInfo {
    /// Ceph's form: `1.0( v 3'14 (0'0,3'14] local-lis/les=2/3 n=5 ec=1/1 ...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}(", self.pgid)?;
        if self.dne() {
            f.write_str(" DNE")?;
        }
        if self.is_empty() {
            f.write_str(" empty")?;
        } else {
            write!(f, " v {:?}", self.last_update)?;
            if self.last_complete != self.last_update {
                write!(f, " lc {:?}", self.last_complete)?;
            }
            write!(f, " ({:?},{:?}]", self.log_tail, self.last_update)?;
        }
        if self.is_incomplete() {
            write!(f, " lb {:?}", self.last_backfill)?;
        }
        write!(
            f,
            " local-lis/les={}/{} n={} {:?})",
            self.last_interval_started,
            self.last_epoch_started,
            self.stats.num_objects,
            self.history
        )
    }
}
