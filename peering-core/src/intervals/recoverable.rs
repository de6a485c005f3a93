//! `IsPGRecoverablePredicate`: could this set of shards have served
//! (and so can it now recover) the PG's data?

use alloc::collections::BTreeSet;

use crate::map::{PoolInfo, PoolKind};
use crate::types::PgShard;

/// Ceph's `IsPGRecoverablePredicate`: whether a set of shards is enough to
/// reconstruct the PG. `check_new_interval` asks it of an interval's acting set
/// (`could_have_gone_active`), `build_prior` of the shards still reachable from an
/// interval that may have gone read-write.
///
/// Any `Fn(&BTreeSet<PgShard>) -> bool` is one, so tests can pass Ceph's
/// "at least N shards" predicate as a closure.
pub trait IsPgRecoverable {
    /// True when `have` is enough to recover the PG.
    fn is_recoverable(&self, have: &BTreeSet<PgShard>) -> bool;
}

impl<F: Fn(&BTreeSet<PgShard>) -> bool> IsPgRecoverable for F {
    fn is_recoverable(&self, have: &BTreeSet<PgShard>) -> bool {
        self(have)
    }
}

/// The backends' recoverable predicates: `ReplicatedBackend::RPCRecPred`
/// and `ECBackend::ECRecPred`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecoverablePredicate {
    /// `RPCRecPred`: any one replica holds everything, so any non-empty set will do.
    Replicated,
    /// `ECRecPred`: the erasure code must be able to decode all `k + m` chunks from
    /// the shards present, which for the MDS codes Ceph ships by default
    /// (jerasure, isa) means at least `k` distinct shards.
    ///
    /// Deviation: Ceph asks the code plugin (`minimum_to_decode`); LRC, SHEC and
    /// Clay can need other subsets. Here only shard ids in `0..k+m` count, where
    /// Ceph would count any id a confused peer reported.
    Erasure {
        /// Data chunks.
        k: u32,
        /// Coding chunks.
        m: u32,
    },
}

impl RecoverablePredicate {
    /// The predicate of `pool`'s backend (`get_is_recoverable_predicate`).
    pub const fn for_pool(pool: &PoolInfo) -> Self {
        match pool.kind {
            PoolKind::Replicated => RecoverablePredicate::Replicated,
            PoolKind::Erasure { k, m } => RecoverablePredicate::Erasure { k, m },
        }
    }
}

impl IsPgRecoverable for RecoverablePredicate {
    fn is_recoverable(&self, have: &BTreeSet<PgShard>) -> bool {
        match *self {
            RecoverablePredicate::Replicated => !have.is_empty(),
            RecoverablePredicate::Erasure { k, m } => {
                // `have` is ordered by osd first, so one shard may appear under
                // several OSDs: count each in-range shard id once.
                let chunks = k.saturating_add(m);
                let distinct = (0..chunks)
                    .map_while(|shard| i8::try_from(shard).ok())
                    .filter(|&s| have.iter().any(|p| p.shard.0 == s))
                    .count();
                let distinct = u32::try_from(distinct).unwrap_or(u32::MAX);
                distinct >= k
            }
        }
    }
}
