//! B12 (DESIGN.md §7): 10k interval changes recorded in `PastIntervals`, then
//! `build_prior` over them. Reports time per recorded interval and per prior-set
//! build; the bytes the compact representation keeps are printed once alongside.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use peering::core::intervals::{PastIntervals, PgInterval, UpActing, build_prior};
use peering::core::map::{PoolInfo, SimpleOsdMap};
use peering::core::types::{OsdId, OsdVec, PgShard};

const OSDS: i32 = 12;

/// Interval `n` of a PG wandering over 12 OSDs: every interval may have gone
/// read-write, and acting sets rotate so that older intervals are not all pruned.
fn interval(n: u32) -> PgInterval {
    let base = (n % OSDS as u32) as i32;
    let acting: OsdVec = (0..3).map(|i| OsdId((base + i * 4) % OSDS)).collect();
    PgInterval {
        up: acting.clone(),
        primary: acting[0],
        up_primary: acting[0],
        acting,
        first: 10 + n * 2,
        last: 10 + n * 2 + 1,
        maybe_went_rw: true,
    }
}

fn record(count: u32) -> PastIntervals {
    let mut pi = PastIntervals::new();
    for n in 0..count {
        pi.add_interval(false, &interval(n))
            .expect("intervals follow each other");
    }
    pi
}

fn map() -> SimpleOsdMap {
    let mut map = SimpleOsdMap::new(30_000).with_pool(PoolInfo::replicated(1, 3, 8));
    for osd in 0..OSDS {
        map = map.with_up_osd(osd, 1);
    }
    map.mark_down(5);
    map
}

fn b12(c: &mut Criterion) {
    let pi = record(10_000);
    let kept: usize = pi
        .intervals()
        .iter()
        .map(|i| 8 + i.acting.len() * core::mem::size_of::<PgShard>())
        .sum();
    println!(
        "B12: 10000 intervals recorded, {} kept (superset pruning), ~{} bytes of kept acting sets, {} participants",
        pi.intervals().len(),
        kept,
        pi.all_participants().len()
    );

    c.bench_function("B12 add_interval x10k", |b| {
        b.iter(|| black_box(record(10_000)))
    });

    let map = map();
    let current = UpActing {
        up: [OsdId(0), OsdId(4), OsdId(8)].into_iter().collect(),
        up_primary: OsdId(0),
        acting: [OsdId(0), OsdId(4), OsdId(8)].into_iter().collect(),
        acting_primary: OsdId(0),
    };
    let pool = PoolInfo::replicated(1, 3, 8);
    c.bench_function("B12 build_prior over 10k intervals", |b| {
        b.iter(|| {
            black_box(
                build_prior(&pi, &pool, &map, OsdId(0), &current, (0, 29_000), []).expect("prior"),
            )
        })
    });
}

criterion_group!(benches, b12);
criterion_main!(benches);
