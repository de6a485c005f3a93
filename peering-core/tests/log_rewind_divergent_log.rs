//! `rewind_divergent_log` (§5.14): Ceph's TestPGLog.cc `rewind_divergent_log`
//! cases and the rewind paths of each divergence case, re-derived.

mod log_common;

mod rewind_divergent_log {
    use super::log_common::*;
    use peering_core::log::{LogEffect, LogEffects, LogError, LogOp, Missing, PgLog};
    use peering_core::types::{EVersion, ObjectId, PgInfo};

    /// Rewinds `pg` to `newhead` with an info matching it.
    fn rewind(pg: &mut PgLog, newhead: EVersion) -> (PgInfo, LogEffects) {
        let mut info = info_at(pg);
        let mut effects = LogEffects::new();
        assert!(
            pg.rewind_divergent_log(newhead, &mut info, &mut effects)
                .unwrap()
        );
        (info, effects)
    }

    /// A refused rewind: the log, missing set and info stay as they were.
    fn refused(pg: &mut PgLog, newhead: EVersion) -> LogError {
        let before = pg.clone();
        let mut info = info_at(pg);
        let info_before = info.clone();
        let mut effects = LogEffects::new();
        let err = pg
            .rewind_divergent_log(newhead, &mut info, &mut effects)
            .unwrap_err();
        assert_eq!(*pg, before);
        assert_eq!(info, info_before);
        assert!(effects.is_empty());
        err
    }

    /// `o` written at 10,100, 10,101 and 10,102, all rollbackable.
    fn rollbackable_chain(o: &ObjectId) -> PgLog {
        let entries = vec![
            modify_rb(o, ev(10, 100), ev(8, 80)),
            modify_rb(o, ev(10, 101), ev(10, 100)),
            modify_rb(o, ev(10, 102), ev(10, 101)),
        ];
        PgLog::from_parts(plain(ev(10, 99), ev(10, 102), entries), Missing::new(true)).unwrap()
    }

    fn info_at(pg: &PgLog) -> PgInfo {
        let mut i = info();
        i.last_update = pg.log().head();
        i.last_complete = pg.log().head();
        i.log_tail = pg.log().tail();
        i
    }

    #[test]
    fn unrollbackable_delete_makes_object_missing_at_prior() {
        // (1,0]: x5@1,1, x9 MODIFY@1,4 (newhead), x9 DELETE@1,5.
        let x9 = hobj(0x9);
        let mut pg = PgLog::from_parts(
            plain(
                ev(1, 0),
                ev(1, 5),
                vec![
                    modify(&hobj(0x5), ev(1, 1), ev(0, 0)),
                    modify(&x9, ev(1, 4), ev(0, 0)),
                    delete(&x9, ev(1, 5), ev(1, 4)),
                ],
            ),
            Missing::new(true),
        )
        .unwrap();
        let mut info = info_at(&pg);
        assert!(!pg.is_dirty());
        let mut effects = LogEffects::new();
        assert!(
            pg.rewind_divergent_log(ev(1, 4), &mut info, &mut effects)
                .unwrap()
        );

        assert!(pg.log().logged_object(&x9));
        assert_eq!(pg.log().object_entry(&x9).unwrap().version, ev(1, 4));
        assert_eq!(versions(pg.log().entries()), vec![ev(1, 1), ev(1, 4)]);
        assert_eq!(pg.log().head(), ev(1, 4));
        assert_eq!(
            items(pg.missing()),
            items(&missing(&[(x9, ev(1, 4), ev(0, 0), false)], true))
        );
        assert_eq!(info.last_update, ev(1, 4));
        assert_eq!(info.last_complete, ev(1, 4));
        // The delete left nothing in the store to remove; its rollback info goes.
        assert_eq!(
            effects.as_slice(),
            &[LogEffect::Trim(delete(&hobj(0x9), ev(1, 5), ev(1, 4)))]
        );
        assert!(pg.is_dirty());
    }

    #[test]
    fn whole_log_divergent() {
        // (1,1]: x9 DELETE@1,5 with prior 0,2; rewind to 1,3.
        let x9 = hobj(0x9);
        let mut pg = PgLog::from_parts(
            plain(ev(1, 1), ev(1, 5), vec![delete(&x9, ev(1, 5), ev(0, 2))]),
            Missing::new(true),
        )
        .unwrap();
        let (info, effects) = rewind(&mut pg, ev(1, 3));
        assert!(pg.log().entries().is_empty());
        assert!(!pg.log().logged_object(&x9));
        assert_eq!(
            items(pg.missing()),
            items(&missing(&[(x9, ev(0, 2), ev(0, 0), false)], true))
        );
        assert_eq!(removed(&effects).len(), 0);
        assert_eq!(info.last_update, ev(1, 3));
        assert!(pg.is_dirty());
    }

    #[test]
    fn rollbackable_entries_roll_back_newest_first() {
        let o = obj(1);
        let mut pg = rollbackable_chain(&o);
        let (info, effects) = rewind(&mut pg, ev(10, 100));
        assert_eq!(info.last_update, ev(10, 100));
        assert_eq!(rolled_back(&effects), vec![ev(10, 102), ev(10, 101)]);
        assert_eq!(effects.len(), 2);
        assert!(!pg.missing().have_missing());
        assert_eq!(pg.log().can_rollback_to(), EVersion::ZERO);
        assert_eq!(versions(pg.log().entries()), vec![ev(10, 100)]);
    }

    #[test]
    fn entries_at_or_before_can_rollback_to_are_recovered_instead() {
        let o = obj(1);
        let mut pg = rollbackable_chain(&o);
        // 10,101 was rolled forward: it can no longer be undone.
        let mut effects = LogEffects::new();
        pg.roll_forward_to(ev(10, 101), &mut effects);
        assert_eq!(
            effects.drain(),
            vec![
                LogEffect::Rollforward(modify_rb(&o, ev(10, 100), ev(8, 80))),
                LogEffect::Rollforward(modify_rb(&o, ev(10, 101), ev(10, 100))),
            ]
        );
        let mut info = info_at(&pg);
        pg.rewind_divergent_log(ev(10, 100), &mut info, &mut effects)
            .unwrap();
        assert!(rolled_back(&effects).is_empty());
        assert_eq!(
            removed(&effects).into_iter().collect::<Vec<_>>(),
            vec![o.clone()]
        );
        assert_eq!(trimmed(&effects), vec![ev(10, 101), ev(10, 102)]);
        assert_eq!(
            items(pg.missing()),
            items(&missing(&[(o, ev(10, 100), ev(0, 0), false)], true))
        );
        // The rewind lowered the rollback boundary to the new head.
        assert_eq!(pg.log().can_rollback_to(), ev(10, 100));
    }

    #[test]
    fn object_created_by_divergent_entries_is_removed() {
        let mut pg = PgLog::from_parts(
            plain(
                ev(3, 0),
                ev(3, 2),
                vec![
                    modify(&obj(1), ev(3, 1), ev(0, 0)),
                    modify(&obj(2), ev(3, 2), ev(0, 0)),
                ],
            ),
            missing(&[(obj(2), ev(3, 2), ev(0, 0), false)], true),
        )
        .unwrap();
        let (info, effects) = rewind(&mut pg, ev(3, 1));
        assert_eq!(info.last_update, ev(3, 1));
        assert!(!pg.missing().have_missing());
        assert_eq!(
            removed(&effects).into_iter().collect::<Vec<_>>(),
            vec![obj(2)]
        );
        assert_eq!(trimmed(&effects), vec![ev(3, 2)]);
    }

    #[test]
    fn missing_object_holding_prior_leaves_missing() {
        let o = obj(4);
        let mut pg = PgLog::from_parts(
            plain(
                ev(3, 0),
                ev(3, 2),
                vec![
                    modify(&o, ev(3, 1), ev(2, 9)),
                    modify(&o, ev(3, 2), ev(3, 1)),
                ],
            ),
            missing(&[(o.clone(), ev(3, 2), ev(3, 1), false)], true),
        )
        .unwrap();
        let mut info = info_at(&pg);
        info.last_complete = ev(3, 1);
        let mut effects = LogEffects::new();
        pg.rewind_divergent_log(ev(3, 1), &mut info, &mut effects)
            .unwrap();
        assert!(!pg.missing().have_missing());
        assert!(removed(&effects).is_empty());
        assert_eq!(trimmed(&effects), vec![ev(3, 2)]);
    }

    #[test]
    fn rolled_forward_then_rewound_then_claimed() {
        // Ceph's test for tracker 13965: rolling forward, rewinding and claiming a
        // backfill log in a row must hold together.
        let mut pg = PgLog::from_parts(
            plain(
                ev(1, 4),
                ev(1, 6),
                vec![
                    modify(&hobj(0x9), ev(1, 5), ev(0, 0)),
                    modify(&hobj(0x10), ev(1, 6), ev(0, 0)),
                ],
            ),
            Missing::new(true),
        )
        .unwrap();
        let mut info = info_at(&pg);
        let mut effects = LogEffects::new();
        pg.roll_forward_to(ev(1, 6), &mut effects);
        pg.rewind_divergent_log(ev(1, 5), &mut info, &mut effects)
            .unwrap();
        assert_eq!(
            removed(&effects).into_iter().collect::<Vec<_>>(),
            vec![hobj(0x10)]
        );
        pg.reset_backfill_claim_log(plain(ev(0, 0), ev(0, 0), vec![]), &mut effects)
            .unwrap();
        assert!(pg.log().entries().is_empty());
        assert_eq!(pg.log().head(), EVersion::ZERO);
        assert!(!pg.missing().have_missing());
    }

    #[test]
    fn refuses_newhead_before_tail_unchanged() {
        let mut pg = PgLog::from_parts(
            plain(
                ev(2, 1),
                ev(2, 2),
                vec![modify(&obj(1), ev(2, 2), ev(0, 0))],
            ),
            Missing::new(true),
        )
        .unwrap();
        assert_eq!(
            refused(&mut pg, ev(1, 1)),
            LogError::RewindPastTail {
                newhead: ev(1, 1),
                tail: ev(2, 1)
            }
        );
    }

    #[test]
    fn refuses_broken_chain_unchanged() {
        let o = obj(1);
        let mut pg = PgLog::from_parts(
            plain(
                ev(1, 0),
                ev(1, 3),
                vec![
                    modify(&o, ev(1, 1), ev(0, 0)),
                    modify(&o, ev(1, 2), ev(1, 1)),
                    modify(&o, ev(1, 3), ev(1, 1)),
                ],
            ),
            Missing::new(true),
        )
        .unwrap();
        assert_eq!(
            refused(&mut pg, ev(1, 1)),
            LogError::DivergentChainBroken {
                object: o,
                version: ev(1, 3),
                prior: ev(1, 1),
                last: ev(1, 2)
            }
        );
    }

    #[test]
    fn refuses_cut_entry_not_after_newhead() {
        // 1,5 is cut by version (5 > 4) yet is older than 2,4 as an eversion.
        let mut e = modify(&obj(1), ev(1, 5), ev(0, 0));
        e.op = LogOp::Modify;
        let mut pg =
            PgLog::from_parts(plain(ev(1, 0), ev(2, 5), vec![e]), Missing::new(true)).unwrap();
        assert_eq!(
            refused(&mut pg, ev(2, 4)),
            LogError::DivergentNotAfterHead {
                version: ev(1, 5),
                newhead: ev(2, 4)
            }
        );
    }

    #[test]
    fn refuses_keeping_an_entry_newer_than_newhead() {
        // 2,3 is kept by version (3 <= 5) yet is newer than 1,5: an impossible
        // history that Ceph would turn into a log past its head.
        let mut pg = PgLog::from_parts(
            plain(
                ev(1, 0),
                ev(2, 6),
                vec![
                    modify(&obj(1), ev(2, 3), ev(0, 0)),
                    modify(&obj(2), ev(2, 6), ev(0, 0)),
                ],
            ),
            Missing::new(true),
        )
        .unwrap();
        assert_eq!(
            refused(&mut pg, ev(1, 5)),
            LogError::RewindKeepsNewerEntry {
                version: ev(2, 3),
                newhead: ev(1, 5)
            }
        );
    }
}
