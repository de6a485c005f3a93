//! Log processing is linear in the entries (DESIGN.md §4 "Bounded"), counted,
//! not timed: object comparisons through the `meter` counters (the unit of work
//! of merging, indexing and missing-set upkeep) and heap allocations through an
//! instrumented allocator, each compared at `n` and `2n` entries. A tree search
//! per entry is allowed (`n log n`); a scan per entry (`n²`, doubling the
//! entries quadruples the work) is not. One test in this binary, so nothing
//! else counts concurrently.
//!
//! The logs come in two shapes: every entry on its own object, and every entry
//! on its own object but all objects sharing one hash (a hash collision, or one
//! object's clones), which used to make the log's object index and
//! `proc_replica_log`'s lookup scan every object of the hash.

mod log_common;
mod machine_support;

use std::alloc::System;

use log_common::{b2_logs, info_at};
use machine_support::{Cluster, deliver_to, pgid};
use peering_core::event::{Event, MLogRec, PgLogMsg};
use peering_core::log::{LogEffects, LogEntry, LogOp, Missing, PgLog, PgLogT};
use peering_core::machine::StateId;
use peering_core::meter::{self, Counter};
use peering_core::types::{EVersion, ObjectId, PgShard};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The work of one call: object comparisons and allocations.
#[derive(Clone, Copy, Debug)]
struct Work {
    compares: usize,
    allocations: usize,
}

/// Counts the work of `f`.
fn counted<T>(f: impl FnOnce() -> T) -> (T, Work) {
    meter::reset();
    let region = Region::new(GLOBAL);
    let out = f();
    let allocations = region.change().allocations;
    let compares = meter::count(Counter::ObjectCompare);
    (
        out,
        Work {
            compares,
            allocations,
        },
    )
}

/// Comparisons an entry may cost per level of a tree search over the entries
/// (`log2` of their number): a handful of searches in the log's indexes, the
/// missing set and a sort. The scans this test guards against cost hundreds
/// (one hash, 20,000 entries: about 700 per level before the fix).
const COMPARES_PER_ENTRY_AND_LEVEL: f64 = 16.0;

/// Doubling the `n` entries at most doubles the allocations and, up to the
/// logarithm of a tree search (`2 log 2n / log n`, about 2.2 here, and a sort's
/// share), the comparisons, where a scan per entry would quadruple them; and
/// the comparisons stay within [`COMPARES_PER_ENTRY_AND_LEVEL`].
fn assert_linear(what: &str, n: usize, at_n: Work, at_2n: Work) {
    let ratio = |a: usize, b: usize| b as f64 / a.max(1) as f64;
    let compares = ratio(at_n.compares, at_2n.compares);
    let allocations = ratio(at_n.allocations, at_2n.allocations);
    assert!(
        compares <= 2.5,
        "{what}: comparisons grew {compares:.2}x from {n} to {} entries ({at_n:?} -> {at_2n:?})",
        2 * n
    );
    assert!(
        allocations <= 2.1,
        "{what}: allocations grew {allocations:.2}x from {n} to {} entries ({at_n:?} -> {at_2n:?})",
        2 * n
    );
    let bound = COMPARES_PER_ENTRY_AND_LEVEL * (2 * n) as f64 * ((2 * n) as f64).log2();
    assert!(
        (at_2n.compares as f64) <= bound,
        "{what}: {} comparisons for {} entries, bound {bound:.0}",
        at_2n.compares,
        2 * n
    );
}

/// Entry `epoch'v` modifying its own object `{tag}{v}`, created by it; the
/// hash is `v`, or 7 for every entry when `collide`.
fn entry(epoch: u32, v: u64, tag: &str, collide: bool) -> LogEntry {
    let hash = if collide { 7 } else { v as u32 };
    LogEntry::new(
        LogOp::Modify,
        ObjectId::new(1, hash, format!("{tag}{v}")),
        EVersion::new(epoch, v),
        EVersion::ZERO,
    )
}

/// The primary's log `(0'0, 1'n]`, one entry per object.
fn primary_log(n: u64, collide: bool) -> PgLogT {
    let head = EVersion::new(1, n);
    PgLogT {
        entries: (1..=n).map(|v| entry(1, v, "o", collide)).collect(),
        ..PgLogT::new(EVersion::ZERO, head)
    }
}

/// The work of a stray (osd.1 before activation, an empty log) receiving the
/// primary's `n`-entry log: the whole log is merged, every object goes missing,
/// and the stray activates as a replica.
fn stray_receives(n: u64, collide: bool) -> Work {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    let mut pg = c.pg(1).clone();
    assert_eq!(pg.state_id(), StateId::Stray);
    let map = c.map().clone();
    let log = primary_log(n, collide);
    let mut info = c.pg(0).info().clone();
    info.last_update = log.head;
    info.last_complete = log.head;
    info.last_epoch_started = 1;
    let evt = Event::MLogRec(MLogRec {
        from: PgShard::replica(0),
        msg: PgLogMsg {
            pgid: pgid(),
            epoch: 1,
            query_epoch: 1,
            info,
            log,
            ..Default::default()
        },
    });
    let (ctx, work) = counted(|| deliver_to(&mut pg, &map, evt).1);
    drop(ctx);
    assert_eq!(pg.state_id(), StateId::RepNotRecovering);
    assert_eq!(pg.info().last_update, EVersion::new(1, n));
    assert_eq!(pg.pg_log().log().entries().len(), n as usize);
    assert_eq!(pg.pg_log().missing().num_missing(), n as usize);
    work
}

/// B2's logs (DESIGN.md §7) with `d` shared entries and `d` on each side.
fn divergent_logs(d: u64, collide: bool) -> (PgLogT, PgLogT) {
    b2_logs(d, d, |i| if collide { 7 } else { i as u32 })
}

/// The work of `merge_log` of the authoritative log into the divergent one:
/// `d` divergent objects reconciled, `d` authoritative entries appended.
fn merge_divergent(d: u64, collide: bool) -> Work {
    let (ours, auth) = divergent_logs(d, collide);
    let (our_head, auth_head) = (ours.head, auth.head);
    let mut pg = PgLog::from_parts(ours, Missing::new(true)).unwrap();
    let (mut our_info, mut auth_info) = (info_at(our_head), info_at(auth_head));
    let mut effects = LogEffects::new();
    let (merged, work) = counted(|| {
        pg.merge_log(
            &mut auth_info,
            auth,
            PgShard::replica(1),
            &mut our_info,
            &mut effects,
        )
    });
    assert_eq!(merged, Ok(true));
    assert_eq!(pg.log().head(), auth_head);
    assert_eq!(pg.missing().num_missing(), d as usize);
    assert_eq!(effects.removed().count(), d as usize);
    work
}

/// The work of the primary's `proc_replica_log` of the divergent replica's log:
/// its `d` divergent objects, each looked up among the `d` shared entries.
fn proc_divergent(d: u64, collide: bool) -> Work {
    let (theirs, auth) = divergent_logs(d, collide);
    let pg = PgLog::from_parts(auth, Missing::new(true)).unwrap();
    let mut oinfo = info_at(theirs.head);
    let mut omissing = Missing::new(true);
    let (r, work) =
        counted(|| pg.proc_replica_log(&mut oinfo, &theirs, &mut omissing, PgShard::replica(1)));
    r.unwrap();
    assert_eq!(oinfo.last_update, EVersion::new(1, d));
    // Each divergent object was created by its entry: nothing to recover.
    assert!(!omissing.have_missing());
    work
}

fn log_work_is_linear_in_the_entries() {
    for collide in [false, true] {
        let shape = if collide { "one hash" } else { "own hashes" };

        // The case: a 20,000-entry log sent to a stray.
        let n = 10_000;
        let (small, large) = (stray_receives(n, collide), stray_receives(2 * n, collide));
        assert_linear(&format!("stray log, {shape}"), n as usize, small, large);

        // A merge moves 2d entries (d cut, d appended); proc_replica_log
        // decides the d divergent ones.
        let d = 2_000;
        let (small, large) = (merge_divergent(d, collide), merge_divergent(2 * d, collide));
        assert_linear(&format!("merge_log, {shape}"), 2 * d as usize, small, large);
        let (small, large) = (proc_divergent(d, collide), proc_divergent(2 * d, collide));
        assert_linear(
            &format!("proc_replica_log, {shape}"),
            d as usize,
            small,
            large,
        );
    }
}

/// This binary runs without libtest (`harness = false` in the manifest): its only
/// thread is this one, so the process-wide counters count the code under test and
/// nothing else, however loaded the machine is.
fn main() {
    log_work_is_linear_in_the_entries();
    println!("test log_work_is_linear_in_the_entries ... ok");
    println!("1 passed, 0 failed");
}
