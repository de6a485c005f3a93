//! A PG splits (reference §5.20): pool 1 raises `pg_num` from 1 to 2 while PG
//! 1.0 is Active+Clean on [0, 1, 2] with 18 objects. On every OSD the host
//! delivers the parent's `AdvMap`, calls `Pg::split`, creates child 1.1 with
//! `Pg::from_split` on the same OSD, then the parent's `ActMap`; parent and child
//! each hold the objects that hash to them, both peer (the split starts a new
//! interval) and both end Active+Clean.

mod scenario_support;

use peering::core::types::pg_math::{ceph_stable_mod, pg_num_mask};
use peering::core::types::{OsdId, PgId, PgState, SpgId};
use peering::osd::harness::Entry;
use scenario_support::*;

#[test]
fn a_pg_splits_into_two_children_that_both_go_clean() {
    let mut h = osd_loaded_cluster(&[0, 1, 2], 3, &[(0, 18, 10), (1, 18, 10), (2, 18, 10)]);
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    let child = SpgId::replicated(PgId::new(POOL, 1));
    let from = h.transcript().len();
    let mut pool = peering::core::map::OsdMapView::pool(h.map(), POOL).unwrap();
    pool.set_pg_num(2);
    let e = h
        .publish("pool 1 pg_num 1 -> 2", |inc| {
            inc.set_pool(pool);
        })
        .unwrap();
    h.run().unwrap();

    // Each OSD split its own instance.
    let splits: Vec<(i32, SpgId, SpgId)> = h
        .transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Split { osd, parent, child } => Some((osd.0, *parent, *child)),
            _ => None,
        })
        .collect();
    assert_eq!(
        splits,
        [(0, spg(), child), (1, spg(), child), (2, spg(), child)]
    );
    // Both PGs Active+Clean, the same primary, replicas active.
    for pg in [spg(), child] {
        assert_eq!(h.state(0, pg), "Started/Primary/Active/Clean", "{pg}");
        for o in [1, 2] {
            assert_eq!(
                h.state(o, pg),
                "Started/ReplicaActive/RepNotRecovering",
                "{pg}"
            );
        }
        let bits = h.pg(0, pg).unwrap().state_bits();
        assert!(
            bits.contains(PgState::ACTIVE | PgState::CLEAN),
            "{pg}: {bits}"
        );
        let hist = h.pg(0, pg).unwrap().history();
        assert!(hist.same_interval_since >= e, "{pg}: {hist:?}");
        assert!(hist.last_epoch_clean >= e, "{pg}: {hist:?}");
    }
    // The split was recorded in the parent's history.
    assert_eq!(h.pg(0, spg()).unwrap().history().last_epoch_split, e);
    // Both queried and activated their replicas.
    let sent = messages_since(&h, from);
    assert!(
        sent.iter()
            .any(|m| m == "osd.0 -> osd.1 MOSDPGQuery2(INFO)")
    );
    // The 18 objects are partitioned between parent and child, on every OSD, and
    // each PG's log holds only its own objects' entries.
    for o in 0..3 {
        let p = &h.store().get(OsdId(o), spg()).unwrap();
        let c = &h.store().get(OsdId(o), child).unwrap();
        let pl = p.log.as_ref().unwrap().entries.len();
        let cl = c.log.as_ref().unwrap().entries.len();
        assert_eq!(pl + cl, 18, "osd.{o}");
        assert!(pl > 0 && cl > 0, "osd.{o}: {pl} + {cl}");
        let c_info = c.info.as_ref().unwrap();
        assert_eq!(c_info.pgid, child);
        for entry in &c.log.as_ref().unwrap().entries {
            // pg_num 2: the child holds the objects whose hash is odd.
            let ps = ceph_stable_mod(entry.soid.hash, 2, pg_num_mask(2));
            assert_eq!(ps, 1, "{:?}", entry.soid);
        }
    }
    assert_safe(&h);
}
