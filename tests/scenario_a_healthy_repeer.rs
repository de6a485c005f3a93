//! Trace A of reference §9: a healthy re-peer. Three replicas are Active+Clean;
//! osd.2 restarts (down, then up: two intervals) and the PG peers again on
//! [0, 1, 2]: INFO queries, notifies, up_thru, activation by info (everyone is up
//! to date), acks, AllReplicasActivated, Recovered, Clean.

mod scenario_support;

use peering::core::ctx::MonRequest;
use peering::core::machine::StateId;
use peering::core::types::{EVersion, OsdId, PgState};
use peering::osd::harness::Entry;
use scenario_support::*;

const ACTIVE_CLEAN: &str = "Started/Primary/Active/Clean";
const REPLICA: &str = "Started/ReplicaActive/RepNotRecovering";

fn settled() -> peering::osd::harness::osd_cluster::OsdHarness {
    let mut h = osd_loaded_cluster(&[0, 1, 2], 3, &[(0, 5, 10), (1, 5, 10), (2, 5, 10)]);
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), ACTIVE_CLEAN);
    h
}

#[test]
fn osd_restart_repeers_to_active_clean() {
    let mut h = settled();

    // osd.2 goes down: a new interval on [0, 1], active but undersized.
    let down = h.osd_down(2).unwrap();
    h.run().unwrap();
    let pg0 = h.pg(0, spg()).unwrap();
    assert_eq!(pg0.state_name(), ACTIVE_CLEAN);
    assert!(pg0.state_bits().contains(PgState::UNDERSIZED));
    assert_eq!(pg0.history().same_interval_since, down);
    assert_eq!(h.state(2, spg()), "-");

    // osd.2 comes back: the interval [0, 1, 2] starts at `up`.
    let from = h.transcript().len();
    let up = h.osd_up(2).unwrap();
    h.run().unwrap();

    // Final states.
    assert_eq!(h.state(0, spg()), ACTIVE_CLEAN);
    assert_eq!(h.state(1, spg()), REPLICA);
    assert_eq!(h.state(2, spg()), REPLICA);
    let bits = h.pg(0, spg()).unwrap().state_bits();
    assert!(bits.contains(PgState::ACTIVE | PgState::CLEAN), "{bits}");
    assert!(!bits.contains(PgState::UNDERSIZED), "{bits}");

    // The primary's path: Reset, GetInfo, GetLog, GetMissing, WaitUpThru, then
    // Activating only in the map recording its up_thru, Recovered, Clean.
    let path: Vec<(StateId, u32)> = h
        .transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Entered {
                osd, state, epoch, ..
            } if osd.0 == 0 && state.def().initial.is_none() => Some((*state, *epoch)),
            _ => None,
        })
        .collect();
    assert_eq!(
        path,
        [
            (StateId::Reset, up),
            (StateId::Start, up),
            (StateId::GetInfo, up),
            (StateId::GetLog, up),
            (StateId::GetMissing, up),
            (StateId::WaitUpThru, up),
            (StateId::Activating, up + 1),
            (StateId::Recovered, up + 1),
            (StateId::Clean, up + 1),
        ]
    );
    // need_up_thru: the primary asked for up_thru >= the interval start, and the
    // monitor's next map recorded it.
    assert!(h.transcript().since(from).iter().any(|e| matches!(
        e,
        Entry::Mon { osd: OsdId(0), request: MonRequest::UpThru { want } } if *want == up
    )));
    assert_eq!(
        peering::core::map::OsdMapView::up_thru(h.map(), OsdId(0)),
        up
    );

    // Messages: the primary's, in order.
    let from_primary: Vec<String> = messages_since(&h, from)
        .into_iter()
        .filter(|m| m.starts_with("osd.0 "))
        .collect();
    assert_eq!(
        from_primary,
        [
            "osd.0 -> osd.1 MOSDPGQuery2(INFO)",
            "osd.0 -> osd.2 MOSDPGQuery2(INFO)",
            // activate(): both peers are up to date, so an info, not a log.
            "osd.0 -> osd.1 MOSDPGInfo2",
            "osd.0 -> osd.2 MOSDPGInfo2",
            // Every peer's activation committed: the read lease goes out
            // (`all_activated_and_committed`: `renew_lease`, `send_lease`),
            // then AllReplicasActivated shares the info (history.les set).
            "osd.0 -> osd.1 MOSDPGLease",
            "osd.0 -> osd.1 MOSDPGInfo2",
            "osd.0 -> osd.2 MOSDPGLease",
            "osd.0 -> osd.2 MOSDPGInfo2",
            // Clean shares it again (history.lec set).
            "osd.0 -> osd.1 MOSDPGInfo2",
            "osd.0 -> osd.2 MOSDPGInfo2",
        ]
    );
    // Each replica notified the primary (on ActMap, answering the INFO query, and
    // once more on the up_thru map while still a stray), acked activation with
    // an info once its activation committed, then acknowledged the lease.
    for o in [1, 2] {
        let mine: Vec<String> = messages_since(&h, from)
            .into_iter()
            .filter(|m| m.starts_with(&format!("osd.{o} ")))
            .collect();
        let notifies = mine.iter().filter(|m| m.ends_with("MOSDPGNotify2")).count();
        assert!(notifies >= 2, "osd.{o}: {mine:?}");
        assert!(
            mine.iter()
                .all(|m| m.starts_with(&format!("osd.{o} -> osd.0 ")))
        );
        assert_eq!(
            mine[mine.len() - 2..],
            [
                format!("osd.{o} -> osd.0 MOSDPGInfo2"),
                format!("osd.{o} -> osd.0 MOSDPGLeaseAck")
            ]
        );
    }

    // Persisted: everyone's info at the authoritative head, les = the activation
    // epoch, clean at it, past intervals cleared by Clean; the log unchanged.
    for o in 0..3 {
        let s = stored(&h, o);
        let info = s.info.as_ref().unwrap();
        assert_eq!(info.last_update, EVersion::new(10, 5), "osd.{o}");
        assert_eq!(info.last_epoch_started, up + 1, "osd.{o}");
        assert_eq!(info.history.last_epoch_started, up + 1, "osd.{o}");
        assert_eq!(info.history.last_epoch_clean, up + 1, "osd.{o}");
        assert_eq!(info.history.same_interval_since, up, "osd.{o}");
        assert_eq!(s.epoch, up + 1, "osd.{o}");
        assert!(s.past_intervals.intervals().is_empty(), "osd.{o}");
        let log = s.log.as_ref().unwrap();
        assert_eq!(log.head, EVersion::new(10, 5));
        assert_eq!(log.entries.len(), 5);
        assert!(s.effects.is_empty());
    }
    assert_safe(&h);
}

/// A restarted OSD boots as Ceph's does (`load_pgs`, then `consume_map` before
/// `MOSDBoot`): its PG is loaded into `Reset`, leaves it on the newest map, where
/// the OSD is still down, as a `Stray`, and sends nothing; once the monitor marks
/// the OSD up it peers on that map, never on the one it was persisted at.
#[test]
fn a_restarted_osd_boots_as_a_stray_then_peers() {
    let mut h = settled();
    let down = h.osd_down(2).unwrap();
    h.run().unwrap();
    // The newest map before the OSD returns (osd.0's up_thru grant follows `down`).
    let newest = h.epoch();
    let from = h.transcript().len();
    let up = h.osd_up(2).unwrap();
    h.run().unwrap();
    let entered: Vec<(u32, &str)> = h
        .transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Entered {
                osd: OsdId(2),
                epoch,
                state,
                ..
            } => Some((*epoch, state.name())),
            _ => None,
        })
        .collect();
    // Loaded at the epoch it was persisted at, into Reset; started on the newest
    // map, where it is still down, as a stray; re-peered on `up`.
    let boot: Vec<(u32, &str)> = entered.iter().copied().take(6).collect();
    let stored = boot[0].0;
    assert!(stored < down, "{entered:?}");
    assert_eq!(
        boot,
        [
            (stored, "Initial"),
            (stored, "Reset"),
            (newest, "Started"),
            (newest, "Start"),
            (newest, "Started/Stray"),
            (up, "Reset"),
        ]
    );
    assert!(
        entered
            .iter()
            .all(|(e, s)| *e >= up || !(s.contains("Primary") || s.contains("ReplicaActive"))),
        "{entered:?}"
    );
    assert!(
        entered
            .iter()
            .any(|(e, s)| *e >= up && *s == "Started/ReplicaActive"),
        "{entered:?}"
    );
    // Nothing was sent by osd.2 before it was up.
    assert!(h.transcript().since(from).iter().all(|e| !matches!(
        e,
        Entry::Sent { from: OsdId(2), epoch, .. } if *epoch < up
    )));
    assert_eq!(h.state(2, spg()), "Started/ReplicaActive/RepNotRecovering");
    assert_safe(&h);
}
