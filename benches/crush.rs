//! C1 (DESIGN.md §7): one CRUSH mapping (`crush_do_rule`) on the committed
//! `replicated` and `racks` maps, 3 replicas, through the allocating `do_rule`
//! and through `do_rule_into` with a reused workspace (no allocation once warm,
//! checked by `peering-core-std/tests/crush_workspace.rs`). Compare with
//! `crushtool -i MAP --test --num-rep 3 --min-x 0 --max-x 1023` (Debian's
//! `ceph-base`) on the same map: when `crushtool` is installed, the bench runs
//! it on the same map, rule and inputs (a million mappings, less its start-up)
//! and prints both figures per mapping and their ratio; without it, it prints
//! ours and says so.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use peering::osd::crush::{CrushMap, CrushWorkspace, parse_crush_text};

/// Mappings per comparison run.
const COMPARE_X: u32 = 1_000_000;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("peering-core-std/tests/fixtures/crush")
        .join(format!("{name}.txt"))
}

fn map(name: &str) -> CrushMap {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture");
    parse_crush_text(&text).expect("parses")
}

/// How long `crushtool --test` takes to map `0..n` with `rule`, 3 replicas.
fn crushtool_run(bin: &Path, rule: i32, n: u32) -> Option<Duration> {
    let start = Instant::now();
    let status = Command::new("crushtool")
        .arg("-i")
        .arg(bin)
        .args(["--test", "--show-statistics", "--num-rep", "3"])
        .args(["--rule", &rule.to_string()])
        .args(["--min-x", "0", "--max-x", &n.saturating_sub(1).to_string()])
        .output()
        .ok()?
        .status;
    status.success().then(|| start.elapsed())
}

/// crushtool's time per mapping on `name` (its start-up subtracted), if it
/// is installed.
fn crushtool_per_mapping(name: &str, rule: i32) -> Option<f64> {
    let bin = std::env::temp_dir().join(format!("peering-c1-{name}-{}.bin", std::process::id()));
    let compiled = Command::new("crushtool")
        .arg("-c")
        .arg(fixture(name))
        .arg("-o")
        .arg(&bin)
        .output()
        .ok()?
        .status
        .success();
    let timed = compiled
        .then(|| {
            Some((
                crushtool_run(&bin, rule, 1)?,
                crushtool_run(&bin, rule, COMPARE_X)?,
            ))
        })
        .flatten();
    let _ = std::fs::remove_file(&bin);
    let (startup, total) = timed?;
    Some(total.saturating_sub(startup).as_nanos() as f64 / f64::from(COMPARE_X))
}

/// Ours per mapping, on the same inputs (`do_rule_into`, warm workspace).
fn ours_per_mapping(map: &CrushMap, rule: i32, weights: &[u32]) -> f64 {
    let mut ws = CrushWorkspace::new();
    let mut out = Vec::new();
    let start = Instant::now();
    for x in 0..COMPARE_X {
        map.do_rule_into(rule, x, 3, weights, &mut ws, &mut out)
            .expect("maps");
        black_box(&out);
    }
    start.elapsed().as_nanos() as f64 / f64::from(COMPARE_X)
}

fn c1(c: &mut Criterion) {
    for name in ["replicated", "racks"] {
        let map = map(name);
        let weights = vec![0x10000u32; map.max_devices().max(0) as usize];
        let rule = map.rules().next().map_or(0, |r| r.id);
        let ours = ours_per_mapping(&map, rule, &weights);
        match crushtool_per_mapping(name, rule) {
            Some(theirs) => println!(
                "C1 {name}: ours {ours:.0} ns per mapping, crushtool {theirs:.0} ns: {:.2}x crushtool's speed",
                theirs / ours
            ),
            None => println!(
                "C1 {name}: ours {ours:.0} ns per mapping (crushtool is not installed: no comparison)"
            ),
        }
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
