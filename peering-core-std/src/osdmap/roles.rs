//! Roles and shards from a placement: `calc_pg_role`, `get_primary_shard`,
//! `is_up_acting_osd_shard` ("Helpers").

use peering_core::types::{OsdId, PgId, PgShard, ShardId, SpgId};

use super::map::OsdMap;

/// `calc_pg_role(who, acting)`: a replica's role is its index in the acting set;
/// an EC shard's role is its shard number if the acting set holds it at that
/// position. `None` for a stray (Ceph's `-1`); `Some(0)` is the primary.
pub fn calc_pg_role(who: PgShard, acting: &[OsdId]) -> Option<usize> {
    if who.shard.is_no_shard() {
        acting.iter().position(|o| *o == who.osd)
    } else {
        let pos = usize::try_from(who.shard.0).ok()?;
        (acting.get(pos) == Some(&who.osd)).then_some(pos)
    }
}

impl OsdMap {
    /// `get_primary_shard(pgid)`: the PG instance the acting primary holds —
    /// `NO_SHARD` for replicated pools, the primary's position for EC pools.
    /// `None` when the pool does not exist or (EC) there is no acting primary.
    pub fn primary_shard(&self, pgid: PgId) -> Option<SpgId> {
        let pool = self.pools.get(&pgid.pool)?;
        let placement = self.pg_to_up_acting_osds(pgid);
        if !pool.is_erasure() {
            return Some(SpgId::replicated(pgid));
        }
        let pos = placement
            .acting
            .iter()
            .position(|o| *o == placement.acting_primary)?;
        let shard = i8::try_from(pos).ok()?;
        Some(SpgId::new(pgid, ShardId(shard)))
    }

    /// The PG instances of `pgid`'s acting set, in position order: each
    /// member with the instance it holds (`NO_SHARD` for replicated pools,
    /// its position for EC pools, as `PeeringState` builds `actingset`);
    /// `CRUSH_ITEM_NONE` holes are left out. Empty when the pool does not
    /// exist.
    pub fn acting_instances(&self, pgid: PgId) -> Vec<(OsdId, SpgId)> {
        let Some(pool) = self.pools.get(&pgid.pool) else {
            return Vec::new();
        };
        let ec = pool.is_erasure();
        self.pg_to_up_acting_osds(pgid)
            .acting
            .iter()
            .enumerate()
            .filter(|(_, o)| **o != OsdId::NONE)
            .filter_map(|(i, o)| {
                let shard = if ec {
                    ShardId(i8::try_from(i).ok()?)
                } else {
                    ShardId::NO_SHARD
                };
                Some((*o, SpgId::new(pgid, shard)))
            })
            .collect()
    }

    /// `is_up_acting_osd_shard(spg, osd)`: whether `osd` holds `spg` in this map's
    /// up or acting set (exact-pgid semantics: a PG past `pg_num` maps nowhere).
    pub fn is_up_acting_osd_shard(&self, spg: SpgId, osd: OsdId) -> bool {
        let placement = self.pg_to_up_acting_osds_exact(spg.pgid);
        let who = PgShard::new(osd, spg.shard);
        calc_pg_role(who, &placement.acting).is_some() || calc_pg_role(who, &placement.up).is_some()
    }
}
