//! B2 (DESIGN.md §7) without timing: merging a log with `d` divergent entries
//! costs a bounded number of allocations per entry, the same for every `d`
//! (linear work, no copy of the whole log or missing set per call). Counted
//! with an instrumented global allocator local to this test binary, which runs
//! without libtest (its one thread is the code under test).

mod log_common;

use std::alloc::System;

use log_common::{b2_logs, info_at};
use peering_core::log::{LogEffects, Missing, PgLog};
use peering_core::types::PgShard;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// `merge_log` of the B2 logs: the allocations it made, after checking what
/// it did.
fn merge_allocations(d: u64) -> usize {
    // 10 shared entries, then d of each side, each on its own object.
    let (ours, auth) = b2_logs(10, d, |i| i as u32);
    let (our_head, auth_head) = (ours.head, auth.head);
    let mut pg = PgLog::from_parts(ours, Missing::new(true)).unwrap();
    let (mut our_info, mut auth_info) = (info_at(our_head), info_at(auth_head));
    let mut effects = LogEffects::new();

    let peer = PgShard::replica(1);
    let region = Region::new(GLOBAL);
    let merged = pg.merge_log(&mut auth_info, auth, peer, &mut our_info, &mut effects);
    let n = region.change().allocations;

    assert_eq!(merged, Ok(true));
    assert_eq!(pg.log().head(), auth_head);
    assert_eq!(pg.missing().num_missing(), d as usize);
    assert_eq!(effects.removed().count(), d as usize);
    n
}

fn merge_log_allocations_are_linear_in_divergent_entries() {
    let small = merge_allocations(100);
    let large = merge_allocations(1000);
    // Per entry: the missing item's two keys, the removal effect's object and
    // a share of tree nodes; no copy of the whole log or missing set.
    let per_entry = (large - small) as f64 / 900.0;
    assert!(
        per_entry <= 4.0,
        "{per_entry} allocations per divergent entry"
    );
    assert!(small <= 4 * 100 + 100, "{small} allocations for d = 100");
}

/// This binary runs without libtest (`harness = false` in the manifest): its only
/// thread is this one, so the process-wide allocation counter counts the code
/// under test and nothing else, however loaded the machine is.
fn main() {
    merge_log_allocations_are_linear_in_divergent_entries();
    println!("test merge_log_allocations_are_linear_in_divergent_entries ... ok");
    println!("1 passed, 0 failed");
}
