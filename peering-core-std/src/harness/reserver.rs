//! [`Reserver`]: Ceph's `AsyncReserver` as the harness runs it, one local and one
//! remote per OSD (reference §4.4 "Reservations", §5.24): a fixed number of slots,
//! requests queued FIFO within a priority (highest priority first), a granted
//! request preempted by a higher-priority one when it registered a preemption
//! event, cancellations honoured whether the request is queued or granted.

use std::collections::BTreeMap;

use peering_core::event::PeeringEvt;
use peering_core::types::SpgId;

/// One request waiting in, or holding a slot of, a [`Reserver`] (§4.4).
#[derive(Clone, PartialEq, Eq, Debug)]
struct Request {
    pgid: SpgId,
    priority: u32,
    on_grant: PeeringEvt,
    on_preempt: Option<PeeringEvt>,
}

/// What a reserver hands back to its host: events to deliver to PG instances
/// (grants and preemptions), in order (`AsyncReserver::do_queues`, §4.4).
pub(super) type Delivery = Vec<(SpgId, PeeringEvt)>;

/// Ceph's `AsyncReserver<spg_t>` (`osd_max_backfills` slots, §4.4): `slots` 0 means
/// unlimited (every request granted at once).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Reserver {
    slots: usize,
    /// Waiting requests, by descending priority then arrival (`queues` keyed by
    /// priority, each a FIFO list).
    queue: BTreeMap<(std::cmp::Reverse<u32>, u64), Request>,
    granted: BTreeMap<SpgId, Request>,
    seq: u64,
}

impl Reserver {
    /// A reserver with `slots` slots (0: unlimited) (`osd_max_backfills`, §4.4).
    pub fn new(slots: usize) -> Reserver {
        Reserver {
            slots,
            ..Reserver::default()
        }
    }

    /// The PGs holding a slot, in `spg_t` order (§4.4).
    pub fn granted(&self) -> impl Iterator<Item = SpgId> + '_ {
        self.granted.keys().copied()
    }

    /// The PGs waiting for a slot, in grant order (§4.4).
    pub fn waiting(&self) -> impl Iterator<Item = SpgId> + '_ {
        self.queue.values().map(|r| r.pgid)
    }

    /// `request_reservation(item, on_grant, prio, on_preempt)`: an earlier request
    /// of the same PG is replaced (Ceph asserts there is none; a re-request after a
    /// reset is the harness's case). Returns the events to deliver (§4.4).
    pub(super) fn request(
        &mut self,
        pgid: SpgId,
        priority: u32,
        on_grant: PeeringEvt,
        on_preempt: Option<PeeringEvt>,
    ) -> Delivery {
        let mut out = self.cancel(pgid);
        self.seq += 1;
        self.queue.insert(
            (std::cmp::Reverse(priority), self.seq),
            Request {
                pgid,
                priority,
                on_grant,
                on_preempt,
            },
        );
        out.extend(self.do_queues());
        out
    }

    /// `cancel_reservation(item)`: a queued request leaves the queue, a granted
    /// one frees its slot for the next waiting request (§4.4).
    pub(super) fn cancel(&mut self, pgid: SpgId) -> Delivery {
        self.queue.retain(|_, r| r.pgid != pgid);
        if self.granted.remove(&pgid).is_some() {
            return self.do_queues();
        }
        Vec::new()
    }

    /// `update_priority(item, prio)`: a waiting request moves to its new priority
    /// (keeping its arrival order); a granted one keeps its slot (§4.4).
    pub(super) fn update_priority(&mut self, pgid: SpgId, priority: u32) -> Delivery {
        let key = self
            .queue
            .iter()
            .find(|(_, r)| r.pgid == pgid)
            .map(|(k, _)| *k);
        if let Some(k) = key
            && let Some(mut r) = self.queue.remove(&k)
        {
            r.priority = priority;
            self.queue.insert((std::cmp::Reverse(priority), k.1), r);
            return self.do_queues();
        }
        if let Some(r) = self.granted.get_mut(&pgid) {
            r.priority = priority;
        }
        Vec::new()
    }

    /// `do_queues`: grant waiting requests while a slot is free; when none is, a
    /// waiting request preempts the lowest-priority granted one that registered a
    /// preemption event and has a lower priority (`preempt_one`, §4.4).
    fn do_queues(&mut self) -> Delivery {
        let mut out = Vec::new();
        while let Some((&key, next)) = self.queue.iter().next() {
            if self.slots != 0 && self.granted.len() >= self.slots {
                let victim = self
                    .granted
                    .values()
                    .filter(|g| g.on_preempt.is_some() && g.priority < next.priority)
                    .min_by_key(|g| g.priority)
                    .map(|g| g.pgid);
                let Some(v) = victim else {
                    break;
                };
                if let Some(Request {
                    pgid,
                    on_preempt: Some(e),
                    ..
                }) = self.granted.remove(&v)
                {
                    out.push((pgid, e));
                }
                continue;
            }
            let Some(r) = self.queue.remove(&key) else {
                break;
            };
            out.push((r.pgid, r.on_grant.clone()));
            self.granted.insert(r.pgid, r);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    //! `AsyncReserver` behaviour (§4.4): slots, priority then FIFO order,
    //! preemption, cancellation.

    use super::Reserver;
    use peering_core::event::{Event, PeeringEvt};
    use peering_core::types::{PgId, SpgId};

    fn pg(seed: u32) -> SpgId {
        SpgId::replicated(PgId::new(1, seed))
    }

    fn grant(seed: u32) -> PeeringEvt {
        PeeringEvt::new(seed, Event::LocalRecoveryReserved)
    }

    fn preempt(seed: u32) -> Option<PeeringEvt> {
        Some(PeeringEvt::new(
            seed,
            Event::DeferRecovery(Default::default()),
        ))
    }

    fn names(d: &[(SpgId, PeeringEvt)]) -> Vec<(u32, &'static str)> {
        d.iter()
            .map(|(p, e)| (p.pgid.seed, e.event.name()))
            .collect()
    }

    #[test]
    fn one_slot_grants_by_priority_then_arrival() {
        let mut r = Reserver::new(1);
        assert_eq!(
            names(&r.request(pg(1), 10, grant(1), None)),
            [(1, "LocalRecoveryReserved")]
        );
        assert!(r.request(pg(2), 10, grant(2), None).is_empty());
        assert!(r.request(pg(3), 20, grant(3), None).is_empty());
        assert!(r.request(pg(4), 20, grant(4), None).is_empty());
        assert_eq!(
            r.waiting().map(|p| p.pgid.seed).collect::<Vec<_>>(),
            [3, 4, 2]
        );
        // Releasing the slot grants the highest priority, first come first.
        assert_eq!(names(&r.cancel(pg(1))), [(3, "LocalRecoveryReserved")]);
        // A queued request cancelled never gets the slot.
        assert!(r.cancel(pg(4)).is_empty());
        assert_eq!(names(&r.cancel(pg(3))), [(2, "LocalRecoveryReserved")]);
        assert_eq!(r.granted().map(|p| p.pgid.seed).collect::<Vec<_>>(), [2]);
        assert_eq!(r.waiting().count(), 0);
    }

    #[test]
    fn a_higher_priority_request_preempts_a_preemptible_holder() {
        let mut r = Reserver::new(1);
        r.request(pg(1), 10, grant(1), preempt(1));
        let out = r.request(pg(2), 50, grant(2), None);
        assert_eq!(
            names(&out),
            [(1, "DeferRecovery"), (2, "LocalRecoveryReserved")]
        );
        // A holder without a preemption event keeps its slot.
        assert!(r.request(pg(3), 90, grant(3), preempt(3)).is_empty());
        assert_eq!(r.granted().map(|p| p.pgid.seed).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn unlimited_slots_grant_at_once_and_priority_updates_reorder() {
        let mut r = Reserver::new(0);
        for s in 1..=3 {
            assert_eq!(r.request(pg(s), 1, grant(s), None).len(), 1);
        }
        let mut one = Reserver::new(1);
        one.request(pg(1), 10, grant(1), None);
        one.request(pg(2), 10, grant(2), None);
        one.request(pg(3), 10, grant(3), None);
        assert!(one.update_priority(pg(3), 30).is_empty());
        assert_eq!(
            one.waiting().map(|p| p.pgid.seed).collect::<Vec<_>>(),
            [3, 2]
        );
    }
}
