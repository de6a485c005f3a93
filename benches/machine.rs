//! B1 and B3 (DESIGN.md §7) for the peering state machine.
//!
//! * **B1**: one size-3 PG, its three instances in one process, from `Initial` to
//!   Active+Clean: creation, INFO queries and notifies, up_thru, activation, acks,
//!   clean. A minimal in-bench router delivers every message (no transcript, no
//!   store: the core's own cost). Reports the time per run; the external events
//!   (calls into a `Pg`: creations, map advances, delivered messages and host
//!   events) and the heap allocations of one run are printed once, in all and those
//!   made inside calls into a `Pg` (the core's own; the rest are the router's).
//! * **B3**: the steady state: `AdvMap` + `ActMap` for an epoch that starts no new
//!   interval, on one hot Active+Clean primary. Reports events per second; the
//!   allocations of 10 000 quiet epochs are printed once (the target is 0).
//!
//! Allocations are counted with `stats_alloc` wrapping the system allocator; it
//! counts, it does not time (DESIGN.md §4).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::alloc::System;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use peering::core::ctx::RecoveryCtx;
use peering::core::intervals::UpActing;
use peering::core::machine::{Pg, StateId};
use peering::core::map::{MapFlags, OsdMapView, PoolInfo, SimpleOsdMap};
use peering::core::types::{Epoch, OsdId, PoolId};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

// The same driver `peering-core/tests/machine_memory.rs` bounds the allocations of.
#[path = "../peering-core/tests/b1_support/mod.rs"]
mod b1_support;

use b1_support::{b1_run, mapping, maps};

fn b1(c: &mut Criterion) {
    let (m1, m2) = maps();
    let region = Region::new(GLOBAL);
    let t = b1_run(&m1, &m2, None).expect("B1 run");
    let allocs = region.change();
    let core = b1_run(&m1, &m2, Some(GLOBAL)).expect("B1 run").core_allocs;
    assert_eq!(t.pgs[0].state_id(), StateId::Clean);
    assert_eq!(t.pgs[1].state_id(), StateId::RepNotRecovering);
    assert_eq!(t.pgs[2].state_id(), StateId::RepNotRecovering);
    println!(
        "B1: Initial -> Active+Clean: {} external events, {} allocations ({} bytes), \
         {} of them inside Pg calls (the rest: the bench's router)",
        t.external, allocs.allocations, allocs.bytes_allocated, core
    );
    c.bench_function("B1 size-3 PG, Initial -> Active+Clean", |b| {
        b.iter(|| black_box(b1_run(black_box(&m1), black_box(&m2), None)))
    });
}

/// A map view that is `base` at any epoch: the quiet epochs of B3 without
/// building a map per epoch (nothing the PG reads changes between them).
struct AtEpoch<'a> {
    base: &'a SimpleOsdMap,
    epoch: Epoch,
}

impl OsdMapView for AtEpoch<'_> {
    fn epoch(&self) -> Epoch {
        self.epoch
    }
    fn max_osd(&self) -> i32 {
        self.base.max_osd()
    }
    fn exists(&self, osd: OsdId) -> bool {
        self.base.exists(osd)
    }
    fn is_up(&self, osd: OsdId) -> bool {
        self.base.is_up(osd)
    }
    fn up_from(&self, osd: OsdId) -> Epoch {
        self.base.up_from(osd)
    }
    fn up_thru(&self, osd: OsdId) -> Epoch {
        self.base.up_thru(osd)
    }
    fn down_at(&self, osd: OsdId) -> Epoch {
        self.base.down_at(osd)
    }
    fn lost_at(&self, osd: OsdId) -> Epoch {
        self.base.lost_at(osd)
    }
    fn dead_epoch(&self, osd: OsdId) -> Epoch {
        self.base.dead_epoch(osd)
    }
    fn flags(&self) -> MapFlags {
        self.base.flags()
    }
    fn pool(&self, pool: PoolId) -> Option<PoolInfo> {
        self.base.pool(pool)
    }
    fn parent_of_type(&self, osd: OsdId, bucket_type: u32, crush_rule: i32) -> Option<i32> {
        self.base.parent_of_type(osd, bucket_type, crush_rule)
    }
}

/// One quiet epoch on `pg`: `AdvMap` then `ActMap`.
fn quiet_epoch(pg: &mut Pg, base: &SimpleOsdMap, m: &UpActing, ctx: &mut RecoveryCtx) {
    let e = pg.epoch();
    let last = AtEpoch { base, epoch: e };
    let next = AtEpoch { base, epoch: e + 1 };
    pg.advance_map(&next, &last, m.clone(), ctx)
        .expect("advance");
    pg.activate_map(&next, ctx).expect("activate");
    ctx.clear();
}

fn b3(c: &mut Criterion) {
    let (m1, m2) = maps();
    let t = b1_run(&m1, &m2, None).expect("B1 run");
    let mut pg = t.pgs[0].clone();
    let m = mapping();
    let mut ctx = RecoveryCtx::new();
    // Warm-up: the context's vectors reach their capacity once, including the
    // transaction's, which the periodic info write (`pg_epoch_persisted_max_stale`,
    // §8.1) fills every few dozen epochs.
    for _ in 0..1_000 {
        quiet_epoch(&mut pg, &m2, &m, &mut ctx);
    }
    let region = Region::new(GLOBAL);
    for _ in 0..10_000 {
        quiet_epoch(&mut pg, &m2, &m, &mut ctx);
    }
    let allocs = region.change();
    assert_eq!(pg.state_id(), StateId::Clean);
    println!(
        "B3: 10000 quiet epochs (20000 events): {} allocations",
        allocs.allocations
    );
    let mut g = c.benchmark_group("B3 quiet AdvMap+ActMap, hot primary");
    g.throughput(Throughput::Elements(2));
    g.bench_function("one epoch", |b| {
        b.iter(|| quiet_epoch(black_box(&mut pg), &m2, &m, &mut ctx))
    });
    g.finish();
}

criterion_group!(benches, b1, b3);
criterion_main!(benches);
