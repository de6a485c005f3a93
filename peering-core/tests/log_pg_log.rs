//! `PGLog` upkeep around peering (§5.14, §5.20, §5.25): appending the primary's
//! entries with missing-set upkeep, recovery pointers, trimming, split, and the
//! LOG/FULLLOG answers.

mod log_common;

mod pg_log {
    use super::log_common::*;
    use peering_core::log::{
        LogEffect, LogEffects, LogEntry, LogError, Missing, PgLog, PgLogT,
        append_log_entries_update_missing,
    };
    use peering_core::types::{EVersion, ObjectId, PgId, PgInfo};

    /// a@1,1 b@1,2 c@1,3 d@1,4 e@1,5 (each a modify of an existing object),
    /// rolled forward to the head as a replicated pool's log is.
    fn five(m: Missing) -> (PgLog, PgInfo) {
        let entries: Vec<LogEntry> = (1..=5)
            .map(|v| modify(&obj(v as u32), ev(1, v), ev(0, 9)))
            .collect();
        let log = PgLogT::new(ev(0, 9), ev(1, 5));
        let log = PgLogT { entries, ..log };
        let mut i = info();
        i.last_update = ev(1, 5);
        i.last_complete = ev(1, 5);
        i.log_tail = ev(0, 9);
        (PgLog::from_parts(log, m).unwrap(), i)
    }

    #[test]
    fn recovery_advances_last_complete_past_recovered_objects() {
        let m = missing(
            &[
                (obj(2), ev(1, 2), ev(0, 9), false),
                (obj(4), ev(1, 4), ev(0, 9), false),
            ],
            true,
        );
        let (mut pg, mut info) = five(m);
        pg.activate_not_complete(&mut info).unwrap();
        assert_eq!(pg.log().complete_to(), Some(ev(1, 2)));
        assert_eq!(info.last_complete, ev(1, 1));

        pg.recover_got(&obj(2), ev(1, 2), &mut info).unwrap();
        assert_eq!(info.last_complete, ev(1, 3));
        assert_eq!(pg.log().complete_to(), Some(ev(1, 4)));
        assert_eq!(info.stats.num_objects_missing, 1);

        pg.recover_got(&obj(4), ev(1, 4), &mut info).unwrap();
        assert_eq!(info.last_complete, ev(1, 5));
        assert_eq!(pg.log().complete_to(), None);
        assert!(!pg.missing().have_missing());
    }

    #[test]
    fn recover_got_refuses_versions_past_the_rollback_boundary() {
        let (mut pg, mut info) = five(missing(&[(obj(2), ev(1, 2), ev(0, 9), false)], true));
        let before = pg.clone();
        assert_eq!(
            pg.recover_got(&obj(2), ev(1, 6), &mut info),
            Err(LogError::RecoveredPastCanRollbackTo {
                version: ev(1, 6),
                can_rollback_to: ev(1, 5)
            })
        );
        assert_eq!(pg, before);
    }

    #[test]
    fn reset_complete_to_refuses_a_need_past_the_log() {
        let (mut pg, mut info) = five(missing(&[(obj(9), ev(1, 7), ev(0, 0), false)], true));
        assert_eq!(
            pg.activate_not_complete(&mut info),
            Err(LogError::CompleteToPastEnd {
                oldest_need: ev(1, 7)
            })
        );
    }

    #[test]
    fn appended_deletes_are_applied_during_peering() {
        let (mut pg, _) = five(Missing::new(false));
        let mut fx = LogEffects::new();
        let entries = vec![
            delete(&obj(1), ev(2, 6), ev(1, 1)),
            modify(&obj(7), ev(2, 7), ev(0, 0)),
        ];
        assert!(
            pg.append_new_log_entries(&ObjectId::MAX, &entries, &mut fx)
                .unwrap()
        );
        assert_eq!(fx.as_slice(), &[LogEffect::Remove(obj(1))]);
        assert_eq!(
            items(pg.missing()),
            items(&missing(&[(obj(7), ev(2, 7), ev(0, 0), false)], false))
        );
        assert_eq!(pg.log().head(), ev(2, 7));
        assert!(pg.is_dirty());
    }

    #[test]
    fn appended_rollbackable_lost_delete_is_stashed() {
        let (mut pg, _) = five(Missing::new(false));
        let mut fx = LogEffects::new();
        let mut ld = lost_delete(&obj(3), ev(2, 6), ev(1, 3));
        ld.mod_desc = Default::default();
        pg.append_new_log_entries(&ObjectId::MAX, &[ld], &mut fx)
            .unwrap();
        assert_eq!(
            fx.as_slice(),
            &[LogEffect::TryStash {
                soid: obj(3),
                version: 6
            }]
        );
        // Lost deletes restart recovery at themselves.
        assert_eq!(pg.log().complete_to(), Some(ev(1, 1)));
    }

    #[test]
    fn appended_deletes_become_missing_deletes_with_recovery_deletes() {
        let (mut pg, _) = five(Missing::new(true));
        let mut fx = LogEffects::new();
        let entries = vec![
            delete(&obj(1), ev(2, 6), ev(1, 1)),
            error(&obj(2), ev(2, 7)),
        ];
        assert!(
            pg.append_new_log_entries(&ObjectId::MAX, &entries, &mut fx)
                .unwrap()
        );
        assert!(fx.is_empty());
        assert_eq!(
            items(pg.missing()),
            items(&missing(&[(obj(1), ev(2, 6), ev(1, 1), true)], true))
        );
    }

    #[test]
    fn appended_entries_beyond_last_backfill_leave_missing_alone() {
        let (mut pg, _) = five(Missing::new(true));
        let mut fx = LogEffects::new();
        let only_errors = vec![error(&obj(2), ev(2, 6))];
        assert!(
            !pg.append_new_log_entries(&obj(1), &only_errors, &mut fx)
                .unwrap()
        );
        pg.append_new_log_entries(&obj(1), &[modify(&obj(3), ev(2, 7), ev(1, 3))], &mut fx)
            .unwrap();
        assert!(!pg.missing().have_missing());
        assert_eq!(pg.log().head(), ev(2, 7));
    }

    #[test]
    fn appended_entry_at_last_backfill_updates_missing() {
        // Only objects *past* last_backfill are left alone.
        let (mut pg, _) = five(Missing::new(true));
        let mut fx = LogEffects::new();
        pg.append_new_log_entries(&obj(3), &[modify(&obj(3), ev(2, 6), ev(1, 3))], &mut fx)
            .unwrap();
        assert_eq!(
            items(pg.missing()),
            items(&missing(&[(obj(3), ev(2, 6), ev(1, 3), false)], true))
        );
    }

    #[test]
    fn only_a_rollbackable_lost_delete_is_stashed() {
        // Ceph stashes when maintaining rollback *and* the entry is a
        // LOST_DELETE *and* it can be rolled back; every other delete removes.
        let mut rollbackable_delete = delete(&obj(1), ev(2, 6), ev(1, 1));
        rollbackable_delete.mod_desc = Default::default();
        assert!(rollbackable_delete.can_rollback());
        let unrollbackable_lost_delete = lost_delete(&obj(2), ev(2, 7), ev(1, 2));
        assert!(!unrollbackable_lost_delete.can_rollback());
        let entries = [rollbackable_delete, unrollbackable_lost_delete];

        let (mut pg, _) = five(Missing::new(false));
        let mut fx = LogEffects::new();
        pg.append_new_log_entries(&ObjectId::MAX, &entries, &mut fx)
            .unwrap();
        assert_eq!(
            fx.as_slice(),
            &[LogEffect::Remove(obj(1)), LogEffect::Remove(obj(2))]
        );

        // Without maintain_rollback a rollbackable LOST_DELETE is removed too.
        let mut ld = lost_delete(&obj(3), ev(2, 6), ev(1, 3));
        ld.mod_desc = Default::default();
        let mut m = Missing::new(false);
        let mut fx = LogEffects::new();
        append_log_entries_update_missing(
            &ObjectId::MAX,
            &[ld],
            false,
            None,
            &mut m,
            Some(&mut fx),
        )
        .unwrap();
        assert_eq!(fx.as_slice(), &[LogEffect::Remove(obj(3))]);
    }

    #[test]
    fn append_refuses_an_old_entry_unchanged() {
        let (mut pg, _) = five(Missing::new(true));
        let before = pg.clone();
        let mut fx = LogEffects::new();
        let entries = vec![
            modify(&obj(1), ev(2, 6), ev(1, 1)),
            modify(&obj(2), ev(2, 6), ev(1, 2)),
        ];
        assert_eq!(
            pg.append_new_log_entries(&ObjectId::MAX, &entries, &mut fx),
            Err(LogError::VersionBackwards {
                head: ev(2, 6),
                new: ev(2, 6)
            })
        );
        assert_eq!(pg, before);
        assert!(fx.is_empty());
    }

    #[test]
    fn trim_moves_the_tail_and_refuses_past_last_complete() {
        let (mut pg, mut info) = five(Missing::new(true));
        pg.trim(ev(1, 2), &mut info, 100).unwrap();
        assert_eq!(info.log_tail, ev(1, 2));
        assert_eq!(
            versions(pg.log().entries()),
            vec![ev(1, 3), ev(1, 4), ev(1, 5)]
        );
        info.last_complete = ev(1, 3);
        let before = pg.clone();
        assert_eq!(
            pg.trim(ev(1, 4), &mut info, 100),
            Err(LogError::TrimPastLastComplete {
                trim_to: ev(1, 4),
                last_complete: ev(1, 3)
            })
        );
        assert_eq!(pg, before);
        assert_eq!(info.log_tail, ev(1, 2));
    }

    #[test]
    fn log_queries_are_answered_from_the_log() {
        let (pg, _) = five(Missing::new(true));
        let after = pg.copy_after(ev(1, 3), 100);
        assert_eq!(versions(&after.entries), vec![ev(1, 4), ev(1, 5)]);
        assert_eq!(after.tail, ev(1, 3));
        assert_eq!(pg.full_log(), pg.log().log().clone());
    }

    #[test]
    fn split_moves_log_and_missing_to_the_child() {
        let m = missing(
            &[
                (obj(2), ev(1, 2), ev(0, 9), false),
                (obj(3), ev(1, 3), ev(0, 9), false),
            ],
            true,
        );
        let (mut pg, _) = five(m);
        let mut child = PgLog::default();
        pg.split_into(PgId::new(1, 1), 1, &mut child);
        assert_eq!(
            versions(child.log().entries()),
            vec![ev(1, 1), ev(1, 3), ev(1, 5)]
        );
        assert_eq!(versions(pg.log().entries()), vec![ev(1, 2), ev(1, 4)]);
        assert_eq!(
            child.missing().items().keys().cloned().collect::<Vec<_>>(),
            vec![obj(3)]
        );
        assert_eq!(
            pg.missing().items().keys().cloned().collect::<Vec<_>>(),
            vec![obj(2)]
        );
        assert!(child.missing().may_include_deletes);
        assert_eq!(child.log().head(), EVersion::new(1, 5));
    }

    #[test]
    fn reset_backfill_forgets_missing() {
        let (mut pg, _) = five(missing(&[(obj(2), ev(1, 2), ev(0, 9), false)], true));
        pg.mark_clean();
        pg.reset_backfill();
        assert!(!pg.missing().have_missing());
        assert!(pg.is_dirty());
    }

    #[test]
    fn recovery_of_the_oldest_need_moves_last_complete_onto_its_entry() {
        // Needs at 1,2 and 1,3, next to each other: recovering 1,2 makes its
        // entry complete (last_complete 1,2) and stops complete_to at 1,3.
        let m = missing(
            &[
                (obj(2), ev(1, 2), ev(0, 9), false),
                (obj(3), ev(1, 3), ev(0, 9), false),
            ],
            true,
        );
        let (mut pg, mut info) = five(m);
        pg.activate_not_complete(&mut info).unwrap();
        assert_eq!(pg.log().complete_to(), Some(ev(1, 2)));
        assert_eq!(info.last_complete, ev(1, 1));
        pg.recover_got(&obj(2), ev(1, 2), &mut info).unwrap();
        assert_eq!(info.last_complete, ev(1, 2));
        assert_eq!(pg.log().complete_to(), Some(ev(1, 3)));
    }

    #[test]
    fn claiming_a_backfill_log_trims_our_rollback_info_first() {
        // reset_backfill_claim_log: trim_rollback_info_to(our head) over our
        // entries not yet trimmed, then the primary's log with both rollback
        // boundaries at its head, and nothing missing.
        let entries: Vec<LogEntry> = (1..=3)
            .map(|v| modify_rb(&obj(v as u32), ev(1, v), ev(0, 9)))
            .collect();
        let mut ours = plain(ev(0, 9), ev(1, 3), entries);
        ours.can_rollback_to = ev(1, 3);
        ours.rollback_info_trimmed_to = ev(1, 1);
        let mut pg =
            PgLog::from_parts(ours, missing(&[(obj(2), ev(1, 2), ev(0, 9), false)], true)).unwrap();
        let theirs = plain(
            ev(1, 0),
            ev(2, 5),
            vec![modify(&obj(7), ev(2, 5), ev(0, 0))],
        );
        let mut fx = LogEffects::new();
        pg.reset_backfill_claim_log(theirs.clone(), &mut fx)
            .unwrap();
        assert_eq!(trimmed(&fx), vec![ev(1, 2), ev(1, 3)]);
        assert_eq!(fx.len(), 2);
        assert_eq!(pg.log().entries(), &theirs.entries[..]);
        assert_eq!(pg.log().can_rollback_to(), ev(2, 5));
        assert_eq!(pg.log().rollback_info_trimmed_to(), ev(2, 5));
        assert!(!pg.missing().have_missing());
        assert!(pg.is_dirty());
    }

    #[test]
    fn recover_got_accepts_a_version_at_the_rollback_boundary() {
        // Ceph asserts can_rollback_to >= v: recovering at the boundary is fine.
        let (mut pg, mut info) = five(missing(&[(obj(5), ev(1, 5), ev(0, 9), false)], true));
        assert_eq!(pg.log().can_rollback_to(), ev(1, 5));
        pg.recover_got(&obj(5), ev(1, 5), &mut info).unwrap();
        assert!(!pg.missing().have_missing());
        assert_eq!(info.last_complete, ev(1, 5));
    }

    #[test]
    fn changes_make_the_log_dirty_until_marked_clean() {
        let (mut pg, _) = five(Missing::new(false));
        assert!(!pg.is_dirty());
        pg.add(modify(&obj(6), ev(1, 6), ev(0, 0))).unwrap();
        assert!(pg.is_dirty());
        assert_eq!(pg.log().head(), ev(1, 6));
        assert_eq!(
            pg.log().object_entry(&obj(6)).map(|e| e.version),
            Some(ev(1, 6))
        );
        // The primary's own write: nothing becomes missing.
        assert!(!pg.missing().have_missing());
        pg.mark_clean();
        assert!(!pg.is_dirty());

        // A refused append changes nothing, the flag included.
        let before = pg.clone();
        assert_eq!(
            pg.add(modify(&obj(7), ev(1, 6), ev(0, 0))),
            Err(LogError::VersionBackwards {
                head: ev(1, 6),
                new: ev(1, 6)
            })
        );
        assert_eq!(pg, before);

        pg.missing_add_next_entry(&modify(&obj(2), ev(1, 7), ev(1, 2)));
        assert!(pg.is_dirty());
        assert_eq!(
            items(pg.missing()),
            vec![(
                obj(2),
                peering_core::log::MissingItem {
                    need: ev(1, 7),
                    have: ev(1, 2),
                    delete: false
                }
            )]
        );
        pg.mark_clean();

        assert!(!pg.missing().may_include_deletes);
        pg.set_missing_may_contain_deletes();
        assert!(pg.missing().may_include_deletes);
        assert!(pg.is_dirty());
        pg.mark_clean();

        pg.missing_add(&obj(3), ev(1, 3), ev(0, 9), false);
        assert!(pg.is_dirty() && pg.missing().is_missing(&obj(3)));
    }

    #[test]
    fn a_rewind_that_only_moves_the_head_still_makes_the_log_dirty() {
        // A split child's log: its head is the parent's (1'7), past its last
        // entry (1'5). Rewound to 1'6, nothing is cut but the head moves, and
        // the store must learn it (or a restart would load head 1'7 against
        // an info at 1'6).
        let (pg, mut info) = five(Missing::new(false));
        let log = pg.log().log().clone();
        let m = pg.missing().clone();
        let mut pg = PgLog::from_parts(
            PgLogT {
                head: ev(1, 7),
                ..log
            },
            m,
        )
        .unwrap();
        info.last_update = ev(1, 7);
        let mut effects = LogEffects::new();
        pg.rewind_divergent_log(ev(1, 6), &mut info, &mut effects)
            .unwrap();
        assert_eq!((pg.log().head(), info.last_update), (ev(1, 6), ev(1, 6)));
        assert!(pg.is_dirty());
    }

    #[test]
    fn roll_forward_covers_every_entry_up_to_the_head() {
        // Ceph's roll_forward(): roll_forward_to(head), each entry not yet rolled
        // forward handed over once, oldest first.
        let entries: Vec<LogEntry> = (1..=3)
            .map(|v| modify_rb(&obj(v as u32), ev(1, v), ev(0, 9)))
            .collect();
        let mut pg =
            PgLog::from_parts(plain(ev(0, 9), ev(1, 3), entries), Missing::new(false)).unwrap();
        let mut fx = LogEffects::new();
        pg.roll_forward(&mut fx);
        let rolled: Vec<EVersion> = fx
            .as_slice()
            .iter()
            .map(|f| match f {
                LogEffect::Rollforward(e) => e.version,
                _ => EVersion::ZERO,
            })
            .collect();
        assert_eq!(rolled, vec![ev(1, 1), ev(1, 2), ev(1, 3)]);
        assert_eq!(pg.log().can_rollback_to(), ev(1, 3));
        assert!(pg.is_dirty());
        // Again: nothing left to roll forward, nothing changes.
        pg.mark_clean();
        let mut again = LogEffects::new();
        pg.roll_forward(&mut again);
        assert!(again.is_empty());
        assert!(!pg.is_dirty());
    }

    #[test]
    fn check_trim_allows_each_bound_itself() {
        // PGLog::trim asserts trim_to <= last_complete (nothing missing) and
        // IndexedLog::trim trim_to <= can_rollback_to; each bound is allowed.
        let entries: Vec<LogEntry> = (1..=5)
            .map(|v| modify(&obj(v as u32), ev(1, v), ev(0, 9)))
            .collect();
        let mut l = plain(ev(0, 9), ev(1, 5), entries);
        l.can_rollback_to = ev(1, 4);
        l.rollback_info_trimmed_to = ev(1, 4);
        let pg = PgLog::from_parts(l.clone(), Missing::new(false)).unwrap();
        let mut info = info_at(ev(1, 5));
        info.last_complete = ev(1, 3);
        assert_eq!(pg.check_trim(ev(1, 3), &info), Ok(()));
        assert_eq!(
            pg.check_trim(ev(1, 4), &info),
            Err(LogError::TrimPastLastComplete {
                trim_to: ev(1, 4),
                last_complete: ev(1, 3)
            })
        );
        info.last_complete = ev(1, 5);
        assert_eq!(pg.check_trim(ev(1, 4), &info), Ok(()));
        assert_eq!(
            pg.check_trim(ev(1, 5), &info),
            Err(LogError::TrimPastCanRollbackTo {
                trim_to: ev(1, 5),
                can_rollback_to: ev(1, 4)
            })
        );
        // A peer's log may put the rollback boundary past its head.
        l.can_rollback_to = ev(2, 0);
        let pg = PgLog::from_parts(l, Missing::new(false)).unwrap();
        info.last_complete = ev(2, 0);
        assert_eq!(pg.check_trim(ev(1, 5), &info), Ok(()));
        assert_eq!(
            pg.check_trim(ev(1, 6), &info),
            Err(LogError::TrimPastHead {
                trim_to: ev(1, 6),
                head: ev(1, 5)
            })
        );
    }
}
