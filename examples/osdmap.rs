//! # The OSD map, step by step
//!
//! Run with `cargo run --example osdmap`.
//!
//! Ceph decides where a placement group (PG) lives in two stages. CRUSH turns a PG
//! into an ordered list of OSDs using only the cluster's layout and weights; the
//! OSD map then adjusts that list with what it knows about the moment: which OSDs
//! are down, explicit remaps (upmap), and temporary overrides (pg_temp) that keep a
//! PG served from OSDs that already hold its data while it backfills elsewhere.
//!
//! This example builds a small cluster (4 hosts × 6 OSDs), places a 1024-PG pool,
//! marks one OSD out and measures how much data moves, then sets a pg_temp.

use peering::core::map::PoolFlags;
use std::collections::{BTreeMap, BTreeSet};

use peering::core::map::{OsdMapView, PoolInfo};
use peering::core::types::{OsdId, PgId};
use peering::osd::crush::{CrushBuilder, CrushMap};
use peering::osd::osdmap::{CrushHandle, Incremental, OsdMap};

const HOSTS: i32 = 4;
const OSDS_PER_HOST: i32 = 6;
const PG_NUM: u32 = 1024;
const POOL: i64 = 1;

/// The CRUSH map: a root with four hosts of six OSDs each, and Ceph's default
/// replicated rule, which puts each replica under a different host.
fn build_crush() -> (CrushMap, i32) {
    let mut b = CrushBuilder::with_default_types();
    let mut hosts = Vec::new();
    for h in 0..HOSTS {
        let mut names = Vec::new();
        for i in 0..OSDS_PER_HOST {
            let id = h * OSDS_PER_HOST + i;
            let name = format!("osd.{id}");
            b.add_device(id, &name, None).expect("device");
            names.push(name);
        }
        let items: Vec<(&str, Option<u32>)> = names.iter().map(|n| (n.as_str(), None)).collect();
        let host = format!("host{h}");
        b.add_bucket(&host, "host", &items).expect("host bucket");
        hosts.push(host);
    }
    let items: Vec<(&str, Option<u32>)> = hosts.iter().map(|n| (n.as_str(), None)).collect();
    b.add_bucket("default", "root", &items)
        .expect("root bucket");
    let rule = b
        .add_replicated_rule("replicated_rule", "default", "host", None)
        .expect("rule");
    (b.build().expect("crush map"), rule)
}

/// Every PG's up set in pool 1.
fn up_sets(map: &OsdMap) -> BTreeMap<u32, Vec<OsdId>> {
    (0..PG_NUM)
        .map(|seed| {
            let placement = map.pg_to_up_acting_osds(PgId::new(POOL, seed));
            (seed, placement.up.to_vec())
        })
        .collect()
}

fn main() {
    println!("== 1. A cluster of {HOSTS} hosts x {OSDS_PER_HOST} OSDs ==");
    let (crush, rule) = build_crush();
    for osd in [0, 7, 23] {
        let host = crush.parent_of_type(osd, "host").expect("host");
        println!(
            "osd.{osd} sits under {} in the CRUSH hierarchy",
            crush.item_name(host).unwrap_or("?")
        );
    }

    let mut pool = PoolInfo::replicated(POOL, 3, PG_NUM);
    pool.crush_rule = rule;
    // HASHPSPOOL mixes the pool id into CRUSH's input, so two pools do not place
    // their PGs identically; every modern pool has it.
    pool.flags |= PoolFlags::HASHPSPOOL;
    let num_osds = HOSTS * OSDS_PER_HOST;
    let mut map =
        OsdMap::build_simple(num_osds, [pool], Some(CrushHandle::new(crush))).expect("map");
    println!(
        "epoch {}: {} OSDs up and in, pool {POOL} has size 3 and {PG_NUM} PGs",
        map.epoch(),
        map.num_up_osds()
    );

    println!("\n== 2. Where a few PGs live ==");
    println!("'up' is what CRUSH (plus upmap and down OSDs) says; 'acting' is who");
    println!("actually serves the PG. With no overrides they are the same, and the");
    println!("first OSD is the primary.");
    for seed in [0, 1, 2, 0x1ff, 0x3ff] {
        let pg = PgId::new(POOL, seed);
        let p = map.pg_to_up_acting_osds(pg);
        let hosts: Vec<String> =
            p.up.iter()
                .map(|o| format!("host{}", o.0 / OSDS_PER_HOST))
                .collect();
        println!(
            "pg {pg}: up {:?} (primary {}), acting {:?} (primary {}), on {}",
            p.up.as_slice(),
            p.up_primary,
            p.acting.as_slice(),
            p.acting_primary,
            hosts.join(", ")
        );
    }

    println!("\n== 3. How evenly the PGs spread ==");
    let before = up_sets(&map);
    let mut per_osd: BTreeMap<i32, usize> = (0..num_osds).map(|o| (o, 0)).collect();
    for up in before.values() {
        for o in up {
            *per_osd.entry(o.0).or_default() += 1;
        }
    }
    for h in 0..HOSTS {
        let counts: Vec<String> = (0..OSDS_PER_HOST)
            .map(|i| {
                let o = h * OSDS_PER_HOST + i;
                format!("osd.{o}={}", per_osd[&o])
            })
            .collect();
        println!("host{h}: {}", counts.join(" "));
    }
    let max = *per_osd.values().max().expect("osds") as f64;
    let min = *per_osd.values().min().expect("osds") as f64;
    let spread = max / min;
    println!(
        "3 x {PG_NUM} = {} placements over {num_osds} OSDs: {:.1} each on average; max/min = {spread:.2}",
        3 * PG_NUM,
        f64::from(3 * PG_NUM) / f64::from(num_osds)
    );

    println!("\n== 4. Marking one OSD out ==");
    let victim = 5;
    let mut inc = Incremental::new(map.epoch() + 1);
    inc.mark_out(victim);
    map.apply_incremental(&inc).expect("mark out");
    println!(
        "epoch {}: osd.{victim} is out (weight 0) but still up",
        map.epoch()
    );
    let after = up_sets(&map);
    let total = 3 * PG_NUM as usize;
    let mut moved = 0;
    for (seed, old) in &before {
        let new: BTreeSet<OsdId> = after[seed].iter().copied().collect();
        moved += old.iter().filter(|o| !new.contains(o)).count();
    }
    let ideal_count = per_osd[&victim];
    let moved_frac = moved as f64 / total as f64;
    let ideal_frac = ideal_count as f64 / total as f64;
    println!(
        "{moved} of {total} PG->OSD placements moved; the unavoidable minimum is the {ideal_count} \
         that were on osd.{victim}"
    );
    println!(
        "CRUSH (straw2) moves little beyond that: moved {moved_frac:.4} vs ideal {ideal_frac:.4}"
    );
    assert!(
        after.values().all(|up| !up.contains(&OsdId(victim))),
        "an out OSD receives no PGs"
    );

    println!("\n== 5. A pg_temp changes acting, not up ==");
    // Take a PG that lost osd.{victim}: its new up set names an OSD that does not
    // have the PG's data yet. Ceph's answer is a pg_temp: the monitor pins the
    // acting set to the old OSDs (osd.{victim} is out but still up, so it can
    // serve) while the newcomer backfills; then the pg_temp is removed.
    let (&seed, old_up) = before
        .iter()
        .find(|(_, up)| up.contains(&OsdId(victim)))
        .expect("some PG used the victim");
    let pg = PgId::new(POOL, seed);
    let p = map.pg_to_up_acting_osds(pg);
    let temp: Vec<i32> = old_up.iter().map(|o| o.0).collect();
    let mut inc = Incremental::new(map.epoch() + 1);
    inc.set_pg_temp(pg, &temp);
    map.apply_incremental(&inc).expect("pg_temp");
    let q = map.pg_to_up_acting_osds(pg);
    println!(
        "pg {pg} without pg_temp: up {:?} acting {:?} (primary {})",
        p.up.as_slice(),
        p.acting.as_slice(),
        p.acting_primary
    );
    println!(
        "pg {pg} with pg_temp {temp:?}: up {:?} acting {:?} (primary {})",
        q.up.as_slice(),
        q.acting.as_slice(),
        q.acting_primary
    );
    println!("up is still CRUSH's answer; acting is the pg_temp, led by its first OSD.");
    assert_eq!(p.up, q.up);
    assert_ne!(p.acting, q.acting);
    assert_eq!(q.acting.to_vec(), *old_up);

    println!(
        "final: pgs={PG_NUM} osds={num_osds} spread={spread:.2} moved={moved_frac:.4} ideal={ideal_frac:.4}"
    );
}
