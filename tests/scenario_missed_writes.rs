//! Missed writes through the harness's client write path (reference §5.25 writes,
//! §5.12 GetMissing, §5.15 activation, §3 "WaitLocalRecoveryReserved" ..
//! "Recovering", §8.6 recovery): a size-3 PG takes writes, osd.2 fails and misses
//! the writes made while the PG runs undersized on [0, 1], then returns. The PG
//! re-peers, osd.2's missing set is computed from the log at activation, recovery
//! runs under both reservations, and the PG ends Active+Clean with osd.2 holding
//! every object at the same `last_update`.

mod scenario_support;

use peering::core::ctx::RecoveryReserveOp;
use peering::core::machine::StateId;
use peering::core::types::{EVersion, OsdId, PgShard, PgState};
use peering::osd::harness::Entry;
use peering::osd::harness::osd_cluster::OsdHarness as Harness;
use scenario_support::*;

/// Created on [0, 1, 2], Active+Clean, then `a`, `b`, `c` written.
fn written_cluster() -> Harness {
    let mut h = Harness::replicated(&[0, 1, 2], POOL, 3).unwrap();
    h.place(pgid(), &[0, 1, 2]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    for name in ["a", "b", "c"] {
        h.write(spg(), name).unwrap();
    }
    h.run().unwrap();
    h
}

#[test]
fn writes_reach_every_running_replica_and_its_store() {
    let h = written_cluster();
    let head = h.pg(0, spg()).unwrap().info().last_update;
    assert_eq!(head.version, 3);
    for o in 0..3 {
        let pg = h.pg(o, spg()).unwrap();
        assert_eq!(pg.info().last_update, head, "osd.{o}");
        assert_eq!(pg.info().last_complete, head, "osd.{o}");
        let s = stored(&h, o);
        assert_eq!(s.info.as_ref().unwrap().last_update, head, "osd.{o}");
        assert_eq!(s.log.as_ref().unwrap().head, head, "osd.{o}");
        let names: Vec<&str> = s.objects.keys().map(|o| o.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, ["a", "b", "c"], "osd.{o}");
    }
    // One MOSDRepOp per replica per write, from the primary.
    let repops: Vec<(i32, i32, bool)> = h
        .transcript()
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::RepOp {
                from,
                to,
                delivered,
                ..
            } => Some((from.0, to.0, *delivered)),
            _ => None,
        })
        .collect();
    assert_eq!(repops, [(0, 1, true), (0, 2, true)].repeat(3));
    assert!(
        h.transcript()
            .lines()
            .any(|l| l.contains("MOSDRepOp pg 1.0 a at"))
    );
    assert_safe(&h);
}

#[test]
fn a_replica_that_was_down_misses_writes_and_is_recovered() {
    let mut h = written_cluster();
    for o in 0..3 {
        h.set_reserver_slots(o, 1, 1);
    }
    let before_down = h.pg(0, spg()).unwrap().info().last_update;

    // osd.2 fails: active+undersized+degraded on [0, 1].
    h.osd_down(2).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    assert!(!h.is_running(2));
    let bits = h.pg(0, spg()).unwrap().state_bits();
    assert!(bits.contains(PgState::ACTIVE), "{bits}");
    assert!(bits.contains(PgState::UNDERSIZED), "{bits}");
    assert!(bits.contains(PgState::DEGRADED), "{bits}");

    // Writes osd.2 misses: two new objects, one overwrite, one delete.
    let from = h.transcript().len();
    for name in ["d", "e", "a"] {
        h.write(spg(), name).unwrap();
    }
    h.delete(spg(), "b").unwrap();
    h.run().unwrap();
    let head = h.pg(0, spg()).unwrap().info().last_update;
    assert_eq!(head.version, before_down.version + 4);
    // Only osd.1 is written to: osd.2 is no longer in the acting set.
    assert!(h.transcript().since(from).iter().all(|e| match e {
        Entry::RepOp { to, .. } => *to == OsdId(1),
        _ => true,
    }));
    assert_eq!(
        stored(&h, 2).info.as_ref().unwrap().last_update,
        before_down
    );
    assert_eq!(stored(&h, 1).info.as_ref().unwrap().last_update, head);

    // osd.2 returns: the PG re-peers on [0, 1, 2].
    let from = h.transcript().len();
    h.osd_up(2).unwrap();
    h.run().unwrap();

    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    for o in [1, 2] {
        assert_eq!(h.state(o, spg()), "Started/ReplicaActive/RepNotRecovering");
    }
    let bits = h.pg(0, spg()).unwrap().state_bits();
    assert!(bits.contains(PgState::CLEAN), "{bits}");
    assert!(!bits.contains(PgState::DEGRADED), "{bits}");
    assert!(!bits.contains(PgState::UNDERSIZED), "{bits}");

    // Peering: the primary activated osd.2 with the log it missed (MOSDPGLog),
    // then recovered it under the local and both remote reservations.
    let sent = messages_since(&h, from);
    assert!(
        sent.contains(&"osd.0 -> osd.2 MOSDPGLog".to_string()),
        "{sent:#?}"
    );
    let primary = entered_since(&h, from, 0);
    assert!(
        subsequence(
            &primary,
            &[
                [StateId::GetInfo, StateId::GetLog, StateId::GetMissing].as_slice(),
                &PRIMARY_RECOVERY_PATH
            ]
            .concat()
        ),
        "{primary:?}"
    );
    assert!(subsequence(
        &entered_since(&h, from, 2),
        &REPLICA_RECOVERY_PATH
    ));
    let reserves: Vec<_> = recovery_reserve_msgs(&h, spg())
        .into_iter()
        .filter(|(_, _, op)| *op == RecoveryReserveOp::Request)
        .collect();
    assert_eq!(
        reserves,
        [
            (0, 1, RecoveryReserveOp::Request),
            (0, 2, RecoveryReserveOp::Request)
        ]
    );
    // The missing set computed for osd.2 at activation: exactly what it missed.
    let engine = engine_lines(&h);
    let to_osd2: Vec<&String> = engine.iter().filter(|l| l.ends_with("to osd.2")).collect();
    assert_eq!(to_osd2.len(), 4, "{engine:#?}");

    // Everyone at the same last_update, complete, holding every object.
    for o in 0..3 {
        let pg = h.pg(o, spg()).unwrap();
        assert_eq!(pg.info().last_update, head, "osd.{o}");
        assert_eq!(pg.info().last_complete, head, "osd.{o}");
        assert!(!pg.pg_log().missing().have_missing(), "osd.{o}");
        let s = stored(&h, o);
        let info = s.info.as_ref().unwrap();
        assert_eq!(info.last_update, head, "osd.{o}");
        assert_eq!(info.last_complete, head, "osd.{o}");
        assert_eq!(s.log.as_ref().unwrap().head, head, "osd.{o}");
        assert!(
            !s.missing.as_ref().is_some_and(|m| m.have_missing()),
            "osd.{o}"
        );
        let mut names: Vec<&str> = s.objects.keys().map(|o| o.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["a", "c", "d", "e"], "osd.{o}");
    }
    let (_, peer2) = h
        .pg(0, spg())
        .unwrap()
        .peer_infos()
        .find(|(s, _)| **s == PgShard::replica(2))
        .unwrap();
    assert_eq!(peer2.last_update, head);
    assert_safe(&h);
}

#[test]
fn writes_after_recovery_reach_all_three_again() {
    let mut h = written_cluster();
    h.osd_down(2).unwrap();
    h.run().unwrap();
    h.write(spg(), "d").unwrap();
    h.osd_up(2).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    let v = h.write(spg(), "f").unwrap();
    h.run().unwrap();
    for o in 0..3 {
        assert_eq!(h.pg(o, spg()).unwrap().info().last_update, v, "osd.{o}");
        assert!(stored(&h, o).objects.keys().any(|x| x.name == "f"));
    }
    assert_eq!(v, EVersion::new(h.pg(0, spg()).unwrap().epoch(), v.version));
    assert_safe(&h);
}

#[test]
fn a_write_to_a_pg_that_is_not_active_is_refused() {
    let mut h = Harness::replicated(&[0, 1, 2], POOL, 3).unwrap();
    h.place(pgid(), &[0, 1, 2]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    // Not run yet: the primary is still peering.
    let r = h.write(spg(), "x");
    assert!(r.is_err(), "{r:?}");
    assert_eq!(h.pg(0, spg()).unwrap().info().last_update, EVersion::ZERO);
}
