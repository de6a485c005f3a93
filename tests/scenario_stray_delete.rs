//! A stray copy is deleted once the primary is clean (reference §5.19 `purge_strays`,
//! §3 "ToDelete", "WaitDeleteReserved", "Deleting"): osd.3 holds an old copy of a
//! PG now served by [0, 1, 2]; it tells the primary about itself, the primary goes
//! clean and sends `MOSDPGRemove`; osd.3's PG takes a local reservation, removes
//! its objects a chunk at a time (`osd_target_transaction_size`), removes the PG
//! and terminates; the store keeps nothing of it.

mod scenario_support;

use peering::core::ctx::{HostNotification, ReservationOp};
use peering::core::machine::StateId;
use peering::core::types::OsdId;
use peering::osd::harness::Entry;
use scenario_support::*;

#[test]
fn a_stray_is_deleted_in_chunks_after_the_primary_goes_clean() {
    let mut h = osd_loaded_cluster(&[0, 1, 2, 3], 3, &[]);
    // The OSDs load their PGs with their own options (`osd_target_transaction_size`).
    h.config_mut().delete_max_objects = 5;
    for (o, head, les) in [(0, 18, 10), (1, 18, 10), (2, 18, 10), (3, 12, 8)] {
        let mut load = loaded_pg(o, head, les);
        // `osd_target_transaction_size` 5, so the removal takes several steps.
        load.config.delete_max_objects = 5;
        h.load(o, load).unwrap();
    }
    assert_eq!(stored(&h, 3).objects.len(), 12);
    h.run().unwrap();

    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    for o in [1, 2] {
        assert_eq!(h.state(o, spg()), "Started/ReplicaActive/RepNotRecovering");
    }
    // osd.3's instance is gone, and so is everything it stored.
    assert_eq!(h.state(3, spg()), "-");
    assert!(h.pg(3, spg()).is_none());
    assert!(h.store().get(OsdId(3), spg()).is_none());
    assert!(h.store().pgs_on(OsdId(3)).next().is_none());

    // The stray told the primary about itself; the primary removed it once clean.
    let sent = messages_since(&h, 0);
    let notify = sent
        .iter()
        .position(|m| m == "osd.3 -> osd.0 MOSDPGNotify2")
        .unwrap();
    let remove = sent
        .iter()
        .position(|m| m == "osd.0 -> osd.3 MOSDPGRemove")
        .unwrap();
    assert!(notify < remove);
    let clean_at = h
        .transcript()
        .entries()
        .iter()
        .position(
            |e| matches!(e, Entry::Entered { osd, state: StateId::Clean, .. } if *osd == OsdId(0)),
        )
        .unwrap();
    let remove_at = h
        .transcript()
        .entries()
        .iter()
        .position(|e| e.to_string().contains("osd.0 -> osd.3 MOSDPGRemove"))
        .unwrap();
    assert!(clean_at < remove_at);
    // No other OSD was told to delete.
    assert_eq!(
        sent.iter().filter(|m| m.ends_with("MOSDPGRemove")).count(),
        1
    );

    // ToDelete: local reservation, then Deleting.
    let entered = entered_since(&h, 0, 3);
    let from = entered
        .iter()
        .position(|s| *s == StateId::ToDelete)
        .unwrap();
    assert_eq!(
        entered[from..],
        [
            StateId::ToDelete,
            StateId::WaitDeleteReserved,
            StateId::Deleting
        ]
    );
    let local: Vec<u32> = h
        .transcript()
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Reservation {
                osd,
                op: ReservationOp::RequestLocal { priority, .. },
                ..
            } if *osd == OsdId(3) => Some(*priority),
            _ => None,
        })
        .collect();
    assert_eq!(local.len(), 1);
    // Chunks of at most 5: 12 objects take three listings; an empty one after the
    // cursor re-lists from the beginning, and an empty one from there ends it.
    let chunks = h
        .transcript()
        .entries()
        .iter()
        .filter(|e| matches!(e, Entry::Delivered { to, name: "DeleteSome", .. } if *to == OsdId(3)))
        .count();
    assert_eq!(chunks, 5);
    // One RemoveObject per object in each step's transaction, then RemovePg.
    let persisted: Vec<usize> = h
        .transcript()
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Persisted { osd, ops, .. } if *osd == OsdId(3) => Some(*ops),
            _ => None,
        })
        .collect();
    assert!(persisted.ends_with(&[5, 5, 2, 1]), "{persisted:?}");
    let deleted = h.transcript().entries().iter().any(|e| {
        matches!(
            e,
            Entry::Notified {
                osd,
                note: HostNotification::Deleted,
                ..
            } if *osd == OsdId(3)
        )
    });
    assert!(deleted);
    assert_eq!(h.reserver(3, false).unwrap().granted().count(), 0);
    // The members keep everything.
    for o in 0..3 {
        assert_eq!(stored(&h, o).objects.len(), 18);
    }
    assert_safe(&h);
}
