//! C1 (DESIGN.md §7): one CRUSH mapping (`crush_do_rule`) on the committed
//! `replicated` and `racks` maps, 3 replicas, through the allocating `do_rule`
//! and through `do_rule_into` with a reused workspace (no allocation once warm,
//! checked by `peering-core-std/tests/crush_workspace.rs`). Compare with
//! `crushtool -i MAP --test --num-rep 3 --min-x 0 --max-x 1023` (Debian's
//! `ceph-base`) on the same map: crushtool spends 2–5 µs per mapping here.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use peering::osd::crush::{CrushMap, CrushWorkspace, parse_crush_text};

fn map(name: &str) -> CrushMap {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("peering-core-std/tests/fixtures/crush")
        .join(format!("{name}.txt"));
    let text = std::fs::read_to_string(path).expect("fixture");
    parse_crush_text(&text).expect("parses")
}

fn c1(c: &mut Criterion) {
    for name in ["replicated", "racks"] {
        let map = map(name);
        let weights = vec![0x10000u32; map.max_devices().max(0) as usize];
        let rule = map.rules().next().map_or(0, |r| r.id);
        c.bench_function(&format!("C1 {name} do_rule (1024 x)"), |b| {
            b.iter(|| {
                for x in 0..1024u32 {
                    black_box(map.do_rule(rule, x, 3, &weights).expect("maps"));
                }
            })
        });
        let mut ws = CrushWorkspace::new();
        let mut out = Vec::new();
        c.bench_function(&format!("C1 {name} do_rule_into (1024 x)"), |b| {
            b.iter(|| {
                for x in 0..1024u32 {
                    map.do_rule_into(rule, x, 3, &weights, &mut ws, &mut out)
                        .expect("maps");
                    black_box(&out);
                }
            })
        });
    }
}

criterion_group!(benches, c1);
criterion_main!(benches);
