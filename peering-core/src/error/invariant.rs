//! [`Invariant`]: the Ceph assertions whose failure crashes a PG.

use crate::types::PgShard;

/// A condition Ceph asserts (`ceph_assert`) that did not hold: the PG crashes, as
/// the OSD would abort (reported in [`crate::Crash::Invariant`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Invariant {
    /// `activate` on a PG already active or peered.
    ActivateWhilePeered,
    /// A member of acting_recovery_backfill without a `peer_info` entry.
    MissingPeerInfo(PgShard),
    /// After merging the authoritative log, `info.last_epoch_started` is behind
    /// `history.last_epoch_started`.
    LesBehindHistory,
    /// The log head differs from `info.last_update` after merging a log.
    LogHeadMismatch,
    /// A replica's `last_update` differs from the primary's after `MInfoRec`.
    LastUpdateMismatch,
    /// Our own `ActivateCommitted` arrived twice.
    AlreadyActivated,
    /// `Recovered` entered while recovery is still needed.
    RecoveredNeedsRecovery,
    /// `choose_acting` failed in `Recovered` without asking for an acting set.
    NoWantActing,
    /// `Clean` entered with `last_complete != last_update`.
    CleanWithMissing,
    /// Two shards' missing sets need different versions of one object.
    ConflictingNeed,
    /// `Recovering` entered while the PG is still `ACTIVATING`.
    RecoveringWhileActivating,
    /// Recovery reservations released as finished while the primary still misses
    /// objects (`release_reservations(cancel=false)`).
    ReleaseWithMissing,
    /// A remote reservation addressed to the primary itself (the primary never
    /// reserves, nor backfills, itself;,
    /// "WaitRemoteBackfillReserved", "Backfilling").
    ReserveSelf,
    /// A backfill reservation retry with no backfill target at all
    /// (`WaitRemoteBackfillReserved`'s `retry()`).
    NoBackfillTargets,
}
