//! PG merge (Nautilus+): `pg_pool_t::is_pending_merge`, the pre-merge
//! activation (`Active::react(AllReplicasActivated)`: `PEERED + PREMERGE`, and
//! "not ready" without the full acting set), the readiness report of a clean
//! pre-merge PG (`PeeringState::try_mark_clean`), `clear_ready_to_merge` at the
//! next interval, and `PeeringState::merge_from` / `pg_log_t::merge_from`.

mod machine_support;

use machine_support::{Cluster, POOL, ceph_config, mapping};
use peering_core::ctx::{HostNotification, RecoveryCtx, TxOp};
use peering_core::log::{LogEntry, LogOp, Missing, PgLog, PgLogT};
use peering_core::machine::{MergeMeta, Pg, PgLoad};
use peering_core::map::{MergeRole, PoolInfo, SimpleOsdMap};
use peering_core::types::{
    EVersion, ObjectId, PgHistory, PgId, PgInfo, PgShard, PgState, SpgId, UTime,
};
use peering_core::{HostMisuse, PeeringError};

fn pool(pg_num: u32, pending: u32) -> PoolInfo {
    let mut p = PoolInfo::replicated(POOL, 3, pg_num);
    p.pg_num_pending = pending;
    p
}

fn pg(seed: u32) -> PgId {
    PgId::new(POOL, seed)
}

mod pending_merge {
    use super::*;

    /// `is_pending_merge`: the seeds from `pg_num_pending` up are sources,
    /// their parents targets, the rest untouched.
    #[test]
    fn sources_are_the_top_seeds_and_targets_their_parents() {
        let p = pool(4, 3);
        assert_eq!(p.pending_merge(pg(3)), Some(MergeRole::Source));
        assert_eq!(p.pending_merge(pg(1)), Some(MergeRole::Target));
        assert_eq!(p.pending_merge(pg(0)), None);
        assert_eq!(p.pending_merge(pg(2)), None);
        let p = pool(4, 2);
        for s in [2, 3] {
            assert_eq!(p.pending_merge(pg(s)), Some(MergeRole::Source));
        }
        for t in [0, 1] {
            assert_eq!(p.pending_merge(pg(t)), Some(MergeRole::Target));
        }
        // 6 → 5: seed 5's parent is 1.
        let p = pool(6, 5);
        assert_eq!(p.pending_merge(pg(1)), Some(MergeRole::Target));
        assert_eq!(p.pending_merge(pg(4)), None);
        assert_eq!(pool(4, 4).pending_merge(pg(3)), None);
        assert_eq!(pool(4, 8).pending_merge(pg(3)), None, "a split is no merge");
    }
}

mod premerge {
    use super::*;

    fn merging_cluster(acting: &[i32]) -> Cluster {
        // PG 1.0 is the target of 1.1 while pg_num goes 2 → 1.
        let mut c = Cluster::with_pgs(&[0, 1, 2], acting, acting, 3, |m| {
            m.pools.insert(POOL, pool(2, 1));
        });
        c.run();
        // The monitor records the primary's up_thru.
        c.next_map(acting, |m| m.set_up_thru(0, 1));
        c.run();
        c
    }

    /// A merge target with its full acting set peers, goes clean, and says it
    /// is ready with its version and epochs, without serving writes.
    #[test]
    fn a_full_target_peers_without_writes_and_reports_ready() {
        let c = merging_cluster(&[0, 1, 2]);
        let p = c.pg(0);
        let bits = p.state_bits();
        assert!(bits.contains(PgState::PEERED | PgState::PREMERGE | PgState::CLEAN));
        assert!(!bits.contains(PgState::ACTIVE));
        let info = p.info();
        let want = HostNotification::ReadyToMergeTarget {
            last_update: info.last_update,
            last_epoch_started: info.history.last_epoch_started,
            last_epoch_clean: info.history.last_epoch_clean,
        };
        assert!(
            c.notifications.contains(&(0, want)),
            "{:?}",
            c.notifications
        );
        assert!(
            !c.notifications
                .iter()
                .any(|(_, n)| matches!(n, HostNotification::NotReadyToMergeTarget { .. }))
        );
    }

    /// Without the full acting set the target says it is not ready, naming
    /// the source (`pg_num_pending`'s seed), and never reports ready: it is
    /// not clean.
    #[test]
    fn an_undersized_target_is_not_ready() {
        let c = merging_cluster(&[0, 1]);
        let want = HostNotification::NotReadyToMergeTarget { source: pg(1) };
        assert!(
            c.notifications.contains(&(0, want)),
            "{:?}",
            c.notifications
        );
        assert!(
            !c.notifications
                .iter()
                .any(|(_, n)| matches!(n, HostNotification::ReadyToMergeTarget { .. }))
        );
        assert!(c.pg(0).state_bits().contains(PgState::PREMERGE));
    }

    /// Cancelling the merge (`pg_num_pending` back to `pg_num`) starts a new
    /// interval: the primary withdraws its readiness and goes active.
    #[test]
    fn a_cancelled_merge_clears_readiness_and_activates() {
        let mut c = merging_cluster(&[0, 1, 2]);
        let before = c.notifications.len();
        c.next_map(&[0, 1, 2], |m| {
            m.pools.insert(POOL, pool(2, 2));
        });
        c.run();
        let cancelled = c.epoch();
        c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, cancelled));
        c.run();
        let after = &c.notifications[before..];
        assert!(after.contains(&(0, HostNotification::ClearReadyToMerge)));
        let bits = c.pg(0).state_bits();
        assert!(bits.contains(PgState::ACTIVE), "{bits:?}");
        assert!(!bits.contains(PgState::PREMERGE));
    }
}

mod merge_from {
    use super::*;

    fn entry(seed: u32, v: u64) -> LogEntry {
        LogEntry::new(
            LogOp::Modify,
            ObjectId::new(POOL, seed, format!("o{seed}.{v}")),
            EVersion::new(10, v),
            EVersion::ZERO,
        )
    }

    /// PG `1.seed` on osd.0 at epoch 10, log `10'1..=10'head`, complete.
    fn loaded(seed: u32, head: u64, map: &SimpleOsdMap) -> Pg {
        let spg = SpgId::new(pg(seed), peering_core::types::ShardId::NO_SHARD);
        let mut log = PgLogT::new(EVersion::ZERO, EVersion::new(10, head));
        log.entries = (1..=head).map(|v| entry(seed, v)).collect();
        let mut h = PgHistory::new(1, UTime::default());
        h.last_epoch_started = 10;
        h.last_epoch_clean = 10;
        h.same_interval_since = 10;
        h.same_up_since = 10;
        h.same_primary_since = 10;
        let mut info = PgInfo::new(spg);
        info.last_update = EVersion::new(10, head);
        info.last_complete = info.last_update;
        info.last_epoch_started = 10;
        info.history = h;
        info.stats.num_objects = head as i64;
        let args = PgLoad {
            whoami: PgShard::replica(0),
            info,
            past_intervals: Default::default(),
            log: PgLog::from_parts(log, Missing::new(true)).unwrap(),
            mapping: mapping(&[0, 1, 2]),
            config: ceph_config(),
        };
        Pg::load(args, map, &mut RecoveryCtx::new()).unwrap()
    }

    fn map10() -> SimpleOsdMap {
        let mut m = SimpleOsdMap::new(10).with_pool(pool(2, 1));
        for o in 0..3 {
            m = m.with_up_osd(o, 1);
        }
        m
    }

    fn meta(target_v: u64, source_v: u64) -> MergeMeta {
        MergeMeta {
            source_pgid: pg(1),
            ready_epoch: 10,
            last_epoch_started: 10,
            last_epoch_clean: 10,
            source_version: EVersion::new(10, source_v),
            target_version: EVersion::new(10, target_v),
        }
    }

    /// Both sides complete and as the monitor recorded them: the target ends
    /// at the newest version with an empty log, every entry kept as a dup in
    /// version order (the target's first among equals), stats summed, and the
    /// rewrite persisted.
    #[test]
    fn complete_sides_merge_into_an_empty_log_of_dups() {
        let map = map10();
        let mut target = loaded(0, 3, &map);
        let mut sources = [loaded(1, 5, &map)];
        let mut ctx = RecoveryCtx::new();
        target
            .merge_from(&mut sources, &meta(3, 5), &mut ctx)
            .unwrap();
        let info = target.info();
        let v5 = EVersion::new(10, 5);
        assert_eq!(
            (info.last_update, info.last_complete, info.log_tail),
            (v5, v5, v5)
        );
        assert!(info.last_backfill.is_max(), "complete: nothing to backfill");
        assert_eq!(info.stats.num_objects, 8);
        let log = target.pg_log().log();
        assert!(log.entries().is_empty());
        assert_eq!((log.head(), log.tail()), (v5, v5));
        let dups: Vec<(u64, u32)> = log
            .dups()
            .iter()
            .map(|d| (d.version.version, d.reqid.tid as u32))
            .collect();
        assert_eq!(dups.len(), 8);
        let versions: Vec<u64> = dups.iter().map(|d| d.0).collect();
        assert_eq!(versions, [1, 1, 2, 2, 3, 3, 4, 5]);
        let tx = ctx.take_persist();
        let ops = &tx.transaction().ops;
        assert_eq!(
            ops.first(),
            Some(&TxOp::MergeCollection {
                source: sources[0].info().pgid
            }),
            "the collections merge first"
        );
        assert!(ops.iter().any(|op| matches!(op, TxOp::WriteInfo { .. })));
        assert!(ops.iter().any(|op| matches!(op, TxOp::WriteLog { .. })));
    }

    /// What the monitor recorded does not match (the target moved on after
    /// reporting ready): the merged PG is incomplete and will be backfilled.
    #[test]
    fn a_version_the_monitor_did_not_see_makes_it_incomplete() {
        let map = map10();
        let mut target = loaded(0, 3, &map);
        let mut sources = [loaded(1, 5, &map)];
        let mut ctx = RecoveryCtx::new();
        target
            .merge_from(&mut sources, &meta(2, 5), &mut ctx)
            .unwrap();
        assert!(target.info().is_incomplete());
        // With nothing recorded (`source_pgid` 0.0), nothing is checked.
        let mut target = loaded(0, 3, &map);
        let mut sources = [loaded(1, 5, &map)];
        target
            .merge_from(&mut sources, &MergeMeta::default(), &mut ctx)
            .unwrap();
        assert!(!target.info().is_incomplete());
    }

    /// A source that was still missing objects cannot be trusted to hold
    /// everything: the merged PG is incomplete.
    #[test]
    fn an_incomplete_source_makes_it_incomplete() {
        let map = map10();
        let mut target = loaded(0, 3, &map);
        let src = loaded(1, 5, &map);
        let mut load = PgLoad {
            whoami: PgShard::replica(0),
            info: src.info().clone(),
            past_intervals: Default::default(),
            log: src.pg_log().clone(),
            mapping: mapping(&[0, 1, 2]),
            config: ceph_config(),
        };
        load.info.last_complete = EVersion::new(10, 4);
        let mut sources = [Pg::load(load, &map, &mut RecoveryCtx::new()).unwrap()];
        target
            .merge_from(&mut sources, &meta(3, 5), &mut RecoveryCtx::new())
            .unwrap();
        assert!(target.info().is_incomplete());
        assert_eq!(target.info().last_update, EVersion::new(10, 5));
    }

    /// A target that never existed here (a placeholder the OSD made for the
    /// merge) takes the source's history, with the epochs the monitor
    /// recorded, and is incomplete.
    #[test]
    fn a_placeholder_target_takes_the_source_history() {
        let map = map10();
        let spg = SpgId::new(pg(0), peering_core::types::ShardId::NO_SHARD);
        let placeholder = PgLoad {
            whoami: PgShard::replica(0),
            info: PgInfo::new(spg),
            past_intervals: Default::default(),
            log: PgLog::default(),
            mapping: mapping(&[0, 1, 2]),
            config: ceph_config(),
        };
        let mut target = Pg::load(placeholder, &map, &mut RecoveryCtx::new()).unwrap();
        let mut sources = [loaded(1, 5, &map)];
        let mut m = meta(0, 5);
        m.last_epoch_started = 8;
        m.last_epoch_clean = 7;
        target
            .merge_from(&mut sources, &m, &mut RecoveryCtx::new())
            .unwrap();
        let info = target.info();
        assert!(info.is_incomplete(), "a placeholder holds nothing");
        assert_eq!(info.history.epoch_created, 1);
        assert_eq!(info.last_epoch_started, 8);
        assert_eq!(info.history.last_epoch_started, 8);
        assert_eq!(info.history.last_epoch_clean, 7);
        // The source's same_interval_since (10) is past les 8: pulled back to
        // lec, with the up/primary starts no later.
        assert_eq!(info.history.same_interval_since, 7);
        assert_eq!(info.history.same_up_since, 7);
        assert_eq!(info.history.same_primary_since, 7);
    }

    /// Refused with the target unchanged: a PG that is not a child of the
    /// target, another pool's PG, the target itself, or a source at another
    /// epoch.
    #[test]
    fn sources_that_do_not_fold_into_the_target_are_refused() {
        let map = map10();
        let target = loaded(1, 3, &map);
        let mut other_map = map10();
        other_map.epoch = 11;
        for bad in [
            loaded(0, 5, &map), // 1.0 is 1.1's parent, not its child
            loaded(1, 5, &map), // itself
            loaded(2, 5, &map), // 1.2's parent is 1.0
        ] {
            let mut t = target.clone();
            let pgid = bad.info().pgid;
            let err = t.merge_from(&mut [bad], &MergeMeta::default(), &mut RecoveryCtx::new());
            assert_eq!(
                err,
                Err(PeeringError::HostMisuse(HostMisuse::NotMergeSource {
                    pg: pgid,
                    into: target.info().pgid,
                }))
            );
            assert_eq!(t, target);
        }
        let mut t = loaded(0, 3, &map);
        let mut late = loaded(1, 5, &map);
        let mut ctx = RecoveryCtx::new();
        late.advance_map(&other_map, &map, mapping(&[0, 1, 2]), &mut ctx)
            .unwrap();
        let before = t.clone();
        assert!(matches!(
            t.merge_from(&mut [late], &MergeMeta::default(), &mut ctx),
            Err(PeeringError::HostMisuse(HostMisuse::NotMergeSource { .. }))
        ));
        assert_eq!(t, before);
    }
}
