//! Legal cluster histories that must never crash a PG (issue: "no legal sequence
//! may crash a PG"). Each history is a sequence of OSD failures, returns and
//! client writes that a real Ceph cluster can go through; the PG must end
//! active+clean with every acknowledged write on every replica.

mod scenario_support;

use peering::core::types::SpgId;
use peering::osd::harness::osd_cluster::OsdHarness;
use scenario_support::*;

/// Every running replica of `spg` is Active+Clean or ReplicaActive and holds
/// the primary's `last_update`.
fn assert_clean_everywhere(h: &OsdHarness, spg: SpgId) {
    let states = h.states(spg);
    let primary = states
        .iter()
        .find(|(_, s)| s.starts_with("Started/Primary"))
        .map(|(o, _)| o.0)
        .expect("a primary");
    assert_eq!(
        h.state(primary, spg),
        "Started/Primary/Active/Clean",
        "{states:?}"
    );
    let head = h.pg(primary, spg).unwrap().info().last_update;
    let acting = h.mapping_at(h.epoch(), spg.pgid).unwrap().acting.clone();
    for o in acting {
        let pg = h.pg(o.0, spg).unwrap();
        assert_eq!(pg.info().last_update, head, "{o}");
        assert_eq!(pg.info().last_complete, head, "{o}");
    }
}

/// A member of the new acting set with no copy of the PG answers the primary's
/// query with an empty info (`handle_pg_query_nopg`); activation catches it up by
/// log and the primary's record of it keeps `same_interval_since` 0 while its
/// `last_interval_started` moves on. A later `choose_acting` (a stray's notify
/// while Active) must accept that record, as Ceph's does.
#[test]
fn a_returning_stray_after_a_member_caught_up_from_nothing() {
    let mut h = OsdHarness::replicated(&[0, 1, 2, 3, 4, 5], POOL, 3).unwrap();
    h.place(pgid(), &[0, 1, 2, 3, 4, 5]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    h.osd_down(5).unwrap();
    h.run().unwrap();
    h.osd_down(1).unwrap();
    h.run().unwrap();
    let first = h.write(spg(), "a").unwrap();
    h.run().unwrap();
    h.osd_down(2).unwrap();
    h.run().unwrap();
    let second = h.write(spg(), "b").unwrap();
    h.run().unwrap();
    h.osd_up(5).unwrap();
    h.run().unwrap();
    assert_safe(&h);
    assert_clean_everywhere(&h, spg());
    assert!(first < second);
    let head = h.pg(0, spg()).unwrap().info().last_update;
    assert_eq!(head, second);
}

/// The smaller history without writes: the PG on osd.0, 1, 2 and 4 (osd.3 never
/// had it); osd.4 down; osd.2 down (acting [0, 1, 3], osd.3 answers empty);
/// osd.4 returns.
#[test]
fn a_returning_stray_without_writes() {
    let mut h = OsdHarness::replicated(&[0, 1, 2, 3, 4], POOL, 3).unwrap();
    h.place(pgid(), &[0, 1, 2, 3, 4]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    h.osd_down(4).unwrap();
    h.run().unwrap();
    h.osd_down(2).unwrap();
    h.run().unwrap();
    h.osd_up(4).unwrap();
    h.run().unwrap();
    assert_safe(&h);
    assert_clean_everywhere(&h, spg());
}

/// One crashed PG does not stop the others: the harness reports the crashed
/// instance's refusal of the next map and advances every other PG.
#[test]
fn a_crashed_pg_does_not_stop_the_cluster() {
    use peering::core::event::{Event, PeeringEvt};
    use peering::core::map::OsdMapView;
    use peering::core::types::PgId;
    use peering::osd::harness::{Entry, HarnessError};
    use peering::osd::osd::OsdError;

    let mut h = OsdHarness::replicated(&[0, 1, 2, 3], 1, 3).unwrap();
    let mut pool2 = h.map().pool(1).unwrap();
    pool2.id = 2;
    h.publish("pool 2", |inc| {
        inc.set_pool(pool2);
    })
    .unwrap();
    for o in 0..4 {
        h.start_osd(o).unwrap();
    }
    h.config_mut().strict_ceph_aborts = true;
    let (a, b) = (PgId::new(1, 0), PgId::new(2, 0));
    for pgid in [a, b] {
        h.place(pgid, &[0, 1, 2, 3]).unwrap();
        h.create_everywhere(pgid).unwrap();
    }
    h.run().unwrap();
    let (sa, sb) = (SpgId::replicated(a), SpgId::replicated(b));
    assert_eq!(h.state(0, sa), "Started/Primary/Active/Clean");
    // An event no state of a clean primary takes: under Ceph's strict aborts the
    // instance of 1.0 on osd.0 crashes.
    let e = h.epoch();
    h.inject(0, sa, PeeringEvt::new(e, Event::GotLog));
    h.run().unwrap();
    assert_eq!(h.state(0, sa), "Crashed");

    // osd.2 fails: the crashed instance refuses the map; everything else re-peers.
    h.osd_down(2).unwrap();
    h.run().unwrap();
    assert!(
        matches!(
            h.failures(),
            [HarnessError::Osd { osd, error: OsdError::Pg { pgid, .. } }]
                if osd.0 == 0 && *pgid == sa
        ),
        "{:?}",
        h.failures()
    );
    assert!(
        h.transcript()
            .entries()
            .iter()
            .any(|e| matches!(e, Entry::Failed { pgid, .. } if *pgid == sa))
    );
    assert_eq!(h.state(0, sb), "Started/Primary/Active/Clean");
    assert_eq!(h.state(3, sb), "Started/ReplicaActive/RepNotRecovering");
    // The crashed primary's replicas still follow the maps (they wait as strays
    // for a primary that never answers, as in Ceph until the OSD restarts).
    assert_eq!(h.pg(1, sa).unwrap().epoch(), h.epoch());
    assert_eq!(h.state(1, sa), "Started/Stray");
}
