//! Input checks: pools and vectors that contradict themselves get a typed
//! [`ActingError`] before any rule of runs, so the rules never see them;
//! infos from peers are checked once, when they arrive ([`validate_peer_info`]).

use alloc::collections::BTreeMap;

use super::error::{ActingError, PlacementVector};
use super::placement::PgPlacement;
use crate::intervals::{IntervalError, validate_vector};
use crate::map::{PoolInfo, PoolKind};
use crate::types::{OsdId, PgInfo, PgShard};

/// The largest pool `shard_id_t` (an `int8_t`) can name every position of.
pub(crate) const MAX_SHARDS: u32 = i8::MAX as u32;

/// Gathers `(shard, info)` pairs into Ceph's `all_info` map, refusing a
/// shard supplied twice with different infos.
///
/// The map is ordered by `pg_shard_t` (osd, then shard) whatever order the pairs
/// arrive in, so every later rule sees the same iteration order. A pair
/// repeated identically is harmless and kept once.
pub fn collect_infos<I>(pairs: I) -> Result<BTreeMap<PgShard, PgInfo>, ActingError>
where
    I: IntoIterator<Item = (PgShard, PgInfo)>,
{
    let mut all_info = BTreeMap::new();
    for (shard, info) in pairs {
        match all_info.get(&shard) {
            Some(prev) if *prev != info => return Err(ActingError::DuplicateInfo { shard }),
            Some(_) => {}
            None => {
                all_info.insert(shard, info);
            }
        }
    }
    Ok(all_info)
}

/// Checks the pool: a non-zero size, for EC pools `k > 0`, `k + m == size` and a
/// size every shard id can name, and for stretch pools a non-zero
/// `peering_crush_bucket_target`.
pub fn validate_pool(pool: &PoolInfo) -> Result<(), ActingError> {
    let bad = ActingError::InvalidPoolSize { size: pool.size };
    if pool.size == 0 {
        return Err(bad);
    }
    if let PoolKind::Erasure { k, m } = pool.kind {
        if k == 0 || k.checked_add(m) != Some(pool.size) || pool.size > MAX_SHARDS {
            return Err(bad);
        }
    }
    if pool.stretch_rule().is_some_and(|r| r.bucket_target == 0) {
        return Err(ActingError::StretchTargetZero);
    }
    Ok(())
}

/// Checks the up and acting vectors against the pool by the rule the PG admits
/// maps with: EC vectors are empty or have one position per shard; replicated
/// vectors hold real, distinct OSDs and no hole.
pub fn validate_vectors(up_acting: &PgPlacement, pool: &PoolInfo) -> Result<(), ActingError> {
    check_vector(&up_acting.up, PlacementVector::Up, pool)?;
    check_vector(&up_acting.acting, PlacementVector::Acting, pool)
}

/// The one rule for up/acting vectors ([`crate::intervals::validate_vector`],
/// what the PG admits from a map), reported as an acting-set error.
fn check_vector(vec: &[OsdId], which: PlacementVector, pool: &PoolInfo) -> Result<(), ActingError> {
    validate_vector(pool, vec).map_err(|e| match e {
        IntervalError::EcVectorLength { len, size } => {
            ActingError::VectorLength { which, len, size }
        }
        IntervalError::DuplicateOsd { osd } | IntervalError::InvalidOsd { osd } => {
            ActingError::BadReplicatedVector { which, osd }
        }
        IntervalError::HoleInReplicatedVector => ActingError::BadReplicatedVector {
            which,
            osd: OsdId::NONE,
        },
        _ => ActingError::InvalidPoolSize { size: pool.size },
    })
}

/// Checks that every info is keyed by a real OSD and a shard that fits the pool
/// kind: the structural rules `choose_acting` needs to index placement
/// vectors. It checks nothing else: Ceph's `choose_acting` passes the PG's
/// records of its peers straight to `find_best_info` and
/// `calc_replicated_acting`, and those records may legitimately disagree with
/// themselves (a peer caught up by log from an empty info keeps
/// `same_interval_since` 0 while its `last_interval_started` moves on).
pub fn validate_keys(
    all_info: &BTreeMap<PgShard, PgInfo>,
    pool: &PoolInfo,
) -> Result<(), ActingError> {
    all_info
        .keys()
        .try_for_each(|&shard| validate_key(shard, pool))
}

/// Checks every info as [`validate_peer_info`] does: the admission rules for infos
/// from untrusted peers.
pub fn validate_infos(
    all_info: &BTreeMap<PgShard, PgInfo>,
    pool: &PoolInfo,
) -> Result<(), ActingError> {
    all_info
        .iter()
        .try_for_each(|(&shard, info)| validate_peer_info(shard, info, pool))
}

/// Checks one info a peer sent before the PG takes it in: a valid OSD
/// key, a shard that fits the pool kind, `log_tail <= last_update`,
/// `last_complete <= last_update`, a history read bound that is not negative. Ceph's `pg_info_t` never breaks these; Ceph
/// does not check them because its peers are trusted, we check them because ours
/// are not.
pub fn validate_peer_info(
    shard: PgShard,
    info: &PgInfo,
    pool: &PoolInfo,
) -> Result<(), ActingError> {
    validate_key(shard, pool)?;
    if info.last_complete > info.last_update {
        return Err(ActingError::LastCompletePastLastUpdate { shard });
    }
    if info.last_update < info.log_tail {
        return Err(ActingError::LastUpdateBeforeLogTail { shard });
    }
    if info.history.prior_readable_until_ub < crate::types::Timespan::ZERO {
        return Err(ActingError::NegativeReadBound { shard });
    }
    // No rule ties `last_interval_started` to `last_epoch_started`: a replica
    // activated by a primary that is only peered (acting below `min_size`), or a
    // stray activated as a recovery source, records the interval's start with an
    // older activation epoch, in its info and in the history it reports
    // (`PeeringState::activate`, `ReplicaActive::react(ActivateCommitted)`).
    Ok(())
}

fn validate_key(shard: PgShard, pool: &PoolInfo) -> Result<(), ActingError> {
    if !shard.osd.is_valid() {
        return Err(ActingError::InvalidOsd { shard });
    }
    if pool.is_erasure() {
        let in_range = u32::try_from(shard.shard.0).is_ok_and(|s| s < pool.size);
        if !in_range {
            return Err(ActingError::ShardOutOfRange {
                shard,
                size: pool.size,
            });
        }
    } else if !shard.shard.is_no_shard() {
        return Err(ActingError::ShardInReplicatedPool { shard });
    }
    Ok(())
}
