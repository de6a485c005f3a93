//! "Cheap when nothing changes" (DESIGN.md §4): the per-map interval checks do not
//! allocate when the epoch starts no new interval. Counted with an instrumented
//! global allocator local to this test binary, which runs without libtest (its one
//! thread is the code under test).

mod intervals_support;

use std::alloc::System;

use intervals_support::*;
use peering_core::intervals::*;
use peering_core::types::OsdId;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn allocations(f: impl FnOnce()) -> usize {
    let region = Region::new(GLOBAL);
    f();
    region.change().allocations
}

fn past_intervals_unchanged_epoch_does_not_allocate() {
    let (last, cur) = (base_map(), base_map().next());
    let mapping = base_mapping();
    let any_stretch = |_: &_, _: &[OsdId]| true;
    let mut pi = PastIntervals::new();
    let mut check = |new: &UpActing| {
        check_new_interval(
            (&mapping, new),
            SIS,
            SIS,
            (&cur, &last),
            pgid(0),
            (&RecoverablePredicate::Replicated, &any_stretch),
            &mut pi,
        )
    };
    let mut need = true;
    let n = allocations(|| {
        assert!(!is_new_interval(&mapping, &mapping, &cur, &last, pgid(0)));
        assert!(!should_restart_peering(
            &mapping,
            &mapping,
            &cur,
            &last,
            pgid(0),
            OsdId(OSD)
        ));
        assert_eq!(check(&mapping), Ok(None));
        adjust_need_up_thru(&mut need, &cur, OsdId(OSD), SIS);
    });
    assert_eq!(n, 0);
    // The counter works: a real interval change records (and allocates).
    let mut new = base_mapping();
    new.acting_primary = OsdId(2);
    let n = allocations(|| assert!(check(&new).unwrap().is_some()));
    assert!(n > 0);
}

/// This binary runs without libtest (`harness = false` in the manifest): its only
/// thread is this one, so the process-wide allocation counter counts the code
/// under test and nothing else, however loaded the machine is.
fn main() {
    past_intervals_unchanged_epoch_does_not_allocate();
    println!("test past_intervals_unchanged_epoch_does_not_allocate ... ok");
    println!("1 passed, 0 failed");
}
