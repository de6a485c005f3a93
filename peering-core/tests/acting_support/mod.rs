//! Builders shared by the acting tests: infos, placements, pools, one-call choose_acting.
#![allow(dead_code)]

use std::collections::BTreeMap;

use peering_core::acting::{
    ActingChoice, ChooseActingRequest, PeerMissingCounts, PgPlacement, choose_acting, collect_infos,
};
use peering_core::map::PoolInfo;
use peering_core::types::{EVersion, ObjectId, OsdId, OsdVec, PgInfo, PgShard, ShardId};

/// A complete info at `e'v` with an empty log tail (`0'0`).
pub fn info(e: u32, v: u64) -> PgInfo {
    let mut i = PgInfo::default();
    i.last_update = EVersion::new(e, v);
    i.last_complete = i.last_update;
    i.history.epoch_created = 1;
    i
}

/// Fluent tweaks on an info.
pub trait InfoExt: Sized {
    fn tail(self, e: u32, v: u64) -> Self;
    fn les(self, les: u32) -> Self;
    fn hles(self, les: u32) -> Self;
    fn incomplete(self) -> Self;
    fn lc(self, e: u32, v: u64) -> Self;
    fn objects_missing(self, n: i64) -> Self;
}

impl InfoExt for PgInfo {
    fn tail(mut self, e: u32, v: u64) -> Self {
        self.log_tail = EVersion::new(e, v);
        self
    }
    fn les(mut self, les: u32) -> Self {
        self.last_epoch_started = les;
        self
    }
    fn hles(mut self, les: u32) -> Self {
        self.history.last_epoch_started = les;
        self
    }
    fn incomplete(mut self) -> Self {
        self.last_backfill = ObjectId::MIN;
        self
    }
    fn lc(mut self, e: u32, v: u64) -> Self {
        self.last_complete = EVersion::new(e, v);
        self
    }
    fn objects_missing(mut self, n: i64) -> Self {
        self.stats.num_objects_missing = n;
        self
    }
}

pub fn rep(osd: i32) -> PgShard {
    PgShard::replica(osd)
}

pub fn ec(osd: i32, shard: i8) -> PgShard {
    PgShard::new(OsdId(osd), ShardId(shard))
}

/// `-1` in a vector literal stands for a hole (`CRUSH_ITEM_NONE`).
pub fn vec_of(osds: &[i32]) -> OsdVec {
    osds.iter()
        .map(|&o| if o < 0 { OsdId::NONE } else { OsdId(o) })
        .collect()
}

fn first_shard(v: &OsdVec, erasure: bool) -> PgShard {
    v.iter()
        .enumerate()
        .find(|(_, o)| !o.is_none())
        .map(|(i, &o)| {
            if erasure {
                PgShard::new(o, ShardId(i as i8))
            } else {
                PgShard::new(o, ShardId::NO_SHARD)
            }
        })
        .unwrap_or(PgShard::UNDEF)
}

/// Replicated placement; primaries are the first entries.
pub fn placement(up: &[i32], acting: &[i32]) -> PgPlacement {
    let (u, a) = (vec_of(up), vec_of(acting));
    PgPlacement::new(
        u.clone(),
        first_shard(&u, false),
        a.clone(),
        first_shard(&a, false),
    )
}

/// EC placement; primaries are the first filled positions.
pub fn ec_placement(up: &[i32], acting: &[i32]) -> PgPlacement {
    let (u, a) = (vec_of(up), vec_of(acting));
    PgPlacement::new(
        u.clone(),
        first_shard(&u, true),
        a.clone(),
        first_shard(&a, true),
    )
}

pub fn pool_rep(size: u32) -> PoolInfo {
    PoolInfo::replicated(1, size, 8)
}

pub fn pool_ec(k: u32, m: u32) -> PoolInfo {
    PoolInfo::erasure(1, k, m, 8)
}

pub fn infos(pairs: &[(PgShard, PgInfo)]) -> BTreeMap<PgShard, PgInfo> {
    collect_infos(pairs.iter().cloned()).unwrap()
}

/// `choose_acting` with the default request and no missing counts.
pub fn choose(
    whoami: PgShard,
    pairs: &[(PgShard, PgInfo)],
    ua: &PgPlacement,
    pool: &PoolInfo,
) -> ActingChoice {
    choose_with(whoami, pairs, ua, pool, &ChooseActingRequest::default())
}

pub fn choose_with(
    whoami: PgShard,
    pairs: &[(PgShard, PgInfo)],
    ua: &PgPlacement,
    pool: &PoolInfo,
    req: &ChooseActingRequest,
) -> ActingChoice {
    choose_acting(
        whoami,
        &infos(pairs),
        ua,
        pool,
        req,
        &PeerMissingCounts::new(),
    )
    .unwrap()
}
