//! Bounded work for any map (DESIGN.md §4 "Bounded"): an `AdvMap` raising a
//! pool's `pg_num` to the largest the core accepts ([`MAX_POOL_PG_NUM`], Ceph's
//! `mon_max_pool_pg_num`) does the same, constant, work as one raising it to 2,
//! and a larger pool is refused with the PG unchanged. Work is counted, not
//! timed: split steps through the `meter` counters, heap allocations through an
//! instrumented allocator. One test in this binary, so nothing else counts
//! concurrently.

mod machine_support;

use peering_core::BadInput;
use std::alloc::System;

use machine_support::{Cluster, POOL, clean_with_stray, mapping};
use peering_core::PeeringError;
use peering_core::ctx::RecoveryCtx;
use peering_core::machine::{Pg, PgCreate};
use peering_core::map::{MAX_POOL_PG_NUM, SimpleOsdMap};
use peering_core::meter::{self, Counter};
use peering_core::types::{PgShard, SpgId};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Split questions one `AdvMap` may ask (`is_new_interval`'s split and merge
/// predicates, `start_peering_interval`'s `last_epoch_split`), each a single
/// step whatever the counts.
const SPLIT_STEPS_PER_ADVMAP: usize = 8;

/// The next map with the pool's `pg_num` (and pending count) at `pg_num`.
fn with_pg_num(c: &Cluster, pg_num: u32) -> SimpleOsdMap {
    let mut m = c.map().next();
    let pool = m.pools.get_mut(&POOL).unwrap();
    pool.pg_num = pg_num;
    pool.pg_num_pending = pg_num;
    m
}

/// `AdvMap` of the clean primary to `map`: the result, the PG after it, the
/// split steps and the allocations it took.
fn advance(c: &Cluster, map: &SimpleOsdMap) -> (Result<(), PeeringError>, Pg, usize, usize) {
    let mut pg = c.pg(0).clone();
    let mut ctx = RecoveryCtx::new();
    meter::reset();
    let region = Region::new(GLOBAL);
    let r = pg.advance_map(map, c.map(), mapping(&[0, 1, 2]), &mut ctx);
    let allocations = region.change().allocations;
    (r, pg, meter::count(Counter::SplitStep), allocations)
}

fn advmap_to_the_largest_pg_num_is_bounded_and_a_larger_one_is_refused() {
    let c = clean_with_stray();
    let epoch = c.epoch() + 1;

    // 1 -> 2 and 1 -> 65,536: both split PG 0 (a new interval, last_epoch_split
    // recorded), with the same work.
    let (r, small, small_steps, small_allocs) = advance(&c, &with_pg_num(&c, 2));
    r.unwrap();
    let (r, large, large_steps, large_allocs) = advance(&c, &with_pg_num(&c, MAX_POOL_PG_NUM));
    r.unwrap();
    for pg in [&small, &large] {
        assert_eq!(pg.history().last_epoch_split, epoch);
        assert_eq!(pg.history().same_interval_since, epoch);
    }
    assert!(
        large_steps <= SPLIT_STEPS_PER_ADVMAP,
        "{large_steps} split steps for pg_num {MAX_POOL_PG_NUM}"
    );
    assert_eq!(large_steps, small_steps);
    assert_eq!(large_allocs, small_allocs);

    // The split itself: one step per child and one for the question.
    let map = with_pg_num(&c, MAX_POOL_PG_NUM);
    let mut pg = large;
    let mut ctx = RecoveryCtx::new();
    meter::reset();
    let seeds = pg.split(1, &map, &mut ctx).unwrap();
    let children = (MAX_POOL_PG_NUM - 1) as usize;
    assert_eq!(seeds.len(), children);
    assert_eq!(meter::count(Counter::SplitStep), children + 1);
    drop(seeds);

    // One PG more than Ceph's monitor allows: refused, the PG unchanged.
    let too_many = MAX_POOL_PG_NUM + 1;
    let refused = PeeringError::BadInput(BadInput::PgNumTooLarge {
        pool: POOL,
        pg_num: too_many,
        max: MAX_POOL_PG_NUM,
    });
    let (r, pg, steps, _) = advance(&c, &with_pg_num(&c, too_many));
    assert_eq!(r, Err(refused.clone()));
    assert_eq!(&pg, c.pg(0));
    assert_eq!(steps, 0);
    // The same for a pending merge target past the limit, and for 2^31.
    let mut pending = with_pg_num(&c, 2);
    pending.pools.get_mut(&POOL).unwrap().pg_num_pending = u32::MAX;
    let (r, pg, _, _) = advance(&c, &pending);
    assert!(matches!(
        r,
        Err(PeeringError::BadInput(BadInput::PgNumTooLarge {
            pg_num: u32::MAX,
            ..
        }))
    ));
    assert_eq!(&pg, c.pg(0));
    let (r, pg, _, _) = advance(&c, &with_pg_num(&c, 1 << 31));
    assert!(matches!(
        r,
        Err(PeeringError::BadInput(BadInput::PgNumTooLarge { .. }))
    ));
    assert_eq!(&pg, c.pg(0));

    // A PG cannot be created in such a pool either.
    let map = with_pg_num(&c, too_many);
    let created = Pg::create(
        PgCreate {
            whoami: PgShard::replica(0),
            pgid: SpgId::replicated(peering_core::types::PgId::new(POOL, 0)),
            mapping: mapping(&[0, 1, 2]),
            history: c.pg(0).history().clone(),
            past_intervals: Default::default(),
            config: Default::default(),
        },
        &map,
        &mut RecoveryCtx::new(),
    );
    assert_eq!(created.err(), Some(refused));
}

/// This binary runs without libtest (`harness = false` in the manifest): its only
/// thread is this one, so the process-wide counters count the code under test and
/// nothing else, however loaded the machine is.
fn main() {
    advmap_to_the_largest_pg_num_is_bounded_and_a_larger_one_is_refused();
    println!("test advmap_to_the_largest_pg_num_is_bounded_and_a_larger_one_is_refused ... ok");
    println!("1 passed, 0 failed");
}
