//! `consume_map` and `activate_map`: what a new map does to sessions, slots and
//! PGs, and the map cache's trim.

use peering_core::event::{Event, PeeringEvt};
use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, SpgId};

use super::{DropReason, Osd};

impl Osd {
    /// `consume_map`: PGs of deleted pools are removed; sessions waiting on
    /// the map dispatch what it allows (`dispatch_sessions_waiting_on_map`);
    /// slot items waiting for it are woken; every PG gets a `NullEvt` at the
    /// new epoch (`queue_null`), which drags it through `advance_pg`; the map
    /// cache is trimmed; then `activate_map` (monitor requests resent).
    pub(super) fn consume_map(&mut self) {
        let Some(map) = self.maps.newest().cloned() else {
            return;
        };
        let epoch = map.epoch();
        let gone: Vec<SpgId> = self
            .slots
            .keys()
            .filter(|p| map.pool(p.pgid.pool).is_none())
            .copied()
            .collect();
        for pgid in gone {
            self.slots.remove(&pgid);
            self.drop_with(DropReason::PoolDeleted(pgid));
        }
        self.prune_sent_ready_to_merge();
        self.dispatch_sessions_waiting_on_map();
        self.wake_waiting_peering(epoch);
        let pgs: Vec<SpgId> = self.pgs().map(|(id, _)| id).collect();
        for pgid in pgs {
            self.enqueue_peering_evt(pgid, PeeringEvt::new(epoch, Event::NullEvt));
        }
        self.trim_maps();
        self.resend_mon_requests();
    }

    /// Keeps every epoch from the oldest a PG is at (and the last
    /// `osd_map_cache_size` epochs); drops the rest. Nothing is trimmed before
    /// `load_pgs` ran.
    pub(super) fn trim_maps(&mut self) {
        if !self.pgs_loaded {
            return;
        }
        let newest = self.epoch();
        let window = newest.saturating_sub(self.cfg.osd_map_cache_size.saturating_sub(1));
        let floor = self
            .pgs()
            .map(|(_, pg)| pg.epoch())
            .min()
            .unwrap_or(Epoch::MAX)
            .min(window);
        self.maps.trim(floor);
    }
}

#[cfg(test)]
mod tests {
    use super::super::OsdConfig;
    use super::super::test_support::{POOL, peered, spg};
    use super::*;

    #[test]
    fn consume_map_queues_every_pg_and_trims_what_no_pg_needs() {
        let mut c = peered(|o| {
            let mut cfg = OsdConfig::new(o);
            cfg.osd_map_cache_size = 2;
            cfg
        });
        let before = c.osd(0).map(|o| o.epoch()).unwrap();
        for _ in 0..5 {
            c.publish(|_| {}).unwrap();
        }
        let osd = c.osd(0).unwrap();
        // Every PG is queued (`queue_null`) and still at its old epoch, so
        // its map is kept.
        assert!(osd.has_peering_work());
        assert!(osd.maps().oldest().unwrap() <= before);
        c.run(100);
        let osd = c.osd(0).unwrap();
        assert!(osd.pgs().all(|(_, pg)| pg.epoch() == osd.epoch()));
        assert_eq!(osd.maps().len(), 2);
    }

    #[test]
    fn consume_map_removes_pgs_of_deleted_pools() {
        let mut c = peered(OsdConfig::new);
        c.publish(|i| {
            i.old_pools.insert(POOL);
        })
        .unwrap();
        let osd = c.osds.get_mut(&peering_core::types::OsdId(0)).unwrap();
        assert_eq!(osd.pgs().count(), 0);
        assert!(osd.drain_drops().contains(&DropReason::PoolDeleted(spg(0))));
    }
}
