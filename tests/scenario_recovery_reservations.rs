//! Log-based recovery and backfill under reservation through the harness's
//! reservers and recovery engine (reference §3 "WaitLocalRecoveryReserved",
//! "WaitRemoteRecoveryReserved", "Recovering", "RepWaitRecoveryReserved",
//! "NotBackfilling", §4.4 "Reservations", §8.6).
//!
//! Here "a replica that missed writes" is the disk state such a replica leaves:
//! its log stops at 10'15 while the others reached 10'18 (the same story through
//! the harness's write path is `scenario_missed_writes`).

mod scenario_support;

use peering::core::event::Event;
use peering::core::machine::StateId;
use peering::core::types::{OsdId, PgState};
use scenario_support::*;

#[test]
fn a_replica_that_missed_writes_is_recovered_through_both_reservations() {
    let mut h = osd_loaded_cluster(&[0, 1, 2], 3, &[(0, 18, 10), (1, 18, 10), (2, 15, 10)]);
    // One slot per reserver: the grants still come, in order.
    for o in 0..3 {
        h.set_reserver_slots(o, 1, 1);
    }
    h.run().unwrap();

    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    for o in [1, 2] {
        assert_eq!(h.state(o, spg()), "Started/ReplicaActive/RepNotRecovering");
    }
    // Local reservation first, then the replica's remote one, then recovery.
    let primary = entered_since(&h, 0, 0);
    assert!(subsequence(&primary, &PRIMARY_RECOVERY_PATH), "{primary:?}");
    assert!(!primary.contains(&StateId::Backfilling));
    assert!(subsequence(
        &entered_since(&h, 0, 2),
        &REPLICA_RECOVERY_PATH
    ));
    // Ceph reserves every replica of `acting_recovery_backfill`, the up-to-date
    // osd.1 too (`remote_shards_to_reserve_recovery`), one after the other.
    assert!(entered_since(&h, 0, 1).contains(&StateId::RepWaitRecoveryReserved));
    assert_eq!(
        recovery_reserve_msgs(&h, spg()),
        reserved_in_turn(0, &[1, 2])
    );
    // The engine pushed exactly the three writes osd.2 missed, then reported.
    let engine = engine_lines(&h);
    assert_eq!(engine.len(), 4, "{engine:#?}");
    // In object (hash) order, each at the version osd.2 needed.
    let mut pushed: Vec<&str> = engine[..3]
        .iter()
        .map(|l| {
            assert!(l.starts_with("pushed") && l.ends_with("to osd.2"), "{l}");
            l.split(" at ").nth(1).unwrap()
        })
        .collect();
    pushed.sort();
    assert_eq!(
        pushed,
        ["10'16 to osd.2", "10'17 to osd.2", "10'18 to osd.2"]
    );
    assert_eq!(engine[3], "delivers AllReplicasRecovered");
    // Persisted: osd.2 complete at 10'18 with nothing missing; every object stored.
    let s2 = stored(&h, 2);
    let info = s2.info.clone().unwrap();
    assert_eq!(info.last_update, info.last_complete);
    assert_eq!(info.last_update.version, 18);
    assert!(!s2.missing.as_ref().is_some_and(|m| m.have_missing()));
    assert_eq!(s2.objects, stored(&h, 0).objects);
    // Every slot was given back.
    for o in 0..3 {
        for remote in [false, true] {
            if let Some(r) = h.reserver(o, remote) {
                assert_eq!(r.granted().count(), 0, "osd.{o} remote={remote}");
            }
        }
    }
    assert_safe(&h);
}

#[test]
fn a_too_full_backfill_target_is_retried_after_the_timer() {
    let mut h = newcomer_cluster();
    h.set_too_full(3, true);
    let from = h.transcript().len();
    remap_to_newcomer(&mut h);
    h.run().unwrap();

    // Rejected: the primary waits in NotBackfilling, too full, with a retry timer.
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/NotBackfilling");
    let bits = h.pg(0, spg()).unwrap().state_bits();
    assert!(bits.contains(PgState::BACKFILL_TOOFULL), "{bits}");
    assert!(bits.contains(PgState::REMAPPED), "{bits}");
    let sent = messages_since(&h, from);
    for m in [
        "osd.0 -> osd.3 MBackfillReserve(REQUEST)",
        "osd.3 -> osd.0 MBackfillReserve(REJECT_TOOFULL)",
        "osd.0 -> osd.3 MBackfillReserve(RELEASE)",
    ] {
        assert!(sent.contains(&m.to_string()), "{m} not in {sent:#?}");
    }
    assert!(!sent.contains(&"osd.3 -> osd.0 MBackfillReserve(GRANT)".to_string()));
    let timers: Vec<Event> = h.timers().map(|t| t.event.event.clone()).collect();
    assert_eq!(timers, [Event::RequestBackfill]);
    assert_eq!(h.state(3, spg()), "Started/ReplicaActive/RepNotRecovering");
    // The local slot was given back while waiting.
    assert_eq!(h.reserver(0, false).unwrap().granted().count(), 0);

    // Space freed; the retry timer fires and backfill runs to the end.
    h.set_too_full(3, false);
    let retry = h.transcript().len();
    h.policy_mut().fire_timers = true;
    h.run().unwrap();
    assert!(subsequence(
        &entered_since(&h, retry, 0),
        &[
            StateId::WaitLocalBackfillReserved,
            StateId::WaitRemoteBackfillReserved,
            StateId::Backfilling,
            StateId::Recovered,
            StateId::Clean,
        ]
    ));
    assert!(
        messages_since(&h, retry).contains(&"osd.3 -> osd.0 MBackfillReserve(GRANT)".to_string())
    );
    let m = h.pg(0, spg()).unwrap().mapping();
    assert_eq!(m.up, m.acting);
    assert_eq!(m.acting.iter().map(|o| o.0).collect::<Vec<_>>(), [0, 1, 3]);
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    let bits = h.pg(0, spg()).unwrap().state_bits();
    assert!(!bits.contains(PgState::BACKFILL_TOOFULL), "{bits}");
    assert!(stored(&h, 3).info.as_ref().unwrap().last_backfill.is_max());
    assert!(h.store().get(OsdId(2), spg()).is_none());
    assert_safe(&h);
}
