//! Trace C of reference §9: Down. A size-2 PG is active on [0, 1] (stray copies on
//! osd.2 and osd.3); osd.0 and osd.1 both fail, CRUSH maps the PG to [2, 3], and
//! the interval [0, 1] may have gone read-write with none of its members up: the
//! prior set is down, blocked by {0, 1}, and the new primary stays Down until
//! osd.0 is declared lost (the interval no longer needs probing) or osd.1 returns
//! (and, holding the newest history, becomes primary again).

mod scenario_support;

use peering::core::machine::StateId;
use peering::core::types::{OsdId, PgState};
use peering::osd::harness::{Entry, OsdHarness as Harness};
use peering::osd::osd::OsdConfig;
use scenario_support::*;

/// OSDs 2 and 3 have no deletion slots (`osd_max_backfills` 0): the clean
/// primary's removal of their stray copies waits for a deletion reservation, so
/// the copies stay on disk, as the trace needs.
fn strays_kept(o: i32) -> OsdConfig {
    let mut cfg = OsdConfig::new(o);
    if o >= 2 {
        cfg.osd_max_backfills = 0;
    }
    cfg
}

/// Active+Clean on [0, 1] with stray copies on osd.2 and osd.3, then both fail in
/// one map.
fn down_cluster() -> (Harness, u32) {
    let mut h = Harness::replicated(&[0, 1, 2, 3], POOL, 2).unwrap();
    h.set_osd_config(strays_kept);
    h.place(pgid(), &[0, 1, 2, 3]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    assert_eq!(h.state(1, spg()), "Started/ReplicaActive/RepNotRecovering");
    // A stray waiting for its deletion slot (Ceph's own spelling of the state).
    assert_eq!(h.state(2, spg()), "Started/ToDelete/WaitDeleteReseved");
    let rw = h.pg(0, spg()).unwrap().history().same_interval_since;
    h.osds_down(&[0, 1]).unwrap();
    h.run().unwrap();
    (h, rw)
}

#[test]
fn down_while_every_member_of_a_read_write_interval_is_down() {
    let (h, _) = down_cluster();
    let pg = h.pg(2, spg()).unwrap();
    assert_eq!(pg.state_name(), "Started/Primary/Peering/Down");
    assert!(pg.state_bits().contains(PgState::DOWN));
    let blocked: Vec<i32> = pg.status().blocked_by.iter().copied().collect();
    assert_eq!(blocked, [0, 1]);
    assert_eq!(h.state(3, spg()), "Started/Stray");
    // The new primary queried only the OSD it can reach; nothing was activated.
    let sent = messages_since(&h, 0);
    assert!(sent.contains(&"osd.2 -> osd.3 MOSDPGQuery2(INFO)".to_string()));
    assert!(
        !sent
            .iter()
            .any(|m| m.starts_with("osd.2") && m.ends_with("MOSDPGLog"))
    );
    assert!(
        !h.transcript()
            .states_entered(2)
            .any(|s| s == StateId::Active)
    );
    // Persisted: osd.2's info records the new interval, never started.
    let info = stored(&h, 2).info.clone().unwrap();
    assert_eq!(info.history.same_interval_since, h.epoch() - 1);
    assert_eq!(info.last_epoch_started, 0);
    assert_safe(&h);
}

#[test]
fn marking_the_lost_osd_lost_lets_peering_finish() {
    let (mut h, rw) = down_cluster();
    let from = h.transcript().len();
    let lost = h
        .publish("osd.0 lost", |inc| {
            inc.new_lost.insert(OsdId(0), inc.epoch);
        })
        .unwrap();
    h.run().unwrap();
    // affected_by_map: Peering's AdvMap resets; the new prior set counts the lost
    // OSD as up for the old interval, so the PG is no longer down.
    let entered: Vec<StateId> = h
        .transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Entered { osd, state, .. } if *osd == OsdId(2) => Some(*state),
            _ => None,
        })
        .collect();
    assert_eq!(entered.first(), Some(&StateId::Reset));
    assert!(!entered.contains(&StateId::Down));
    assert_eq!(h.state(2, spg()), "Started/Primary/Active/Clean");
    assert_eq!(h.state(3, spg()), "Started/ReplicaActive/RepNotRecovering");
    let bits = h.pg(2, spg()).unwrap().state_bits();
    assert!(!bits.contains(PgState::DOWN), "{bits}");
    // Messages after the loss: query, notify, activation log to the empty peer,
    // its ack, the primary's shares.
    let sent = messages_since(&h, from);
    for m in [
        "osd.2 -> osd.3 MOSDPGQuery2(INFO)",
        "osd.3 -> osd.2 MOSDPGNotify2",
        "osd.2 -> osd.3 MOSDPGLog",
        "osd.3 -> osd.2 MOSDPGInfo2",
        "osd.2 -> osd.3 MOSDPGInfo2",
    ] {
        assert!(sent.contains(&m.to_string()), "{m} not in {sent:#?}");
    }
    // Persisted: both went active in the map that declared the loss.
    for o in [2, 3] {
        let info = stored(&h, o).info.clone().unwrap();
        assert_eq!(info.last_epoch_started, lost, "osd.{o}");
        assert!(info.history.last_epoch_started > rw, "osd.{o}");
    }
    assert_safe(&h);
}

#[test]
fn the_returning_osd_ends_the_down_state() {
    let (mut h, _) = down_cluster();
    // Deletion slots again: a purged stray is removed this time.
    h.set_reserver_slots(3, 1, 1);
    let from = h.transcript().len();
    let up = h.osd_up(1).unwrap();
    h.run().unwrap();
    // CRUSH now maps the PG to [1, 2]: osd.1, back with the interval's history,
    // is primary, asks up_thru, activates osd.2; osd.3 is a stray again, and once
    // the primary is clean it is purged: removed, deleted, dropped (§5.19, §3
    // "ToDelete").
    assert_eq!(h.state(1, spg()), "Started/Primary/Active/Clean");
    assert_eq!(h.state(2, spg()), "Started/ReplicaActive/RepNotRecovering");
    assert!(h.pg(3, spg()).is_none(), "osd.3's stray copy was deleted");
    assert!(
        h.store().get(OsdId(3), spg()).is_none(),
        "and its store entry removed"
    );
    let osd3_states: Vec<StateId> = h
        .transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Entered { osd, state, .. } if *osd == OsdId(3) => Some(*state),
            _ => None,
        })
        .collect();
    for s in [
        StateId::Stray,
        StateId::WaitDeleteReserved,
        StateId::Deleting,
    ] {
        assert!(osd3_states.contains(&s), "{s:?} not in {osd3_states:?}");
    }
    let sent = messages_since(&h, from);
    for m in [
        "osd.1 -> osd.2 MOSDPGQuery2(INFO)",
        "osd.1 -> osd.3 MOSDPGQuery2(INFO)",
        "osd.2 -> osd.1 MOSDPGNotify2",
        "osd.3 -> osd.1 MOSDPGNotify2",
        "osd.1 -> osd.2 MOSDPGLog",
        "osd.2 -> osd.1 MOSDPGInfo2",
        // Clean purges the stray.
        "osd.1 -> osd.3 MOSDPGRemove",
    ] {
        assert!(sent.contains(&m.to_string()), "{m} not in {sent:#?}");
    }
    let info = stored(&h, 1).info.clone().unwrap();
    assert_eq!(info.history.same_interval_since, up);
    assert_eq!(info.last_epoch_started, up + 1);
    assert_eq!(info.history.last_epoch_clean, up + 1);
    assert_safe(&h);
}
