//! Trace D of reference §9: Incomplete from the les bound. Every reachable info
//! has `last_epoch_started` 8, but osd.2's history says an interval went active at
//! 12 (a later interval went active without any reachable member): the history
//! bound is 12, no info reaches it, `find_best_info` finds nothing, and the
//! primary goes Incomplete with `peering_blocked_by_history_les_bound`. The
//! cluster is at epoch 20, the loaded interval started at 10.

mod scenario_support;

use peering::core::machine::{StateDetails, StateId};
use peering::core::types::PgState;
use peering::osd::harness::osd_cluster::OsdHarness;
use scenario_support::*;

fn incomplete_cluster(ignore_history_les: bool) -> OsdHarness {
    let mut h = osd_loaded_cluster_at(20, &[0, 1, 2], 3, &[]);
    h.config_mut().find_best_info_ignore_history_les = ignore_history_les;
    for o in 0..3 {
        let mut l = loaded_pg(o, 5, 8);
        l.config = *h.config_mut();
        let les = if o == 2 { 12 } else { 8 };
        l.info.history.last_epoch_started = les;
        l.info.history.last_interval_started = les;
        h.load(o, l).unwrap();
    }
    h.run().unwrap();
    h
}

#[test]
fn incomplete_when_no_reachable_info_reaches_the_history_les() {
    let h = incomplete_cluster(false);
    let pg = h.pg(0, spg()).unwrap();
    assert_eq!(pg.state_name(), "Started/Primary/Peering/Incomplete");
    assert!(pg.state_bits().contains(PgState::INCOMPLETE));
    assert!(!pg.state_bits().contains(PgState::ACTIVE));
    let bound = pg.status().recovery_state.iter().any(|s| {
        matches!(
            s.details,
            Some(StateDetails::Peering {
                history_les_bound: true,
                ..
            })
        )
    });
    assert!(bound, "peering_blocked_by_history_les_bound");
    for o in [1, 2] {
        assert_eq!(h.state(o, spg()), "Started/Stray");
    }
    // The primary went GetInfo → GetLog → Incomplete, never further.
    let path: Vec<StateId> = h
        .transcript()
        .states_entered(0)
        .filter(|s| s.def().initial.is_none())
        .collect();
    assert_eq!(
        path,
        [
            StateId::Initial,
            StateId::Reset,
            StateId::Start,
            StateId::GetInfo,
            StateId::GetLog,
            StateId::Incomplete
        ]
    );
    // Messages: INFO queries out, notifies back; no log asked for, nothing
    // activated.
    let sent = messages_since(&h, 0);
    let from_primary: Vec<&String> = sent.iter().filter(|m| m.starts_with("osd.0")).collect();
    assert_eq!(
        from_primary,
        [
            "osd.0 -> osd.1 MOSDPGQuery2(INFO)",
            "osd.0 -> osd.2 MOSDPGQuery2(INFO)"
        ]
    );
    assert!(
        sent.iter()
            .filter(|m| !m.starts_with("osd.0"))
            .all(|m| m.ends_with("-> osd.0 MOSDPGNotify2"))
    );
    // Persisted: the primary merged osd.2's history (les 12) into its own, its
    // info's les is still 8, and the log is untouched.
    let s = stored(&h, 0);
    let info = s.info.as_ref().unwrap();
    assert_eq!(info.history.last_epoch_started, 12);
    assert_eq!(info.last_epoch_started, 8);
    assert_eq!(s.log.as_ref().unwrap().entries.len(), 5);
    assert_safe(&h);
}

/// The operator's escape hatch (`osd_find_best_info_ignore_history_les`): with it
/// the same cluster peers and goes clean.
#[test]
fn ignoring_the_history_les_lets_the_pg_peer() {
    let h = incomplete_cluster(true);
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    assert!(
        !h.transcript()
            .states_entered(0)
            .any(|s| s == StateId::Incomplete)
    );
    assert_safe(&h);
}
