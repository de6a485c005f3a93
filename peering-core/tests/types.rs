//! The core vocabulary: orderings, Ceph's printed forms, history merge, serde.

use peering_core::types::*;

#[test]
fn eversion_orders_by_epoch_then_version() {
    assert!(EVersion::new(2, 100) < EVersion::new(3, 1));
    assert!(EVersion::new(3, 1) < EVersion::new(3, 2));
    assert_eq!(format!("{:?}", EVersion::new(3, 14)), "3'14");
    assert_eq!(
        EVersion::new(3, 14).key_name(),
        "0000000003.00000000000000000014"
    );
    assert!(EVersion::MAX > EVersion::new(u32::MAX, 5));
    assert!(EVersion::default().is_zero());
}

#[test]
fn pg_shard_orders_by_osd_then_shard_and_prints_like_ceph() {
    let a = PgShard::new(OsdId(1), ShardId(2));
    let b = PgShard::new(OsdId(2), ShardId(0));
    let c = PgShard::new(OsdId(2), ShardId(1));
    assert!(a < b && b < c);
    assert!(PgShard::replica(5) < PgShard::new(OsdId(5), ShardId(0)));
    assert_eq!(
        format!("{:?}", PgShard::new(OsdId(2), ShardId(0))),
        "osd.2(0)"
    );
    assert_eq!(format!("{:?}", PgShard::replica(2)), "osd.2");
    assert_eq!(format!("{:?}", OsdId::NONE), "NONE");
    assert!(!OsdId::NONE.is_valid() && !OsdId::UNDEF.is_valid() && OsdId(0).is_valid());
}

#[test]
fn pg_ids_print_seed_in_hex() {
    let pg = PgId::new(1, 0x7f);
    assert_eq!(format!("{pg:?}"), "1.7f");
    assert_eq!(
        format!("{:?}", SpgId::new(PgId::new(1, 7), ShardId(0))),
        "1.7s0"
    );
    assert_eq!(format!("{:?}", SpgId::replicated(PgId::new(1, 7))), "1.7");
}

#[test]
fn objects_sort_by_reversed_hash_then_name() {
    // 0x1 reversed is 0x80000000, 0x2 reversed is 0x40000000: 0x2 sorts first.
    let a = ObjectId::new(1, 0x1, "a");
    let b = ObjectId::new(1, 0x2, "b");
    assert!(b < a);
    let c = ObjectId::new(1, 0x2, "c");
    assert!(b < c);
    assert!(ObjectId::MIN < b && a < ObjectId::MAX);
    assert!(ObjectId::new(0, 0xffff_ffff, "z") < ObjectId::new(1, 0, "a"));
    let mut snap = ObjectId::new(1, 0x2, "b");
    snap.snap = SnapId(4);
    assert!(
        snap < b,
        "a clone sorts before its head (NOSNAP is near u64::MAX)"
    );
    assert_eq!(format!("{:?}", ObjectId::MAX), "MAX");
    assert_eq!(format!("{:?}", ObjectId::MIN), "MIN");
}

#[test]
fn history_merge_takes_newer_fields_but_not_interval_ones() {
    let mut mine = PgHistory::new(1, UTime::default());
    mine.same_interval_since = 10;
    let mut theirs = mine.clone();
    theirs.last_epoch_started = 7;
    theirs.last_interval_started = 6;
    theirs.last_epoch_clean = 5;
    theirs.same_interval_since = 20;
    theirs.last_scrub = EVersion::new(4, 4);
    theirs.prior_readable_until_ub = Timespan(99);
    assert!(mine.merge(&theirs));
    assert_eq!(mine.last_epoch_started, 7);
    assert_eq!(mine.last_interval_started, 6);
    assert_eq!(mine.last_epoch_clean, 5);
    assert_eq!(mine.last_scrub, EVersion::new(4, 4));
    assert_eq!(mine.prior_readable_until_ub, Timespan(99));
    assert_eq!(
        mine.same_interval_since, 10,
        "interval fields are computed locally"
    );
    assert!(!mine.merge(&theirs), "merging again changes nothing");

    // Same lis: the tighter read bound wins.
    let mut tighter = theirs.clone();
    tighter.prior_readable_until_ub = Timespan(50);
    assert!(mine.merge(&tighter));
    assert_eq!(mine.prior_readable_until_ub, Timespan(50));
    // A looser bound for the same interval is ignored.
    assert!(!mine.merge(&theirs));
}

#[test]
fn pg_info_predicates() {
    let mut info = PgInfo::new(SpgId::replicated(PgId::new(1, 0)));
    assert!(info.is_empty() && info.dne() && !info.has_missing() && !info.is_incomplete());
    info.last_update = EVersion::new(3, 5);
    info.history.epoch_created = 1;
    assert!(!info.is_empty() && !info.dne() && info.has_missing());
    info.last_backfill = ObjectId::new(1, 3, "x");
    assert!(info.is_incomplete());
    assert_eq!(
        format!("{info:?}"),
        "1.0( v 3'5 lc 0'0 (0'0,3'5] lb 1:c0000000:::x:head local-lis/les=0/0 n=0 ec=1/0 lis/c=0/0 les/c/f=0/0/0 sis=0)"
    );
}

#[test]
fn pg_state_prints_in_ceph_order() {
    assert_eq!(PgState::EMPTY.to_string(), "unknown");
    let s = PgState::CLEAN | PgState::ACTIVE;
    assert_eq!(s.to_string(), "active+clean");
    let s = PgState::PEERING | PgState::DOWN | PgState::REMAPPED;
    assert_eq!(s.to_string(), "down+remapped+peering");
    assert_eq!(
        PgState::from_name("backfill_wait"),
        Some(PgState::BACKFILL_WAIT)
    );
    assert_eq!(PgState::from_name("bogus"), None);
    let mut s = PgState::ACTIVE;
    s.set(PgState::UNDERSIZED | PgState::DEGRADED);
    s.clear(PgState::ACTIVE);
    assert_eq!(s.to_string(), "undersized+degraded");
    assert_eq!(PgState::WAIT.0, 1 << 34);
}

#[test]
fn query_codes_are_cephs() {
    assert_eq!(QueryKind::Info.code(), 0);
    assert_eq!(
        QueryKind::Log {
            since: EVersion::ZERO
        }
        .code(),
        1
    );
    assert_eq!(QueryKind::Missing.code(), 4);
    assert_eq!(QueryKind::FullLog.code(), 5);
    assert_eq!(QueryKind::FullLog.name(), "fulllog");
}

mod pg_math {
    use peering_core::types::PgId;
    use peering_core::types::pg_math::*;

    #[test]
    fn stable_mod_keeps_low_seeds_in_place() {
        // 12 PGs: mask 15. Seeds 0..11 map to themselves; 12..15 fold by the half mask.
        let mask = pg_num_mask(12);
        assert_eq!(mask, 15);
        assert_eq!(ceph_stable_mod(11, 12, mask), 11);
        assert_eq!(ceph_stable_mod(12, 12, mask), 4);
        assert_eq!(ceph_stable_mod(15, 12, mask), 7);
        assert_eq!(ceph_stable_mod(16 + 3, 12, mask), 3);
        assert_eq!(pg_num_mask(1), 0);
        assert_eq!(pg_num_mask(16), 15);
        assert_eq!(pg_num_mask(17), 31);
    }

    #[test]
    fn split_children_of_doubling_and_partial_growth() {
        let pg = PgId::new(1, 0);
        assert!(pg.is_split(1, 2));
        assert_eq!(
            pg.split_children(1, 2).into_iter().collect::<Vec<_>>(),
            vec![PgId::new(1, 1)]
        );
        assert_eq!(
            pg.split_children(1, 4)
                .into_iter()
                .map(|p| p.seed)
                .collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        // 4 -> 6: only seeds 0 and 1 split (children 4 and 5).
        assert!(PgId::new(1, 0).is_split(4, 6));
        assert!(PgId::new(1, 1).is_split(4, 6));
        assert!(!PgId::new(1, 2).is_split(4, 6));
        assert!(!PgId::new(1, 3).is_split(4, 6));
        assert!(!PgId::new(1, 0).is_split(4, 4));
        assert!(
            !PgId::new(1, 7).is_split(4, 8),
            "a seed past old pg_num never splits"
        );
    }

    #[test]
    fn parent_ancestor_and_merge() {
        assert_eq!(PgId::new(1, 5).parent(), PgId::new(1, 1));
        assert_eq!(PgId::new(1, 4).parent(), PgId::new(1, 0));
        assert_eq!(PgId::new(1, 1).parent(), PgId::new(1, 0));
        assert_eq!(PgId::new(1, 13).ancestor(8), PgId::new(1, 5));
        assert_eq!(PgId::new(1, 13).ancestor(12), PgId::new(1, 5));
        assert_eq!(PgId::new(1, 13).ancestor(14), PgId::new(1, 13));
        assert_eq!(
            PgId::new(1, 5).merge_source_target(6, 4),
            Some(PgId::new(1, 1))
        );
        assert!(PgId::new(1, 1).is_merge_target(6, 4));
        assert!(!PgId::new(1, 2).is_merge_target(6, 4));
        assert!(!PgId::new(1, 3).is_merge_source(6, 4));
        assert_eq!(PgId::new(1, 200).raw_to_pg(12), PgId::new(1, 8));
    }

    #[test]
    fn split_bits_match_ceph() {
        // pg_num 12: seeds 0..3 (seed % 8 < 4) use 4 bits; 4..11 use 3.
        assert_eq!(PgId::new(1, 0).split_bits(12), 4);
        assert_eq!(PgId::new(1, 3).split_bits(12), 4);
        assert_eq!(PgId::new(1, 4).split_bits(12), 3);
        assert_eq!(PgId::new(1, 11).split_bits(12), 4);
        assert_eq!(PgId::new(1, 200).raw_to_pg(16), PgId::new(1, 8));
        assert_eq!(PgId::new(1, 0).split_bits(1), 0);
        assert_eq!(PgId::new(1, 0).split_bits(16), 4);
    }

    /// Ceph's brute force (`pg_t::is_split`'s disabled branch): every seed in
    /// `[old, new)` whose stable-mod by the old count is the parent.
    fn brute_children(seed: u32, old: u32, new: u32) -> Vec<u32> {
        let old_mask = u32::MAX >> old.leading_zeros();
        (old..new)
            .filter(|x| ceph_stable_mod(*x, old, old_mask) == seed)
            .collect()
    }

    #[test]
    fn split_children_iter_matches_brute_force_with_exact_len_and_contains() {
        for old in 1..70u32 {
            for new in [old, old + 1, old + 5, 2 * old, 3 * old + 1, 130] {
                for seed in 0..old {
                    let brute = brute_children(seed, old, new);
                    let it = PgId::new(3, seed).split_children_iter(old, new);
                    assert_eq!(it.len(), brute.len(), "{seed} {old}->{new}");
                    let got: Vec<u32> = it.map(|p| p.seed).collect();
                    assert_eq!(got, brute, "{seed} {old}->{new}");
                    for x in 0..new + 3 {
                        assert_eq!(
                            it.contains(&PgId::new(3, x)),
                            brute.contains(&x),
                            "contains {x}: {seed} {old}->{new}"
                        );
                    }
                    assert!(!it.contains(&PgId::new(4, brute.first().copied().unwrap_or(0))));
                    assert_eq!(PgId::new(3, seed).is_split(old, new), !brute.is_empty());
                }
            }
        }
    }

    #[test]
    fn split_children_iter_at_the_edges_of_u32() {
        // The top bit: old pg_num above 2^31 (old_bits 32).
        let old = (1u32 << 31) + 5;
        let it = PgId::new(1, 7).split_children_iter(old, u32::MAX);
        assert_eq!(it.map(|p| p.seed).collect::<Vec<_>>(), vec![7 + (1 << 31)]);
        // Seed 3's partner 2^31 + 3 is below the old count: it already exists.
        assert_eq!(PgId::new(1, 3).split_children_iter(old, u32::MAX).len(), 0);
        // 1 -> 2^31: PG 0 has every other seed as its child, counted, not walked.
        let all = PgId::new(1, 0).split_children_iter(1, 1 << 31);
        assert_eq!(all.len(), (1 << 31) - 1);
        assert!(all.contains(&PgId::new(1, (1 << 31) - 1)));
        assert!(!all.contains(&PgId::new(1, 1 << 31)));
        assert!(!all.contains(&PgId::new(1, 0)));
        // A seed past the old count, or a pool that does not grow: no children.
        assert_eq!(PgId::new(1, 9).split_children_iter(4, 64).len(), 0);
        assert_eq!(PgId::new(1, 0).split_children_iter(64, 64).len(), 0);
        assert_eq!(PgId::new(1, 0).split_children_iter(0, 64).len(), 0);
    }
}
