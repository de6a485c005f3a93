//! Read leases (Octopus+), asserted against the `PeeringState` rules they
//! follow: `renew_lease`, `send_lease`, `proc_lease`, `proc_lease_ack`,
//! `proc_renew_lease`, `recalc_readable_until`, the `WAIT` of
//! `Active::react(const AllReplicasActivated&)`, `check_prior_readable_down_osds`
//! and `PrimaryLogPG::recheck_readable` / `check_laggy`.
//!
//! Time is the host's: each test sets every instance's monotonic clock
//! ([`Pg::set_mnow`]) and fires the timers itself. Ceph's default lease is
//! `osd_heartbeat_grace` (20 s) × `osd_pool_default_read_lease_ratio` (0.8) =
//! 16 s, renewed every 8 s.

mod machine_support;

use machine_support::{Cluster, assert_dropped, pgid};
use peering_core::ctx::{DirectMessage, Outgoing};
use peering_core::event::{Event, MLease, MLeaseAck, PeeringEvt};
use peering_core::machine::{DropReason, Pg, Readable, StateId};
use peering_core::types::{OsdId, PeerClockDelta, PgLease, PgLeaseAck, PgState, Timespan};

const INTERVAL: Timespan = Timespan::from_secs(16);

fn secs(s: i64) -> Timespan {
    Timespan::from_secs(s)
}

/// Every instance's clock at `s` seconds.
fn at(c: &mut Cluster, s: i64) {
    for pg in c.pgs.values_mut() {
        pg.set_mnow(secs(s));
    }
}

/// A size-3 PG on OSDs 0, 1, 2, active+clean at time 0.
fn active() -> Cluster {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    c
}

/// The leases `from` sent, as `(to, lease)`.
fn leases_sent(c: &Cluster, from: i32) -> Vec<(i32, PgLease)> {
    c.sent
        .iter()
        .filter(|s| s.from == from)
        .filter_map(|s| match &s.msg {
            Outgoing::Direct(DirectMessage::Lease(l)) => Some((s.to, l.lease)),
            _ => None,
        })
        .collect()
}

/// The timers `osd` scheduled for `kind`, oldest first, and forgets them.
fn take_timers(c: &mut Cluster, osd: i32, want: fn(&Event) -> bool) -> Vec<Timespan> {
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut c.timers)
        .into_iter()
        .partition(|(o, t)| *o == osd && want(&t.event.event));
    c.timers = rest;
    mine.into_iter().map(|(_, t)| t.delay).collect()
}

fn is_renew(e: &Event) -> bool {
    matches!(e, Event::RenewLease)
}

fn is_check(e: &Event) -> bool {
    matches!(e, Event::CheckReadable)
}

/// At 5 s osd.0 fails (`fail` marks it in the map) and osd.1 becomes the
/// primary of [1, 2]; its up_thru is granted and it peers.
fn fail_over_at_5s(c: &mut Cluster, fail: fn(&mut peering_core::map::SimpleOsdMap)) {
    at(c, 5);
    c.next_map(&[1, 2], fail);
    c.run();
    let e = c.epoch();
    c.next_map(&[1, 2], |m| m.set_up_thru(1, e));
    c.run();
    assert!(c.pg(1).in_state(StateId::Active));
}

/// Delivers a timer's event to `osd` at the PG's `last_peering_reset`, then runs.
fn fire(c: &mut Cluster, osd: i32, event: Event) {
    let e = c.pg(osd).last_peering_reset();
    c.deliver(osd, PeeringEvt::new(e, event));
    c.run();
}

#[test]
fn activation_grants_the_lease_and_renewal_extends_it() {
    let mut c = active();
    let (p, r) = (c.pg(0).read_lease(), c.pg(1).read_lease());
    // `all_activated_and_committed`: renewed at 0, sent to both peers, acked.
    assert_eq!(p.readable_interval, INTERVAL);
    assert_eq!(p.readable_until_ub_sent, INTERVAL);
    assert_eq!(p.readable_until, INTERVAL);
    assert_eq!(
        p.acting_readable_until_ub,
        [Timespan::ZERO, INTERVAL, INTERVAL]
    );
    // `proc_lease` without heartbeat bounds: no readable time of its own, an
    // upper bound one interval from its receipt.
    assert_eq!(r.readable_until, Timespan::ZERO);
    assert_eq!(r.readable_until_ub, INTERVAL);
    assert_eq!(r.readable_until_ub_from_primary, INTERVAL);
    let granted = leases_sent(&c, 0);
    assert_eq!(
        granted.iter().map(|(to, _)| *to).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(granted.iter().all(|(_, l)| *l
        == PgLease {
            readable_until: INTERVAL,
            readable_until_ub: INTERVAL,
            interval: INTERVAL,
        }));
    // Renewal every half interval (`schedule_renew_lease`), only on the primary.
    assert_eq!(take_timers(&mut c, 0, is_renew), [secs(8)]);
    assert!(take_timers(&mut c, 1, is_renew).is_empty());

    // At 8 s: `proc_renew_lease` offers until 24 s; readable until 16 s until
    // both acks for 24 s are in (`recalc_readable_until` takes the least).
    at(&mut c, 8);
    c.sent.clear();
    c.deliver(
        0,
        PeeringEvt::new(c.pg(0).last_peering_reset(), Event::RenewLease),
    );
    assert_eq!(c.pg(0).read_lease().readable_until_ub_sent, secs(24));
    assert_eq!(c.pg(0).read_lease().readable_until, INTERVAL);
    c.run();
    assert_eq!(c.pg(0).read_lease().readable_until, secs(24));
    assert_eq!(c.pg(2).read_lease().readable_until_ub, secs(24));
    assert_eq!(leases_sent(&c, 0).len(), 2);
    // The lease ack goes back directly.
    let acks = c
        .sent
        .iter()
        .filter(|s| matches!(s.msg, Outgoing::Direct(DirectMessage::LeaseAck(_))))
        .count();
    assert_eq!(acks, 2);
    assert_eq!(take_timers(&mut c, 0, is_renew), [secs(8)]);
    assert_eq!(c.pg(0).check_laggy_at(secs(24)), Readable::Yes);
}

/// `proc_lease` converts the primary's clock with the heartbeat bounds
/// (`peer_clock_delta_ub` for `readable_until`, `_lb` for the upper bound).
#[test]
fn a_replica_converts_the_lease_with_the_heartbeat_bounds() {
    let mut c = active();
    at(&mut c, 8);
    // The primary's clock is 2..3 s ahead of osd.1's.
    c.pgs
        .get_mut(&1)
        .unwrap()
        .set_primary_clock_delta(PeerClockDelta {
            lb: Some(secs(2)),
            ub: Some(secs(3)),
        });
    fire(&mut c, 0, Event::RenewLease);
    let r = c.pg(1).read_lease();
    // The lease said readable until 16 s (primary clock), at most 24 s.
    assert_eq!(r.readable_until, secs(16 - 3));
    assert_eq!(r.readable_until_ub, secs(24 - 2));
    assert_eq!(r.readable_until_ub_from_primary, secs(24));
    // osd.2, without bounds, falls back to its own clock.
    assert_eq!(c.pg(2).read_lease().readable_until_ub, secs(8 + 16));
}

/// A new primary waits (`WAIT`) until the prior interval's lease has run out:
/// `AllReplicasActivated` queues `CheckReadable` for the time left, and the
/// check clears `WAIT` once it has (`recheck_readable`).
#[test]
fn a_new_primary_waits_for_the_prior_interval_lease() {
    let mut c = active();
    take_timers(&mut c, 0, is_renew);
    // osd.0 is marked down at 5 s but not known dead: it may still be serving.
    fail_over_at_5s(&mut c, |m| m.mark_down(0));
    let p = c.pg(1);
    // The bound is what osd.1 held of the old lease: 16 s on its clock; the
    // down OSD is remembered.
    assert_eq!(p.read_lease().prior_readable_until_ub, INTERVAL);
    assert_eq!(
        p.read_lease()
            .prior_readable_down_osds
            .iter()
            .collect::<Vec<_>>(),
        [&OsdId(0)]
    );
    assert!(p.state_bits().contains(PgState::WAIT));
    assert_eq!(p.state_bits().to_string(), "active+undersized+wait");
    assert_eq!(take_timers(&mut c, 1, is_check), [secs(11)]);
    let mut pg = c.pg(1).clone();
    assert_eq!(pg.check_laggy(), Readable::Wait);

    // Early (a timer raced a raised bound): still waiting, checked again later.
    at(&mut c, 10);
    fire(&mut c, 1, Event::CheckReadable);
    assert!(c.pg(1).state_bits().contains(PgState::WAIT));
    assert_eq!(take_timers(&mut c, 1, is_check), [secs(6)]);

    at(&mut c, 16);
    fire(&mut c, 1, Event::CheckReadable);
    let p = c.pg(1);
    assert!(!p.state_bits().contains(PgState::WAIT));
    assert_eq!(p.read_lease().prior_readable_until_ub, Timespan::ZERO);
    assert!(p.read_lease().prior_readable_down_osds.is_empty());
    assert_eq!(p.state_bits().to_string(), "active+undersized");
}

/// No wait when every down OSD of the prior intervals is known dead
/// (`check_prior_readable_down_osds`, `OSDMap::is_dead`): it serves nothing.
#[test]
fn no_wait_when_the_prior_osds_are_dead() {
    let mut c = active();
    fail_over_at_5s(&mut c, |m| m.mark_dead(0));
    let p = c.pg(1);
    assert!(!p.state_bits().contains(PgState::WAIT));
    assert_eq!(p.read_lease().prior_readable_until_ub, Timespan::ZERO);
    assert!(take_timers(&mut c, 1, is_check).is_empty());
}

/// A down OSD confirmed dead while the new primary waits ends the wait on
/// that map (`Active::react(const AdvMap&)`: `check_prior_readable_down_osds`
/// then `recheck_readable`), with no new interval.
#[test]
fn a_prior_osd_found_dead_ends_the_wait() {
    let mut c = active();
    fail_over_at_5s(&mut c, |m| m.mark_down(0));
    assert!(c.pg(1).state_bits().contains(PgState::WAIT));
    let lpr = c.pg(1).last_peering_reset();
    at(&mut c, 6);
    c.next_map(&[1, 2], |m| m.mark_dead(0));
    c.run();
    let p = c.pg(1);
    assert_eq!(p.last_peering_reset(), lpr, "no new interval");
    assert!(!p.state_bits().contains(PgState::WAIT));
    assert_eq!(p.read_lease().prior_readable_until_ub, Timespan::ZERO);
}

/// The history carries the prior bound as the time left, so a peer on
/// another clock can take it (`refresh_prior_readable_until_ub`).
#[test]
fn the_history_carries_the_prior_bound_as_time_left() {
    let mut c = active();
    at(&mut c, 5);
    c.next_map(&[1, 2], |m| m.mark_down(0));
    // osd.2's notify to the new primary, sent on ActMap.
    let notify = c
        .sent
        .iter()
        .rev()
        .find_map(|s| match &s.msg {
            Outgoing::Notify(n) if s.from == 2 => Some(n.info.history.prior_readable_until_ub),
            _ => None,
        })
        .expect("a notify from osd.2");
    assert_eq!(notify, secs(11));
    assert_eq!(c.pg(2).history().prior_readable_until_ub, secs(11));
}

/// A replica that stops acknowledging leaves the primary's lease to run out:
/// the next op finds it `LAGGY` (`check_laggy`); the late ack that raises the
/// least bound clears it (`proc_lease_ack` → `recheck_readable`).
#[test]
fn a_silent_replica_makes_the_primary_laggy_until_it_acks() {
    let mut c = active();
    take_timers(&mut c, 0, is_renew);
    // At 8 s the renewal goes out, but osd.2's ack is lost.
    at(&mut c, 8);
    c.deliver(
        0,
        PeeringEvt::new(c.pg(0).last_peering_reset(), Event::RenewLease),
    );
    c.queue.retain(|(to, _)| *to != 2);
    c.run();
    assert_eq!(c.pg(0).read_lease().readable_until, INTERVAL);
    at(&mut c, 16);
    assert_eq!(
        primary(&mut c).check_laggy(),
        Readable::Yes,
        "until the end"
    );
    at(&mut c, 17);
    assert_eq!(primary(&mut c).check_laggy(), Readable::Laggy);
    assert!(c.pg(0).state_bits().contains(PgState::LAGGY));
    assert_eq!(primary(&mut c).check_laggy(), Readable::Laggy);
    // A check while the lease is still lapsed changes nothing.
    fire(&mut c, 0, Event::CheckReadable);
    assert!(c.pg(0).state_bits().contains(PgState::LAGGY));
    // A late ack that lifts the lease only to now: `recheck_readable` wants
    // `mnow < readable_until` (where `check_laggy` took `<=`), so still laggy.
    let e = c.pg(0).last_peering_reset();
    c.deliver(0, ack_evt(e, 2, secs(17)));
    assert_eq!(c.pg(0).read_lease().readable_until, secs(17));
    assert!(c.pg(0).state_bits().contains(PgState::LAGGY));
    // The next renewal reaches osd.2: its ack lifts the least bound.
    fire(&mut c, 0, Event::RenewLease);
    let p = c.pg(0);
    assert_eq!(p.read_lease().readable_until, secs(17 + 16));
    assert!(!p.state_bits().contains(PgState::LAGGY));
    // A replica whose own lease ran out answers -EAGAIN, without LAGGY.
    let mut r = c.pg(1).clone();
    r.set_mnow(secs(100));
    assert_eq!(r.check_laggy(), Readable::Expired);
    assert!(!r.state_bits().contains(PgState::LAGGY));
}

/// A lone primary (`actingset.size() == 1`) sends no lease; its renewal
/// rechecks readability instead (`proc_renew_lease`).
#[test]
fn a_lone_primary_renews_without_sending() {
    let mut c = Cluster::new(&[0], &[0], 1);
    c.run();
    c.next_map(&[0], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    c.sent.clear();
    at(&mut c, 8);
    fire(&mut c, 0, Event::RenewLease);
    assert!(leases_sent(&c, 0).is_empty());
    assert_eq!(c.pg(0).read_lease().readable_until, secs(24));
    assert!(take_timers(&mut c, 0, is_renew).contains(&secs(8)));
    // Late, past its lease: laggy until the renewal rechecks.
    at(&mut c, 30);
    assert_eq!(primary(&mut c).check_laggy(), Readable::Laggy);
    fire(&mut c, 0, Event::RenewLease);
    assert_eq!(c.pg(0).read_lease().readable_until, secs(46));
    assert!(!c.pg(0).state_bits().contains(PgState::LAGGY));
}

/// `Started` ignores `CheckReadable` (a check for a PG that is not active);
/// `Active` takes `RenewLease`, `MLeaseAck` and `CheckReadable`; `ReplicaActive`
/// takes `MLease`.
#[test]
fn started_ignores_check_readable() {
    let mut c = active();
    let before = c.pg(1).clone();
    fire(&mut c, 1, Event::CheckReadable);
    assert_eq!(*c.pg(1), before, "a replica ignores it");
}

/// Bad input: a lease from a non-primary, a lease with negative values, an
/// ack for more than was ever offered, an old interval's lease: dropped, PG
/// unchanged.
#[test]
fn bad_leases_and_acks_are_dropped() {
    let c = active();
    let e = c.epoch();
    let good = PgLease {
        readable_until: secs(1),
        readable_until_ub: secs(20),
        interval: INTERVAL,
    };
    let lease = |from: i32, lease: PgLease, epoch| {
        PeeringEvt::new(
            epoch,
            Event::MLease(MLease {
                epoch,
                from: OsdId(from),
                lease,
            }),
        )
    };
    let mut replica = c.pg(1).clone();
    assert_dropped(
        &mut replica,
        &c,
        lease(2, good, e),
        DropReason::NotFromPrimary {
            from: peering_core::types::PgShard::replica(2),
        },
    );
    let negative = PgLease {
        interval: secs(-1),
        ..good
    };
    assert_dropped(
        &mut replica,
        &c,
        lease(0, negative, e),
        DropReason::BadLease,
    );
    let lpr = replica.last_peering_reset();
    assert_dropped(
        &mut replica,
        &c,
        lease(0, good, lpr - 1),
        DropReason::Stale {
            epoch_sent: lpr - 1,
            epoch_requested: lpr - 1,
            last_peering_reset: lpr,
        },
    );
    let mut primary = c.pg(0).clone();
    let ack = PeeringEvt::new(
        e,
        Event::MLeaseAck(MLeaseAck {
            epoch: e,
            from: OsdId(1),
            lease_ack: PgLeaseAck {
                readable_until_ub: secs(17),
            },
        }),
    );
    assert_dropped(
        &mut primary,
        &c,
        ack,
        DropReason::LeaseAckNotSent { from: OsdId(1) },
    );
    // The lease itself, from the primary, is taken and acknowledged.
    let mut ctx = peering_core::ctx::RecoveryCtx::new();
    replica.set_mnow(secs(4));
    replica
        .handle_event(lease(0, good, e), c.map(), &mut ctx)
        .expect("lease");
    assert_eq!(replica.read_lease().readable_until_ub, secs(4 + 16));
    assert!(matches!(
        ctx.messages(),
        [(OsdId(0), DirectMessage::LeaseAck(a))] if a.lease_ack.readable_until_ub == secs(20)
    ));
    assert_eq!(replica.info().pgid, pgid());
}

/// An `MLeaseAck` from `from` acknowledging `ub`, at `epoch`.
fn ack_evt(epoch: u32, from: i32, ub: Timespan) -> PeeringEvt {
    PeeringEvt::new(
        epoch,
        Event::MLeaseAck(MLeaseAck {
            epoch,
            from: OsdId(from),
            lease_ack: PgLeaseAck {
                readable_until_ub: ub,
            },
        }),
    )
}

fn primary(c: &mut Cluster) -> &mut Pg {
    c.pgs.get_mut(&0).expect("osd.0's PG")
}

trait LaggyAt {
    /// `check_laggy` on a copy whose clock reads `now`.
    fn check_laggy_at(&self, now: Timespan) -> Readable;
}

impl LaggyAt for Pg {
    fn check_laggy_at(&self, now: Timespan) -> Readable {
        let mut pg = self.clone();
        pg.set_mnow(now);
        pg.check_laggy()
    }
}

/// A new primary that held no lease of its own learns the prior bound from
/// its peers' histories (`update_history`: the merged history's time left,
/// back on its own clock), and waits for it.
#[test]
fn a_new_primary_without_a_lease_learns_the_bound_from_its_peers() {
    let mut c = Cluster::with_pgs(&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1, 2], 3, |_| {});
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    assert_eq!(c.pg(3).read_lease().readable_until_ub, Timespan::ZERO);
    // At 5 s osd.0 fails; CRUSH now says [3, 1, 2]: osd.3 leads.
    at(&mut c, 5);
    c.next_map(&[3, 1, 2], |m| m.mark_down(0));
    c.run();
    let p = c.pg(3);
    assert!(p.is_primary());
    // osd.1 and osd.2 each had 11 s left of the 16 s lease: osd.3 takes it.
    assert_eq!(p.read_lease().prior_readable_until_ub, INTERVAL);
    let e = c.epoch();
    c.next_map(&[3, 1, 2], |m| m.set_up_thru(3, e));
    c.run();
    let p = c.pg(3);
    assert!(p.in_state(StateId::Active), "{}", p.state_name());
    assert!(p.state_bits().contains(PgState::WAIT));
}

/// An ack that repeats what the primary holds changes nothing
/// (`proc_lease_ack` takes only a higher bound): no recheck, so a primary
/// waiting past its prior bound keeps waiting for its `CheckReadable`.
#[test]
fn a_repeated_ack_changes_nothing() {
    let mut c = active();
    fail_over_at_5s(&mut c, |m| m.mark_down(0));
    let held = c.pg(1).read_lease().readable_until;
    assert_eq!(held, secs(5 + 16));
    at(&mut c, 22);
    let before = c.pg(1).clone();
    let e = c.pg(1).last_peering_reset();
    c.deliver(1, ack_evt(e, 2, held));
    assert_eq!(*c.pg(1), before);
    assert!(c.pg(1).state_bits().contains(PgState::WAIT));
}

/// When every OSD of the prior intervals is up, nobody waits: each has seen
/// the new interval, so none serves the old one (`GetInfo`: the prior set's
/// down OSDs are none; `activate` then clears the bound). Until activation
/// the bound stays.
#[test]
fn no_wait_when_every_prior_osd_is_up() {
    let mut c = active();
    at(&mut c, 5);
    // A new primary by pg_temp, everyone up.
    c.next_map(&[1, 0, 2], |_| {});
    c.run();
    let p = c.pg(1);
    assert!(p.in_state(StateId::Peering), "{}", p.state_name());
    assert_eq!(p.read_lease().prior_readable_until_ub, INTERVAL);
    assert!(p.read_lease().prior_readable_down_osds.is_empty());
    let e = c.epoch();
    c.next_map(&[1, 0, 2], |m| m.set_up_thru(1, e));
    c.run();
    let p = c.pg(1);
    assert!(p.in_state(StateId::Active));
    assert!(!p.state_bits().contains(PgState::WAIT));
    assert_eq!(p.read_lease().prior_readable_until_ub, Timespan::ZERO);
}

/// A peer's history with a negative prior read bound is refused, PG
/// unchanged: no bound is negative (Ceph's encoding cannot carry one), and
/// taking it would end a new primary's wait at once.
#[test]
fn a_negative_prior_bound_in_a_peers_history_is_dropped() {
    let c = active();
    let e = c.epoch();
    let mut info = c.pg(1).info().clone();
    info.history.prior_readable_until_ub = secs(-5);
    let mut primary = c.pg(0).clone();
    assert_dropped(
        &mut primary,
        &c,
        machine_support::notify_evt(1, e, info.clone()),
        DropReason::InvalidInfo(peering_core::acting::ActingError::NegativeReadBound {
            shard: peering_core::types::PgShard::replica(1),
        }),
    );
}

/// An ack for the longest lease offered in the interval is taken even after
/// a map shortened the pool's lease (the primary now offers less).
#[test]
fn an_ack_for_a_longer_lease_offered_earlier_is_taken() {
    let mut c = active();
    // A map shortens the lease to 4 s; the renewal at 8 s offers until 12 s,
    // less than the 16 s offered at activation.
    let e = c.epoch();
    c.next_map(&[0, 1, 2], |m| {
        let mut p = m.pools[&1];
        p.read_lease_interval = Some(secs(4));
        m.pools.insert(1, p);
    });
    c.run();
    assert_eq!(c.epoch(), e + 1);
    at(&mut c, 8);
    c.deliver(
        0,
        PeeringEvt::new(c.pg(0).last_peering_reset(), Event::RenewLease),
    );
    c.queue.clear();
    let l = c.pg(0).read_lease();
    assert_eq!(l.readable_until_ub_sent, secs(12));
    assert_eq!(l.offered_until_ub, INTERVAL);
    // osd.2's ack of the 16 s lease, late: taken (its slot already holds it).
    let before = c.pg(0).clone();
    let out = c.deliver(0, ack_evt(c.epoch(), 2, INTERVAL));
    assert_eq!(out, peering_core::machine::EventOutcome::Delivered);
    assert_eq!(c.pg(0).read_lease(), before.read_lease());
    // One past it never was offered.
    let mut primary = c.pg(0).clone();
    assert_dropped(
        &mut primary,
        &c,
        ack_evt(c.epoch(), 2, INTERVAL.saturating_add(Timespan(1))),
        DropReason::LeaseAckNotSent { from: OsdId(2) },
    );
}

/// A lease of no length (the pool's `read_lease_interval` 0) is not
/// renewed on a zero-delay timer.
#[test]
fn a_zero_length_lease_is_not_renewed() {
    let mut c = active();
    c.next_map(&[0, 1, 2], |m| {
        let mut p = m.pools[&1];
        p.read_lease_interval = Some(Timespan::ZERO);
        m.pools.insert(1, p);
    });
    c.run();
    c.timers.clear();
    fire(&mut c, 0, Event::RenewLease);
    assert!(take_timers(&mut c, 0, is_renew).is_empty());
}
