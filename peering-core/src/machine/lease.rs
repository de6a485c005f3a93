//! Read leases (Octopus+): the primary leases reads to itself for
//! `readable_interval` at a time, renewed every half interval through its acting
//! peers' acknowledgements; a new primary waits (`WAIT`) until every lease of the
//! prior intervals has run out, and a primary whose peers stopped acknowledging
//! goes `LAGGY` on its next op. Ceph's `PeeringState` lease members and
//! `renew_lease`, `send_lease`, `proc_lease`, `proc_lease_ack`,
//! `proc_renew_lease`, `recalc_readable_until`, `check_prior_readable_down_osds`,
//! and the host halves `PrimaryLogPG::recheck_readable` and `check_laggy`, which
//! only touch peering state and so live here.
//!
//! Every point in time is on this OSD's monotonic clock (Ceph's `get_mnow()`,
//! the time since the OSD started), which the host supplies
//! ([`super::Pg::set_mnow`]); the core reads no clock.

use super::peering_state::PeeringState;
use super::read_lease::Readable;
use crate::ctx::{DirectMessage, LeaseAckMsg, LeaseMsg, RecoveryCtx, Timer};
use crate::event::{Event, PeeringEvt};
use crate::map::OsdMapView;
use crate::types::{OsdId, PgLease, PgLeaseAck, PgState, SpgId, Timespan};

impl PeeringState {
    /// `clear_prior_readable_until_ub`: the prior intervals can no longer be
    /// read (the bound passed, or their down OSDs are dead).
    pub(crate) fn clear_prior_readable_until_ub(&mut self) {
        self.lease.prior_readable_until_ub = Timespan::ZERO;
        self.lease.prior_readable_down_osds.clear();
    }

    /// `info.history.refresh_prior_readable_until_ub(mnow, prior_readable_until_ub)`:
    /// the history carries the prior bound as time left from now, zero once it
    /// has passed. Returns the bound, zero if it has passed (only
    /// `on_new_interval` keeps that; every other caller leaves the bound as
    /// it is, as Ceph does).
    pub(crate) fn refresh_prior_readable_until_ub(&mut self) -> Timespan {
        let (now, ub) = (self.lease.mnow, self.lease.prior_readable_until_ub);
        if now >= ub {
            self.info.history.prior_readable_until_ub = Timespan::ZERO;
            Timespan::ZERO
        } else {
            self.info.history.prior_readable_until_ub = ub.saturating_sub(now);
            ub
        }
    }

    /// `info.history.get_prior_readable_until_ub(mnow)`: the history's bound
    /// on this OSD's clock.
    pub(crate) fn prior_readable_until_ub_from_history(&self) -> Timespan {
        match self.info.history.prior_readable_until_ub {
            Timespan::ZERO => Timespan::ZERO,
            left => self.lease.mnow.saturating_add(left),
        }
    }

    /// The lease half of `on_new_interval`: whatever this instance might have
    /// served in the interval that ended becomes the prior bound; the
    /// interval's own lease starts from nothing.
    pub(crate) fn on_new_interval_lease(&mut self) {
        let l = &mut self.lease;
        l.prior_readable_until_ub = l.prior_readable_until_ub.max(l.readable_until_ub);
        self.lease.prior_readable_until_ub = self.refresh_prior_readable_until_ub();
        let l = &mut self.lease;
        l.prior_readable_down_osds.clear();
        l.readable_until = Timespan::ZERO;
        l.readable_until_ub = Timespan::ZERO;
        l.readable_until_ub_sent = Timespan::ZERO;
        l.offered_until_ub = Timespan::ZERO;
        l.readable_until_ub_from_primary = Timespan::ZERO;
        self.size_acting_readable_until_ub();
    }

    /// `acting_readable_until_ub` for the current interval: one zero per acting
    /// position on the primary (holes and its own slot included), none
    /// elsewhere. A loaded PG gets it too: Ceph's `init_from_disk_state`
    /// leaves it to the new interval its OSD's boot always starts, but a host
    /// may load a PG straight into the interval it was persisted in.
    pub(crate) fn size_acting_readable_until_ub(&mut self) {
        let primary = self.whoami == self.primary;
        let l = &mut self.lease;
        l.acting_readable_until_ub.clear();
        if primary {
            l.acting_readable_until_ub
                .resize(self.mapping.acting.len(), Timespan::ZERO);
        }
    }

    /// `renew_lease(now)`: extend what we offer by one interval from now.
    pub(crate) fn renew_lease(&mut self) {
        let l = &mut self.lease;
        let was_min = l.readable_until_ub == l.readable_until;
        l.readable_until_ub_sent = l.mnow.saturating_add(l.readable_interval);
        l.offered_until_ub = l.offered_until_ub.max(l.readable_until_ub_sent);
        if was_min {
            self.recalc_readable_until();
        }
    }

    /// `recalc_readable_until` (primary): readable until the least of what we
    /// offered and what every other acting member acknowledged.
    pub(crate) fn recalc_readable_until(&mut self) {
        let me = self.whoami.osd;
        let l = &mut self.lease;
        let min = self
            .mapping
            .acting
            .iter()
            .zip(l.acting_readable_until_ub.iter())
            .filter(|(osd, _)| **osd != me && !osd.is_none())
            .map(|(_, ub)| *ub)
            .fold(l.readable_until_ub_sent, Timespan::min);
        l.readable_until = min;
        l.readable_until_ub = min;
    }

    /// `get_lease()`.
    pub(crate) fn get_lease(&self) -> PgLease {
        PgLease {
            readable_until: self.lease.readable_until,
            readable_until_ub: self.lease.readable_until_ub_sent,
            interval: self.lease.readable_interval,
        }
    }

    /// `get_lease_ack()`.
    pub(crate) fn get_lease_ack(&self) -> PgLeaseAck {
        PgLeaseAck {
            readable_until_ub: self.lease.readable_until_ub_from_primary,
        }
    }

    /// `send_lease`: an `MOSDPGLease` to every other acting shard (not to
    /// backfill or async-recovery targets).
    pub(crate) fn send_lease(&self, ctx: &mut RecoveryCtx) {
        let lease = self.get_lease();
        for peer in self.actingset.iter().filter(|p| **p != self.whoami) {
            ctx.send_direct(
                peer.osd,
                DirectMessage::Lease(LeaseMsg {
                    epoch: self.epoch,
                    pgid: SpgId::new(self.info.pgid.pgid, peer.shard),
                    lease,
                }),
            );
        }
    }

    /// `send_lease_ack` (`ReplicaActive::react(const MLease&)`): the lease ack
    /// to the primary.
    pub(crate) fn send_lease_ack(&self, ctx: &mut RecoveryCtx) {
        ctx.send_direct(
            self.primary.osd,
            DirectMessage::LeaseAck(LeaseAckMsg {
                epoch: self.epoch,
                pgid: SpgId::new(self.info.pgid.pgid, self.primary.shard),
                lease_ack: self.get_lease_ack(),
            }),
        );
    }

    /// `schedule_renew_lease`: `RenewLease` in half an interval, at
    /// `last_peering_reset` (a reset in between makes the host drop it).
    ///
    /// A lease of no length is not renewed: Ceph would re-arm a zero-delay
    /// timer forever, and a sans-IO host would never get to its next input.
    pub(crate) fn schedule_renew_lease(&self, ctx: &mut RecoveryCtx) {
        if self.lease.readable_interval <= Timespan::ZERO {
            return;
        }
        ctx.timers.push(Timer {
            delay: self.lease.readable_interval.half(),
            event: PeeringEvt::new(self.last_peering_reset, Event::RenewLease),
        });
    }

    /// `queue_check_readable`: `CheckReadable` after `delay`, at
    /// `last_peering_reset`.
    fn queue_check_readable(&self, delay: Timespan, ctx: &mut RecoveryCtx) {
        ctx.timers.push(Timer {
            delay,
            event: PeeringEvt::new(self.last_peering_reset, Event::CheckReadable),
        });
    }

    /// `proc_lease` (non-primary): take the primary's lease, converted to our
    /// clock with the heartbeat bounds on the primary's clock; without them, an
    /// upper bound of one interval from now, and no readable time of our own.
    /// Both values only grow.
    pub(crate) fn proc_lease(&mut self, lease: &PgLease) {
        if !self.is_nonprimary() {
            return;
        }
        let l = &mut self.lease;
        l.readable_until_ub_from_primary = l
            .readable_until_ub_from_primary
            .max(lease.readable_until_ub);
        // (No `let` chain: the core builds with Rust 1.85.)
        if let (true, Some(ub)) = (lease.readable_until != Timespan::ZERO, l.primary_clock.ub) {
            let ru = lease.readable_until.saturating_sub(ub);
            l.readable_until = l.readable_until.max(ru);
        }
        let ruub = match l.primary_clock.lb {
            Some(lb) => lease.readable_until_ub.saturating_sub(lb),
            None => l.mnow.saturating_add(lease.interval),
        };
        l.readable_until_ub = l.readable_until_ub.max(ruub);
    }

    /// `proc_lease_ack` (primary): record what acting member `from`
    /// acknowledged; if it held the minimum, recompute, and recheck readability
    /// if the old lease had already run out.
    pub(crate) fn proc_lease_ack(&mut self, from: OsdId, ack: &PgLeaseAck, ctx: &mut RecoveryCtx) {
        let now = self.lease.mnow;
        let l = &mut self.lease;
        let mut was_min = false;
        for (osd, ub) in self
            .mapping
            .acting
            .iter()
            .zip(l.acting_readable_until_ub.iter_mut())
        {
            // Ceph stops at the first position it raised; a position whose bound
            // is already higher does not stop the scan.
            if *osd == from && ack.readable_until_ub > *ub {
                was_min = *ub == l.readable_until;
                *ub = ack.readable_until_ub;
                break;
            }
        }
        if was_min {
            let old_ru = self.lease.readable_until;
            self.recalc_readable_until();
            if now >= old_ru {
                self.recheck_readable(ctx);
            }
        }
    }

    /// `proc_renew_lease` (`Active`'s `RenewLease`): renew, share the lease
    /// with the other acting members (or, alone, recheck readability), and
    /// re-arm the timer.
    pub(crate) fn proc_renew_lease(&mut self, ctx: &mut RecoveryCtx) {
        self.renew_lease();
        if self.actingset.len() > 1 {
            self.send_lease(ctx);
        } else {
            self.recheck_readable(ctx);
        }
        self.schedule_renew_lease(ctx);
    }

    /// `check_prior_readable_down_osds`: forget the prior intervals' down OSDs
    /// that `map` says are dead (`OSDMap::is_dead`); once the last one is gone,
    /// nobody of a prior interval can serve reads: clear the bound. True when
    /// it was cleared.
    pub(crate) fn check_prior_readable_down_osds(&mut self, map: &dyn OsdMapView) -> bool {
        let before = self.lease.prior_readable_down_osds.len();
        self.lease
            .prior_readable_down_osds
            .retain(|o| !map.is_dead(*o));
        let changed = self.lease.prior_readable_down_osds.len() != before;
        if changed && self.lease.prior_readable_down_osds.is_empty() {
            self.clear_prior_readable_until_ub();
            return true;
        }
        false
    }

    /// `recheck_readable` (`PrimaryLogPG::recheck_readable`): leave `WAIT` once
    /// the prior bound has passed and `LAGGY` once the lease holds again.
    ///
    /// Still waiting, it re-arms `CheckReadable` for the time left, as the
    /// newer OSD (crimson's `PG::recheck_readable`) does: the classic OSD relies
    /// on a later lease ack or renewal to look again, and a bound raised by a
    /// peer's history after the first check would otherwise leave a PG that
    /// gets no ack (a lone primary's renewals do recheck) waiting for good.
    pub(crate) fn recheck_readable(&mut self, ctx: &mut RecoveryCtx) {
        let now = self.lease.mnow;
        let mut changed = false;
        if self.state.contains(PgState::WAIT) {
            let ub = self.lease.prior_readable_until_ub;
            if now < ub {
                self.queue_check_readable(ub.saturating_sub(now), ctx);
            } else {
                self.state.clear(PgState::WAIT);
                self.clear_prior_readable_until_ub();
                changed = true;
            }
        }
        if self.state.contains(PgState::LAGGY) {
            let ru = self.lease.readable_until;
            if ru != Timespan::ZERO && now < ru {
                self.state.clear(PgState::LAGGY);
                changed = true;
            }
        }
        if changed {
            Self::publish(ctx);
        }
    }

    /// The `WAIT` half of `Active::react(const AllReplicasActivated&)`: a
    /// prior interval may still be serving reads, so wait until its bound.
    pub(crate) fn wait_for_prior_leases(&mut self, ctx: &mut RecoveryCtx) {
        let (now, ub) = (self.lease.mnow, self.lease.prior_readable_until_ub);
        if ub > now {
            self.state.set(PgState::WAIT);
            self.queue_check_readable(ub.saturating_sub(now), ctx);
        }
    }

    /// `check_laggy` for an op at this instance: `WAIT` or `LAGGY` holds it; a
    /// primary whose lease ran out goes `LAGGY` (the host publishes its stats);
    /// a non-primary whose lease ran out answers `-EAGAIN`. An op exactly at
    /// the end of the lease still runs (Ceph's `mnow <= readable_until`).
    pub(crate) fn check_laggy(&mut self) -> Readable {
        if self.state.contains(PgState::WAIT) {
            return Readable::Wait;
        }
        if self.state.contains(PgState::LAGGY) {
            return Readable::Laggy;
        }
        if self.lease.mnow <= self.lease.readable_until {
            return Readable::Yes;
        }
        if !self.is_primary() {
            return Readable::Expired;
        }
        self.state.set(PgState::LAGGY);
        Readable::Laggy
    }
}
