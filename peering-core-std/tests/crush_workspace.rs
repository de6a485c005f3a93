//! C1's allocation half (DESIGN.md §7), counted, not timed: `do_rule_into` with a
//! reused `CrushWorkspace` and result buffer gives exactly `do_rule`'s answers
//! (which agree with crushtool, `crush_crushtool.rs`) on every committed map and
//! rule, and once warm it allocates nothing per mapping. Uniform buckets (their
//! permutation scratch) are among the maps.
//!
//! Runs without libtest (`harness = false`): the allocation counter is
//! process-wide, and this binary's only thread is the code under test.

use std::alloc::System;
use std::fs;
use std::path::PathBuf;

use peering_core_std::crush::{CrushMap, CrushWorkspace, parse_crush_text};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Every committed text map with its name.
fn maps() -> Vec<(String, CrushMap)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crush");
    let mut out = Vec::new();
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter(|p| p.file_name().is_some_and(|n| n != "cases.txt"))
        .collect();
    names.sort();
    for p in names {
        let text = fs::read_to_string(&p).unwrap();
        if let Ok(map) = parse_crush_text(&text) {
            out.push((p.file_stem().unwrap().to_string_lossy().into_owned(), map));
        }
    }
    out
}

fn workspace_mappings_match_and_allocate_nothing() {
    let maps = maps();
    assert!(maps.len() >= 10, "{} maps", maps.len());
    let mut ws = CrushWorkspace::new();
    let mut out = Vec::new();
    let mut checked = 0usize;
    for (name, map) in &maps {
        let weights = vec![0x10000u32; map.max_devices().max(0) as usize];
        let rules: Vec<i32> = map.rules().map(|r| r.id).collect();
        for &rule in &rules {
            for num_rep in [1usize, 3, 6] {
                // Warm up: the first mappings may grow the buffers.
                for x in 0..64u32 {
                    map.do_rule_into(rule, x, num_rep, &weights, &mut ws, &mut out)
                        .unwrap();
                }
                for x in 0..256u32 {
                    let expected = map.do_rule(rule, x, num_rep, &weights).unwrap();
                    let region = Region::new(GLOBAL);
                    map.do_rule_into(rule, x, num_rep, &weights, &mut ws, &mut out)
                        .unwrap();
                    let allocs = region.change().allocations;
                    assert_eq!(allocs, 0, "{name} rule {rule} x {x}: {allocs} allocations");
                    assert_eq!(out, expected, "{name} rule {rule} x {x} num_rep {num_rep}");
                    checked += 1;
                }
            }
        }
    }
    println!(
        "{checked} mappings on {} maps, 0 allocations each",
        maps.len()
    );
}

fn main() {
    workspace_mappings_match_and_allocate_nothing();
    println!("test workspace_mappings_match_and_allocate_nothing ... ok");
    println!("1 passed, 0 failed");
}
