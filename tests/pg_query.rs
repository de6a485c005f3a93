//! `Pg::status()` is Ceph's `ceph pg <pgid> query` and `dump_pgstate_history`
//! as a value: serde-serializable to JSON, with the state string as Ceph prints
//! it, up/acting and their primaries, info and history, peers with their missing
//! counts, the recovery state and the state history with the host's times.

mod scenario_support;

use peering::core::types::UTime;
use peering::osd::harness::osd_cluster::OsdHarness as Harness;
use scenario_support::*;
use serde_json::Value;

#[test]
fn a_clean_primary_reports_what_pg_query_shows() {
    let mut h = Harness::replicated(&[0, 1, 2], POOL, 3).unwrap();
    h.place(pgid(), &[0, 1, 2]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    let mut status = h.pg(0, spg()).unwrap().status();
    // The harness clears each instance's history after reading it: stamp a
    // fresh one on a copy with the host's clock, as a daemon would.
    let mut pg = h.pg(0, spg()).unwrap().clone();
    pg.set_clock(UTime {
        sec: 1_700_000_000,
        nsec: 5,
    });
    let json = serde_json::to_string_pretty(&status).unwrap();
    println!("{json}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["state"], "active+clean");
    assert_eq!(v["machine_state"], "Started/Primary/Active/Clean");
    assert_eq!(v["role"], 0);
    assert_eq!(v["up"], serde_json::json!([0, 1, 2]));
    assert_eq!(v["acting"], serde_json::json!([0, 1, 2]));
    assert_eq!(v["acting_primary"]["osd"], 0);
    assert_eq!(v["epoch"], h.epoch());
    assert_eq!(v["info"]["pgid"]["pgid"]["pool"], POOL);
    let les = v["info"]["history"]["last_epoch_started"].as_u64().unwrap();
    assert_eq!(v["info"]["last_epoch_started"].as_u64().unwrap(), les);
    // Both replicas answered, missing nothing.
    let peers = v["peers"].as_array().unwrap();
    let osds: Vec<u64> = peers
        .iter()
        .map(|p| p["peer"]["osd"].as_u64().unwrap())
        .collect();
    assert_eq!(osds, [1, 2]);
    assert!(peers.iter().all(|p| p["num_missing"] == 0));
    // recovery_state lists the active states innermost first.
    let names: Vec<&str> = v["recovery_state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Started/Primary/Active/Clean",
            "Started/Primary/Active",
            "Started/Primary",
            "Started"
        ]
    );
    assert_eq!(v["num_unfound"], 0);
    assert_eq!(v["need_up_thru"], false);
    // The round trip gives the same snapshot.
    let back: peering::core::machine::PgStatus = serde_json::from_str(&json).unwrap();
    assert_eq!(back, status);

    // dump_pgstate_history: spans with the host's times once a clock is set.
    let m1 = h.map().clone();
    let mut inc = peering::osd::osdmap::Incremental::new(h.epoch() + 1);
    inc.mark_down(2);
    let next = m1.with_incremental(&inc).unwrap();
    let mut ctx = peering::core::ctx::RecoveryCtx::new();
    let mapping = peering::core::intervals::UpActing::new(&[0, 1], 0, &[0, 1], 0);
    pg.advance_map(&next, &m1, mapping, &mut ctx).unwrap();
    pg.activate_map(&next, &mut ctx).unwrap();
    status = pg.status();
    let clean = status
        .state_history
        .iter()
        .rev()
        .find(|s| s.state == "Started/Primary/Active/Clean")
        .unwrap();
    let t = UTime {
        sec: 1_700_000_000,
        nsec: 5,
    };
    assert_eq!(clean.exit, Some((inc.epoch, t)));
    let get_info = status.state_history.last().unwrap();
    assert_eq!(get_info.exit, None);
    assert_eq!(get_info.enter, Some((inc.epoch, t)));
}
