//! The OSD's reservers (`OSDService::local_reserver`, `remote_reserver`:
//! what the machine's [`ReservationOp`]s do.
//!
//! As in Ceph, one local reserver serves the primary's recovery and backfill
//! and the PG deletion (`request_local_background_io_reservation`), and one
//! remote reserver serves the slots this OSD grants to other primaries
//! (`request_remote_recovery_reservation`); both have `osd_max_backfills`
//! slots. A grant or preemption is queued as the PG's peering event
//! (`QueuePeeringEvt` → `enqueue_peering_evt`).

use peering_core::ctx::ReservationOp;
use peering_core::types::SpgId;

use super::reserver::{AsyncReserver, Grants};
use super::space::Statfs;
use super::{Osd, OsdOutput};

impl Osd {
    /// `local_reserver`: recovery and backfill slots of the PGs this OSD leads,
    /// and PG deletion.
    pub fn local_reserver(&self) -> &AsyncReserver {
        &self.local_reserver
    }

    /// `remote_reserver`: the slots this OSD grants to primaries recovering or
    /// backfilling onto it.
    pub fn remote_reserver(&self) -> &AsyncReserver {
        &self.remote_reserver
    }

    /// A changed `osd_max_backfills` (`handle_conf_change` → `set_max` on both
    /// reservers): waiting requests may be granted, preemptible holders over
    /// the new limit preempted.
    pub fn set_max_backfills(&mut self, slots: u32) {
        self.cfg.osd_max_backfills = slots;
        let n = usize::try_from(slots).unwrap_or(usize::MAX);
        let mut grants = self.local_reserver.set_max(n);
        grants.extend(self.remote_reserver.set_max(n));
        self.queue_grants(grants);
    }

    /// The host reports the store's usage (`osd_stat.statfs`), read by the
    /// backfill space check.
    pub fn set_statfs(&mut self, statfs: Statfs) {
        self.space.set_statfs(statfs);
    }

    /// `injectfull backfillfull` (`true`) or `injectfull none`: while set, every
    /// backfill space check fails and targets answer `REJECT_TOOFULL`.
    pub fn inject_backfillfull(&mut self, full: bool) {
        self.space.inject_full(full);
    }

    /// The PGs holding backfill space on this OSD, with the bytes each will
    /// add (`primary_num_bytes - local_num_bytes`).
    pub fn backfill_space_reserved(&self) -> impl Iterator<Item = (SpgId, u64)> + '_ {
        self.space.reserved().iter().map(|(p, b)| (*p, *b))
    }

    /// One [`ReservationOp`] of `pgid`'s machine, run on the reservers (the
    /// `PeeringListener` reservation calls of `PG`/`OSDService`). The op is
    /// also output as [`OsdOutput::Reservation`] for the host's record.
    pub(super) fn handle_reservation(&mut self, pgid: SpgId, op: ReservationOp) {
        self.outputs.push_back(OsdOutput::Reservation {
            pgid,
            op: op.clone(),
        });
        let grants = match op {
            ReservationOp::RequestLocal {
                priority,
                on_grant,
                on_preempt,
            } => self
                .local_reserver
                .request(pgid, priority, on_grant, on_preempt),
            ReservationOp::UpdateLocalPriority { priority } => {
                self.local_reserver.update_priority(pgid, priority)
            }
            ReservationOp::CancelLocal => self.local_reserver.cancel(pgid),
            ReservationOp::RequestRemote {
                priority,
                on_grant,
                on_preempt,
            } => self
                .remote_reserver
                .request(pgid, priority, on_grant, on_preempt),
            ReservationOp::RequestRemoteBackfill {
                primary_num_bytes,
                local_num_bytes,
                priority,
                on_grant,
                on_preempt,
                on_too_full,
            } => {
                let pct = self.cfg.backfillfull_pct;
                if self
                    .space
                    .try_reserve(pgid, primary_num_bytes, local_num_bytes, pct)
                {
                    self.remote_reserver
                        .request(pgid, priority, on_grant, on_preempt)
                } else {
                    vec![(pgid, on_too_full)]
                }
            }
            ReservationOp::CancelRemote => self.remote_reserver.cancel(pgid),
            ReservationOp::UnreserveSpace => {
                self.space.unreserve(pgid);
                Vec::new()
            }
        };
        self.queue_grants(grants);
    }

    /// The reserver's callbacks: each event is queued for its PG.
    pub(super) fn queue_grants(&mut self, grants: Grants) {
        for (pgid, evt) in grants {
            self.enqueue_peering_evt(pgid, evt);
        }
    }
}

#[cfg(test)]
mod tests {
    use peering_core::event::{Event, PeeringEvt};

    use super::super::OsdConfig;
    use super::super::test_support::{map3, osd_on, spg};
    use super::*;

    fn local(priority: u32) -> ReservationOp {
        ReservationOp::RequestLocal {
            priority,
            on_grant: PeeringEvt::new(1, Event::LocalRecoveryReserved),
            on_preempt: Some(PeeringEvt::new(1, Event::DeferRecovery(Default::default()))),
        }
    }

    fn backfill(primary: i64, local: i64) -> ReservationOp {
        ReservationOp::RequestRemoteBackfill {
            primary_num_bytes: primary,
            local_num_bytes: local,
            priority: 100,
            on_grant: PeeringEvt::new(1, Event::RemoteBackfillReserved),
            on_preempt: None,
            on_too_full: PeeringEvt::new(1, Event::RejectTooFullRemoteReservation),
        }
    }

    #[test]
    fn async_reserver_local_grants_are_queued_as_peering_events() {
        let mut osd = osd_on(&map3(), OsdConfig::new(0));
        osd.handle_reservation(spg(0), local(10));
        osd.handle_reservation(spg(1), local(10));
        assert_eq!(osd.local_reserver().granted().collect::<Vec<_>>(), [spg(0)]);
        assert_eq!(osd.slot_items(spg(0)), 1);
        assert_eq!(osd.slot_items(spg(1)), 0);
        // osd_max_backfills is 1: the second waits until the first cancels.
        osd.handle_reservation(spg(0), ReservationOp::CancelLocal);
        assert_eq!(osd.slot_items(spg(1)), 1);
        let recorded = osd
            .drain_outputs()
            .into_iter()
            .filter(|o| matches!(o, OsdOutput::Reservation { .. }))
            .count();
        assert_eq!(recorded, 3);
    }

    #[test]
    fn async_reserver_set_max_backfills_grants_waiting_requests() {
        let mut osd = osd_on(&map3(), OsdConfig::new(0));
        osd.handle_reservation(spg(0), local(10));
        osd.handle_reservation(spg(1), local(10));
        assert_eq!(osd.slot_items(spg(1)), 0);
        osd.set_max_backfills(2);
        assert_eq!(osd.slot_items(spg(1)), 1);
        assert_eq!(osd.local_reserver().granted().count(), 2);
    }

    #[test]
    fn async_reserver_backfill_space_check_rejects_too_full() {
        let mut osd = osd_on(&map3(), OsdConfig::new(1));
        osd.set_statfs(Statfs {
            total: 1000,
            available: 300,
        });
        // 700 used + 150 = 85% < 90%: reserved.
        osd.handle_reservation(spg(0), backfill(200, 50));
        assert_eq!(
            osd.remote_reserver().granted().collect::<Vec<_>>(),
            [spg(0)]
        );
        assert_eq!(
            osd.backfill_space_reserved().collect::<Vec<_>>(),
            [(spg(0), 150)]
        );
        // 700 + 150 reserved + 100 = 95%: REJECT_TOOFULL, no slot asked.
        osd.handle_reservation(spg(1), backfill(100, 0));
        assert_eq!(osd.remote_reserver().waiting().count(), 0);
        assert_eq!(osd.slot_items(spg(1)), 1);
        // Once the first PG's space is released, the same request fits.
        osd.handle_reservation(spg(0), ReservationOp::UnreserveSpace);
        osd.handle_reservation(spg(0), ReservationOp::CancelRemote);
        osd.handle_reservation(spg(1), backfill(100, 0));
        assert_eq!(
            osd.remote_reserver().granted().collect::<Vec<_>>(),
            [spg(1)]
        );
        // injectfull: every check fails.
        osd.inject_backfillfull(true);
        osd.handle_reservation(spg(2), backfill(0, 0));
        assert!(!osd.remote_reserver().has_reservation(spg(2)));
    }
}
