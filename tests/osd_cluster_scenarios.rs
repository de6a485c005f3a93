//! The scenario harness on the product host: [`OsdHarness`] runs real `Osd`s
//! over the wire encoding, on an `OsdMap` with CRUSH (preference lists as
//! `pg_upmap`), with the monitor granting boot, up_thru and pg_temp.

mod scenario_support;

use peering::core::machine::StateId;
use peering::core::map::OsdMapView;
use peering::core::types::{OsdId, PgState};
use peering::osd::harness::osd_cluster::OsdHarness;
use peering::osd::harness::{Entry, message_name};
use scenario_support::{POOL, pgid, spg};

const ACTIVE_CLEAN: &str = "Started/Primary/Active/Clean";
const REPLICA: &str = "Started/ReplicaActive/RepNotRecovering";

fn messages_since(h: &OsdHarness, from: usize) -> Vec<String> {
    h.transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Sent { from, to, msg, .. } => {
                Some(format!("{from} -> {to} {}", message_name(msg)))
            }
            _ => None,
        })
        .collect()
}

fn entered_since(h: &OsdHarness, from: usize, osd: i32) -> Vec<StateId> {
    h.transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Entered { osd: o, state, .. } if *o == OsdId(osd) => Some(*state),
            _ => None,
        })
        .collect()
}

fn assert_safe(h: &OsdHarness) {
    assert!(h.violations().is_empty(), "{:#?}", h.violations());
    assert!(h.failures().is_empty(), "{:#?}", h.failures());
}

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
fn osd_restart_runs_stray_while_down_then_repeers() {
    let mut h = three_replicas();
    let down = h.osd_down(2).unwrap();
    h.run().unwrap();
    let pg0 = h.pg(0, spg()).unwrap();
    assert_eq!(pg0.state_name(), ACTIVE_CLEAN);
    assert!(pg0.state_bits().contains(PgState::UNDERSIZED));
    assert_eq!(pg0.history().same_interval_since, down);
    assert_eq!(h.state(2, spg()), "-");

    let from = h.transcript().len();
    let up = h.osd_up(2).unwrap();
    // Before the monitor marked it up, osd.2's PG ran Reset ⇒ Start → Stray
    // on the map where it is down.
    let before_up: Vec<StateId> = h
        .transcript()
        .since(from)
        .iter()
        .take_while(|e| !matches!(e, Entry::Map { epoch, .. } if *epoch == up))
        .filter_map(|e| match e {
            Entry::Entered { osd, state, .. } if osd.0 == 2 => Some(*state),
            _ => None,
        })
        .collect();
    assert_eq!(
        before_up,
        [
            StateId::Initial,
            StateId::Reset,
            StateId::Started,
            StateId::Start,
            StateId::Stray
        ]
    );
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), ACTIVE_CLEAN);
    assert_eq!(h.state(1, spg()), REPLICA);
    assert_eq!(h.state(2, spg()), REPLICA);
    let bits = h.pg(0, spg()).unwrap().state_bits();
    assert!(!bits.contains(PgState::UNDERSIZED), "{bits}");
    let path = entered_since(&h, from, 0);
    assert!(path.contains(&StateId::WaitUpThru), "{path:?}");
    assert_eq!(path.last(), Some(&StateId::Clean));
    assert!(h.map().up_thru(OsdId(0)) >= up);
    assert_safe(&h);
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
