//! `recoverable` and the `IsPGRecoverablePredicate` it consults.

use alloc::collections::BTreeSet;

use super::options::ActingOptions;
use super::placement::pg_shard_at;
use crate::intervals::{IsPgRecoverable, RecoverablePredicate, count_present};
use crate::map::PoolInfo;
use crate::types::{OsdId, PgShard};

/// Ceph's `IsPGRecoverablePredicate`: can the data be reconstructed from the
/// shards in `have`?
///
/// Replicated (`RPCRecPred`): any one copy suffices, so `have` is non-empty. EC
/// (`ECRecPred`): the plugin's `minimum_to_decode` must succeed; for the MDS codes
/// Ceph ships by default (jerasure, isa) that means at least `k` distinct shards.
/// Plugins with other decoding rules (lrc, shec, clay) are modelled by this `k` rule.
///
/// The predicate itself lives with the prior-set rules that also consult it
/// ([`RecoverablePredicate`]); this is the pool-level shorthand.
pub fn is_pg_recoverable(have: &BTreeSet<PgShard>, pool: &PoolInfo) -> bool {
    RecoverablePredicate::for_pool(pool).is_recoverable(have)
}

/// Ceph's `PeeringState::recoverable(want)`: may the PG
/// peer with this wanted acting vector?
///
/// Counts the non-hole entries; fewer than `min_size` fails unless
/// `allow_recovery_below_min_size` (Ceph's default allows it); then the shards must
/// satisfy [`is_pg_recoverable`]. For EC pools each entry's position is its shard.
pub fn recoverable(want: &[OsdId], pool: &PoolInfo, options: &ActingOptions) -> bool {
    let have: BTreeSet<PgShard> = want
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.is_none())
        .map(|(i, &o)| pg_shard_at(o, i, pool.is_erasure()))
        .collect();
    let num_want_acting = count_present(want);
    let below_min = u32::try_from(num_want_acting).is_ok_and(|n| n < pool.min_size);
    if below_min && !options.allow_recovery_below_min_size {
        return false;
    }
    is_pg_recoverable(&have, pool)
}
