//! [`PeeringError`]: every way the peering core refuses an input.
//!
//! Peers are untrusted (DESIGN.md §4). Each error names exactly what was wrong, and an
//! operation that returns one leaves its inputs as they were: nothing is half-applied.

use crate::acting::ActingError;
use crate::event::EventKind;
use crate::intervals::IntervalError;
use crate::log::LogError;
use crate::machine::StateId;
use crate::types::{EVersion, Epoch};

/// Why the peering core refused an input.
///
/// Modelled on rustls' error enums: one variant per distinct failure, each saying
/// what was wrong in Ceph's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PeeringError {
    /// An `eversion_t` went backwards where Ceph requires it to grow (§6.1).
    #[error("version went backwards: {new:?} is not after {prev:?}")]
    VersionBackwards {
        /// The version already recorded.
        prev: EVersion,
        /// The offending, older or equal, version.
        new: EVersion,
    },
    /// An epoch went backwards where Ceph requires it never to (DESIGN.md §7).
    #[error("epoch went backwards: {new} is before {prev}")]
    EpochBackwards {
        /// The epoch already recorded.
        prev: Epoch,
        /// The offending, older, epoch.
        new: Epoch,
    },
    /// The PG log or missing set refused an operation (§5.11–5.14).
    #[error("pg log: {0}")]
    Log(#[from] LogError),
    /// A past-intervals or prior-set operation refused its input (§5.1–5.7).
    #[error("past intervals: {0}")]
    Interval(#[from] IntervalError),
    /// Authoritative-log or acting-set choice refused its input (§5.8–5.10).
    #[error("acting set: {0}")]
    Acting(#[from] ActingError),
    /// No state handled the event: it reached the catch-all of `Initial`, `Reset` or
    /// `Started` (§0.2 rule 3). Ceph aborts the OSD; the PG is now `Crashed`.
    #[error("event {event:?} unhandled in state {state:?}: PG crashed")]
    Unhandled {
        /// The innermost state when the event arrived.
        state: StateId,
        /// The event.
        event: EventKind,
    },
    /// The PG is `Crashed` (an earlier event was unhandled or an invariant Ceph
    /// asserts failed); it refuses every event.
    #[error("PG is crashed")]
    Crashed,
    /// One call processed more events than `max_posted_events` (a posted-event chain
    /// that would not end, DESIGN.md §4 "Bounded"). The PG is now `Crashed`.
    #[error("more than {limit} events in one call")]
    PostedEventLimit {
        /// The limit.
        limit: usize,
    },
    /// A custom reaction transited to a state its table entry does not declare: the
    /// chart and the handlers disagree. The PG is now `Crashed`.
    #[error("transition {from:?} -> {to:?} is not in the chart")]
    UndeclaredTransition {
        /// The reacting state.
        from: StateId,
        /// The undeclared target.
        to: StateId,
    },
    /// The configuration would be deeper than the chart allows.
    #[error("state stack overflow entering {state:?}")]
    StateStackOverflow {
        /// The state being entered.
        state: StateId,
    },
    /// An event other than `AdvMap` arrived between `AdvMap` and `ActMap` (§8.1:
    /// nothing may be interleaved). Refused; the PG is unchanged.
    #[error("{event:?} delivered inside an AdvMap..ActMap batch")]
    MapBatchOpen {
        /// The refused event.
        event: EventKind,
    },
    /// `ActMap` without a preceding `AdvMap` (or `Initialize`). Refused.
    #[error("ActMap without a preceding AdvMap")]
    NoMapBatch,
    /// A map event must come through `advance_map` (it needs the maps). Refused.
    #[error("{event:?} must be delivered through its Pg method")]
    MapEventOutsideBatch {
        /// The refused event.
        event: EventKind,
    },
    /// A map passed in is not the one the PG is at (`lastmap` of `AdvMap`, or the
    /// map of `handle_event`/`activate_map`). Refused.
    #[error("map epoch {got} given, PG is at epoch {expected}")]
    MapMismatch {
        /// The PG's epoch.
        expected: Epoch,
        /// The map's epoch.
        got: Epoch,
    },
    /// An event sent at an epoch the PG has not reached: the host must advance the
    /// PG's map first (§8.2). Refused.
    #[error("event sent at epoch {epoch_sent}, PG is at epoch {pg_epoch}")]
    EventFromFuture {
        /// The event's `epoch_sent`.
        epoch_sent: Epoch,
        /// The PG's epoch.
        pg_epoch: Epoch,
    },
    /// A state Ceph asserts on did not hold (the PG is now `Crashed`).
    #[error("invariant violated in {state:?}: {what:?}")]
    Invariant {
        /// The state whose action found it.
        state: StateId,
        /// Which invariant.
        what: crate::machine::Invariant,
    },
    /// Recovery feedback about a shard the primary is not recovering or
    /// backfilling (no missing set held for it, or not a backfill target) (§8.6).
    /// Refused; the PG is unchanged.
    #[error("{peer:?} is not being recovered or backfilled")]
    NotARecoveryPeer {
        /// The shard named.
        peer: crate::types::PgShard,
    },
    /// The pool of the PG does not exist in the map given.
    #[error("pool {pool} does not exist")]
    NoSuchPool {
        /// The pool id.
        pool: crate::types::PoolId,
    },
}
