//! What only [`OsdHarness`] shows (the scenario files run on it too): frames on
//! the wire, preference lists as `pg_upmap` on a real `OsdMap` with CRUSH, and
//! trace C's Down with the strays' copies kept by a deletion reserver with no
//! slots (Ceph purges strays once the primary is clean; the scripted harness's
//! created strays never notified, so trace C itself stays on it).

mod scenario_support;

use peering::core::machine::StateId;
use peering::core::map::OsdMapView;
use peering::core::types::OsdId;
use peering::osd::harness::osd_cluster::OsdHarness;
use scenario_support::{POOL, assert_safe, entered_since, messages_since, pgid, spg};

const ACTIVE_CLEAN: &str = "Started/Primary/Active/Clean";
const REPLICA: &str = "Started/ReplicaActive/RepNotRecovering";

fn three_replicas() -> OsdHarness {
    let mut h = OsdHarness::replicated(&[0, 1, 2], POOL, 3).unwrap();
    h.place(pgid(), &[0, 1, 2]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    h
}

#[test]
fn three_replicas_peer_to_active_clean_over_the_wire() {
    let h = three_replicas();
    assert_eq!(h.state(0, spg()), ACTIVE_CLEAN);
    assert_eq!(h.state(1, spg()), REPLICA);
    assert_eq!(h.state(2, spg()), REPLICA);
    let up: Vec<i32> = h.mapping(pgid()).up.iter().map(|o| o.0).collect();
    assert_eq!(up, [0, 1, 2]);
    // Every message went through the encoding: frames were delivered.
    assert!(h.cluster().frames > 0);
    let sent = messages_since(&h, 0);
    assert!(
        sent.contains(&"osd.0 -> osd.1 MOSDPGQuery2(INFO)".to_string()),
        "{sent:#?}"
    );
    assert!(
        sent.contains(&"osd.1 -> osd.0 MOSDPGNotify2".to_string()),
        "{sent:#?}"
    );
    // The primary asked for up_thru and the monitor recorded it.
    assert!(h.map().up_thru(OsdId(0)) >= 1);
    assert!(
        h.transcript()
            .states_entered(0)
            .any(|s| s == StateId::WaitUpThru)
    );
    assert_safe(&h);
}

#[test]
fn preference_list_is_pg_upmap_on_a_real_map() {
    let mut h = OsdHarness::replicated(&[0, 1, 2, 3], POOL, 2).unwrap();
    h.place(pgid(), &[3, 1, 0, 2]).unwrap();
    assert_eq!(h.map().epoch(), 1);
    let upmap: Vec<i32> = h.map().pg_upmap()[&pgid()].iter().map(|o| o.0).collect();
    assert_eq!(upmap, [3, 1]);
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(3, spg()), ACTIVE_CLEAN);
    assert_eq!(h.state(1, spg()), REPLICA);
    // osd.0's copy is a stray: the clean primary removed it (`purge_strays`).
    assert_eq!(h.state(0, spg()), "-");
    assert!(h.store().get(OsdId(0), spg()).is_none());
    assert!(messages_since(&h, 0).contains(&"osd.3 -> osd.0 MOSDPGRemove".to_string()));
    assert_safe(&h);
}

/// OSDs 2 and 3 have no deletion slots (`osd_max_backfills` 0): their stray
/// copies wait for a deletion reservation and stay on disk.
fn strays_kept(o: i32) -> peering::osd::osd::OsdConfig {
    let mut cfg = peering::osd::osd::OsdConfig::new(o);
    if o >= 2 {
        cfg.osd_max_backfills = 0;
    }
    cfg
}

#[test]
fn down_while_every_member_of_a_read_write_interval_is_down() {
    let mut h = OsdHarness::replicated(&[0, 1, 2, 3], POOL, 2).unwrap();
    h.set_osd_config(strays_kept);
    h.place(pgid(), &[0, 1, 2, 3]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), ACTIVE_CLEAN);
    assert_eq!(h.state(1, spg()), REPLICA);
    assert_eq!(h.state(2, spg()), "Started/ToDelete/WaitDeleteReseved");
    h.osds_down(&[0, 1]).unwrap();
    h.run().unwrap();
    let pg = h.pg(2, spg()).unwrap();
    assert_eq!(pg.state_name(), "Started/Primary/Peering/Down");
    let blocked: Vec<i32> = pg.status().blocked_by.iter().copied().collect();
    assert_eq!(blocked, [0, 1]);
    assert_eq!(h.state(3, spg()), "Started/Stray");

    // osd.0 declared lost: the interval no longer needs probing.
    let from = h.transcript().len();
    h.publish("osd.0 lost", |inc| {
        inc.new_lost.insert(OsdId(0), inc.epoch);
    })
    .unwrap();
    h.run().unwrap();
    let entered = entered_since(&h, from, 2);
    assert_eq!(entered.first(), Some(&StateId::Reset));
    assert!(!entered.contains(&StateId::Down));
    assert_eq!(h.state(2, spg()), ACTIVE_CLEAN);
    assert_eq!(h.state(3, spg()), REPLICA);
    assert_safe(&h);
}
