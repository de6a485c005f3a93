//! Properties of the PG log (§5.12–5.14): merging a log into itself changes
//! nothing; after `merge_log` our head is the authoritative head; the missing set
//! agrees with the merged log; `merge_log` and `proc_replica_log` agree on the
//! divergent peer's missing set; arbitrary input never panics and a refused input
//! leaves everything unchanged.

mod log_common;

mod log_properties {
    use super::log_common::*;
    use peering_core::log::{LogEffects, LogEntry, LogOp, Missing, PgLog, PgLogT};
    use peering_core::types::{EVersion, ObjectId, PgInfo};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// One generated write: which object, delete or modify, rollbackable or not.
    type Op = (u32, bool, bool);

    fn ops(max: usize) -> impl Strategy<Value = Vec<Op>> {
        prop::collection::vec((1u32..5, any::<bool>(), any::<bool>()), 0..max)
    }

    /// Builds entries in `epoch` from version `next` on, chaining priors per object.
    fn build(
        ops: &[Op],
        epoch: u32,
        mut next: u64,
        last: &mut BTreeMap<u32, EVersion>,
        rollbackable: bool,
    ) -> Vec<LogEntry> {
        let mut out = Vec::new();
        for &(o, del, rb) in ops {
            let v = ev(epoch, next);
            let pv = last.get(&o).copied().unwrap_or(EVersion::ZERO);
            let e = match (del, rb && rollbackable) {
                (true, true) => delete_rb(&obj(o), v, pv),
                (true, false) => delete(&obj(o), v, pv),
                (false, true) => modify_rb(&obj(o), v, pv),
                (false, false) => modify(&obj(o), v, pv),
            };
            last.insert(o, v);
            out.push(e);
            next += 1;
        }
        out
    }

    /// A shared base in epoch 1, the authoritative continuation in epoch 3 and a
    /// divergent one in epoch 2 reusing the same version numbers.
    fn scenario(base: &[Op], auth: &[Op], div: &[Op], rollbackable: bool) -> TestCase {
        let mut last = BTreeMap::new();
        let base_entries = build(base, 1, 1, &mut last, rollbackable);
        let next = base_entries.len() as u64 + 1;
        let mut last_div = last.clone();
        let auth_entries = build(auth, 3, next, &mut last, rollbackable);
        let div_entries = build(div, 2, next, &mut last_div, rollbackable);
        let bounds = |entries: &[LogEntry]| {
            let head = entries
                .last()
                .or(base_entries.last())
                .map_or(ev(1, 0), |e| e.version);
            (head, ev(1, 0))
        };
        TestCase {
            auth_bounds: Some(bounds(&auth_entries)),
            div_bounds: Some(bounds(&div_entries)),
            base: base_entries,
            auth: auth_entries,
            div: div_entries,
            ..TestCase::default()
        }
    }

    /// The divergent side of `t` merges the authoritative log: the merged PG
    /// log, its info, and the authoritative log.
    fn merge_scenario(t: &TestCase, mid: bool) -> (PgLog, PgInfo, PgLogT) {
        let (dlog, mut info) = t.div_side();
        let (alog, mut oinfo) = t.auth_side();
        let mut pg = PgLog::from_parts(dlog, Missing::new(mid)).unwrap();
        let mut fx = LogEffects::new();
        pg.merge_log(&mut oinfo, alog.clone(), peer(), &mut info, &mut fx)
            .unwrap();
        (pg, info, alog)
    }

    fn newest(entries: &[LogEntry]) -> BTreeMap<ObjectId, &LogEntry> {
        entries.iter().map(|e| (e.soid.clone(), e)).collect()
    }

    proptest! {
        #[test]
        fn merging_a_log_into_itself_changes_nothing(
            base in ops(8), div in ops(4), rb in any::<bool>(), mid in any::<bool>()
        ) {
            let t = scenario(&base, &[], &div, rb);
            let (log, mut info) = t.div_side();
            let mut pg = PgLog::from_parts(log.clone(), Missing::new(mid)).unwrap();
            let before = pg.clone();
            let mut oinfo = info.clone();
            let mut fx = LogEffects::new();
            let dirty = pg.merge_log(&mut oinfo, log, peer(), &mut info, &mut fx).unwrap();
            prop_assert!(!dirty);
            prop_assert_eq!(pg, before);
            prop_assert!(fx.is_empty());
        }

        #[test]
        fn merged_head_is_the_authoritative_head(
            base in ops(6), auth in ops(5), div in ops(5), rb in any::<bool>(), mid in any::<bool>()
        ) {
            let t = scenario(&base, &auth, &div, rb);
            let (pg, info, alog) = merge_scenario(&t, mid);
            prop_assert_eq!(pg.log().head(), alog.head);
            prop_assert_eq!(info.last_update, alog.head);
            prop_assert_eq!(pg.log().entries(), alog.entries.as_slice());
            pg.log().log().validate().unwrap();
        }

        #[test]
        fn missing_set_agrees_with_the_merged_log(
            base in ops(6), auth in ops(5), div in ops(5), rb in any::<bool>(), mid in any::<bool>()
        ) {
            let t = scenario(&base, &auth, &div, rb);
            let (pg, _, _) = merge_scenario(&t, mid);

            // Every missing item needs the newest logged entry of its object.
            for (o, item) in pg.missing().items() {
                let e = pg.log().object_entry(o).expect("missing objects are logged here");
                prop_assert_eq!(item.need, e.version);
            }
            // An object not behind: its newest entry is shared, or was a delete
            // applied during peering.
            let shared = t.base.last().map_or(ev(1, 0), |e| e.version);
            for (o, e) in newest(pg.log().entries()) {
                if !pg.missing().is_missing(&o) {
                    prop_assert!(e.version <= shared || (e.is_delete() && !mid),
                        "{:?} is behind at {:?} but not missing", o, e.version);
                }
            }
        }

        #[test]
        fn merge_log_and_proc_replica_log_agree(
            base in ops(6), auth in ops(5), div in ops(5)
        ) {
            // Unrollbackable entries: the two directions reach the same missing set
            // (what TestPGLog.cc's run_test_case relies on).
            let t = scenario(&base, &auth, &div, false);
            let (dlog, mut info) = t.div_side();
            let (alog, mut oinfo) = t.auth_side();
            let mut replica = PgLog::from_parts(dlog.clone(), Missing::new(true)).unwrap();
            let mut fx = LogEffects::new();
            replica.merge_log(&mut oinfo, alog.clone(), peer(), &mut info, &mut fx).unwrap();

            let primary = PgLog::from_parts(alog, Missing::new(true)).unwrap();
            let (_, mut pinfo) = t.div_side();
            let mut omissing = Missing::new(true);
            primary.proc_replica_log(&mut pinfo, &dlog, &mut omissing, peer()).unwrap();
            let shared = t.base.last().map_or(ev(1, 0), |e| e.version);
            prop_assert_eq!(pinfo.last_update, shared);
            for e in &t.auth {
                omissing.add_next_event(e);
            }
            prop_assert_eq!(items(&omissing), items(replica.missing()));
        }
    }

    /// Arbitrary, possibly invalid logs: sorted or not, priors anywhere.
    fn any_log() -> impl Strategy<Value = PgLogT> {
        let entry = (0u32..3, 0u64..4, 1u32..4, 1i32..12, 0u64..12, any::<bool>());
        (
            prop::collection::vec(entry, 0..8),
            0u64..4,
            0u64..4,
            any::<bool>(),
        )
            .prop_map(|(raw, tail_v, head_extra, sorted)| {
                let mut epoch = 1;
                let mut version = tail_v;
                let mut entries = Vec::new();
                for (de, dv, o, op, prior, rb) in raw {
                    if sorted {
                        epoch += de;
                        version += dv.max(1);
                    } else {
                        epoch = de + 1;
                        version = dv + 1;
                    }
                    let op = LogOp::from_code(op).unwrap_or(LogOp::Modify);
                    let mut e = LogEntry::new(op, obj(o), ev(epoch, version), ev(1, prior));
                    if prior == 0 {
                        e.prior_version = EVersion::ZERO;
                    }
                    if !rb {
                        e.mark_unrollbackable();
                    }
                    entries.push(e);
                }
                let head = entries.last().map_or(ev(1, tail_v), |e| e.version);
                plain(
                    ev(1, tail_v),
                    ev(head.epoch, head.version + head_extra),
                    entries,
                )
            })
    }

    fn any_missing() -> impl Strategy<Value = Missing> {
        (
            prop::collection::vec((1u32..4, 0u64..12, 0u64..12, any::<bool>()), 0..3),
            any::<bool>(),
        )
            .prop_map(|(items, mid)| {
                let mut m = Missing::new(mid);
                for (o, n, h, d) in items {
                    m.add(&obj(o), ev(1, n), ev(1, h), d);
                }
                m
            })
    }

    fn info_for(log: &PgLogT) -> PgInfo {
        let mut i = info();
        i.last_update = log.head;
        i.last_complete = log.head;
        i.log_tail = log.tail;
        i
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics_and_refusals_change_nothing(
            ours in any_log(), theirs in any_log(), m in any_missing(), om in any_missing(),
            newhead in (0u32..4, 0u64..12), trim_to in (0u32..4, 0u64..12)
        ) {
            let Ok(pg) = PgLog::from_parts(ours.clone(), m) else { return Ok(()); };

            let mut a = pg.clone();
            let mut info = info_for(&ours);
            let mut oinfo = info_for(&theirs);
            let (i0, o0) = (info.clone(), oinfo.clone());
            let mut fx = LogEffects::new();
            if a.merge_log(&mut oinfo, theirs.clone(), peer(), &mut info, &mut fx).is_err() {
                prop_assert_eq!(&a, &pg);
                prop_assert_eq!(&info, &i0);
                prop_assert_eq!(&oinfo, &o0);
                prop_assert!(fx.is_empty());
            } else {
                a.log().log().validate().unwrap();
            }

            let mut oinfo = info_for(&theirs);
            let mut omissing = om.clone();
            if pg.proc_replica_log(&mut oinfo, &theirs, &mut omissing, peer()).is_err() {
                prop_assert_eq!(&oinfo, &o0);
                prop_assert_eq!(&omissing, &om);
            }

            let mut b = pg.clone();
            let mut info = info_for(&ours);
            let mut fx = LogEffects::new();
            if b.rewind_divergent_log(ev(newhead.0, newhead.1), &mut info, &mut fx).is_err() {
                prop_assert_eq!(&b, &pg);
                prop_assert_eq!(&info, &i0);
                prop_assert!(fx.is_empty());
            }

            let mut c = pg.clone();
            let mut info = info_for(&ours);
            if c.trim(ev(trim_to.0, trim_to.1), &mut info, 3).is_err() {
                prop_assert_eq!(&c, &pg);
            }
            let _ = pg.copy_after(ev(trim_to.0, trim_to.1), 3).validate();
        }
    }
}
