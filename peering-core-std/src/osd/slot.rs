//! Per-PG slots (`OSDShardPGSlot`): each
//! PG's items run in order; an item for an epoch not reached waits
//! (`waiting_peering`); items for a split child the PG has not produced yet wait
//! with the parent and are retargeted when it splits (`update_waiting_for_pg`).

use std::collections::{BTreeMap, VecDeque};

use peering_core::event::{PeeringEvt, PgCreateInfo};
use peering_core::machine::Pg;
use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, SpgId};

use super::Osd;
use crate::msg::PeeringDelivery;

/// One peering work item (`PGPeeringItem`): the PG instance, the event with
/// its epochs, and what creates the PG if it is missing.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PeeringItem {
    /// The PG instance.
    pub pgid: SpgId,
    /// The event with `(epoch_sent, epoch_requested)`.
    pub evt: PeeringEvt,
    /// `PGCreateInfo`, for a notify, log or monitor create.
    pub create_info: Option<PgCreateInfo>,
    /// False only for a query (answered without the PG).
    pub requires_pg: bool,
}

impl From<PeeringDelivery> for PeeringItem {
    fn from(d: PeeringDelivery) -> Self {
        PeeringItem {
            pgid: d.spgid,
            evt: d.evt,
            create_info: d.create_info,
            requires_pg: d.requires_pg,
        }
    }
}

/// One PG's slot.
#[derive(Clone, Debug, Default)]
pub(super) struct PgSlot {
    /// The PG, once created or loaded.
    pub pg: Option<Pg>,
    /// Items to run, in order.
    pub to_process: VecDeque<PeeringItem>,
    /// Items sent at an epoch the OSD has not reached, by epoch.
    pub waiting_peering: BTreeMap<Epoch, VecDeque<PeeringItem>>,
    /// Items for split descendants this PG has not produced yet.
    pub waiting_for_split: BTreeMap<SpgId, VecDeque<PeeringItem>>,
    /// The PG's state-history count at the last report
    /// ([`crate::osd::OsdConfig::report_states`]).
    pub reported: u32,
}

impl PgSlot {
    /// Puts a new PG instance (created, loaded or split off) in the slot; its
    /// state history has not been reported yet.
    pub fn install(&mut self, pg: Pg) {
        self.pg = Some(pg);
        self.reported = 0;
    }

    /// True when the slot holds nothing at all.
    pub fn is_empty(&self) -> bool {
        self.pg.is_none()
            && self.to_process.is_empty()
            && self.waiting_peering.is_empty()
            && self.waiting_for_split.is_empty()
    }
}

impl Osd {
    /// `enqueue_peering_evt`: queues `evt` for this OSD's instance `pgid` (a
    /// timer that fired, a reservation granted, an on-commit event...).
    pub fn enqueue_peering_evt(&mut self, pgid: SpgId, evt: PeeringEvt) {
        self.enqueue_item(PeeringItem {
            pgid,
            evt,
            create_info: None,
            requires_pg: true,
        });
    }

    /// Queues one delivery of a dispatched message.
    pub(super) fn enqueue_delivery(&mut self, d: PeeringDelivery) {
        self.enqueue_item(d.into());
    }

    /// Files `item` in its PG's slot, or, when the PG is a split child of a
    /// local PG that has not reached the split yet, with that parent.
    pub(super) fn enqueue_item(&mut self, item: PeeringItem) {
        let pgid = item.pgid;
        if !self.slots.contains_key(&pgid)
            && let Some(parent) = self.split_parent_of(pgid)
        {
            if let Some(slot) = self.slots.get_mut(&parent) {
                slot.waiting_for_split
                    .entry(pgid)
                    .or_default()
                    .push_back(item);
            }
            self.queue_pg(parent);
            return;
        }
        self.slots
            .entry(pgid)
            .or_default()
            .to_process
            .push_back(item);
        self.queue_pg(pgid);
    }

    /// The local PG that will produce `pgid` when it splits: the nearest
    /// ancestor this OSD holds, if its pool had fewer PGs than `pgid`'s seed at
    /// the ancestor's epoch (Jewel's `get_sessions_possibly_interested_in_pg`
    /// walk; modern `prime_splits`).
    fn split_parent_of(&self, pgid: SpgId) -> Option<SpgId> {
        let mut cur = pgid.pgid;
        while cur.seed != 0 {
            cur = cur.parent();
            let anc = SpgId::new(cur, pgid.shard);
            let Some(pg) = self.slots.get(&anc).and_then(|s| s.pg.as_ref()) else {
                continue;
            };
            let pg_num = self
                .maps
                .get(pg.epoch())
                .and_then(|m| m.pool(cur.pool))
                .map_or(0, |p| p.pg_num);
            return (pgid.pgid.seed >= pg_num).then_some(anc);
        }
        None
    }

    /// `update_waiting_for_pg`: after `parent` split into a pool of `pg_num`
    /// PGs, every item it held for a descendant moves to the PG that now owns
    /// it: the descendant itself if it exists now (in front of anything already
    /// queued there, keeping arrival order), else the ancestor that will produce
    /// it.
    pub(super) fn update_waiting_for_pg(&mut self, parent: SpgId, pg_num: u32) {
        let Some(slot) = self.slots.get_mut(&parent) else {
            return;
        };
        let held = std::mem::take(&mut slot.waiting_for_split);
        for (target, items) in held {
            let owner = if target.pgid.seed < pg_num {
                target
            } else {
                SpgId::new(target.pgid.ancestor(pg_num), target.shard)
            };
            let slot = self.slots.entry(owner).or_default();
            if owner == target {
                for item in items.into_iter().rev() {
                    slot.to_process.push_front(item);
                }
            } else {
                slot.waiting_for_split
                    .entry(target)
                    .or_default()
                    .extend(items);
            }
            self.queue_pg(owner);
        }
    }

    /// `_wake_pg_slot` for every slot whose waiting items the map `epoch` now
    /// allows: they go in front of the slot's queue, in epoch then arrival order.
    pub(super) fn wake_waiting_peering(&mut self, epoch: Epoch) {
        let mut woken = Vec::new();
        for (pgid, slot) in &mut self.slots {
            let later = slot.waiting_peering.split_off(&epoch.saturating_add(1));
            let due = std::mem::replace(&mut slot.waiting_peering, later);
            if due.is_empty() {
                continue;
            }
            let items: Vec<PeeringItem> = due.into_values().flatten().collect();
            for item in items.into_iter().rev() {
                slot.to_process.push_front(item);
            }
            woken.push(*pgid);
        }
        for pgid in woken {
            self.queue_pg(pgid);
        }
    }

    /// Parks `item` until the OSD has the map of its `epoch_sent`.
    pub(super) fn park(&mut self, item: PeeringItem) {
        let epoch = item.evt.epoch_sent;
        self.slots
            .entry(item.pgid)
            .or_default()
            .waiting_peering
            .entry(epoch)
            .or_default()
            .push_back(item);
    }

    /// How many items `pgid`'s slot holds: queued, waiting for a map, waiting
    /// for a split.
    pub fn slot_items(&self, pgid: SpgId) -> usize {
        self.slots.get(&pgid).map_or(0, |s| {
            s.to_process.len()
                + s.waiting_peering.values().map(VecDeque::len).sum::<usize>()
                + s.waiting_for_split
                    .values()
                    .map(VecDeque::len)
                    .sum::<usize>()
        })
    }
}

#[cfg(test)]
mod tests {
    use peering_core::event::{Event, PeeringEvt};
    use peering_core::map::OsdMapView;
    use peering_core::types::OsdId;

    use super::super::test_support::{POOL, peered, spg};
    use super::super::{DropReason, OsdConfig};

    #[test]
    fn update_waiting_for_pg_retargets_items_to_the_split_child() {
        let mut c = peered(OsdConfig::new);
        let mut pool = *c.mon_map.pg_pool(POOL).unwrap();
        pool.pg_num = 8;
        pool.pg_num_pending = 8;
        c.publish(|i| {
            i.set_pool(pool);
        })
        .unwrap();
        let e = c.mon_map.epoch();
        let osd = c.osds.get_mut(&OsdId(0)).unwrap();
        osd.drain_drops();
        // 1.4 is 1.0's child; 1.0 has not reached the split yet.
        osd.enqueue_peering_evt(spg(4), PeeringEvt::new(e, Event::NullEvt));
        assert!(osd.pg(spg(4)).is_none());
        assert_eq!(osd.slot_items(spg(4)), 0);
        assert!(osd.slot_items(spg(0)) >= 2);
        osd.process_peering_events();
        assert!(osd.pg(spg(4)).is_some());
        assert!(osd.slot_items(spg(4)) >= 1);
        osd.run_peering_queue(20);
        assert_eq!(osd.slot_items(spg(4)), 0);
        assert!(
            !osd.drain_drops()
                .iter()
                .any(|d| matches!(d, DropReason::NoPg(p) if *p == spg(4)))
        );
    }
}
