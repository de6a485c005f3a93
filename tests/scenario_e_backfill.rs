//! Trace E of reference §9: a new OSD joins the up set. A size-3 PG is active on
//! [0, 1, 2] with a log trimmed past the newcomer's (empty) history; CRUSH maps it
//! to [0, 1, 3]. The primary keeps serving through a pg_temp [0, 1, 2], backfills
//! osd.3 under the local and remote backfill reservations (§3 "Backfilling"),
//! then asks for the pg_temp to go; the next interval's acting set is the up set
//! [0, 1, 3] and the PG ends Active+Clean there.

mod scenario_support;

use peering::core::machine::StateId;
use peering::core::types::{ObjectId, OsdId, PgState};
use peering::osd::harness::Entry;
use peering::osd::harness::osd_cluster::OsdHarness as Harness;
use scenario_support::*;

/// Active+Clean on [0, 1, 2] at epoch 10 (log (10'5, 10'18]), osd.3 up and empty.
fn cluster() -> Harness {
    let h = newcomer_cluster();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    assert_eq!(h.state(3, spg()), "-");
    h
}

fn up_acting(h: &Harness) -> (Vec<i32>, Vec<i32>) {
    let m = h.pg(0, spg()).unwrap().mapping();
    (
        m.up.iter().map(|o| o.0).collect(),
        m.acting.iter().map(|o| o.0).collect(),
    )
}

#[test]
fn a_new_osd_is_backfilled_through_pg_temp_and_acting_becomes_up() {
    let mut h = cluster();
    let from = h.transcript().len();
    remap_to_newcomer(&mut h);
    h.run().unwrap();

    // Final: acting == up == [0, 1, 3], every member clean or replica-active.
    assert_eq!(up_acting(&h), (vec![0, 1, 3], vec![0, 1, 3]));
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    assert_eq!(h.state(1, spg()), "Started/ReplicaActive/RepNotRecovering");
    assert_eq!(h.state(3, spg()), "Started/ReplicaActive/RepNotRecovering");
    let bits = h.pg(0, spg()).unwrap().state_bits();
    assert!(bits.contains(PgState::ACTIVE | PgState::CLEAN), "{bits}");
    assert!(!bits.contains(PgState::REMAPPED | PgState::BACKFILLING));
    assert!(h.placement().pg_temp(pgid()).is_none());

    // The primary asked for the pg_temp [0, 1, 2], then for it to go.
    let temps: Vec<Vec<i32>> = h
        .transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Mon {
                request: peering::core::ctx::MonRequest::PgTemp { want, .. },
                ..
            } => Some(want.iter().map(|o| o.0).collect()),
            _ => None,
        })
        .collect();
    assert_eq!(temps.first(), Some(&vec![0, 1, 2]));
    assert!(
        temps
            .last()
            .is_some_and(|t| t.is_empty() || *t == [0, 1, 3]),
        "{temps:?}"
    );

    // Backfill under reservation: local, then the target's remote slot.
    let primary = entered_since(&h, from, 0);
    let order: Vec<StateId> = primary
        .iter()
        .copied()
        .filter(|s| {
            matches!(
                s,
                StateId::WaitActingChange
                    | StateId::WaitLocalBackfillReserved
                    | StateId::WaitRemoteBackfillReserved
                    | StateId::Backfilling
                    | StateId::Recovered
                    | StateId::Clean
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            StateId::WaitActingChange,
            StateId::WaitLocalBackfillReserved,
            StateId::WaitRemoteBackfillReserved,
            StateId::Backfilling,
            // Recovered posts GoClean even while it waits for the acting change
            // (Ceph's `Recovered` constructor), so the pg_temp interval ends Clean.
            StateId::Recovered,
            StateId::Clean,
            // The pg_temp is gone: a new interval on [0, 1, 3], nothing to recover.
            StateId::Recovered,
            StateId::Clean,
        ]
    );
    let sent = messages_since(&h, from);
    for m in [
        "osd.0 -> osd.3 MOSDPGLog",
        "osd.0 -> osd.3 MBackfillReserve(REQUEST)",
        "osd.3 -> osd.0 MBackfillReserve(GRANT)",
        "osd.0 -> osd.3 MBackfillReserve(RELEASE)",
    ] {
        assert!(sent.contains(&m.to_string()), "{m} not in {sent:#?}");
    }
    assert!(entered_since(&h, from, 3).contains(&StateId::RepWaitBackfillReserved));

    // Persisted: osd.3 holds every object and a complete copy.
    let s3 = stored(&h, 3);
    let info = s3.info.clone().unwrap();
    assert!(info.last_backfill.is_max());
    assert_eq!(
        info.last_update,
        stored(&h, 0).info.clone().unwrap().last_update
    );
    let want: Vec<ObjectId> = stored(&h, 0).objects.keys().cloned().collect();
    assert_eq!(want.len(), 18);
    assert_eq!(s3.objects.keys().cloned().collect::<Vec<_>>(), want);
    // osd.2 left the acting set: purged as a stray once the PG was clean.
    assert!(h.store().get(OsdId(2), spg()).is_none());
    assert_safe(&h);
}
