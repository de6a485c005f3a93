//! Up/acting vectors as shard sets (`pg_pool_t::convert_to_pg_shards`) and
//! the checks that make a vector meaningful.

use alloc::collections::BTreeSet;

use super::IntervalError;
use crate::map::PoolInfo;
use crate::types::{OsdId, PgShard, ShardId};

/// The shard a position of an up/acting vector names: its index for an
/// erasure-coded pool (positions are shards), `NO_SHARD` for a replicated one.
pub fn shard_at(ec_pool: bool, index: usize) -> Result<ShardId, IntervalError> {
    if !ec_pool {
        return Ok(ShardId::NO_SHARD);
    }
    i8::try_from(index)
        .map(ShardId)
        .map_err(|_| IntervalError::ShardOutOfRange { index })
}

/// `convert_to_pg_shards`: the shards of an up or acting vector. `CRUSH_ITEM_NONE`
/// holes are skipped; an EC position keeps its index as the shard.
pub fn to_shard_set(ec_pool: bool, osds: &[OsdId]) -> Result<BTreeSet<PgShard>, IntervalError> {
    let mut set = BTreeSet::new();
    extend_shard_set(&mut set, ec_pool, osds)?;
    Ok(set)
}

/// Adds the shards of `osds` to `set` as [`to_shard_set`] computes them. On error
/// `set` may hold a prefix; callers build into a fresh set.
pub(crate) fn extend_shard_set(
    set: &mut BTreeSet<PgShard>,
    ec_pool: bool,
    osds: &[OsdId],
) -> Result<(), IntervalError> {
    for (index, &osd) in osds.iter().enumerate() {
        if osd.is_none() {
            continue;
        }
        set.insert(PgShard::new(osd, shard_at(ec_pool, index)?));
    }
    Ok(())
}

/// How many positions of a vector hold an OSD (`num_acting` in
/// `check_new_interval`): everything but `CRUSH_ITEM_NONE` holes.
pub fn count_present(osds: &[OsdId]) -> usize {
    osds.iter().filter(|o| !o.is_none()).count()
}

/// Checks that an up or acting vector means something for `pool`: the Ceph
/// invariants the OSD map guarantees, checked because maps and peers may be wrong.
/// This is the one rule for vectors: admission and `choose_acting` both use it.
///
/// * the pool's size is not zero;
/// * every entry is a real OSD or the `CRUSH_ITEM_NONE` hole;
/// * replicated: no hole (`OSDMap::_raw_to_up_osds` drops them) and no OSD twice
///   (a replica is one copy per OSD);
/// * erasure-coded: the vector is empty or exactly `size` long, and positions fit a
///   shard id.
///
/// An empty vector is valid: Ceph maps a PG to nothing while its pool has no OSDs in
/// (and then says the acting set is too small to have gone read-write). An EC vector
/// may name one OSD in two positions: Ceph tolerates it in error conditions (one OSD
/// holding two shards), so it is not refused here.
pub fn validate_vector(pool: &PoolInfo, osds: &[OsdId]) -> Result<(), IntervalError> {
    if pool.size == 0 {
        return Err(IntervalError::ZeroPoolSize { pool: pool.id });
    }
    if let Some(&osd) = osds.iter().find(|o| !o.is_none() && !o.is_valid()) {
        return Err(IntervalError::InvalidOsd { osd });
    }
    if pool.is_erasure() {
        let size_matches = usize::try_from(pool.size).is_ok_and(|s| s == osds.len());
        if !osds.is_empty() && !size_matches {
            return Err(IntervalError::EcVectorLength {
                len: osds.len(),
                size: pool.size,
            });
        }
        if !osds.is_empty() {
            shard_at(true, osds.len().saturating_sub(1))?;
        }
        return Ok(());
    }
    if osds.iter().any(|o| o.is_none()) {
        return Err(IntervalError::HoleInReplicatedVector);
    }
    if let Some(osd) = first_duplicate(osds) {
        return Err(IntervalError::DuplicateOsd { osd });
    }
    Ok(())
}

/// The first OSD that appears twice (holes aside). Quadratic on purpose: vectors are
/// pool-sized (a handful) and this stays allocation-free.
pub(crate) fn first_duplicate(osds: &[OsdId]) -> Option<OsdId> {
    osds.iter().enumerate().find_map(|(i, o)| {
        let later = osds.get(i.saturating_add(1)..).unwrap_or(&[]);
        (!o.is_none() && later.contains(o)).then_some(*o)
    })
}
