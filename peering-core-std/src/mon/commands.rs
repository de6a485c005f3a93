//! Operator and manager commands: pools, `pg_num`/`pgp_num`, weights,
//! affinity, upmap, OSDs in and out.

use peering_core::map::MAX_POOL_PG_NUM;
use peering_core::map::{OsdMapView, PoolFlags, PoolInfo};
use peering_core::types::{OsdId, OsdVec, PgId};

use super::{MonError, Monitor};
use crate::osdmap::{UpmapItems, WEIGHT_IN};

impl Monitor {
    /// The pool as the next epoch will have it: pending changes first.
    pub(super) fn pending_pool(&self, pool: i64) -> Option<PoolInfo> {
        if self.pending.old_pools.contains(&pool) {
            return None;
        }
        self.pending
            .new_pools
            .get(&pool)
            .cloned()
            .or_else(|| self.map.pg_pool(pool).cloned())
    }

    fn check_osd(&self, osd: OsdId) -> Result<(), MonError> {
        if self.map.exists(osd) {
            Ok(())
        } else {
            Err(MonError::NoOsd(osd))
        }
    }

    /// `osd pool create`: adds `pool` in the next epoch and starts creating
    /// its PGs (`creating_pgs`, created in that epoch). Refused: an id in use,
    /// a `pg_num` of 0 or above `mon_max_pool_pg_num`, a pool the map refuses.
    pub fn create_pool(&mut self, mut pool: PoolInfo) -> Result<(), MonError> {
        if self.map.pg_pool(pool.id).is_some() || self.pending.new_pools.contains_key(&pool.id) {
            return Err(MonError::PoolExists(pool.id));
        }
        check_pg_num(pool.pg_num)?;
        let epoch = self.pending.epoch;
        pool.last_change = epoch;
        // `prepare_new_pool`: the pool is creating until every PG reported
        // created (its primaries send `MOSDPGCreated` while it is set).
        pool.flags |= PoolFlags::CREATING;
        crate::osdmap::validate_pool(pool.id, &pool)?;
        for seed in 0..pool.pg_num {
            self.creating.insert(
                PgId::new(pool.id, seed),
                super::creating::CreateInfo::new(epoch),
            );
        }
        self.pending.set_pool(pool);
        Ok(())
    }

    /// `osd pool delete`: removes the pool in the next epoch and stops
    /// creating its PGs.
    pub fn delete_pool(&mut self, pool: i64) -> Result<(), MonError> {
        if self.pending_pool(pool).is_none() {
            return Err(MonError::NoPool(pool));
        }
        self.pending.new_pools.remove(&pool);
        if self.map.pg_pool(pool).is_some() {
            self.pending.old_pools.insert(pool);
        }
        self.creating.retain(|pg, _| pg.pool != pool);
        self.create_sent.retain(|pg, _| pg.pool != pool);
        self.pg_num_target.remove(&pool);
        self.pgp_num_target.remove(&pool);
        Ok(())
    }

    /// `osd pool set POOL pg_num N` (Nautilus+): records the target
    /// (`pg_num_target`, and `pgp_num_target` with it); the manager walks the
    /// pool there ([`Monitor::mgr_tick`]), splitting up or merging down one PG
    /// at a time.
    pub fn set_pg_num(&mut self, pool: i64, pg_num: u32) -> Result<(), MonError> {
        self.pending_pool(pool).ok_or(MonError::NoPool(pool))?;
        check_pg_num(pg_num)?;
        self.pg_num_target.insert(pool, pg_num);
        self.pgp_num_target.insert(pool, pg_num);
        Ok(())
    }

    /// The `pg_num` the manager is walking `pool` to, while it has not got
    /// there (`pg_num_target`).
    pub fn pg_num_target(&self, pool: i64) -> Option<u32> {
        self.pg_num_target.get(&pool).copied()
    }

    /// `osd pool set POOL pgp_num N`: records the target the manager walks
    /// `pgp_num` to. Refused above the pool's `pg_num` target.
    pub fn set_pgp_num(&mut self, pool: i64, pgp_num: u32) -> Result<(), MonError> {
        let p = self.pending_pool(pool).ok_or(MonError::NoPool(pool))?;
        let ceiling = self.pg_num_target.get(&pool).copied().unwrap_or(p.pg_num);
        if pgp_num == 0 || pgp_num > ceiling {
            return Err(MonError::OutOfRange {
                what: "pgp_num",
                value: u64::from(pgp_num),
            });
        }
        self.pgp_num_target.insert(pool, pgp_num);
        Ok(())
    }

    /// The manager's `DaemonServer::adjust_pgs`, once: a pool below its
    /// `pg_num` target, and done creating its initial PGs, is raised to it
    /// (Ceph raises it in steps bounded by the PGs being created; this
    /// monitor in one). A pool above its target merges its last PG into its
    /// parent: once `pgp_num` is below `pg_num` and no merge is pending,
    /// `pg_num_pending` drops by one (`pg_num_actual`), any `pg_upmap` of the
    /// two PGs is removed first, and the PGs' readiness reports
    /// (`MOSDPGReadyToMerge`) then lower `pg_num` or back off. Ceph's
    /// manager also waits for both PGs to be active+clean in its PG stats;
    /// this monitor has none, so the readiness handshake alone guards the
    /// merge (the PGs only report ready once clean with full acting sets).
    /// A pool whose `pgp_num` trails its target (never above
    /// `pg_num_pending`) moves it by `target_max_misplaced_ratio` of
    /// `pg_num` (at least one), up or down, but only while the cluster's
    /// misplaced ratio, as the host measures it, is below that ratio.
    /// Changes go into the pending incremental.
    pub fn mgr_tick(&mut self, misplaced_ratio: f64) {
        let pools: std::collections::BTreeSet<i64> = self
            .pg_num_target
            .keys()
            .chain(self.pgp_num_target.keys())
            .copied()
            .collect();
        let ratio = self.cfg.target_max_misplaced_ratio;
        for id in pools {
            let Some(mut p) = self.pending_pool(id) else {
                continue;
            };
            let mut changed = false;
            // A pool still creating its initial PGs keeps its `pg_num`: a
            // split needs the parents to exist (`adjust_pgs` skips it).
            let creating = p.flags.contains(PoolFlags::CREATING);
            if let Some(&t) = self.pg_num_target.get(&id) {
                if p.pg_num == t {
                    self.pg_num_target.remove(&id);
                } else if !creating && p.pg_num < t {
                    p.set_pg_num(t);
                    changed = true;
                } else if !creating && p.pg_num == p.pg_num_pending && p.pgp_num < p.pg_num {
                    // Merge the last PG into its parent.
                    let source = PgId::new(id, p.pg_num - 1);
                    let upmapped = [source, source.parent()]
                        .into_iter()
                        .filter(|pg| {
                            self.map.pg_upmap().contains_key(pg)
                                || self.map.pg_upmap_items().contains_key(pg)
                        })
                        .collect::<Vec<_>>();
                    if upmapped.is_empty() {
                        p.pg_num_pending = p.pg_num - 1;
                        changed = true;
                    } else {
                        for pg in upmapped {
                            self.pending.old_pg_upmap.insert(pg);
                            self.pending.old_pg_upmap_items.insert(pg);
                        }
                    }
                }
            }
            if let Some(&target) = self.pgp_num_target.get(&id) {
                // Never past `pg_num_pending`; the target stays until
                // reached, even while `pg_num` waits below it.
                let t = target.min(p.pg_num_pending);
                if p.pgp_num == target {
                    self.pgp_num_target.remove(&id);
                } else if p.pgp_num != t && !changed && misplaced_ratio < ratio {
                    // `ratio` is a fraction in 0..1 of at most 65,536 PGs.
                    let step = (f64::from(p.pg_num) * ratio).ceil().max(1.0) as u32;
                    p.pgp_num = if p.pgp_num < t {
                        p.pgp_num.saturating_add(step).min(t)
                    } else {
                        p.pgp_num.saturating_sub(step).max(t)
                    };
                    changed = true;
                }
            }
            if changed {
                p.last_change = self.pending.epoch;
                self.pending.set_pool(p);
            }
        }
    }

    /// `osd out N`.
    pub fn mark_out(&mut self, osd: OsdId) -> Result<(), MonError> {
        self.check_osd(osd)?;
        self.pending.mark_out(osd.0);
        Ok(())
    }

    /// `osd in N`.
    pub fn mark_in(&mut self, osd: OsdId) -> Result<(), MonError> {
        self.check_osd(osd)?;
        self.pending.mark_in(osd.0);
        Ok(())
    }

    /// `osd reweight N W`: `weight` in 16.16 fixed point (`0x10000` is 1).
    pub fn reweight(&mut self, osd: OsdId, weight: u32) -> Result<(), MonError> {
        self.check_osd(osd)?;
        if weight > WEIGHT_IN {
            return Err(MonError::OutOfRange {
                what: "weight",
                value: u64::from(weight),
            });
        }
        self.pending.new_weight.insert(osd, weight);
        Ok(())
    }

    /// `osd primary-affinity N A`: `affinity` in 16.16 fixed point.
    pub fn set_primary_affinity(&mut self, osd: OsdId, affinity: u32) -> Result<(), MonError> {
        self.check_osd(osd)?;
        if affinity > WEIGHT_IN {
            return Err(MonError::OutOfRange {
                what: "primary affinity",
                value: u64::from(affinity),
            });
        }
        self.pending.new_primary_affinity.insert(osd, affinity);
        Ok(())
    }

    /// `osd pg-upmap PG OSD...` (an empty list: `osd rm-pg-upmap PG`).
    pub fn set_pg_upmap(&mut self, pgid: PgId, osds: OsdVec) -> Result<(), MonError> {
        self.pending_pool(pgid.pool)
            .ok_or(MonError::NoPool(pgid.pool))?;
        if osds.is_empty() {
            self.pending.new_pg_upmap.remove(&pgid);
            self.pending.old_pg_upmap.insert(pgid);
        } else {
            self.pending.old_pg_upmap.remove(&pgid);
            self.pending.new_pg_upmap.insert(pgid, osds);
        }
        Ok(())
    }

    /// `osd pg-upmap-items PG FROM TO...` (an empty list:
    /// `osd rm-pg-upmap-items PG`).
    pub fn set_pg_upmap_items(&mut self, pgid: PgId, items: UpmapItems) -> Result<(), MonError> {
        self.pending_pool(pgid.pool)
            .ok_or(MonError::NoPool(pgid.pool))?;
        if items.is_empty() {
            self.pending.new_pg_upmap_items.remove(&pgid);
            self.pending.old_pg_upmap_items.insert(pgid);
        } else {
            self.pending.old_pg_upmap_items.remove(&pgid);
            self.pending.new_pg_upmap_items.insert(pgid, items);
        }
        Ok(())
    }

    /// `osd create` then a first boot: a new OSD `osd`, in, up in the next
    /// epoch (its CRUSH position must already be in the map's CRUSH map).
    pub fn add_osd(&mut self, osd: OsdId) -> Result<(), MonError> {
        if osd.0 < 0 || self.map.exists(osd) {
            return Err(MonError::OutOfRange {
                what: "new osd id",
                value: u64::try_from(osd.0).unwrap_or(0),
            });
        }
        self.pending.add_osd(osd.0, self.map.max_osd());
        Ok(())
    }
}

/// `pg_num` within 1..=`mon_max_pool_pg_num`.
fn check_pg_num(pg_num: u32) -> Result<(), MonError> {
    if pg_num == 0 || pg_num > MAX_POOL_PG_NUM {
        Err(MonError::OutOfRange {
            what: "pg_num",
            value: u64::from(pg_num),
        })
    } else {
        Ok(())
    }
}
