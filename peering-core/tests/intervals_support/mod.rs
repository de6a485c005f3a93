//! Shared fixtures for the interval tests: Ceph's `check_new_interval` test map and
//! short constructors.
#![allow(dead_code)]

use std::collections::BTreeSet;

use peering_core::intervals::UpActing;
use peering_core::map::{OsdState, PoolInfo, SimpleOsdMap};
use peering_core::types::{OsdId, PgId, PgShard, ShardId};

/// `CRUSH_ITEM_NONE`, spelled as Ceph's tests spell it.
pub const N: i32 = 0x7fff_ffff;

/// The pool of Ceph's `check_new_interval` test.
pub const POOL: i64 = 200;
/// The epoch both of its maps are at.
pub const EPOCH: u32 = 41;
/// `same_interval_since` (and `last_epoch_clean`) of that test.
pub const SIS: u32 = 40;

/// Ceph's test OSD.
pub const OSD: i32 = 1;

/// The test pool: replicated, size 3, min_size 2, pg_num 4 (pending 4).
pub fn pool() -> PoolInfo {
    let mut p = PoolInfo::replicated(POOL, 3, 4);
    p.min_size = 2;
    p
}

/// Ceph's test map: epoch 41, osd.1 exists (not up, up_from 0) with up_thru 41,
/// the test pool.
pub fn base_map() -> SimpleOsdMap {
    map_with(pool(), EPOCH, EPOCH)
}

/// A map at `epoch` holding `pool`, osd.1 existing with `up_thru`.
pub fn map_with(pool: PoolInfo, epoch: u32, up_thru: u32) -> SimpleOsdMap {
    let mut m = SimpleOsdMap::new(epoch).with_pool(pool);
    m.osds.insert(
        OsdId(OSD),
        OsdState {
            up_thru,
            ..OsdState::default()
        },
    );
    m
}

/// The test's starting mapping: up [1] (primary 1), acting [1, 2] (primary 1).
pub fn base_mapping() -> UpActing {
    UpActing::new(&[OSD], OSD, &[OSD, OSD + 1], OSD)
}

/// The test's PG (seed 0 of the pool).
pub fn pgid(seed: u32) -> PgId {
    PgId::new(POOL, seed)
}

/// `pg_shard_t(osd)`: a replica.
pub fn pst(osd: i32) -> PgShard {
    PgShard::replica(osd)
}

/// `pg_shard_t(osd, shard)`: an EC shard.
pub fn psts(osd: i32, shard: i8) -> PgShard {
    PgShard::new(OsdId(osd), ShardId(shard))
}

/// Plain ids as a vector of `OsdId`.
pub fn osds(v: &[i32]) -> Vec<OsdId> {
    v.iter().map(|&o| OsdId(o)).collect()
}

/// A set of replica shards.
pub fn replicas(v: &[i32]) -> BTreeSet<PgShard> {
    v.iter().map(|&o| pst(o)).collect()
}
