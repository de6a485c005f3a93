//! "Cheap when nothing changes" (DESIGN.md §4, B3): `AdvMap` + `ActMap` for an epoch
//! that starts no new interval performs zero heap allocations, on an Active+Clean
//! primary and on its replicas. One test in this binary, so nothing else allocates
//! concurrently.

mod machine_support;

use std::alloc::System;

use machine_support::Cluster;
use peering_core::ctx::RecoveryCtx;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn quiet_epochs_allocate_nothing() {
    let mut c = Cluster::new(&[0, 1, 2, 3], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Active/Clean");
    assert_eq!(
        c.pg(1).state_name(),
        "Started/ReplicaActive/RepNotRecovering"
    );

    // Quiet epochs: an unrelated OSD's up_thru moves; the PG's mapping does not.
    let base = c.map().clone();
    let mut maps = vec![base.clone()];
    for i in 0..8u32 {
        let mut m = maps.last().unwrap().next();
        m.set_up_thru(3, 10 + i);
        maps.push(m);
    }
    let mapping = machine_support::mapping(&[0, 1, 2]);

    for osd in [0, 1] {
        let mut pg = c.pg(osd).clone();
        let mut ctx = RecoveryCtx::new();
        // One warm-up epoch fills the context's vectors once; draining keeps their
        // capacity, as a host reusing its context would.
        pg.advance_map(&maps[1], &maps[0], mapping.clone(), &mut ctx)
            .unwrap();
        pg.activate_map(&maps[1], &mut ctx).unwrap();
        ctx.clear();
        let mut mappings: Vec<_> = (0..7).map(|_| mapping.clone()).collect();

        let region = Region::new(GLOBAL);
        for i in 1..8 {
            let m = mappings.pop().unwrap();
            pg.advance_map(&maps[i + 1], &maps[i], m, &mut ctx).unwrap();
            pg.activate_map(&maps[i + 1], &mut ctx).unwrap();
            ctx.clear();
        }
        let stats = region.change();
        assert_eq!(
            stats.allocations,
            0,
            "osd.{osd} in {}: {stats:?}",
            pg.state_name()
        );
        assert_eq!(pg.epoch(), maps[8].epoch);

        // The counter does count: an epoch that starts a new interval allocates.
        let mut m9 = maps[8].next();
        m9.mark_down(2);
        let region = Region::new(GLOBAL);
        pg.advance_map(&m9, &maps[8], machine_support::mapping(&[0, 1]), &mut ctx)
            .unwrap();
        pg.activate_map(&m9, &mut ctx).unwrap();
        assert!(region.change().allocations > 0);
    }
}

/// This binary runs without libtest (`harness = false` in the manifest): its only
/// thread is this one, so the process-wide allocation counter counts the code
/// under test and nothing else, however loaded the machine is.
fn main() {
    quiet_epochs_allocate_nothing();
    println!("test quiet_epochs_allocate_nothing ... ok");
    println!("1 passed, 0 failed");
}
