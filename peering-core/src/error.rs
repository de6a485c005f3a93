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
    /// The host injected an event that no active state takes (an internal event
    /// such as `Activate` or `AllReplicasRecovered`, or a host event where it
    /// makes no sense): host misuse. Ceph would reach the catch-all and abort;
    /// here the event is refused and the PG is unchanged, unless
    /// `Config::strict_ceph_aborts` is set (then [`PeeringError::Unhandled`]).
    #[error("event {event:?} makes no sense in state {state:?}: refused")]
    EventOutOfPlace {
        /// The innermost state when the event arrived.
        state: StateId,
        /// The event.
        event: EventKind,
    },
    /// The PG is `Crashed` (an earlier event was unhandled or an invariant Ceph
    /// asserts failed); it refuses every event.
    #[error("PG is crashed")]
    Crashed,
    /// The machine terminated: the PG was deleted (`Deleting` returned boost's
    /// `terminate()`, §0.2 rule 8, §3 "Deleting"); the host drops it, and it refuses
    /// every call.
    #[error("PG was deleted: its machine terminated")]
    Terminated,
    /// A handler returned `terminate()` from a reaction the chart does not declare
    /// as terminating (§0.2 rule 8). The PG is now `Crashed`.
    #[error("state {state:?} terminated the machine from an undeclared reaction")]
    UndeclaredTermination {
        /// The state whose handler terminated.
        state: StateId,
    },
    /// A split that does not raise `pg_num` (§5.20): a merge or no change. Merging
    /// is not supported yet.
    #[error("pg_num went from {old} to {new}: not a split")]
    SplitNotGrowing {
        /// `pg_num` before.
        old: u32,
        /// `pg_num` after.
        new: u32,
    },
    /// The map's pool does not have the `pg_num` the split names (§5.20).
    #[error("split to pg_num {expected}, but the map's pool has pg_num {got}")]
    SplitPgNumMismatch {
        /// The `pg_num` the split names.
        expected: u32,
        /// The pool's `pg_num` in the map.
        got: u32,
    },
    /// A split child's seed that this parent's split did not produce, or that does
    /// not fit the map it is created in (§5.20).
    #[error("split child seed for {child:?} does not belong to parent {parent:?} at this map")]
    NotSplitChild {
        /// The child named by the seed.
        child: crate::types::PgId,
        /// The parent named by the seed.
        parent: crate::types::PgId,
    },
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
    /// The configuration would be deeper than the chart allows (§1.1: the state
    /// tree is four levels deep). The PG is now `Crashed`.
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
    /// `ActMap` without a preceding `AdvMap` (or `Initialize`) (§8.1). Refused.
    #[error("ActMap without a preceding AdvMap")]
    NoMapBatch,
    /// A map event must come through `advance_map` (it needs the maps, §8.1).
    /// Refused.
    #[error("{event:?} must be delivered through its Pg method")]
    MapEventOutsideBatch {
        /// The refused event.
        event: EventKind,
    },
    /// A map passed in is not the one the PG is at (`lastmap` of `AdvMap`, or the
    /// map of `handle_event`/`activate_map`) (§8.1). Refused.
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
    /// A state Ceph asserts on (`ceph_assert`) did not hold: Ceph aborts the OSD;
    /// the PG is now `Crashed` (§0.2).
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
    /// The pool of the PG does not exist in the map given (creation, load and
    /// split, §8.3, §5.20).
    #[error("pool {pool} does not exist")]
    NoSuchPool {
        /// The pool id.
        pool: crate::types::PoolId,
    },
    /// The map's pool has more PGs than the core accepts: `pg_num` or
    /// `pg_num_pending` above [`MAX_POOL_PG_NUM`](crate::map::MAX_POOL_PG_NUM)
    /// (Ceph's `mon_max_pool_pg_num`, whose monitor would never publish such a
    /// pool). Refused where a map is admitted (creation, load, `AdvMap`, split);
    /// the PG is unchanged.
    #[error("pool {pool} has pg_num {pg_num}, more than the {max} accepted")]
    PgNumTooLarge {
        /// The pool id.
        pool: crate::types::PoolId,
        /// The larger of its `pg_num` and `pg_num_pending`.
        pg_num: u32,
        /// The limit, [`MAX_POOL_PG_NUM`](crate::map::MAX_POOL_PG_NUM).
        max: u32,
    },
    /// A write (`append_log`, §4.4, §5.25) on a PG that does not take writes: a
    /// primary not `Active` (`PG_STATE_ACTIVE` unset), a replica not in
    /// `ReplicaActive`. Refused; the PG is unchanged.
    #[error("PG in {state:?} takes no writes")]
    WriteNotActive {
        /// The innermost state.
        state: StateId,
    },
    /// A log entry for an object that does not map to this PG (its hash's low
    /// `split_bits` are not the PG's seed, or another pool; §5.20). Refused; the
    /// PG is unchanged.
    #[error("object {object:?} does not belong to this PG")]
    ObjectNotInPg {
        /// The object.
        object: crate::types::ObjectId,
    },
    /// A write to an object that `shard` is missing: Ceph's primary recovers a
    /// missing or degraded object before writing it (`is_missing_object`,
    /// `is_degraded_or_backfilling_object`, §5.16). Refused; the PG is unchanged.
    #[error("object {object:?} is missing on {shard:?}: recover it first")]
    ObjectMissing {
        /// The object.
        object: crate::types::ObjectId,
        /// The shard missing it.
        shard: crate::types::PgShard,
    },
}
