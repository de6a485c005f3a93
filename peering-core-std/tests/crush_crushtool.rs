//! Differential tests: our CRUSH mapper against `crushtool --test --show-mappings`
//! (Ceph 16.2) on the committed maps and outputs in `fixtures/crush/` (regenerate
//! them with `fixtures/crush/regen.sh`). Every case covers x in 0..=1023.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use peering_core_std::crush::{CrushMap, parse_crush_text};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crush")
}

struct Case {
    name: String,
    map: String,
    rule: i32,
    num_rep: usize,
    reweights: Vec<(usize, f32)>,
}

fn cases() -> Vec<Case> {
    let text = fs::read_to_string(fixture_dir().join("cases.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Case {
                name: f[0].to_string(),
                map: f[1].to_string(),
                rule: f[2].parse().unwrap(),
                num_rep: f[3].parse().unwrap(),
                reweights: f[4..]
                    .iter()
                    .map(|w| {
                        let (o, v) = w.split_once('=').unwrap();
                        (o.parse().unwrap(), v.parse().unwrap())
                    })
                    .collect(),
            }
        })
        .collect()
}

/// `CrushTester::set_device_weight`: `(int)(f * 0x10000)` clamped to [0, 0x10000].
fn reweight(f: f32) -> u32 {
    ((f * 65536.0) as i32).clamp(0, 0x10000) as u32
}

/// One line of crushtool output: `CRUSH rule R x X [a,b,c]`.
fn parse_line(line: &str) -> (u32, Vec<i32>) {
    let f: Vec<&str> = line.splitn(6, ' ').collect();
    assert_eq!(f[0], "CRUSH");
    let x = f[4].parse().unwrap();
    let list = f[5].trim().trim_start_matches('[').trim_end_matches(']');
    let v = if list.is_empty() {
        Vec::new()
    } else {
        list.split(',').map(|s| s.parse().unwrap()).collect()
    };
    (x, v)
}

fn load(map: &str, cache: &mut BTreeMap<String, CrushMap>) -> CrushMap {
    cache
        .entry(map.to_string())
        .or_insert_with(|| {
            let text = fs::read_to_string(fixture_dir().join(map)).unwrap();
            parse_crush_text(&text).unwrap_or_else(|e| panic!("{map}: {e}"))
        })
        .clone()
}

fn run_case(case: &Case, cache: &mut BTreeMap<String, CrushMap>) -> usize {
    let map = load(&case.map, cache);
    let mut weights = vec![0x10000u32; map.max_devices() as usize];
    for &(osd, f) in &case.reweights {
        weights[osd] = reweight(f);
    }
    let expected = fs::read_to_string(
        fixture_dir()
            .join("expected")
            .join(format!("{}.txt", case.name)),
    )
    .unwrap();
    let mut n = 0;
    for line in expected.lines() {
        let (x, want) = parse_line(line);
        let got = map.do_rule(case.rule, x, case.num_rep, &weights).unwrap();
        assert_eq!(got, want, "case {} x {x}", case.name);
        n += 1;
    }
    n
}

#[test]
fn every_case_matches_crushtool() {
    let mut cache = BTreeMap::new();
    let all = cases();
    assert!(all.len() >= 40, "manifest lost cases");
    for case in &all {
        let n = run_case(case, &mut cache);
        assert_eq!(n, 1024, "case {} should cover x 0..=1023", case.name);
    }
}
