//! [`PeeringError`]: every way the peering core refuses an input, grouped by who
//! is at fault, as rustls groups its errors.
//!
//! * [`BadInput`]: untrusted input (a peer's message, a map, a stored PG) that
//!   contradicts itself or the PG. The PG is unchanged.
//! * [`HostMisuse`]: the host broke the calling contract (events out of order, a
//!   map that is not the PG's, a write to a PG that takes none). The PG is
//!   unchanged.
//! * [`Crash`]: a rule Ceph asserts failed while the machine ran, or a message
//!   reached a catch-all under `Config::strict_ceph_aborts`: Ceph aborts the OSD;
//!   this PG is now `Crashed` and refuses every later call.
//!
//! A dropped event is not an error: [`crate::machine::Pg::handle_event`] returns
//! it as an `Ok` outcome with its reason.

mod invariant;

pub use invariant::Invariant;

use crate::acting::ActingError;
use crate::event::EventKind;
use crate::intervals::IntervalError;
use crate::log::LogError;
use crate::types::StateId;
use crate::types::{EVersion, Epoch, ObjectId, PgId, PgShard, PoolId, SpgId};

/// Why the peering core refused a call, by who is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PeeringError {
    /// Untrusted input was refused; the PG is unchanged.
    #[error("bad input: {0}")]
    BadInput(BadInput),
    /// The host broke the calling contract; the PG is unchanged.
    #[error("host misuse: {0}")]
    HostMisuse(HostMisuse),
    /// The PG is `Crashed` (where Ceph aborts the OSD).
    #[error("PG crashed: {0}")]
    Crashed(Crash),
}

impl PeeringError {
    /// True when the PG is now `Crashed` (this call crashed it, or it had crashed
    /// before); false when the call was refused and the PG is unchanged.
    pub fn is_crash(&self) -> bool {
        matches!(self, PeeringError::Crashed(_))
    }
}

impl From<BadInput> for PeeringError {
    fn from(e: BadInput) -> Self {
        PeeringError::BadInput(e)
    }
}

impl From<HostMisuse> for PeeringError {
    fn from(e: HostMisuse) -> Self {
        PeeringError::HostMisuse(e)
    }
}

impl From<Crash> for PeeringError {
    fn from(e: Crash) -> Self {
        PeeringError::Crashed(e)
    }
}

// Inside the machine, an algorithm's refusal is a failed Ceph assertion: the
// engine crashes the PG and reports it. Calls that check input before the machine
// runs map these errors to `BadInput` or `HostMisuse` themselves.
impl From<LogError> for PeeringError {
    fn from(e: LogError) -> Self {
        PeeringError::Crashed(Crash::Log(e))
    }
}

impl From<IntervalError> for PeeringError {
    fn from(e: IntervalError) -> Self {
        PeeringError::Crashed(Crash::Interval(e))
    }
}

impl From<ActingError> for PeeringError {
    fn from(e: ActingError) -> Self {
        PeeringError::Crashed(Crash::Acting(e))
    }
}

/// Untrusted input the core refused, leaving the PG unchanged (peers, maps and
/// stores are untrusted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BadInput {
    /// A log, log entries or a missing set that break what Ceph's `pg_log_t`
    /// guarantees (a peer's `MOSDPGLog`, a primary's `MOSDRepOp`, a stored log).
    #[error("pg log: {0}")]
    Log(LogError),
    /// An up or acting vector that means nothing for the pool (a map's answer).
    #[error("mapping: {0}")]
    Interval(IntervalError),
    /// A pool with more PGs than the core accepts ([`crate::map::MAX_POOL_PG_NUM`],
    /// Ceph's `mon_max_pool_pg_num`).
    #[error("pool {pool} has pg_num {pg_num}, more than the {max} accepted")]
    PgNumTooLarge {
        /// The pool id.
        pool: PoolId,
        /// The larger of its `pg_num` and `pg_num_pending`.
        pg_num: u32,
        /// The limit, [`MAX_POOL_PG_NUM`](crate::map::MAX_POOL_PG_NUM).
        max: u32,
    },
    /// Log entries to append whose versions do not grow strictly from the head
    /// (`PGLog::add`'s assertion; a primary's `MOSDRepOp` or the host's write).
    #[error("version went backwards: {new:?} is not after {prev:?}")]
    VersionBackwards {
        /// The version already recorded.
        prev: EVersion,
        /// The offending, older or equal, version.
        new: EVersion,
    },
    /// A log entry for an object that does not map to this PG (its hash's low
    /// `split_bits` are not the PG's seed, or another pool).
    #[error("object {object:?} does not belong to this PG")]
    ObjectNotInPg {
        /// The object.
        object: ObjectId,
    },
}

/// A call that breaks the host contract (`Pg`'s method docs); the PG is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HostMisuse {
    /// `advance_map` with a map that is not newer than the PG's.
    #[error("epoch went backwards: {new} is before {prev}")]
    EpochBackwards {
        /// The PG's epoch.
        prev: Epoch,
        /// The offending, older or equal, epoch.
        new: Epoch,
    },
    /// An event other than `AdvMap` arrived between `AdvMap` (or a load's
    /// `Initialize`) and `ActMap`: nothing may be interleaved.
    #[error("{event:?} delivered inside an AdvMap..ActMap batch")]
    MapBatchOpen {
        /// The refused event.
        event: EventKind,
    },
    /// `ActMap` without a preceding `AdvMap` (or `Initialize`).
    #[error("ActMap without a preceding AdvMap")]
    NoMapBatch,
    /// A map event must come through its `Pg` method (it needs the maps).
    #[error("{event:?} must be delivered through its Pg method")]
    MapEventOutsideBatch {
        /// The refused event.
        event: EventKind,
    },
    /// A map passed in is not the one the PG is at (`lastmap` of `advance_map`,
    /// or the map of `handle_event`/`activate_map`).
    #[error("map epoch {got} given, PG is at epoch {expected}")]
    MapMismatch {
        /// The PG's epoch.
        expected: Epoch,
        /// The map's epoch.
        got: Epoch,
    },
    /// An event sent at an epoch the PG has not reached: the host advances the
    /// PG's map first (Ceph's OSD waits for the map, `waiting_for_map`).
    #[error("event sent at epoch {epoch_sent}, PG is at epoch {pg_epoch}")]
    EventFromFuture {
        /// The event's `epoch_sent`.
        epoch_sent: Epoch,
        /// The PG's epoch.
        pg_epoch: Epoch,
    },
    /// The host injected an event that no active state takes (an internal event
    /// such as `Activate` or `AllReplicasRecovered`, or a host event where it
    /// makes no sense). Ceph would reach the catch-all and abort; under
    /// `Config::strict_ceph_aborts` the PG crashes with [`Crash::Unhandled`].
    #[error("event {event:?} makes no sense in state {state:?}")]
    EventOutOfPlace {
        /// The innermost state when the event arrived.
        state: StateId,
        /// The event.
        event: EventKind,
    },
    /// The machine terminated: the PG was deleted (`Deleting` returned boost's
    /// `terminate()`); the host drops it, and it refuses every call.
    #[error("PG was deleted: its machine terminated")]
    Terminated,
    /// The pool of the PG does not exist in the map given (creation, load and
    /// split).
    #[error("pool {pool} does not exist")]
    NoSuchPool {
        /// The pool id.
        pool: PoolId,
    },
    /// A split that does not raise `pg_num` (a merge, [`crate::machine::Pg::merge_from`],
    /// or no change).
    #[error("pg_num went from {old} to {new}: not a split")]
    SplitNotGrowing {
        /// `pg_num` before.
        old: u32,
        /// `pg_num` after.
        new: u32,
    },
    /// A merge source that does not fold into this target: another pool or
    /// shard, a PG whose parent (`pg_t::get_parent`) is not the target, or an
    /// instance at another epoch than the target (the OSD merges the PGs at
    /// the same map, before the merge epoch's `AdvMap`).
    #[error("{pg:?} cannot merge into {into:?}")]
    NotMergeSource {
        /// The would-be source.
        pg: SpgId,
        /// The target.
        into: SpgId,
    },
    /// The map's pool does not have the `pg_num` the split names.
    #[error("split to pg_num {expected}, but the map's pool has pg_num {got}")]
    SplitPgNumMismatch {
        /// The `pg_num` the split names.
        expected: u32,
        /// The pool's `pg_num` in the map.
        got: u32,
    },
    /// A split child's seed that this parent's split did not produce, or that
    /// does not fit the map it is created in (`pg_t::is_split`).
    #[error("split child seed for {child:?} does not belong to parent {parent:?} at this map")]
    NotSplitChild {
        /// The child named by the seed.
        child: PgId,
        /// The parent named by the seed.
        parent: PgId,
    },
    /// Recovery feedback about a shard the primary is not recovering or
    /// backfilling (no missing set held for it, or not a backfill target).
    #[error("{peer:?} is not being recovered or backfilled")]
    NotARecoveryPeer {
        /// The shard named.
        peer: PgShard,
    },
    /// Recovery feedback the log refuses (`recover_got` for an object that is
    /// not missing, or at a version older than the one needed).
    #[error("recovery feedback: {0}")]
    Recovery(LogError),
    /// A write (`append_log`) on a PG that does not take writes: a primary not
    /// `Active` (`PG_STATE_ACTIVE` unset), a replica not in `ReplicaActive`.
    #[error("PG in {state:?} takes no writes")]
    WriteNotActive {
        /// The innermost state.
        state: StateId,
    },
    /// A write to an object that `shard` is missing: Ceph's primary recovers a
    /// missing or degraded object before writing it (`is_missing_object`,
    /// `is_degraded_or_backfilling_object`).
    #[error("object {object:?} is missing on {shard:?}: recover it first")]
    ObjectMissing {
        /// The object.
        object: ObjectId,
        /// The shard missing it.
        shard: PgShard,
    },
    /// A write whose `prior_version` (the object's version as the host
    /// stores it) contradicts the object's newest entry in the log.
    #[error("object {object:?}: the log has it at {logged:?}, the write says {given:?}")]
    PriorVersionMismatch {
        /// The object.
        object: ObjectId,
        /// Its newest logged version.
        logged: EVersion,
        /// The prior version the host gave.
        given: EVersion,
    },
}

/// Why the PG is `Crashed`: where Ceph asserts (`ceph_assert`, `ceph_abort`) and
/// aborts the OSD, this PG stops instead, and every later call is refused with
/// [`Crash::AlreadyCrashed`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Crash {
    /// No state handled the event: it reached the catch-all of `Initial`,
    /// `Reset` or `Started` (boost::statechart's `transition<event_base,
    /// Crashed>`) under `Config::strict_ceph_aborts`, or a posted event did.
    #[error("event {event:?} unhandled in state {state:?}")]
    Unhandled {
        /// The innermost state when the event arrived.
        state: StateId,
        /// The event.
        event: EventKind,
    },
    /// A state Ceph asserts on did not hold.
    #[error("invariant violated in {state:?}: {what:?}")]
    Invariant {
        /// The state whose action found it.
        state: StateId,
        /// Which invariant.
        what: Invariant,
    },
    /// A log operation Ceph asserts on failed inside the machine.
    #[error("pg log: {0}")]
    Log(LogError),
    /// A past-intervals or prior-set operation Ceph asserts on failed inside the
    /// machine.
    #[error("past intervals: {0}")]
    Interval(IntervalError),
    /// Acting-set choice found a state where Ceph asserts.
    #[error("acting set: {0}")]
    Acting(ActingError),
    /// One call processed more events than `Config::max_posted_events` (a
    /// posted-event chain that would not end).
    #[error("more than {limit} events in one call")]
    PostedEventLimit {
        /// The limit.
        limit: usize,
    },
    /// A custom reaction transited to a state its chart entry does not declare:
    /// the chart and the handlers disagree.
    #[error("transition {from:?} -> {to:?} is not in the chart")]
    UndeclaredTransition {
        /// The reacting state.
        from: StateId,
        /// The undeclared target.
        to: StateId,
    },
    /// A handler returned `terminate()` from a reaction the chart does not
    /// declare as terminating.
    #[error("state {state:?} terminated the machine from an undeclared reaction")]
    UndeclaredTermination {
        /// The state whose handler terminated.
        state: StateId,
    },
    /// The configuration would be deeper than the chart allows (the state tree
    /// is four levels deep).
    #[error("state stack overflow entering {state:?}")]
    StateStackOverflow {
        /// The state being entered.
        state: StateId,
    },
    /// The PG crashed in an earlier call; it refuses every call (its accessors
    /// keep working).
    #[error("the PG crashed earlier")]
    AlreadyCrashed,
}
