//! The approximate recovery cost Ceph compares against its thresholds.

use alloc::collections::BTreeMap;

use crate::types::{PgInfo, PgShard, Version};

/// Per-peer missing-object counts, keyed by shard: what the caller knows of each
/// peer's missing set (`peer_missing[shard].num_missing()`), read by the primary and
/// async-recovery cost rules.
///
/// Ceph reads `info.stats.stats.sum.num_objects_missing` from the peer's info; a shard
/// absent from this map falls back to exactly that, so an empty map reproduces Ceph.
pub type PeerMissingCounts = BTreeMap<PgShard, u64>;

/// Ceph's `approx_missing_objects` (`select_replicated_primary` and
/// `choose_async_recovery_*`): the shard's missing count plus its version distance
/// from the authoritative `last_update`.
///
/// `count_ahead` says whether a shard ahead of the authority pays for the distance:
/// replicated pools count both directions; EC pools only a shard that is behind, as
/// rolling back is local and cheap. A negative reported count (impossible in Ceph)
/// counts as zero; sums saturate.
pub(crate) fn approx_missing_objects(
    shard: PgShard,
    info: &PgInfo,
    auth_version: Version,
    count_ahead: bool,
    peer_missing: &PeerMissingCounts,
) -> u64 {
    let missing = peer_missing
        .get(&shard)
        .copied()
        .unwrap_or_else(|| u64::try_from(info.stats.num_objects_missing).unwrap_or(0));
    let version = info.last_update.version;
    let distance = if auth_version > version {
        auth_version - version
    } else if count_ahead {
        version - auth_version
    } else {
        0
    };
    missing.saturating_add(distance)
}
