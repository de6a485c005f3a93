//! Replicated stretch pools: `pg_pool_t::stretch_set_can_peer`,
//! `PeeringState::calc_replicated_acting_stretch`, and their place in
//! `choose_acting` and `choose_async_recovery_replicated`.
//!
//! The sites of every test: dc0 (-10) holds osd.0, 1, 2 and 6; dc1 (-11)
//! holds osd.3, 4, 5 and 7 (the fixture of Ceph's stretch tests); dc2 (-12)
//! holds osd.8 and 9.

mod acting_support;

mod stretch {
    use super::acting_support::*;
    use peering_core::acting::{
        ActingError, ActingOutcome, ChooseActingRequest, PeerMissingCounts, PgTempRequest,
        StretchBuckets, calc_replicated_acting_stretch, choose_acting,
        choose_async_recovery_replicated, stretch_set_can_peer,
    };
    use peering_core::map::{PoolInfo, StretchRule};
    use peering_core::types::{OsdId, PgShard};
    use std::collections::BTreeSet;

    const DC0: i32 = -10;
    const DC1: i32 = -11;
    const DC2: i32 = -12;
    const NONE: i32 = -1; // a hole in `vec_of`

    fn buckets() -> StretchBuckets {
        let mut b = StretchBuckets::new();
        for (osds, dc) in [
            (&[0, 1, 2, 6][..], DC0),
            (&[3, 4, 5, 7], DC1),
            (&[8, 9], DC2),
        ] {
            for &o in osds {
                b.insert(OsdId(o), dc);
            }
        }
        b
    }

    /// A replicated stretch pool: `count` sites, `target` of them planned
    /// for (`bucket_max = ceil(size / target)`), barrier type 8.
    fn stretch_pool(size: u32, count: u32, target: u32) -> PoolInfo {
        let mut pool = pool_rep(size);
        pool.min_size = size / 2;
        pool.stretch = Some(StretchRule {
            bucket_count: count,
            bucket_target: target,
            bucket_barrier: 8,
            mandatory_member: i32::MAX,
            num_zones: 0,
        });
        pool
    }

    /// An erasure-coded `k + m` stretch pool over two sites, two zone blocks.
    fn ec_stretch_pool(k: u32, m: u32, min_size: u32) -> PoolInfo {
        let mut pool = PoolInfo::erasure(1, k, m, 8);
        pool.min_size = min_size;
        pool.stretch = Some(StretchRule {
            bucket_count: 2,
            bucket_target: 2,
            bucket_barrier: 9,
            mandatory_member: i32::MAX,
            num_zones: 2,
        });
        pool
    }

    fn can_peer(pool: &PoolInfo, osds: &[i32]) -> bool {
        let b = buckets();
        stretch_set_can_peer(pool, &vec_of(osds), |o| b.bucket_of(o))
    }

    fn set(shards: &[PgShard]) -> BTreeSet<PgShard> {
        shards.iter().copied().collect()
    }

    fn calc(
        pool: &PoolInfo,
        up: &[i32],
        acting: &[i32],
        pairs: &[(PgShard, peering_core::types::PgInfo)],
        restrict: bool,
    ) -> Result<peering_core::acting::WantSets, ActingError> {
        calc_replicated_acting_stretch(
            rep(up[0]),
            Default::default(),
            pool,
            &vec_of(acting),
            &vec_of(up),
            &infos(pairs),
            restrict,
            &buckets(),
        )
    }

    mod can_peer {
        use super::*;

        /// `StretchSetCanPeerTest`: two sites are needed; a set within one
        /// site, or an empty one, cannot peer.
        #[test]
        fn two_sites_are_needed() {
            let pool = stretch_pool(6, 2, 2);
            assert!(can_peer(&pool, &[0, 1, 3, 4]));
            assert!(!can_peer(&pool, &[0, 1, 2]));
            assert!(!can_peer(&pool, &[]));
            assert!(can_peer(&pool, &[0, NONE, 3, NONE]));
            assert!(!can_peer(&pool, &[0, 1, 2, NONE]));
        }

        /// `StretchECMinSizeTest.StretchSetCanPeer_NoneEntriesAndMandatoryMember`:
        /// holes count for no site (Ceph 16 would count them as a bucket 0).
        #[test]
        fn holes_count_for_no_site() {
            let pool = stretch_pool(6, 2, 2);
            assert!(!can_peer(&pool, &[0, 1, 2, NONE, NONE, NONE]));
            assert!(can_peer(&pool, &[0, NONE, NONE, 3, NONE, NONE]));
            assert!(!can_peer(&pool, &[NONE; 6]));
            // An OSD the map places in no site is in Ceph's pseudo-bucket 0.
            assert!(can_peer(&pool, &[0, 42]));
            assert!(!can_peer(&pool, &[42, 43]));
        }

        /// The mandatory member must be among the sites, whatever the count.
        #[test]
        fn the_mandatory_site_must_be_present() {
            let mut pool = stretch_pool(6, 2, 2);
            pool.stretch.as_mut().unwrap().mandatory_member = DC0;
            assert!(!can_peer(&pool, &[3, 4, 5]));
            assert!(can_peer(&pool, &[0, 3]));
            let mut degraded = stretch_pool(6, 1, 1);
            degraded.stretch.as_mut().unwrap().mandatory_member = DC1;
            assert!(!can_peer(&degraded, &[0, 1, 2, NONE, NONE, NONE]));
            assert!(can_peer(&degraded, &[NONE, NONE, NONE, 3, 4, 5]));
            assert!(can_peer(&degraded, &[NONE, NONE, NONE, 3, NONE, NONE]));
        }

        /// `is_stretch_pool()` is `peering_crush_bucket_count != 0`; any set
        /// peers in a pool that is not one.
        #[test]
        fn not_a_stretch_pool_always_peers() {
            assert!(can_peer(&stretch_pool(3, 0, 2), &[0]));
            assert!(can_peer(&pool_rep(3), &[]));
        }
    }

    mod calc {
        use super::*;

        /// Step 1: a usable up set of the pool's size is taken as it is,
        /// whatever its spread (CRUSH placed it).
        #[test]
        fn a_sufficient_up_set_is_kept() {
            let pool = stretch_pool(4, 2, 2);
            let pairs: Vec<_> = [0, 1, 3, 4]
                .iter()
                .map(|&o| (rep(o), info(5, 10)))
                .collect();
            let sets = calc(&pool, &[0, 3, 1, 4], &[0, 3, 1, 4], &pairs, false).unwrap();
            assert_eq!(sets.want, vec_of(&[0, 3, 1, 4]));
            assert!(sets.backfill.is_empty());
            assert_eq!(sets.acting_backfill, set(&[rep(0), rep(1), rep(3), rep(4)]));
        }

        /// After losing dc1, a size-4 pool planned for two sites takes at
        /// most `ceil(4 / 2) = 2` copies from dc0 and stays undersized rather
        /// than crowding four into the survivor.
        #[test]
        fn a_lost_site_leaves_the_pool_undersized() {
            let pool = stretch_pool(4, 2, 2);
            let pairs: Vec<_> = [0, 1, 2, 6]
                .iter()
                .map(|&o| (rep(o), info(5, 10)))
                .collect();
            let sets = calc(&pool, &[0, 1], &[0, 1], &pairs, false).unwrap();
            assert_eq!(sets.want, vec_of(&[0, 1]));
            let sets = calc(&pool, &[0], &[0], &pairs, false).unwrap();
            assert_eq!(sets.want.len(), 2, "one more from dc0, then its cap");
        }

        /// Step 1: an up OSD that cannot be log-recovered is a backfill
        /// target, in `acting_backfill` but not in `want`.
        #[test]
        fn an_unusable_up_osd_is_backfilled() {
            let pool = stretch_pool(4, 2, 2);
            let pairs = [
                (rep(0), info(5, 10)),
                (rep(3), info(5, 10).incomplete()),
                (rep(4), info(5, 10)),
                (rep(1), info(5, 10)),
            ];
            let sets = calc(&pool, &[0, 3, 1], &[0, 4, 1], &pairs, false).unwrap();
            assert_eq!(sets.want, vec_of(&[0, 1, 4]));
            assert_eq!(sets.backfill, set(&[rep(3)]));
            assert_eq!(sets.acting_backfill, set(&[rep(0), rep(1), rep(3), rep(4)]));
        }

        /// Step 2 sorts candidates ascending: acting before others, then the
        /// *oldest* usable `last_update` first (Ceph's literal order, though
        /// its comment speaks of preferring larger ones).
        #[test]
        fn candidates_come_acting_first_then_oldest_first() {
            let pool = stretch_pool(2, 1, 1);
            let pairs = [
                (rep(0), info(5, 10)),
                (rep(1), info(5, 9)),
                (rep(2), info(5, 7)),
                (rep(6), info(5, 3)),
            ];
            let sets = calc(&pool, &[0], &[0, 1, 2], &pairs, false).unwrap();
            assert_eq!(
                sets.want,
                vec_of(&[0, 2]),
                "acting osd.2 (5'7) before osd.1 (5'9)"
            );
            let sets = calc(&pool, &[0], &[0], &pairs, false).unwrap();
            assert_eq!(
                sets.want,
                vec_of(&[0, 6]),
                "among strays, osd.6 (5'3) first"
            );
        }

        /// `restrict_to_up_acting` offers only the acting OSDs.
        #[test]
        fn restrict_to_up_acting_excludes_strays() {
            let pool = stretch_pool(4, 2, 2);
            let pairs: Vec<_> = [0, 1, 3, 4]
                .iter()
                .map(|&o| (rep(o), info(5, 10)))
                .collect();
            let sets = calc(&pool, &[0], &[0, 3], &pairs, true).unwrap();
            assert_eq!(sets.want, vec_of(&[0, 3]));
            let sets = calc(&pool, &[0], &[0, 3], &pairs, false).unwrap();
            assert_eq!(sets.want.len(), 4);
        }

        /// The heap of sites: fewest selected first, ties broken as
        /// libstdc++'s `std::push_heap`/`std::pop_heap` order equal keys. The
        /// expected vectors were computed by a C++ program running Ceph's
        /// `bucket_candidates_t` ordering on libstdc++'s heap, not by this
        /// crate.
        #[test]
        fn sites_are_drawn_in_libstdcxx_heap_order() {
            // Three sites of two each (size 6, target 3): osd.0 of dc0 is the
            // primary; all candidates are equally recent.
            let mut b = StretchBuckets::new();
            for (o, dc) in [(0, DC0), (1, DC0), (2, DC0), (3, DC1), (4, DC1), (5, DC1)] {
                b.insert(OsdId(o), dc);
            }
            for (o, dc) in [(6, DC2), (7, DC2), (8, DC2)] {
                b.insert(OsdId(o), dc);
            }
            let pool = stretch_pool(6, 3, 3);
            let pairs: Vec<_> = (0..9).map(|o| (rep(o), info(5, 5))).collect();
            let sets = calc_replicated_acting_stretch(
                rep(0),
                Default::default(),
                &pool,
                &vec_of(&[0, 3, 6, 1, 4, 7]),
                &vec_of(&[0]),
                &infos(&pairs),
                false,
                &b,
            )
            .unwrap();
            assert_eq!(sets.want, vec_of(&[0, 6, 3, 1, 7, 4]));

            // Five sites, size 8, two per site, candidates of mixed age.
            let mut b = StretchBuckets::new();
            let sites = [
                (0, -10),
                (1, -10),
                (10, -10),
                (2, -11),
                (6, -11),
                (3, -12),
                (7, -12),
                (4, -13),
                (8, -13),
                (5, -14),
                (9, -14),
                (11, -14),
            ];
            for (o, dc) in sites {
                b.insert(OsdId(o), dc);
            }
            let mut pool = stretch_pool(8, 5, 4);
            pool.min_size = 1;
            let lu = [5, 7, 5, 5, 5, 5, 5, 9, 5, 3, 5, 5];
            let pairs: Vec<_> = (0..12).map(|o| (rep(o), info(5, lu[o as usize]))).collect();
            let sets = calc_replicated_acting_stretch(
                rep(0),
                Default::default(),
                &pool,
                &vec_of(&[0, 1, 2, 3, 4, 5, 11]),
                &vec_of(&[0]),
                &infos(&pairs),
                false,
                &b,
            )
            .unwrap();
            assert_eq!(sets.want, vec_of(&[0, 5, 3, 4, 2, 7, 8, 6]));
        }

        /// Step 3: a mandatory site not yet represented gives its first
        /// candidate before the heap runs (computed as above).
        #[test]
        fn the_mandatory_site_is_served_first() {
            let mut pool = stretch_pool(4, 2, 2);
            pool.stretch.as_mut().unwrap().mandatory_member = DC2;
            let pairs: Vec<_> = [0, 1, 3, 7, 8, 9]
                .iter()
                .map(|&o| (rep(o), info(5, 5)))
                .collect();
            let sets = calc(&pool, &[0, 1], &[0, 1, 3, 7], &pairs, false).unwrap();
            assert_eq!(sets.want, vec_of(&[0, 1, 8, 3]));
        }

        /// Bad input: a missing info for an OSD Ceph assumes has one, and a
        /// zero bucket target (Ceph divides by it).
        #[test]
        fn bad_input_gets_typed_errors() {
            let pool = stretch_pool(4, 2, 2);
            let err = calc(&pool, &[0, 3], &[0], &[(rep(0), info(5, 5))], false);
            assert_eq!(err, Err(ActingError::MissingInfo { shard: rep(3) }));
            let zero = stretch_pool(4, 2, 0);
            let err = calc(&zero, &[0], &[0], &[(rep(0), info(5, 5))], false);
            assert_eq!(err, Err(ActingError::StretchTargetZero));
        }
    }

    mod choose {
        use super::*;

        /// `choose_acting` dispatches a stretch pool to the stretch rule and
        /// asks for the `pg_temp` it wants (computed as above).
        #[test]
        fn choose_acting_fills_the_sites_and_asks_for_a_pg_temp() {
            let pool = stretch_pool(4, 2, 2);
            let pairs: Vec<_> = [0, 1, 4, 5].iter().map(|&o| (rep(o), info(5, 5))).collect();
            let req = ChooseActingRequest {
                stretch_buckets: buckets(),
                ..ChooseActingRequest::default()
            };
            let ua = placement(&[0, 4], &[0, 4]);
            let c = choose_acting(
                rep(0),
                &infos(&pairs),
                &ua,
                &pool,
                &req,
                &PeerMissingCounts::new(),
            )
            .unwrap();
            assert_eq!(c.outcome, ActingOutcome::NeedActingChange);
            assert_eq!(c.want, vec_of(&[0, 4, 5, 1]));
            assert_eq!(c.pg_temp, PgTempRequest::Set(vec_of(&[0, 4, 5, 1])));
        }

        /// An erasure-coded stretch pool goes to `calc_ec_acting_stretch`: with
        /// osd.1 gone, osd.7 holds shard 1 but sits in dc1, and the block of
        /// shards 0–2 is dc0's, so the hole stays (Ceph's
        /// `UpBehindLog_ActingAbsent_StrayWrongZone_NoFill`); plain
        /// `calc_ec_acting` would take osd.7.
        #[test]
        fn choose_acting_takes_the_ec_stretch_rule_for_ec_stretch_pools() {
            let mut pool = ec_stretch_pool(4, 2, 5);
            let mut pairs: Vec<_> = [0, 2, 3, 4, 5]
                .iter()
                .map(|&i| (ec(i, i as i8), info(1, 5)))
                .collect();
            pairs.push((ec(7, 1), info(1, 5)));
            let run = |pool: &PoolInfo| {
                let req = ChooseActingRequest {
                    stretch_buckets: buckets(),
                    ..ChooseActingRequest::default()
                };
                let ua = ec_placement(&[0, NONE, 2, 3, 4, 5], &[0, NONE, 2, 3, 4, 5]);
                choose_acting(
                    ec(0, 0),
                    &infos(&pairs),
                    &ua,
                    pool,
                    &req,
                    &PeerMissingCounts::new(),
                )
                .unwrap()
            };
            let c = run(&pool);
            assert_eq!(c.outcome, ActingOutcome::Proceed);
            assert_eq!(c.want, vec_of(&[0, NONE, 2, 3, 4, 5]));
            pool.stretch = None;
            assert_eq!(run(&pool).want, vec_of(&[0, 7, 2, 3, 4, 5]));
        }

        /// `choose_async_recovery_ec` on a stretch pool (Ceph's EC stretch
        /// branch): osd.0, the costliest, is the last of dc0 and stays; as it
        /// was not taken out the count does not drop, so osd.4 may still go.
        /// (Mainline's count, dropping for every candidate, would keep it.)
        #[test]
        fn ec_async_recovery_keeps_a_site_and_counts_only_removals() {
            let pool = ec_stretch_pool(2, 4, 3);
            let all = infos(&[
                (ec(0, 0), info(5, 50)),
                (ec(3, 3), info(5, 500)),
                (ec(4, 4), info(5, 200)),
                (ec(5, 5), info(5, 500)),
            ]);
            let ua = ec_placement(&[0, NONE, NONE, 3, 4, 5], &[0, NONE, NONE, 3, 4, 5]);
            let mut want = vec_of(&[0, NONE, NONE, 3, 4, 5]);
            let targets = peering_core::acting::choose_async_recovery_ec(
                &all,
                &all[&ec(5, 5)],
                &mut want,
                &ua,
                &pool,
                &Default::default(),
                &PeerMissingCounts::new(),
                &buckets(),
            )
            .unwrap();
            assert_eq!(targets, set(&[ec(4, 4)]));
            assert_eq!(want, vec_of(&[0, NONE, NONE, 3, NONE, 5]));
        }

        /// `choose_async_recovery_replicated` removes a costly replica only
        /// when the rest still spans the sites.
        #[test]
        fn async_recovery_keeps_the_last_member_of_a_site() {
            let pool = stretch_pool(4, 2, 2);
            let all = infos(&[
                (rep(0), info(5, 500)),
                (rep(1), info(5, 500)),
                (rep(2), info(5, 300)),
                (rep(3), info(5, 300)),
            ]);
            let ua = placement(&[0, 1, 2, 3], &[0, 1, 2, 3]);
            let mut want = vec_of(&[0, 1, 2, 3]);
            let targets = choose_async_recovery_replicated(
                &all,
                &all[&rep(0)],
                &mut want,
                &ua,
                &pool,
                &Default::default(),
                &PeerMissingCounts::new(),
                &buckets(),
            )
            .unwrap();
            // osd.3 (the greater shard of equal cost) would leave dc1 empty;
            // osd.2 may go.
            assert_eq!(targets, set(&[rep(2)]));
            assert_eq!(want, vec_of(&[0, 1, 3]));
        }
    }
}
