//! Dups (`pg_log_dup_t`, §6.9): the dup cases of Ceph's
//! `src/test/osd/TestPGLog.cc`, re-derived.
//!
//! * `PGLogMergeDupsTest` (`OtherEmpty`, `AmEmpty`, `AmEmptyOverlap`, `Same`,
//!   `Later`, `Earlier`, `Superset`) drives `PGLog::merge_log_dups`: our dups are
//!   extended at either end with the peer's, then every dup newer than our tail
//!   goes (it would overlap a log entry). The fixture's `check_order`,
//!   `check_index` and disk round trip become [`check_dups`]: versions strictly
//!   increase, every dup answers its request, and the log re-indexed from its
//!   plain form equals the log as the merge left it.
//! * `PGLogTrimTest` (`TestPartialTrim`, `TestTrimNoTrimmed`, `TestTrimNoDups`,
//!   `TestNoTrim`, `TestTrimAll`, `TestGetRequest`, `TestTrimDups`,
//!   `TestTrimDups2`) drives `IndexedLog::trim`: trimmed entries whose
//!   `version.version` is within `osd_pg_log_dups_tracked` of the newest entry
//!   (counted before trimming) become dups, and then the oldest dups beyond
//!   `osd_pg_log_dups_tracked` of them go.
//! * `PGLogTrimTest` (`TestCopyUpTo`, `TestCopyUpTo2`, `TestCopyAfter`,
//!   `TestCopyAfter2`) drives `pg_log_t::copy_up_to` / `copy_after` through
//!   their shared `_handle_dups`: the copy carries the source's dups and
//!   uncopied entries whose `version.version` is within
//!   `osd_pg_log_dups_tracked` of the head.
//! * `TEST(pg_log_dup_t, get_key_name)`.
//!
//! The expected values are those of current Ceph, whose `merge_log_dups` keeps a
//! dup at exactly the tail (`AmEmptyOverlap` keeps four dups, `Later` seven) and
//! whose `trim` bounds the dups by count (`TestPartialTrim` ends with three).
//! Older revisions of the test file expected three and six (dropping the dup at
//! the tail) and a trim by version; they no longer match Ceph's `PGLog.cc`.
//!
//! What the fixtures assert only of Ceph's persistence bookkeeping
//! (`write_from_dups`, `trimmed_dups`) is asserted here through the dups list
//! itself: the oldest new dup is `write_from_dups`, and "no dup trimmed" is
//! every earlier dup still there.

mod log_common;

/// Builders shared by the dup cases.
mod support {
    use super::log_common::*;
    use peering_core::log::{IndexedLog, LogDup, LogEntry, LoggedRequest, PgLogT, ReqId};
    use peering_core::types::EVersion;

    /// `osd_reqid_t(entity_name_t::CLIENT(client), 8, tid)`: incarnation 8.
    pub fn req(client: i64, tid: u64) -> ReqId {
        ReqId {
            inc: 8,
            ..ReqId::client(client, tid)
        }
    }

    /// `e` written by `client.777`'s request `tid`.
    pub fn by(mut e: LogEntry, tid: u64) -> LogEntry {
        e.reqid = req(777, tid);
        e
    }

    /// `pg_log_dup_t(mk_ple_mod(.., v, .., reqid))`: the dup of an entry at `v` by
    /// `client.777`'s request `tid` (user version and return code zero, as
    /// `mk_ple_*` leave them).
    pub fn entry_dup(v: EVersion, tid: u64) -> LogDup {
        LogDup {
            reqid: req(777, tid),
            version: v,
            user_version: 0,
            return_code: 0,
        }
    }

    /// `PGLogMergeDupsTest::create_dup_entry`, whose static counter gives every
    /// dup its own client (from 777 up): a dup at `a'b`, user version `a`.
    pub struct Clients(i64);

    impl Clients {
        pub fn fresh() -> Self {
            Clients(777)
        }

        pub fn dup(&mut self, a: u32, b: u64) -> LogDup {
            let client = self.0;
            self.0 += 1;
            LogDup {
                reqid: req(client, 1),
                version: ev(a, b),
                user_version: u64::from(a),
                return_code: 0,
            }
        }

        /// `example_dups_1()`: 10'11 10'12 11'1 12'3 13'99.
        pub fn example_dups_1(&mut self) -> Vec<LogDup> {
            vec![
                self.dup(10, 11),
                self.dup(10, 12),
                self.dup(11, 1),
                self.dup(12, 3),
                self.dup(13, 99),
            ]
        }

        /// `example_dups_2()`: 12'3 13'99 15'11 16'14 16'32.
        pub fn example_dups_2(&mut self) -> Vec<LogDup> {
            vec![
                self.dup(12, 3),
                self.dup(13, 99),
                self.dup(15, 11),
                self.dup(16, 14),
                self.dup(16, 32),
            ]
        }
    }

    /// The fixture's log: no entries, `tail` set, holding `dups`. (Ceph leaves the
    /// head at 0'0; ours must not be behind the tail, so it sits at the tail.)
    pub fn with_dups(tail: EVersion, dups: Vec<LogDup>) -> IndexedLog {
        let mut l = PgLogT::new(tail, tail);
        l.dups = dups;
        IndexedLog::from_log(l).unwrap()
    }

    /// The fixture's `olog`: an empty `IndexedLog` holding `dups`.
    pub fn olog_with(dups: Vec<LogDup>) -> PgLogT {
        PgLogT {
            dups,
            ..PgLogT::default()
        }
    }

    /// A log with no entries yet, `(tail, head]`, whose rollback boundaries are at
    /// `crt`: the fixtures set the head to `crt`, `skip_can_rollback_to_to_head()`,
    /// and put the head back.
    pub fn empty_log(
        tail: EVersion,
        head: EVersion,
        crt: EVersion,
        dups: Vec<LogDup>,
    ) -> IndexedLog {
        IndexedLog::from_log(PgLogT {
            head,
            tail,
            can_rollback_to: crt,
            rollback_info_trimmed_to: crt,
            entries: Vec::new(),
            dups,
        })
        .unwrap()
    }

    pub fn dup_versions(dups: &[LogDup]) -> Vec<EVersion> {
        dups.iter().map(|d| d.version).collect()
    }

    /// What `get_request` answers for a request known only through `d`.
    pub fn answer(d: &LogDup) -> Option<LoggedRequest> {
        Some(LoggedRequest {
            version: d.version,
            user_version: d.user_version,
            return_code: d.return_code,
        })
    }

    /// The fixture's `check_order`, `check_index` and disk round trip: dup
    /// versions strictly increase, every dup (of a request no live entry
    /// holds) answers its request, and re-indexing the plain log (as reading it
    /// back does) gives back the same log, indexes included.
    pub fn check_dups(log: &IndexedLog) {
        for pair in log.dups().windows(2) {
            assert!(pair[0].version < pair[1].version, "{pair:?}");
        }
        // A request is indexed by its newest dup; requests without an id are
        // never looked up.
        let dups = log.dups();
        for (i, d) in dups.iter().enumerate() {
            let newer_same = dups[i + 1..].iter().any(|n| n.reqid == d.reqid);
            if !d.reqid.is_zero() && !newer_same && !log.logged_req(&d.reqid) {
                assert_eq!(log.get_request(&d.reqid), answer(d), "{d:?}");
            }
        }
        let reread = IndexedLog::from_log(log.log().clone()).unwrap();
        assert_eq!(&reread, log);
        #[cfg(feature = "serde")]
        {
            let bytes = postcard::to_allocvec(log).unwrap();
            let back: IndexedLog = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(&back, log);
        }
    }
}

/// `PGLogMergeDupsTest`: `merge_log_dups(olog)` on its own.
mod merge_dups {
    use super::log_common::*;
    use super::support::*;

    /// `OtherEmpty`: a peer without dups changes nothing (returns false); ours
    /// stay 10'11 .. 13'99 under the tail 14'5.
    #[test]
    fn other_empty() {
        let mut c = Clients::fresh();
        let ours = c.example_dups_1();
        let mut log = with_dups(ev(14, 5), ours.clone());
        assert!(!log.merge_log_dups(&olog_with(vec![])));
        assert_eq!(log.dups(), ours.as_slice());
        assert_eq!(
            dup_versions(log.dups()),
            vec![ev(10, 11), ev(10, 12), ev(11, 1), ev(12, 3), ev(13, 99)]
        );
        check_dups(&log);
    }

    /// `AmEmpty`: with no dups of our own we copy all of the peer's (all older
    /// than our tail 14'5), and each answers its request.
    #[test]
    fn am_empty() {
        let mut c = Clients::fresh();
        let theirs = c.example_dups_1();
        let mut log = with_dups(ev(14, 5), vec![]);
        assert!(log.merge_log_dups(&olog_with(theirs.clone())));
        assert_eq!(log.dups(), theirs.as_slice());
        assert_eq!(log.get_request(&theirs[2].reqid), answer(&theirs[2]));
        check_dups(&log);
    }

    /// `AmEmptyOverlap`: copying the peer's dups into an empty list, those newer
    /// than our tail 12'3 go (13'99 would overlap our entries); the dup at exactly
    /// the tail stays (its entry was trimmed, the log is `(tail, head]`).
    #[test]
    fn am_empty_overlap_keeps_the_dup_at_the_tail() {
        let mut c = Clients::fresh();
        let theirs = c.example_dups_1();
        let mut log = with_dups(ev(12, 3), vec![]);
        assert!(log.merge_log_dups(&olog_with(theirs.clone())));
        assert_eq!(
            dup_versions(log.dups()),
            vec![ev(10, 11), ev(10, 12), ev(11, 1), ev(12, 3)]
        );
        assert_eq!(log.dups(), &theirs[..4]);
        // The dropped dup is not indexed either.
        assert_eq!(log.get_request(&theirs[4].reqid), None);
        check_dups(&log);
    }

    /// `Same`: the peer holds dups at exactly our versions (other requests, as
    /// the fixture's counter makes them): nothing is newer or older than ours,
    /// so nothing changes and ours are kept, not theirs.
    #[test]
    fn same_versions_change_nothing() {
        let mut c = Clients::fresh();
        let ours = c.example_dups_1();
        let theirs = c.example_dups_1();
        let mut log = with_dups(ev(14, 1), ours.clone());
        assert!(!log.merge_log_dups(&olog_with(theirs.clone())));
        assert_eq!(log.dups(), ours.as_slice());
        for d in &theirs {
            assert_eq!(log.get_request(&d.reqid), None);
        }
        check_dups(&log);
    }

    /// `Later`: only the peer's dups newer than our newest (13'99) are appended
    /// (15'11, 16'14), its 12'3 and 13'99 are not; then 16'32, newer than our
    /// tail 16'14, goes. Seven dups, the newest 16'14 (at the tail).
    #[test]
    fn later_extends_at_the_newer_end() {
        let mut c = Clients::fresh();
        let ours = c.example_dups_1();
        let theirs = c.example_dups_2();
        let mut log = with_dups(ev(16, 14), ours.clone());
        assert!(log.merge_log_dups(&olog_with(theirs.clone())));
        assert_eq!(
            dup_versions(log.dups()),
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
        assert_eq!(&log.dups()[..5], ours.as_slice());
        assert_eq!(&log.dups()[5..], &theirs[2..4]);
        assert_eq!(log.get_request(&theirs[0].reqid), None);
        assert_eq!(log.get_request(&theirs[4].reqid), None);
        check_dups(&log);
    }

    /// `Earlier`: only the peer's dups older than our oldest (12'3) are put in
    /// front (10'11, 10'12, 11'1); nothing is newer than our tail 17'2. Eight
    /// dups, 10'11 to 16'32.
    #[test]
    fn earlier_extends_at_the_older_end() {
        let mut c = Clients::fresh();
        let ours = c.example_dups_2();
        let theirs = c.example_dups_1();
        let mut log = with_dups(ev(17, 2), ours.clone());
        assert!(log.merge_log_dups(&olog_with(theirs.clone())));
        assert_eq!(
            dup_versions(log.dups()),
            vec![
                ev(10, 11),
                ev(10, 12),
                ev(11, 1),
                ev(12, 3),
                ev(13, 99),
                ev(15, 11),
                ev(16, 14),
                ev(16, 32)
            ]
        );
        assert_eq!(&log.dups()[..3], &theirs[..3]);
        assert_eq!(&log.dups()[3..], ours.as_slice());
        assert_eq!(log.get_request(&theirs[3].reqid), None);
        check_dups(&log);
    }

    /// `Superset`: a peer whose dups span ours (9'5 before, 15'11 after) extends
    /// both ends at once: seven dups, 9'5 to 15'11, all under the tail 17'2.
    #[test]
    fn superset_extends_both_ends() {
        let mut c = Clients::fresh();
        let ours = c.example_dups_1();
        let theirs = vec![c.dup(9, 5), c.dup(15, 11)];
        let mut log = with_dups(ev(17, 2), ours.clone());
        assert!(log.merge_log_dups(&olog_with(theirs.clone())));
        assert_eq!(
            dup_versions(log.dups()),
            vec![
                ev(9, 5),
                ev(10, 11),
                ev(10, 12),
                ev(11, 1),
                ev(12, 3),
                ev(13, 99),
                ev(15, 11)
            ]
        );
        assert_eq!(log.dups()[0], theirs[0]);
        assert_eq!(&log.dups()[1..6], ours.as_slice());
        assert_eq!(log.dups()[6], theirs[1]);
        check_dups(&log);
    }

    /// The overlap rule applies to our own dups too, with or without a peer's:
    /// `merge_log_dups` drops every dup newer than the tail and says it changed
    /// something (Ceph's "removed dups overlapping log entries").
    #[test]
    fn our_own_dups_past_the_tail_go() {
        let mut c = Clients::fresh();
        let ours = c.example_dups_1();
        let mut log = with_dups(ev(11, 1), ours.clone());
        assert!(log.merge_log_dups(&olog_with(vec![])));
        assert_eq!(log.dups(), &ours[..3]);
        check_dups(&log);
    }
}

/// `PGLogTrimTest`: `IndexedLog::trim(s)` and the dups it leaves.
mod trim_dups {
    use super::log_common::*;
    use super::support::*;
    use peering_core::log::{IndexedLog, LogEntry, LogError, LoggedRequest};
    use peering_core::types::EVersion;

    /// The six entries of `TestPartialTrim` and its neighbours: 10'100 .. 21'167,
    /// the fourth at `fourth_epoch`'160; with `client.777`'s requests 1..6 when
    /// `reqs` (`TestGetRequest`), with none otherwise. (The prior versions are the
    /// fixture's own, some newer than their entries: trim never reads them.)
    fn six(fourth_epoch: u32, reqs: bool) -> Vec<LogEntry> {
        let entries = [
            modify(&obj(1), ev(10, 100), ev(8, 70)),
            delete(&obj(2), ev(15, 150), ev(10, 100)),
            modify_rb(&obj(3), ev(15, 155), ev(15, 150)),
            modify(&obj(1), ev(fourth_epoch, 160), ev(25, 152)),
            modify(&obj(4), ev(21, 165), ev(26, 160)),
            delete_rb(&obj(5), ev(21, 167), ev(31, 166)),
        ];
        entries
            .into_iter()
            .zip(1..)
            .map(|(e, tid)| if reqs { by(e, tid) } else { e })
            .collect()
    }

    /// The fixture's log: head 9'0 (tail 0'0), rollback boundaries at `crt`, the
    /// `entries` added one by one.
    fn six_log(crt: EVersion, entries: Vec<LogEntry>) -> IndexedLog {
        let mut log = empty_log(ev(0, 0), ev(9, 0), crt, vec![]);
        for e in entries {
            log.add(e).unwrap();
        }
        log
    }

    /// `TestPartialTrim`: with 20 dups tracked (the newest entry is 167, so
    /// versions from 148 on), trimming to 19'157 turns 150 and 155 into dups but
    /// not 100; then with 15 tracked (from 153), trimming to 20'164 adds 160 and
    /// keeps both older dups (three dups, well under 15: none trimmed).
    #[test]
    fn partial_trim() {
        let mut log = six_log(ev(24, 0), six(19, false));
        let trimmed = log.trim(ev(19, 157), 20).unwrap();
        assert_eq!(trimmed, vec![ev(10, 100), ev(15, 150), ev(15, 155)]);
        assert_eq!(
            versions(log.entries()),
            vec![ev(19, 160), ev(21, 165), ev(21, 167)]
        );
        // write_from_dups: the oldest new dup is 15'150.
        assert_eq!(dup_versions(log.dups()), vec![ev(15, 150), ev(15, 155)]);
        assert_eq!(log.tail(), ev(19, 157));

        let trimmed = log.trim(ev(20, 164), 15).unwrap();
        assert_eq!(trimmed, vec![ev(19, 160)]);
        assert_eq!(versions(log.entries()), vec![ev(21, 165), ev(21, 167)]);
        assert_eq!(
            dup_versions(log.dups()),
            vec![ev(15, 150), ev(15, 155), ev(19, 160)]
        );
        assert_eq!(log.tail(), ev(20, 164));
        check_dups(&log);
    }

    /// `TestTrimNoTrimmed`: the same trim (the fourth entry at 20'160) leaves
    /// three entries and the two dups 150 and 155.
    #[test]
    fn trim_no_trimmed() {
        let mut log = six_log(ev(20, 0), six(20, false));
        log.trim(ev(19, 157), 20).unwrap();
        assert_eq!(
            versions(log.entries()),
            vec![ev(20, 160), ev(21, 165), ev(21, 167)]
        );
        assert_eq!(dup_versions(log.dups()), vec![ev(15, 150), ev(15, 155)]);
        check_dups(&log);
    }

    /// `TestTrimNoDups`: with 10 tracked, only versions from 158 on would become
    /// dups; the three trimmed entries (100, 150, 155) are all older: no dups.
    #[test]
    fn trim_no_dups() {
        let mut log = six_log(ev(20, 0), six(20, false));
        let trimmed = log.trim(ev(19, 157), 10).unwrap();
        assert_eq!(trimmed, vec![ev(10, 100), ev(15, 150), ev(15, 155)]);
        assert_eq!(log.entries().len(), 3);
        assert!(log.dups().is_empty());
        check_dups(&log);
    }

    /// `TestNoTrim`: trimming to 9'99, older than every entry, trims nothing and
    /// makes no dups, but still raises the tail (0'0) to 9'99.
    #[test]
    fn no_trim_still_raises_the_tail() {
        let mut log = six_log(ev(24, 0), six(19, false));
        assert!(log.trim(ev(9, 99), 20).unwrap().is_empty());
        assert_eq!(log.entries().len(), 6);
        assert!(log.dups().is_empty());
        assert_eq!(log.tail(), ev(9, 99));
        check_dups(&log);
    }

    /// `TestTrimAll`: trimming every entry keeps as dups the five within 20
    /// versions of the newest (150 .. 167; 100 is too old), measured from the
    /// newest entry before the trim; no entry stays indexed.
    ///
    /// Deviation: Ceph trims to 22'180, past the head (only `can_rollback_to`,
    /// 24'0 here, is asserted), leaving a tail newer than the head. We refuse a
    /// trim past the head, changing nothing, and trim to the head instead.
    #[test]
    fn trim_all() {
        let mut log = six_log(ev(24, 0), six(19, false));
        let before = log.clone();
        assert_eq!(
            log.trim(ev(22, 180), 20),
            Err(LogError::TrimPastHead {
                trim_to: ev(22, 180),
                head: ev(21, 167)
            })
        );
        assert_eq!(log, before);

        let trimmed = log.trim(ev(21, 167), 20).unwrap();
        assert_eq!(
            trimmed,
            vec![
                ev(10, 100),
                ev(15, 150),
                ev(15, 155),
                ev(19, 160),
                ev(21, 165),
                ev(21, 167)
            ]
        );
        assert!(log.entries().is_empty());
        assert_eq!(
            dup_versions(log.dups()),
            vec![
                ev(15, 150),
                ev(15, 155),
                ev(19, 160),
                ev(21, 165),
                ev(21, 167)
            ]
        );
        for id in 1..=5 {
            assert!(!log.logged_object(&obj(id)));
        }
        assert_eq!(log.tail(), ev(21, 167));
        check_dups(&log);
    }

    /// `TestGetRequest`: after the partial trim, a request still in the log is
    /// answered from its entry (tid 5: 21'165), a trimmed one kept as a dup from
    /// the dup (tid 3: 15'155), and one trimmed too long ago (tid 1, 10'100,
    /// older than the 20 tracked) not at all.
    #[test]
    fn get_request_after_trim() {
        let mut log = six_log(ev(20, 0), six(20, true));
        log.trim(ev(19, 157), 20).unwrap();
        assert_eq!(log.entries().len(), 3);
        assert_eq!(
            log.dups(),
            &[entry_dup(ev(15, 150), 2), entry_dup(ev(15, 155), 3)]
        );
        let found = |v| {
            Some(LoggedRequest {
                version: v,
                user_version: 0,
                return_code: 0,
            })
        };
        assert!(log.logged_req(&req(777, 5)));
        assert_eq!(log.get_request(&req(777, 5)), found(ev(21, 165)));
        assert!(!log.logged_req(&req(777, 3)));
        assert_eq!(log.get_request(&req(777, 3)), found(ev(15, 155)));
        assert_eq!(log.get_request(&req(777, 1)), None);
        check_dups(&log);
    }

    /// The log of `TestTrimDups` and the copy cases: `(9'99, 21'107]`, entries
    /// 10'100 .. 21'107 by `client.777` (tids 1..5, then three deletes sharing
    /// tid 6), holding `dups`.
    pub fn eight(dups: Vec<peering_core::log::LogDup>) -> peering_core::log::PgLogT {
        let mut l = plain(
            ev(9, 99),
            ev(21, 107),
            vec![
                by(modify(&obj(1), ev(10, 100), ev(9, 99)), 1),
                by(delete(&obj(2), ev(15, 101), ev(10, 100)), 2),
                by(modify_rb(&obj(3), ev(15, 102), ev(15, 101)), 3),
                by(modify(&obj(1), ev(20, 103), ev(15, 102)), 4),
                by(modify(&obj(4), ev(21, 104), ev(20, 103)), 5),
                by(delete_rb(&obj(5), ev(21, 105), ev(21, 104)), 6),
                by(delete_rb(&obj(5), ev(21, 106), ev(21, 105)), 6),
                by(delete_rb(&obj(5), ev(21, 107), ev(21, 106)), 6),
            ],
        );
        l.dups = dups;
        l
    }

    /// [`eight`] as the trim fixtures build it: rolled forward to 21'107 so that
    /// any of its entries may be trimmed.
    fn eight_log(dups: Vec<peering_core::log::LogDup>) -> IndexedLog {
        let mut l = eight(dups);
        l.can_rollback_to = ev(21, 107);
        l.rollback_info_trimmed_to = ev(21, 107);
        IndexedLog::from_log(l).unwrap()
    }

    /// `TestTrimDups`: 5 tracked (from 103 on): trimming to 21'105 turns 103,
    /// 104 and 105 into dups after the old 9'99: four dups, two entries left.
    /// Request 6 is then both a dup (21'105) and live (21'106, 21'107): the
    /// newest live entry answers it.
    #[test]
    fn trim_dups() {
        let mut log = eight_log(vec![entry_dup(ev(9, 99), 1)]);
        let trimmed = log.trim(ev(21, 105), 5).unwrap();
        assert_eq!(
            trimmed,
            vec![
                ev(10, 100),
                ev(15, 101),
                ev(15, 102),
                ev(20, 103),
                ev(21, 104),
                ev(21, 105)
            ]
        );
        assert_eq!(versions(log.entries()), vec![ev(21, 106), ev(21, 107)]);
        assert_eq!(
            log.dups(),
            &[
                entry_dup(ev(9, 99), 1),
                entry_dup(ev(20, 103), 4),
                entry_dup(ev(21, 104), 5),
                entry_dup(ev(21, 105), 6),
            ]
        );
        assert_eq!(
            log.get_request(&req(777, 6)).map(|r| r.version),
            Some(ev(21, 107))
        );
        check_dups(&log);
    }

    /// `TestTrimDups2`: 9 tracked (from 99 on): trimming to 20'103 turns all four
    /// trimmed entries (100 .. 103) into dups after the two old ones: six dups,
    /// under the nine tracked, so none goes.
    #[test]
    fn trim_dups_2() {
        let mut log = eight_log(vec![entry_dup(ev(9, 98), 1), entry_dup(ev(9, 99), 1)]);
        log.trim(ev(20, 103), 9).unwrap();
        assert_eq!(log.entries().len(), 4);
        assert_eq!(
            log.dups(),
            &[
                entry_dup(ev(9, 98), 1),
                entry_dup(ev(9, 99), 1),
                entry_dup(ev(10, 100), 1),
                entry_dup(ev(15, 101), 2),
                entry_dup(ev(15, 102), 3),
                entry_dup(ev(20, 103), 4),
            ]
        );
    }

    /// `IndexedLog::trim`'s count bound (the rule behind the fixtures'
    /// `trimmed_dups`): a trimmed entry's extra requests become dups too, at its
    /// version (user version from the extra, return code from
    /// `extra_reqid_return_codes`, else the entry's), and when the dups then
    /// outnumber `dups_tracked` the oldest go, unindexed. Five tracked, trimming
    /// to 21'105 whose entry folded in two extra requests: 103, 104, 105 and its
    /// two extras make five new dups, so the old 9'99 goes.
    #[test]
    fn extras_become_dups_and_the_oldest_dups_beyond_the_count_go() {
        let mut l = eight(vec![entry_dup(ev(9, 99), 1)]);
        l.can_rollback_to = ev(21, 107);
        l.rollback_info_trimmed_to = ev(21, 107);
        l.entries[5].extra_reqids = vec![(req(888, 1), 41), (req(888, 2), 42)];
        l.entries[5].extra_reqid_return_codes = vec![(1, -2)];
        let mut log = IndexedLog::from_log(l).unwrap();
        log.trim(ev(21, 105), 5).unwrap();
        let extra = |tid, user_version, return_code| peering_core::log::LogDup {
            reqid: req(888, tid),
            version: ev(21, 105),
            user_version,
            return_code,
        };
        assert_eq!(
            log.dups(),
            &[
                entry_dup(ev(20, 103), 4),
                entry_dup(ev(21, 104), 5),
                entry_dup(ev(21, 105), 6),
                extra(1, 41, 0),
                extra(2, 42, -2),
            ]
        );
        // The dropped dup's request (its entry 10'100 trimmed, too old) is gone.
        assert_eq!(log.get_request(&req(777, 1)), None);
        assert_eq!(
            log.get_request(&req(888, 2)),
            Some(LoggedRequest {
                version: ev(21, 105),
                user_version: 42,
                return_code: -2
            })
        );
        assert_eq!(log.get_request(&req(888, 1)), answer(&extra(1, 41, 0)));
    }

    /// `TEST(pg_log_dup_t, get_key_name)`: a dup's store key is `dup_` and its
    /// version's key.
    #[test]
    fn dup_key_name() {
        let d = peering_core::log::LogDup {
            reqid: req(777, 999),
            version: ev(1234, 5678),
            user_version: 13,
            return_code: 15,
        };
        assert_eq!(d.key_name(), "dup_0000001234.00000000000000005678");
    }
}

/// `PGLogTrimTest`'s copy cases: the dups a LOG / FULLLOG answer carries.
mod copy_dups {
    use super::log_common::*;
    use super::support::*;
    use super::trim_dups::eight;
    use peering_core::log::PgLogT;

    /// `TestCopyUpTo`: the newest two entries (106, 107) with the tail moved to
    /// 21'105; 5 tracked from the head 107 (103 on): the old dup 9'99 stays
    /// behind and the uncopied 103, 104, 105 travel as dups.
    #[test]
    fn copy_up_to() {
        let src = eight(vec![entry_dup(ev(9, 99), 1)]);
        let c = PgLogT::copy_up_to(&src, 2, 5);
        assert_eq!(versions(&c.entries), vec![ev(21, 106), ev(21, 107)]);
        assert_eq!(c.head, ev(21, 107));
        assert_eq!(c.tail, ev(21, 105));
        assert_eq!(
            c.dups,
            vec![
                entry_dup(ev(20, 103), 4),
                entry_dup(ev(21, 104), 5),
                entry_dup(ev(21, 105), 6),
            ]
        );
    }

    /// `TestCopyUpTo2`: the newest four (104 .. 107), tail 20'103; 9 tracked (99
    /// on): of the two old dups 9'99 travels and 8'98 does not, then the
    /// uncopied 100 .. 103: five dups, the source's first.
    #[test]
    fn copy_up_to_2() {
        let src = eight(vec![entry_dup(ev(8, 98), 1), entry_dup(ev(9, 99), 1)]);
        let c = PgLogT::copy_up_to(&src, 4, 9);
        assert_eq!(
            versions(&c.entries),
            vec![ev(21, 104), ev(21, 105), ev(21, 106), ev(21, 107)]
        );
        assert_eq!(c.head, ev(21, 107));
        assert_eq!(c.tail, ev(20, 103));
        assert_eq!(
            c.dups,
            vec![
                entry_dup(ev(9, 99), 1),
                entry_dup(ev(10, 100), 1),
                entry_dup(ev(15, 101), 2),
                entry_dup(ev(15, 102), 3),
                entry_dup(ev(20, 103), 4),
            ]
        );
    }

    /// `TestCopyAfter`: the entries after 21'105 (106, 107), tail 21'105; 5
    /// tracked: the uncopied 103, 104, 105 travel as dups, 9'99 does not.
    #[test]
    fn copy_after() {
        let src = eight(vec![entry_dup(ev(9, 99), 1)]);
        let c = PgLogT::copy_after(&src, ev(21, 105), 5);
        assert_eq!(versions(&c.entries), vec![ev(21, 106), ev(21, 107)]);
        assert_eq!(c.head, ev(21, 107));
        assert_eq!(c.tail, ev(21, 105));
        assert_eq!(
            dup_versions(&c.dups),
            vec![ev(20, 103), ev(21, 104), ev(21, 105)]
        );
    }

    /// `TestCopyAfter2`: after 9'99 (the tail) every entry is copied and the tail
    /// stays 9'99; 3000 tracked covers every version: all seven old dups travel
    /// (no entry is left to become one).
    #[test]
    fn copy_after_2() {
        let old: Vec<_> = (93..=98)
            .map(|v| entry_dup(ev(8, v), 1))
            .chain([entry_dup(ev(9, 99), 1)])
            .collect();
        let src = eight(old.clone());
        let c = PgLogT::copy_after(&src, ev(9, 99), 3000);
        assert_eq!(c.entries.len(), 8);
        assert_eq!(c.head, ev(21, 107));
        assert_eq!(c.tail, ev(9, 99));
        assert_eq!(c.dups, old);
        assert_eq!(
            dup_versions(&c.dups),
            vec![
                ev(8, 93),
                ev(8, 94),
                ev(8, 95),
                ev(8, 96),
                ev(8, 97),
                ev(8, 98),
                ev(9, 99)
            ]
        );
    }
}

/// `merge_log` ends with `merge_log_dups` (Ceph: "now handle dups"), against the
/// tail as the merge left it, and a change to the dups alone is a change.
mod merge_log_dups {
    use super::log_common::*;
    use super::support::*;
    use peering_core::log::{LogDup, LogEffects, LoggedRequest, Missing, PgLog, PgLogT};
    use peering_core::types::EVersion;

    /// Entries `epoch'from ..= epoch'to`, each creating its own object, by
    /// `client.777`'s request of the same number.
    fn run(epoch: u32, from: u64, to: u64) -> Vec<peering_core::log::LogEntry> {
        (from..=to)
            .map(|v| by(modify(&obj(v as u32), ev(epoch, v), ev(0, 0)), v))
            .collect()
    }

    fn merge(ours: PgLogT, theirs: PgLogT) -> (PgLog, bool, EVersion) {
        let mut pg = PgLog::from_parts(ours.clone(), Missing::new(false)).unwrap();
        let mut info = info();
        info.last_update = ours.head;
        info.last_complete = ours.head;
        info.log_tail = ours.tail;
        let mut oinfo = super::log_common::info();
        oinfo.last_update = theirs.head;
        oinfo.log_tail = theirs.tail;
        let mut effects = LogEffects::new();
        let dirty = pg
            .merge_log(&mut oinfo, theirs, peer(), &mut info, &mut effects)
            .unwrap();
        (pg, dirty, info.log_tail)
    }

    /// Identical logs but for the peer's dups (5'8 .. 5'10, at or under the shared
    /// tail 5'10): we take them, and the merge reports a change (Ceph marks info
    /// and big info dirty) though no entry moved.
    #[test]
    fn dups_alone_make_the_merge_a_change() {
        let theirs_dups: Vec<LogDup> = (8..=10).map(|v| entry_dup(ev(5, v), v)).collect();
        let ours = plain(ev(5, 10), ev(5, 13), run(5, 11, 13));
        let mut theirs = ours.clone();
        theirs.dups = theirs_dups.clone();
        let (pg, dirty, _) = merge(ours, theirs);
        assert!(dirty);
        assert!(pg.is_dirty());
        assert_eq!(pg.log().dups(), theirs_dups.as_slice());
        assert_eq!(pg.log().get_request(&req(777, 9)), answer(&theirs_dups[1]));
        check_dups(pg.log());
    }

    /// The same dups on both sides: nothing changes, nothing is dirty.
    #[test]
    fn the_same_dups_are_no_change() {
        let dups: Vec<LogDup> = (8..=10).map(|v| entry_dup(ev(5, v), v)).collect();
        let mut ours = plain(ev(5, 10), ev(5, 13), run(5, 11, 13));
        ours.dups = dups.clone();
        let (pg, dirty, _) = merge(ours.clone(), ours);
        assert!(!dirty);
        assert!(!pg.is_dirty());
        assert_eq!(pg.log().dups(), dups.as_slice());
    }

    /// Ours `(1'5, 1'8]` with dups 1'4 and 1'5; theirs `(1'2, 1'8]` with dups 1'1
    /// and 1'2. The merge extends our tail to 1'2 (entries 1'3 .. 1'5 come in),
    /// prepends their older dups, and then drops our 1'4 and 1'5: newer than the
    /// new tail, they overlap entries now in the log, which answer their
    /// requests instead.
    #[test]
    fn dups_overlapping_entries_from_the_extended_tail_go() {
        let mut ours = plain(ev(1, 5), ev(1, 8), run(1, 6, 8));
        ours.dups = vec![entry_dup(ev(1, 4), 4), entry_dup(ev(1, 5), 5)];
        let mut theirs = plain(ev(1, 2), ev(1, 8), run(1, 3, 8));
        theirs.dups = vec![entry_dup(ev(1, 1), 1), entry_dup(ev(1, 2), 2)];
        let (pg, dirty, log_tail) = merge(ours, theirs);
        assert!(dirty);
        assert_eq!(log_tail, ev(1, 2));
        assert_eq!(pg.log().tail(), ev(1, 2));
        assert_eq!(
            versions(pg.log().entries()),
            vec![ev(1, 3), ev(1, 4), ev(1, 5), ev(1, 6), ev(1, 7), ev(1, 8)]
        );
        assert_eq!(
            pg.log().dups(),
            &[entry_dup(ev(1, 1), 1), entry_dup(ev(1, 2), 2)]
        );
        let answered = |v| {
            Some(LoggedRequest {
                version: v,
                user_version: 0,
                return_code: 0,
            })
        };
        // Request 4 now has its entry; request 1 its dup.
        assert!(pg.log().logged_req(&req(777, 4)));
        assert_eq!(pg.log().get_request(&req(777, 4)), answered(ev(1, 4)));
        assert!(!pg.log().logged_req(&req(777, 1)));
        assert_eq!(pg.log().get_request(&req(777, 1)), answered(ev(1, 1)));
        check_dups(pg.log());
    }
}
