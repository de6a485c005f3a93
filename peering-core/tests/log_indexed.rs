//! The indexed log (§6.9): appends, request lookup, trimming into dups, dup
//! merging and LOG/FULLLOG copies; Ceph's TestPGLog.cc `PGLogTrimTest`,
//! `PGLogMergeDupsTest`, `get_request` and `ErrorNotIndexedByObject` cases,
//! re-derived.

mod log_common;

mod indexed_log {
    use super::log_common::*;
    use peering_core::log::{
        IndexedLog, LogDup, LogEffect, LogEffects, LogEntry, LogError, LogOp, LoggedRequest,
        Missing, PgLog, PgLogT, ReqId,
    };
    use peering_core::types::{EVersion, ObjectId};

    fn oid() -> ObjectId {
        ObjectId::new(456, 123, "objname")
    }

    fn with_req(mut e: LogEntry, tid: u64) -> LogEntry {
        e.reqid = ReqId::client(777, tid);
        e
    }

    /// The log PGLogTrimTest builds: six entries from 10,100 to 21,167, rolled
    /// forward to their head so they may be trimmed.
    fn trim_log() -> IndexedLog {
        let mut log = IndexedLog::from_log(PgLogT::new(ev(9, 0), ev(9, 0))).unwrap();
        let entries = [
            with_req(modify(&obj(1), ev(10, 100), ev(8, 70)), 1),
            with_req(delete(&obj(2), ev(15, 150), ev(10, 100)), 2),
            with_req(modify_rb(&obj(3), ev(15, 155), ev(15, 150)), 3),
            with_req(modify(&obj(1), ev(19, 160), ev(10, 100)), 4),
            with_req(modify(&obj(4), ev(21, 165), ev(0, 0)), 5),
            with_req(delete_rb(&obj(5), ev(21, 167), ev(0, 0)), 6),
        ];
        for e in entries {
            log.add(e).unwrap();
        }
        let mut fx = LogEffects::new();
        log.roll_forward_to(log.head(), &mut fx);
        assert_eq!(fx.len(), 6);
        log
    }

    #[test]
    fn partial_trim_keeps_recent_dups() {
        let mut log = trim_log();
        let trimmed = log.trim(ev(19, 157), 20).unwrap();
        assert_eq!(trimmed, vec![ev(10, 100), ev(15, 150), ev(15, 155)]);
        assert_eq!(log.entries().len(), 3);
        // 167 - 20 + 1 = 148: 150 and 155 become dups, 100 does not.
        assert_eq!(
            log.dups().iter().map(|d| d.version).collect::<Vec<_>>(),
            vec![ev(15, 150), ev(15, 155)]
        );
        assert_eq!(log.tail(), ev(19, 157));

        // One dup tracked: 160 is too old to become one (167 - 1 + 1 = 167) and
        // the oldest dups beyond one go.
        let trimmed = log.trim(ev(20, 164), 1).unwrap();
        assert_eq!(trimmed, vec![ev(19, 160)]);
        assert_eq!(log.entries().len(), 2);
        assert_eq!(
            log.dups().iter().map(|d| d.version).collect::<Vec<_>>(),
            vec![ev(15, 155)]
        );
        assert!(log.get_request(&ReqId::client(777, 2)).is_none());
    }

    #[test]
    fn trim_without_dups_tracked_keeps_none() {
        let mut log = trim_log();
        log.trim(ev(19, 157), 0).unwrap();
        assert_eq!(log.entries().len(), 3);
        assert!(log.dups().is_empty());
    }

    #[test]
    fn trim_before_tail_does_nothing() {
        let mut log = trim_log();
        let before = log.clone();
        assert!(log.trim(ev(9, 0), 20).unwrap().is_empty());
        assert_eq!(log, before);
    }

    #[test]
    fn trim_everything() {
        let mut log = trim_log();
        log.trim(ev(21, 167), 20).unwrap();
        assert!(log.entries().is_empty());
        // 100 is more than 20 versions older than 167: not kept.
        assert_eq!(log.dups().len(), 5);
        assert!(!log.logged_object(&obj(1)));
        assert_eq!(log.tail(), ev(21, 167));
    }

    #[test]
    fn trim_refuses_past_rollback_boundary_or_head() {
        let mut log = IndexedLog::from_log(PgLogT::new(ev(9, 0), ev(9, 0))).unwrap();
        log.add(modify(&obj(1), ev(10, 100), ev(0, 0))).unwrap();
        let before = log.clone();
        assert_eq!(
            log.trim(ev(10, 100), 20),
            Err(LogError::TrimPastCanRollbackTo {
                trim_to: ev(10, 100),
                can_rollback_to: ev(9, 0)
            })
        );
        assert_eq!(log, before);
        log.skip_can_rollback_to_to_head();
        assert_eq!(
            log.trim(ev(11, 0), 20),
            Err(LogError::TrimPastCanRollbackTo {
                trim_to: ev(11, 0),
                can_rollback_to: ev(10, 100)
            })
        );
    }

    #[test]
    fn get_request_finds_live_entries_and_dups() {
        let mut log = trim_log();
        log.trim(ev(19, 157), 20).unwrap();
        let live = log.get_request(&ReqId::client(777, 5)).unwrap();
        assert_eq!(live.version, ev(21, 165));
        let dup = log.get_request(&ReqId::client(777, 3)).unwrap();
        assert_eq!(dup.version, ev(15, 155));
        assert!(log.get_request(&ReqId::client(777, 1)).is_none());
    }

    #[test]
    fn get_request_finds_writes_deletes_errors_and_extras() {
        let mut log = IndexedLog::default();
        let mut entries = vec![
            LogEntry::new(LogOp::Error, oid(), ev(6, 2), ev(3, 4)),
            LogEntry::new(LogOp::Modify, oid(), ev(6, 3), ev(3, 4)),
            LogEntry::new(LogOp::Delete, oid(), ev(7, 4), ev(7, 4)),
            LogEntry::new(LogOp::Error, oid(), ev(7, 5), ev(7, 4)),
        ];
        for (i, e) in entries.iter_mut().enumerate() {
            e.reqid = ReqId::client(777, i as u64 + 1);
            e.user_version = i as u64 + 1;
            e.return_code = if e.op == LogOp::Error { -2 } else { 0 };
        }
        entries[1].extra_reqids = vec![(ReqId::client(888, 1), 42)];
        entries[1].extra_reqid_return_codes = vec![(0, -17)];
        for e in &entries {
            log.add(e.clone()).unwrap();
        }
        for e in &entries {
            assert_eq!(
                log.get_request(&e.reqid),
                Some(LoggedRequest {
                    version: e.version,
                    user_version: e.user_version,
                    return_code: e.return_code
                })
            );
        }
        assert!(log.logged_req(&ReqId::client(888, 1)));
        assert_eq!(
            log.get_request(&ReqId::client(888, 1)),
            Some(LoggedRequest {
                version: ev(6, 3),
                user_version: 42,
                return_code: -17
            })
        );
    }

    #[test]
    fn error_entries_are_not_indexed_by_object() {
        let mut log = IndexedLog::default();
        log.add(LogEntry::new(LogOp::Error, oid(), ev(6, 2), ev(3, 4)))
            .unwrap();
        assert!(!log.logged_object(&oid()));
        log.add(LogEntry::new(LogOp::Modify, oid(), ev(6, 3), ev(3, 4)))
            .unwrap();
        assert_eq!(log.object_entry(&oid()).unwrap().version, ev(6, 3));
        log.add(LogEntry::new(LogOp::Delete, oid(), ev(7, 4), ev(7, 4)))
            .unwrap();
        assert_eq!(log.object_entry(&oid()).unwrap().op, LogOp::Delete);
        log.add(LogEntry::new(LogOp::Error, oid(), ev(7, 5), ev(7, 4)))
            .unwrap();
        assert_eq!(log.object_entry(&oid()).unwrap().version, ev(7, 4));
    }

    /// The newest non-`ERROR` entry of `o` among `entries`: what the object
    /// index must answer.
    fn newest_of<'a>(entries: &'a [LogEntry], o: &ObjectId) -> Option<&'a LogEntry> {
        entries
            .iter()
            .rev()
            .find(|e| e.soid == *o && e.op != LogOp::Error)
    }

    /// The object index answers for every object exactly as a rebuild from the
    /// entries would, and is the same value as that rebuild.
    fn assert_index_exact(log: &IndexedLog, objects: &[ObjectId]) {
        for o in objects {
            assert_eq!(
                log.object_entry(o),
                newest_of(log.entries(), o),
                "{o:?} at head {:?}",
                log.head()
            );
        }
        let rebuilt = IndexedLog::from_log(log.log().clone()).unwrap();
        assert_eq!(*log, rebuilt, "at head {:?}", log.head());
    }

    #[test]
    fn objects_sharing_one_hash_are_indexed_exactly_however_many() {
        // Twelve objects of one hash (more than the index tells apart by
        // scanning), written in turn, with an ERROR now and then; then the log
        // is cut back from the head and trimmed from the tail, so that the
        // hash's objects grow past the scanned few and shrink back below.
        let objects: Vec<ObjectId> = (0..12)
            .map(|k| ObjectId::new(1, 7, format!("c{k}")))
            .collect();
        let entry = |v: u64| {
            let o = &objects[(v % 12) as usize];
            if v % 7 == 0 {
                error(o, ev(1, v))
            } else {
                modify(o, ev(1, v), ev(0, 0))
            }
        };
        let mut log = IndexedLog::default();
        for v in 1..=40 {
            log.add(entry(v)).unwrap();
            assert_index_exact(&log, &objects);
        }
        for head in (20..40).rev() {
            log.rewind_from_head(ev(1, head)).unwrap();
            assert_index_exact(&log, &objects);
        }
        let mut fx = LogEffects::new();
        log.roll_forward_to(log.head(), &mut fx);
        for tail in 1..20 {
            log.trim(ev(1, tail), 0).unwrap();
            assert_index_exact(&log, &objects);
        }
        assert_eq!(log.entries().len(), 1);
    }

    #[test]
    fn add_refuses_versions_going_backwards_unchanged() {
        let mut log = IndexedLog::default();
        log.add(modify(&obj(1), ev(5, 10), ev(0, 0))).unwrap();
        let before = log.clone();
        for bad in [ev(5, 10), ev(4, 11), ev(6, 9), ev(6, 10)] {
            assert_eq!(
                log.add(modify(&obj(2), bad, ev(0, 0))),
                Err(LogError::VersionBackwards {
                    head: ev(5, 10),
                    new: bad
                })
            );
            assert_eq!(log, before);
        }
    }

    fn dup(epoch: u32, v: u64, client: i64) -> LogDup {
        LogDup {
            reqid: ReqId::client(client, 1),
            version: ev(epoch, v),
            user_version: u64::from(epoch),
            return_code: 0,
        }
    }

    fn dups_1() -> Vec<LogDup> {
        vec![
            dup(10, 11, 1),
            dup(10, 12, 2),
            dup(11, 1, 3),
            dup(12, 3, 4),
            dup(13, 99, 5),
        ]
    }

    fn dups_2() -> Vec<LogDup> {
        vec![
            dup(12, 3, 6),
            dup(13, 99, 7),
            dup(15, 11, 8),
            dup(16, 14, 9),
            dup(16, 32, 10),
        ]
    }

    fn with_dups(tail: EVersion, dups: Vec<LogDup>) -> IndexedLog {
        let mut l = PgLogT::new(tail, tail);
        l.dups = dups;
        IndexedLog::from_log(l).unwrap()
    }

    fn olog_with(dups: Vec<LogDup>) -> PgLogT {
        PgLogT {
            dups,
            ..PgLogT::default()
        }
    }

    fn dup_versions(log: &IndexedLog) -> Vec<EVersion> {
        log.dups().iter().map(|d| d.version).collect()
    }

    #[test]
    fn merge_dups_other_empty() {
        let mut log = with_dups(ev(14, 5), dups_1());
        assert!(!log.merge_log_dups(&olog_with(vec![])));
        assert_eq!(log.dups(), dups_1().as_slice());
    }

    #[test]
    fn merge_dups_am_empty() {
        let mut log = with_dups(ev(14, 5), vec![]);
        assert!(log.merge_log_dups(&olog_with(dups_1())));
        assert_eq!(log.dups(), dups_1().as_slice());
        assert!(log.get_request(&ReqId::client(3, 1)).is_some());
    }

    #[test]
    fn merge_dups_am_empty_overlap_drops_dups_past_tail() {
        let mut log = with_dups(ev(12, 3), vec![]);
        assert!(log.merge_log_dups(&olog_with(dups_1())));
        assert_eq!(
            dup_versions(&log),
            vec![ev(10, 11), ev(10, 12), ev(11, 1), ev(12, 3)]
        );
    }

    #[test]
    fn merge_dups_same() {
        let mut log = with_dups(ev(14, 1), dups_1());
        assert!(!log.merge_log_dups(&olog_with(dups_1())));
        assert_eq!(log.dups(), dups_1().as_slice());
    }

    #[test]
    fn merge_dups_later() {
        let mut log = with_dups(ev(16, 14), dups_1());
        assert!(log.merge_log_dups(&olog_with(dups_2())));
        assert_eq!(
            dup_versions(&log),
            vec![
                ev(10, 11),
                ev(10, 12),
                ev(11, 1),
                ev(12, 3),
                ev(13, 99),
                ev(15, 11),
                ev(16, 14)
            ]
        );
        assert!(log.get_request(&ReqId::client(8, 1)).is_some());
    }

    #[test]
    fn merge_dups_earlier() {
        let mut log = with_dups(ev(17, 2), dups_2());
        assert!(log.merge_log_dups(&olog_with(dups_1())));
        assert_eq!(log.dups().len(), 8);
        assert_eq!(dup_versions(&log).first(), Some(&ev(10, 11)));
        assert_eq!(dup_versions(&log).last(), Some(&ev(16, 32)));
    }

    #[test]
    fn merge_dups_superset() {
        let mut log = with_dups(ev(17, 2), dups_1());
        assert!(log.merge_log_dups(&olog_with(vec![dup(9, 5, 20), dup(15, 11, 21)])));
        assert_eq!(log.dups().len(), 7);
        assert_eq!(dup_versions(&log).first(), Some(&ev(9, 5)));
        assert_eq!(dup_versions(&log).last(), Some(&ev(15, 11)));
    }

    fn five() -> PgLogT {
        plain(
            ev(1, 0),
            ev(1, 5),
            (1..=5)
                .map(|v| with_req(modify(&obj(v as u32), ev(1, v), ev(0, 0)), v))
                .collect(),
        )
    }

    #[test]
    fn copy_after_answers_a_log_query() {
        let c = PgLogT::copy_after(&five(), ev(1, 3), 100);
        assert_eq!(versions(&c.entries), vec![ev(1, 4), ev(1, 5)]);
        assert_eq!(c.tail, ev(1, 3));
        assert_eq!(c.head, ev(1, 5));
        // The entries not copied travel as dups.
        assert_eq!(
            c.dups.iter().map(|d| d.version).collect::<Vec<_>>(),
            vec![ev(1, 1), ev(1, 2), ev(1, 3)]
        );
        c.validate().unwrap();
        let all = PgLogT::copy_after(&five(), ev(0, 0), 100);
        assert_eq!(all.entries, five().entries);
        assert_eq!(all.tail, ev(1, 0));
    }

    #[test]
    fn copy_up_to_keeps_the_newest() {
        let c = PgLogT::copy_up_to(&five(), 2, 2);
        assert_eq!(versions(&c.entries), vec![ev(1, 4), ev(1, 5)]);
        assert_eq!(c.tail, ev(1, 3));
        // Only versions >= 5 - 2 + 1 are tracked as dups.
        assert!(c.dups.is_empty());
        let c = PgLogT::copy_up_to(&five(), 10, 2);
        assert_eq!(c.entries.len(), 5);
        assert_eq!(c.tail, ev(1, 0));
    }

    #[test]
    fn split_out_child_moves_child_objects() {
        let mut log = IndexedLog::from_log(five()).unwrap();
        // One split bit: odd hashes go to child seed 1.
        let child = log.split_out_child(peering_core::types::PgId::new(1, 1), 1);
        assert_eq!(
            versions(child.entries()),
            vec![ev(1, 1), ev(1, 3), ev(1, 5)]
        );
        assert_eq!(versions(log.entries()), vec![ev(1, 2), ev(1, 4)]);
        assert_eq!(child.head(), log.head());
        assert!(child.logged_object(&obj(3)) && !log.logged_object(&obj(3)));
    }

    #[test]
    fn from_log_validates() {
        let mut bad = five();
        bad.entries.swap(1, 2);
        assert_eq!(
            IndexedLog::from_log(bad),
            Err(LogError::EntriesOutOfOrder {
                prev: ev(1, 3),
                next: ev(1, 2)
            })
        );
        let mut dups = five();
        dups.dups = vec![dup(1, 0, 1), dup(0, 9, 2)];
        assert_eq!(
            dups.validate(),
            Err(LogError::DupsOutOfOrder {
                prev: ev(1, 0),
                next: ev(0, 9)
            })
        );
        let mut same_version = five();
        same_version.entries[1].version = ev(2, 1);
        assert!(matches!(
            same_version.validate(),
            Err(LogError::EntriesOutOfOrder { .. })
        ));
    }

    #[test]
    fn op_codes_are_cephs() {
        let ops = [
            (LogOp::Modify, 1),
            (LogOp::Clone, 2),
            (LogOp::Delete, 3),
            (LogOp::LostRevert, 5),
            (LogOp::LostDelete, 6),
            (LogOp::LostMark, 7),
            (LogOp::Promote, 8),
            (LogOp::Clean, 9),
            (LogOp::Error, 10),
            (LogOp::Replace, 11),
        ];
        for (op, code) in ops {
            assert_eq!(op.code(), code);
            assert_eq!(LogOp::from_code(code), Some(op));
        }
        assert_eq!(LogOp::from_code(4), None);
        let e = |op| LogEntry::new(op, oid(), ev(1, 1), ev(0, 0));
        assert!(e(LogOp::LostRevert).is_update() && !e(LogOp::LostRevert).is_delete());
        assert!(e(LogOp::LostDelete).is_delete() && !e(LogOp::LostDelete).is_update());
        assert!(!e(LogOp::Error).is_update() && !e(LogOp::Error).is_delete());
        assert_eq!(
            LogDup::from_entry(&e(LogOp::Modify)).key_name(),
            "dup_0000000001.00000000000000000001"
        );
    }

    #[test]
    fn trim_refuses_past_head() {
        // A peer's log may claim a rollback boundary past its head.
        let mut l = PgLogT::new(ev(1, 0), ev(1, 5));
        l.can_rollback_to = ev(5, 0);
        let mut log = IndexedLog::from_log(l).unwrap();
        let before = log.clone();
        assert_eq!(
            log.trim(ev(2, 0), 20),
            Err(LogError::TrimPastHead {
                trim_to: ev(2, 0),
                head: ev(1, 5)
            })
        );
        assert_eq!(log, before);
    }

    /// Ceph's `reqid_is_indexed()`, written out: a real request on a `MODIFY`,
    /// `DELETE`, `ERROR` or `REPLACE` entry.
    fn req_indexed(e: &LogEntry) -> bool {
        e.reqid != ReqId::default()
            && matches!(
                e.op,
                LogOp::Modify | LogOp::Delete | LogOp::Error | LogOp::Replace
            )
    }

    /// `get_request(r)` read straight off the log as Ceph's `index()` builds
    /// it: the newest entry of the request (`caller_ops` keeps the last one
    /// indexed), else the entry that folded it in, else the newest dup.
    fn request_by_scan(log: &IndexedLog, r: &ReqId) -> Option<LoggedRequest> {
        if let Some(e) = log
            .entries()
            .iter()
            .rev()
            .find(|e| req_indexed(e) && e.reqid == *r)
        {
            return Some(LoggedRequest {
                version: e.version,
                user_version: e.user_version,
                return_code: e.return_code,
            });
        }
        for e in log.entries() {
            if let Some(i) = e.extra_reqids.iter().position(|(x, _)| x == r) {
                return Some(LoggedRequest {
                    version: e.version,
                    user_version: e.extra_reqids[i].1,
                    return_code: e.extra_return_code(i as u32),
                });
            }
        }
        log.dups()
            .iter()
            .rev()
            .find(|d| d.reqid == *r)
            .map(|d| LoggedRequest {
                version: d.version,
                user_version: d.user_version,
                return_code: d.return_code,
            })
    }

    /// `logged_req(r)` read off the entries (dups do not count).
    fn logged_by_scan(log: &IndexedLog, r: &ReqId) -> bool {
        log.entries().iter().any(|e| {
            (req_indexed(e) && e.reqid == *r) || e.extra_reqids.iter().any(|(x, _)| x == r)
        })
    }

    /// Every index answers as a scan of the log does, and the log equals one
    /// indexed afresh from its `pg_log_t` (Ceph reindexes after every change
    /// the incremental paths here stand in for).
    fn assert_indexes_as_scanned(log: &IndexedLog, objects: &[ObjectId], reqs: &[ReqId]) {
        for o in objects {
            assert_eq!(log.object_entry(o), newest_of(log.entries(), o), "{o:?}");
            assert_eq!(log.logged_object(o), newest_of(log.entries(), o).is_some());
        }
        for r in reqs {
            assert_eq!(log.get_request(r), request_by_scan(log, r), "{r:?}");
            assert_eq!(log.logged_req(r), logged_by_scan(log, r), "{r:?}");
        }
        let mut rebuilt = IndexedLog::from_log(log.log().clone()).unwrap();
        rebuilt.set_last_requested(log.last_requested());
        let mut log = log.clone();
        log.reset_recovery_pointers();
        rebuilt.reset_recovery_pointers();
        assert_eq!(log, rebuilt);
    }

    /// The objects of the generated logs: three of their own hash, then ten
    /// sharing hash 7 (more than the object index tells apart by scanning).
    fn gen_objects() -> Vec<ObjectId> {
        (0..13u32)
            .map(|k| {
                if k < 3 {
                    obj(k + 1)
                } else {
                    ObjectId::new(1, 7, format!("h{k}"))
                }
            })
            .collect()
    }

    /// Requests: client 777's tids 1..=5 (reused across entries) and the
    /// folded-in requests of client 888 (one per entry).
    fn gen_reqs(n: usize) -> Vec<ReqId> {
        (1..=5u64)
            .map(|t| ReqId::client(777, t))
            .chain((1..=n as u64).map(|t| ReqId::client(888, t)))
            .collect()
    }

    /// One generated entry: object, op (0 modify, 1 delete, 2 error, 3 clone,
    /// 4 replace), request tid (0: none), whether it folds in an extra request.
    type GenEntry = (usize, u8, u64, bool);

    fn gen_entries(spec: &[GenEntry], objects: &[ObjectId]) -> Vec<LogEntry> {
        spec.iter()
            .enumerate()
            .map(|(i, &(o, op, tid, extra))| {
                let v = i as u64 + 1;
                let op = [
                    LogOp::Modify,
                    LogOp::Delete,
                    LogOp::Error,
                    LogOp::Clone,
                    LogOp::Replace,
                ][op as usize];
                let mut e = LogEntry::new(op, objects[o].clone(), ev(1, v), ev(0, 0));
                e.mark_unrollbackable();
                if tid != 0 {
                    e.reqid = ReqId::client(777, tid);
                }
                e.user_version = 100 + v;
                if op == LogOp::Error {
                    e.return_code = -2;
                }
                if extra {
                    e.extra_reqids = vec![(ReqId::client(888, v), 200 + v)];
                    e.extra_reqid_return_codes = vec![(0, -17)];
                }
                e
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

        /// The object and request indexes after appends, a rewind from the head,
        /// a trim from the tail and a merge extending the tail answer exactly as
        /// Ceph's `index()` over the resulting entries would.
        #[test]
        fn indexes_follow_every_change_as_a_rebuild_would(
            spec in proptest::collection::vec((0usize..13, 0u8..5, 0u64..6, proptest::bool::ANY), 1..32),
            rewind in 0usize..32,
            trim in 0usize..32,
            cut in 0usize..32,
        ) {
            let objects = gen_objects();
            let reqs = gen_reqs(spec.len());
            let entries = gen_entries(&spec, &objects);
            let n = entries.len();

            // Appends.
            let mut log = IndexedLog::default();
            for e in &entries {
                log.add(e.clone()).unwrap();
                assert_indexes_as_scanned(&log, &objects, &reqs);
            }

            // A rewind from the head.
            let keep = rewind % (n + 1);
            let mut rewound = log.clone();
            let cut_off = rewound.rewind_from_head(ev(1, keep as u64)).unwrap();
            assert_eq!(cut_off.len(), n - keep);
            assert_eq!(rewound.entries(), &entries[..keep]);
            assert_indexes_as_scanned(&rewound, &objects, &reqs);

            // A trim from the tail, the trimmed requests kept as dups.
            let mut trimmed = log.clone();
            let mut fx = LogEffects::new();
            trimmed.roll_forward_to(trimmed.head(), &mut fx);
            let to = trim % (n + 1);
            trimmed.trim(ev(1, to as u64), 1000).unwrap();
            assert_eq!(trimmed.entries(), &entries[to..]);
            assert_indexes_as_scanned(&trimmed, &objects, &reqs);
            // And without dups: trimmed requests are forgotten.
            let mut forgotten = log.clone();
            forgotten.roll_forward_to(forgotten.head(), &mut fx);
            forgotten.trim(ev(1, to as u64), 0).unwrap();
            assert!(forgotten.dups().is_empty());
            assert_indexes_as_scanned(&forgotten, &objects, &reqs);

            // merge_log extending our tail back with the authoritative older entries.
            let c = cut % (n + 1);
            let ours = plain(ev(1, c as u64), ev(1, n as u64), entries[c..].to_vec());
            let mut pg = PgLog::from_parts(ours, Missing::new(false)).unwrap();
            let mut info = info();
            info.last_update = ev(1, n as u64);
            info.log_tail = ev(1, c as u64);
            let mut oinfo = info.clone();
            oinfo.log_tail = ev(0, 0);
            let olog = plain(ev(0, 0), ev(1, n as u64), entries.clone());
            pg.merge_log(&mut oinfo, olog, peer(), &mut info, &mut LogEffects::new())
                .unwrap();
            assert_eq!(pg.log().entries(), &entries[..]);
            assert_eq!(pg.log().tail(), ev(0, 0));
            assert_indexes_as_scanned(pg.log(), &objects, &reqs);
        }
    }

    #[test]
    fn a_request_retried_after_an_error_answers_with_the_newest_entry() {
        // client.777:1 failed at 1,1 (ERROR), then succeeded at 1,3; trimming
        // the failure keeps the success the logged answer, and keeps nothing
        // of the failure once it is trimmed without dups.
        let r = ReqId::client(777, 1);
        let mut log = IndexedLog::default();
        let mut failed = error(&obj(1), ev(1, 1));
        failed.reqid = r;
        failed.return_code = -2;
        let mut ok = modify(&obj(1), ev(1, 3), ev(0, 0));
        ok.reqid = r;
        ok.user_version = 9;
        log.add(failed).unwrap();
        log.add(modify(&obj(2), ev(1, 2), ev(0, 0))).unwrap();
        log.add(ok).unwrap();
        let mut fx = LogEffects::new();
        log.roll_forward_to(log.head(), &mut fx);
        let newest = LoggedRequest {
            version: ev(1, 3),
            user_version: 9,
            return_code: 0,
        };
        assert_eq!(log.get_request(&r), Some(newest));
        let mut with_dups = log.clone();
        with_dups.trim(ev(1, 1), 100).unwrap();
        assert_eq!(with_dups.get_request(&r), Some(newest));
        // Cut the success off the head: the failure answers again.
        let mut rewound = log.clone();
        rewound.rewind_from_head(ev(1, 2)).unwrap();
        assert_eq!(
            rewound.get_request(&r),
            Some(LoggedRequest {
                version: ev(1, 1),
                user_version: 0,
                return_code: -2
            })
        );
        // Trim the failure and then cut the success: nothing is left.
        let mut both = log.clone();
        both.trim(ev(1, 1), 0).unwrap();
        assert!(both.logged_req(&r));
        both.rewind_from_head(ev(1, 2)).unwrap();
        assert!(!both.logged_req(&r));
        assert_eq!(both.get_request(&r), None);
        assert!(!log.logged_req(&ReqId::client(777, 2)));
    }

    #[test]
    fn recovery_pointers_are_set_read_and_reset() {
        // Ceph's `reset_recovery_pointers()`: complete_to back to the end,
        // last_requested back to 0.
        let mut pg = PgLog::from_parts(five(), Missing::new(false)).unwrap();
        pg.missing_add(&obj(3), ev(1, 3), ev(0, 0), false);
        let mut info = info_at(ev(1, 5));
        pg.activate_not_complete(&mut info).unwrap();
        let mut log = pg.log().clone();
        assert_eq!(log.complete_to(), Some(ev(1, 3)));
        assert_eq!(log.last_requested(), 0);
        log.set_last_requested(4);
        assert_eq!(log.last_requested(), 4);
        log.reset_recovery_pointers();
        assert_eq!(log.complete_to(), None);
        assert_eq!(log.last_requested(), 0);
    }

    #[test]
    fn trim_moves_complete_to_only_when_it_trims_its_entry() {
        // Ceph's trim resets complete_to to the new first entry only once an entry
        // at or past it is trimmed.
        let mut pg = PgLog::from_parts(five(), Missing::new(false)).unwrap();
        pg.missing_add(&obj(4), ev(1, 4), ev(0, 0), false);
        let mut info = info_at(ev(1, 5));
        pg.activate_not_complete(&mut info).unwrap();
        let mut log = pg.log().clone();
        assert_eq!(log.complete_to(), Some(ev(1, 4)));
        log.roll_forward_to(ev(1, 5), &mut LogEffects::new());
        log.trim(ev(1, 2), 100).unwrap();
        assert_eq!(log.complete_to(), Some(ev(1, 4)));
        log.trim(ev(1, 4), 100).unwrap();
        assert_eq!(log.complete_to(), Some(ev(1, 5)));
        log.trim(ev(1, 5), 100).unwrap();
        assert_eq!(log.complete_to(), None);
    }

    #[test]
    fn rewind_keeps_complete_to_unless_its_entry_is_cut() {
        // complete_to designates the entry at 1,3: a rewind keeping that entry
        // keeps it; one cutting it leaves it at the end of the log.
        let mut pg = PgLog::from_parts(five(), Missing::new(false)).unwrap();
        pg.missing_add(&obj(3), ev(1, 3), ev(0, 0), false);
        let mut info = info_at(ev(1, 5));
        pg.activate_not_complete(&mut info).unwrap();
        let log = pg.log().clone();
        assert_eq!(log.complete_to(), Some(ev(1, 3)));
        for (newhead, expect) in [
            (ev(1, 4), Some(ev(1, 3))),
            (ev(1, 3), Some(ev(1, 3))),
            (ev(1, 2), None),
        ] {
            let mut l = log.clone();
            l.rewind_from_head(newhead).unwrap();
            assert_eq!(l.complete_to(), expect, "rewound to {newhead:?}");
        }
    }

    #[test]
    fn into_log_gives_back_the_plain_log() {
        let log = IndexedLog::from_log(five()).unwrap();
        assert_eq!(log.clone().into_log(), five());
        assert_eq!(PgLogT::from(log.clone()), five());
        assert_eq!(IndexedLog::try_from(five()), Ok(log));
        let mut bad = five();
        bad.entries.swap(0, 1);
        assert!(IndexedLog::try_from(bad).is_err());
    }

    /// The versions `fx` rolls forward (and nothing else: any other effect is
    /// listed as `0'0`).
    fn rolled_forward(fx: &LogEffects) -> Vec<EVersion> {
        fx.as_slice()
            .iter()
            .map(|f| match f {
                LogEffect::Rollforward(e) => e.version,
                _ => EVersion::ZERO,
            })
            .collect()
    }

    #[test]
    fn rolling_forward_is_dirty_only_when_a_boundary_moves() {
        // Ceph's advance_can_rollback_to: dirty when `to` passes
        // can_rollback_to or rollback_info_trimmed_to; each entry in
        // (old rollback_info_trimmed_to, new] is rolled forward, oldest first.
        let with_bounds = |crt: EVersion, ritt: EVersion| {
            let mut l = five();
            l.can_rollback_to = crt;
            l.rollback_info_trimmed_to = ritt;
            IndexedLog::from_log(l).unwrap()
        };
        let cases = [
            // (can_rollback_to, rollback_info_trimmed_to, to, dirty, rolled forward)
            (ev(1, 3), ev(1, 1), ev(1, 0), false, vec![]),
            (ev(1, 3), ev(1, 1), ev(1, 1), false, vec![]),
            (ev(1, 3), ev(1, 1), ev(1, 2), true, vec![ev(1, 2)]),
            (ev(1, 3), ev(1, 1), ev(1, 3), true, vec![ev(1, 2), ev(1, 3)]),
            (ev(1, 3), ev(1, 3), ev(1, 3), false, vec![]),
            (ev(1, 3), ev(1, 3), ev(1, 4), true, vec![ev(1, 4)]),
            // A boundary pair as a peer may send it (trimmed past rollback).
            (ev(1, 1), ev(1, 3), ev(1, 2), true, vec![]),
        ];
        for (crt, ritt, to, dirty, rolled) in cases {
            let mut log = with_bounds(crt, ritt);
            let mut fx = LogEffects::new();
            assert_eq!(
                log.roll_forward_to(to, &mut fx),
                dirty,
                "{crt:?} {ritt:?} {to:?}"
            );
            assert_eq!(rolled_forward(&fx), rolled, "{crt:?} {ritt:?} {to:?}");
            assert_eq!(log.can_rollback_to(), crt.max(to));
            assert_eq!(log.rollback_info_trimmed_to(), ritt.max(to));
        }
    }

    #[test]
    fn op_predicates_name_their_own_op() {
        let ops = [
            LogOp::Modify,
            LogOp::Clone,
            LogOp::Delete,
            LogOp::LostRevert,
            LogOp::LostDelete,
            LogOp::LostMark,
            LogOp::Promote,
            LogOp::Clean,
            LogOp::Error,
            LogOp::Replace,
        ];
        for op in ops {
            let e = LogEntry::new(op, oid(), ev(1, 1), ev(0, 0));
            assert_eq!(e.is_modify(), op == LogOp::Modify, "{op:?}");
            assert_eq!(e.is_clone(), op == LogOp::Clone, "{op:?}");
            assert_eq!(e.is_lost_revert(), op == LogOp::LostRevert, "{op:?}");
            assert_eq!(e.is_lost_delete(), op == LogOp::LostDelete, "{op:?}");
            assert_eq!(e.is_lost_mark(), op == LogOp::LostMark, "{op:?}");
            assert_eq!(e.is_error(), op == LogOp::Error, "{op:?}");
        }
    }

    #[test]
    fn op_names_are_cephs() {
        // `pg_log_entry_t::get_op_name`.
        let names = [
            (LogOp::Modify, "modify"),
            (LogOp::Clone, "clone"),
            (LogOp::Delete, "delete"),
            (LogOp::LostRevert, "l_revert"),
            (LogOp::LostDelete, "l_delete"),
            (LogOp::LostMark, "l_mark"),
            (LogOp::Promote, "promote"),
            (LogOp::Clean, "clean"),
            (LogOp::Error, "error"),
            (LogOp::Replace, "replace"),
        ];
        for (op, name) in names {
            assert_eq!(op.name(), name);
        }
    }

    #[test]
    fn entries_print_version_prior_op_and_object() {
        let mut e = LogEntry::new(LogOp::Modify, oid(), ev(10, 101), ev(10, 100));
        let bare = format!("10'101 (10'100) modify {:?}", oid());
        // No request and rollbackable: nothing more.
        assert_eq!(format!("{e:?}"), bare);
        e.reqid = ReqId::client(1, 2);
        let by = format!("{e:?}");
        assert!(by.starts_with(&format!("{bare} by ")), "{by}");
        e.reqid = ReqId::default();
        e.mark_unrollbackable();
        assert_eq!(format!("{e:?}"), format!("{bare} (unrollbackable)"));
    }

    #[test]
    fn entries_without_a_request_are_not_indexed_by_request() {
        // `osd_reqid_t()` names no request: an entry carrying it is not in the
        // dup-detection index, whatever its op.
        assert!(ReqId::default().is_zero());
        assert!(!ReqId::client(0, 1).is_zero());
        let e = LogEntry::new(LogOp::Modify, oid(), ev(6, 3), ev(3, 4));
        assert!(!e.reqid_is_indexed());
        let mut log = IndexedLog::default();
        log.add(e).unwrap();
        log.add(LogEntry::new(LogOp::Delete, oid(), ev(6, 4), ev(6, 3)))
            .unwrap();
        assert!(!log.logged_req(&ReqId::default()));
        assert_eq!(log.get_request(&ReqId::default()), None);
    }

    #[test]
    fn an_error_entry_answers_its_extra_requests_with_its_own_code() {
        // get_request of a folded-in request: the entry's return code when it is
        // an error, else the code recorded for that request, else the entry's.
        let mut e = LogEntry::new(LogOp::Modify, oid(), ev(6, 3), ev(3, 4));
        e.extra_reqid_return_codes = vec![(0, -17)];
        assert_eq!(e.extra_return_code(0), -17);
        assert_eq!(e.extra_return_code(1), 0);
        e.return_code = -5;
        assert_eq!(e.extra_return_code(0), -5);
        assert_eq!(e.extra_return_code(1), -5);
    }

    #[test]
    fn mod_desc_records_steps_until_complete_or_unrollbackable() {
        use peering_core::log::{ModDesc, RollbackStep};
        // `ObjectModDesc()`: rollbackable and empty.
        let mut d = ModDesc::default();
        assert!(d.can_rollback() && d.is_empty() && d.steps().is_empty());
        d.push(RollbackStep::Append { old_size: 10 });
        assert!(!d.is_empty());
        d.push(RollbackStep::UpdateSnaps { old_snaps: vec![] });
        assert_eq!(
            d.steps(),
            &[
                RollbackStep::Append { old_size: 10 },
                RollbackStep::UpdateSnaps { old_snaps: vec![] }
            ]
        );
        // Create, Delete and TryDelete capture the whole earlier state: nothing
        // after them is recorded.
        let complete = [
            RollbackStep::Create,
            RollbackStep::Delete { old_version: 3 },
            RollbackStep::TryDelete { old_version: 3 },
        ];
        for last in complete {
            let mut d = ModDesc::default();
            d.push(last.clone());
            d.push(RollbackStep::Append { old_size: 10 });
            assert_eq!(d.steps(), &[last]);
        }
        // Unrollbackable: not empty, even with no steps, and records nothing.
        let mut d = ModDesc::default();
        d.mark_unrollbackable();
        assert!(!d.can_rollback() && !d.is_empty());
        d.push(RollbackStep::Append { old_size: 10 });
        assert!(d.steps().is_empty());
    }

    #[test]
    fn effects_sink_records_in_order_and_drains() {
        let mut fx = LogEffects::new();
        assert!(fx.is_empty());
        assert_eq!(fx.len(), 0);
        fx.push(LogEffect::Remove(obj(1)));
        fx.push(LogEffect::Remove(obj(2)));
        assert!(!fx.is_empty());
        assert_eq!(fx.len(), 2);
        assert_eq!(
            fx.drain(),
            vec![LogEffect::Remove(obj(1)), LogEffect::Remove(obj(2))]
        );
        assert!(fx.is_empty());
    }

    #[test]
    fn plain_log_emptiness_and_ceph_form() {
        let empty = PgLogT::new(ev(1, 5), ev(1, 5));
        assert!(empty.is_empty());
        assert!(!five().is_empty());
        // `operator<<(pg_log_t)`: log((tail,head], crt=can_rollback_to).
        let mut l = five();
        l.can_rollback_to = ev(1, 3);
        assert_eq!(l.to_string(), "log((1'0,1'5], crt=1'3)");
    }

    #[test]
    fn check_object_chains_refuses_a_wrong_prior() {
        // Each object's entries must name the previous one as prior_version.
        let good = plain(
            ev(1, 0),
            ev(1, 4),
            vec![
                modify(&obj(1), ev(1, 1), ev(0, 0)),
                modify(&obj(2), ev(1, 2), ev(0, 0)),
                modify(&obj(1), ev(1, 3), ev(1, 1)),
                modify(&obj(2), ev(1, 4), ev(1, 2)),
            ],
        );
        assert_eq!(good.check_object_chains(), Ok(()));
        let mut bad = good.clone();
        bad.entries[3].prior_version = ev(1, 1);
        assert_eq!(
            bad.check_object_chains(),
            Err(LogError::DivergentChainBroken {
                object: obj(2),
                version: ev(1, 4),
                prior: ev(1, 1),
                last: ev(1, 2)
            })
        );
    }

    #[test]
    fn copies_keep_only_the_tracked_dups_of_the_source() {
        // Source: dups 1'1 and 1'2, entries 1'3..=1'5. With 4 dups tracked the
        // oldest kept version is 5 - 4 + 1 = 2: dup 1'1 goes, 1'2 stays, and the
        // uncopied entries 1'3 and 1'4 become dups.
        let mut src = plain(
            ev(1, 2),
            ev(1, 5),
            (3..=5)
                .map(|v| with_req(modify(&obj(v as u32), ev(1, v), ev(0, 0)), v))
                .collect(),
        );
        src.dups = vec![dup(1, 1, 1), dup(1, 2, 2)];
        let dup_versions = |l: &PgLogT| l.dups.iter().map(|d| d.version).collect::<Vec<_>>();
        let c = PgLogT::copy_after(&src, ev(1, 4), 4);
        assert_eq!(dup_versions(&c), vec![ev(1, 2), ev(1, 3), ev(1, 4)]);
        let c = PgLogT::copy_up_to(&src, 1, 4);
        assert_eq!(dup_versions(&c), vec![ev(1, 2), ev(1, 3), ev(1, 4)]);
    }
}
