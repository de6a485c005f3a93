//! PG merge end to end, through real `Osd` hosts: pool 1 splits from one PG
//! to two (18 objects between 1.0 and 1.1), then merges back. The monitor
//! sets `pg_num_pending` 1; both PGs re-peer without serving writes
//! (`PREMERGE`), go clean, and osd.0 reports them ready
//! (`MOSDPGReadyToMerge`); the monitor lowers `pg_num` with what they
//! reported (`pg_pool_t::dec_pg_num`, `last_pg_merge_meta`); every OSD brings
//! both to the map before and merges 1.1 into 1.0 (`OSD::advance_pg`,
//! `PG::merge_from`, `merge_collection`), and 1.0 peers again, Active+Clean,
//! holding every object. A merge interrupted by a replica going down is
//! backed off and, when the monitor asks again, completes.

mod scenario_support;

use peering::core::map::OsdMapView;
use peering::core::types::{OsdId, PgId, PgState, SpgId};
use peering::osd::harness::{Entry, OsdHarness as Harness};
use scenario_support::*;

fn child() -> SpgId {
    SpgId::replicated(PgId::new(POOL, 1))
}

/// 1.0 and 1.1 Active+Clean on [0, 1, 2] after a split of 18 objects.
fn split_pair() -> Harness {
    split_pair_on(&[0, 1, 2])
}

/// As [`split_pair`], with `osds` up (the extra ones spare).
fn split_pair_on(osds: &[i32]) -> Harness {
    let mut h = osd_loaded_cluster(osds, 3, &[(0, 18, 10), (1, 18, 10), (2, 18, 10)]);
    h.run().unwrap();
    let mut pool = h.map().pool(POOL).unwrap();
    pool.set_pg_num(2);
    h.publish("pool 1 pg_num 1 -> 2", |inc| {
        inc.set_pool(pool);
    })
    .unwrap();
    h.run().unwrap();
    for pg in [spg(), child()] {
        assert_eq!(h.state(0, pg), "Started/Primary/Active/Clean", "{pg}");
    }
    h
}

/// The manager's step towards pg_num 1: `pgp_num` first, then
/// `pg_num_pending` (`pg_num_actual`).
fn ask_to_merge(h: &mut Harness) {
    let mut pool = h.map().pool(POOL).unwrap();
    pool.pgp_num = 1;
    pool.pg_num_pending = 1;
    h.publish("pool 1 pg_num_pending 1", |inc| {
        inc.set_pool(pool);
    })
    .unwrap();
}

fn objects(h: &Harness, osd: i32, pg: SpgId) -> usize {
    h.store().get(OsdId(osd), pg).map_or(0, |p| p.objects.len())
}

#[test]
fn the_source_folds_into_the_target_with_every_object() {
    let mut h = split_pair();
    let before: Vec<usize> = (0..3)
        .map(|o| objects(&h, o, spg()) + objects(&h, o, child()))
        .collect();
    assert_eq!(before, [18, 18, 18]);
    let source_head = h.pg(0, child()).unwrap().info().last_update;
    let target_head = h.pg(0, spg()).unwrap().info().last_update;
    let from = h.transcript().len();
    ask_to_merge(&mut h);
    h.run().unwrap();

    // osd.0 leads both and said they were ready, once.
    let ready: Vec<(i32, PgId, bool)> = h
        .transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::ReadyToMerge { osd, source, ready } => Some((osd.0, *source, *ready)),
            _ => None,
        })
        .collect();
    assert_eq!(ready, [(0, child().pgid, true)]);
    // The monitor lowered pg_num and recorded what it acted on.
    let map = h.map();
    let pool = map.pool(POOL).unwrap();
    assert_eq!((pool.pg_num, pool.pg_num_pending), (1, 1));
    let meta = map.last_pg_merge_meta(POOL);
    assert_eq!(meta.source_pgid, child().pgid);
    assert_eq!(meta.source_version, source_head);
    assert_eq!(meta.target_version, target_head);
    // Every OSD merged its own instance.
    let merged: Vec<(i32, SpgId, SpgId)> = h
        .transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Merged {
                osd,
                source,
                target,
            } => Some((osd.0, *source, *target)),
            _ => None,
        })
        .collect();
    assert_eq!(
        merged,
        [
            (0, child(), spg()),
            (1, child(), spg()),
            (2, child(), spg())
        ]
    );
    // 1.1 is gone everywhere; 1.0 holds all 18 objects and is clean again.
    for o in 0..3 {
        assert!(h.pg(o, child()).is_none(), "osd.{o}");
        assert!(h.store().get(OsdId(o), child()).is_none(), "osd.{o}");
        assert_eq!(objects(&h, o, spg()), 18, "osd.{o}");
        let info = h.pg(o, spg()).unwrap().info();
        assert!(
            !info.is_incomplete(),
            "osd.{o}: complete, nothing to backfill"
        );
        assert_eq!(info.last_update, source_head.max(target_head), "osd.{o}");
    }
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    let bits = h.pg(0, spg()).unwrap().state_bits();
    assert!(bits.contains(PgState::ACTIVE | PgState::CLEAN), "{bits}");
    assert!(!bits.contains(PgState::PREMERGE), "{bits}");
    assert!(h.violations().is_empty(), "{:?}", h.violations());
    // The merged PG takes writes past the merged head.
    let v = h.write(spg(), "after-merge").unwrap();
    assert!(v > source_head.max(target_head));
}

#[test]
fn a_merge_interrupted_by_a_down_replica_backs_off_and_resumes() {
    let mut h = split_pair();
    // osd.2 goes down just as the monitor asks for the merge.
    h.stop_osd(2);
    h.osds_down(&[2]).unwrap();
    h.run().unwrap();
    let from = h.transcript().len();
    ask_to_merge(&mut h);
    h.run().unwrap();
    // Undersized: not ready, and the monitor backed off.
    let said: Vec<bool> = h
        .transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::ReadyToMerge { ready, .. } => Some(*ready),
            _ => None,
        })
        .collect();
    assert_eq!(said, [false]);
    let pool = h.map().pool(POOL).unwrap();
    assert_eq!((pool.pg_num, pool.pg_num_pending), (2, 2));
    // With the merge off, both PGs serve writes again.
    for pg in [spg(), child()] {
        let bits = h.pg(0, pg).unwrap().state_bits();
        assert!(bits.contains(PgState::ACTIVE), "{pg}: {bits}");
        assert!(!bits.contains(PgState::PREMERGE), "{pg}: {bits}");
    }
    h.write(spg(), "while-down").unwrap();

    // osd.2 returns, recovers, and the manager asks again.
    h.start_osd(2).unwrap();
    h.run().unwrap();
    for pg in [spg(), child()] {
        assert_eq!(h.state(0, pg), "Started/Primary/Active/Clean", "{pg}");
    }
    ask_to_merge(&mut h);
    h.run().unwrap();
    let pool = h.map().pool(POOL).unwrap();
    assert_eq!((pool.pg_num, pool.pg_num_pending), (1, 1));
    for o in 0..3 {
        assert!(h.pg(o, child()).is_none(), "osd.{o}");
        // 18 objects and the write made while osd.2 was down.
        assert_eq!(objects(&h, o, spg()), 19, "osd.{o}");
    }
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    assert!(h.violations().is_empty(), "{:?}", h.violations());
}

/// A family not placed alike (upmaps keep 1.1 on [0, 1, 3] while 1.0 is on
/// [0, 1, 2]): osd.3 holds only the source and osd.2 only the target. Each
/// creates the missing member empty at the map before the merge
/// (`prime_merges`), so its merged copy is incomplete (`merge_from`); osd.2's
/// is backfilled from the primary and ends with every object, osd.3's is a
/// stray and removed.
#[test]
fn members_an_osd_lacks_are_created_empty_and_the_merged_copy_backfilled() {
    let mut h = split_pair_on(&[0, 1, 2, 3]);
    h.place(child().pgid, &[0, 1, 3]).unwrap();
    h.publish("1.1 moves to [0, 1, 3]", |_| {}).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, child()), "Started/Primary/Active/Clean");
    assert!(h.pg(2, child()).is_none(), "osd.2 purged its copy of 1.1");
    assert!(h.pg(3, spg()).is_none());
    ask_to_merge(&mut h);
    h.run().unwrap();
    let pool = h.map().pool(POOL).unwrap();
    assert_eq!((pool.pg_num, pool.pg_num_pending), (1, 1));
    // osd.2 merged an empty 1.1 it never had, osd.3 merged its 1.1 into an
    // empty 1.0.
    let merged: Vec<i32> = h
        .transcript()
        .since(0)
        .iter()
        .filter_map(|e| match e {
            Entry::Merged { osd, .. } => Some(osd.0),
            _ => None,
        })
        .collect();
    assert_eq!(merged, [0, 1, 2, 3]);
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    for o in 0..3 {
        assert_eq!(objects(&h, o, spg()), 18, "osd.{o}");
        assert!(!h.pg(o, spg()).unwrap().info().is_incomplete(), "osd.{o}");
    }
    assert!(h.pg(3, spg()).is_none(), "osd.3's merged copy was a stray");
    assert!(h.violations().is_empty(), "{:?}", h.violations());
}
