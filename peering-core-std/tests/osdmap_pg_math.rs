//! Ceph's PG arithmetic tables (`src/test/osd/types.cc`: `pg_t.get_ancestor`,
//! `pg_t.split`, `pg_t.merge`; `ceph-osd-side.md` §5.4), run against the core's
//! implementation through the `osdmap::pg_math` re-export.

use std::collections::BTreeSet;

use peering_core::types::PgId;
use peering_core_std::osdmap::pg_math::{ceph_stable_mod, pg_num_divisor, pg_num_mask};

fn pg(seed: u32) -> PgId {
    PgId::new(0, seed)
}

fn set(seeds: &[u32]) -> BTreeSet<PgId> {
    seeds.iter().map(|s| pg(*s)).collect()
}

#[test]
fn get_ancestor_table() {
    assert_eq!(pg(16).ancestor(16), pg(0));
    assert_eq!(pg(17).ancestor(16), pg(1));
    assert_eq!(pg(16).ancestor(8), pg(0));
    assert_eq!(pg(16).ancestor(80), pg(16));
    assert_eq!(pg(16).ancestor(83), pg(16));
    assert_eq!(pg(1321).ancestor(123).ancestor(8), pg(1));
    assert_eq!(pg(1323).ancestor(123).ancestor(8), pg(3));
    assert_eq!(pg(1323).ancestor(8), pg(3));
}

/// `(seed, old_pg_num, new_pg_num, children)` from Ceph's `pg_t.split` test.
const SPLIT_TABLE: &[(u32, u32, u32, &[u32])] = &[
    (0, 1, 1, &[]),
    (0, 2, 4, &[2]),
    (0, 2, 8, &[2, 4, 6]),
    (0, 3, 8, &[4]),
    (0, 6, 8, &[]),
    (1, 2, 4, &[3]),
    (1, 2, 6, &[3, 5]),
    (1, 2, 8, &[3, 5, 7]),
    (1, 4, 8, &[5]),
    (1, 3, 8, &[3, 5, 7]),
    (1, 6, 8, &[]),
    (3, 7, 8, &[7]),
    (3, 7, 12, &[7, 11]),
    (3, 7, 11, &[7]),
];

#[test]
fn split_table() {
    for (seed, old, new, children) in SPLIT_TABLE {
        let p = pg(*seed);
        assert_eq!(
            p.is_split(*old, *new),
            !children.is_empty(),
            "is_split {seed} {old}->{new}"
        );
        assert_eq!(
            p.split_children(*old, *new),
            set(children),
            "children {seed} {old}->{new}"
        );
    }
}

#[test]
fn split_matches_brute_force() {
    // Ceph keeps a brute-force variant of is_split beside the fast one: every seed
    // in [old, new) whose stable-mod by the old count is the parent.
    for old in 1..40u32 {
        for new in old..80u32 {
            let old_mask = (1u32 << (32 - old.leading_zeros())) - 1;
            for seed in 0..old {
                let brute: BTreeSet<PgId> = (old..new)
                    .filter(|x| ceph_stable_mod(*x, old, old_mask) == seed)
                    .map(pg)
                    .collect();
                assert_eq!(
                    pg(seed).split_children(old, new),
                    brute,
                    "{seed} {old}->{new}"
                );
            }
        }
    }
}

#[test]
fn reference_worked_split_examples() {
    // 8 -> 12: seeds 0..3 get children 8..11, seeds 4..7 none yet.
    for s in 0..4 {
        assert_eq!(pg(s).split_children(8, 12), set(&[s + 8]));
    }
    for s in 4..8 {
        assert!(!pg(s).is_split(8, 12));
    }
    // 12 -> 16: seeds 4..7 get children 12..15, seeds 0..3 none.
    for s in 4..8 {
        assert_eq!(pg(s).split_children(12, 16), set(&[s + 8]));
    }
    for s in 0..4 {
        assert!(!pg(s).is_split(12, 16));
    }
}

#[test]
fn get_split_bits_reference_example_and_defining_property() {
    // pg_num 12: seeds 0..3 and 8..11 use 4 bits, seeds 4..7 (not yet split) 3.
    for s in (0..4).chain(8..12) {
        assert_eq!(pg(s).split_bits(12), 4, "seed {s}");
    }
    for s in 4..8 {
        assert_eq!(pg(s).split_bits(12), 3, "seed {s}");
    }
    assert_eq!(pg(0).split_bits(1), 0);
    // The defining property (the comment on get_split_bits): an object hash h
    // belongs to the PG exactly when its low `bits` bits equal the seed.
    for pg_num in 1..70u32 {
        let mask = pg_num_mask(pg_num);
        for seed in 0..pg_num {
            let bits = pg(seed).split_bits(pg_num);
            let low = if bits == 0 { 0 } else { (1u32 << bits) - 1 };
            for h in 0..512u32 {
                let in_pg = ceph_stable_mod(h, pg_num, mask) == seed;
                assert_eq!(in_pg, h & low == seed, "pg_num {pg_num} seed {seed} h {h}");
            }
        }
    }
}

#[test]
fn merge_table() {
    let p = pg(7);
    assert_eq!(p.merge_source_target(8, 7), Some(pg(3)));
    assert!(pg(3).is_merge_target(8, 7));
    assert_eq!(p.merge_source_target(8, 5), Some(pg(3)));
    assert!(pg(3).is_merge_target(8, 5));
    assert_eq!(p.merge_source_target(8, 4), Some(pg(3)));
    assert!(pg(3).is_merge_target(8, 4));
    assert_eq!(p.merge_source_target(8, 3), Some(pg(1)));
    assert!(pg(1).is_merge_target(8, 4));
    assert_eq!(p.merge_source_target(9, 8), None);
    assert!(!p.is_merge_source(9, 8));
    assert!(!pg(1).is_merge_target(9, 8));
}

#[test]
fn parent_clears_the_top_bit() {
    assert_eq!(pg(0).parent(), pg(0));
    assert_eq!(pg(1).parent(), pg(0));
    assert_eq!(pg(7).parent(), pg(3));
    assert_eq!(pg(12).parent(), pg(4));
    assert_eq!(pg(1323).parent(), pg(1323 - 1024));
}

#[test]
fn raw_to_pg_is_stable_mod_by_pg_num() {
    for pg_num in 1..100u32 {
        for ps in 0..300u32 {
            let folded = pg(ps).raw_to_pg(pg_num);
            assert!(folded.seed < pg_num);
            // A raw seed already below pg_num is its own PG.
            if ps < pg_num {
                assert_eq!(folded.seed, ps);
            }
        }
    }
}

/// `get_pg_num_divisor`: every object of the pool lands in exactly one PG, so
/// summing each PG's share `1 / divisor` over the PGs gives the whole pool,
/// for any pg_num; and objects hashed into the pool spread as the divisors
/// say (a PG with divisor d receives 1/d of a full pass over the hash bins).
#[test]
fn pg_num_divisor_shares_cover_the_pool() {
    assert_eq!(pg_num_divisor(0, 0), 0);
    assert_eq!(pg_num_divisor(8, 3), 8);
    // pg_num 12: PGs 0..4 and 8..12 were split (bins of 16), 4..8 not (8).
    assert_eq!(pg_num_divisor(12, 0), 16);
    assert_eq!(pg_num_divisor(12, 3), 16);
    assert_eq!(pg_num_divisor(12, 4), 8);
    assert_eq!(pg_num_divisor(12, 7), 8);
    assert_eq!(pg_num_divisor(12, 8), 16);
    assert_eq!(pg_num_divisor(12, 11), 16);
    for pg_num in 1..=300u32 {
        let mask = pg_num_mask(pg_num);
        let bins = mask + 1;
        let mut hits = vec![0u32; pg_num as usize];
        for x in 0..bins {
            hits[ceph_stable_mod(x, pg_num, mask) as usize] += 1;
        }
        for ps in 0..pg_num {
            let d = pg_num_divisor(pg_num, ps);
            assert_eq!(hits[ps as usize] * d, bins, "pg_num {pg_num} ps {ps}");
        }
    }
}
