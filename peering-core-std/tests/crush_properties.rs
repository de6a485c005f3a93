//! Placement properties of the CRUSH mapper on the fixture maps: no device twice,
//! replicas on distinct failure domains, and bounded data movement when a device
//! goes out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

use peering_core_std::crush::{CRUSH_ITEM_NONE, CrushMap, parse_crush_text};
use proptest::prelude::*;

fn load(name: &str) -> CrushMap {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crush")
        .join(name);
    parse_crush_text(&fs::read_to_string(p).unwrap()).unwrap()
}

const MAPS: [&str; 7] = [
    "replicated.txt",
    "erasure.txt",
    "uneven.txt",
    "classes.txt",
    "racks.txt",
    "mixed_legacy.txt",
    "mixed_optimal.txt",
];

#[test]
fn no_device_twice_in_any_result() {
    for name in MAPS {
        let map = load(name);
        let weights = vec![0x10000u32; map.max_devices() as usize];
        for rule in map.rules().map(|r| r.id).collect::<Vec<_>>() {
            for num_rep in 1..=6 {
                for x in 0..512 {
                    let got = map.do_rule(rule, x, num_rep, &weights).unwrap();
                    assert!(got.len() <= num_rep);
                    let real: Vec<i32> = got
                        .iter()
                        .copied()
                        .filter(|&o| o != CRUSH_ITEM_NONE)
                        .collect();
                    let set: BTreeSet<i32> = real.iter().copied().collect();
                    assert_eq!(set.len(), real.len(), "{name} rule {rule} x {x}: {got:?}");
                    assert!(real.iter().all(|&o| o >= 0 && o < map.max_devices()));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// With any set of devices out, a size-3 replicated result on `replicated.txt`
    /// places its replicas on distinct hosts and never on an out device. CRUSH may
    /// give up after its tries even when three hosts are live (see
    /// `crush_gives_up_like_crushtool`), so a full result is required for nearly
    /// every input rather than all of them.
    #[test]
    fn replicas_on_distinct_hosts(out in proptest::collection::btree_set(0i32..15, 0..8), x0 in 0u32..100_000) {
        let map = load("replicated.txt");
        let mut weights = vec![0x10000u32; map.max_devices() as usize];
        for &o in &out {
            weights[o as usize] = 0;
        }
        let live_hosts: BTreeSet<i32> = (0..map.max_devices())
            .filter(|o| !out.contains(o))
            .filter_map(|o| map.parent_of_type(o, "host"))
            .collect();
        let mut short = 0;
        for x in x0..x0 + 256 {
            let got = map.do_rule(0, x, 3, &weights).unwrap();
            let hosts: BTreeSet<i32> = got.iter().map(|&o| map.parent_of_type(o, "host").unwrap()).collect();
            prop_assert_eq!(hosts.len(), got.len());
            prop_assert!(got.iter().all(|o| !out.contains(o)));
            if got.len() < 3.min(live_hosts.len()) {
                short += 1;
            }
        }
        prop_assert!(short <= 2, "{} short results of 256 with out {:?}", short, out);
    }
}

/// A case where Ceph's firstn gives up with three live hosts: `crushtool --test
/// --rule 0 --num-rep 3 --weight 0 0 --weight 1 0 --weight 2 0 --weight 3 0
/// --weight 5 0 --weight 7 0` prints `CRUSH rule 0 x 39344 [13,9]` (Ceph 16.2).
#[test]
fn crush_gives_up_like_crushtool() {
    let map = load("replicated.txt");
    let mut weights = vec![0x10000u32; map.max_devices() as usize];
    for o in [0, 1, 2, 3, 5, 7] {
        weights[o] = 0;
    }
    assert_eq!(map.do_rule(0, 39344, 3, &weights).unwrap(), vec![13, 9]);
}

/// Marking one device out moves at most 1.5× its ideal share of the replica
/// assignments (total assignments × its CRUSH weight / the total device weight).
#[test]
fn out_one_device_moves_about_its_share() {
    for (name, rule, size) in [
        ("erasure.txt", 0, 6),
        ("erasure.txt", 1, 4),
        ("replicated.txt", 0, 3),
    ] {
        let map = load(name);
        let n = map.max_devices() as usize;
        let full = vec![0x10000u32; n];
        let inputs = 0..4096u32;
        let before: BTreeMap<u32, Vec<i32>> = inputs
            .clone()
            .map(|x| (x, map.do_rule(rule, x, size, &full).unwrap()))
            .collect();
        let total: usize = before.values().map(Vec::len).sum();
        let crush_weight = |osd: i32| -> f64 {
            let b = map.bucket(map.parent_of(osd).unwrap()).unwrap();
            let pos = b.items.iter().position(|&i| i == osd).unwrap();
            f64::from(b.item_weight(pos))
        };
        let all_weight: f64 = (0..n as i32).map(crush_weight).sum();
        for victim in 0..n {
            let mut w = full.clone();
            w[victim] = 0;
            let moved: usize = inputs
                .clone()
                .map(|x| {
                    let after = map.do_rule(rule, x, size, &w).unwrap();
                    let old: BTreeSet<i32> = before[&x].iter().copied().collect();
                    after.iter().filter(|o| !old.contains(o)).count()
                })
                .sum();
            let ideal = total as f64 * crush_weight(victim as i32) / all_weight;
            assert!(
                (moved as f64) <= 1.5 * ideal,
                "{name} rule {rule}: out osd.{victim} moved {moved}, ideal {ideal:.0}"
            );
        }
    }
}
