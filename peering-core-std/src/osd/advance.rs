//! `advance_pg`: moving one PG through the maps it has not seen, `AdvMap` per
//! epoch then one `ActMap`, at most `osd_map_max_advance` epochs per call, with
//! split children created between the split epoch's `AdvMap` and `ActMap`.

use peering_core::ctx::RecoveryCtx;
use peering_core::ctx::TxOp;
use peering_core::machine::Pg;
use peering_core::map::OsdMapView;
use peering_core::types::SpgId;

use super::{Osd, OsdError};

impl Osd {
    /// `advance_pg(osd_epoch, pg, rctx)`: delivers `AdvMap` for each held map
    /// after the PG's epoch, up to `osd_map_max_advance` epochs or the OSD's
    /// epoch (maps the OSD does not hold are skipped, as Ceph's `try_get_map`
    /// does), splitting the PG where its pool's `pg_num` grew, then `ActMap` at
    /// the epoch reached — also after a partial advance. Returns true when the
    /// PG is at the OSD's epoch (false: the caller requeues it).
    ///
    /// Split children are installed in their slots (items waiting for them are
    /// retargeted, [`Osd::update_waiting_for_pg`]), their outputs flushed, and a
    /// `NullEvt` queued to pull them forward (`_finish_splits`).
    pub(super) fn advance_pg(
        &mut self,
        spgid: SpgId,
        ctx: &mut RecoveryCtx,
    ) -> Result<bool, OsdError> {
        let osd_epoch = self.epoch();
        let max_advance = self.cfg.osd_map_max_advance.max(1);
        let Some(mut pg) = self.slots.get_mut(&spgid).and_then(|s| s.pg.take()) else {
            return Ok(true);
        };
        let mut children = Vec::new();
        self.prime_clock(&mut pg);
        let result = self.advance_taken(&mut pg, osd_epoch, max_advance, ctx, &mut children);
        let caught_up = pg.epoch() >= osd_epoch;
        if let Some(slot) = self.slots.get_mut(&spgid) {
            slot.pg = Some(pg);
        }
        let splits = self.install_split_children(spgid, children);
        self.flush_pg_ctx_with(spgid, ctx, splits);
        match result? {
            Advanced::Done => Ok(caught_up),
            Advanced::AtMerge(boundary) => {
                // The PG's family merges at the boundary; a target goes on
                // from there (a source is gone, and its turn is over).
                self.merge_family(&boundary)?;
                if self.slots.get(&spgid).is_some_and(|s| s.pg.is_some()) {
                    self.advance_pg(spgid, ctx)
                } else {
                    Ok(true)
                }
            }
        }
    }

    /// Installs the children `parent` split into in their slots (items waiting
    /// for them are retargeted, [`Osd::update_waiting_for_pg`]), flushes their
    /// outputs, queues a `NullEvt` to pull each forward (`_finish_splits`), and
    /// returns the parent's `split_collection` operations.
    pub(super) fn install_split_children(
        &mut self,
        parent: SpgId,
        children: Vec<(Pg, u32, RecoveryCtx)>,
    ) -> Vec<TxOp> {
        // Ceph splits in one transaction (parent, `split_colls`, children);
        // the store takes one per PG, so the children's go first. A crash
        // after them and before the parent's leaves the parent at its epoch
        // before the split: it splits again into the same children (their
        // later transactions queue behind the parent's, so none is durable).
        // The other order could lose the children's entries: the parent's
        // log would no longer have them.
        let mut splits = Vec::new();
        for (child, pg_num, mut cctx) in children {
            let cid = child.info().pgid;
            let epoch = child.epoch();
            // The child's objects move with it (`split_colls`), in the
            // parent's transaction, after what the parent did before.
            splits.push(TxOp::SplitCollection {
                child: cid,
                split_bits: cid.pgid.split_bits(pg_num),
            });
            self.slots.entry(cid).or_default().install(child);
            self.outputs
                .push_back(super::OsdOutput::Split { parent, child: cid });
            self.flush_pg_ctx(cid, &mut cctx);
            self.update_waiting_for_pg(parent, pg_num);
            self.enqueue_peering_evt(
                cid,
                peering_core::event::PeeringEvt::new(epoch, peering_core::event::Event::NullEvt),
            );
        }
        splits
    }

    /// The loop of [`Osd::advance_pg`] on a PG taken out of its slot: its
    /// `AdvMap`s, then `ActMap` at the epoch reached — unless a merge
    /// boundary stops it first (no `ActMap` then: the batch goes on after
    /// the merge, as in Ceph's `advance_pg`).
    fn advance_taken(
        &self,
        pg: &mut Pg,
        osd_epoch: peering_core::types::Epoch,
        max_advance: u32,
        ctx: &mut RecoveryCtx,
        children: &mut Vec<(Pg, u32, RecoveryCtx)>,
    ) -> Result<Advanced, OsdError> {
        let spgid = pg.info().pgid;
        let err = OsdError::pg(spgid);
        if pg.epoch() >= osd_epoch && !pg.needs_act_map() {
            return Ok(Advanced::Done);
        }
        let mut target = osd_epoch.min(pg.epoch().saturating_add(max_advance));
        // A hole in the held maps does not count against the cap (Ceph widens
        // `max` past a missing map).
        if self.maps.next_after(pg.epoch(), target).is_none()
            && let Some(next) = self.maps.next_after(pg.epoch(), osd_epoch)
        {
            target = next;
        }
        if let Some(boundary) = self.advance_maps(pg, target, ctx, children)? {
            return Ok(Advanced::AtMerge(boundary));
        }
        if !pg.needs_act_map() {
            return Ok(Advanced::Done);
        }
        let Some(map) = self.maps.get(pg.epoch()) else {
            return Err(OsdError::NoMap(pg.epoch()));
        };
        pg.activate_map(&**map, ctx).map_err(err)?;
        Ok(Advanced::Done)
    }

    /// `AdvMap` for each held map after the PG's epoch up to `target`,
    /// splitting where `pg_num` grew; stops before a map that merges the PG
    /// (its pool's `pg_num` shrinks and the PG is a source or a target) and
    /// returns that boundary.
    pub(super) fn advance_maps(
        &self,
        pg: &mut Pg,
        target: peering_core::types::Epoch,
        ctx: &mut RecoveryCtx,
        children: &mut Vec<(Pg, u32, RecoveryCtx)>,
    ) -> Result<Option<MergeBoundary>, OsdError> {
        let spgid = pg.info().pgid;
        while let Some(next) = self.maps.next_after(pg.epoch(), target) {
            let last = pg.epoch();
            let (Some(lastmap), Some(newmap)) = (self.maps.get(last), self.maps.get(next)) else {
                return Err(OsdError::NoMap(last));
            };
            let old_pg_num = lastmap.pool(spgid.pgid.pool).map_or(0, |p| p.pg_num);
            let new_pg_num = newmap.pool(spgid.pgid.pool).map_or(0, |p| p.pg_num);
            if new_pg_num != 0 && new_pg_num < old_pg_num {
                let target_pg = spgid
                    .pgid
                    .merge_source_target(old_pg_num, new_pg_num)
                    .or_else(|| {
                        spgid
                            .pgid
                            .is_merge_target(old_pg_num, new_pg_num)
                            .then_some(spgid.pgid)
                    });
                if let Some(target_pg) = target_pg {
                    return Ok(Some(MergeBoundary {
                        target: SpgId::new(target_pg, spgid.shard),
                        at: last,
                        merge_epoch: next,
                        old_pg_num,
                        new_pg_num,
                    }));
                }
            }
            let mapping = newmap.pg_to_up_acting_osds(spgid.pgid);
            pg.advance_map(&**newmap, &**lastmap, mapping, ctx)
                .map_err(OsdError::pg(spgid))?;
            if new_pg_num > old_pg_num {
                let seeds = pg
                    .split(old_pg_num, &**newmap, ctx)
                    .map_err(OsdError::pg(spgid))?;
                for seed in seeds {
                    let cid = seed.info.pgid;
                    let cmapping = newmap.pg_to_up_acting_osds(cid.pgid);
                    let mut cctx = RecoveryCtx::new();
                    let child = Pg::from_split(seed, cmapping, &**newmap, &mut cctx)
                        .map_err(OsdError::pg(cid))?;
                    children.push((child, new_pg_num, cctx));
                }
            }
        }
        Ok(None)
    }
}

/// How far [`Osd::advance_taken`] got.
pub(super) enum Advanced {
    /// As far as it was asked (the `ActMap` delivered).
    Done,
    /// Stopped before a map that merges the PG's family.
    AtMerge(MergeBoundary),
}

/// A map that lowers a pool's `pg_num` and merges a family of PGs: the target
/// and its children between the new and the old `pg_num`.
#[derive(Clone, Copy, Debug)]
pub(super) struct MergeBoundary {
    /// The merge target (the shard of the PG that met the boundary).
    pub target: SpgId,
    /// The held map before the merge: every member is brought to it.
    pub at: peering_core::types::Epoch,
    /// The map that merges.
    pub merge_epoch: peering_core::types::Epoch,
    /// `pg_num` before.
    pub old_pg_num: u32,
    /// `pg_num` after.
    pub new_pg_num: u32,
}

#[cfg(test)]
mod tests {
    use peering_core::map::OsdMapView;
    use peering_core::types::OsdId;

    use super::super::OsdConfig;
    use super::super::local::LocalCluster;
    use super::super::test_support::{POOL, peered, spg};

    fn grow_pg_num(c: &mut LocalCluster, pg_num: u32) {
        let mut pool = *c.mon_map.pg_pool(POOL).unwrap();
        pool.pg_num = pg_num;
        pool.pg_num_pending = pg_num;
        c.publish(|i| {
            i.set_pool(pool);
        })
        .unwrap();
    }

    #[test]
    fn advance_pg_moves_at_most_osd_map_max_advance_epochs_per_pass() {
        let mut c = peered(|o| {
            let mut cfg = OsdConfig::new(o);
            cfg.osd_map_max_advance = 3;
            cfg
        });
        let start = c.osd(0).unwrap().epoch();
        for _ in 0..10 {
            c.publish(|_| {}).unwrap();
        }
        let osd = c.osds.get_mut(&OsdId(0)).unwrap();
        let newest = osd.epoch();
        assert_eq!(newest, start + 10);
        let mut passes = 0;
        let mut seen = Vec::new();
        while osd.pgs().any(|(_, pg)| pg.epoch() < newest) {
            osd.process_peering_events();
            passes += 1;
            seen.push(osd.pg(spg(0)).unwrap().epoch());
            assert!(osd.pgs().all(|(_, pg)| !pg.needs_act_map()));
        }
        assert_eq!(seen, vec![start + 3, start + 6, start + 9, start + 10]);
        assert_eq!(passes, 4);
    }

    #[test]
    fn advance_pg_creates_split_children_between_advmap_and_actmap() {
        let mut c = peered(OsdConfig::new);
        grow_pg_num(&mut c, 8);
        let split_epoch = c.mon_map.epoch();
        let osd = c.osds.get_mut(&OsdId(0)).unwrap();
        osd.process_peering_events();
        // Each child exists at the split epoch, with its ActMap delivered.
        for seed in 4..8 {
            let child = osd.pg(spg(seed)).unwrap();
            assert_eq!(child.epoch(), split_epoch);
            assert!(!child.needs_act_map());
        }
        c.run(500);
        for osd in c.osds.values() {
            assert_eq!(osd.pgs().count(), 8);
            for (p, pg) in osd.pgs() {
                assert!(
                    pg.state_name().contains("Active"),
                    "{p} {}",
                    pg.state_name()
                );
            }
        }
    }
}
