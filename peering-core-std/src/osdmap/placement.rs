//! The placement pipeline: PG → raw CRUSH mapping → upmap → up → primary affinity
//! → pg_temp / primary_temp → acting (`OSDMap::_pg_to_up_acting_osds`.
//!
//! Each step is its own method, named after Ceph's, so a test can check one rule
//! at a time; [`OsdMap::pg_to_up_acting_osds`] runs them in Ceph's order.

use peering_core::map::{OsdMapView, PoolInfo, PoolKind};
use peering_core::types::{OsdId, OsdVec, PgId};

use super::map::OsdMap;
use super::osd::DEFAULT_PRIMARY_AFFINITY;
use crate::crush::hash::crush_hash32_2;
use crate::crush::{RULE_TYPE_ERASURE, RULE_TYPE_REPLICATED};
use peering_core::map::PoolFlags;
use peering_core::types::pg_math::{ceph_stable_mod, pg_num_mask};

/// A PG's placement in one epoch, as `pg_to_up_acting_osds` fills it in: the
/// core's [`UpActing`](peering_core::intervals::UpActing), the same value the
/// interval rules compare between epochs. `Default` is the empty placement
/// with no primaries (`-1`).
pub use peering_core::intervals::UpActing;

/// `pg_pool_t::raw_pg_to_pps`: the CRUSH input `x` for a PG. The seed is first
/// folded by `pgp_num` (so raising pg_num without pgp_num moves no data); with
/// `HASHPSPOOL` it is hashed with the pool id so pools do not overlap, otherwise
/// (legacy) the pool id is added, and the pool id is truncated to 32 bits as in
/// Ceph.
pub fn raw_pg_to_pps(pool: &PoolInfo, pg: PgId) -> u32 {
    let folded = ceph_stable_mod(pg.seed, pool.pgp_num, pg_num_mask(pool.pgp_num));
    // Ceph passes the 64-bit pool id where a 32-bit value is expected.
    let pool_id = pg.pool as u32;
    if pool.flags.contains(PoolFlags::HASHPSPOOL) {
        crush_hash32_2(folded, pool_id)
    } else {
        folded.wrapping_add(pool_id)
    }
}

/// `_pick_primary`: the first entry that is not a `CRUSH_ITEM_NONE` hole.
pub fn pick_primary(osds: &[OsdId]) -> OsdId {
    osds.iter()
        .copied()
        .find(|o| !o.is_none())
        .unwrap_or(OsdId::UNDEF)
}

impl OsdMap {
    /// `_remove_nonexistent_osds`: replicated pools drop OSDs the map does not
    /// have; EC pools keep the position as a hole.
    fn remove_nonexistent_osds(&self, pool: &PoolInfo, osds: &mut OsdVec) {
        if pool.can_shift_osds() {
            osds.retain(|o| self.exists(*o));
        } else {
            for o in osds.iter_mut() {
                if !self.exists(*o) {
                    *o = OsdId::NONE;
                }
            }
        }
    }

    /// `_pg_to_raw_osds`: CRUSH's mapping of the PG with the current weights,
    /// minus OSDs that no longer exist, and the CRUSH input it used. No CRUSH map
    /// or a negative rule maps to nothing; in a map that
    /// [checks rule masks](OsdMap::checks_rule_mask) (Pacific and older), neither
    /// does a rule of the wrong type or whose size range excludes the pool's.
    pub fn pg_to_raw_osds(&self, pool: &PoolInfo, pg: PgId) -> (OsdVec, u32) {
        let pps = raw_pg_to_pps(pool, pg);
        let mut raw = OsdVec::new();
        let rule_type = match pool.kind {
            PoolKind::Replicated => RULE_TYPE_REPLICATED,
            PoolKind::Erasure { .. } => RULE_TYPE_ERASURE,
        };
        if let Some(crush) = &self.crush
            && pool.crush_rule >= 0
            && (!self.check_rule_mask
                || crush
                    .rules()
                    .rule_mask_matches(pool.crush_rule, rule_type, pool.size))
        {
            let size = usize::try_from(pool.size).unwrap_or(0);
            let mapped =
                crush
                    .rules()
                    .map_rule(pool.crush_rule, pps, size, self.weights(), pg.pool);
            raw.extend(mapped.into_iter().take(size).map(OsdId));
        }
        self.remove_nonexistent_osds(pool, &mut raw);
        (raw, pps)
    }

    /// True for an id that names an OSD slot of this map marked out (weight 0);
    /// upmap refuses such targets.
    fn is_out_target(&self, osd: OsdId) -> bool {
        !osd.is_none() && osd.0 >= 0 && osd.0 < self.max_osd && self.weight(osd) == 0
    }

    /// `_apply_upmap`: a `pg_upmap` entry replaces the raw set unless one of its
    /// targets is out (then the PG's upmaps are ignored altogether); then each
    /// `pg_upmap_items` pair replaces the first occurrence of `from` with `to`,
    /// skipped when `to` is already in the set or out.
    pub fn apply_upmap(&self, pool: &PoolInfo, raw_pg: PgId, raw: &mut OsdVec) {
        let pg = raw_pg.raw_to_pg(pool.pg_num);
        if let Some(explicit) = self.pg_upmap.get(&pg) {
            if explicit.iter().any(|o| self.is_out_target(*o)) {
                return;
            }
            *raw = explicit.clone();
        }
        let Some(items) = self.pg_upmap_items.get(&pg) else {
            return;
        };
        for (from, to) in items {
            if raw.contains(to) || self.is_out_target(*to) {
                continue;
            }
            if let Some(slot) = raw.iter_mut().find(|o| **o == *from) {
                *slot = *to;
            }
        }
    }

    /// `_raw_to_up_osds`: replicated pools keep the OSDs that exist and are up, in
    /// order; EC pools keep every position, with down OSDs as holes.
    pub fn raw_to_up_osds(&self, pool: &PoolInfo, raw: &[OsdId]) -> OsdVec {
        let live = |o: &OsdId| self.exists(*o) && self.is_up(*o);
        if pool.can_shift_osds() {
            raw.iter().copied().filter(live).collect()
        } else {
            raw.iter()
                .map(|o| if live(o) { *o } else { OsdId::NONE })
                .collect()
        }
    }

    /// `_apply_primary_affinity`: when some member has a non-default affinity,
    /// walk the set and reject member `o` as primary when
    /// `hash(seed, o) >> 16 >= affinity(o)`; the first member not rejected
    /// becomes primary (else the first rejected one). Replicated pools move it to
    /// the front; EC pools keep positions.
    pub fn apply_primary_affinity(
        &self,
        seed: u32,
        pool: &PoolInfo,
        osds: &mut OsdVec,
        primary: &mut OsdId,
    ) {
        let affinity = |o: OsdId| self.primary_affinity(o);
        if !osds
            .iter()
            .any(|o| !o.is_none() && affinity(*o) != DEFAULT_PRIMARY_AFFINITY)
        {
            return;
        }
        let mut chosen: Option<usize> = None;
        for (i, o) in osds.iter().enumerate() {
            if o.is_none() {
                continue;
            }
            let a = affinity(*o);
            let draw = crush_hash32_2(seed, o.0 as u32) >> 16;
            if a < DEFAULT_PRIMARY_AFFINITY && draw >= a {
                // Rejected; remember the first as the fallback.
                chosen.get_or_insert(i);
            } else {
                chosen = Some(i);
                break;
            }
        }
        let Some(pos) = chosen else { return };
        let Some(new_primary) = osds.get(pos).copied() else {
            return;
        };
        *primary = new_primary;
        if pool.can_shift_osds()
            && pos > 0
            && let Some(head) = osds.get_mut(..=pos)
        {
            head.rotate_right(1);
        }
    }

    /// `_get_temp_osds`: the PG's pg_temp with down or missing OSDs dropped
    /// (replicated) or turned into holes (EC), and its temporary primary:
    /// primary_temp if set, else the first member of the filtered pg_temp, else
    /// `-1`.
    pub fn get_temp_osds(&self, pool: &PoolInfo, raw_pg: PgId) -> (OsdVec, OsdId) {
        let pg = raw_pg.raw_to_pg(pool.pg_num);
        let temp = self
            .pg_temp
            .get(&pg)
            .map(|t| self.raw_to_up_osds(pool, t))
            .unwrap_or_default();
        let primary = match self.primary_temp.get(&pg) {
            Some(p) => *p,
            None => pick_primary(&temp),
        };
        (temp, primary)
    }

    /// `pg_to_up_acting_osds(pg)`: the full pipeline for a PG, folding a raw seed
    /// into the pool's range first (Ceph's default `raw_pg_to_pg = true`).
    /// Unknown pool → everything empty and `-1`.
    pub fn pg_to_up_acting_osds(&self, pg: PgId) -> UpActing {
        self.up_acting(pg, true)
    }

    /// The pipeline with exact-pgid semantics: a seed at or beyond `pg_num` does not
    /// exist and maps to nothing (used by `is_up_acting_osd_shard`).
    pub fn pg_to_up_acting_osds_exact(&self, pg: PgId) -> UpActing {
        self.up_acting(pg, false)
    }

    fn up_acting(&self, pg: PgId, fold: bool) -> UpActing {
        let Some(pool) = self.pools.get(&pg.pool) else {
            return UpActing::default();
        };
        if !fold && pg.seed >= pool.pg_num {
            return UpActing::default();
        }
        let (temp, temp_primary) = self.get_temp_osds(pool, pg);
        let (up, up_primary) = self.pg_to_up_with_seed(pool, pg);
        // An empty (or entirely down) pg_temp leaves acting = up; a primary_temp
        // still overrides the acting primary then.
        let (acting, acting_primary) = if temp.is_empty() {
            let primary = if temp_primary == OsdId::UNDEF {
                up_primary
            } else {
                temp_primary
            };
            (up.clone(), primary)
        } else {
            (temp, temp_primary)
        };
        UpActing {
            up,
            up_primary,
            acting,
            acting_primary,
        }
    }

    /// Raw CRUSH mapping → upmap → up → primary affinity: the up set and its
    /// primary.
    fn pg_to_up_with_seed(&self, pool: &PoolInfo, pg: PgId) -> (OsdVec, OsdId) {
        let (mut raw, pps) = self.pg_to_raw_osds(pool, pg);
        self.apply_upmap(pool, pg, &mut raw);
        let mut up = self.raw_to_up_osds(pool, &raw);
        let mut primary = pick_primary(&up);
        self.apply_primary_affinity(pps, pool, &mut up, &mut primary);
        (up, primary)
    }

    /// `pg_to_raw_up`: the up set and primary without pg_temp / primary_temp (the
    /// monitor compares it with pg_temp to drop redundant entries).
    pub fn pg_to_raw_up(&self, pg: PgId) -> (OsdVec, OsdId) {
        match self.pools.get(&pg.pool) {
            Some(pool) => self.pg_to_up_with_seed(pool, pg),
            None => (OsdVec::new(), OsdId::UNDEF),
        }
    }
}
