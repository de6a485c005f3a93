//! Prior sets (§5.6): Ceph's `PITest` cases from `src/test/osd/types.cc`
//! re-derived, the map-driven `build_prior`, `affected_by_map`, the recoverable
//! predicates, and properties.

mod intervals_support;

mod prior_set {
    use std::collections::{BTreeMap, BTreeSet};

    use super::intervals_support::*;

    use peering_core::intervals::*;
    use peering_core::map::{PoolInfo, SimpleOsdMap};
    use peering_core::types::{OsdId, PgShard};

    use PriorOsdState::{Down, Lost, Up};

    /// One of Ceph's `PITest::run` cases.
    struct Case {
        ec: bool,
        intervals: Vec<PgInterval>,
        les: u32,
        min_to_peer: usize,
        states: Vec<(i32, PriorOsdState, u32)>,
        up: Vec<i32>,
        acting: Vec<i32>,
        probe: Vec<PgShard>,
        down: Vec<i32>,
        blocked_by: Vec<(i32, u32)>,
        pg_down: bool,
    }

    fn run(c: Case) {
        let mut pi = PastIntervals::new();
        for i in &c.intervals {
            pi.add_interval(c.ec, i).unwrap();
        }
        let states: BTreeMap<OsdId, (PriorOsdState, u32)> = c
            .states
            .iter()
            .map(|&(o, s, l)| (OsdId(o), (s, l)))
            .collect();
        let at_least = |have: &BTreeSet<PgShard>| have.len() >= c.min_to_peer;
        let got = PriorSet::new(
            &pi,
            c.ec,
            c.les,
            &at_least,
            |_, osd| states[&osd],
            &osds(&c.up),
            &osds(&c.acting),
        )
        .unwrap();
        let want = PriorSet {
            ec_pool: c.ec,
            probe: c.probe.into_iter().collect(),
            down: c.down.into_iter().map(OsdId).collect(),
            blocked_by: c
                .blocked_by
                .into_iter()
                .map(|(o, l)| (OsdId(o), l))
                .collect(),
            pg_down: c.pg_down,
        };
        assert_eq!(got, want);
    }

    fn iv(v: &[i32], first: u32, last: u32, rw: bool) -> PgInterval {
        PgInterval::new(v, v, first, last, rw, v[0], v[0])
    }

    fn rep_four(third_rw: bool) -> Vec<PgInterval> {
        vec![
            iv(&[0, 1, 2], 10, 20, true),
            iv(&[1, 2], 21, 30, true),
            iv(&[2], 31, 35, third_rw),
            iv(&[0, 2], 36, 50, true),
        ]
    }

    /// The replicated cases' common outcome: osds 0 and 1 up and probed, 2 down.
    fn rep() -> Case {
        Case {
            ec: false,
            intervals: vec![],
            les: 5,
            min_to_peer: 1,
            states: vec![(0, Up, 0), (1, Up, 0), (2, Down, 0)],
            up: vec![0, 1],
            acting: vec![0, 1],
            probe: vec![pst(0), pst(1)],
            down: vec![2],
            blocked_by: vec![],
            pg_down: false,
        }
    }

    /// The EC cases' common outcome: shards 0(0) and 2(2) up, osd 1 down.
    fn ec() -> Case {
        Case {
            ec: true,
            min_to_peer: 2,
            states: vec![(0, Up, 0), (1, Down, 0), (2, Up, 0)],
            up: vec![0, N, 2],
            acting: vec![0, N, 2],
            probe: vec![psts(0, 0), psts(2, 2)],
            down: vec![1],
            ..rep()
        }
    }

    #[test]
    fn past_intervals_rep() {
        run(Case {
            intervals: rep_four(false),
            ..rep()
        });
    }

    #[test]
    fn past_intervals_ec() {
        run(Case {
            intervals: vec![iv(&[0, 1, 2], 10, 20, true), iv(&[N, 1, 2], 21, 30, true)],
            states: vec![(0, Down, 0), (1, Up, 0), (2, Up, 0)],
            up: vec![N, 1, 2],
            acting: vec![N, 1, 2],
            probe: vec![psts(1, 1), psts(2, 2)],
            down: vec![0],
            ..ec()
        });
    }

    #[test]
    fn past_intervals_rep_down() {
        run(Case {
            intervals: rep_four(true),
            blocked_by: vec![(2, 0)],
            pg_down: true,
            ..rep()
        });
    }

    #[test]
    fn past_intervals_ec_down() {
        run(Case {
            intervals: vec![
                iv(&[0, 1, 2], 10, 20, true),
                iv(&[N, 1, 2], 21, 30, true),
                iv(&[N, N, 2], 31, 35, false),
            ],
            blocked_by: vec![(1, 0)],
            pg_down: true,
            ..ec()
        });
    }

    #[test]
    fn past_intervals_rep_no_subsets() {
        run(Case {
            intervals: vec![
                iv(&[0, 2], 10, 20, true),
                iv(&[1, 2], 21, 30, true),
                iv(&[0, 1], 31, 35, true),
            ],
            ..rep()
        });
    }

    fn ec_no_subsets() -> Vec<PgInterval> {
        vec![
            iv(&[0, N, 2], 10, 20, true),
            iv(&[N, 1, 2], 21, 30, true),
            iv(&[0, 1, N], 31, 35, true),
        ]
    }

    #[test]
    fn past_intervals_ec_no_subsets() {
        run(Case {
            intervals: ec_no_subsets(),
            blocked_by: vec![(1, 0)],
            pg_down: true,
            ..ec()
        });
    }

    #[test]
    fn past_intervals_ec_no_subsets2() {
        run(Case {
            intervals: vec![
                iv(&[N, 1, 2], 10, 20, true),
                iv(&[0, N, 2], 21, 30, true),
                iv(&[0, 3, N], 31, 35, true),
            ],
            les: 31,
            states: vec![(0, Up, 0), (1, Down, 0), (2, Up, 0), (3, Up, 0)],
            probe: vec![psts(0, 0), psts(2, 2), psts(3, 1)],
            ..ec()
        });
    }

    #[test]
    fn past_intervals_rep_lost() {
        run(Case {
            intervals: rep_four(true),
            states: vec![(0, Up, 0), (1, Up, 0), (2, Lost, 55)],
            ..rep()
        });
    }

    #[test]
    fn past_intervals_ec_lost() {
        run(Case {
            intervals: ec_no_subsets(),
            states: vec![(0, Up, 0), (1, Lost, 36), (2, Up, 0)],
            ..ec()
        });
    }

    #[test]
    fn gone_members_are_ignored_but_counted_down() {
        // The [2] interval's only member no longer exists: nothing to wait for.
        run(Case {
            intervals: rep_four(true),
            states: vec![(0, Up, 0), (1, Up, 0), (2, PriorOsdState::Dne, 0)],
            ..rep()
        });
    }

    /// A map for the map-driven tests: osds 0..=2 up since 1, pool 200 of size 3.
    fn cluster(pool: PoolInfo) -> SimpleOsdMap {
        SimpleOsdMap::new(60)
            .with_pool(pool)
            .with_up_osd(0, 1)
            .with_up_osd(1, 1)
            .with_up_osd(2, 1)
    }

    mod map_driven {
        use super::*;

        #[test]
        fn classify_from_the_map() {
            let mut m = cluster(pool());
            m.mark_down(2);
            assert_eq!(classify_osd(&m, 30, OsdId(0)), (Up, 0));
            assert_eq!(classify_osd(&m, 30, OsdId(2)), (Down, 0));
            assert_eq!(classify_osd(&m, 30, OsdId(7)), (PriorOsdState::Dne, 0));
            m.mark_lost(2);
            // Lost after the interval began: given up. Lost before it: still down.
            assert_eq!(classify_osd(&m, 30, OsdId(2)), (Lost, 60));
            assert_eq!(classify_osd(&m, 60, OsdId(2)), (Down, 60));
        }

        fn history() -> PastIntervals {
            let mut pi = PastIntervals::new();
            for i in rep_four(true) {
                pi.add_interval(false, &i).unwrap();
            }
            pi
        }

        #[test]
        fn build_prior_blocks_on_a_down_witness_and_needs_up_thru() {
            let mut m = cluster(pool());
            m.mark_down(2);
            m.set_up_thru(0, 50);
            let cur = UpActing::new(&[0, 1], 0, &[0, 1], 0);
            let built = build_prior(&history(), &pool(), &m, OsdId(0), &cur, (5, 51), []).unwrap();
            assert!(built.prior.pg_down);
            assert_eq!(built.prior.blocked_by, BTreeMap::from([(OsdId(2), 0)]));
            assert_eq!(built.prior.probe, replicas(&[0, 1]));
            assert!(built.need_up_thru);
            let built = build_prior(&history(), &pool(), &m, OsdId(0), &cur, (5, 50), []).unwrap();
            assert!(!built.need_up_thru);
        }

        #[test]
        fn build_prior_refuses_a_peer_ahead_of_us_and_bad_vectors() {
            let m = cluster(pool());
            let cur = UpActing::new(&[0, 1], 0, &[0, 1], 0);
            let peers = [(pst(2), 9), (pst(1), 7), (pst(0), 3)];
            assert_eq!(
                build_prior(&history(), &pool(), &m, OsdId(0), &cur, (5, 51), peers),
                Err(IntervalError::PeerLesAhead {
                    peer: pst(1),
                    peer_les: 7,
                    les: 5
                })
            );
            let dup = UpActing::new(&[0, 0], 0, &[0, 1], 0);
            assert_eq!(
                build_prior(&history(), &pool(), &m, OsdId(0), &dup, (5, 51), []),
                Err(IntervalError::DuplicateOsd { osd: OsdId(0) })
            );
            let ec = PoolInfo::erasure(POOL, 2, 1, 4);
            assert_eq!(
                build_prior(&PastIntervals::new(), &ec, &m, OsdId(0), &cur, (5, 51), []),
                Err(IntervalError::EcVectorLength { len: 2, size: 3 })
            );
        }

        #[test]
        fn build_prior_accepts_peers_level_with_us() {
            // Ceph asserts only that no peer's history les is newer than ours: a peer
            // at our own les (5) passes, and the peers' les do not shape the prior set.
            let mut m = cluster(pool());
            m.mark_down(2);
            let cur = UpActing::new(&[0, 1], 0, &[0, 1], 0);
            let alone = build_prior(&history(), &pool(), &m, OsdId(0), &cur, (5, 51), []);
            let peers = [(pst(1), 5), (pst(2), 4)];
            let with_peers = build_prior(&history(), &pool(), &m, OsdId(0), &cur, (5, 51), peers);
            assert!(alone.is_ok());
            assert_eq!(with_peers, alone);
        }

        #[test]
        fn marking_the_blocker_lost_unblocks() {
            let mut m = cluster(pool());
            m.mark_down(2);
            let cur = UpActing::new(&[0, 1], 0, &[0, 1], 0);
            let before = build_prior(&history(), &pool(), &m, OsdId(0), &cur, (5, 51), []).unwrap();
            assert!(before.prior.pg_down);
            let mut next = m.next();
            next.mark_lost(2);
            assert!(before.prior.affected_by_map(&next));
            let after =
                build_prior(&history(), &pool(), &next, OsdId(0), &cur, (5, 51), []).unwrap();
            assert!(!after.prior.pg_down);
            assert!(after.prior.blocked_by.is_empty());
        }

        #[test]
        fn affected_by_map_cases() {
            let mut m = cluster(pool());
            m.mark_down(2);
            let cur = UpActing::new(&[0, 1], 0, &[0, 1], 0);
            let prior = build_prior(&history(), &pool(), &m, OsdId(0), &cur, (5, 51), [])
                .unwrap()
                .prior;
            // Nothing relevant changed.
            assert!(!prior.affected_by_map(&m.next()));
            // A probed OSD went down.
            let mut n = m.next();
            n.mark_down(1);
            assert!(prior.affected_by_map(&n));
            // A down OSD came back.
            let mut n = m.next();
            n.mark_up(2);
            assert!(prior.affected_by_map(&n));
            // A down OSD was removed.
            let mut n = m.next();
            n.remove_osd(2);
            assert!(prior.affected_by_map(&n));
            // An unrelated OSD going down does not matter.
            let mut n = m.next().with_up_osd(9, 1);
            n.mark_down(9);
            assert!(!prior.affected_by_map(&n));
        }

        #[test]
        fn probed_blocker_lost_at_change_or_removal_counts() {
            // A prior set where a probed OSD is also a blocker (hand-built, as Ceph's
            // checks allow): its removal or a new lost_at affects the set.
            let m = cluster(pool());
            let prior = PriorSet {
                ec_pool: false,
                probe: replicas(&[0, 1]),
                down: BTreeSet::new(),
                blocked_by: BTreeMap::from([(OsdId(1), 0)]),
                pg_down: true,
            };
            assert!(!prior.affected_by_map(&m));
            let mut n = m.clone();
            n.mark_lost(1);
            assert!(prior.affected_by_map(&n));
            let mut n = m.clone();
            n.remove_osd(1);
            assert!(prior.affected_by_map(&n));
        }
    }

    mod recoverable {
        use super::*;

        #[test]
        fn replicated_needs_any_shard() {
            let p = RecoverablePredicate::for_pool(&pool());
            assert_eq!(p, RecoverablePredicate::Replicated);
            assert!(!p.is_recoverable(&BTreeSet::new()));
            assert!(p.is_recoverable(&replicas(&[5])));
        }

        #[test]
        fn erasure_needs_k_distinct_shards() {
            let p = RecoverablePredicate::for_pool(&PoolInfo::erasure(POOL, 2, 1, 4));
            assert_eq!(p, RecoverablePredicate::Erasure { k: 2, m: 1 });
            let set = |v: &[(i32, i8)]| v.iter().map(|&(o, s)| psts(o, s)).collect::<BTreeSet<_>>();
            assert!(!p.is_recoverable(&set(&[(0, 0)])));
            assert!(p.is_recoverable(&set(&[(0, 0), (1, 2)])));
            // The same shard on two OSDs is one shard.
            assert!(!p.is_recoverable(&set(&[(0, 1), (1, 1)])));
            // Out-of-range shards do not count.
            assert!(!p.is_recoverable(&set(&[(0, 0), (1, 5)])));
        }
    }

    mod shard_sets {
        use super::*;

        #[test]
        fn ec_positions_become_shards_and_holes_vanish() {
            assert_eq!(
                to_shard_set(true, &osds(&[4, N, 6])).unwrap(),
                [psts(4, 0), psts(6, 2)].into_iter().collect()
            );
            assert_eq!(
                to_shard_set(false, &osds(&[6, N, 4])).unwrap(),
                replicas(&[4, 6])
            );
            assert_eq!(count_present(&osds(&[N, 1, N])), 1);
            assert_eq!(
                shard_at(false, 3),
                Ok(peering_core::types::ShardId::NO_SHARD)
            );
        }

        #[test]
        fn validate_vector_rules() {
            let ec = PoolInfo::erasure(POOL, 2, 1, 4);
            assert_eq!(validate_vector(&ec, &osds(&[])), Ok(()));
            assert_eq!(validate_vector(&ec, &osds(&[1, 1, N])), Ok(()));
            assert_eq!(
                validate_vector(&ec, &osds(&[1, 2, 3, 4])),
                Err(IntervalError::EcVectorLength { len: 4, size: 3 })
            );
            // Replicated vectors never hold holes (`_raw_to_up_osds` drops them).
            assert_eq!(
                validate_vector(&pool(), &osds(&[N, N])),
                Err(IntervalError::HoleInReplicatedVector)
            );
            assert_eq!(
                validate_vector(&pool(), &osds(&[-1])),
                Err(IntervalError::InvalidOsd { osd: OsdId(-1) })
            );
        }

        #[test]
        fn ec_vector_with_positions_past_a_shard_id_is_refused() {
            // `shard_id_t` is an int8_t: an EC pool of 200 shards has positions 128..
            // that no shard id names, so a full-length vector is refused at its last
            // position even though its length matches the pool.
            let wide = PoolInfo::erasure(POOL, 150, 50, 4);
            let full: Vec<i32> = (0..200).collect();
            assert_eq!(
                validate_vector(&wide, &osds(&full)),
                Err(IntervalError::ShardOutOfRange { index: 199 })
            );
            // Positions up to 127 fit.
            let fits = PoolInfo::erasure(POOL, 100, 28, 4);
            let full: Vec<i32> = (0..128).collect();
            assert_eq!(validate_vector(&fits, &osds(&full)), Ok(()));
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn vec_osds(max_len: usize) -> impl Strategy<Value = Vec<i32>> {
            prop::collection::vec(prop_oneof![4 => 0..8i32, 1 => Just(N)], 0..=max_len)
        }

        fn state() -> impl Strategy<Value = (PriorOsdState, u32)> {
            (
                prop_oneof![Just(Up), Just(Down), Just(Lost), Just(PriorOsdState::Dne)],
                0..60u32,
            )
        }

        /// Interval sequences: (length, acting, rw) with increasing epochs.
        fn history(ec: bool) -> impl Strategy<Value = Vec<PgInterval>> {
            prop::collection::vec((1..10u32, vec_osds(3), any::<bool>()), 0..8).prop_map(
                move |steps| {
                    let mut first = 1;
                    steps
                        .into_iter()
                        .map(|(len, mut acting, rw)| {
                            if ec {
                                acting.resize(3, N);
                            } else {
                                acting.sort();
                                acting.dedup();
                            }
                            let i =
                                PgInterval::new(&acting, &acting, first, first + len - 1, rw, 0, 0);
                            first += len;
                            i
                        })
                        .collect()
                },
            )
        }

        fn past(ec: bool, ivals: &[PgInterval]) -> PastIntervals {
            let mut pi = PastIntervals::new();
            for i in ivals {
                pi.add_interval(ec, i).unwrap();
            }
            pi
        }

        proptest! {
            #[test]
            fn probe_contains_current_up_and_acting(
                (ec, ivals) in any::<bool>().prop_flat_map(|ec| (Just(ec), history(ec))),
                states in prop::collection::vec(state(), 8),
                up in vec_osds(3),
                acting in vec_osds(3),
                les in 0..80u32,
                need in 0..4usize,
            ) {
                let pi = past(ec, &ivals);
                let prior = PriorSet::new(
                    &pi, ec, les,
                    &|h: &BTreeSet<PgShard>| h.len() >= need,
                    |_, o: OsdId| states.get(o.0 as usize).copied().unwrap_or((Up, 0)),
                    &osds(&up), &osds(&acting),
                ).unwrap();
                let current = to_shard_set(ec, &osds(&up)).unwrap();
                prop_assert!(current.is_subset(&prior.probe));
                let current = to_shard_set(ec, &osds(&acting)).unwrap();
                prop_assert!(current.is_subset(&prior.probe));
                // Every blocker is a down participant.
                for o in prior.blocked_by.keys() {
                    prop_assert!(prior.down.contains(o));
                }
                prop_assert_eq!(prior.pg_down, !prior.blocked_by.is_empty());
            }

            #[test]
            fn replicated_result_ignores_vector_order(
                ivals in history(false),
                states in prop::collection::vec(state(), 8),
                up in vec_osds(3),
                acting in vec_osds(3),
                les in 0..80u32,
                seed in any::<u64>(),
            ) {
                // Permute every replicated vector (interval acting, up, acting) and
                // the order peers' les arrive in: the prior set must not change.
                let rotate = |v: &mut Vec<i32>| {
                    if !v.is_empty() {
                        let k = (seed as usize) % v.len();
                        v.rotate_left(k);
                        if seed & 1 == 1 { v.reverse(); }
                    }
                };
                let permuted: Vec<PgInterval> = ivals.iter().map(|i| {
                    let mut a: Vec<i32> = i.acting.iter().map(|o| o.0).collect();
                    rotate(&mut a);
                    PgInterval::new(&a, &a, i.first, i.last, i.maybe_went_rw, 0, 0)
                }).collect();
                let (mut up2, mut acting2) = (up.clone(), acting.clone());
                rotate(&mut up2);
                rotate(&mut acting2);
                let classify = |_, o: OsdId| states.get(o.0 as usize).copied().unwrap_or((Up, 0));
                let pred = RecoverablePredicate::Replicated;
                let a = PriorSet::new(&past(false, &ivals), false, les, &pred, classify, &osds(&up), &osds(&acting)).unwrap();
                let b = PriorSet::new(&past(false, &permuted), false, les, &pred, classify, &osds(&up2), &osds(&acting2)).unwrap();
                prop_assert_eq!(a, b);
                prop_assert_eq!(past(false, &ivals), past(false, &permuted));
            }

            #[test]
            fn peer_order_does_not_change_the_refusal(
                peers in prop::collection::vec((0..6i32, 0..20u32), 0..6),
                les in 0..20u32,
            ) {
                let m = super::cluster(pool());
                let cur = UpActing::new(&[0, 1], 0, &[0, 1], 0);
                let fwd: Vec<_> = peers.iter().map(|&(o, l)| (pst(o), l)).collect();
                let mut rev = fwd.clone();
                rev.reverse();
                let pi = PastIntervals::new();
                prop_assert_eq!(
                    build_prior(&pi, &pool(), &m, OsdId(0), &cur, (les, les), fwd),
                    build_prior(&pi, &pool(), &m, OsdId(0), &cur, (les, les), rev)
                );
            }
        }
    }

    #[cfg(feature = "serde")]
    mod serde_round_trip {
        use super::*;
        use peering_core::map::StretchRule;
        use serde::{Serialize, de::DeserializeOwned};

        fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: T) {
            let bytes = postcard::to_allocvec(&v).unwrap();
            let back: T = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(back, v);
        }

        #[test]
        fn every_public_type() {
            let mut pi = PastIntervals::new();
            for i in rep_four(true) {
                pi.add_interval(false, &i).unwrap();
            }
            round_trip(pi.intervals()[0].clone());
            round_trip(pi);
            round_trip(iv(&[0, N, 2], 3, 9, true));
            round_trip(UpActing::new(&[1, 2], 1, &[2, 1], 2));
            round_trip(IntervalParams {
                stretch: StretchRule {
                    bucket_count: 2,
                    ..StretchRule::default()
                },
                ..IntervalParams::default()
            });
            let prior = PriorSet {
                ec_pool: true,
                probe: [psts(1, 0)].into_iter().collect(),
                down: [OsdId(2)].into_iter().collect(),
                blocked_by: BTreeMap::from([(OsdId(2), 7)]),
                pg_down: true,
            };
            round_trip(BuiltPrior {
                prior: prior.clone(),
                need_up_thru: true,
            });
            round_trip(prior);
            for s in [Up, Down, Lost, PriorOsdState::Dne] {
                round_trip(s);
            }
            for r in [
                RwReason::ActingSetTooSmall,
                RwReason::PrimaryUpThruIncludesInterval,
                RwReason::IncludesLastEpochClean,
                RwReason::PrimaryUpDoesNotIncludeInterval,
            ] {
                round_trip(r);
                round_trip(ClosedInterval {
                    interval: iv(&[4], 1, 2, r.maybe_went_rw()),
                    reason: r,
                });
            }
            round_trip(BoundsCheck::Consistent);
            round_trip(BoundsCheck::UnexpectedIntervals);
            round_trip(RecoverablePredicate::Replicated);
            round_trip(RecoverablePredicate::Erasure { k: 4, m: 2 });
            for e in [
                IntervalError::NotAfterLast {
                    last: 1,
                    recorded: 2,
                },
                IntervalError::InvertedInterval { first: 3, last: 2 },
                IntervalError::DuplicateOsd { osd: OsdId(1) },
                IntervalError::InvalidOsd { osd: OsdId(-3) },
                IntervalError::EcVectorLength { len: 2, size: 3 },
                IntervalError::ShardOutOfRange { index: 200 },
                IntervalError::ZeroPoolSize { pool: 4 },
                IntervalError::PeerLesAhead {
                    peer: pst(1),
                    peer_les: 9,
                    les: 3,
                },
                IntervalError::RequiredButEmpty { start: 1, end: 5 },
                IntervalError::StartAfterRequired {
                    start: 4,
                    required: 2,
                },
                IntervalError::EndMismatch {
                    end: 4,
                    required: 6,
                },
            ] {
                round_trip(e);
            }
        }
    }
}
