//! Two primaries compete for one OSD's reservation slot (reference §4.4
//! "Reservations", §3 "WaitRemoteRecoveryReserved", "RepWaitRecoveryReserved"):
//! PG 1.0 (primary osd.0) and PG 1.1 (primary osd.1) both have a replica on
//! osd.2 that missed writes, and every reserver has one slot. Each primary holds
//! its own local slot while it asks for remote slots on the other primary's OSD
//! and on osd.2; local and remote reservers are separate, so nobody waits on a
//! slot held by someone waiting on it (no deadlock): osd.2 grants one PG, and the
//! other once the first releases it. Both PGs end Active+Clean.

mod scenario_support;

use peering::core::machine::PgLoad;
use peering::core::map::OsdMapView;
use peering::core::types::{EVersion, OsdId, PgId, SpgId};
use peering::osd::harness::osd_cluster::OsdHarness as Harness;
use scenario_support::*;

/// `pg` as stored on `osd`: log `10'1..=10'head`, one object per entry with a
/// hash that maps to `pg` when `pg_num` is 2, active and clean at 10 on `acting`.
fn disk(pg: SpgId, osd: i32, head: u64, acting: &[i32]) -> PgLoad {
    loaded_pg_of(pg, osd, head, acting, |v| (v as u32) * 2 + pg.pgid.seed)
}

/// Transcript position of the first message line containing `needle`.
fn at(h: &Harness, needle: &str) -> usize {
    h.transcript()
        .entries()
        .iter()
        .position(|e| e.to_string().contains(needle))
        .unwrap_or_else(|| panic!("{needle} never sent"))
}

#[test]
fn two_primaries_sharing_one_remote_slot_both_finish() {
    // Epoch 10: pool 1 with pg_num 2 (from epoch 2), osd.0 and osd.1 at up_thru 10.
    let mut h = Harness::replicated(&[0, 1, 2], POOL, 3).unwrap();
    let mut pool = h.map().pool(POOL).unwrap();
    pool.set_pg_num(2);
    pool.pgp_num = 2;
    h.publish("pool 1 pg_num 2", |inc| {
        inc.set_pool(pool);
    })
    .unwrap();
    while h.epoch() < 9 {
        h.publish("", |_| {}).unwrap();
    }
    h.publish("osd.0, osd.1 up_thru 10", |inc| {
        inc.new_up_thru.insert(OsdId(0), 10);
        inc.new_up_thru.insert(OsdId(1), 10);
    })
    .unwrap();
    let a = SpgId::replicated(PgId::new(POOL, 0));
    let b = SpgId::replicated(PgId::new(POOL, 1));
    h.place(a.pgid, &[0, 1, 2]).unwrap();
    h.place(b.pgid, &[1, 0, 2]).unwrap();
    for o in 0..3 {
        h.set_reserver_slots(o, 1, 1);
    }
    for (o, head) in [(0, 18), (1, 18), (2, 15)] {
        h.load(o, disk(a, o, head, &[0, 1, 2])).unwrap();
        h.load(o, disk(b, o, head, &[1, 0, 2])).unwrap();
    }
    h.run().unwrap();

    for (pg, primary, replicas) in [(a, 0, [1, 2]), (b, 1, [0, 2])] {
        assert_eq!(h.state(primary, pg), "Started/Primary/Active/Clean", "{pg}");
        for r in replicas {
            assert_eq!(
                h.state(r, pg),
                "Started/ReplicaActive/RepNotRecovering",
                "{pg} on osd.{r}"
            );
        }
        let info = h.store().get(OsdId(2), pg).unwrap().info.clone().unwrap();
        assert_eq!(info.last_update, EVersion::new(10, 18), "{pg}");
        assert_eq!(info.last_complete, info.last_update, "{pg}");
    }
    // Each primary reserved both replicas, one at a time, and released them.
    assert_eq!(recovery_reserve_msgs(&h, a), reserved_in_turn(0, &[1, 2]));
    assert_eq!(recovery_reserve_msgs(&h, b), reserved_in_turn(1, &[0, 2]));
    // osd.2's single remote slot served one PG after the other: the second grant
    // follows the first PG's release.
    let grant_a = at(&h, "osd.2 -> osd.0 MRecoveryReserve(GRANT) pg 1.0");
    let grant_b = at(&h, "osd.2 -> osd.1 MRecoveryReserve(GRANT) pg 1.1");
    let (first_release, second_grant) = if grant_a < grant_b {
        (
            at(&h, "osd.0 -> osd.2 MRecoveryReserve(RELEASE) pg 1.0"),
            grant_b,
        )
    } else {
        (
            at(&h, "osd.1 -> osd.2 MRecoveryReserve(RELEASE) pg 1.1"),
            grant_a,
        )
    };
    assert!(first_release < second_grant);
    // The second request really waited in osd.2's queue.
    let second_request = if grant_a < grant_b {
        at(&h, "osd.1 -> osd.2 MRecoveryReserve(REQUEST) pg 1.1")
    } else {
        at(&h, "osd.0 -> osd.2 MRecoveryReserve(REQUEST) pg 1.0")
    };
    assert!(second_request < first_release);
    // Every slot is free again.
    for o in 0..3 {
        for remote in [false, true] {
            let r = h.reserver(o, remote).unwrap();
            assert_eq!(r.granted().count() + r.waiting().count(), 0);
        }
    }
    assert_safe(&h);
}
