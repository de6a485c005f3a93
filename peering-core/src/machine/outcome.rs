//! What became of an event: a reaction's [`Outcome`] (boost's `result`), and what
//! [`super::Pg::handle_event`] reports to the host ([`EventOutcome`], with a
//! [`DropReason`] when the PG ignored its input).

use crate::types::StateId;
use crate::types::{EVersion, Epoch, OsdId, PgShard, SpgId};

/// What a custom reaction's handler decided (boost's `result`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Outcome {
    /// `discard_event()`: consumed.
    Discard,
    /// `discard_event()` of an event Ceph would ignore for a reason the host should
    /// see: consumed, and reported as [`EventOutcome::Dropped`] when it is the
    /// delivered event.
    Dropped(DropReason),
    /// `forward_event()`: offer it to the enclosing state.
    Forward,
    /// `transit<T>()`: leave for `T`.
    Transit(StateId),
    /// `terminate()`: exit every state, innermost first, and end the machine.
    /// Only a `custom_terminate` reaction may return it.
    Terminate,
}

/// Why an event was dropped instead of changing the PG ( and the input checks
/// of this crate). The PG is unchanged (but for bookkeeping Ceph itself does, such as
/// forgetting a request the event answered).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DropReason {
    /// `old_peering_msg`: peering restarted after the event was sent or requested.
    Stale {
        /// The event's `epoch_sent`.
        epoch_sent: Epoch,
        /// The event's `epoch_requested`.
        epoch_requested: Epoch,
        /// The PG's `last_peering_reset`.
        last_peering_reset: Epoch,
    },
    /// The message names another PG.
    WrongPg {
        /// The PG it names.
        got: SpgId,
    },
    /// A message claiming to come from this very instance.
    FromSelf,
    /// The sender's OSD does not exist in the current map.
    UnknownOsd(OsdId),
    /// A notify whose sender shard disagrees with its info's shard (`pg_notify_t`
    /// invariant `from == info.pgid.shard`).
    Malformed,
    /// Only the primary may send this to a non-primary.
    NotFromPrimary {
        /// The sender.
        from: PgShard,
    },
    /// The primary's message describes an older interval than ours.
    StaleHistory {
        /// The message's `same_interval_since`.
        theirs: Epoch,
        /// Ours.
        ours: Epoch,
    },
    /// A log while the primary has asked nobody for one (a reply to a query it never
    /// sent).
    UnsolicitedLog {
        /// The sender.
        from: PgShard,
    },
    /// `GetLog`: a log from a shard other than the authoritative one.
    NotAuthLog {
        /// The sender.
        from: PgShard,
    },
    /// A repeated answer (the activation ack or log was already recorded).
    Duplicate,
    /// `proc_replica_info` ignored the info: nothing new, or the sender has not been
    /// up continuously since it sent it.
    InfoNotNew,
    /// A recovery, backfill or reservation event that no longer applies where the PG
    /// is (a grant, revoke, defer or retry that raced with a release or a finish);
    /// Ceph's reaction lists discard it here.
    Raced {
        /// The innermost state when it arrived.
        state: StateId,
    },
    /// `DeleteStart` (a removal) for a PG that is primary: only the primary purges
    /// strays, so a removal can only name a non-primary. Ceph's stale check
    /// drops the legitimate cases (a removal from before we became primary); any
    /// other would hit `Started`'s catch-all and abort the OSD.
    DeleteWhilePrimary,
    /// `DeleteSome` for a PG that is not being deleted (not in `ToDelete`): no
    /// deletion step was asked for; Ceph would abort on it.
    NotDeleting,
    /// A message from a peer that no active state handles: it reached the catch-all
    /// of `Initial`, `Reset` or `Started`, where Ceph aborts the OSD (its messenger
    /// never delivers such a message twice, so there it means a bug). Dropped, PG
    /// unchanged, unless [`super::Config::strict_ceph_aborts`] is set (then the PG
    /// crashes with [`crate::Crash::Unhandled`]).
    Unhandled {
        /// The innermost state when it arrived.
        state: StateId,
        /// The message's event.
        event: crate::event::EventKind,
    },
    /// The info a notify, info or log message carries breaks a rule every
    /// `pg_info_t` keeps (`acting::validate_peer_info`): a shard that does not fit
    /// the pool, `last_complete` past `last_update`, `last_update` before
    /// `log_tail`.
    InvalidInfo(crate::acting::ActingError),
    /// A log whose entries for one object do not chain by `prior_version`
    /// (`pg_log_t::check_object_chains`): Ceph asserts the chain when the entries
    /// become divergent, so the log is refused before any of it is used.
    BrokenLogChain {
        /// The entry that does not follow.
        version: EVersion,
        /// Its `prior_version`.
        prior: EVersion,
        /// The object's previous entry.
        last: EVersion,
    },
    /// A primary's `MTrim` that the replica's log cannot honour: past its head,
    /// past `can_rollback_to`, or past `last_complete` with nothing missing (each a
    /// `ceph_assert` in `PGLog::trim`).
    TrimOutOfRange {
        /// The `trim_to` asked for.
        trim_to: EVersion,
    },
    /// A `DeleteSome` listing that does not answer the step's request: more objects
    /// than `delete_max_objects`, not ascending, or not after the deletion cursor.
    BadDeleteChunk,
    /// A read lease (`pg_lease_t`) with a negative length or bound, or a query
    /// whose history carries a negative prior read bound: no primary grants
    /// one, and taking it would move this instance's bounds backwards.
    BadLease,
    /// A lease acknowledgement for more than this primary ever offered
    /// (`readable_until_ub_sent`): an ack for a lease never sent. Taking it
    /// would let the primary believe in reads nobody granted.
    LeaseAckNotSent {
        /// The acknowledging OSD.
        from: OsdId,
    },
}

impl DropReason {
    /// The reason's name, for logs.
    pub const fn name(&self) -> &'static str {
        match self {
            DropReason::Stale { .. } => "Stale",
            DropReason::WrongPg { .. } => "WrongPg",
            DropReason::FromSelf => "FromSelf",
            DropReason::UnknownOsd(_) => "UnknownOsd",
            DropReason::Malformed => "Malformed",
            DropReason::NotFromPrimary { .. } => "NotFromPrimary",
            DropReason::StaleHistory { .. } => "StaleHistory",
            DropReason::UnsolicitedLog { .. } => "UnsolicitedLog",
            DropReason::NotAuthLog { .. } => "NotAuthLog",
            DropReason::Duplicate => "Duplicate",
            DropReason::InfoNotNew => "InfoNotNew",
            DropReason::Raced { .. } => "Raced",
            DropReason::DeleteWhilePrimary => "DeleteWhilePrimary",
            DropReason::NotDeleting => "NotDeleting",
            DropReason::Unhandled { .. } => "Unhandled",
            DropReason::InvalidInfo(_) => "InvalidInfo",
            DropReason::BrokenLogChain { .. } => "BrokenLogChain",
            DropReason::TrimOutOfRange { .. } => "TrimOutOfRange",
            DropReason::BadDeleteChunk => "BadDeleteChunk",
            DropReason::BadLease => "BadLease",
            DropReason::LeaseAckNotSent { .. } => "LeaseAckNotSent",
        }
    }
}

/// What [`super::Pg::handle_event`] did with an event.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EventOutcome {
    /// The machine handled it.
    Delivered,
    /// It was dropped, for this reason.
    Dropped(DropReason),
}
