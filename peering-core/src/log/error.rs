//! [`LogError`]: why a PG log operation refused its input.

use crate::types::{EVersion, ObjectId};

/// Why a PG log or missing-set operation refused its input.
///
/// Each variant stands for one of Ceph's `ceph_assert`s on log input: where Ceph
/// would abort the OSD, we refuse the input instead. An operation returning one of
/// these has left the log, the missing set and the info it was given exactly as they
/// were.
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
    /// Two log entries not in strictly increasing order (`version.version`
    /// strictly increasing, epochs non-decreasing).
    #[error("log entry {next:?} does not follow {prev:?}")]
    EntriesOutOfOrder {
        /// The earlier entry's version.
        prev: EVersion,
        /// The entry that should have been newer.
        next: EVersion,
    },
    /// An entry outside the log's bounds `(tail, head]`.
    #[error("log entry {version:?} outside ({tail:?},{head:?}]")]
    EntryOutsideBounds {
        /// The entry's version.
        version: EVersion,
        /// The log's tail.
        tail: EVersion,
        /// The log's head.
        head: EVersion,
    },
    /// Dup entries (`pg_log_dup_t`) not ordered oldest to newest.
    #[error("dup entry {next:?} is older than {prev:?}")]
    DupsOutOfOrder {
        /// The earlier dup's version.
        prev: EVersion,
        /// The dup that went backwards.
        next: EVersion,
    },
    /// An appended entry's version is not after the log head (`IndexedLog::add`
    /// asserts `e.version > head` and a growing `version.version`).
    #[error("appended entry {new:?} is not after head {head:?}")]
    VersionBackwards {
        /// The log head.
        head: EVersion,
        /// The offending entry version.
        new: EVersion,
    },
    /// `merge_log` was given a log that does not overlap ours (Ceph asserts
    /// `log.head >= olog.tail && olog.head >= log.tail`).
    #[error(
        "logs do not overlap: ours ({log_tail:?},{log_head:?}], theirs ({olog_tail:?},{olog_head:?}]"
    )]
    LogsDoNotOverlap {
        /// Our tail.
        log_tail: EVersion,
        /// Our head.
        log_head: EVersion,
        /// The authoritative log's tail.
        olog_tail: EVersion,
        /// The authoritative log's head.
        olog_head: EVersion,
    },
    /// `merge_log` into an empty log needs an untrimmed authoritative log (Ceph
    /// asserts `!log.null() || olog.tail == 0'0`).
    #[error("our log is empty but the authoritative log is trimmed to {olog_tail:?}")]
    EmptyLogNeedsUntrimmedPeer {
        /// The authoritative log's tail.
        olog_tail: EVersion,
    },
    /// A rewind to a head older than the tail (`rewind_from_head` asserts
    /// `newhead >= tail`).
    #[error("cannot rewind to {newhead:?}: before tail {tail:?}")]
    RewindPastTail {
        /// The requested new head.
        newhead: EVersion,
        /// The log tail.
        tail: EVersion,
    },
    /// An entry cut off by a rewind whose `version.version` is after the new head
    /// but whose `eversion` is not (`rewind_from_head` asserts `p->version > newhead`).
    #[error("entry {version:?} is cut by the rewind to {newhead:?} but is not after it")]
    DivergentNotAfterHead {
        /// The entry's version.
        version: EVersion,
        /// The new head.
        newhead: EVersion,
    },
    /// A rewind of our own log that would keep an entry newer than the new head:
    /// its `version.version` is not after the head's but its epoch is (Ceph cuts
    /// by `version.version` only and would keep it, leaving a log past its head).
    #[error("entry {version:?} would be kept by the rewind to {newhead:?} but is after it")]
    RewindKeepsNewerEntry {
        /// The entry's version.
        version: EVersion,
        /// The new head.
        newhead: EVersion,
    },
    /// Divergent entries of one object not chained by `prior_version` in version
    /// order (`_merge_object_divergent_entries` asserts it).
    #[error(
        "divergent entry {version:?} of {object:?} has prior {prior:?}, expected after {last:?}"
    )]
    DivergentChainBroken {
        /// The object.
        object: ObjectId,
        /// The entry that breaks the chain.
        version: EVersion,
        /// Its `prior_version`.
        prior: EVersion,
        /// The previous kept entry's version.
        last: EVersion,
    },
    /// The merged log's newest entry for an object sits inside that object's
    /// divergent range (case 1 of asserts it is newer than every divergent
    /// entry).
    #[error("newer entry {newer:?} of {object:?} is not after divergent {last_divergent:?}")]
    NewerEntryNotAfterDivergent {
        /// The object.
        object: ObjectId,
        /// The merged log's newest entry version.
        newer: EVersion,
        /// The newest divergent entry version.
        last_divergent: EVersion,
    },
    /// The missing set does not reflect the merged log's newest entry for an object
    /// (case 1 of asserts `need` equals it for updates, absence for deletes).
    #[error("missing set disagrees with newest entry {newest:?} of {object:?} (need {need:?})")]
    MissingDisagreesWithLog {
        /// The object.
        object: ObjectId,
        /// The merged log's newest entry version for it.
        newest: EVersion,
        /// What the missing set needs for it, if anything.
        need: Option<EVersion>,
    },
    /// `pg_missing_t::got` on an object that is not missing.
    #[error("{object:?} is not missing")]
    NotMissing {
        /// The object.
        object: ObjectId,
    },
    /// `pg_missing_t::got` with a version older than the one needed (Ceph asserts
    /// `need <= v` unless the item is a delete).
    #[error("recovered {got:?} is older than needed {need:?}")]
    GotOlderThanNeed {
        /// The needed version.
        need: EVersion,
        /// The recovered version.
        got: EVersion,
    },
    /// A write's roll-forward point past the head its entries make.
    #[error("roll forward to {roll_forward_to:?} is past the head {head:?}")]
    RollForwardPastHead {
        /// The roll-forward point asked for.
        roll_forward_to: EVersion,
        /// The head after the write's entries.
        head: EVersion,
    },
    /// A trim beyond the rollback boundary (`IndexedLog::trim` asserts
    /// `s <= can_rollback_to`).
    #[error("trim to {trim_to:?} is past can_rollback_to {can_rollback_to:?}")]
    TrimPastCanRollbackTo {
        /// The requested trim point.
        trim_to: EVersion,
        /// The log's rollback boundary.
        can_rollback_to: EVersion,
    },
    /// A trim beyond the log head, which would leave the tail past the head.
    #[error("trim to {trim_to:?} is past head {head:?}")]
    TrimPastHead {
        /// The requested trim point.
        trim_to: EVersion,
        /// The log head.
        head: EVersion,
    },
    /// A trim beyond `last_complete` with nothing missing (`PGLog::trim` asserts
    /// `trim_to <= info.last_complete`).
    #[error("trim to {trim_to:?} is past last_complete {last_complete:?}")]
    TrimPastLastComplete {
        /// The requested trim point.
        trim_to: EVersion,
        /// The info's `last_complete`.
        last_complete: EVersion,
    },
    /// The oldest missing need is newer than every log entry, so `complete_to` runs
    /// off the log (`reset_complete_to` asserts it stays inside).
    #[error("oldest missing need {oldest_need:?} is newer than every log entry")]
    CompleteToPastEnd {
        /// The oldest need.
        oldest_need: EVersion,
    },
    /// A recovered version newer than the rollback boundary (`recover_got` asserts
    /// `can_rollback_to >= v`).
    #[error("recovered {version:?} is past can_rollback_to {can_rollback_to:?}")]
    RecoveredPastCanRollbackTo {
        /// The recovered version.
        version: EVersion,
        /// The log's rollback boundary.
        can_rollback_to: EVersion,
    },
}
