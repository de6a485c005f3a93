//! `choose_acting` on contradictory input: a typed `ActingError` or Ceph's documented
//! outcome, never a panic.

mod acting_support;

mod choose_acting {
    mod bad_input {
        use super::super::acting_support::*;
        use peering_core::Crash;
        use peering_core::PeeringError;
        use peering_core::acting::{
            ActingError, ActingOutcome, ChooseActingRequest, PeerMissingCounts, PgPlacement,
            PlacementVector, choose_acting, collect_infos, validate_infos,
        };
        use peering_core::map::{PoolInfo, StretchRule};
        use peering_core::types::{OsdId, PgInfo, PgShard, ShardId};

        fn run(
            whoami: PgShard,
            pairs: &[(PgShard, PgInfo)],
            ua: &PgPlacement,
            pool: &PoolInfo,
        ) -> Result<ActingOutcome, ActingError> {
            let all = infos(pairs);
            choose_acting(
                whoami,
                &all,
                ua,
                pool,
                &ChooseActingRequest::default(),
                &PeerMissingCounts::new(),
            )
            .map(|c| c.outcome)
        }

        /// The admission check for infos from peers (`validate_peer_info` over
        /// each pair); `choose_acting` itself takes the PG's records as they are,
        /// as Ceph's does, and must still not fail on them.
        fn admit(
            pairs: &[(PgShard, PgInfo)],
            ua: &PgPlacement,
            pool: &PoolInfo,
        ) -> Result<(), ActingError> {
            let checked = validate_infos(&infos(pairs), pool);
            let chosen = run(rep(0), pairs, ua, pool);
            assert!(chosen.is_ok(), "choose_acting refused a record: {chosen:?}");
            checked
        }

        fn healthy() -> Vec<(PgShard, PgInfo)> {
            vec![(rep(0), info(5, 10)), (rep(1), info(5, 10))]
        }

        #[test]
        fn replicated_info_with_a_shard() {
            let mut pairs = healthy();
            pairs.push((ec(1, 2), info(5, 10)));
            let err = run(rep(0), &pairs, &placement(&[0, 1], &[0, 1]), &pool_rep(2));
            assert_eq!(
                err,
                Err(ActingError::ShardInReplicatedPool { shard: ec(1, 2) })
            );
        }

        #[test]
        fn erasure_shard_out_of_range_or_missing() {
            let ua = ec_placement(&[0, 1, 2], &[0, 1, 2]);
            let pairs = [(ec(0, 0), info(5, 10)), (ec(1, 3), info(5, 10))];
            assert_eq!(
                run(ec(0, 0), &pairs, &ua, &pool_ec(2, 1)),
                Err(ActingError::ShardOutOfRange {
                    shard: ec(1, 3),
                    size: 3
                })
            );
            let pairs = [(ec(0, 0), info(5, 10)), (rep(1), info(5, 10))];
            assert_eq!(
                run(ec(0, 0), &pairs, &ua, &pool_ec(2, 1)),
                Err(ActingError::ShardOutOfRange {
                    shard: rep(1),
                    size: 3
                })
            );
        }

        #[test]
        fn info_keyed_by_an_invalid_osd() {
            for osd in [OsdId::UNDEF, OsdId::NONE] {
                let mut pairs = healthy();
                let shard = PgShard::new(osd, ShardId::NO_SHARD);
                pairs.push((shard, info(5, 10)));
                let err = run(rep(0), &pairs, &placement(&[0, 1], &[0, 1]), &pool_rep(2));
                assert_eq!(err, Err(ActingError::InvalidOsd { shard }));
            }
        }

        #[test]
        fn last_complete_past_last_update() {
            let mut pairs = healthy();
            pairs[1].1 = info(5, 10).lc(5, 11);
            let err = admit(&pairs, &placement(&[0, 1], &[0, 1]), &pool_rep(2));
            assert_eq!(
                err,
                Err(ActingError::LastCompletePastLastUpdate { shard: rep(1) })
            );
        }

        #[test]
        fn last_update_before_log_tail() {
            let mut pairs = healthy();
            pairs[1].1 = info(5, 10).tail(5, 11);
            let err = admit(&pairs, &placement(&[0, 1], &[0, 1]), &pool_rep(2));
            assert_eq!(
                err,
                Err(ActingError::LastUpdateBeforeLogTail { shard: rep(1) })
            );
        }

        #[test]
        fn log_trimmed_to_its_head_is_admitted() {
            // A log with no entries left has `log_tail == last_update`: valid.
            let mut pairs = healthy();
            pairs[1].1 = info(5, 10).tail(5, 10);
            assert_eq!(
                admit(&pairs, &placement(&[0, 1], &[0, 1]), &pool_rep(2)),
                Ok(())
            );
        }

        /// An interval started after the activation epoch it carries is what a
        /// replica of a peered primary (acting below `min_size`) or a stray
        /// activated as a recovery source reports: Ceph takes it, so do we.
        #[test]
        fn interval_started_after_activation_is_accepted() {
            let mut pairs = healthy();
            let mut rec = info(5, 10).les(4);
            rec.last_interval_started = 5;
            rec.history.same_interval_since = 5;
            pairs[1].1 = rec;
            let ua = placement(&[0, 1], &[0, 1]);
            assert_eq!(admit(&pairs, &ua, &pool_rep(2)), Ok(()));
            let mut rec = info(5, 10).hles(4);
            rec.history.last_interval_started = 6;
            pairs[1].1 = rec;
            assert_eq!(admit(&pairs, &ua, &pool_rep(2)), Ok(()));
        }

        /// A record whose `last_interval_started` is past its history's
        /// `same_interval_since` is what the primary keeps for a peer it caught up
        /// by log from an empty info: Ceph has no rule against it, neither at
        /// admission nor in `choose_acting`.
        #[test]
        fn history_older_than_its_info_is_accepted() {
            let mut pairs = healthy();
            let mut rec = info(5, 10).les(9);
            rec.last_interval_started = 9;
            rec.history.same_interval_since = 0;
            pairs[1].1 = rec;
            let ua = placement(&[0, 1], &[0, 1]);
            assert_eq!(admit(&pairs, &ua, &pool_rep(2)), Ok(()));
            assert_eq!(
                run(rep(0), &pairs, &ua, &pool_rep(2)),
                Ok(ActingOutcome::Proceed)
            );
        }

        #[test]
        fn members_and_self_must_have_infos() {
            let pairs = healthy();
            let err = run(
                rep(0),
                &pairs,
                &placement(&[0, 1, 2], &[0, 1, 2]),
                &pool_rep(3),
            );
            assert_eq!(err, Err(ActingError::MissingInfo { shard: rep(2) }));
            let err = run(rep(5), &pairs, &placement(&[0, 1], &[0, 1]), &pool_rep(2));
            assert_eq!(err, Err(ActingError::MissingInfo { shard: rep(5) }));
            let ua = ec_placement(&[0, 1, 2], &[0, 1, 2]);
            let pairs = [(ec(0, 0), info(5, 10)), (ec(1, 1), info(5, 10))];
            assert_eq!(
                run(ec(0, 0), &pairs, &ua, &pool_ec(2, 1)),
                Err(ActingError::MissingInfo { shard: ec(2, 2) })
            );
        }

        #[test]
        fn unusable_pools() {
            let ua = placement(&[0, 1], &[0, 1]);
            assert_eq!(
                run(rep(0), &healthy(), &ua, &pool_rep(0)),
                Err(ActingError::InvalidPoolSize { size: 0 })
            );
            let mut k0 = pool_ec(2, 1);
            k0.kind = peering_core::map::PoolKind::Erasure { k: 0, m: 3 };
            let ua = ec_placement(&[0, 1, 2], &[0, 1, 2]);
            let pairs = [(ec(0, 0), info(5, 10))];
            assert_eq!(
                run(ec(0, 0), &pairs, &ua, &k0),
                Err(ActingError::InvalidPoolSize { size: 3 })
            );
            let mut mismatch = pool_ec(2, 1);
            mismatch.size = 4;
            assert_eq!(
                run(ec(0, 0), &pairs, &ua, &mismatch),
                Err(ActingError::InvalidPoolSize { size: 4 })
            );
        }

        #[test]
        fn erasure_pools_up_to_127_shards_are_valid() {
            // `shard_id_t` is an int8_t: shards 0..=126 have ids, a 128th does not.
            let widest = PoolInfo::erasure(1, 100, 27, 8);
            assert_eq!(peering_core::acting::validate_pool(&widest), Ok(()));
            let too_wide = PoolInfo::erasure(1, 100, 28, 8);
            assert_eq!(
                peering_core::acting::validate_pool(&too_wide),
                Err(ActingError::InvalidPoolSize { size: 128 })
            );
            let far_too_wide = PoolInfo::erasure(1, 100, 100, 8);
            assert_eq!(
                peering_core::acting::validate_pool(&far_too_wide),
                Err(ActingError::InvalidPoolSize { size: 200 })
            );
        }

        #[test]
        fn erasure_vectors_of_the_wrong_length() {
            let pairs = [(ec(0, 0), info(5, 10)), (ec(1, 1), info(5, 10))];
            let ua = ec_placement(&[0, 1, 2], &[0, 1]);
            assert_eq!(
                run(ec(0, 0), &pairs, &ua, &pool_ec(2, 1)),
                Err(ActingError::VectorLength {
                    which: PlacementVector::Acting,
                    len: 2,
                    size: 3
                })
            );
            let ua = ec_placement(&[0, 1, 2, 3], &[0, 1, 2]);
            assert_eq!(
                run(ec(0, 0), &pairs, &ua, &pool_ec(2, 1)),
                Err(ActingError::VectorLength {
                    which: PlacementVector::Up,
                    len: 4,
                    size: 3
                })
            );
        }

        #[test]
        fn replicated_vectors_with_repeats_or_holes() {
            let ua = placement(&[0, 1, 0], &[0, 1]);
            assert_eq!(
                run(rep(0), &healthy(), &ua, &pool_rep(3)),
                Err(ActingError::BadReplicatedVector {
                    which: PlacementVector::Up,
                    osd: OsdId(0)
                })
            );
            let ua = placement(&[0, 1], &[0, -1]);
            assert_eq!(
                run(rep(0), &healthy(), &ua, &pool_rep(2)),
                Err(ActingError::BadReplicatedVector {
                    which: PlacementVector::Acting,
                    osd: OsdId::NONE
                })
            );
        }

        #[test]
        fn stretch_pool_with_zero_bucket_target_is_refused() {
            // Ceph divides the pool size by peering_crush_bucket_target.
            let mut pool = pool_rep(2);
            pool.stretch = Some(StretchRule {
                bucket_count: 2,
                ..StretchRule::default()
            });
            let ua = placement(&[0, 1], &[0, 1]);
            let err = run(rep(0), &healthy(), &ua, &pool);
            assert_eq!(err, Err(ActingError::StretchTargetZero));
            // A rule with bucket_count 0 is no stretch pool (`is_stretch_pool`).
            pool.stretch = Some(StretchRule::default());
            assert_eq!(
                run(rep(0), &healthy(), &ua, &pool),
                Ok(ActingOutcome::Proceed)
            );
        }

        #[test]
        fn duplicate_infos_disagreeing() {
            let pairs = [(rep(1), info(5, 10)), (rep(1), info(5, 11))];
            assert_eq!(
                collect_infos(pairs.iter().cloned()),
                Err(ActingError::DuplicateInfo { shard: rep(1) })
            );
            let same = [(rep(1), info(5, 10)), (rep(1), info(5, 10))];
            assert_eq!(collect_infos(same.iter().cloned()).unwrap().len(), 1);
        }

        #[test]
        fn empty_candidates_are_no_authoritative_log() {
            let pairs = [(rep(0), info(5, 10).incomplete())];
            let out = run(rep(0), &pairs, &placement(&[0], &[0]), &pool_rep(1));
            assert_eq!(out, Ok(ActingOutcome::NoAuthoritativeLog));
            let out = run(rep(0), &pairs, &placement(&[], &[]), &pool_rep(1));
            assert_eq!(out, Ok(ActingOutcome::NoAuthoritativeLog));
        }

        #[test]
        fn calc_ec_acting_refuses_sizes_shard_ids_cannot_name() {
            let all = infos(&[(ec(0, 0), info(5, 10))]);
            let v = vec_of(&[0]);
            assert_eq!(
                peering_core::acting::calc_ec_acting(
                    Default::default(),
                    u32::MAX,
                    &v,
                    &v,
                    &all,
                    false
                ),
                Err(ActingError::InvalidPoolSize { size: u32::MAX })
            );
        }

        #[test]
        fn calc_ec_acting_takes_the_widest_pool_shard_ids_can_name() {
            // `shard_id_t` is an int8_t: 127 positions (shards 0..=126) all have ids,
            // 128 do not.
            let v: Vec<i32> = (0..127).collect();
            let all = infos(
                &v.iter()
                    .map(|&o| (ec(o, o as i8), info(5, 10)))
                    .collect::<Vec<_>>(),
            );
            let v = vec_of(&v);
            let sets =
                peering_core::acting::calc_ec_acting(Default::default(), 127, &v, &v, &all, false)
                    .unwrap();
            assert_eq!(sets.want, v);
            assert!(sets.backfill.is_empty());
            assert_eq!(sets.acting_backfill.len(), 127);
            assert_eq!(
                peering_core::acting::calc_ec_acting(Default::default(), 128, &v, &v, &all, false),
                Err(ActingError::InvalidPoolSize { size: 128 })
            );
        }

        #[test]
        fn errors_wrap_into_peering_error() {
            let e: PeeringError = ActingError::StretchTargetZero.into();
            assert!(matches!(
                e,
                PeeringError::Crashed(Crash::Acting(ActingError::StretchTargetZero))
            ));
        }
    }
}
