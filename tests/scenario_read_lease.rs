//! Read leases end to end, through real `Osd` hosts exchanging encoded
//! `MOSDPGLease` / `MOSDPGLeaseAck` frames, with the harness's clock: renewal
//! every half interval (`proc_renew_lease`), a new primary waiting for the
//! prior interval's lease (`Active::react(const AllReplicasActivated&)`), the
//! wait ended by `MOSDMarkMeDead` (`OSDMap::is_dead`,
//! `check_prior_readable_down_osds`), and a primary whose replica stops
//! acknowledging going laggy (`PrimaryLogPG::check_laggy`).

mod scenario_support;

use peering::core::machine::{Readable, StateId};
use peering::core::map::OsdMapView;
use peering::core::types::{OsdId, PgState, Timespan};
use peering::osd::harness::{HarnessError, OsdHarness as Harness};
use peering::osd::osd::{MonMessage, OsdError};
use scenario_support::*;

fn secs(s: i64) -> Timespan {
    Timespan::from_secs(s)
}

/// Size 3 on [0, 1, 2] (osd.3 spare), active+clean at time 0.
fn active() -> Harness {
    let mut h = Harness::replicated(&[0, 1, 2, 3], POOL, 3).unwrap();
    h.place(pgid(), &[0, 1, 2, 3]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    h
}

fn bits(h: &Harness, osd: i32) -> PgState {
    h.pg(osd, spg()).unwrap().state_bits()
}

/// Why the primary held a client op, if it did (`check_laggy`).
fn held(r: Result<peering::core::types::EVersion, HarnessError>) -> Option<Readable> {
    match r {
        Err(HarnessError::Osd {
            error: OsdError::NotReadable { why, .. },
            ..
        }) => Some(why),
        _ => None,
    }
}

fn leases(h: &Harness) -> usize {
    messages_since(h, 0)
        .iter()
        .filter(|m| m.ends_with("MOSDPGLease"))
        .count()
}

#[test]
fn the_primary_renews_every_half_interval_and_stays_readable() {
    let mut h = active();
    let at_activation = leases(&h);
    assert_eq!(at_activation, 2, "one lease per replica");
    for step in 1..=8 {
        h.advance_clock(secs(8)).unwrap();
        let l = h.pg(0, spg()).unwrap().read_lease();
        // Renewed at each 8 s step and acknowledged by both replicas:
        // readable until a full interval past the renewal.
        assert_eq!(l.readable_until, secs(8 * step + 16), "step {step}");
        assert!(!bits(&h, 0).contains(PgState::LAGGY));
    }
    assert_eq!(leases(&h), at_activation + 8 * 2);
    // A write goes through.
    h.write(spg(), "a").unwrap();
}

#[test]
fn a_new_primary_waits_until_the_old_lease_has_run_out() {
    let mut h = active();
    h.advance_clock(secs(8)).unwrap();
    // osd.0's host vanishes: the monitor marks it down, not dead.
    h.stop_osd(0);
    h.publish("osd.0 down", |i| {
        i.mark_down(0);
    })
    .unwrap();
    h.run().unwrap();
    assert_eq!(h.state(1, spg()), "Started/Primary/Active/Clean");
    assert!(bits(&h, 1).contains(PgState::WAIT));
    // osd.1 held the lease osd.0 renewed at 8 s: it may run until 24 s.
    assert_eq!(
        h.pg(1, spg()).unwrap().read_lease().prior_readable_until_ub,
        secs(24)
    );
    assert_eq!(held(h.write(spg(), "a")), Some(Readable::Wait));
    h.advance_clock(secs(15)).unwrap();
    assert!(bits(&h, 1).contains(PgState::WAIT), "23 s: still waiting");
    h.advance_clock(secs(1)).unwrap();
    assert!(
        !bits(&h, 1).contains(PgState::WAIT),
        "24 s: the lease is over"
    );
    h.write(spg(), "a").unwrap();
    h.run().unwrap();
    assert!(h.violations().is_empty(), "{:?}", h.violations());
}

/// An OSD marked down while it runs sees the map, tells the monitor
/// (`MOSDMarkMeDead`), and is recorded dead: the new primary forgets its lease
/// on that map (`Peering::react(const AdvMap&)`:
/// `check_prior_readable_down_osds`), long before the lease runs out.
#[test]
fn an_osd_that_saw_itself_down_is_dead_and_no_one_waits_for_it() {
    let mut h = active();
    // Out as well, so that its reboot does not bring it back into the PG.
    h.partition(&[0], &[1, 2, 3]);
    let down = h
        .publish("osd.0 marked down and out (it is running)", |i| {
            i.mark_down(0).mark_out(0);
        })
        .unwrap();
    while h.step() {}
    let p = h.pg(1, spg()).unwrap();
    assert!(p.in_state(StateId::Peering));
    assert_eq!(p.read_lease().prior_readable_until_ub, secs(16));
    let down_osds: Vec<OsdId> = p
        .read_lease()
        .prior_readable_down_osds
        .iter()
        .copied()
        .collect();
    assert_eq!(down_osds, [OsdId(0)]);
    assert!(
        h.cluster()
            .mon_log
            .iter()
            .any(|(o, m)| *o == OsdId(0) && *m == MonMessage::MarkMeDead { epoch: down })
    );
    // The monitor's next map records it dead, before it boots again.
    assert!(h.grant().unwrap());
    assert!(h.map().is_dead(OsdId(0)));
    while h.step() {}
    let p = h.pg(1, spg()).unwrap();
    assert_eq!(p.read_lease().prior_readable_until_ub, Timespan::ZERO);
    assert!(p.read_lease().prior_readable_down_osds.is_empty());
    // It boots; the network heals; the PG goes active with no wait, though
    // the clock never moved.
    h.run().unwrap();
    h.heal();
    h.run().unwrap();
    assert_eq!(h.now(), Timespan::ZERO);
    assert_eq!(h.state(1, spg()), "Started/Primary/Active/Clean");
    assert!(!bits(&h, 1).contains(PgState::WAIT));
    h.write(spg(), "b").unwrap();
}

#[test]
fn a_replica_that_stops_acking_makes_the_primary_laggy_until_it_is_heard() {
    let mut h = active();
    // osd.2 is cut off, not marked down: its acks stop.
    h.partition(&[2], &[0, 1, 3]);
    h.advance_clock(secs(16)).unwrap();
    h.write(spg(), "a").unwrap();
    h.advance_clock(secs(1)).unwrap();
    let l = h.pg(0, spg()).unwrap().read_lease().clone();
    assert_eq!(l.readable_until, secs(16), "{l:?}");
    assert_eq!(held(h.write(spg(), "b")), Some(Readable::Laggy));
    assert!(bits(&h, 0).contains(PgState::LAGGY));
    h.heal();
    h.run().unwrap();
    assert!(!bits(&h, 0).contains(PgState::LAGGY));
    assert!(h.pg(0, spg()).unwrap().read_lease().readable_until > h.now());
    h.write(spg(), "b").unwrap();
    h.run().unwrap();
    assert!(h.violations().is_empty(), "{:?}", h.violations());
}
