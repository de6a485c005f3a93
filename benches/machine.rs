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
use std::collections::VecDeque;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use peering::core::ctx::{HostNotification, MonRequest, OnCommit, RecoveryCtx};
use peering::core::event::{Event, PeeringEvt};
use peering::core::intervals::{PastIntervals, UpActing};
use peering::core::machine::{Config, Pg, PgCreate, StateId};
use peering::core::map::{MapFlags, OsdMapView, PoolInfo, SimpleOsdMap};
use peering::core::types::{Epoch, OsdId, PgHistory, PgId, PgShard, PoolId, SpgId, UTime};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn spg() -> SpgId {
    SpgId::replicated(PgId::new(1, 0))
}

fn mapping() -> UpActing {
    UpActing::new(&[0, 1, 2], 0, &[0, 1, 2], 0)
}

/// Epoch 1 (three OSDs up, a size-3 pool) and epoch 2 (osd.0's up_thru recorded).
fn maps() -> (SimpleOsdMap, SimpleOsdMap) {
    let mut m1 = SimpleOsdMap::new(1).with_pool(PoolInfo::replicated(1, 3, 1));
    for o in 0..3 {
        m1 = m1.with_up_osd(o, 1);
    }
    let mut m2 = m1.next();
    m2.set_up_thru(0, 1);
    (m1, m2)
}

/// Three instances and the messages between them.
struct Trio {
    pgs: Vec<Pg>,
    queue: VecDeque<(usize, PeeringEvt)>,
    ctx: RecoveryCtx,
    /// Calls into a `Pg` from outside (creations, map calls, deliveries).
    external: usize,
    /// Allocations made inside those calls (the core's own, routing excluded);
    /// counted only when `count` is set, so the timed runs do not pay for it.
    core_allocs: usize,
    count: bool,
}

impl Trio {
    /// Runs `f` (a call into a `Pg`), adding its allocations to `core_allocs`.
    fn call<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        if !self.count {
            return f(self);
        }
        let region = Region::new(GLOBAL);
        let out = f(self);
        self.core_allocs += region.change().allocations;
        out
    }

    /// Routes what instance `from` asked for: messages to their targets, commits
    /// at once, `AllReplicasRecovered` for `on_activate_complete` (§8.6).
    fn route(&mut self, from: usize) {
        for (to, msg) in self.ctx.drain_outgoing() {
            for (_, evt) in msg.into_events(OsdId(from as i32)) {
                self.queue.push_back((to.0 as usize, evt));
            }
        }
        let epoch = self.pgs[from].epoch();
        for c in self.ctx.drain_on_commit() {
            match c {
                OnCommit::Event(e) => self.queue.push_back((from, e)),
                // B1 never deletes a PG, and flushes/purges need no answer here.
                OnCommit::CompleteFlush | OnCommit::PurgeStrays | OnCommit::DeleteMore { .. } => {}
            }
        }
        for n in self.ctx.drain_notifications() {
            if let HostNotification::ActivateComplete { .. } = n {
                self.queue
                    .push_back((from, PeeringEvt::new(epoch, Event::AllReplicasRecovered)));
            }
        }
        self.ctx
            .mon
            .retain(|r| !matches!(r, MonRequest::UpThru { .. }));
        self.ctx.clear();
    }

    fn run(&mut self, map: &SimpleOsdMap) {
        while let Some((to, evt)) = self.queue.pop_front() {
            self.external += 1;
            let _ = self.call(|t| t.pgs[to].handle_event(evt, map, &mut t.ctx));
            self.route(to);
        }
    }
}

/// One B1 run: create on three OSDs, peer, grant up_thru with map 2, activate,
/// clean. Returns the instances and the external event count.
fn b1_run(m1: &SimpleOsdMap, m2: &SimpleOsdMap, count: bool) -> Trio {
    let mut t = Trio {
        pgs: Vec::with_capacity(3),
        queue: VecDeque::new(),
        ctx: RecoveryCtx::new(),
        external: 0,
        core_allocs: 0,
        count,
    };
    for o in 0..3 {
        let args = PgCreate {
            whoami: PgShard::replica(o),
            pgid: spg(),
            mapping: mapping(),
            history: PgHistory::new(1, UTime::default()),
            past_intervals: PastIntervals::default(),
            config: Config::default(),
        };
        t.external += 1;
        let pg = t
            .call(|t| Pg::create(args, m1, &mut t.ctx))
            .expect("create");
        t.pgs.push(pg);
        t.route(o as usize);
    }
    t.run(m1);
    for o in 0..3 {
        t.external += 2;
        t.call(|t| {
            let pg = &mut t.pgs[o];
            pg.advance_map(m2, m1, mapping(), &mut t.ctx)
                .expect("advance");
            pg.activate_map(m2, &mut t.ctx).expect("activate");
        });
        t.route(o);
    }
    t.run(m2);
    t
}

fn b1(c: &mut Criterion) {
    let (m1, m2) = maps();
    let region = Region::new(GLOBAL);
    let t = b1_run(&m1, &m2, false);
    let allocs = region.change();
    let core = b1_run(&m1, &m2, true).core_allocs;
    assert_eq!(t.pgs[0].state_id(), StateId::Clean);
    assert_eq!(t.pgs[1].state_id(), StateId::RepNotRecovering);
    assert_eq!(t.pgs[2].state_id(), StateId::RepNotRecovering);
    println!(
        "B1: Initial -> Active+Clean: {} external events, {} allocations ({} bytes), \
         {} of them inside Pg calls (the rest: the bench's router)",
        t.external, allocs.allocations, allocs.bytes_allocated, core
    );
    c.bench_function("B1 size-3 PG, Initial -> Active+Clean", |b| {
        b.iter(|| black_box(b1_run(black_box(&m1), black_box(&m2), false)))
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
    fn flags(&self) -> MapFlags {
        self.base.flags()
    }
    fn pool(&self, pool: PoolId) -> Option<PoolInfo> {
        self.base.pool(pool)
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
    let t = b1_run(&m1, &m2, false);
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
