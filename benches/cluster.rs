//! B5 and B6 (DESIGN.md §7): whole clusters of real `Osd` hosts.
//!
//! * **B5**: 1000 OSDs (one host each, 40 hosts per rack), 100,000 size-3
//!   PGs (two pools of
//!   50,000: one pool may not exceed `mon_max_pool_pg_num`), every OSD
//!   booted on epoch 1: the monitor creates the PGs (`MOSDPGCreate2`), every
//!   primary peers through the wire encoding, the monitor grants up_thru,
//!   until every instance is active+clean. Reports the time, the frames, and
//!   the bytes of heap in use per idle PG instance (everything the run
//!   allocated and kept, divided by the instances: the hosts' slots,
//!   sessions and maps, the `Pg`s, and the `MemStore` standing in for the
//!   disks), plus `size_of::<Pg>()`.
//! * **B6**: from B5's clean cluster, one OSD goes down, then the map that
//!   grants the new primaries their up_thru, until quiet. Reports the time
//!   per cluster-wide epoch and how many PGs started a new interval (only
//!   those the OSD served should).
//!
//! `PEERING_BENCH_SCALE=N` divides both sizes by N (a quick look on a small
//! machine); `PEERING_BENCH_ONCE=1` prints the one measured run of each and
//! skips criterion's repetitions (at full scale a run takes tens of seconds). The cluster is `peering_core_std::osd::local::LocalCluster`: the
//! in-process network the harness and the OSD tests use, with a monitor that
//! grants every request when the cluster is quiet.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::alloc::System;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use peering::core::machine::{Pg, StateId};
use peering::core::map::{OsdMapView, PoolFlags, PoolInfo};
use peering::core::types::PgState;
use peering::osd::crush::{CrushBuilder, CrushMap};
use peering::osd::osd::OsdConfig;
use peering::osd::osd::local::LocalCluster;
use peering::osd::osdmap::{CrushHandle, OsdMap};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// OSDs and PGs per pool at full scale.
const OSDS: i32 = 1000;
const PGS_PER_POOL: u32 = 50_000;
const POOLS: [i64; 2] = [1, 2];

/// Only the printed run of each benchmark, no criterion repetitions.
fn once() -> bool {
    std::env::var("PEERING_BENCH_ONCE").is_ok_and(|v| v == "1")
}

fn scale() -> (i32, u32) {
    let n = std::env::var("PEERING_BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1);
    (
        (OSDS / i32::try_from(n).unwrap_or(1)).max(3),
        (PGS_PER_POOL / n).max(1),
    )
}

/// Hosts per rack: a flat root of 1000 hosts would make every mapping
/// draw 1000 straw2 straws; real clusters group hosts into racks.
const HOSTS_PER_RACK: i32 = 40;

/// `osds` OSDs, one per host, hosts in racks of [`HOSTS_PER_RACK`] under
/// one root; the replicated rule chooses leaves across hosts.
fn racked_crush(osds: i32) -> CrushMap {
    let mut b = CrushBuilder::with_default_types();
    let mut racks = Vec::new();
    let mut rack_hosts: Vec<String> = Vec::new();
    for o in 0..osds {
        let osd = format!("osd.{o}");
        b.add_device(o, &osd, None).expect("device");
        let host = format!("host{o}");
        b.add_bucket(&host, "host", &[(osd.as_str(), None)])
            .expect("host");
        rack_hosts.push(host);
        if rack_hosts.len() == HOSTS_PER_RACK as usize || o == osds - 1 {
            let rack = format!("rack{}", racks.len());
            let items: Vec<(&str, Option<u32>)> =
                rack_hosts.iter().map(|h| (h.as_str(), None)).collect();
            b.add_bucket(&rack, "rack", &items).expect("rack");
            racks.push(rack);
            rack_hosts.clear();
        }
    }
    let items: Vec<(&str, Option<u32>)> = racks.iter().map(|r| (r.as_str(), None)).collect();
    b.add_bucket("default", "root", &items).expect("root");
    b.add_replicated_rule("replicated_rule", "default", "host", None)
        .expect("rule");
    b.build().expect("crush map")
}

/// Epoch 1: `osds` OSDs up and in, one per host, and the two size-3 pools.
fn map(osds: i32, pg_num: u32) -> OsdMap {
    let crush = racked_crush(osds);
    let pools = POOLS.map(|id| {
        let mut p = PoolInfo::replicated(id, 3, pg_num);
        p.flags |= PoolFlags::HASHPSPOOL;
        p
    });
    OsdMap::build_simple(osds, pools, Some(CrushHandle::new(crush))).expect("map")
}

/// The booted cluster before the PGs are created.
fn booted(osds: i32, pg_num: u32) -> LocalCluster {
    let ids: Vec<i32> = (0..osds).collect();
    let mut c = LocalCluster::new(map(osds, pg_num), &ids, OsdConfig::new);
    c.run(usize::MAX);
    c
}

/// Creates every PG and runs until quiet: B5's work.
fn create_all(c: &mut LocalCluster) {
    for pool in POOLS {
        c.create_pgs(pool);
    }
    c.run(usize::MAX);
}

/// Every instance of every OSD, and whether all are active+clean primaries
/// or active replicas.
fn census(c: &LocalCluster) -> (usize, bool) {
    let mut n = 0;
    let mut clean = true;
    for o in c.osds.values() {
        for (_, pg) in o.pgs() {
            n += 1;
            let ok = match pg.state_id() {
                StateId::Clean => pg.state_bits().contains(PgState::ACTIVE | PgState::CLEAN),
                StateId::RepNotRecovering => true,
                _ => false,
            };
            clean &= ok;
        }
    }
    (n, clean)
}

/// PG instances whose interval started after `epoch`.
fn repeered(c: &LocalCluster, epoch: u32) -> usize {
    c.osds
        .values()
        .flat_map(|o| o.pgs())
        .filter(|(_, pg)| pg.history().same_interval_since > epoch)
        .count()
}

fn b5(crit: &mut Criterion) {
    let (osds, pg_num) = scale();
    let pgs = pg_num as usize * POOLS.len();
    // One measured run, with its counts.
    let mut c = booted(osds, pg_num);
    let frames = c.frames;
    let region = Region::new(GLOBAL);
    let t = Instant::now();
    create_all(&mut c);
    let elapsed = t.elapsed();
    let stats = region.change();
    let (instances, clean) = census(&c);
    assert!(clean, "B5: not every PG instance is active+clean");
    assert_eq!(instances, pgs * 3);
    let live = stats
        .bytes_allocated
        .saturating_sub(stats.bytes_deallocated);
    println!(
        "B5: {osds} OSDs, {pgs} PGs x 3: create -> all active+clean in {:.3} s \
         ({:.2} us per PG), {} frames, {} bytes of heap in use per PG instance \
         (the OSD hosts and their in-memory store included), size_of::<Pg>() = {} B, epoch {}",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / pgs as f64,
        c.frames - frames,
        live / instances.max(1),
        std::mem::size_of::<Pg>(),
        c.mon_map.epoch(),
    );
    drop(c);
    if once() {
        return;
    }
    let mut g = crit.benchmark_group("B5");
    g.sample_size(10).measurement_time(Duration::from_secs(1));
    g.bench_function(
        format!("{osds} OSDs, {pgs} PGs x 3, create -> clean"),
        |b| {
            b.iter_batched(
                || booted(osds, pg_num),
                |mut c| {
                    create_all(&mut c);
                    black_box(c)
                },
                BatchSize::PerIteration,
            )
        },
    );
    g.finish();
}

/// osd.0 goes down; the cluster runs until quiet (the new primaries' up_thru
/// granted in the next map). Returns the epochs published. Its process is
/// gone, so the map records it down and dead (Ceph's `force_failure`): the
/// new primaries do not wait for its read leases.
fn one_down(c: &mut LocalCluster) -> u32 {
    let before = c.mon_map.epoch();
    c.publish(|inc| {
        inc.mark_down_dead(0);
    })
    .expect("map");
    c.stop(0);
    c.run(usize::MAX);
    c.mon_map.epoch() - before
}

fn b6(crit: &mut Criterion) {
    let (osds, pg_num) = scale();
    let pgs = pg_num as usize * POOLS.len();
    let clean_cluster = || {
        let mut c = booted(osds, pg_num);
        create_all(&mut c);
        c
    };
    let mut c = clean_cluster();
    let start = c.mon_map.epoch();
    let served = c.osd(0).map_or(0, |o| o.pgs().count());
    let t = Instant::now();
    let epochs = one_down(&mut c);
    let elapsed = t.elapsed();
    let moved = repeered(&c, start);
    println!(
        "B6: osd.0 of {osds} down, {pgs} PGs: quiet after {epochs} epochs in {:.3} s \
         ({:.2} ms per epoch); {moved} PG instances started a new interval, osd.0 served {served} \
         PGs ({} OSD-PG instances in all)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e3 / f64::from(epochs.max(1)),
        pgs * 3,
    );
    // Only the PGs osd.0 served started a new interval: on each, the two
    // members left (osd.0 is down, not out: nothing takes its place).
    assert_eq!(moved, 2 * served, "B6: PGs osd.0 did not serve re-peered");
    drop(c);
    if once() {
        return;
    }
    let mut g = crit.benchmark_group("B6");
    g.sample_size(10).measurement_time(Duration::from_secs(1));
    g.bench_function(
        format!("{osds} OSDs, {pgs} PGs x 3, one OSD down -> quiet"),
        |b| {
            b.iter_batched(
                clean_cluster,
                |mut c| black_box(one_down(&mut c)),
                BatchSize::PerIteration,
            )
        },
    );
    g.finish();
}

criterion_group!(benches, b5, b6);
criterion_main!(benches);
