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
    choose_args: Option<i64>,
}

fn cases() -> Vec<Case> {
    let text = fs::read_to_string(fixture_dir().join("cases.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (args, weights): (Vec<&str>, Vec<&str>) =
                f[4..].iter().partition(|w| w.starts_with("choose_args="));
            Case {
                name: f[0].to_string(),
                map: f[1].to_string(),
                rule: f[2].parse().unwrap(),
                num_rep: f[3].parse().unwrap(),
                choose_args: args
                    .first()
                    .map(|a| a.trim_start_matches("choose_args=").parse().unwrap()),
                reweights: weights
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
        let got = match case.choose_args {
            Some(index) => map
                .do_rule_with_choose_args(case.rule, x, case.num_rep, &weights, index)
                .unwrap(),
            None => map.do_rule(case.rule, x, case.num_rep, &weights).unwrap(),
        };
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

/// Replay one committed crushtool output against a map built in code.
fn check_against(map: &CrushMap, case: &str, rule: i32, num_rep: usize) {
    let weights = vec![0x10000u32; map.max_devices() as usize];
    let expected =
        fs::read_to_string(fixture_dir().join("expected").join(format!("{case}.txt"))).unwrap();
    assert_eq!(expected.lines().count(), 1024);
    for line in expected.lines() {
        let (x, want) = parse_line(line);
        assert_eq!(
            map.do_rule(rule, x, num_rep, &weights).unwrap(),
            want,
            "{case} x {x}"
        );
    }
}

/// Hosts `host0..` (ids -2, -3, ...) of straw2 devices numbered from 0, under a
/// straw2 root `default` (id -1), as the fixture generator laid them out.
fn build_hosts(
    b: &mut peering_core_std::crush::CrushBuilder,
    layout: &[i32],
    class: impl Fn(usize, i32) -> Option<&'static str>,
    weight: impl Fn(i32) -> f32,
) {
    use peering_core_std::crush::{BucketAlg, weight_from_f32};
    let mut osd = 0;
    let mut hosts = Vec::new();
    for (h, &n) in layout.iter().enumerate() {
        let mut items = Vec::new();
        for k in 0..n {
            let name = format!("osd.{osd}");
            b.add_device(osd, &name, class(h, k)).unwrap();
            items.push((name, Some(weight_from_f32(weight(osd)))));
            osd += 1;
        }
        let refs: Vec<(&str, Option<u32>)> = items.iter().map(|(n, w)| (n.as_str(), *w)).collect();
        let hname = format!("host{h}");
        let id = Some(-2 - h as i32);
        b.add_bucket_full(id, &hname, "host", BucketAlg::Straw2, 0, &refs)
            .unwrap();
        hosts.push(hname);
    }
    let refs: Vec<(&str, Option<u32>)> = hosts.iter().map(|h| (h.as_str(), None)).collect();
    b.add_bucket_full(Some(-1), "default", "root", BucketAlg::Straw2, 0, &refs)
        .unwrap();
}

/// `classes.txt` rebuilt through the builder: shadow trees get the ids crushtool's
/// compiler allocated, so the class rules map identically.
#[test]
fn builder_with_device_classes_matches_crushtool() {
    use peering_core_std::crush::{CrushBuilder, RuleStep};
    let mut b = CrushBuilder::new();
    b.add_type(0, "osd")
        .add_type(1, "host")
        .add_type(2, "rack")
        .add_type(3, "root");
    let class = |h: usize, k: i32| Some(if k == 0 && h != 3 { "ssd" } else { "hdd" });
    let weight = |osd: i32| match osd {
        0 => 0.5,
        4 => 2.0,
        _ => 1.0,
    };
    build_hosts(&mut b, &[3, 3, 3, 2], class, weight);
    assert_eq!(
        b.add_replicated_rule("replicated_rule", "default", "host", None)
            .unwrap(),
        0
    );
    assert_eq!(
        b.add_replicated_rule("ssd_rule", "default", "host", Some("ssd"))
            .unwrap(),
        1
    );
    assert_eq!(
        b.add_erasure_rule("hdd_ec", "default", "host", Some("hdd"))
            .unwrap(),
        2
    );
    let map = b.build().unwrap();
    check_against(&map, "classes_all_r3", 0, 3);
    check_against(&map, "classes_ssd_r3", 1, 3);
    check_against(&map, "classes_hdd_ec_r4", 2, 4);
    // The shadow hierarchy is named as Ceph names it.
    let shadow = map.class_shadow(-1, "ssd").unwrap();
    assert_eq!(map.item_name(shadow), Some("default~ssd"));
    assert_eq!(map.item_class(shadow), Some("ssd"));
    assert_eq!(map.rule(1).unwrap().steps[0], RuleStep::Take(shadow));
}

/// `replicated.txt` rebuilt through the builder with the fixture's bucket ids (ids
/// are hashed by straw2, so they must match) and compared for every replica count.
#[test]
fn builder_replicated_matches_crushtool() {
    use peering_core_std::crush::CrushBuilder;
    let mut b = CrushBuilder::with_default_types();
    let weight = |osd: i32| if osd == 3 || osd == 9 { 2.0 } else { 1.0 };
    build_hosts(&mut b, &[3, 3, 2, 4, 3], |_, _| None, weight);
    b.add_replicated_rule("replicated_rule", "default", "host", None)
        .unwrap();
    let map = b.build().unwrap();
    for n in [1, 2, 3, 5, 6] {
        check_against(&map, &format!("replicated_r{n}"), 0, n);
    }
}

/// The legacy tunables profile object equals the tunables the legacy fixture sets.
#[test]
fn legacy_profile_is_what_the_legacy_fixture_uses() {
    use peering_core_std::crush::{Tunables, TunablesProfile};
    let mut cache = BTreeMap::new();
    let map = load("mixed_legacy.txt", &mut cache);
    let mut legacy = Tunables::legacy();
    // The fixture allows straw2 and tree (legacy allows uniform, list, straw only).
    legacy.allowed_bucket_algs = map.tunables.allowed_bucket_algs;
    assert_eq!(map.tunables, legacy);
    assert_eq!(
        Tunables::profile(TunablesProfile::Jewel, Tunables::legacy()),
        Tunables::optimal()
    );
    let optimal = load("mixed_optimal.txt", &mut cache);
    assert_eq!(optimal.tunables, Tunables::optimal());
}

/// Our decompiler prints exactly what `crushtool -d` prints for every fixture map,
/// and its output compiles back to the same map.
#[test]
fn to_text_matches_crushtool_decompile() {
    let dir = fixture_dir().join("expected/decompiled");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let map =
            parse_crush_text(&fs::read_to_string(fixture_dir().join(&name)).unwrap()).unwrap();
        let text = map.to_text();
        assert_eq!(text, fs::read_to_string(&path).unwrap(), "{name}");
        assert_eq!(parse_crush_text(&text).unwrap(), map, "{name} round trip");
        seen += 1;
    }
    assert!(seen >= 12);
}
