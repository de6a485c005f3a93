//! B2 (DESIGN.md §7), algorithm level: a replica whose log has `d` divergent
//! entries merges the authoritative log (`PgLog::merge_log`, §5.13–5.14), for
//! d ∈ {10, 100, 3000}. Criterion reports time per merge; divide by `d` for the
//! per-entry figure (target ≤ 200 ns per entry, linear in d).
//!
//! The full-peering B2 (three instances, Initial → Active+Clean with a divergent
//! replica) belongs with B1 in the state-machine benches.
//!
//! A second group times `PgLog::rewind_divergent_log` of the same replica back
//! to the shared entries (§5.14): the divergent half of the merge on its own.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{
    BatchSize, Bencher, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use peering::core::log::{LogEffects, LogEntry, LogOp, Missing, PgLog, PgLogT};
use peering::core::types::{EVersion, ObjectId, PgId, PgInfo, PgShard, SpgId};

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

fn log(entries: Vec<LogEntry>) -> PgLogT {
    let head = entries.last().map_or(EVersion::ZERO, |e| e.version);
    PgLogT {
        head,
        tail: EVersion::ZERO,
        entries,
        ..PgLogT::default()
    }
}

fn info(head: EVersion) -> PgInfo {
    let mut info = PgInfo::new(SpgId::replicated(PgId::new(1, 0)));
    info.last_update = head;
    info.last_complete = head;
    info
}

/// The replica wrote `d` entries in epoch 2 that the authoritative log (epoch 3)
/// replaced with `d` entries of its own on other objects.
fn setup(d: u64) -> (PgLog, PgInfo, PgLogT, PgInfo) {
    let common = writes(1, 0, 10, "common");
    let mut ours = common.clone();
    ours.extend(writes(2, 10, d, "div"));
    let mut auth = common;
    auth.extend(writes(3, 10, d, "auth"));
    let ours = log(ours);
    let auth = log(auth);
    let our_info = info(ours.head);
    let auth_info = info(auth.head);
    let pg_log = PgLog::from_parts(ours, Missing::new(true)).expect("valid log");
    (pg_log, our_info, auth, auth_info)
}

/// One group `name` with a benchmark per `d`, each timing `body` (given the
/// bencher and `d`).
fn per_d(c: &mut Criterion, name: &str, mut body: impl FnMut(&mut Bencher, u64)) {
    let mut group = c.benchmark_group(name);
    for d in [10u64, 100, 3000] {
        group.throughput(Throughput::Elements(d));
        group.bench_with_input(BenchmarkId::from_parameter(d), &d, |b, &d| body(b, d));
    }
    group.finish();
}

fn b2(c: &mut Criterion) {
    per_d(c, "B2 merge_log divergent", |b, d| {
        let (pg_log, our_info, auth, auth_info) = setup(d);
        b.iter_batched(
            || {
                (
                    pg_log.clone(),
                    our_info.clone(),
                    auth.clone(),
                    auth_info.clone(),
                )
            },
            |(mut pg_log, mut our_info, auth, mut auth_info)| {
                let mut effects = LogEffects::new();
                let dirty = pg_log
                    .merge_log(
                        &mut auth_info,
                        auth,
                        PgShard::replica(1),
                        &mut our_info,
                        &mut effects,
                    )
                    .expect("merge");
                black_box((dirty, pg_log, effects))
            },
            BatchSize::LargeInput,
        )
    });
}

fn b2_rewind(c: &mut Criterion) {
    per_d(c, "B2 rewind_divergent_log", |b, d| {
        let (pg_log, our_info, _, _) = setup(d);
        let shared = EVersion::new(1, 10);
        b.iter_batched(
            || (pg_log.clone(), our_info.clone()),
            |(mut pg_log, mut our_info)| {
                let mut effects = LogEffects::new();
                let dirty = pg_log
                    .rewind_divergent_log(shared, &mut our_info, &mut effects)
                    .expect("rewind");
                black_box((dirty, pg_log, effects))
            },
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, b2, b2_rewind);
criterion_main!(benches);
