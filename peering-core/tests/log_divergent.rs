//! `_merge_object_divergent_entries` (§5.14): Ceph's TestPGLog.cc
//! `merge_old_entry` and `_merge_object_divergent_entries` cases, re-derived, one
//! test per case of the five-way rule.

mod log_common;

mod divergent {
    use super::log_common::*;
    use peering_core::log::{
        DivergentCase, IndexedLog, LogEffect, LogEffects, LogEntry, LogError, LogOp, Missing,
        merge_divergent_entries, merge_object_divergent_entries, split_by_object,
    };
    use peering_core::types::{EVersion, ObjectId, PgInfo, SnapId};

    /// Ceph's `merge_old_entry`: one divergent entry against `log`, with the log's
    /// own rollback boundary.
    fn merge_old_entry(
        log: &IndexedLog,
        oe: &LogEntry,
        info: &PgInfo,
        missing: &mut Missing,
    ) -> (Result<DivergentCase, LogError>, LogEffects) {
        let mut effects = LogEffects::new();
        let case = merge_object_divergent_entries(
            log,
            &oe.soid,
            std::slice::from_ref(oe),
            info,
            log.can_rollback_to(),
            missing,
            Some(&mut effects),
        );
        (case, effects)
    }

    /// `_merge_object_divergent_entries` of `entries` (one object) against an
    /// empty log, with a complete info.
    fn merge_entries(
        entries: &[LogEntry],
        olog_can_rollback_to: EVersion,
        missing: &mut Missing,
    ) -> (Result<DivergentCase, LogError>, LogEffects) {
        let mut effects = LogEffects::new();
        let case = merge_object_divergent_entries(
            &IndexedLog::default(),
            &entries[0].soid,
            entries,
            &info(),
            olog_can_rollback_to,
            missing,
            Some(&mut effects),
        );
        (case, effects)
    }

    fn entry(op: LogOp, o: &ObjectId, v: EVersion, pv: EVersion) -> LogEntry {
        let mut e = modify(o, v, pv);
        e.op = op;
        e
    }

    #[test]
    fn object_beyond_last_backfill_is_ignored() {
        let mut info = info();
        info.last_backfill = hobj(100);
        let oe = modify(&hobj(2), ev(1, 1), ev(0, 0));
        assert!(oe.soid > info.last_backfill);
        let log = IndexedLog::default();
        let mut m = Missing::new(true);
        let (case, fx) = merge_old_entry(&log, &oe, &info, &mut m);
        assert_eq!(case, Ok(DivergentCase::Skipped));
        assert!(!m.have_missing());
        assert!(fx.is_empty());
    }

    #[test]
    fn case_1_newer_delete_in_log() {
        let o = hobj(0);
        let log = indexed(
            ev(0, 0),
            ev(2, 1),
            vec![entry(LogOp::Delete, &o, ev(2, 1), ev(0, 0))],
        );
        let oe = modify(&o, ev(1, 1), ev(0, 0));
        let mut m = Missing::new(false);
        let (case, fx) = merge_old_entry(&log, &oe, &info(), &mut m);
        assert_eq!(case, Ok(DivergentCase::NewerInLog));
        assert!(!m.have_missing());
        assert_eq!(fx.as_slice(), &[LogEffect::Remove(o), LogEffect::Trim(oe)]);
    }

    #[test]
    fn case_1_newer_modify_in_log_must_be_missing() {
        let o = hobj(0);
        let ne = modify(&o, ev(2, 1), ev(0, 0));
        let log = indexed(ev(0, 0), ev(2, 1), vec![ne.clone()]);
        let mut m = Missing::new(false);
        m.add_next_event(&ne);
        let oe = modify(&o, ev(1, 1), ev(0, 0));
        let (case, fx) = merge_old_entry(&log, &oe, &info(), &mut m);
        assert_eq!(case, Ok(DivergentCase::NewerInLog));
        // Still needs the newer version, holding nothing usable.
        assert_eq!(
            items(&m),
            items(&missing(&[(o.clone(), ev(2, 1), ev(0, 0), false)], false))
        );
        assert_eq!(removed(&fx).into_iter().collect::<Vec<_>>(), vec![o]);
    }

    #[test]
    fn case_1_refuses_missing_set_that_ignores_newer_entry() {
        let o = hobj(0);
        let log = indexed(ev(0, 0), ev(2, 1), vec![modify(&o, ev(2, 1), ev(0, 0))]);
        let oe = modify(&o, ev(1, 1), ev(0, 0));
        let mut m = Missing::new(false);
        let (case, fx) = merge_old_entry(&log, &oe, &info(), &mut m);
        assert_eq!(
            case,
            Err(LogError::MissingDisagreesWithLog {
                object: o,
                newest: ev(2, 1),
                need: None
            })
        );
        assert!(!m.have_missing());
        assert!(fx.is_empty());
    }

    #[test]
    fn case_2_divergent_delete_of_created_object_removes_nothing() {
        // Log: DELETE@1,1; divergent DELETE@2,1 that created (prior 0'0).
        let o = hobj(0);
        let log = indexed(
            ev(0, 0),
            ev(1, 1),
            vec![entry(LogOp::Delete, &o, ev(1, 1), ev(0, 0))],
        );
        let oe = entry(LogOp::Delete, &o, ev(2, 1), ev(0, 0));
        let mut m = Missing::new(false);
        let (case, fx) = merge_old_entry(&log, &oe, &info(), &mut m);
        assert_eq!(case, Ok(DivergentCase::Created));
        assert!(!m.have_missing());
        assert_eq!(fx.as_slice(), &[LogEffect::Trim(oe)]);
    }

    #[test]
    fn case_2_divergent_creation_leaves_missing_and_store() {
        let o = hobj(0);
        let log = indexed(
            ev(0, 0),
            ev(1, 1),
            vec![entry(LogOp::Delete, &o, ev(1, 1), ev(0, 0))],
        );
        let oe = modify(&o, ev(2, 1), ev(0, 0));
        let mut m = Missing::new(false);
        m.add_next_event(&oe);
        let (case, fx) = merge_old_entry(&log, &oe, &info(), &mut m);
        assert_eq!(case, Ok(DivergentCase::Created));
        assert!(!m.have_missing());
        assert_eq!(removed(&fx).into_iter().collect::<Vec<_>>(), vec![o]);
    }

    #[test]
    fn case_2_prior_zero_drops_missing_item() {
        let o = hobj(1);
        let mut info = info();
        info.log_tail = ev(10, 1);
        let oe = modify(&o, ev(11, 1), ev(0, 0));
        let mut m = missing(&[(o.clone(), ev(1, 1), ev(0, 0), false)], true);
        let (case, fx) = merge_old_entry(&IndexedLog::default(), &oe, &info, &mut m);
        assert_eq!(case, Ok(DivergentCase::Created));
        assert!(!m.have_missing());
        assert_eq!(fx.as_slice(), &[LogEffect::Remove(o), LogEffect::Trim(oe)]);
    }

    #[test]
    fn case_2_clone_counts_as_creation() {
        let o = obj(3);
        let oe = entry(LogOp::Clone, &o, ev(5, 7), ev(5, 2));
        let mut m = Missing::new(true);
        let (case, fx) = merge_old_entry(&IndexedLog::default(), &oe, &info(), &mut m);
        assert_eq!(case, Ok(DivergentCase::Created));
        assert!(!m.have_missing());
        assert_eq!(removed(&fx).into_iter().collect::<Vec<_>>(), vec![o]);
    }

    #[test]
    fn case_3_missing_object_revises_need_to_prior() {
        let o = hobj(0);
        let mut info = info();
        info.log_tail = ev(1, 1);
        let oe = modify(&o, ev(3, 1), ev(2, 1));
        let mut m = missing(&[(o.clone(), ev(3, 1), ev(1, 5), false)], true);
        let (case, fx) = merge_old_entry(&IndexedLog::default(), &oe, &info, &mut m);
        assert_eq!(case, Ok(DivergentCase::AlreadyMissing));
        assert_eq!(
            items(&m),
            items(&missing(&[(o, ev(2, 1), ev(1, 5), false)], true))
        );
        assert!(removed(&fx).is_empty());
        assert_eq!(trimmed(&fx), vec![ev(3, 1)]);
    }

    #[test]
    fn case_3_missing_object_holding_prior_is_no_longer_missing() {
        // Ceph's regression test for issue 20843: ERROR entries inside the
        // divergent sequence neither break the prior chain nor count.
        let o = ObjectId {
            snap: peering_core::types::SnapId(7),
            ..ObjectId::new(5, 77, "notify.7")
        };
        let entries = vec![
            modify(&o, ev(8336, 957), ev(8336, 952)),
            error(&o, ev(8336, 958)),
            error(&o, ev(8336, 959)),
            modify(&o, ev(8336, 960), ev(8336, 957)),
        ];
        let mut m = missing(&[(o.clone(), ev(8971, 1070), ev(8336, 952), false)], true);
        let (case, fx) = merge_entries(&entries, EVersion::ZERO, &mut m);
        assert_eq!(case, Ok(DivergentCase::AlreadyMissing));
        assert!(!m.have_missing());
        assert_eq!(trimmed(&fx), vec![ev(8336, 957), ev(8336, 960)]);
    }

    #[test]
    fn leading_error_entries_are_skipped() {
        let o = ObjectId::new(5, 77, "notify.7");
        let entries = vec![
            error(&o, ev(8336, 956)),
            modify(&o, ev(8336, 957), ev(8336, 952)),
        ];
        let mut m = missing(&[(o.clone(), ev(8971, 1070), ev(8336, 952), false)], true);
        let (case, fx) = merge_entries(&entries, EVersion::ZERO, &mut m);
        assert_eq!(case, Ok(DivergentCase::AlreadyMissing));
        assert!(!m.have_missing());
        assert_eq!(trimmed(&fx), vec![ev(8336, 957)]);
    }

    #[test]
    fn only_error_entries_do_nothing() {
        let o = obj(9);
        let entries = vec![error(&o, ev(4, 1)), error(&o, ev(4, 2))];
        let mut m = Missing::new(true);
        let (case, fx) = merge_entries(&entries, EVersion::ZERO, &mut m);
        assert_eq!(case, Ok(DivergentCase::Skipped));
        assert!(!m.have_missing());
        assert!(fx.is_empty());
    }

    #[test]
    fn case_4_rollbackable_entries_roll_back() {
        let o = obj(1);
        let entries = vec![
            modify_rb(&o, ev(10, 101), ev(10, 100)),
            modify_rb(&o, ev(10, 102), ev(10, 101)),
        ];
        let mut m = Missing::new(true);
        let (case, fx) = merge_entries(&entries, ev(10, 100), &mut m);
        assert_eq!(case, Ok(DivergentCase::RolledBack));
        assert!(!m.have_missing());
        assert_eq!(
            fx.as_slice(),
            &[
                LogEffect::Rollback(entries[1].clone()),
                LogEffect::Rollback(entries[0].clone())
            ]
        );
    }

    #[test]
    fn case_5_entry_at_rollback_boundary_forces_recovery() {
        let o = obj(1);
        let entries = vec![
            modify_rb(&o, ev(10, 101), ev(10, 100)),
            modify_rb(&o, ev(10, 102), ev(10, 101)),
        ];
        let mut m = Missing::new(true);
        let (case, fx) = merge_entries(&entries, ev(10, 101), &mut m);
        assert_eq!(case, Ok(DivergentCase::Recover));
        assert_eq!(
            items(&m),
            items(&missing(&[(o.clone(), ev(10, 100), ev(0, 0), false)], true))
        );
        assert_eq!(
            fx.as_slice(),
            &[
                LogEffect::Remove(o),
                LogEffect::Trim(entries[0].clone()),
                LogEffect::Trim(entries[1].clone())
            ]
        );
    }

    #[test]
    fn case_5_unrollbackable_modify_removes_and_needs_prior() {
        let o = hobj(1);
        let mut info = info();
        info.log_tail = ev(2, 1);
        let oe = modify(&o, ev(3, 1), ev(1, 1));
        let mut m = Missing::new(true);
        let (case, fx) = merge_old_entry(&IndexedLog::default(), &oe, &info, &mut m);
        assert_eq!(case, Ok(DivergentCase::Recover));
        assert_eq!(
            items(&m),
            items(&missing(&[(o.clone(), ev(1, 1), ev(0, 0), false)], true))
        );
        assert_eq!(fx.as_slice(), &[LogEffect::Remove(o), LogEffect::Trim(oe)]);
    }

    #[test]
    fn case_5_unrollbackable_delete_needs_prior_without_remove() {
        let o = hobj(1);
        let mut info = info();
        info.log_tail = ev(2, 1);
        let oe = entry(LogOp::Delete, &o, ev(3, 1), ev(1, 1));
        let mut m = Missing::new(true);
        let (case, fx) = merge_old_entry(&IndexedLog::default(), &oe, &info, &mut m);
        assert_eq!(case, Ok(DivergentCase::Recover));
        assert_eq!(
            items(&m),
            items(&missing(&[(o, ev(1, 1), ev(0, 0), false)], true))
        );
        assert_eq!(fx.as_slice(), &[LogEffect::Trim(oe)]);
    }

    #[test]
    fn refuses_unchained_entries_unchanged() {
        let o = obj(1);
        // (entries, the refused entry's version and prior, the last kept).
        let cases = [
            // The second entry names another prior.
            (
                [
                    modify(&o, ev(3, 5), ev(3, 1)),
                    modify(&o, ev(3, 6), ev(3, 2)),
                ],
                (ev(3, 6), ev(3, 2), ev(3, 5)),
            ),
            // It names the first as its prior but is not newer than it: Ceph
            // asserts `version > last` as well.
            (
                [
                    modify(&o, ev(3, 5), ev(3, 1)),
                    modify(&o, ev(3, 5), ev(3, 5)),
                ],
                (ev(3, 5), ev(3, 5), ev(3, 5)),
            ),
        ];
        for (entries, (version, prior, last)) in cases {
            let mut m = missing(&[(obj(2), ev(3, 4), ev(0, 0), false)], true);
            let before = m.clone();
            let (case, fx) = merge_entries(&entries, EVersion::ZERO, &mut m);
            assert_eq!(
                case,
                Err(LogError::DivergentChainBroken {
                    object: o.clone(),
                    version,
                    prior,
                    last
                })
            );
            assert_eq!(m, before);
            assert!(fx.is_empty());
        }
    }

    #[test]
    fn merge_divergent_entries_is_all_or_nothing_across_objects() {
        // obj(1) would be recovered; obj(2)'s entries are unchained: nothing sticks.
        let entries = vec![
            modify(&obj(1), ev(3, 5), ev(3, 1)),
            modify(&obj(2), ev(3, 6), ev(3, 2)),
            modify(&obj(2), ev(3, 7), ev(3, 3)),
        ];
        let mut m = Missing::new(true);
        let mut fx = LogEffects::new();
        assert!(matches!(
            merge_divergent_entries(
                &IndexedLog::default(),
                entries,
                &info(),
                EVersion::ZERO,
                &mut m,
                Some(&mut fx)
            ),
            Err(LogError::DivergentChainBroken { .. })
        ));
        assert!(!m.have_missing());
        assert!(fx.is_empty());
    }

    #[test]
    fn merge_divergent_entries_visits_objects_in_object_order() {
        // Log order obj(3) then obj(1); the effects follow object order.
        let entries = vec![
            modify(&obj(3), ev(3, 5), ev(3, 1)),
            modify(&obj(1), ev(3, 6), ev(3, 2)),
        ];
        let mut m = Missing::new(true);
        let mut fx = LogEffects::new();
        merge_divergent_entries(
            &IndexedLog::default(),
            entries,
            &info(),
            EVersion::ZERO,
            &mut m,
            Some(&mut fx),
        )
        .unwrap();
        let order: Vec<ObjectId> = fx.removed().cloned().collect();
        assert_eq!(order, vec![obj(1), obj(3)]);
        assert_eq!(
            items(&m),
            items(&missing(
                &[
                    (obj(1), ev(3, 2), ev(0, 0), false),
                    (obj(3), ev(3, 1), ev(0, 0), false)
                ],
                true
            ))
        );
    }

    #[test]
    fn case_1_refuses_newer_entry_inside_the_divergent_range() {
        let o = obj(6);
        let log = indexed(ev(0, 0), ev(2, 2), vec![modify(&o, ev(2, 2), ev(1, 1))]);
        let entries = vec![
            modify(&o, ev(2, 1), ev(1, 1)),
            modify(&o, ev(2, 3), ev(2, 1)),
        ];
        let mut m = missing(&[(o.clone(), ev(2, 2), ev(1, 1), false)], true);
        let before = m.clone();
        let mut fx = LogEffects::new();
        let case = merge_object_divergent_entries(
            &log,
            &o,
            &entries,
            &info(),
            EVersion::ZERO,
            &mut m,
            Some(&mut fx),
        );
        assert_eq!(
            case,
            Err(LogError::NewerEntryNotAfterDivergent {
                object: o,
                newer: ev(2, 2),
                last_divergent: ev(2, 3)
            })
        );
        assert_eq!(m, before);
        assert!(fx.is_empty());
    }

    #[test]
    fn object_at_last_backfill_is_merged() {
        // Ceph skips only objects *past* last_backfill: the object at it is
        // merged like any other (here a creation, so it goes).
        let mut info = info();
        info.last_backfill = hobj(2);
        let oe = modify(&hobj(2), ev(1, 1), ev(0, 0));
        let mut m = Missing::new(true);
        let (case, fx) = merge_old_entry(&IndexedLog::default(), &oe, &info, &mut m);
        assert_eq!(case, Ok(DivergentCase::Created));
        assert_eq!(
            fx.as_slice(),
            &[LogEffect::Remove(hobj(2)), LogEffect::Trim(oe)]
        );
    }

    mod split_by_object {
        use super::*;

        #[test]
        fn groups_each_object_in_hobject_order_keeping_log_order() {
            let a = ObjectId::new(1, 5, "a");
            let b = ObjectId::new(1, 5, "b");
            let c = ObjectId::new(1, 0x8000_0000, "c");
            let d = ObjectId::new(1, 1, "d");
            let a_ns = ObjectId {
                namespace: "ns".into(),
                ..a.clone()
            };
            let a_clone = ObjectId {
                snap: SnapId(3),
                ..a.clone()
            };
            let entries = vec![
                modify(&d, ev(1, 1), ev(0, 0)),
                modify(&b, ev(1, 2), ev(0, 0)),
                modify(&a, ev(1, 3), ev(0, 0)),
                modify(&c, ev(1, 4), ev(0, 0)),
                modify(&b, ev(1, 5), ev(1, 2)),
                modify(&a_ns, ev(1, 6), ev(0, 0)),
                modify(&a_clone, ev(1, 7), ev(0, 0)),
            ];
            let split: Vec<(ObjectId, Vec<EVersion>)> = split_by_object(entries)
                .into_iter()
                .map(|(o, es)| (o, versions(&es)))
                .collect();
            // hobject_t order: the bit-reversed hash first (0x80000000 reversed
            // is 1, 1 reversed is 0x80000000, 5 reversed is 0xa0000000), then
            // namespace, name and snapshot; a..b..a share pool and hash.
            assert_eq!(
                split,
                vec![
                    (c, vec![ev(1, 4)]),
                    (d, vec![ev(1, 1)]),
                    (a_clone, vec![ev(1, 7)]),
                    (a, vec![ev(1, 3)]),
                    (b, vec![ev(1, 2), ev(1, 5)]),
                    (a_ns, vec![ev(1, 6)]),
                ]
            );
        }

        #[test]
        fn nothing_splits_into_nothing() {
            assert!(split_by_object(Vec::new()).is_empty());
        }
    }
}
