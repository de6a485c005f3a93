//! [`IntervalError`]: why a past-intervals operation refused its input.

use crate::types::{Epoch, OsdId, PgShard, PoolId};

/// Why a past-intervals or prior-set operation refused its input.
///
/// Ceph asserts (and aborts the OSD) on most of these; here they are typed refusals
/// and the operation leaves its inputs unchanged. Ceph's documented outcomes ("acting
/// set is too small", "pool deleted: final interval") are results, not errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum IntervalError {
    /// An interval that does not end after the last recorded one
    /// (`add_interval` requires `i.last > last`).
    #[error("interval ending at {last} does not follow the recorded end {recorded}")]
    NotAfterLast {
        /// The end of the offered interval.
        last: Epoch,
        /// The end already recorded.
        recorded: Epoch,
    },
    /// An interval whose first epoch is after its last (`check_new_interval` asserts
    /// `first <= last`; `same_interval_since` newer than the map that ends it).
    #[error("interval [{first}, {last}] starts after it ends")]
    InvertedInterval {
        /// The claimed first epoch.
        first: Epoch,
        /// The claimed last epoch.
        last: Epoch,
    },
    /// The same OSD appears twice in a replicated pool's up or acting vector.
    #[error("{osd} listed twice in a replicated up/acting vector")]
    DuplicateOsd {
        /// The repeated OSD.
        osd: OsdId,
    },
    /// A `CRUSH_ITEM_NONE` hole in a replicated pool's up or acting vector: only
    /// erasure-coded vectors keep positions (`OSDMap::_raw_to_up_osds` and
    /// `_get_temp_osds` drop holes from replicated ones).
    #[error("a hole in a replicated up/acting vector")]
    HoleInReplicatedVector,
    /// An up/acting entry that is neither a real OSD nor the `CRUSH_ITEM_NONE` hole.
    #[error("{osd} is not a valid up/acting entry")]
    InvalidOsd {
        /// The offending entry.
        osd: OsdId,
    },
    /// An erasure-coded up/acting vector whose length is not the pool size: positions
    /// are shards, so a shorter or longer vector has no meaning.
    #[error("erasure-coded vector of length {len} for a pool of size {size}")]
    EcVectorLength {
        /// The vector's length.
        len: usize,
        /// The pool's size (`k + m`).
        size: u32,
    },
    /// A position in an erasure-coded vector beyond what `shard_id_t` can hold.
    #[error("position {index} does not fit a shard id")]
    ShardOutOfRange {
        /// The position.
        index: usize,
    },
    /// A pool of size zero: no interval of it can have any members.
    #[error("pool {pool} has size 0")]
    ZeroPoolSize {
        /// The pool.
        pool: PoolId,
    },
    /// `build_prior`'s sanity check: a peer claims a newer `last_epoch_started` than
    /// the primary's history.
    #[error("peer {peer:?} has last_epoch_started {peer_les} after ours {les}")]
    PeerLesAhead {
        /// The peer.
        peer: PgShard,
        /// The peer's `history.last_epoch_started`.
        peer_les: Epoch,
        /// Ours.
        les: Epoch,
    },
    /// `check_past_interval_bounds`: past intervals are required but empty.
    #[error("past intervals required for [{start}, {end}) but empty")]
    RequiredButEmpty {
        /// Required start.
        start: Epoch,
        /// Required end (exclusive).
        end: Epoch,
    },
    /// `check_past_interval_bounds`: the recorded start is after the required start.
    #[error("past intervals start at {start}, after the required start {required}")]
    StartAfterRequired {
        /// Recorded start.
        start: Epoch,
        /// Required start.
        required: Epoch,
    },
    /// `check_past_interval_bounds`: the recorded end is not the required end.
    #[error("past intervals end at {end}, required end is {required}")]
    EndMismatch {
        /// Recorded end (exclusive).
        end: Epoch,
        /// Required end (exclusive).
        required: Epoch,
    },
}
