//! [`ActingError`]: why an acting-set computation refused its input.

use crate::types::{OsdId, PgShard};

/// Which of a PG's two placement vectors an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PlacementVector {
    /// The CRUSH `up` vector.
    Up,
    /// The `acting` vector (`pg_temp` when set, else `up`).
    Acting,
}

/// Why authoritative-log or acting-set choice refused its input.
///
/// Ceph's documented outcomes ("no authoritative log", "not recoverable", "needs an
/// acting change") are results, not errors; these are inputs that contradict
/// themselves, or states where Ceph would assert and abort the OSD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ActingError {
    /// The same shard's info was supplied twice.
    #[error("info for {shard:?} supplied twice")]
    DuplicateInfo {
        /// The repeated shard.
        shard: PgShard,
    },
    /// A replicated pool's info names a shard: replicas are always `NO_SHARD`,
    /// so an OSD listed with a shard, or twice with different shards, contradicts itself.
    #[error("info for {shard:?} names a shard in a replicated pool")]
    ShardInReplicatedPool {
        /// The offending key.
        shard: PgShard,
    },
    /// An erasure-coded pool's info names a shard outside `0..size` (or `NO_SHARD`).
    #[error("info for {shard:?} names a shard outside the pool's {size} positions")]
    ShardOutOfRange {
        /// The offending key.
        shard: PgShard,
        /// The pool size (`k + m`).
        size: u32,
    },
    /// An info is keyed by an OSD id that names no OSD (`-1`, `CRUSH_ITEM_NONE`).
    #[error("info keyed by invalid osd {shard:?}")]
    InvalidOsd {
        /// The offending key.
        shard: PgShard,
    },
    /// `last_complete` is past `last_update` (`last_complete <= last_update`).
    #[error("info for {shard:?} has last_complete past last_update")]
    LastCompletePastLastUpdate {
        /// The shard whose info is inconsistent.
        shard: PgShard,
    },
    /// `last_update` is before `log_tail`: the log `(log_tail, last_update]` would be
    /// negative.
    #[error("info for {shard:?} has last_update before log_tail")]
    LastUpdateBeforeLogTail {
        /// The shard whose info is inconsistent.
        shard: PgShard,
    },
    /// The history's `prior_readable_until_ub` is negative: no read bound is,
    /// and Ceph's encoding (whole seconds, unsigned) cannot carry one. Taken,
    /// it would end a new primary's wait for the prior leases at once.
    #[error("info for {shard:?} has a negative prior read bound")]
    NegativeReadBound {
        /// The shard whose info is inconsistent.
        shard: PgShard,
    },
    /// A shard Ceph looks up unconditionally (an up or acting member, the up primary, our
    /// own shard) has no info: Ceph's invariant that every such member has answered
    /// GetInfo does not hold.
    #[error("no info for {shard:?}")]
    MissingInfo {
        /// The shard without info.
        shard: PgShard,
    },
    /// A pool of size zero, an erasure-coded pool whose `k + m` is not its size or whose
    /// `k` is zero, or a size too large for shard ids (`shard_id_t` is an `int8_t`).
    #[error("pool size {size} is not usable")]
    InvalidPoolSize {
        /// The pool's size.
        size: u32,
    },
    /// An erasure-coded pool's up or acting vector does not have one position per shard.
    #[error("{which:?} vector has {len} positions, the EC pool has {size} shards")]
    VectorLength {
        /// Up or acting.
        which: PlacementVector,
        /// The vector's length.
        len: usize,
        /// The pool size.
        size: u32,
    },
    /// A replicated pool's up or acting vector names the same OSD twice, or names a
    /// hole (`CRUSH_ITEM_NONE`) that only EC vectors may hold.
    #[error("{which:?} vector holds {osd:?} more than once or as a hole")]
    BadReplicatedVector {
        /// Up or acting.
        which: PlacementVector,
        /// The offending entry.
        osd: OsdId,
    },
    /// A stretch pool whose `peering_crush_bucket_target` is zero: Ceph divides the
    /// pool size by it (`calc_replicated_acting_stretch`,
    /// `calc_ec_acting_stretch`), so the monitor never writes one.
    #[error("stretch pool with a zero peering_crush_bucket_target")]
    StretchTargetZero,
    /// The new backfill targets differ from those already recorded; Ceph asserts
    /// (`backfill_targets.empty() || backfill_targets == want_backfill`).
    #[error("backfill targets changed within an interval")]
    BackfillTargetsChanged,
    /// The new async recovery targets differ from those already recorded while recovery
    /// is still needed; Ceph asserts.
    #[error("async recovery targets changed while recovery is needed")]
    AsyncRecoveryTargetsChanged,
    /// `want` equals `up` yet backfill targets remain; Ceph asserts.
    #[error("want equals up but backfill targets remain")]
    BackfillWhileWantIsUp,
}
