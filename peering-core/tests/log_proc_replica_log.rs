//! `proc_replica_log` (§5.12): Ceph's TestPGLog.cc `proc_replica_log` cases,
//! re-derived (tails moved one version below the oldest entry, as our logs must
//! hold their entries inside `(tail, head]`).

mod log_common;

mod proc_replica_log {
    use super::log_common::*;
    use peering_core::log::{LogEntry, LogError, LogOp, Missing, PgLog, PgLogT};
    use peering_core::types::{EVersion, PgInfo};

    fn entry(op: LogOp, hash: u32, v: EVersion, pv: EVersion) -> LogEntry {
        let mut e = modify(&hobj(hash), v, pv);
        e.op = op;
        e
    }

    /// Runs `proc_replica_log` for a peer whose info matches `olog`.
    fn proc(pg: &PgLog, olog: &PgLogT, omissing: &mut Missing) -> PgInfo {
        let mut oinfo = peer_info(olog);
        pg.proc_replica_log(&mut oinfo, olog, omissing, peer())
            .unwrap();
        oinfo
    }

    fn peer_info(olog: &PgLogT) -> PgInfo {
        let mut i = info();
        i.last_update = olog.head;
        i.last_complete = olog.head;
        i.log_tail = olog.tail;
        i
    }

    #[test]
    fn empty_logs_only_set_last_complete() {
        let pg = PgLog::from_parts(plain(ev(0, 0), ev(1, 1), vec![]), Missing::new(false)).unwrap();
        let olog = plain(ev(0, 0), ev(1, 1), vec![]);
        let mut omissing = Missing::new(false);
        let oinfo = proc(&pg, &olog, &mut omissing);
        // Same head: nothing to look at.
        assert!(!omissing.have_missing());
        assert_eq!(oinfo.last_update, ev(1, 1));
        assert_eq!(oinfo.last_complete, ev(1, 1));
    }

    #[test]
    fn same_delete_on_both_sides_is_not_missing() {
        // ours (1,1]: x5@1,2 x9 DELETE@1,3; theirs (1,0]: x3@1,1 x9 DELETE@2,3.
        let pg = PgLog::from_parts(
            plain(
                ev(1, 1),
                ev(1, 3),
                vec![
                    entry(LogOp::Modify, 0x5, ev(1, 2), ev(0, 0)),
                    entry(LogOp::Delete, 0x9, ev(1, 3), ev(0, 0)),
                ],
            ),
            Missing::new(false),
        )
        .unwrap();
        let olog = plain(
            ev(1, 0),
            ev(2, 3),
            vec![
                entry(LogOp::Modify, 0x3, ev(1, 1), ev(0, 0)),
                entry(LogOp::Delete, 0x9, ev(2, 3), ev(0, 0)),
            ],
        );
        let mut omissing = Missing::new(false);
        let oinfo = proc(&pg, &olog, &mut omissing);
        assert!(!omissing.have_missing());
        // Rewound to our newest entry not after their head, our 1,3.
        assert_eq!(oinfo.last_update, ev(1, 3));
        assert_eq!(oinfo.last_complete, ev(1, 3));
    }

    #[test]
    fn divergent_modify_needs_prior_and_created_object_is_dropped() {
        let div = hobj(0x1);
        let ours = plain(
            ev(1, 2),
            ev(2, 8),
            vec![
                entry(LogOp::Modify, 0x3, ev(1, 4), ev(1, 1)),
                entry(LogOp::Modify, 0x7, ev(1, 5), ev(1, 1)),
                entry(LogOp::Modify, 0x8, ev(1, 6), ev(1, 1)),
                entry(LogOp::Delete, 0x9, ev(2, 7), ev(1, 1)),
                entry(LogOp::Delete, 0xa, ev(2, 8), ev(1, 1)),
            ],
        );
        let pg = PgLog::from_parts(ours, Missing::new(false)).unwrap();
        let olog = plain(
            ev(1, 0),
            ev(1, 8),
            vec![
                modify(&div, ev(1, 1), ev(0, 0)),
                modify(&div, ev(1, 2), ev(1, 1)),
                entry(LogOp::Modify, 0x3, ev(1, 4), ev(0, 0)),
                entry(LogOp::Modify, 0x7, ev(1, 5), ev(0, 0)),
                entry(LogOp::Modify, 0x8, ev(1, 6), ev(0, 0)),
                // created by a divergent entry: not missing
                entry(LogOp::Modify, 0x9, ev(1, 7), ev(0, 0)),
                // divergent modify of an existing object: missing at 1,2
                modify(&div, ev(1, 8), ev(1, 2)),
            ],
        );
        let mut omissing = Missing::new(false);
        let oinfo = proc(&pg, &olog, &mut omissing);
        assert_eq!(
            items(&omissing),
            items(&missing(&[(div, ev(1, 2), ev(0, 0), false)], false))
        );
        assert_eq!(oinfo.last_update, ev(1, 6));
        assert_eq!(oinfo.last_complete, ev(1, 1));
    }

    #[test]
    fn divergent_delete_needs_prior() {
        // ours: x9@1,1 x3@1,2 x9 DELETE@2,3; theirs: x9@1,1 x3@1,2 x9 DELETE@1,3.
        let x9 = hobj(0x9);
        let base = vec![
            modify(&x9, ev(1, 1), ev(0, 0)),
            entry(LogOp::Modify, 0x3, ev(1, 2), ev(0, 0)),
        ];
        let mut ours = base.clone();
        ours.push(delete(&x9, ev(2, 3), ev(1, 1)));
        let mut theirs = base;
        theirs.push(delete(&x9, ev(1, 3), ev(1, 1)));
        let pg = PgLog::from_parts(plain(ev(1, 0), ev(2, 3), ours), Missing::new(false)).unwrap();
        let olog = plain(ev(1, 0), ev(1, 3), theirs);
        let mut omissing = Missing::new(false);
        let oinfo = proc(&pg, &olog, &mut omissing);
        assert_eq!(
            items(&omissing),
            items(&missing(&[(x9, ev(1, 1), ev(0, 0), false)], false))
        );
        assert_eq!(oinfo.last_update, ev(1, 2));
        // Nothing in their log is older than the oldest need, 1,1.
        assert_eq!(oinfo.last_complete, ev(0, 0));
    }

    fn divergent_modify_already_missing(x: u32) -> (PgInfo, Missing) {
        // ours: x@1,1 x3@1,2 x DELETE@2,3; theirs: x@1,1 x3@1,2 x MODIFY@1,3,
        // which the peer already lacks.
        let o = hobj(x);
        let base = vec![
            modify(&o, ev(1, 1), ev(0, 0)),
            entry(LogOp::Modify, 0x3, ev(1, 2), ev(0, 0)),
        ];
        let mut ours = base.clone();
        ours.push(delete(&o, ev(2, 3), ev(1, 1)));
        let mut theirs = base;
        theirs.push(modify(&o, ev(1, 3), ev(1, 1)));
        let pg = PgLog::from_parts(plain(ev(1, 0), ev(2, 3), ours), Missing::new(false)).unwrap();
        let olog = plain(ev(1, 0), ev(1, 3), theirs);
        let mut omissing = missing(&[(o.clone(), ev(1, 3), ev(0, 0), false)], false);
        let oinfo = proc(&pg, &olog, &mut omissing);
        assert_eq!(
            items(&omissing),
            items(&missing(&[(o, ev(1, 1), ev(0, 0), false)], false))
        );
        (oinfo, omissing)
    }

    #[test]
    fn divergent_modify_of_missing_object_revises_need() {
        let (oinfo, _) = divergent_modify_already_missing(0x9);
        assert_eq!(oinfo.last_update, ev(1, 2));
        // Nothing older than the oldest need (1,1) is in their log.
        assert_eq!(oinfo.last_complete, ev(0, 0));
    }

    #[test]
    fn divergent_modify_of_missing_first_object_revises_need() {
        let (oinfo, omissing) = divergent_modify_already_missing(0x0);
        assert_eq!(oinfo.last_update, ev(1, 2));
        assert_eq!(omissing.get_oldest_need(), ev(1, 1));
    }

    #[test]
    fn peer_behind_our_tail_is_left_alone() {
        let pg = PgLog::from_parts(
            plain(
                ev(5, 10),
                ev(5, 12),
                vec![modify(&obj(1), ev(5, 11), ev(0, 0))],
            ),
            Missing::new(true),
        )
        .unwrap();
        let olog = plain(
            ev(4, 1),
            ev(4, 3),
            vec![modify(&obj(1), ev(4, 3), ev(0, 0))],
        );
        let before = peer_info(&olog);
        let mut omissing = Missing::new(true);
        let oinfo = proc(&pg, &olog, &mut omissing);
        assert_eq!(oinfo, before);
        assert!(!omissing.have_missing());
    }

    #[test]
    fn rollbackable_divergent_entries_are_not_missing() {
        let o = obj(1);
        let pg = PgLog::from_parts(
            plain(
                ev(10, 99),
                ev(10, 100),
                vec![modify_rb(&o, ev(10, 100), ev(8, 80))],
            ),
            Missing::new(true),
        )
        .unwrap();
        let olog = plain(
            ev(10, 99),
            ev(10, 101),
            vec![
                modify_rb(&o, ev(10, 100), ev(8, 80)),
                modify_rb(&o, ev(10, 101), ev(10, 100)),
            ],
        );
        let mut omissing = Missing::new(true);
        let oinfo = proc(&pg, &olog, &mut omissing);
        assert!(!omissing.have_missing());
        assert_eq!(oinfo.last_update, ev(10, 100));
        assert_eq!(oinfo.last_complete, ev(10, 100));
    }

    #[test]
    fn refuses_an_invalid_peer_log_unchanged() {
        let pg = PgLog::from_parts(
            plain(
                ev(1, 0),
                ev(1, 2),
                vec![modify(&obj(1), ev(1, 2), ev(0, 0))],
            ),
            Missing::new(true),
        )
        .unwrap();
        let olog = plain(
            ev(1, 0),
            ev(1, 5),
            vec![
                modify(&obj(1), ev(1, 4), ev(0, 0)),
                modify(&obj(2), ev(1, 3), ev(0, 0)),
            ],
        );
        let mut oinfo = peer_info(&olog);
        let before = oinfo.clone();
        let mut omissing = missing(&[(obj(3), ev(1, 1), ev(0, 0), false)], true);
        let missing_before = omissing.clone();
        assert_eq!(
            pg.proc_replica_log(&mut oinfo, &olog, &mut omissing, peer()),
            Err(LogError::EntriesOutOfOrder {
                prev: ev(1, 4),
                next: ev(1, 3)
            })
        );
        assert_eq!(oinfo, before);
        assert_eq!(omissing, missing_before);
    }

    #[test]
    fn refuses_broken_divergent_chain_unchanged() {
        let o = obj(1);
        let pg = PgLog::from_parts(
            plain(ev(1, 0), ev(1, 1), vec![modify(&o, ev(1, 1), ev(0, 0))]),
            Missing::new(true),
        )
        .unwrap();
        let olog = plain(
            ev(1, 0),
            ev(1, 3),
            vec![
                modify(&o, ev(1, 1), ev(0, 0)),
                modify(&obj(2), ev(1, 2), ev(0, 0)),
                modify(&obj(2), ev(1, 3), ev(1, 1)),
            ],
        );
        let mut oinfo = peer_info(&olog);
        let before = oinfo.clone();
        let mut omissing = Missing::new(true);
        let err = pg
            .proc_replica_log(&mut oinfo, &olog, &mut omissing, peer())
            .unwrap_err();
        assert!(matches!(err, LogError::DivergentChainBroken { .. }));
        assert_eq!(oinfo, before);
        assert!(!omissing.have_missing());
    }
}
