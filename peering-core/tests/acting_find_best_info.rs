//! `find_best_info` (§5.9): every rule and tie-break, replicated and EC.

mod acting_support;

mod find_best_info {
    use super::acting_support::*;
    use peering_core::acting::{ActingOptions, PgPlacement, find_best_info};
    use peering_core::map::PoolInfo;
    use peering_core::types::{PgInfo, PgShard};

    fn best(
        pairs: &[(PgShard, PgInfo)],
        whoami: PgShard,
        ua: &PgPlacement,
        restrict: bool,
        pool: &PoolInfo,
        flag: &mut bool,
    ) -> Option<PgShard> {
        find_best_info(
            &infos(pairs),
            whoami,
            ua,
            restrict,
            pool,
            &ActingOptions::default(),
            flag,
        )
    }

    fn best_rep(pairs: &[(PgShard, PgInfo)], whoami: i32) -> (Option<PgShard>, bool) {
        let mut flag = false;
        let ua = placement(&[0, 1, 2], &[0, 1, 2]);
        let b = best(pairs, rep(whoami), &ua, false, &pool_rep(3), &mut flag);
        (b, flag)
    }

    #[test]
    fn replicated_prefers_newest_last_update() {
        let pairs = [
            (rep(0), info(5, 10)),
            (rep(1), info(5, 12)),
            (rep(2), info(4, 20)),
        ];
        assert_eq!(best_rep(&pairs, 0).0, Some(rep(1)));
    }

    #[test]
    fn erasure_prefers_oldest_last_update() {
        let pairs = [
            (ec(0, 0), info(5, 12)),
            (ec(1, 1), info(5, 10)),
            (ec(2, 2), info(5, 11)),
        ];
        let ua = ec_placement(&[0, 1, 2], &[0, 1, 2]);
        let mut flag = false;
        let b = best(&pairs, ec(0, 0), &ua, false, &pool_ec(2, 1), &mut flag);
        assert_eq!(b, Some(ec(1, 1)));
    }

    #[test]
    fn equal_last_update_prefers_longer_log() {
        let pairs = [
            (rep(0), info(5, 12).tail(5, 8)),
            (rep(1), info(5, 12).tail(5, 2)),
            (rep(2), info(5, 12).tail(5, 5)),
        ];
        assert_eq!(best_rep(&pairs, 0).0, Some(rep(1)));
    }

    #[test]
    fn erasure_equal_last_update_prefers_longer_log() {
        let pairs = [
            (ec(0, 0), info(5, 12).tail(5, 8)),
            (ec(1, 1), info(5, 12).tail(5, 3)),
        ];
        let ua = ec_placement(&[0, 1, 2], &[0, 1, 2]);
        let mut flag = false;
        let b = best(&pairs, ec(0, 0), &ua, false, &pool_ec(2, 1), &mut flag);
        assert_eq!(b, Some(ec(1, 1)));
    }

    #[test]
    fn equal_log_prefers_shard_without_missing() {
        let pairs = [
            (rep(0), info(5, 12).lc(5, 10)),
            (rep(1), info(5, 12).lc(5, 11)),
            (rep(2), info(5, 12)),
        ];
        assert_eq!(best_rep(&pairs, 0).0, Some(rep(2)));
    }

    #[test]
    fn missing_does_not_displace_a_complete_best() {
        // The complete osd.0 comes first; osd.1 (our own shard) has missing objects.
        let pairs = [(rep(0), info(5, 12)), (rep(1), info(5, 12).lc(5, 1))];
        assert_eq!(best_rep(&pairs, 1).0, Some(rep(0)));
    }

    #[test]
    fn full_tie_prefers_current_primary() {
        let pairs = [
            (rep(0), info(5, 12)),
            (rep(1), info(5, 12)),
            (rep(2), info(5, 12)),
        ];
        assert_eq!(best_rep(&pairs, 2).0, Some(rep(2)));
        assert_eq!(best_rep(&pairs, 1).0, Some(rep(1)));
    }

    #[test]
    fn full_tie_without_primary_keeps_first_in_shard_order() {
        let pairs = [
            (rep(3), info(5, 12)),
            (rep(1), info(5, 12)),
            (rep(2), info(5, 12)),
        ];
        // whoami osd.9 holds no info: the first in (osd, shard) order stays best.
        assert_eq!(best_rep(&pairs, 9).0, Some(rep(1)));
    }

    #[test]
    fn primary_does_not_beat_a_better_log() {
        let pairs = [(rep(0), info(5, 11)), (rep(1), info(5, 12))];
        assert_eq!(best_rep(&pairs, 0).0, Some(rep(1)));
    }

    #[test]
    fn incomplete_shards_are_never_authoritative() {
        let pairs = [(rep(0), info(5, 10)), (rep(1), info(5, 20).incomplete())];
        assert_eq!(best_rep(&pairs, 0).0, Some(rep(0)));
    }

    #[test]
    fn only_incomplete_shards_means_no_authoritative_log() {
        let pairs = [
            (rep(0), info(5, 10).incomplete()),
            (rep(1), info(5, 20).incomplete()),
        ];
        assert_eq!(best_rep(&pairs, 0), (None, false));
    }

    #[test]
    fn older_last_epoch_started_is_disqualified_despite_newer_log() {
        let pairs = [(rep(0), info(5, 10).les(8)), (rep(1), info(5, 30).les(6))];
        assert_eq!(best_rep(&pairs, 0), (Some(rep(0)), false));
    }

    #[test]
    fn les_bound_from_history_alone_blocks_all_candidates() {
        // §9 D: every info activated in 8, but a history says 12.
        let pairs = [
            (rep(0), info(8, 10).les(8).hles(8)),
            (rep(1), info(8, 10).les(8).hles(12)),
            (rep(2), info(8, 9).les(8).hles(8)),
        ];
        assert_eq!(best_rep(&pairs, 0), (None, true));
    }

    #[test]
    fn les_bound_raised_by_a_complete_info_clears_the_flag() {
        // osd.1 activated in 12 before its history learnt of it: its own les moves the
        // bound past every history, so the bound is no longer "from history".
        let pairs = [
            (rep(0), info(8, 10).les(8).hles(10)),
            (rep(1), info(12, 3).les(12).hles(10)),
        ];
        assert_eq!(best_rep(&pairs, 0), (Some(rep(1)), false));
    }

    #[test]
    fn les_bound_equal_in_history_and_info_keeps_the_flag() {
        // Ceph only moves the bound on a strict increase and reads the history first:
        // a history reaching 12 sets the flag, an info equal to it does not clear it.
        // A candidate still qualifies, so the flag does not block.
        let pairs = [
            (rep(0), info(8, 10).les(8).hles(12)),
            (rep(1), info(12, 3).les(12).hles(12)),
        ];
        assert_eq!(best_rep(&pairs, 0), (Some(rep(1)), true));
    }

    #[test]
    fn history_level_with_a_bound_an_info_set_leaves_the_flag_clear() {
        // osd.0 activated in 12 (its history says 10): the bound comes from an info and
        // the flag is clear. osd.1's history only reaches the same 12, and Ceph moves the
        // bound (and writes the flag) on a strict increase only: the flag stays clear.
        let pairs = [
            (rep(0), info(12, 3).les(12).hles(10)),
            (rep(1), info(12, 3).les(12).hles(12)),
        ];
        assert_eq!(best_rep(&pairs, 0), (Some(rep(0)), false));
    }

    #[test]
    fn incomplete_info_les_does_not_raise_the_bound() {
        // osd.1 activated in 12 but is still being backfilled: only its history counts,
        // so osd.0 (les 8) still qualifies.
        let pairs = [
            (rep(0), info(8, 10).les(8).hles(8)),
            (rep(1), info(12, 3).les(12).hles(8).incomplete()),
        ];
        assert_eq!(best_rep(&pairs, 0).0, Some(rep(0)));
        let pairs = [
            (rep(0), info(8, 10).les(8).hles(8)),
            (rep(1), info(12, 3).les(12).hles(12).incomplete()),
        ];
        assert_eq!(best_rep(&pairs, 0), (None, true));
    }

    #[test]
    fn ignore_history_les_unblocks() {
        let pairs = [
            (rep(0), info(8, 10).les(8).hles(12)),
            (rep(1), info(8, 9).les(8)),
        ];
        let opts = ActingOptions {
            find_best_info_ignore_history_les: true,
            ..ActingOptions::default()
        };
        let ua = placement(&[0, 1], &[0, 1]);
        let mut flag = false;
        let b = find_best_info(
            &infos(&pairs),
            rep(0),
            &ua,
            false,
            &pool_rep(2),
            &opts,
            &mut flag,
        );
        assert_eq!((b, flag), (Some(rep(0)), false));
    }

    #[test]
    fn flag_is_only_written_when_the_bound_moves() {
        // All epochs zero: the bound never moves, the caller's value survives.
        let pairs = [(rep(0), info(1, 1)), (rep(1), info(1, 2))];
        let ua = placement(&[0, 1], &[0, 1]);
        let mut flag = true;
        let b = best(&pairs, rep(0), &ua, false, &pool_rep(2), &mut flag);
        assert_eq!((b, flag), (Some(rep(1)), true));
    }

    #[test]
    fn no_infos_means_no_authoritative_log() {
        let mut flag = false;
        let ua = placement(&[0], &[0]);
        assert_eq!(best(&[], rep(0), &ua, false, &pool_rep(3), &mut flag), None);
        assert!(!flag);
    }

    #[test]
    fn restrict_to_up_acting_ignores_strays() {
        let pairs = [
            (rep(0), info(5, 10)),
            (rep(1), info(5, 10)),
            (rep(7), info(5, 50)),
        ];
        let ua = placement(&[0, 1], &[1, 0]);
        let mut flag = false;
        assert_eq!(
            best(&pairs, rep(0), &ua, false, &pool_rep(2), &mut flag),
            Some(rep(7))
        );
        assert_eq!(
            best(&pairs, rep(0), &ua, true, &pool_rep(2), &mut flag),
            Some(rep(0))
        );
    }

    #[test]
    fn restrict_counts_acting_only_members() {
        let pairs = [(rep(0), info(5, 10)), (rep(4), info(5, 50))];
        let ua = placement(&[0, 1], &[0, 4]);
        let mut flag = false;
        assert_eq!(
            best(&pairs, rep(0), &ua, true, &pool_rep(2), &mut flag),
            Some(rep(4))
        );
    }

    #[test]
    fn erasure_restrict_checks_the_position() {
        // osd.1 is up, but at position 1; its shard-2 instance is a stray.
        let pairs = [(ec(0, 0), info(5, 12)), (ec(1, 2), info(5, 10))];
        let ua = ec_placement(&[0, 1, 2], &[0, 1, 2]);
        let mut flag = false;
        let pool = pool_ec(2, 1);
        assert_eq!(
            best(&pairs, ec(0, 0), &ua, false, &pool, &mut flag),
            Some(ec(1, 2))
        );
        assert_eq!(
            best(&pairs, ec(0, 0), &ua, true, &pool, &mut flag),
            Some(ec(0, 0))
        );
    }
}
