//! New-interval detection, `check_new_interval` and the compact `PastIntervals`,
//! re-derived from what Ceph's `src/test/osd/types.cc` checks (`pg_interval_t.
//! check_new_interval`, `pi_compact_rep` instances) plus the rules of §5.1–5.6.

mod intervals_support;

mod past_intervals {
    use super::intervals_support::*;

    use peering_core::intervals::*;
    use peering_core::map::{MapFlags, OsdMapView, PoolInfo, SimpleOsdMap, StretchRule};
    use peering_core::types::{OsdId, PgHistory, PgId};

    fn any_stretch(_: &PoolInfo, _: &[OsdId]) -> bool {
        true
    }

    /// `check_new_interval` with the replicated backend's predicate.
    fn check(
        old: &UpActing,
        new: &UpActing,
        lec: u32,
        osdmap: &SimpleOsdMap,
        lastmap: &SimpleOsdMap,
        pgid: PgId,
        pi: &mut PastIntervals,
    ) -> Result<Option<ClosedInterval>, IntervalError> {
        check_new_interval(
            (old, new),
            SIS,
            lec,
            (osdmap, lastmap),
            pgid,
            (&RecoverablePredicate::Replicated, &any_stretch),
            pi,
        )
    }

    /// `check_new_interval` from `old` to `new` (`same_interval_since` and
    /// `last_epoch_clean` as in Ceph's test) with a backend predicate of the
    /// test's choosing.
    fn check_asking(
        (old, new): (&UpActing, &UpActing),
        (osdmap, lastmap): (&SimpleOsdMap, &SimpleOsdMap),
        recoverable: &dyn IsPgRecoverable,
        pi: &mut PastIntervals,
    ) -> Result<Option<ClosedInterval>, IntervalError> {
        check_new_interval(
            (old, new),
            SIS,
            SIS,
            (osdmap, lastmap),
            pgid(0),
            (recoverable, &any_stretch),
            pi,
        )
    }

    /// Runs `check` from the base mapping and maps with the given changes and
    /// returns whether an interval closed, asserting the history gained exactly one
    /// epoch range when it did.
    fn closes(new: &UpActing, osdmap: &SimpleOsdMap, lastmap: &SimpleOsdMap, pgid: PgId) -> bool {
        let mut pi = PastIntervals::new();
        assert!(pi.is_empty());
        let r = check(&base_mapping(), new, SIS, osdmap, lastmap, pgid, &mut pi).unwrap();
        match r {
            Some(c) => {
                assert_eq!((c.interval.first, c.interval.last), (SIS, EPOCH - 1));
                assert_eq!(pi.bounds(), (SIS, EPOCH));
                true
            }
            None => {
                assert!(pi.is_empty());
                false
            }
        }
    }

    /// `closes` for a change of the mapping alone, maps and PG as in the base case.
    fn closes_after(change: impl FnOnce(&mut UpActing)) -> bool {
        let mut new = base_mapping();
        change(&mut new);
        closes(&new, &base_map(), &base_map(), pgid(0))
    }

    fn pool_with(f: impl FnOnce(&mut PoolInfo)) -> PoolInfo {
        let mut p = pool();
        f(&mut p);
        p
    }

    fn map_of(f: impl FnOnce(&mut PoolInfo)) -> SimpleOsdMap {
        map_with(pool_with(f), EPOCH, EPOCH)
    }

    mod check_new_interval_cases {
        use super::*;

        #[test]
        fn nothing_changed_is_not_a_new_interval() {
            assert!(!closes(&base_mapping(), &base_map(), &base_map(), pgid(0)));
        }

        #[test]
        fn acting_set_changed() {
            assert!(closes_after(
                |m| m.acting = [OsdId(OSD + 1)].into_iter().collect()
            ));
        }

        #[test]
        fn acting_order_alone_is_a_change() {
            assert!(closes_after(|m| m.acting.reverse()));
        }

        #[test]
        fn up_set_changed() {
            assert!(closes_after(
                |m| m.up = [OsdId(OSD + 1)].into_iter().collect()
            ));
        }

        #[test]
        fn up_primary_changed() {
            assert!(closes_after(|m| m.up_primary = OsdId(OSD + 1)));
        }

        #[test]
        fn acting_primary_changed() {
            assert!(closes_after(|m| m.acting_primary = OsdId(OSD + 1)));
        }

        #[test]
        fn pg_is_splitting() {
            // 4 -> 6 PGs splits seed 0 (child 4) but not seed 3 (its child 7 >= 6).
            let split = map_of(|p| {
                p.pg_num = 6;
                p.pg_num_pending = 6;
            });
            assert!(closes(&base_mapping(), &split, &base_map(), pgid(0)));
            assert!(!closes(&base_mapping(), &split, &base_map(), pgid(3)));
        }

        /// Ceph's "PG is / was pre-merge source", "merge source", "is / was
        /// pre-merge target", "merge target" cases: pool 4 -> 3 folds seed 3 into
        /// seed 1. "Was" runs the maps in reverse (pending goes back to 4). Seeds 0
        /// and 2 are bystanders.
        #[test]
        fn merge_sources_and_targets() {
            let pending = map_of(|p| p.pg_num_pending = 3);
            let merged = map_of(|p| p.pg_num = 3);
            let base = base_map();
            let cases = [
                ("is pre-merge source", &pending, &base, 3, true),
                ("was pre-merge source", &base, &pending, 3, true),
                ("is merge source", &merged, &base, 3, true),
                ("is pre-merge target", &pending, &base, 1, true),
                ("was pre-merge target", &base, &pending, 1, true),
                ("is merge target", &merged, &base, 1, true),
                ("bystander", &pending, &base, 0, false),
                ("bystander", &pending, &base, 2, false),
            ];
            for (what, osdmap, lastmap, seed, want) in cases {
                assert_eq!(
                    closes(&base_mapping(), osdmap, lastmap, pgid(seed)),
                    want,
                    "{what} {seed}"
                );
            }
        }

        #[test]
        fn pool_min_size_changed() {
            let m = map_of(|p| p.min_size = 3);
            assert!(closes(&base_mapping(), &m, &base_map(), pgid(0)));
        }

        #[test]
        fn pool_size_changed() {
            let m = map_of(|p| p.size = 4);
            assert!(closes(&base_mapping(), &m, &base_map(), pgid(0)));
        }

        #[test]
        fn sortbitwise_or_recovery_deletes_flipped() {
            for flag in [MapFlags::SORTBITWISE, MapFlags::RECOVERY_DELETES] {
                let mut m = base_map();
                m.flags = MapFlags(m.flags.0 & !flag.0);
                assert!(closes(&base_mapping(), &m, &base_map(), pgid(0)));
            }
            // Other flags do not matter.
            let mut m = base_map();
            m.flags = m.flags.with(MapFlags::NOOUT);
            assert!(!closes(&base_mapping(), &m, &base_map(), pgid(0)));
        }

        #[test]
        fn any_stretch_field_changed() {
            let base = StretchRule {
                bucket_count: 2,
                bucket_target: 2,
                bucket_barrier: 8,
                mandatory_member: -3,
                num_zones: 0,
            };
            let changes: [fn(&mut StretchRule); 4] = [
                |s| s.bucket_count = 3,
                |s| s.bucket_target = 3,
                |s| s.bucket_barrier = 9,
                |s| s.mandatory_member = -4,
            ];
            let last = map_of(|p| p.stretch = Some(base));
            assert!(!closes(&base_mapping(), &last, &last, pgid(0)));
            for change in changes {
                let mut rule = base;
                change(&mut rule);
                let new = map_of(|p| p.stretch = Some(rule));
                assert!(closes(&base_mapping(), &new, &last, pgid(0)));
            }
        }

        #[test]
        fn pool_deleted_this_epoch_is_the_final_change() {
            let mut gone = base_map();
            gone.pools.clear();
            assert!(closes(&base_mapping(), &gone, &base_map(), pgid(0)));
        }

        #[test]
        fn pool_already_deleted_has_no_more_intervals() {
            let mut gone = base_map();
            gone.pools.clear();
            let mut new = base_mapping();
            new.acting.clear();
            assert!(!closes(&new, &base_map(), &gone, pgid(0)));
        }
    }

    mod maybe_went_rw {
        use super::*;

        fn closed(
            old: &UpActing,
            lec: u32,
            osdmap: &SimpleOsdMap,
            lastmap: &SimpleOsdMap,
        ) -> (ClosedInterval, PastIntervals) {
            let mut new = base_mapping();
            new.acting = [OsdId(OSD + 4), OsdId(OSD + 5)].into_iter().collect();
            let mut pi = PastIntervals::new();
            let c = check(old, &new, lec, osdmap, lastmap, pgid(0), &mut pi)
                .unwrap()
                .unwrap();
            (c, pi)
        }

        #[test]
        fn empty_old_acting_set_is_too_small() {
            let mut old = base_mapping();
            old.acting.clear();
            let (c, pi) = closed(&old, SIS, &base_map(), &base_map());
            assert_eq!(c.reason, RwReason::ActingSetTooSmall);
            assert!(!c.interval.maybe_went_rw);
            // Recorded, but not kept as a maybe-rw interval.
            assert!(!pi.is_empty());
            assert_eq!(pi.len(), 0);
            assert!(pi.all_participants().is_empty());
        }

        #[test]
        fn empty_old_acting_set_is_too_small_whatever_min_size_and_backend_say() {
            // Ceph's first condition is `num_acting` itself: with no member the
            // interval cannot have gone read-write, even with min_size 0 and a
            // backend that calls anything recoverable (the primary's up_thru
            // would otherwise make it read-write).
            let mut old = base_mapping();
            old.acting.clear();
            let lastmap = map_of(|p| p.min_size = 0);
            let anything = |_: &std::collections::BTreeSet<_>| true;
            let mut new = base_mapping();
            new.acting = [OsdId(OSD + 4)].into_iter().collect();
            let mut pi = PastIntervals::new();
            let c = check_asking((&old, &new), (&base_map(), &lastmap), &anything, &mut pi)
                .unwrap()
                .unwrap();
            assert_eq!(c.reason, RwReason::ActingSetTooSmall);
            assert!(!c.interval.maybe_went_rw);
        }

        #[test]
        fn old_acting_below_the_old_pools_min_size_is_too_small() {
            // Ceph bug 5780: compare with lastmap's min_size (2), not the new one (1).
            let mut old = base_mapping();
            old.acting = [OsdId(OSD)].into_iter().collect();
            let new_map = map_of(|p| p.min_size = 1);
            let (c, pi) = closed(&old, SIS, &new_map, &base_map());
            assert_eq!(c.reason, RwReason::ActingSetTooSmall);
            assert_eq!(pi.all_participants(), &replicas(&[OSD]));
        }

        #[test]
        fn no_primary_is_too_small() {
            let mut old = base_mapping();
            old.acting_primary = OsdId::UNDEF;
            let (c, _) = closed(&old, SIS, &base_map(), &base_map());
            assert_eq!(c.reason, RwReason::ActingSetTooSmall);
        }

        #[test]
        fn unrecoverable_acting_set_is_too_small() {
            let mut new = base_mapping();
            new.acting.clear();
            let mut pi = PastIntervals::new();
            let never = |_: &std::collections::BTreeSet<_>| false;
            let c = check_asking(
                (&base_mapping(), &new),
                (&base_map(), &base_map()),
                &never,
                &mut pi,
            )
            .unwrap()
            .unwrap();
            assert_eq!(c.reason, RwReason::ActingSetTooSmall);
        }

        #[test]
        fn stretch_pool_must_satisfy_its_peering_constraint() {
            let stretch = StretchRule {
                bucket_count: 2,
                ..StretchRule::default()
            };
            let m = map_of(|p| p.stretch = Some(stretch));
            let mut new = base_mapping();
            new.acting.clear();
            for (can_peer, reason) in [
                (false, RwReason::ActingSetTooSmall),
                (true, RwReason::PrimaryUpThruIncludesInterval),
            ] {
                let pred = move |p: &PoolInfo, acting: &[OsdId]| {
                    assert_eq!(p.stretch, Some(stretch));
                    assert_eq!(acting, &osds(&[OSD, OSD + 1])[..]);
                    can_peer
                };
                let mut pi = PastIntervals::new();
                let c = check_new_interval(
                    (&base_mapping(), &new),
                    SIS,
                    SIS,
                    (&m, &m),
                    pgid(0),
                    (&RecoverablePredicate::Replicated, &pred),
                    &mut pi,
                )
                .unwrap()
                .unwrap();
                assert_eq!(c.reason, reason);
            }
        }

        #[test]
        fn primary_up_thru_includes_interval() {
            let (c, pi) = closed(&base_mapping(), SIS, &base_map(), &base_map());
            assert_eq!(c.reason, RwReason::PrimaryUpThruIncludesInterval);
            assert!(c.interval.maybe_went_rw);
            assert_eq!(c.interval.acting.as_slice(), &osds(&[OSD, OSD + 1])[..]);
            assert_eq!(c.interval.primary, OsdId(OSD));
            assert_eq!(pi.len(), 1);
            assert_eq!(pi.intervals()[0].acting, replicas(&[OSD, OSD + 1]));
            assert_eq!(
                (pi.intervals()[0].first, pi.intervals()[0].last),
                (SIS, SIS)
            );
        }

        #[test]
        fn primary_not_up_but_lec_inside_interval_is_presumed_rw() {
            let lastmap = map_with(pool(), EPOCH, SIS - 10);
            let (c, pi) = closed(&base_mapping(), SIS, &base_map(), &lastmap);
            assert_eq!(c.reason, RwReason::IncludesLastEpochClean);
            assert!(c.interval.maybe_went_rw);
            assert_eq!(pi.len(), 1);
        }

        #[test]
        fn primary_not_up_and_lec_before_interval_cannot_have_been_rw() {
            let lastmap = map_with(pool(), EPOCH, SIS - 10);
            let (c, pi) = closed(&base_mapping(), SIS - 10, &base_map(), &lastmap);
            assert_eq!(c.reason, RwReason::PrimaryUpDoesNotIncludeInterval);
            assert!(!c.interval.maybe_went_rw);
            assert_eq!(pi.len(), 0);
            assert_eq!(pi.all_participants(), &replicas(&[OSD, OSD + 1]));
        }

        #[test]
        fn primary_that_came_up_after_the_interval_start_does_not_count() {
            // up_thru covers the start, but up_from is after it: a restarted primary.
            let mut lastmap = base_map();
            lastmap.osds.get_mut(&OsdId(OSD)).unwrap().up_from = SIS + 1;
            let (c, _) = closed(&base_mapping(), SIS - 10, &base_map(), &lastmap);
            assert_eq!(c.reason, RwReason::PrimaryUpDoesNotIncludeInterval);
        }

        #[test]
        fn erasure_coded_interval_records_positions_as_shards() {
            // A 2+1 pool whose min_size asks for all three shards (the
            // monitor's default for m = 1 is k).
            let mut ec = PoolInfo::erasure(POOL, 2, 1, 4);
            ec.min_size = 3;
            let m = map_with(ec, EPOCH, EPOCH);
            let old = UpActing::new(&[OSD, N, 3], OSD, &[OSD, N, 3], OSD);
            let new = UpActing::new(&[OSD, 2, 3], OSD, &[OSD, 2, 3], OSD);
            let mut pi = PastIntervals::new();
            let c = check_new_interval(
                (&old, &new),
                SIS,
                SIS,
                (&m, &m),
                pgid(0),
                (&RecoverablePredicate::for_pool(&ec), &any_stretch),
                &mut pi,
            )
            .unwrap()
            .unwrap();
            // Two present shards of k=2: recoverable, min_size 3 is not met.
            assert_eq!(c.reason, RwReason::ActingSetTooSmall);
            assert_eq!(
                pi.all_participants().iter().copied().collect::<Vec<_>>(),
                vec![psts(OSD, 0), psts(3, 2)]
            );
        }
    }

    mod bad_input {
        use super::*;

        fn refused(
            old: &UpActing,
            new: &UpActing,
            osdmap: &SimpleOsdMap,
            lastmap: &SimpleOsdMap,
        ) -> IntervalError {
            let mut pi = PastIntervals::new();
            pi.add_interval(false, &PgInterval::new(&[7], &[7], 5, 9, true, 7, 7))
                .unwrap();
            let before = pi.clone();
            let err = check(old, new, SIS, osdmap, lastmap, pgid(0), &mut pi).unwrap_err();
            assert_eq!(pi, before, "history changed on error");
            err
        }

        fn changed() -> UpActing {
            UpActing::new(&[OSD], OSD, &[OSD + 4], OSD)
        }

        #[test]
        fn interval_ending_before_it_starts() {
            // same_interval_since 40 but the new map is 40: the interval would be [40, 39].
            let early = map_with(pool(), SIS, EPOCH);
            assert_eq!(
                refused(&base_mapping(), &changed(), &early, &base_map()),
                IntervalError::InvertedInterval {
                    first: SIS,
                    last: SIS - 1
                }
            );
            let zero = map_with(pool(), 0, EPOCH);
            assert!(matches!(
                refused(&base_mapping(), &changed(), &zero, &base_map()),
                IntervalError::InvertedInterval { .. }
            ));
        }

        #[test]
        fn inverted_interval_is_refused_before_recoverability_is_asked() {
            // Ceph asserts `first <= last` before it builds the interval or
            // asks the backend whether the old acting set could have gone active.
            let asked = std::cell::Cell::new(false);
            let recoverable = |_: &std::collections::BTreeSet<_>| {
                asked.set(true);
                true
            };
            let early = map_with(pool(), SIS, EPOCH);
            let mut pi = PastIntervals::new();
            let r = check_asking(
                (&base_mapping(), &changed()),
                (&early, &base_map()),
                &recoverable,
                &mut pi,
            );
            assert_eq!(
                r,
                Err(IntervalError::InvertedInterval {
                    first: SIS,
                    last: SIS - 1
                })
            );
            assert!(!asked.get(), "recoverability asked of a refused interval");
            assert!(pi.is_empty());
        }

        #[test]
        fn osd_listed_twice() {
            let old = UpActing::new(&[OSD], OSD, &[OSD, OSD], OSD);
            assert_eq!(
                refused(&old, &changed(), &base_map(), &base_map()),
                IntervalError::DuplicateOsd { osd: OsdId(OSD) }
            );
            let new = UpActing::new(&[OSD, 3, 3], OSD, &[OSD], OSD);
            assert_eq!(
                refused(&base_mapping(), &new, &base_map(), &base_map()),
                IntervalError::DuplicateOsd { osd: OsdId(3) }
            );
        }

        #[test]
        fn invalid_entry() {
            let old = UpActing::new(&[OSD], OSD, &[OSD, -5], OSD);
            assert_eq!(
                refused(&old, &changed(), &base_map(), &base_map()),
                IntervalError::InvalidOsd { osd: OsdId(-5) }
            );
        }

        #[test]
        fn zero_pool_size() {
            let m = map_of(|p| p.size = 0);
            assert_eq!(
                refused(&base_mapping(), &changed(), &m, &m),
                IntervalError::ZeroPoolSize { pool: POOL }
            );
        }

        #[test]
        fn ec_vector_not_pool_sized() {
            let m = map_with(PoolInfo::erasure(POOL, 2, 1, 4), EPOCH, EPOCH);
            let old = UpActing::new(&[OSD, 2, 3], OSD, &[OSD, 2], OSD);
            let new = UpActing::new(&[OSD, 2, 3], OSD, &[OSD, 2, 3], OSD);
            assert_eq!(
                refused(&old, &new, &m, &m),
                IntervalError::EcVectorLength { len: 2, size: 3 }
            );
        }

        #[test]
        fn interval_not_after_the_recorded_ones() {
            let mut pi = PastIntervals::new();
            let first = check(
                &base_mapping(),
                &changed(),
                SIS,
                &base_map(),
                &base_map(),
                pgid(0),
                &mut pi,
            );
            assert!(first.unwrap().is_some());
            let before = pi.clone();
            let again = check(
                &base_mapping(),
                &changed(),
                SIS,
                &base_map(),
                &base_map(),
                pgid(0),
                &mut pi,
            );
            assert_eq!(
                again.unwrap_err(),
                IntervalError::NotAfterLast {
                    last: SIS,
                    recorded: SIS
                }
            );
            assert_eq!(pi, before);
        }
    }

    mod raw_form {
        use super::*;

        fn params() -> IntervalParams {
            IntervalParams::new(base_map().flags(), &pool())
        }

        #[test]
        fn params_read_pool_and_flags() {
            let p = params();
            assert_eq!(
                (p.size, p.min_size, p.pg_num, p.pg_num_pending),
                (3, 2, 4, 4)
            );
            assert!(p.sort_bitwise && p.recovery_deletes);
            assert_eq!(p.stretch, StretchRule::default());
        }

        #[test]
        fn map_form_agrees_with_raw_form() {
            let m = base_map();
            let mut new = base_mapping();
            for changed in [false, true] {
                if changed {
                    new.up_primary = OsdId(9);
                }
                assert_eq!(
                    is_new_interval(&base_mapping(), &new, &m, &m, pgid(0)),
                    is_new_interval_params(&base_mapping(), &new, &params(), &params(), pgid(0)),
                );
            }
        }

        /// Ceph's `pg_t.split` and `pg_t.merge` cases, as interval changes: a PG
        /// whose pool goes from `old` to `new` PGs starts a new interval exactly
        /// when it splits, is a merge source, or is a merge target.
        #[test]
        fn split_and_merge_cases_from_pg_t() {
            let cases: [(u32, u32, u32, bool); 22] = [
                (0, 1, 1, false),
                (0, 2, 4, true),
                (0, 2, 8, true),
                (0, 3, 8, true),
                (0, 6, 8, false),
                (1, 2, 4, true),
                (1, 2, 6, true),
                (1, 2, 8, true),
                (1, 4, 8, true),
                (1, 3, 8, true),
                (1, 6, 8, false),
                (3, 7, 8, true),
                (3, 7, 12, true),
                (3, 7, 11, true),
                // Merges: 7 folds into 3 (and, down to 3 PGs, 3 into 1).
                (7, 8, 7, true),
                (7, 8, 5, true),
                (7, 8, 4, true),
                (7, 8, 3, true),
                (3, 8, 7, true),
                (3, 8, 5, true),
                (1, 8, 4, true),
                (5, 8, 7, false),
            ];
            let m = base_mapping();
            for (seed, old, new, want) in cases {
                let (mut o, mut n) = (params(), params());
                (o.pg_num, o.pg_num_pending) = (old, old);
                (n.pg_num, n.pg_num_pending) = (new, new);
                assert_eq!(
                    is_new_interval_params(&m, &m, &o, &n, pgid(seed)),
                    want,
                    "seed {seed}: {old} -> {new}"
                );
            }
            // 9 -> 8 does not touch seed 7.
            let (mut o, mut n) = (params(), params());
            (o.pg_num, o.pg_num_pending) = (9, 9);
            (n.pg_num, n.pg_num_pending) = (8, 8);
            assert!(!is_new_interval_params(&m, &m, &o, &n, pgid(7)));
        }

        #[test]
        fn each_raw_field_counts() {
            let fields: [fn(&mut IntervalParams); 6] = [
                |p| p.size += 1,
                |p| p.min_size += 1,
                |p| p.sort_bitwise = false,
                |p| p.recovery_deletes = false,
                |p| p.stretch.bucket_count = 2,
                |p| p.pg_num = 8,
            ];
            let m = base_mapping();
            assert!(!is_new_interval_params(
                &m,
                &m,
                &params(),
                &params(),
                pgid(0)
            ));
            for f in fields {
                let mut n = params();
                f(&mut n);
                assert!(is_new_interval_params(&m, &m, &params(), &n, pgid(0)));
            }
        }
    }

    mod restart {
        use super::*;

        #[test]
        fn should_restart_on_new_interval_or_own_restart() {
            let m = base_map().with_up_osd(5, 30);
            let same = base_mapping();
            assert!(!should_restart_peering(
                &same,
                &same,
                &m,
                &m,
                pgid(0),
                OsdId(5)
            ));
            let mut new = base_mapping();
            new.acting_primary = OsdId(2);
            assert!(should_restart_peering(
                &same,
                &new,
                &m,
                &m,
                pgid(0),
                OsdId(5)
            ));
            // We were down in lastmap and are up now: restart even with no change.
            let mut last = m.clone();
            last.mark_down(5);
            assert!(should_restart_peering(
                &same,
                &same,
                &m,
                &last,
                pgid(0),
                OsdId(5)
            ));
            // Going down is not a restart of ours.
            assert!(!should_restart_peering(
                &same,
                &same,
                &last,
                &m,
                pgid(0),
                OsdId(5)
            ));
        }
    }

    mod up_thru {
        use super::*;

        #[test]
        fn need_up_thru_until_the_map_records_it() {
            let mut m = base_map().with_up_osd(3, 10);
            m.set_up_thru(3, 39);
            assert!(need_up_thru(&m, OsdId(3), SIS));
            let mut need = true;
            assert!(!adjust_need_up_thru(&mut need, &m, OsdId(3), SIS));
            assert!(need);
            m.set_up_thru(3, SIS);
            assert!(!need_up_thru(&m, OsdId(3), SIS));
            assert!(adjust_need_up_thru(&mut need, &m, OsdId(3), SIS));
            assert!(!need);
            // Nothing to clear: no change reported.
            assert!(!adjust_need_up_thru(&mut need, &m, OsdId(3), SIS));
        }
    }

    mod compact_rep {
        use super::*;

        fn build(ec: bool, ivals: &[PgInterval]) -> PastIntervals {
            let mut pi = PastIntervals::new();
            for i in ivals {
                pi.add_interval(ec, i).unwrap();
            }
            pi
        }

        /// Ceph's first and second `pi_compact_rep` test instances.
        fn four_intervals() -> Vec<PgInterval> {
            vec![
                PgInterval::new(&[0, 1, 2], &[0, 1, 2], 10, 20, true, 0, 0),
                PgInterval::new(&[1, 2], &[1, 2], 21, 30, true, 1, 1),
                PgInterval::new(&[2], &[2], 31, 35, false, 2, 2),
                PgInterval::new(&[0, 2], &[0, 2], 36, 50, true, 0, 0),
            ]
        }

        fn kept(pi: &PastIntervals) -> Vec<(u32, u32)> {
            pi.intervals().iter().map(|i| (i.first, i.last)).collect()
        }

        #[test]
        fn replicated_drops_older_supersets() {
            let pi = build(false, &four_intervals());
            // {1,2} is inside {0,1,2}: the older, larger set goes.
            assert_eq!(kept(&pi), vec![(21, 30), (36, 50)]);
            assert_eq!(pi.all_participants(), &replicas(&[0, 1, 2]));
            assert_eq!(pi.bounds(), (10, 51));
            assert_eq!((pi.first(), pi.last()), (10, 50));
            assert_eq!(pi.len(), 2);
        }

        #[test]
        fn erasure_positions_make_distinct_shards() {
            let pi = build(true, &four_intervals());
            // [1,2] is shards 1(0),2(1): not inside 0(0),1(1),2(2). Nothing is dropped.
            assert_eq!(kept(&pi), vec![(10, 20), (21, 30), (36, 50)]);
            // osd.2 took position 0 only in the non-rw [2] interval: still a participant.
            let all = vec![
                psts(0, 0),
                psts(1, 0),
                psts(1, 1),
                psts(2, 0),
                psts(2, 1),
                psts(2, 2),
            ];
            assert_eq!(
                pi.all_participants().iter().copied().collect::<Vec<_>>(),
                all
            );
        }

        #[test]
        fn erasure_equal_set_replaces_older() {
            // Ceph's third instance.
            let pi = build(
                true,
                &[
                    PgInterval::new(&[2, 1, 0], &[2, 1, 0], 10, 20, true, 1, 1),
                    PgInterval::new(&[0, 2], &[0, 2], 21, 30, true, 0, 0),
                    PgInterval::new(&[0, 2], &[2, 0], 31, 35, true, 2, 2),
                    PgInterval::new(&[0, 2], &[0, 2], 36, 50, true, 0, 0),
                ],
            );
            assert_eq!(kept(&pi), vec![(10, 20), (31, 35), (36, 50)]);
        }

        #[test]
        fn iterate_mayberw_back_to_stops_before_les() {
            let pi = build(false, &four_intervals());
            let walk = |les| {
                pi.iterate_mayberw_back_to(les)
                    .map(|i| i.first)
                    .collect::<Vec<_>>()
            };
            assert_eq!(walk(5), vec![36, 21]);
            assert_eq!(walk(30), vec![36, 21]);
            assert_eq!(walk(31), vec![36]);
            assert_eq!(walk(51), Vec::<u32>::new());
        }

        #[test]
        fn might_have_unfound_is_everyone_but_me() {
            let pi = build(false, &four_intervals());
            assert_eq!(pi.might_have_unfound(pst(1)), replicas(&[0, 2]));
            assert_eq!(pi.might_have_unfound(pst(9)), replicas(&[0, 1, 2]));
        }

        #[test]
        fn clear_and_adjust_start() {
            let mut pi = build(false, &four_intervals());
            pi.adjust_start_backwards(3);
            assert_eq!(pi.bounds(), (3, 51));
            pi.clear();
            assert!(pi.is_empty());
            assert_eq!(pi, PastIntervals::default());
        }

        #[test]
        fn history_starting_at_epoch_zero_is_not_empty() {
            // `empty()` is `first > last`, or both zero: a history whose start is
            // epoch 0 but whose end is later covers epochs.
            let mut pi = build(false, &[PgInterval::new(&[1], &[1], 0, 7, true, 1, 1)]);
            assert!(!pi.is_empty());
            assert_eq!(pi.bounds(), (0, 8));
            // The same when the start is moved back to a never-clean PG's epoch 0.
            let mut later = build(false, &[PgInterval::new(&[1], &[1], 5, 7, true, 1, 1)]);
            later.adjust_start_backwards(0);
            assert!(!later.is_empty());
            pi.clear();
            assert!(pi.is_empty());
        }

        #[test]
        fn holes_are_skipped() {
            let pi = build(
                false,
                &[PgInterval::new(&[N, 4], &[N, 4], 1, 2, true, 4, 4)],
            );
            assert_eq!(pi.all_participants(), &replicas(&[4]));
        }

        #[test]
        fn refusals_leave_history_unchanged() {
            let mut pi = build(false, &four_intervals());
            let before = pi.clone();
            let cases = [
                (
                    PgInterval::new(&[1], &[1], 60, 55, true, 1, 1),
                    IntervalError::InvertedInterval {
                        first: 60,
                        last: 55,
                    },
                ),
                (
                    PgInterval::new(&[1], &[1], 40, 45, true, 1, 1),
                    IntervalError::NotAfterLast {
                        last: 45,
                        recorded: 50,
                    },
                ),
                (
                    PgInterval::new(&[1], &[1], 51, 50, true, 1, 1),
                    IntervalError::InvertedInterval {
                        first: 51,
                        last: 50,
                    },
                ),
                (
                    PgInterval::new(&[1, 1], &[1, 1], 51, 60, true, 1, 1),
                    IntervalError::DuplicateOsd { osd: OsdId(1) },
                ),
            ];
            for (i, err) in cases {
                assert_eq!(pi.add_interval(false, &i), Err(err));
                assert_eq!(pi, before);
            }
            let long: Vec<i32> = (0..200).collect();
            let i = PgInterval::new(&long, &long, 51, 60, true, 0, 0);
            assert_eq!(
                pi.add_interval(true, &i),
                Err(IntervalError::ShardOutOfRange { index: 128 })
            );
            assert_eq!(pi, before);
        }
    }

    mod bounds {
        use super::*;

        fn history(lec: u32, pool_created: u32, sis: u32) -> PgHistory {
            PgHistory {
                last_epoch_clean: lec,
                epoch_pool_created: pool_created,
                same_interval_since: sis,
                ..PgHistory::default()
            }
        }

        #[test]
        fn required_bounds_follow_lec_pool_creation_and_oldest_map() {
            assert_eq!(
                required_past_interval_bounds(&history(20, 5, 40), 1),
                (20, 40)
            );
            assert_eq!(
                required_past_interval_bounds(&history(0, 5, 40), 1),
                (5, 40)
            );
            assert_eq!(
                required_past_interval_bounds(&history(20, 5, 40), 30),
                (30, 40)
            );
            assert_eq!(
                required_past_interval_bounds(&history(20, 50, 40), 1),
                (20, 50)
            );
        }

        #[test]
        fn check_bounds() {
            let mut pi = PastIntervals::new();
            pi.add_interval(false, &PgInterval::new(&[1], &[1], 20, 39, true, 1, 1))
                .unwrap();
            assert_eq!(
                pi.check_past_interval_bounds((20, 40), 1),
                Ok(BoundsCheck::Consistent)
            );
            assert_eq!(
                pi.check_past_interval_bounds((25, 40), 1),
                Ok(BoundsCheck::Consistent)
            );
            assert_eq!(
                pi.check_past_interval_bounds((15, 40), 1),
                Err(IntervalError::StartAfterRequired {
                    start: 20,
                    required: 15
                })
            );
            assert_eq!(
                pi.check_past_interval_bounds((20, 45), 1),
                Err(IntervalError::EndMismatch {
                    end: 40,
                    required: 45
                })
            );
            assert_eq!(
                PastIntervals::new().check_past_interval_bounds((20, 40), 1),
                Err(IntervalError::RequiredButEmpty { start: 20, end: 40 })
            );
            // Nothing required: empty is right, non-empty only a warning, unless the
            // start is the oldest map.
            assert_eq!(
                PastIntervals::new().check_past_interval_bounds((40, 40), 1),
                Ok(BoundsCheck::Consistent)
            );
            assert_eq!(
                pi.check_past_interval_bounds((40, 40), 1),
                Ok(BoundsCheck::UnexpectedIntervals)
            );
            assert_eq!(
                pi.check_past_interval_bounds((40, 40), 40),
                Ok(BoundsCheck::Consistent)
            );
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn entry() -> impl Strategy<Value = i32> {
            prop_oneof![6 => 0..6i32, 1 => Just(N), 1 => -3..0i32]
        }

        fn interval() -> impl Strategy<Value = PgInterval> {
            (
                prop::collection::vec(entry(), 0..5),
                0..40u32,
                0..40u32,
                any::<bool>(),
            )
                .prop_map(|(acting, first, last, rw)| {
                    PgInterval::new(
                        &acting,
                        &acting,
                        first,
                        last,
                        rw,
                        acting.first().copied().unwrap_or(-1),
                        -1,
                    )
                })
        }

        fn pool_of(ec: bool, size: u32) -> PoolInfo {
            let mut p = if ec {
                PoolInfo::erasure(POOL, 2, 1, 4)
            } else {
                PoolInfo::replicated(POOL, 3, 4)
            };
            p.size = size;
            p.min_size = size.min(2);
            p
        }

        fn mapping() -> impl Strategy<Value = UpActing> {
            (
                prop::collection::vec(entry(), 0..5),
                prop::collection::vec(entry(), 0..5),
                entry(),
                entry(),
            )
                .prop_map(|(up, acting, upp, actp)| UpActing::new(&up, upp, &acting, actp))
        }

        proptest! {
            #[test]
            fn arbitrary_interval_sequences_never_panic(
                ec in any::<bool>(),
                seq in prop::collection::vec(interval(), 0..12),
            ) {
                let mut pi = PastIntervals::new();
                for i in &seq {
                    let before = pi.clone();
                    if pi.add_interval(ec, i).is_err() {
                        prop_assert_eq!(&pi, &before);
                        continue;
                    }
                    prop_assert_eq!(pi.last(), i.last);
                    // Kept intervals are ordered, inside the bounds, and no older one
                    // contains all members of a newer one.
                    let kept = pi.intervals();
                    for (k, a) in kept.iter().enumerate() {
                        prop_assert!(a.first <= a.last && a.last <= pi.last());
                        prop_assert!(a.acting.is_subset(pi.all_participants()));
                        for b in &kept[k + 1..] {
                            prop_assert!(a.last < b.last);
                            prop_assert!(!b.supersedes(a));
                        }
                    }
                    let les = i.first;
                    prop_assert!(pi.iterate_mayberw_back_to(les).all(|k| k.last >= les));
                }
            }

            #[test]
            fn arbitrary_map_changes_never_panic(
                ec in any::<bool>(),
                sizes in (0..5u32, 0..5u32),
                epochs in (0..50u32, 0..50u32, 0..50u32),
                up_thru in 0..50u32,
                old in mapping(),
                new in mapping(),
                prior in prop::collection::vec(interval(), 0..3),
            ) {
                let (old_size, new_size) = sizes;
                let (epoch, sis, lec) = epochs;
                let lastmap = map_with(pool_of(ec, old_size), epoch.saturating_sub(1), up_thru);
                let osdmap = map_with(pool_of(ec, new_size), epoch, up_thru);
                let mut pi = PastIntervals::new();
                for i in &prior {
                    let _ = pi.add_interval(ec, i);
                }
                let before = pi.clone();
                let pred = RecoverablePredicate::for_pool(&pool_of(ec, old_size));
                let r = check_new_interval(
                    (&old, &new), sis, lec, (&osdmap, &lastmap), pgid(0),
                    (&pred, &any_stretch), &mut pi,
                );
                match r {
                    Err(_) | Ok(None) => prop_assert_eq!(&pi, &before),
                    Ok(Some(c)) => {
                        prop_assert_eq!(pi.last(), c.interval.last);
                        prop_assert_eq!(c.interval.maybe_went_rw, c.reason.maybe_went_rw());
                        prop_assert!(is_new_interval(&old, &new, &osdmap, &lastmap, pgid(0)));
                    }
                }
            }
        }
    }
}
