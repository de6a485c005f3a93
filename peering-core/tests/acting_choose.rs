//! `choose_acting` (§5.10) and what hangs off it: primary selection, replicated and EC
//! acting sets, recoverability, async recovery, and the Down / Incomplete /
//! WaitActingChange decision (§5.22, §9 C/D/E).

mod acting_support;

mod choose_acting {
    use super::acting_support::*;
    use peering_core::acting::{
        ActingOutcome, ChooseActingRequest, IncompleteReason, PeeringOutcome, PgTempRequest,
        StretchBuckets, get_log_outcome,
    };
    use peering_core::types::{EVersion, PgShard};
    use std::collections::BTreeSet;

    fn set(shards: &[PgShard]) -> BTreeSet<PgShard> {
        shards.iter().copied().collect()
    }

    mod replicated {
        use super::*;
        use peering_core::acting::{
            PeerMissingCounts, calc_replicated_acting, select_replicated_primary,
        };

        #[test]
        fn healthy_peers_keep_acting_and_proceed() {
            let pairs = [
                (rep(0), info(5, 10)),
                (rep(1), info(5, 10)),
                (rep(2), info(5, 10)),
            ];
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.outcome, ActingOutcome::Proceed);
            assert_eq!(c.auth_log_shard, Some(rep(0)));
            assert_eq!(c.primary, Some(rep(0)));
            assert_eq!(c.want, vec_of(&[0, 1, 2]));
            assert!(c.want_acting.is_empty());
            assert_eq!(c.acting_recovery_backfill, set(&[rep(0), rep(1), rep(2)]));
            assert!(c.backfill_targets.is_empty() && c.async_recovery_targets.is_empty());
            assert_eq!(c.pg_temp, PgTempRequest::None);
        }

        #[test]
        fn up_primary_stays_primary_when_close_to_the_authority() {
            let pairs = [
                (rep(0), info(5, 8)),
                (rep(1), info(5, 10)),
                (rep(2), info(5, 10)),
            ];
            let all = infos(&pairs);
            let (p, oldest) = select_replicated_primary(
                rep(1),
                100,
                &vec_of(&[0, 1, 2]),
                rep(0),
                &all,
                &PeerMissingCounts::new(),
            )
            .unwrap();
            assert_eq!((p, oldest), (rep(0), EVersion::ZERO));
            let c = choose(
                rep(0),
                &pairs,
                &placement(&[0, 1, 2], &[0, 1, 2]),
                &pool_rep(3),
            );
            assert_eq!(c.auth_log_shard, Some(rep(1)));
            assert_eq!(c.want, vec_of(&[0, 1, 2]));
            assert_eq!(c.outcome, ActingOutcome::Proceed);
        }

        #[test]
        fn up_primary_with_too_many_missing_yields_to_the_authority() {
            // 5'10 vs 5'200: 190 objects behind, over the default 100.
            let pairs = [
                (rep(0), info(5, 10)),
                (rep(1), info(5, 200)),
                (rep(2), info(5, 200)),
            ];
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let mut req = ChooseActingRequest::default();
            req.options.async_recovery_supported = false;
            let c = choose_with(rep(0), &pairs, &ua, &pool_rep(3), &req);
            assert_eq!(c.primary, Some(rep(1)));
            assert_eq!(c.want, vec_of(&[1, 0, 2]));
            assert_eq!(c.outcome, ActingOutcome::NeedActingChange);
            assert_eq!(c.want_acting, vec_of(&[1, 0, 2]));
            assert_eq!(c.pg_temp, PgTempRequest::Set(vec_of(&[1, 0, 2])));
            // With async recovery (the default), osd.0 is also far enough behind to be
            // recovered in the background.
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.want, vec_of(&[1, 2]));
            assert_eq!(c.async_recovery_targets, set(&[rep(0)]));
            assert_eq!(c.pg_temp, PgTempRequest::Set(vec_of(&[1, 2])));
        }

        #[test]
        fn missing_objects_count_toward_the_primary_threshold() {
            let all = infos(&[
                (rep(0), info(5, 10).objects_missing(95)),
                (rep(1), info(5, 16)),
            ]);
            let up = vec_of(&[0, 1]);
            let none = PeerMissingCounts::new();
            // 95 missing + 6 versions = 101 > 100.
            assert_eq!(
                select_replicated_primary(rep(1), 100, &up, rep(0), &all, &none)
                    .unwrap()
                    .0,
                rep(1)
            );
            assert_eq!(
                select_replicated_primary(rep(1), 101, &up, rep(0), &all, &none)
                    .unwrap()
                    .0,
                rep(0)
            );
            // The caller's missing count replaces the reported statistic.
            let counts: PeerMissingCounts = [(rep(0), 0)].into_iter().collect();
            assert_eq!(
                select_replicated_primary(rep(1), 100, &up, rep(0), &all, &counts)
                    .unwrap()
                    .0,
                rep(0)
            );
        }

        #[test]
        fn up_primary_behind_the_auth_tail_yields() {
            let all = infos(&[(rep(0), info(5, 3)), (rep(1), info(5, 20).tail(5, 4))]);
            let (p, oldest) = select_replicated_primary(
                rep(1),
                100,
                &vec_of(&[0, 1]),
                rep(0),
                &all,
                &PeerMissingCounts::new(),
            )
            .unwrap();
            assert_eq!((p, oldest), (rep(1), EVersion::new(5, 4)));
        }

        #[test]
        fn incomplete_up_primary_yields_and_is_backfilled() {
            let pairs = [
                (rep(0), info(5, 10).incomplete()),
                (rep(1), info(5, 10)),
                (rep(2), info(5, 10)),
            ];
            let c = choose(
                rep(0),
                &pairs,
                &placement(&[0, 1, 2], &[0, 1, 2]),
                &pool_rep(3),
            );
            assert_eq!(c.primary, Some(rep(1)));
            assert_eq!(c.want, vec_of(&[1, 2]));
            assert_eq!(c.want_backfill, set(&[rep(0)]));
            assert_eq!(c.outcome, ActingOutcome::NeedActingChange);
            assert_eq!(c.pg_temp, PgTempRequest::Set(vec_of(&[1, 2])));
        }

        #[test]
        fn oldest_auth_log_entry_is_the_older_tail() {
            // Primary osd.0's tail 5'2 is older than auth osd.1's 5'6: osd.2 at 5'4
            // is log-recoverable through the primary.
            let all = infos(&[
                (rep(0), info(5, 20).tail(5, 2)),
                (rep(1), info(5, 21).tail(5, 6)),
                (rep(2), info(5, 4)),
            ]);
            let (p, oldest) = select_replicated_primary(
                rep(1),
                100,
                &vec_of(&[0, 1, 2]),
                rep(0),
                &all,
                &PeerMissingCounts::new(),
            )
            .unwrap();
            assert_eq!((p, oldest), (rep(0), EVersion::new(5, 2)));
            let sets = calc_replicated_acting(
                p,
                oldest,
                3,
                &vec_of(&[0, 1, 2]),
                &vec_of(&[0, 1, 2]),
                &all,
                false,
            )
            .unwrap();
            assert_eq!(sets.want, vec_of(&[0, 1, 2]));
            assert!(sets.backfill.is_empty());
        }

        #[test]
        fn backfill_trace_e_wants_pg_temp_then_proceeds() {
            // §9 E: new osd.3 replaces osd.2 in up with an empty info; osd.2 keeps
            // serving through a pg_temp while osd.3 is backfilled.
            let pairs = [
                (rep(0), info(5, 10).tail(5, 5)),
                (rep(1), info(5, 10).tail(5, 5)),
                (rep(2), info(5, 10).tail(5, 5)),
                (rep(3), info(0, 0)),
            ];
            let ua = placement(&[0, 1, 3], &[0, 1, 3]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.want, vec_of(&[0, 1, 2]));
            assert_eq!(c.want_backfill, set(&[rep(3)]));
            assert_eq!(
                c.acting_recovery_backfill,
                set(&[rep(0), rep(1), rep(2), rep(3)])
            );
            assert_eq!(c.outcome, ActingOutcome::NeedActingChange);
            assert_eq!(c.pg_temp, PgTempRequest::Set(vec_of(&[0, 1, 2])));
            assert_eq!(
                get_log_outcome(&c, rep(0), &infos(&pairs)).unwrap(),
                PeeringOutcome::WaitActingChange {
                    want_acting: vec_of(&[0, 1, 2])
                }
            );
            // The monitor publishes the pg_temp: a new interval with acting [0,1,2].
            let ua = placement(&[0, 1, 3], &[0, 1, 2]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.outcome, ActingOutcome::Proceed);
            assert_eq!(c.backfill_targets, set(&[rep(3)]));
            assert_eq!(
                c.acting_recovery_backfill,
                set(&[rep(0), rep(1), rep(2), rep(3)])
            );
            assert_eq!(c.pg_temp, PgTempRequest::None);
            assert_eq!(
                get_log_outcome(&c, rep(0), &infos(&pairs)).unwrap(),
                PeeringOutcome::GotLog
            );
            // Backfill done: osd.3 caught up; the restricted recheck wants up again.
            let mut pairs = pairs;
            pairs[3].1 = info(5, 10).tail(5, 5);
            let req = ChooseActingRequest {
                restrict_to_up_acting: true,
                ..Default::default()
            };
            let c = choose_with(rep(0), &pairs, &ua, &pool_rep(3), &req);
            assert_eq!(c.want, vec_of(&[0, 1, 3]));
            assert_eq!(c.outcome, ActingOutcome::NeedActingChange);
            assert_eq!(c.pg_temp, PgTempRequest::Clear);
        }

        #[test]
        fn acting_candidates_are_taken_newest_first_ties_in_vector_order() {
            let all = infos(&[
                (rep(0), info(5, 10)),
                (rep(4), info(5, 7)),
                (rep(5), info(5, 9)),
                (rep(6), info(5, 9)),
            ]);
            let acting = vec_of(&[0, 4, 6, 5]);
            let sets = calc_replicated_acting(
                rep(0),
                EVersion::ZERO,
                3,
                &acting,
                &vec_of(&[0]),
                &all,
                true,
            )
            .unwrap();
            assert_eq!(sets.want, vec_of(&[0, 6, 5]));
        }

        #[test]
        fn rejected_acting_members_are_simply_dropped() {
            let all = infos(&[
                (rep(0), info(5, 10).tail(5, 5)),
                (rep(4), info(5, 3)),
                (rep(5), info(5, 9).incomplete()),
            ]);
            let sets = calc_replicated_acting(
                rep(0),
                EVersion::new(5, 5),
                3,
                &vec_of(&[0, 4, 5]),
                &vec_of(&[0]),
                &all,
                true,
            )
            .unwrap();
            assert_eq!(sets.want, vec_of(&[0]));
            assert!(sets.backfill.is_empty());
            assert_eq!(sets.acting_backfill, set(&[rep(0)]));
        }

        #[test]
        fn strays_fill_remaining_slots_unless_restricted() {
            let pairs = [
                (rep(0), info(5, 10)),
                (rep(7), info(5, 8)),
                (rep(8), info(5, 9)),
            ];
            let ua = placement(&[0], &[0]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.want, vec_of(&[0, 8, 7]));
            assert_eq!(c.outcome, ActingOutcome::NeedActingChange);
            let req = ChooseActingRequest {
                restrict_to_up_acting: true,
                ..Default::default()
            };
            let c = choose_with(rep(0), &pairs, &ua, &pool_rep(3), &req);
            assert_eq!(c.want, vec_of(&[0]));
            assert_eq!(c.outcome, ActingOutcome::Proceed);
        }

        #[test]
        fn up_members_are_all_taken_and_the_excess_trimmed_from_the_back() {
            // Authority osd.9 (a stray) becomes primary; up has three more members.
            let pairs = [
                (rep(0), info(5, 10).incomplete()),
                (rep(1), info(5, 10)),
                (rep(2), info(5, 10)),
                (rep(3), info(5, 10)),
                (rep(9), info(5, 10)),
            ];
            let ua = placement(&[0, 1, 2, 3], &[0, 1, 2, 3]);
            let all = infos(&pairs);
            let sets =
                calc_replicated_acting(rep(9), EVersion::ZERO, 3, &ua.acting, &ua.up, &all, false)
                    .unwrap();
            assert_eq!(sets.want, vec_of(&[9, 1, 2, 3]));
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.want, vec_of(&[1, 2, 3]));
        }

        #[test]
        fn want_equal_to_up_clears_pg_temp() {
            let pairs = [
                (rep(0), info(5, 10)),
                (rep(1), info(5, 10)),
                (rep(2), info(5, 10)),
            ];
            let ua = placement(&[0, 1, 2], &[2, 1]);
            let c = choose(rep(2), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.outcome, ActingOutcome::NeedActingChange);
            assert_eq!(c.want_acting, vec_of(&[0, 1, 2]));
            assert_eq!(c.pg_temp, PgTempRequest::Clear);
        }

        #[test]
        fn debug_no_acting_change_sets_want_acting_without_pg_temp() {
            let pairs = [
                (rep(0), info(5, 10)),
                (rep(1), info(5, 10)),
                (rep(2), info(5, 10)),
            ];
            let ua = placement(&[0, 1, 2], &[2, 1]);
            let mut req = ChooseActingRequest::default();
            req.options.debug_no_acting_change = true;
            let c = choose_with(rep(2), &pairs, &ua, &pool_rep(3), &req);
            assert_eq!(c.want_acting, vec_of(&[0, 1, 2]));
            assert_eq!(c.pg_temp, PgTempRequest::None);
        }

        #[test]
        fn pg_temp_change_only_records_nothing() {
            let pairs = [(rep(0), info(5, 10)), (rep(1), info(5, 10))];
            let ua = placement(&[0, 1], &[0, 1]);
            let req = ChooseActingRequest {
                request_pg_temp_change_only: true,
                ..Default::default()
            };
            let c = choose_with(rep(0), &pairs, &ua, &pool_rep(2), &req);
            assert_eq!(c.outcome, ActingOutcome::ActingUnchanged);
            assert!(c.backfill_targets.is_empty());
        }

        #[test]
        fn recorded_backfill_targets_must_not_change() {
            let pairs = [
                (rep(0), info(5, 10).tail(5, 5)),
                (rep(1), info(5, 10).tail(5, 5)),
                (rep(3), info(0, 0)),
            ];
            let ua = placement(&[0, 1, 3], &[0, 1]);
            let mut req = ChooseActingRequest {
                backfill_targets: set(&[rep(3)]),
                ..Default::default()
            };
            let all = infos(&pairs);
            let none = peering_core::acting::PeerMissingCounts::new();
            let c =
                peering_core::acting::choose_acting(rep(0), &all, &ua, &pool_rep(3), &req, &none)
                    .unwrap();
            assert_eq!(c.backfill_targets, set(&[rep(3)]));
            req.backfill_targets = set(&[rep(1)]);
            let err =
                peering_core::acting::choose_acting(rep(0), &all, &ua, &pool_rep(3), &req, &none);
            assert_eq!(
                err,
                Err(peering_core::acting::ActingError::BackfillTargetsChanged)
            );
        }
    }

    mod erasure {
        use super::*;
        use peering_core::acting::calc_ec_acting;

        /// Adds an activated, complete info (5'10, tail 5'5, les 5) for every filled
        /// position not yet described.
        fn full(pairs: &mut Vec<(PgShard, peering_core::types::PgInfo)>, up: &[i32]) {
            for (i, &o) in up.iter().enumerate() {
                if o >= 0 && !pairs.iter().any(|(s, _)| *s == ec(o, i as i8)) {
                    pairs.push((ec(o, i as i8), info(5, 10).tail(5, 5).les(5)));
                }
            }
        }

        #[test]
        fn complete_up_set_is_wanted_as_is() {
            let mut pairs = vec![];
            full(&mut pairs, &[0, 1, 2]);
            let c = choose(
                ec(0, 0),
                &pairs,
                &ec_placement(&[0, 1, 2], &[0, 1, 2]),
                &pool_ec(2, 1),
            );
            assert_eq!(c.outcome, ActingOutcome::Proceed);
            assert_eq!(c.want, vec_of(&[0, 1, 2]));
            assert_eq!(c.primary, None);
            assert_eq!(
                c.acting_recovery_backfill,
                set(&[ec(0, 0), ec(1, 1), ec(2, 2)])
            );
        }

        #[test]
        fn unusable_up_shard_is_backfilled_and_acting_fills_its_position() {
            let mut pairs = vec![(ec(3, 2), info(0, 0))];
            full(&mut pairs, &[0, 1, 3]);
            full(&mut pairs, &[0, 1, 2]);
            let ua = ec_placement(&[0, 1, 3], &[0, 1, 2]);
            let c = choose(ec(0, 0), &pairs, &ua, &pool_ec(2, 1));
            assert_eq!(c.want, vec_of(&[0, 1, 2]));
            assert_eq!(c.want_backfill, set(&[ec(3, 2)]));
            assert_eq!(
                c.acting_recovery_backfill,
                set(&[ec(0, 0), ec(1, 1), ec(2, 2), ec(3, 2)])
            );
            assert_eq!(c.outcome, ActingOutcome::Proceed);
        }

        #[test]
        fn hole_in_up_is_filled_from_acting() {
            let mut pairs = vec![];
            full(&mut pairs, &[0, 1, 2]);
            let ua = ec_placement(&[0, 1, -1], &[0, 1, 2]);
            let c = choose(ec(0, 0), &pairs, &ua, &pool_ec(2, 1));
            assert_eq!(c.want, vec_of(&[0, 1, 2]));
            assert!(c.want_backfill.is_empty());
            assert_eq!(c.outcome, ActingOutcome::Proceed);
        }

        #[test]
        fn first_stray_holder_of_the_shard_fills_a_position_unless_restricted() {
            let all = infos(&[
                (ec(0, 0), info(5, 10)),
                (ec(1, 1), info(5, 10)),
                (ec(5, 2), info(5, 10)),
                (ec(6, 2), info(5, 10)),
                (ec(4, 2), info(5, 10).incomplete()),
                (ec(4, 1), info(5, 10)),
            ]);
            let (up, acting) = (vec_of(&[0, 1, -1]), vec_of(&[0, 1, -1]));
            let sets = calc_ec_acting(EVersion::ZERO, 3, &acting, &up, &all, false).unwrap();
            assert_eq!(sets.want, vec_of(&[0, 1, 5]));
            let sets = calc_ec_acting(EVersion::ZERO, 3, &acting, &up, &all, true).unwrap();
            assert_eq!(sets.want, vec_of(&[0, 1, -1]));
            assert_eq!(sets.acting_backfill, set(&[ec(0, 0), ec(1, 1)]));
        }

        #[test]
        fn shards_behind_the_auth_tail_are_not_wanted() {
            // Authority is the oldest last_update (5'10, tail 5'8); shard 2 at 5'6
            // cannot be log-recovered.
            // Shard 2 missed the last activation (les 3), so it cannot be the authority.
            let pairs = [
                (ec(0, 0), info(5, 12).tail(5, 8).les(5)),
                (ec(1, 1), info(5, 10).tail(5, 8).les(5)),
                (ec(2, 2), info(5, 6).les(3)),
            ];
            let ua = ec_placement(&[0, 1, 2], &[0, 1, 2]);
            let c = choose(ec(0, 0), &pairs, &ua, &pool_ec(2, 1));
            assert_eq!(c.auth_log_shard, Some(ec(1, 1)));
            assert_eq!(c.want, vec_of(&[0, 1, -1]));
            assert_eq!(c.want_backfill, set(&[ec(2, 2)]));
            assert_eq!(c.outcome, ActingOutcome::NeedActingChange);
            assert_eq!(c.pg_temp, PgTempRequest::Set(vec_of(&[0, 1, -1])));
        }

        #[test]
        fn fewer_than_k_shards_is_not_recoverable() {
            let pairs = [(ec(0, 0), info(5, 10)), (ec(1, 1), info(0, 0).incomplete())];
            let ua = ec_placement(&[0, 1, -1], &[0, 1, -1]);
            let c = choose(ec(0, 0), &pairs, &ua, &pool_ec(2, 1));
            assert_eq!(c.outcome, ActingOutcome::NotRecoverable);
            assert!(c.want_acting.is_empty());
            assert_eq!(
                get_log_outcome(&c, ec(0, 0), &infos(&pairs)).unwrap(),
                PeeringOutcome::Incomplete {
                    reason: IncompleteReason::NotRecoverable
                }
            );
        }
    }

    mod recoverability {
        use super::*;
        use peering_core::acting::{ActingOptions, is_pg_recoverable, recoverable};

        #[test]
        fn replicated_needs_one_copy_and_min_size_only_when_configured() {
            let pool = pool_rep(3); // min_size 2
            let allow = ActingOptions::default();
            let strict = ActingOptions {
                allow_recovery_below_min_size: false,
                ..allow
            };
            assert!(recoverable(&vec_of(&[0]), &pool, &allow));
            assert!(!recoverable(&vec_of(&[0]), &pool, &strict));
            assert!(recoverable(&vec_of(&[0, 1]), &pool, &strict));
            assert!(!recoverable(&vec_of(&[]), &pool, &allow));
        }

        #[test]
        fn erasure_needs_k_distinct_shards() {
            let pool = pool_ec(2, 2); // min_size 3
            let allow = ActingOptions::default();
            let strict = ActingOptions {
                allow_recovery_below_min_size: false,
                ..allow
            };
            assert!(recoverable(&vec_of(&[0, -1, 2, -1]), &pool, &allow));
            assert!(!recoverable(&vec_of(&[0, -1, -1, -1]), &pool, &allow));
            assert!(!recoverable(&vec_of(&[0, -1, 2, -1]), &pool, &strict));
            assert!(recoverable(&vec_of(&[0, -1, 2, 3]), &pool, &strict));
            // The predicate counts distinct shard positions, not OSDs.
            assert!(!is_pg_recoverable(&set(&[ec(1, 0), ec(2, 0)]), &pool));
            assert!(is_pg_recoverable(&set(&[ec(1, 0), ec(1, 1)]), &pool));
        }

        #[test]
        fn replicated_below_min_size_is_incomplete_when_disallowed() {
            let pairs = [(rep(0), info(5, 10))];
            let ua = placement(&[0], &[0]);
            let mut req = ChooseActingRequest::default();
            assert_eq!(
                choose_with(rep(0), &pairs, &ua, &pool_rep(3), &req).outcome,
                ActingOutcome::Proceed
            );
            req.options.allow_recovery_below_min_size = false;
            let c = choose_with(rep(0), &pairs, &ua, &pool_rep(3), &req);
            assert_eq!(c.outcome, ActingOutcome::NotRecoverable);
        }
    }

    mod async_recovery {
        use super::*;
        use peering_core::acting::PgPlacement;
        use peering_core::acting::{
            ActingError, ActingOptions, PeerMissingCounts, choose_acting, choose_async_recovery_ec,
            choose_async_recovery_replicated,
        };
        use peering_core::map::PoolInfo;
        use peering_core::types::{OsdVec, PgInfo};
        use std::collections::BTreeMap;

        fn async_rep(
            all: &BTreeMap<PgShard, PgInfo>,
            auth: &PgInfo,
            want: &mut OsdVec,
            ua: &PgPlacement,
            pool: &PoolInfo,
        ) -> BTreeSet<PgShard> {
            let (opts, none) = (ActingOptions::default(), PeerMissingCounts::new());
            choose_async_recovery_replicated(
                all,
                auth,
                want,
                ua,
                pool,
                &opts,
                &none,
                &StretchBuckets::new(),
            )
            .unwrap()
        }

        fn async_ec(
            all: &BTreeMap<PgShard, PgInfo>,
            auth: &PgInfo,
            want: &mut OsdVec,
            ua: &PgPlacement,
            pool: &PoolInfo,
        ) -> BTreeSet<PgShard> {
            let (opts, none) = (ActingOptions::default(), PeerMissingCounts::new());
            choose_async_recovery_ec(
                all,
                auth,
                want,
                ua,
                pool,
                &opts,
                &none,
                &StretchBuckets::new(),
            )
            .unwrap()
        }

        #[test]
        fn replicated_costly_replica_leaves_want_and_becomes_target() {
            // osd.2 is 150 versions behind: log-recoverable but costly.
            let pairs = [
                (rep(0), info(5, 200)),
                (rep(1), info(5, 200)),
                (rep(2), info(5, 50)),
            ];
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.want, vec_of(&[0, 1]));
            assert_eq!(c.async_recovery_targets, set(&[rep(2)]));
            assert_eq!(c.acting_recovery_backfill, set(&[rep(0), rep(1), rep(2)]));
            assert_eq!(c.outcome, ActingOutcome::NeedActingChange);
            // Next interval, acting [0,1]: proceed with osd.2 recovered asynchronously.
            let ua = placement(&[0, 1, 2], &[0, 1]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.outcome, ActingOutcome::Proceed);
            assert_eq!(c.async_recovery_targets, set(&[rep(2)]));
            assert_eq!(c.acting_recovery_backfill, set(&[rep(0), rep(1), rep(2)]));
        }

        #[test]
        fn replicated_costliest_first_and_never_down_to_min_size() {
            let all = infos(&[
                (rep(0), info(5, 500)),
                (rep(1), info(5, 300)),
                (rep(2), info(5, 100)),
                (rep(3), info(5, 250)),
            ]);
            let ua = placement(&[0, 1, 2, 3], &[0, 1, 2, 3]);
            let mut pool = pool_rep(4);
            pool.min_size = 2;
            let mut want = vec_of(&[0, 1, 2, 3]);
            let t = async_rep(&all, &all[&rep(0)], &mut want, &ua, &pool);
            // Costs: osd.2 400, osd.3 250, osd.1 200; only two may go.
            assert_eq!(t, set(&[rep(2), rep(3)]));
            assert_eq!(want, vec_of(&[0, 1]));
        }

        #[test]
        fn replicated_equal_costs_take_the_greater_shard_first() {
            let all = infos(&[
                (rep(0), info(5, 500)),
                (rep(1), info(5, 300)),
                (rep(2), info(5, 300)),
            ]);
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let mut want = vec_of(&[0, 1, 2]);
            let t = async_rep(&all, &all[&rep(0)], &mut want, &ua, &pool_rep(3));
            assert_eq!(t, set(&[rep(2)]));
            assert_eq!(want, vec_of(&[0, 1]));
        }

        #[test]
        fn replicated_cost_counts_shards_ahead_and_missing_counts() {
            let all = infos(&[
                (rep(0), info(5, 100)),
                (rep(1), info(5, 300)),
                (rep(2), info(5, 100)),
            ]);
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let mut want = vec_of(&[0, 1, 2]);
            let t = async_rep(&all, &all[&rep(0)], &mut want, &ua, &pool_rep(3));
            assert_eq!(t, set(&[rep(1)]), "200 versions ahead costs 200");
            let counts: PeerMissingCounts = [(rep(1), 0), (rep(2), 101)].into_iter().collect();
            let mut want = vec_of(&[0, 1, 2]);
            let t = choose_async_recovery_replicated(
                &all,
                &all[&rep(1)],
                &mut want,
                &ua,
                &pool_rep(3),
                &ActingOptions::default(),
                &counts,
                &StretchBuckets::new(),
            )
            .unwrap();
            // Against auth osd.1: osd.0 costs 200, osd.2 costs 200 + 101.
            assert_eq!(t, set(&[rep(2)]));
        }

        #[test]
        fn replicated_members_not_up_are_never_targets() {
            let all = infos(&[
                (rep(0), info(5, 500)),
                (rep(1), info(5, 500)),
                (rep(7), info(5, 10)),
            ]);
            let ua = placement(&[0, 1], &[0, 1, 7]);
            let mut want = vec_of(&[0, 1, 7]);
            let t = async_rep(&all, &all[&rep(0)], &mut want, &ua, &pool_rep(3));
            assert!(t.is_empty());
            assert_eq!(want, vec_of(&[0, 1, 7]));
        }

        #[test]
        fn a_cost_equal_to_the_minimum_is_not_a_target() {
            // osd_async_recovery_min_cost is 100: a shard must cost more than that.
            // osd.2 is exactly 100 versions behind (replicated), osd.1 101.
            let all = infos(&[
                (rep(0), info(5, 300)),
                (rep(1), info(5, 199)),
                (rep(2), info(5, 200)),
            ]);
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let mut pool = pool_rep(3);
            pool.min_size = 1;
            let mut want = vec_of(&[0, 1, 2]);
            let t = async_rep(&all, &all[&rep(0)], &mut want, &ua, &pool);
            assert_eq!(t, set(&[rep(1)]));
            assert_eq!(want, vec_of(&[0, 2]));
            // The same for EC: shard 2, 100 behind, stays; shard 1, 101 behind, goes.
            let all = infos(&[
                (ec(0, 0), info(5, 300)),
                (ec(1, 1), info(5, 199)),
                (ec(2, 2), info(5, 200)),
                (ec(3, 3), info(5, 300)),
            ]);
            let ua = ec_placement(&[0, 1, 2, 3], &[0, 1, 2, 3]);
            let mut pool = pool_ec(2, 2);
            pool.min_size = 2;
            let mut want = vec_of(&[0, 1, 2, 3]);
            let t = async_ec(&all, &all[&ec(0, 0)], &mut want, &ua, &pool);
            assert_eq!(t, set(&[ec(1, 1)]));
            assert_eq!(want, vec_of(&[0, -1, 2, 3]));
        }

        #[test]
        fn erasure_shard_ahead_is_cheap_behind_is_costly() {
            let all = infos(&[
                (ec(0, 0), info(5, 100)),
                (ec(1, 1), info(5, 400)),
                (ec(2, 2), info(5, 100)),
                (ec(3, 3), info(5, 100)),
                (ec(4, 4), info(5, 100).lc(5, 1).objects_missing(150)),
            ]);
            let ua = ec_placement(&[0, 1, 2, 3, 4], &[0, 1, 2, 3, 4]);
            let mut pool = pool_ec(2, 3);
            pool.min_size = 3;
            let mut want = vec_of(&[0, 1, 2, 3, 4]);
            let t = async_ec(&all, &all[&ec(0, 0)], &mut want, &ua, &pool);
            assert_eq!(t, set(&[ec(4, 4)]));
            assert_eq!(want, vec_of(&[0, 1, 2, 3, -1]));
        }

        #[test]
        fn erasure_never_below_min_size_nor_unrecoverable() {
            // Costs against osd.0 (5'400): osd.2 300, osd.4 150, osd.3 200.
            let all = infos(&[
                (ec(0, 0), info(5, 400)),
                (ec(1, 1), info(5, 400)),
                (ec(2, 2), info(5, 100)),
                (ec(3, 3), info(5, 200)),
                (ec(4, 4), info(5, 250)),
            ]);
            let ua = ec_placement(&[0, 1, 2, 3, 4], &[0, 1, 2, 3, 4]);
            let mut pool = pool_ec(2, 3);
            pool.min_size = 3;
            let mut want = vec_of(&[0, 1, 2, 3, 4]);
            let t = async_ec(&all, &all[&ec(0, 0)], &mut want, &ua, &pool);
            // osd.2 leaves (4 remain), osd.3 leaves (3 remain), osd.4 would leave
            // only 2 < min_size: stays.
            assert_eq!(t, set(&[ec(2, 2), ec(3, 3)]));
            assert_eq!(want, vec_of(&[0, 1, -1, -1, 4]));
            // k = 4: removing a second shard would leave fewer than k.
            let mut pool = pool_ec(4, 1);
            pool.min_size = 1;
            let mut want = vec_of(&[0, 1, 2, 3, 4]);
            let t = async_ec(&all, &all[&ec(0, 0)], &mut want, &ua, &pool);
            assert_eq!(t, set(&[ec(2, 2)]));
            assert_eq!(want, vec_of(&[0, 1, -1, 3, 4]));
        }

        #[test]
        fn async_recovery_can_be_disabled() {
            let pairs = [
                (rep(0), info(5, 200)),
                (rep(1), info(5, 200)),
                (rep(2), info(5, 50)),
            ];
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let mut req = ChooseActingRequest::default();
            req.options.async_recovery_supported = false;
            let c = choose_with(rep(0), &pairs, &ua, &pool_rep(3), &req);
            assert_eq!(c.outcome, ActingOutcome::Proceed);
            assert!(c.async_recovery_targets.is_empty());
        }

        #[test]
        fn recorded_async_targets_persist_only_while_recovery_is_needed() {
            let pairs = [
                (rep(0), info(5, 10)),
                (rep(1), info(5, 10)),
                (rep(2), info(5, 10)),
            ];
            let all = infos(&pairs);
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let none = PeerMissingCounts::new();
            let mut req = ChooseActingRequest {
                async_recovery_targets: set(&[rep(2)]),
                needs_recovery: true,
                ..Default::default()
            };
            assert_eq!(
                choose_acting(rep(0), &all, &ua, &pool_rep(3), &req, &none),
                Err(ActingError::AsyncRecoveryTargetsChanged)
            );
            req.needs_recovery = false;
            let c = choose_acting(rep(0), &all, &ua, &pool_rep(3), &req, &none).unwrap();
            assert!(c.async_recovery_targets.is_empty());
        }
    }

    mod get_log {
        use super::*;

        #[test]
        fn incomplete_les_bound_trace_d() {
            // §9 D: all reachable infos have les 8, one history says 12.
            let pairs = [
                (rep(0), info(8, 10).les(8).hles(8)),
                (rep(1), info(8, 10).les(8).hles(12)),
                (rep(2), info(8, 10).les(8).hles(8)),
            ];
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.outcome, ActingOutcome::NoAuthoritativeLog);
            assert!(c.history_les_bound);
            assert!(c.want_acting.is_empty());
            assert_eq!(c.pg_temp, PgTempRequest::None);
            assert_eq!(
                get_log_outcome(&c, rep(0), &infos(&pairs)).unwrap(),
                PeeringOutcome::Incomplete {
                    reason: IncompleteReason::NoAuthoritativeLog {
                        history_les_bound: true
                    }
                }
            );
        }

        #[test]
        fn no_authoritative_log_with_pg_temp_reverts_to_up() {
            let pairs = [
                (rep(0), info(5, 10).incomplete()),
                (rep(1), info(5, 10).incomplete()),
            ];
            let ua = placement(&[0, 1], &[1, 0]);
            let c = choose(rep(1), &pairs, &ua, &pool_rep(2));
            assert_eq!(c.outcome, ActingOutcome::NoAuthoritativeLog);
            assert_eq!(c.want_acting, vec_of(&[0, 1]));
            assert_eq!(c.pg_temp, PgTempRequest::Clear);
            assert_eq!(
                get_log_outcome(&c, rep(1), &infos(&pairs)).unwrap(),
                PeeringOutcome::WaitActingChange {
                    want_acting: vec_of(&[0, 1])
                }
            );
        }

        #[test]
        fn self_authoritative_is_got_log() {
            let pairs = [(rep(0), info(5, 10)), (rep(1), info(5, 9))];
            let ua = placement(&[0, 1], &[0, 1]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(2));
            assert_eq!(
                get_log_outcome(&c, rep(0), &infos(&pairs)).unwrap(),
                PeeringOutcome::GotLog
            );
        }

        #[test]
        fn primary_not_contiguous_with_the_authority_is_incomplete() {
            // GetLog's defensive check: choose_acting succeeded with a peer's log
            // authoritative, but our last_update (5'3) is before its tail (5'5).
            // Modern choose_acting keeps such a primary out of `want`, so the choice
            // is built by hand.
            let pairs = [(rep(0), info(5, 3)), (rep(1), info(5, 20).tail(5, 5))];
            let ua = placement(&[0, 1], &[0, 1]);
            let mut c = choose(rep(0), &pairs, &ua, &pool_rep(2));
            assert_eq!(c.auth_log_shard, Some(rep(1)));
            c.outcome = ActingOutcome::Proceed;
            c.want_acting.clear();
            assert_eq!(
                get_log_outcome(&c, rep(0), &infos(&pairs)).unwrap(),
                PeeringOutcome::Incomplete {
                    reason: IncompleteReason::NotContiguous {
                        auth_log_shard: rep(1)
                    }
                }
            );
        }

        #[test]
        fn log_is_requested_back_to_the_oldest_recoverable_peer() {
            // We are at 5'20 with tail 5'10; auth osd.1 at 5'22 tail 5'2; osd.2 at 5'6
            // is below our tail but within the authority's: ask from 5'6.
            let pairs = [
                (rep(0), info(5, 20).tail(5, 10)),
                (rep(1), info(5, 22).tail(5, 2)),
                (rep(2), info(5, 6)),
            ];
            let ua = placement(&[0, 1, 2], &[0, 1, 2]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.outcome, ActingOutcome::Proceed);
            assert_eq!(
                get_log_outcome(&c, rep(0), &infos(&pairs)).unwrap(),
                PeeringOutcome::GetLog {
                    auth_log_shard: rep(1),
                    request_log_from: EVersion::new(5, 6)
                }
            );
        }

        #[test]
        fn last_update_at_the_authoritative_tail_is_contiguous() {
            // Our last_update 5'5 equals the authority's tail 5'5: its log continues
            // ours, so GetLog asks for it (only strictly older is "not contiguous").
            let pairs = [(rep(0), info(5, 5)), (rep(1), info(5, 20).tail(5, 5))];
            let ua = placement(&[0, 1], &[0, 1]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(2));
            assert_eq!(c.outcome, ActingOutcome::Proceed);
            assert_eq!(
                get_log_outcome(&c, rep(0), &infos(&pairs)).unwrap(),
                PeeringOutcome::GetLog {
                    auth_log_shard: rep(1),
                    request_log_from: EVersion::new(5, 5)
                }
            );
        }

        #[test]
        fn log_is_not_requested_for_peers_our_log_covers_or_the_authority_cannot() {
            // We are at 5'20 with tail 5'10; auth osd.1 at 5'22 with tail 5'4.
            let ours = info(5, 20).tail(5, 10);
            let auth = info(5, 22).tail(5, 4);
            let from_own_head = |auth_peer: PgShard| PeeringOutcome::GetLog {
                auth_log_shard: auth_peer,
                request_log_from: EVersion::new(5, 20),
            };
            // osd.2 at 5'3 is behind the authority's tail too: it is backfilled, so
            // no log is fetched for it.
            let pairs = [
                (rep(0), ours.clone()),
                (rep(1), auth.clone()),
                (rep(2), info(5, 3)),
            ];
            let ua = placement(&[0, 1, 2], &[0, 1]);
            let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
            assert_eq!(c.outcome, ActingOutcome::Proceed);
            assert!(c.acting_recovery_backfill.contains(&rep(2)));
            assert_eq!(
                get_log_outcome(&c, rep(0), &infos(&pairs)).unwrap(),
                from_own_head(rep(1))
            );
            // osd.2 at 5'15 is inside our own log: our entries recover it.
            // So is osd.2 at exactly our tail 5'10: our log starts right after it.
            for peer in [info(5, 15), info(5, 10)] {
                let pairs = [
                    (rep(0), ours.clone()),
                    (rep(1), auth.clone()),
                    (rep(2), peer),
                ];
                let ua = placement(&[0, 1, 2], &[0, 1, 2]);
                let c = choose(rep(0), &pairs, &ua, &pool_rep(3));
                assert_eq!(c.outcome, ActingOutcome::Proceed);
                assert_eq!(
                    get_log_outcome(&c, rep(0), &infos(&pairs)).unwrap(),
                    from_own_head(rep(1))
                );
            }
        }
    }

    /// §9 C at the function level: the Down decision is the prior set's `pg_down`
    /// (the intervals module owns the rule; this checks it with acting's pools).
    mod down {
        use super::*;
        use peering_core::intervals::{
            PastIntervals, PgInterval, PriorOsdState, PriorSet, RecoverablePredicate, classify_osd,
        };
        use peering_core::map::{PoolInfo, SimpleOsdMap};
        use peering_core::types::{OsdId, OsdVec};

        fn map() -> SimpleOsdMap {
            let mut m = SimpleOsdMap::new(12)
                .with_up_osd(1, 1)
                .with_up_osd(2, 1)
                .with_up_osd(3, 1);
            m.mark_down(1);
            m.mark_down(2);
            m
        }

        /// Past intervals with one maybe-rw interval per `(first, acting)`.
        fn history(pool: &PoolInfo, intervals: &[(u32, &[i32])]) -> PastIntervals {
            let mut pi = PastIntervals::new();
            for (n, &(first, acting)) in intervals.iter().enumerate() {
                let last = intervals.get(n + 1).map_or(first + 1, |next| next.0 - 1);
                let acting: OsdVec = acting.iter().map(|&o| OsdId(o)).collect();
                pi.add_interval(
                    pool.is_erasure(),
                    &PgInterval {
                        up: acting.clone(),
                        primary: acting[0],
                        up_primary: acting[0],
                        acting,
                        first,
                        last,
                        maybe_went_rw: true,
                    },
                )
                .unwrap();
            }
            pi
        }

        fn prior(pool: &PoolInfo, pi: &PastIntervals, m: &SimpleOsdMap) -> PriorSet {
            let current = [OsdId(3)];
            PriorSet::new(
                pi,
                pool.is_erasure(),
                0,
                &RecoverablePredicate::for_pool(pool),
                |start, osd| classify_osd(m, start, osd),
                &current,
                &current,
            )
            .unwrap()
        }

        #[test]
        fn down_trace_c_and_marking_lost() {
            // §9 C: interval [5,9] acting {1,2} maybe went rw; both down now.
            let pool = pool_rep(2);
            let pi = history(&pool, &[(5, &[1, 2])]);
            let m = map();
            let p = prior(&pool, &pi, &m);
            assert!(p.pg_down);
            assert_eq!(
                p.blocked_by.keys().copied().collect::<Vec<_>>(),
                vec![OsdId(1), OsdId(2)]
            );
            assert!(p.blocked_by.values().all(|&lost_at| lost_at == 0));
            // osd.1 is declared lost: it counts as present, the interval is recoverable.
            let mut m = m.next();
            m.mark_lost(1);
            assert_eq!(classify_osd(&m, 5, OsdId(1)).0, PriorOsdState::Lost);
            assert!(!prior(&pool, &pi, &m).pg_down);
        }

        #[test]
        fn one_surviving_member_is_enough_for_replicated() {
            let pool = pool_rep(2);
            let mut m = map();
            m.mark_up(2);
            assert!(!prior(&pool, &history(&pool, &[(5, &[1, 2])]), &m).pg_down);
        }

        #[test]
        fn lost_before_the_interval_does_not_count() {
            let mut m = map();
            m.mark_lost(1); // lost_at 12, interval starts 13 below
            assert_eq!(classify_osd(&m, 13, OsdId(1)).0, PriorOsdState::Down);
            assert_eq!(classify_osd(&m, 13, OsdId(3)).0, PriorOsdState::Up);
        }

        #[test]
        fn members_that_no_longer_exist_do_not_block() {
            let pool = pool_rep(2);
            let mut m = map();
            m.remove_osd(1);
            m.remove_osd(2);
            assert_eq!(classify_osd(&m, 5, OsdId(1)).0, PriorOsdState::Dne);
            assert!(!prior(&pool, &history(&pool, &[(5, &[1, 2])]), &m).pg_down);
        }

        #[test]
        fn erasure_needs_k_surviving_shards() {
            let pool = pool_ec(2, 1);
            let mut m = SimpleOsdMap::new(12);
            for o in 0..4 {
                m = m.with_up_osd(o, 1);
            }
            m.mark_down(1);
            let pi = history(&pool, &[(5, &[0, 1, 2])]);
            assert!(!prior(&pool, &pi, &m).pg_down);
            m.mark_down(2);
            let p = prior(&pool, &pi, &m);
            assert!(p.pg_down);
            assert_eq!(p.blocked_by.len(), 2);
        }

        #[test]
        fn blocked_by_is_the_union_over_intervals() {
            let pool = pool_rep(2);
            let mut m = SimpleOsdMap::new(20);
            for o in 1..5 {
                m = m.with_up_osd(o, 1);
            }
            m.mark_down(1);
            m.mark_down(3);
            let pi = history(&pool, &[(5, &[1]), (9, &[3]), (12, &[2, 4])]);
            let p = prior(&pool, &pi, &m);
            assert!(p.pg_down);
            assert_eq!(
                p.blocked_by.keys().copied().collect::<Vec<_>>(),
                vec![OsdId(1), OsdId(3)]
            );
        }
    }
}
