//! `merge_log` (§5.13): Ceph's TestPGLog.cc `merge_log` cases and the
//! table-driven `merge_log_*` cases (run in both directions), re-derived.

mod log_common;

mod merge_log {
    use super::log_common::*;
    use peering_core::log::{LogDup, LogEffects, LogError, LogOp, Missing, PgLog, PgLogT};
    use peering_core::types::{EVersion, ObjectId, PgInfo, SnapId};

    fn backfilling() -> ObjectId {
        let mut o = ObjectId::new(1, 234, "oname");
        o.snap = SnapId(1);
        o
    }

    /// Runs `merge_log` and returns its dirty flag and effects.
    fn merge(
        pg: &mut PgLog,
        oinfo: &mut PgInfo,
        info: &mut PgInfo,
        olog: PgLogT,
    ) -> (bool, LogEffects) {
        let mut effects = LogEffects::new();
        let dirty = pg
            .merge_log(oinfo, olog, peer(), info, &mut effects)
            .unwrap();
        (dirty, effects)
    }

    /// A log `(tail, head]` of entries creating `hobj(hash)` at each version.
    fn creations(tail: EVersion, head: EVersion, list: &[(u32, EVersion)]) -> PgLogT {
        let entries = list
            .iter()
            .map(|&(h, v)| entry(LogOp::Modify, h, v, EVersion::ZERO))
            .collect();
        plain(tail, head, entries)
    }

    fn entry(op: LogOp, hash: u32, v: EVersion, pv: EVersion) -> peering_core::log::LogEntry {
        let mut e = modify(&hobj(hash), v, pv);
        e.op = op;
        e
    }

    #[test]
    fn same_head_and_tail_while_backfilling_is_a_noop() {
        let mut pg =
            PgLog::from_parts(plain(ev(1, 1), ev(2, 1), vec![]), Missing::new(true)).unwrap();
        let olog = plain(ev(1, 1), ev(2, 1), vec![]);
        let mut info = info();
        info.last_backfill = backfilling();
        info.stats.version = ev(10, 1);
        let mut oinfo = super::log_common::info();
        let (dirty, effects) = merge(&mut pg, &mut oinfo, &mut info, olog);
        assert!(!dirty);
        assert!(!pg.is_dirty());
        assert!(!pg.missing().have_missing());
        assert!(pg.log().entries().is_empty());
        // Backfilling: our stats are kept.
        assert_eq!(info.stats.version, ev(10, 1));
        assert!(effects.is_empty());
    }

    #[test]
    fn same_head_and_tail_adopts_stats_but_never_lowers_reported() {
        let mut pg =
            PgLog::from_parts(plain(ev(1, 1), ev(2, 1), vec![]), Missing::new(false)).unwrap();
        let olog = plain(ev(1, 1), ev(2, 1), vec![]);
        let mut info = info();
        info.stats.reported_seq = 1;
        info.stats.reported_epoch = 10;
        let mut oinfo = super::log_common::info();
        oinfo.stats.version = ev(10, 1);
        oinfo.stats.reported_seq = 1;
        oinfo.stats.reported_epoch = 1;
        let (dirty, effects) = merge(&mut pg, &mut oinfo, &mut info, olog);
        assert!(!dirty);
        assert!(!pg.is_dirty());
        assert_eq!(info.stats.version, ev(10, 1));
        assert_eq!(info.stats.reported_seq, 1);
        assert_eq!(info.stats.reported_epoch, 10);
        assert!(effects.is_empty());
    }

    #[test]
    fn reported_stats_are_replaced_when_either_is_behind() {
        // Ceph: if the authoritative reported_seq *or* reported_epoch is behind
        // ours, both of ours replace both of theirs (even if that lowers the
        // other); otherwise theirs stand. A complete replica then adopts them.
        // (ours, theirs) -> theirs after the merge, as (seq, epoch).
        let cases = [
            ((5, 10), (5, 10), (5, 10)),
            ((5, 10), (5, 12), (5, 12)),
            ((5, 10), (7, 10), (7, 10)),
            ((5, 10), (4, 12), (5, 10)),
            ((5, 10), (7, 9), (5, 10)),
        ];
        for (ours, theirs, want) in cases {
            let mut pg =
                PgLog::from_parts(plain(ev(1, 1), ev(2, 1), vec![]), Missing::new(false)).unwrap();
            let olog = plain(ev(1, 1), ev(2, 1), vec![]);
            let mut info = info();
            (info.stats.reported_seq, info.stats.reported_epoch) = ours;
            let mut oinfo = super::log_common::info();
            (oinfo.stats.reported_seq, oinfo.stats.reported_epoch) = theirs;
            merge(&mut pg, &mut oinfo, &mut info, olog);
            let case = format!("ours {ours:?}, theirs {theirs:?}");
            assert_eq!(
                (oinfo.stats.reported_seq, oinfo.stats.reported_epoch),
                want,
                "{case}"
            );
            assert_eq!(
                (info.stats.reported_seq, info.stats.reported_epoch),
                want,
                "{case}"
            );
        }
    }

    #[test]
    fn extends_tail_backward_without_touching_missing() {
        // ours (1,3]: x5@1,4 x9@1,5; theirs (1,0]: x5@1,1 ... x9@1,5
        let log = creations(ev(1, 3), ev(1, 5), &[(0x7, ev(1, 4)), (0x9, ev(1, 5))]);
        let olog = creations(
            ev(1, 0),
            ev(1, 5),
            &[(0x5, ev(1, 1)), (0x7, ev(1, 4)), (0x9, ev(1, 5))],
        );
        let mut pg = PgLog::from_parts(log, Missing::new(false)).unwrap();
        let mut info = info();
        info.last_update = ev(1, 5);
        info.log_tail = ev(1, 3);
        info.last_backfill = backfilling();
        info.stats.version = ev(10, 1);
        let mut oinfo = super::log_common::info();
        let (dirty, effects) = merge(&mut pg, &mut oinfo, &mut info, olog);
        assert!(dirty);
        assert!(pg.is_dirty());
        assert_eq!(
            versions(pg.log().entries()),
            vec![ev(1, 1), ev(1, 4), ev(1, 5)]
        );
        assert_eq!(pg.log().tail(), ev(1, 0));
        assert_eq!(info.log_tail, ev(1, 0));
        assert!(pg.log().logged_object(&hobj(0x5)));
        assert!(!pg.missing().have_missing());
        assert_eq!(info.stats.version, ev(10, 1));
        assert!(effects.is_empty());
    }

    /// ours: x5@1,1 x3@1,2 x9 DELETE@1,3; theirs: x5@1,1 x3@1,2 x9 MODIFY@2,3
    /// x7 DELETE@2,4. Our 1,3 is divergent.
    fn divergent_delete_case() -> (PgLogT, PgLogT) {
        let base = vec![
            entry(LogOp::Modify, 0x5, ev(1, 1), ev(0, 0)),
            entry(LogOp::Modify, 0x3, ev(1, 2), ev(0, 0)),
        ];
        let mut ours = base.clone();
        ours.push(entry(LogOp::Delete, 0x9, ev(1, 3), ev(0, 0)));
        let mut theirs = base;
        theirs.push(entry(LogOp::Modify, 0x9, ev(2, 3), ev(0, 0)));
        theirs.push(entry(LogOp::Delete, 0x7, ev(2, 4), ev(0, 0)));
        (
            plain(ev(1, 0), ev(1, 3), ours),
            plain(ev(1, 0), ev(2, 4), theirs),
        )
    }

    #[test]
    fn divergent_delete_replaced_by_modify_deletes_in_missing() {
        let (log, olog) = divergent_delete_case();
        let mut pg = PgLog::from_parts(log, Missing::new(true)).unwrap();
        let mut info = info();
        info.last_update = ev(1, 3);
        let mut oinfo = super::log_common::info();
        oinfo.last_update = ev(2, 4);
        oinfo.last_user_version = 7;
        let (dirty, effects) = merge(&mut pg, &mut oinfo, &mut info, olog);
        assert!(dirty);
        // The authoritative MODIFY makes x9 missing; the DELETE of x7 is recovered
        // as a missing delete.
        assert_eq!(
            items(pg.missing()),
            items(&missing(
                &[
                    (hobj(0x9), ev(2, 3), ev(0, 0), false),
                    (hobj(0x7), ev(2, 4), ev(0, 0), true),
                ],
                true
            ))
        );
        assert_eq!(pg.log().entries().len(), 4);
        assert_eq!(pg.log().object_entry(&hobj(0x9)).unwrap().version, ev(2, 3));
        // Our divergent delete is superseded (case 1): the stale x9 is removed.
        assert_eq!(
            effects.removed().cloned().collect::<Vec<_>>(),
            vec![hobj(0x9)]
        );
        assert_eq!(info.last_update, ev(2, 4));
        assert_eq!(info.last_user_version, 7);
        assert_eq!(info.stats.num_objects_missing, 2);
        assert!(pg.is_dirty());
    }

    #[test]
    fn divergent_delete_replaced_by_modify_deletes_during_peering() {
        let (log, olog) = divergent_delete_case();
        let mut pg = PgLog::from_parts(log, Missing::new(false)).unwrap();
        let mut info = info();
        info.last_update = ev(1, 3);
        let mut oinfo = super::log_common::info();
        oinfo.last_update = ev(2, 4);
        let (_, effects) = merge(&mut pg, &mut oinfo, &mut info, olog);
        assert_eq!(
            items(pg.missing()),
            items(&missing(&[(hobj(0x9), ev(2, 3), ev(0, 0), false)], false))
        );
        assert_eq!(pg.log().entries().len(), 4);
        // The authoritative delete of x7 is applied during peering (removed
        // first), then the divergent x9.
        assert_eq!(
            effects.removed().cloned().collect::<Vec<_>>(),
            vec![hobj(0x7), hobj(0x9)]
        );
        assert_eq!(info.last_update, ev(2, 4));
    }

    #[test]
    fn divergent_head_is_rewound() {
        // ours: x5@1,1 x7@1,4 x9@1,5; theirs ends at 1,4.
        let log = creations(
            ev(1, 0),
            ev(1, 5),
            &[(0x5, ev(1, 1)), (0x7, ev(1, 4)), (0x9, ev(1, 5))],
        );
        let olog = creations(ev(1, 0), ev(1, 4), &[(0x5, ev(1, 1)), (0x7, ev(1, 4))]);
        let mut pg = PgLog::from_parts(log, Missing::new(false)).unwrap();
        let mut info = info();
        info.last_update = ev(1, 5);
        info.last_complete = ev(1, 5);
        info.last_backfill = backfilling();
        info.stats.version = ev(10, 1);
        let mut oinfo = super::log_common::info();
        let (dirty, effects) = merge(&mut pg, &mut oinfo, &mut info, olog);
        assert!(dirty);
        assert!(!pg.missing().have_missing());
        assert_eq!(versions(pg.log().entries()), vec![ev(1, 1), ev(1, 4)]);
        assert_eq!(info.last_update, ev(1, 4));
        assert_eq!(info.last_complete, ev(1, 4));
        assert_eq!(info.stats.version, ev(10, 1));
        // x9 was created by the divergent entry: it must go (case 2).
        assert_eq!(
            effects.removed().cloned().collect::<Vec<_>>(),
            vec![hobj(0x9)]
        );
        assert_eq!(trimmed(&effects), vec![ev(1, 5)]);
        assert!(pg.is_dirty());
    }

    #[test]
    fn merging_a_log_into_itself_changes_nothing() {
        let (log, _) = divergent_delete_case();
        let mut pg = PgLog::from_parts(log.clone(), Missing::new(true)).unwrap();
        let before = pg.clone();
        let mut info = info();
        info.last_update = log.head;
        let mut oinfo = info.clone();
        let (dirty, effects) = merge(&mut pg, &mut oinfo, &mut info, log);
        assert!(!dirty);
        assert_eq!(pg, before);
        assert!(effects.is_empty());
    }

    // ---- refused input: the log, missing set and info stay exactly as they were

    fn refused(pg: &mut PgLog, olog: PgLogT) -> LogError {
        let before = pg.clone();
        let mut info = info();
        info.last_update = pg.log().head();
        info.log_tail = pg.log().tail();
        let info_before = info.clone();
        let mut oinfo = super::log_common::info();
        let oinfo_before = oinfo.clone();
        let mut effects = LogEffects::new();
        let err = pg
            .merge_log(&mut oinfo, olog, peer(), &mut info, &mut effects)
            .unwrap_err();
        assert_eq!(*pg, before);
        assert_eq!(info, info_before);
        assert_eq!(oinfo, oinfo_before);
        assert!(effects.is_empty());
        err
    }

    fn some_pg() -> PgLog {
        let log = plain(
            ev(2, 10),
            ev(2, 12),
            vec![
                modify(&obj(1), ev(2, 11), ev(1, 5)),
                modify(&obj(2), ev(2, 12), ev(1, 6)),
            ],
        );
        PgLog::from_parts(log, missing(&[(obj(1), ev(2, 11), ev(1, 5), false)], true)).unwrap()
    }

    #[test]
    fn refuses_to_publish_dups_out_of_order() {
        // A log whose dup overlaps its entries (nothing forbids that) is
        // scrambled by a trim: the trimmed entries' dups go after the newer dup.
        // Merging more dups into that must be refused (Ceph would carry on),
        // with our dups put back as they were.
        let entries: Vec<_> = (6..=10)
            .map(|v| modify(&obj(v as u32), ev(1, v), ev(0, 0)))
            .collect();
        let mut log = PgLogT {
            entries: entries.clone(),
            ..PgLogT::new(ev(1, 5), ev(1, 10))
        };
        log.dups = vec![LogDup::from_entry(&entries[1])];
        let mut pg = PgLog::from_parts(log, Missing::new(false)).unwrap();
        let mut info = info();
        info.last_complete = ev(1, 10);
        pg.trim(ev(1, 7), &mut info, 100).unwrap();
        assert_eq!(
            pg.log()
                .dups()
                .iter()
                .map(|d| d.version)
                .collect::<Vec<_>>(),
            vec![ev(1, 7), ev(1, 6), ev(1, 7)]
        );

        let mut newer: Vec<_> = entries[2..].to_vec();
        newer.push(modify(&obj(11), ev(1, 11), ev(0, 0)));
        let mut olog = plain(ev(1, 7), ev(1, 11), newer);
        olog.dups = vec![LogDup::from_entry(&modify(&obj(2), ev(1, 2), ev(0, 0)))];
        assert_eq!(
            refused(&mut pg, olog),
            LogError::DupsOutOfOrder {
                prev: ev(1, 7),
                next: ev(1, 6)
            }
        );
    }

    #[test]
    fn refuses_logs_that_do_not_overlap() {
        let mut pg = some_pg();
        let olog = plain(
            ev(3, 20),
            ev(3, 21),
            vec![modify(&obj(1), ev(3, 21), ev(3, 19))],
        );
        assert_eq!(
            refused(&mut pg, olog),
            LogError::LogsDoNotOverlap {
                log_tail: ev(2, 10),
                log_head: ev(2, 12),
                olog_tail: ev(3, 20),
                olog_head: ev(3, 21),
            }
        );
        let older = plain(ev(1, 1), ev(1, 2), vec![]);
        assert!(matches!(
            refused(&mut pg, older),
            LogError::LogsDoNotOverlap { .. }
        ));
    }

    #[test]
    fn refuses_a_peer_log_whose_tail_is_past_its_head() {
        let mut pg = some_pg();
        let olog = plain(ev(2, 13), ev(2, 11), vec![]);
        assert_eq!(
            refused(&mut pg, olog),
            LogError::TailPastHead {
                tail: ev(2, 13),
                head: ev(2, 11)
            }
        );
    }

    #[test]
    fn refuses_entries_out_of_order() {
        let mut pg = some_pg();
        let olog = plain(
            ev(2, 10),
            ev(3, 14),
            vec![
                modify(&obj(3), ev(3, 14), ev(0, 0)),
                modify(&obj(4), ev(3, 13), ev(0, 0)),
            ],
        );
        assert_eq!(
            refused(&mut pg, olog),
            LogError::EntriesOutOfOrder {
                prev: ev(3, 14),
                next: ev(3, 13)
            }
        );
    }

    #[test]
    fn refuses_an_entry_outside_tail_and_head() {
        let mut pg = some_pg();
        let olog = plain(
            ev(2, 10),
            ev(3, 14),
            vec![modify(&obj(3), ev(3, 15), ev(0, 0))],
        );
        assert_eq!(
            refused(&mut pg, olog),
            LogError::EntryOutsideBounds {
                version: ev(3, 15),
                tail: ev(2, 10),
                head: ev(3, 14)
            }
        );
        let at_tail = plain(
            ev(2, 10),
            ev(3, 14),
            vec![modify(&obj(3), ev(2, 10), ev(0, 0))],
        );
        assert!(matches!(
            refused(&mut pg, at_tail),
            LogError::EntryOutsideBounds { .. }
        ));
    }

    #[test]
    fn refuses_a_trimmed_log_into_an_empty_one() {
        let mut pg = PgLog::default();
        let olog = plain(
            ev(1, 5),
            ev(1, 6),
            vec![modify(&obj(1), ev(1, 6), ev(1, 2))],
        );
        assert_eq!(
            refused(&mut pg, olog),
            LogError::EmptyLogNeedsUntrimmedPeer {
                olog_tail: ev(1, 5)
            }
        );
    }

    #[test]
    fn refuses_broken_divergent_chain_after_extending_the_tail() {
        // The tail extension and head extension both start before the divergent
        // chain is found broken: nothing of it may stick.
        let log = plain(
            ev(2, 10),
            ev(2, 13),
            vec![
                modify(&obj(1), ev(2, 11), ev(1, 5)),
                modify(&obj(2), ev(2, 12), ev(1, 6)),
                // prior should be 2,12 for a chain on obj(2)
                modify(&obj(2), ev(2, 13), ev(1, 1)),
            ],
        );
        let mut pg = PgLog::from_parts(log, Missing::new(true)).unwrap();
        let olog = plain(
            ev(1, 0),
            ev(3, 14),
            vec![
                modify(&obj(5), ev(1, 3), ev(0, 0)),
                modify(&obj(1), ev(2, 11), ev(1, 5)),
                modify(&obj(3), ev(3, 12), ev(0, 0)),
                modify(&obj(4), ev(3, 14), ev(0, 0)),
            ],
        );
        assert!(matches!(
            refused(&mut pg, olog),
            LogError::DivergentChainBroken { .. }
        ));
    }

    // ---- TestPGLog.cc table-driven cases (merge_log + proc_replica_log)

    #[test]
    fn case_1_unrollbackable_divergent_modify() {
        let mut t = TestCase::default();
        t.base.push(modify(&obj(1), ev(10, 100), ev(8, 80)));
        t.div.push(modify(&obj(1), ev(10, 101), ev(10, 100)));
        t.fin.push((obj(1), ev(10, 100), ev(0, 0), false));
        t.toremove.insert(obj(1));
        t.run();
    }

    #[test]
    fn case_2_rollbackable_divergent_modifies_roll_back_newest_first() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.div.push(modify_rb(&obj(1), ev(10, 101), ev(10, 100)));
        t.div.push(modify_rb(&obj(1), ev(10, 102), ev(10, 101)));
        t.torollback = vec![ev(10, 102), ev(10, 101)];
        t.run();
    }

    #[test]
    fn case_3_one_unrollbackable_entry_forces_recovery() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.div.push(modify(&obj(1), ev(10, 101), ev(10, 100)));
        t.div.push(modify_rb(&obj(1), ev(10, 102), ev(10, 101)));
        t.fin.push((obj(1), ev(10, 100), ev(0, 0), false));
        t.toremove.insert(obj(1));
        t.run();
    }

    #[test]
    fn case_4_already_missing_object_needs_prior() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.div.push(modify_rb(&obj(1), ev(10, 101), ev(10, 100)));
        t.div.push(modify_rb(&obj(1), ev(10, 102), ev(10, 101)));
        t.init.push((obj(1), ev(10, 102), ev(0, 0), false));
        t.fin.push((obj(1), ev(10, 100), ev(0, 0), false));
        t.run();
    }

    #[test]
    fn case_5_newer_authoritative_entry_supersedes_divergent() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.div.push(modify(&obj(1), ev(10, 101), ev(10, 100)));
        t.div.push(modify_rb(&obj(1), ev(10, 102), ev(10, 101)));
        t.auth.push(modify(&obj(1), ev(11, 101), ev(10, 100)));
        t.fin.push((obj(1), ev(11, 101), ev(0, 0), false));
        t.toremove.insert(obj(1));
        t.run();
    }

    #[test]
    fn case_6_new_authoritative_entry_only() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.auth.push(modify(&obj(1), ev(11, 101), ev(10, 100)));
        t.fin.push((obj(1), ev(11, 101), ev(10, 100), false));
        t.run();
    }

    #[test]
    fn case_7_missing_object_keeps_have() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.auth.push(modify(&obj(1), ev(11, 101), ev(10, 100)));
        t.init.push((obj(1), ev(10, 100), ev(8, 80), false));
        t.fin.push((obj(1), ev(11, 101), ev(8, 80), false));
        t.run();
    }

    #[test]
    fn case_8_delete_recovered_as_missing_delete() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.auth.push(delete(&obj(1), ev(11, 101), ev(10, 100)));
        t.init.push((obj(1), ev(10, 100), ev(8, 80), false));
        t.fin.push((obj(1), ev(11, 101), ev(8, 80), true));
        t.run();
    }

    #[test]
    fn case_9_delete_applied_during_peering() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.auth.push(delete(&obj(1), ev(11, 101), ev(10, 100)));
        t.init.push((obj(1), ev(10, 100), ev(8, 80), false));
        t.toremove.insert(obj(1));
        t.deletes_during_peering = true;
        t.run();
    }

    #[test]
    fn case_10_lost_delete_recovered_as_missing_delete() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.auth.push(lost_delete(&obj(1), ev(11, 101), ev(10, 100)));
        t.init.push((obj(1), ev(10, 100), ev(8, 80), false));
        t.fin.push((obj(1), ev(11, 101), ev(8, 80), true));
        t.run();
    }

    #[test]
    fn prior_version_have_leaves_nothing_missing() {
        let mut t = TestCase::default();
        t.base.push(modify_rb(&obj(1), ev(10, 100), ev(8, 80)));
        t.div.push(modify(&obj(1), ev(10, 101), ev(10, 100)));
        t.init.push((obj(1), ev(10, 101), ev(10, 100), false));
        t.run();
    }

    #[test]
    fn split_missing_entries_at_head() {
        let mut t = TestCase::default();
        t.auth.push(modify_rb(&obj(1), ev(10, 100), ev(8, 70)));
        t.auth.push(modify_rb(&obj(1), ev(15, 150), ev(10, 100)));
        t.div.push(modify(&obj(1), ev(8, 70), ev(8, 65)));
        t.div_bounds = Some((ev(9, 79), ev(8, 69)));
        t.auth_bounds = Some((ev(15, 160), ev(9, 77)));
        t.fin.push((obj(1), ev(15, 150), ev(8, 70), false));
        t.run();
    }

    #[test]
    fn olog_tail_after_log_tail_split() {
        let mut t = TestCase::default();
        t.auth.push(modify(&obj(1), ev(10, 100), ev(8, 70)));
        t.auth.push(modify(&obj(1), ev(15, 150), ev(10, 100)));
        t.auth.push(modify(&obj(1), ev(15, 155), ev(15, 150)));
        t.div_bounds = Some((ev(15, 153), ev(15, 151)));
        t.auth_bounds = Some((ev(15, 156), ev(10, 99)));
        t.fin.push((obj(1), ev(15, 155), ev(15, 150), false));
        t.run();
    }

    #[test]
    fn olog_tail_after_log_tail_split_with_divergent_entry() {
        let mut t = TestCase::default();
        t.auth.push(modify(&obj(1), ev(10, 100), ev(8, 70)));
        t.auth.push(modify(&obj(1), ev(15, 150), ev(10, 100)));
        t.auth.push(modify(&obj(1), ev(16, 155), ev(15, 150)));
        t.div.push(modify(&obj(1), ev(15, 153), ev(15, 150)));
        t.div_bounds = Some((ev(15, 153), ev(15, 151)));
        t.auth_bounds = Some((ev(16, 156), ev(10, 99)));
        t.fin.push((obj(1), ev(16, 155), ev(0, 0), false));
        t.toremove.insert(obj(1));
        t.run();
    }
}
