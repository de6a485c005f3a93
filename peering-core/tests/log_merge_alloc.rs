//! B2 (DESIGN.md §7) without timing: merging a log with `d` divergent entries
//! costs a bounded number of allocations per entry, the same for every `d`
//! (linear work, no copy of the whole log or missing set per call). Counted
//! with an instrumented global allocator local to this test binary (one test,
//! so no other thread counts).

use std::alloc::System;

use peering_core::log::{LogEffects, LogEntry, LogOp, Missing, PgLog, PgLogT};
use peering_core::types::{EVersion, ObjectId, PgId, PgInfo, PgShard, SpgId};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// `d` writes to `d` objects, versions `base+1 ..= base+d` in `epoch`.
fn writes(epoch: u32, base: u64, d: u64, tag: &str) -> Vec<LogEntry> {
    (1..=d)
        .map(|i| {
            let oid = ObjectId::new(1, i as u32, format!("{tag}{i}"));
            LogEntry::new(
                LogOp::Modify,
                oid,
                EVersion::new(epoch, base + i),
                EVersion::ZERO,
            )
        })
        .collect()
}

fn info(head: EVersion) -> PgInfo {
    let mut info = PgInfo::new(SpgId::replicated(PgId::new(1, 0)));
    info.last_update = head;
    info.last_complete = head;
    info
}

/// The B2 case: 10 shared entries, then `d` divergent ones here (epoch 2) and
/// `d` others in the authoritative log (epoch 3). Returns the allocations
/// `merge_log` made, after checking what it did.
fn merge_allocations(d: u64) -> usize {
    let common = writes(1, 0, 10, "common");
    let mut ours = common.clone();
    ours.extend(writes(2, 10, d, "div"));
    let mut auth = common;
    auth.extend(writes(3, 10, d, "auth"));
    let head = |e: &[LogEntry]| e.last().map_or(EVersion::ZERO, |e| e.version);
    let (our_head, auth_head) = (head(&ours), head(&auth));
    let ours = PgLogT {
        entries: ours,
        ..PgLogT::new(EVersion::ZERO, our_head)
    };
    let auth = PgLogT {
        entries: auth,
        ..PgLogT::new(EVersion::ZERO, auth_head)
    };
    let mut pg = PgLog::from_parts(ours, Missing::new(true)).unwrap();
    let (mut our_info, mut auth_info) = (info(our_head), info(auth_head));
    let mut effects = LogEffects::new();

    let region = Region::new(GLOBAL);
    let dirty = pg
        .merge_log(
            &mut auth_info,
            auth,
            PgShard::replica(1),
            &mut our_info,
            &mut effects,
        )
        .unwrap();
    let n = region.change().allocations;

    assert!(dirty);
    assert_eq!(pg.log().head(), auth_head);
    assert_eq!(pg.missing().num_missing(), d as usize);
    assert_eq!(effects.removed().count(), d as usize);
    n
}

#[test]
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
