//! # The OSD host, step by step
//!
//! Run with `cargo run --example osd_host`.
//!
//! The seeds describe what a Ceph OSD does around peering: a message arrives on
//! a session and may have to wait for the map it was sent in; maps are applied
//! and consumed; a PG many epochs behind is dragged forward a few epochs per
//! pass of the peering queue; `dispatch_context` sends nothing while the OSD is
//! down; up_thru and pg_temp requests go to the monitor and come back granted in
//! a new map. This example plays that on three in-process OSDs
//! ([`LocalCluster`]): every message between them travels as an encoded frame.

use peering::core::ctx::QueryMsg;
use peering::core::map::OsdMapView;
use peering::core::types::{OsdId, PgHistory, PgId, PgQuery, QueryKind, ShardId, SpgId, UTime};
use peering::osd::msg::Message;
use peering::osd::osd::local::{LocalCluster, simple_map};
use peering::osd::osd::{DropReason, MonMessage, OsdConfig, Peer};

const POOL: i64 = 1;

fn config(o: i32) -> OsdConfig {
    let mut cfg = OsdConfig::new(o);
    cfg.osd_map_max_advance = 5;
    cfg
}

fn query(epoch: u32) -> Message {
    Message::PgQuery2(QueryMsg {
        pgid: SpgId::replicated(PgId::new(POOL, 0)),
        query: PgQuery {
            kind: QueryKind::Info,
            history: PgHistory::new(1, UTime::default()),
            epoch_sent: epoch,
            to: ShardId::NO_SHARD,
            from: ShardId::NO_SHARD,
        },
    })
}

/// Every PG instance's state, per OSD.
fn print_states(c: &LocalCluster) {
    for (id, osd) in &c.osds {
        let states: Vec<String> = osd
            .pgs()
            .map(|(p, pg)| format!("{p}:{}", pg.state_name()))
            .collect();
        println!("{id:?} at epoch {}: {}", osd.epoch(), states.join(" "));
    }
}

fn main() {
    println!("== 1. Three OSDs boot and the monitor creates pool {POOL} ==");
    let map = simple_map(3, POOL, 3, 4).expect("map");
    let mut c = LocalCluster::new(map, &[0, 1, 2], config);
    c.create_pgs(POOL);
    c.run(1000);
    print_states(&c);

    println!("\n== 2. A message sent in a map the OSD does not have yet waits ==");
    let e = c.mon_map.epoch();
    // osd.0 already has the next map; osd.1 does not.
    let d = c.send_now(0, 1, &query(e + 1));
    let osd1 = c.osd(1);
    println!(
        "query stamped epoch {} on osd.1 at epoch {}: {:?}, {} waiting in the session",
        e + 1,
        osd1.map_or(0, |o| o.epoch()),
        d.map(|d| d.disposition),
        osd1.map_or(0, |o| o.session_waiting(Peer::Osd(OsdId(0))))
    );
    c.publish(|_| {}).expect("map");
    let waiting = c
        .osd(1)
        .map_or(0, |o| o.session_waiting(Peer::Osd(OsdId(0))));
    println!("after consume_map of epoch {}: {waiting} waiting", e + 1);
    c.run(1000);

    println!("\n== 3. A PG twenty epochs behind moves 5 epochs per pass ==");
    for _ in 0..20 {
        c.publish(|_| {}).expect("map");
    }
    let pg = SpgId::replicated(PgId::new(POOL, 0));
    if let Some(osd0) = c.osds.get_mut(&OsdId(0)) {
        let mut pass = 0;
        while osd0.pg(pg).is_some_and(|p| p.epoch() < osd0.epoch()) {
            osd0.process_peering_events();
            pass += 1;
            let at = osd0.pg(pg).map_or(0, |p| p.epoch());
            println!("pass {pass}: {pg} at epoch {at} of {}", osd0.epoch());
        }
    }
    c.run(1000);

    println!("\n== 4. osd.2 is marked down while running: it sends nothing ==");
    c.publish(|i| {
        i.mark_down(2);
    })
    .expect("map");
    if let Some(osd2) = c.osds.get_mut(&OsdId(2)) {
        osd2.drain_drops();
        osd2.ms_dispatch(Peer::Osd(OsdId(0)), 1, query(osd2.epoch()));
        osd2.process_peering_events();
        let held: Vec<DropReason> = osd2
            .drain_drops()
            .into_iter()
            .filter(|d| matches!(d, DropReason::NotUp { .. }))
            .collect();
        println!("osd.2 is {:?}; dispatch_context: {held:?}", osd2.state());
    }
    c.run(1000);
    println!(
        "after its MOSDBoot is granted: osd.2 is {:?}, up since epoch {}",
        c.osd(2).map(|o| o.state()),
        c.osd(2).map_or(0, |o| o.up_epoch())
    );

    println!("\n== 5. up_thru and pg_temp requests and their grants ==");
    let pgid = PgId::new(POOL, 1);
    if let Some(osd0) = c.osds.get_mut(&OsdId(0)) {
        osd0.queue_want_pg_temp(pgid, [OsdId(1), OsdId(0)].into_iter().collect());
        osd0.send_pg_temp();
    }
    c.run(1000);
    let alive = c
        .mon_log
        .iter()
        .filter(|(_, m)| matches!(m, MonMessage::Alive(_)))
        .count();
    let temps = c
        .mon_log
        .iter()
        .filter(|(_, m)| matches!(m, MonMessage::PgTemp(_)))
        .count();
    println!(
        "monitor received {alive} MOSDAlive and {temps} MOSDPGTemp (the grant, then the primary asking to drop it); pg_temp of {pgid} is now {:?}; up_thru of osd.0 is {}",
        c.mon_map.pg_temp().get(&pgid),
        c.mon_map.up_thru(OsdId(0))
    );

    print_states(&c);
    let active = c
        .osds
        .values()
        .flat_map(|o| o.pgs())
        .filter(|(_, pg)| pg.state_name().contains("Active"))
        .count();
    let total = c.osds.values().map(|o| o.pgs().count()).sum::<usize>();
    println!(
        "\nsummary: 3 OSDs, epoch {}, {active}/{total} PG instances active, {} frames delivered, {alive} up_thru and {temps} pg_temp requests",
        c.mon_map.epoch(),
        c.frames
    );
}
