//! Boot: `load_pgs`.
//!
//! Every PG instance the store holds for this OSD is read back (Ceph's
//! `read_state`: the PG is left in `Reset`) with the map of the epoch it was
//! persisted at, then queued: the peering queue advances it through every map
//! it missed, `osd_map_max_advance` epochs per pass, and delivers its `ActMap`
//! — on the maps where this OSD is still down that makes it a `Stray`, and it
//! peers once the monitor marks the OSD up.
//!
//! Boot order for a host: [`Osd::new`], [`Osd::handle_osd_map`] with the maps
//! the OSD persisted (nothing is trimmed until `load_pgs` ran),
//! [`Osd::load_pgs`], [`Osd::start_boot`], then the peering queue.

use peering_core::ctx::RecoveryCtx;
use peering_core::event::{Event, PeeringEvt};
use peering_core::machine::Pg;
use peering_core::types::SpgId;

use super::{Osd, OsdError};
use crate::store::Store;

impl Osd {
    /// `load_pgs`: loads every PG instance `store` holds for this OSD (see the
    /// module docs). A PG that cannot be loaded (its map is not held, the store
    /// has no info for it or cannot read it, the core refuses it) is reported
    /// and the others load; `Err` when the store cannot even list the OSD's
    /// PGs (nothing was loaded).
    pub fn load_pgs(&mut self, store: &impl Store) -> Result<Vec<(SpgId, OsdError)>, OsdError> {
        let me = self.cfg.whoami;
        let stored = store.list_pgs(me)?;
        let mut failed = Vec::new();
        let mut ctx = RecoveryCtx::new();
        for pgid in stored {
            if let Err(e) = self.load_pg(store, pgid, &mut ctx) {
                failed.push((pgid, e));
            }
            ctx.clear();
        }
        self.pgs_loaded = true;
        self.trim_maps();
        Ok(failed)
    }

    /// `load_pg` for one instance.
    fn load_pg(
        &mut self,
        store: &impl Store,
        pgid: SpgId,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), OsdError> {
        let me = self.cfg.whoami;
        let meta = store.read_pg(me, pgid)?.ok_or(OsdError::NotStored(pgid))?;
        let map = self
            .maps
            .get(meta.epoch)
            .cloned()
            .ok_or(OsdError::NoMap(meta.epoch))?;
        let mapping = map.pg_to_up_acting_osds(pgid.pgid);
        let args = meta
            .into_load(me, mapping, self.cfg.peering)
            .ok_or(OsdError::NotStored(pgid))?;
        let pg = Pg::load(args, &*map, ctx).map_err(OsdError::pg(pgid))?;
        self.slots.entry(pgid).or_default().install(pg);
        self.flush_pg_ctx(pgid, ctx);
        let now = self.epoch();
        self.enqueue_peering_evt(pgid, PeeringEvt::new(now, Event::NullEvt));
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    use peering_core::map::OsdMapView;
    use peering_core::types::OsdId;

    use super::super::test_support::peered;
    use super::super::{OsdConfig, OsdState};

    #[test]
    fn load_pgs_loads_in_reset_and_advances_through_missed_maps() {
        let mut c = peered(|o| {
            let mut cfg = OsdConfig::new(o);
            cfg.osd_map_max_advance = 2;
            cfg
        });
        c.stop(2);
        c.publish(|i| {
            i.mark_down(2);
        })
        .unwrap();
        c.run(200);
        for _ in 0..4 {
            c.publish(|_| {}).unwrap();
        }
        c.run(200);
        assert_eq!(c.store.pgs_on(OsdId(2)).count(), 4);
        let mut cfg = OsdConfig::new(2);
        cfg.osd_map_max_advance = 2;
        let mut osd = super::super::Osd::new(cfg);
        osd.handle_osd_map(c.history()).unwrap();
        assert!(osd.load_pgs(&c.store).unwrap().is_empty());
        for (_, pg) in osd.pgs() {
            assert_eq!(pg.state_name(), "Reset");
            assert!(pg.needs_act_map());
        }
        assert_eq!(osd.state(), OsdState::Booting);
        osd.run_peering_queue(10);
        let newest = c.mon_map.epoch();
        for (p, pg) in osd.pgs() {
            assert_eq!(pg.epoch(), newest, "{p}");
            assert!(pg.state_name().contains("Stray"), "{p} {}", pg.state_name());
        }
        // The monitor marks it up (`MOSDBoot`); its PGs peer again.
        c.osds.insert(OsdId(2), osd);
        c.run(500);
        let osd = c.osd(2).unwrap();
        assert_eq!(osd.state(), OsdState::Active);
        for (p, pg) in osd.pgs() {
            assert!(
                pg.state_name().contains("Active"),
                "{p} {}",
                pg.state_name()
            );
        }
    }
}
