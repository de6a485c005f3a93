//! [`AsyncReserver`]: Ceph's `AsyncReserver<spg_t>` (`common/AsyncReserver.h`),
//! the OSD's local and remote background-io reservers.
//!
//! A fixed number of slots (`max_allowed`, Ceph's `osd_max_backfills`); waiting
//! requests queued per priority, highest priority first, FIFO within one; a
//! granted request that registered a preemption event is preempted by a waiting
//! request of strictly higher priority (`preempt_one`, lowest priority first);
//! cancellation honoured whether the request waits or holds a slot. The
//! reserver does not run callbacks: every call returns the events to queue, in
//! Ceph's order, for the PGs they name (Ceph queues them on its finisher).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use peering_core::event::PeeringEvt;
use peering_core::types::SpgId;

/// One request waiting in, or holding a slot of, an [`AsyncReserver`]
/// (`AsyncReserver::Reservation`).
#[derive(Clone, PartialEq, Eq, Debug)]
struct Reservation {
    pgid: SpgId,
    priority: u32,
    on_grant: PeeringEvt,
    on_preempt: Option<PeeringEvt>,
}

/// Events a reserver hands back: grants and preemptions, in order, each for
/// the PG it names (`AsyncReserver::do_queues` / `preempt_one`, whose callbacks
/// Ceph queues as the PG's peering events).
pub type Grants = Vec<(SpgId, PeeringEvt)>;

/// Ceph's `AsyncReserver<spg_t>` (see the module docs).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AsyncReserver {
    max_allowed: usize,
    min_priority: u32,
    /// `queues`: waiting requests by descending priority, then arrival.
    queues: BTreeMap<(Reverse<u32>, u64), Reservation>,
    /// `in_progress`.
    in_progress: BTreeMap<SpgId, Reservation>,
    /// `preempt_by_prio`: the granted requests that may be preempted, lowest
    /// priority first, then in `spg_t` order.
    preempt_by_prio: BTreeSet<(u32, SpgId)>,
    seq: u64,
}

impl AsyncReserver {
    /// A reserver with `max_allowed` slots (`AsyncReserver(cct, f,
    /// max_allowed, min_priority)`; the OSD passes `osd_max_backfills`). With 0
    /// slots nothing is granted, as in Ceph.
    pub fn new(max_allowed: usize) -> AsyncReserver {
        AsyncReserver {
            max_allowed,
            ..AsyncReserver::default()
        }
    }

    /// `set_max`: a changed `osd_max_backfills`; grants or preempts at once.
    pub fn set_max(&mut self, max_allowed: usize) -> Grants {
        self.max_allowed = max_allowed;
        self.do_queues()
    }

    /// `set_min_priority` (`osd_min_recovery_priority`): requests below it wait
    /// and granted preemptible ones below it are preempted.
    pub fn set_min_priority(&mut self, min_priority: u32) -> Grants {
        self.min_priority = min_priority;
        self.do_queues()
    }

    /// The slots (`max_allowed`).
    pub fn max_allowed(&self) -> usize {
        self.max_allowed
    }

    /// The PGs holding a slot, in `spg_t` order (`in_progress`).
    pub fn granted(&self) -> impl Iterator<Item = SpgId> + '_ {
        self.in_progress.keys().copied()
    }

    /// The PGs waiting for a slot, in grant order (`queues`).
    pub fn waiting(&self) -> impl Iterator<Item = SpgId> + '_ {
        self.queues.values().map(|r| r.pgid)
    }

    /// `has_reservation`: `pgid` holds a slot.
    pub fn has_reservation(&self, pgid: SpgId) -> bool {
        self.in_progress.contains_key(&pgid)
    }

    /// `request_reservation(item, on_grant, prio, on_preempt)`. Ceph asserts the
    /// item is neither waiting nor granted; here an earlier request of the same
    /// PG is cancelled first (a host replaying a request after a reset keeps
    /// one reservation, never two).
    pub fn request(
        &mut self,
        pgid: SpgId,
        priority: u32,
        on_grant: PeeringEvt,
        on_preempt: Option<PeeringEvt>,
    ) -> Grants {
        let mut out = self.cancel(pgid);
        self.seq += 1;
        self.queues.insert(
            (Reverse(priority), self.seq),
            Reservation {
                pgid,
                priority,
                on_grant,
                on_preempt,
            },
        );
        out.extend(self.do_queues());
        out
    }

    /// `cancel_reservation(item)`: a waiting request leaves its queue; a granted
    /// one frees its slot for the next waiting request. Unknown items are
    /// ignored.
    pub fn cancel(&mut self, pgid: SpgId) -> Grants {
        let before = self.queues.len();
        self.queues.retain(|_, r| r.pgid != pgid);
        let was_waiting = self.queues.len() != before;
        match self.in_progress.remove(&pgid) {
            Some(r) => {
                self.preempt_by_prio.remove(&(r.priority, pgid));
                self.do_queues()
            }
            None if was_waiting => self.do_queues(),
            None => Vec::new(),
        }
    }

    /// `update_priority(item, prio)`: a waiting request moves to the back of
    /// its new priority's queue; a granted one keeps its slot under the new
    /// priority (and may now be preempted by a waiting one).
    pub fn update_priority(&mut self, pgid: SpgId, priority: u32) -> Grants {
        let key = self
            .queues
            .iter()
            .find(|(_, r)| r.pgid == pgid)
            .map(|(k, _)| *k);
        if let Some(k) = key {
            if k.0 == Reverse(priority) {
                return Vec::new();
            }
            if let Some(mut r) = self.queues.remove(&k) {
                r.priority = priority;
                self.seq += 1;
                self.queues.insert((Reverse(priority), self.seq), r);
            }
        } else if let Some(r) = self.in_progress.get_mut(&pgid) {
            if r.priority == priority {
                return Vec::new();
            }
            if r.on_preempt.is_some() {
                self.preempt_by_prio.remove(&(r.priority, pgid));
                self.preempt_by_prio.insert((priority, pgid));
            }
            r.priority = priority;
        }
        self.do_queues()
    }

    /// `preempt_by_prio` (the function): preempt granted requests below
    /// `min_priority`, then while more are granted than `max_allowed`.
    fn preempt_over_limits(&mut self, out: &mut Grants) {
        while let Some(&(prio, _)) = self.preempt_by_prio.first() {
            if prio >= self.min_priority {
                break;
            }
            self.preempt_one(out);
        }
        while self.in_progress.len() > self.max_allowed && !self.preempt_by_prio.is_empty() {
            self.preempt_one(out);
        }
    }

    /// `preempt_one`: the lowest-priority preemptible holder loses its slot and
    /// its preemption event is queued.
    fn preempt_one(&mut self, out: &mut Grants) {
        let Some((_, pgid)) = self.preempt_by_prio.pop_first() else {
            return;
        };
        if let Some(Reservation {
            on_preempt: Some(e),
            ..
        }) = self.in_progress.remove(&pgid)
        {
            out.push((pgid, e));
        }
    }

    /// `do_queues`: grant the highest-priority waiting request while a slot is
    /// free; when none is, it preempts a preemptible holder of strictly lower
    /// priority first.
    fn do_queues(&mut self) -> Grants {
        let mut out = Vec::new();
        self.preempt_over_limits(&mut out);
        while let Some((&key, next)) = self.queues.iter().next() {
            if next.priority < self.min_priority {
                break;
            }
            if self.in_progress.len() >= self.max_allowed
                && self
                    .preempt_by_prio
                    .first()
                    .is_some_and(|(p, _)| next.priority > *p)
            {
                self.preempt_one(&mut out);
            }
            if self.in_progress.len() >= self.max_allowed {
                break;
            }
            let Some(r) = self.queues.remove(&key) else {
                break;
            };
            out.push((r.pgid, r.on_grant.clone()));
            if r.on_preempt.is_some() {
                self.preempt_by_prio.insert((r.priority, r.pgid));
            }
            self.in_progress.insert(r.pgid, r);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    //! `AsyncReserver` behaviour: slots, priority then FIFO order, preemption,
    //! cancellation, priority updates, limits changed at run time.

    use super::AsyncReserver;
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

    fn seeds(it: impl Iterator<Item = SpgId>) -> Vec<u32> {
        it.map(|p| p.pgid.seed).collect()
    }

    #[test]
    fn async_reserver_grants_by_priority_then_arrival() {
        let mut r = AsyncReserver::new(1);
        assert_eq!(
            names(&r.request(pg(1), 10, grant(1), None)),
            [(1, "LocalRecoveryReserved")]
        );
        assert!(r.request(pg(2), 10, grant(2), None).is_empty());
        assert!(r.request(pg(3), 20, grant(3), None).is_empty());
        assert!(r.request(pg(4), 20, grant(4), None).is_empty());
        assert_eq!(seeds(r.waiting()), [3, 4, 2]);
        // Releasing the slot grants the highest priority, first come first.
        assert_eq!(names(&r.cancel(pg(1))), [(3, "LocalRecoveryReserved")]);
        // A waiting request cancelled never gets the slot.
        assert!(r.cancel(pg(4)).is_empty());
        assert_eq!(names(&r.cancel(pg(3))), [(2, "LocalRecoveryReserved")]);
        assert_eq!(seeds(r.granted()), [2]);
        assert!(r.has_reservation(pg(2)));
        assert_eq!(r.waiting().count(), 0);
        // Cancelling what is unknown changes nothing.
        assert!(r.cancel(pg(9)).is_empty());
        assert_eq!(seeds(r.granted()), [2]);
    }

    #[test]
    fn async_reserver_preempts_a_lower_priority_preemptible_holder() {
        let mut r = AsyncReserver::new(1);
        r.request(pg(1), 10, grant(1), preempt(1));
        let out = r.request(pg(2), 50, grant(2), None);
        assert_eq!(
            names(&out),
            [(1, "DeferRecovery"), (2, "LocalRecoveryReserved")]
        );
        // A holder without a preemption event keeps its slot.
        assert!(r.request(pg(3), 90, grant(3), preempt(3)).is_empty());
        assert_eq!(seeds(r.granted()), [2]);
        // Equal priority never preempts.
        let mut e = AsyncReserver::new(1);
        e.request(pg(1), 10, grant(1), preempt(1));
        assert!(e.request(pg(2), 10, grant(2), None).is_empty());
        assert_eq!(seeds(e.granted()), [1]);
    }

    #[test]
    fn async_reserver_preempts_the_lowest_priority_holder_first() {
        let mut r = AsyncReserver::new(2);
        r.request(pg(1), 30, grant(1), preempt(1));
        r.request(pg(2), 10, grant(2), preempt(2));
        let out = r.request(pg(3), 40, grant(3), None);
        assert_eq!(
            names(&out),
            [(2, "DeferRecovery"), (3, "LocalRecoveryReserved")]
        );
        assert_eq!(seeds(r.granted()), [1, 3]);
    }

    #[test]
    fn async_reserver_zero_slots_grant_nothing_until_set_max() {
        let mut r = AsyncReserver::new(0);
        assert!(r.request(pg(1), 10, grant(1), None).is_empty());
        assert!(r.request(pg(2), 10, grant(2), None).is_empty());
        assert_eq!(names(&r.set_max(1)), [(1, "LocalRecoveryReserved")]);
        assert_eq!(names(&r.set_max(3)), [(2, "LocalRecoveryReserved")]);
    }

    #[test]
    fn async_reserver_lowering_max_preempts_preemptible_holders() {
        let mut r = AsyncReserver::new(2);
        r.request(pg(1), 10, grant(1), preempt(1));
        r.request(pg(2), 20, grant(2), None);
        assert_eq!(names(&r.set_max(1)), [(1, "DeferRecovery")]);
        assert_eq!(seeds(r.granted()), [2]);
    }

    #[test]
    fn async_reserver_min_priority_holds_low_requests() {
        let mut r = AsyncReserver::new(2);
        r.request(pg(1), 5, grant(1), preempt(1));
        assert_eq!(names(&r.set_min_priority(10)), [(1, "DeferRecovery")]);
        assert!(r.request(pg(2), 5, grant(2), None).is_empty());
        assert_eq!(
            names(&r.request(pg(3), 10, grant(3), None)),
            [(3, "LocalRecoveryReserved")]
        );
        assert_eq!(
            names(&r.set_min_priority(0)),
            [(2, "LocalRecoveryReserved")]
        );
    }

    #[test]
    fn async_reserver_update_priority_requeues_at_the_back() {
        let mut r = AsyncReserver::new(1);
        r.request(pg(1), 10, grant(1), None);
        r.request(pg(2), 30, grant(2), None);
        r.request(pg(3), 10, grant(3), None);
        r.request(pg(4), 10, grant(4), None);
        assert!(r.update_priority(pg(3), 30).is_empty());
        assert_eq!(seeds(r.waiting()), [2, 3, 4]);
        // A granted preemptible request whose priority drops below a waiting
        // one is preempted by it.
        let mut g = AsyncReserver::new(1);
        g.request(pg(1), 50, grant(1), preempt(1));
        g.request(pg(2), 40, grant(2), None);
        assert_eq!(
            names(&g.update_priority(pg(1), 30)),
            [(1, "DeferRecovery"), (2, "LocalRecoveryReserved")]
        );
    }

    #[test]
    fn async_reserver_re_request_replaces_the_earlier_one() {
        let mut r = AsyncReserver::new(1);
        r.request(pg(1), 10, grant(1), None);
        assert_eq!(
            names(&r.request(pg(1), 20, grant(1), None)),
            [(1, "LocalRecoveryReserved")]
        );
        assert_eq!(seeds(r.granted()), [1]);
        assert_eq!(r.waiting().count(), 0);
    }
}
