//! The divergent-entry code against a plain, Ceph-shaped reference (§5.12–5.14).
//!
//! The library groups divergent entries with one sort of packed integer keys
//! (names compared only where keys collide), remembers missing items across an
//! append, and finds each object's newest kept entry by one walk back. The
//! reference below does none of that: it is `PGLog::split_by_object` (a map
//! from object to entries), `_merge_object_divergent_entries` read line by
//! line, `_merge_divergent_entries` looping over the map, and the callers
//! (`rewind_divergent_log`, `merge_log`, `proc_replica_log`) as `PGLog.cc`
//! writes them, with the newest logged entry of an object found by a scan.
//! Arbitrary logs over objects whose hashes collide (same pool and hash,
//! different name, namespace or snapshot) must give the same missing set, the
//! same object effects in the same order, and the same refusal.
//!
//! One deliberate difference: where Ceph asserts part-way through the objects,
//! the library refuses the whole merge and changes nothing; the reference works
//! on copies and keeps them only if every object passes.

mod log_common;

mod divergent_reference {
    use super::log_common::*;
    use peering_core::log::{
        LogEffect, LogEffects, LogEntry, LogError, LogOp, Missing, PgLog, PgLogT,
        merge_divergent_entries,
    };
    use peering_core::types::{EVersion, ObjectId, PgInfo, SnapId};
    use proptest::prelude::*;
    use proptest::sample::Index;
    use std::collections::BTreeMap;

    // ---- The reference ----------------------------------------------------

    /// `split_by_object`: each object's entries, in log order, keyed in
    /// `hobject_t` order.
    fn ref_split(entries: &[LogEntry]) -> BTreeMap<ObjectId, Vec<LogEntry>> {
        let mut out: BTreeMap<ObjectId, Vec<LogEntry>> = BTreeMap::new();
        for e in entries {
            out.entry(e.soid.clone()).or_default().push(e.clone());
        }
        out
    }

    /// `log.objects.find(hoid)`: the newest non-`ERROR` entry of `hoid`.
    fn ref_newest<'a>(log: &'a [LogEntry], hoid: &ObjectId) -> Option<&'a LogEntry> {
        log.iter().rev().find(|e| e.soid == *hoid && !e.is_error())
    }

    /// `_merge_object_divergent_entries`, one step after the other.
    fn ref_merge_object(
        log: &[LogEntry],
        hoid: &ObjectId,
        orig: &[LogEntry],
        last_backfill: &ObjectId,
        olog_can_rollback_to: EVersion,
        missing: &mut Missing,
        fx: &mut Vec<LogEffect>,
    ) -> Result<(), LogError> {
        if hoid > last_backfill {
            return Ok(());
        }
        // Strip ERROR entries, checking the chain of the rest.
        let mut entries: Vec<LogEntry> = Vec::new();
        let mut last = EVersion::ZERO;
        let mut seen_non_error = false;
        for (i, e) in orig.iter().enumerate() {
            let first_non_error = !seen_non_error && !e.is_error();
            if !e.is_error() {
                seen_non_error = true;
            }
            if i != 0 && e.prior_version != EVersion::ZERO && !first_non_error {
                let in_order = e.version > last;
                let chained = e.prior_version == last || e.is_error();
                if !in_order || !chained {
                    return Err(LogError::DivergentChainBroken {
                        object: hoid.clone(),
                        version: e.version,
                        prior: e.prior_version,
                        last,
                    });
                }
            }
            if !e.is_error() {
                entries.push(e.clone());
                last = e.version;
            }
        }
        let (Some(first), Some(newest_div)) = (entries.first(), entries.last()) else {
            return Ok(());
        };
        let prior_version = first.prior_version;
        let first_divergent_update = first.version;
        let last_divergent_update = newest_div.version;
        let object_not_in_store = !missing.is_missing(hoid) && newest_div.is_delete();
        let remove_and_trim = |fx: &mut Vec<LogEffect>, remove: bool| {
            if remove {
                fx.push(LogEffect::Remove(hoid.clone()));
            }
            for e in &entries {
                fx.push(LogEffect::Trim(e.clone()));
            }
        };

        if let Some(newer) = ref_newest(log, hoid).filter(|e| e.version >= first_divergent_update) {
            // 1) a more recent update: merge_log already adjusted missing.
            if newer.version <= last_divergent_update {
                return Err(LogError::NewerEntryNotAfterDivergent {
                    object: hoid.clone(),
                    newer: newer.version,
                    last_divergent: last_divergent_update,
                });
            }
            let need = missing.get(hoid).map(|i| i.need);
            let fine = if newer.is_update() || (missing.may_include_deletes && newer.is_delete()) {
                need == Some(newer.version)
            } else {
                need.is_none()
            };
            if !fine {
                return Err(LogError::MissingDisagreesWithLog {
                    object: hoid.clone(),
                    newest: newer.version,
                    need,
                });
            }
            missing.revise_have(hoid, EVersion::ZERO);
            remove_and_trim(fx, !object_not_in_store);
            return Ok(());
        }
        if prior_version == EVersion::ZERO || first.is_clone() {
            // 2) the divergent sequence created the object.
            missing.rm_item(hoid);
            remove_and_trim(fx, !object_not_in_store);
            return Ok(());
        }
        if let Some(item) = missing.get(hoid).copied() {
            // 3) already missing: need the prior version instead.
            if item.have == prior_version {
                missing.rm_item(hoid);
            } else {
                missing.revise_need(hoid, prior_version, false);
            }
            remove_and_trim(fx, false);
            return Ok(());
        }
        let can_rollback = entries
            .iter()
            .rev()
            .all(|e| e.can_rollback() && e.version > olog_can_rollback_to);
        if can_rollback {
            // 4) roll every entry back, newest first.
            for e in entries.iter().rev() {
                fx.push(LogEffect::Rollback(e.clone()));
            }
        } else {
            // 5) remove the object and recover its prior version.
            remove_and_trim(fx, !object_not_in_store);
            missing.add(hoid, prior_version, EVersion::ZERO, false);
        }
        Ok(())
    }

    /// `_merge_divergent_entries`, all or nothing (see the file comment).
    fn ref_merge_divergent(
        log: &[LogEntry],
        divergent: &[LogEntry],
        last_backfill: &ObjectId,
        olog_can_rollback_to: EVersion,
        missing: &mut Missing,
        fx: &mut Vec<LogEffect>,
    ) -> Result<(), LogError> {
        let mut m = missing.clone();
        let mut out = Vec::new();
        for (hoid, entries) in ref_split(divergent) {
            ref_merge_object(
                log,
                &hoid,
                &entries,
                last_backfill,
                olog_can_rollback_to,
                &mut m,
                &mut out,
            )?;
        }
        *missing = m;
        fx.extend(out);
        Ok(())
    }

    /// `append_log_entries_update_missing` as `merge_log` calls it
    /// (`maintain_rollback` false).
    fn ref_append(
        entries: &[LogEntry],
        last_backfill: &ObjectId,
        missing: &mut Missing,
        fx: &mut Vec<LogEffect>,
    ) {
        for e in entries {
            if e.soid > *last_backfill || e.is_error() {
                continue;
            }
            if missing.may_include_deletes {
                missing.add_next_event(e);
                continue;
            }
            if e.is_delete() {
                missing.rm(&e.soid, e.version);
                fx.push(LogEffect::Remove(e.soid.clone()));
            } else {
                missing.add_next_event(e);
            }
        }
    }

    /// Ceph's cut: entries whose `version.version` is after the new head's.
    fn ref_cut(entries: &[LogEntry], newhead: EVersion) -> (Vec<LogEntry>, Vec<LogEntry>) {
        entries
            .iter()
            .cloned()
            .partition(|e| e.version.version <= newhead.version)
    }

    /// `rewind_divergent_log(newhead)`: the missing set and effects.
    fn ref_rewind(
        ours: &PgLogT,
        newhead: EVersion,
        last_backfill: &ObjectId,
        missing: &mut Missing,
        fx: &mut Vec<LogEffect>,
    ) -> Result<(), LogError> {
        let (kept, divergent) = ref_cut(&ours.entries, newhead);
        ref_merge_divergent(
            &kept,
            &divergent,
            last_backfill,
            ours.can_rollback_to,
            missing,
            fx,
        )
    }

    /// `merge_log` of `olog` into `ours` (same tail): the missing set and
    /// effects.
    fn ref_merge_log(
        ours: &PgLogT,
        olog: &PgLogT,
        last_backfill: &ObjectId,
        missing: &mut Missing,
        fx: &mut Vec<LogEffect>,
    ) -> Result<(), LogError> {
        if olog.head < ours.head {
            return ref_rewind(ours, olog.head, last_backfill, missing, fx);
        }
        if olog.head == ours.head {
            return Ok(());
        }
        // Extend on head: the cut point is the newest authoritative entry we
        // also have (or the tail).
        let lower_bound = olog
            .entries
            .iter()
            .rev()
            .find(|e| e.version <= ours.head)
            .map_or(olog.tail.max(ours.tail), |e| {
                e.version.max(olog.tail.max(ours.tail))
            });
        let (kept, divergent) = ref_cut(&ours.entries, lower_bound);
        // roll_forward_to(head) after the rewind lowered the trimmed boundary.
        let trimmed_to = ours.rollback_info_trimmed_to.min(lower_bound);
        for e in kept.iter().filter(|e| e.version > trimmed_to) {
            fx.push(LogEffect::Rollforward(e.clone()));
        }
        let new_entries: Vec<LogEntry> = olog
            .entries
            .iter()
            .filter(|e| e.version > ours.head)
            .cloned()
            .collect();
        let mut m = missing.clone();
        let mut out = Vec::new();
        ref_append(&new_entries, last_backfill, &mut m, &mut out);
        let merged: Vec<LogEntry> = kept.iter().chain(&new_entries).cloned().collect();
        ref_merge_divergent(
            &merged,
            &divergent,
            last_backfill,
            ours.can_rollback_to,
            &mut m,
            &mut out,
        )?;
        *missing = m;
        fx.extend(out);
        Ok(())
    }

    /// `proc_replica_log`: the peer's missing set and its `last_update` and
    /// `last_complete`.
    fn ref_proc_replica_log(
        ours: &PgLogT,
        olog: &PgLogT,
        oinfo: &mut PgInfo,
        omissing: &mut Missing,
    ) -> Result<(), LogError> {
        if olog.head < ours.tail || olog.head == ours.head {
            return Ok(());
        }
        let first_non_divergent = ours.entries.iter().rev().find(|e| e.version <= olog.head);
        let limit = olog.tail.max(ours.tail);
        let lu = match first_non_divergent {
            Some(e) if e.version >= limit => e.version,
            _ => limit,
        };
        let (kept, divergent) = ref_cut(&olog.entries, lu);
        ref_merge_divergent(
            &kept,
            &divergent,
            &oinfo.last_backfill,
            olog.can_rollback_to,
            omissing,
            &mut Vec::new(),
        )?;
        if lu < oinfo.last_update {
            oinfo.last_update = lu;
        }
        oinfo.last_complete = if omissing.have_missing() {
            let first_missing = omissing.get_oldest_need();
            olog.entries
                .iter()
                .take_while(|e| e.version < first_missing)
                .last()
                .map_or(EVersion::ZERO, |e| e.version)
        } else {
            oinfo.last_update
        };
        Ok(())
    }

    // ---- Generated histories ----------------------------------------------

    /// Objects whose order and packed keys are easy to get wrong: five share
    /// pool 1 and hash 5 (names of equal and unequal length, a namespace, a
    /// snapshot), hashes whose bit-reversed order differs from their numeric
    /// order, a negative pool, `hobject_t()`'s pool, and `MAX`.
    fn objects() -> Vec<ObjectId> {
        let a = ObjectId::new(1, 5, "a");
        vec![
            a.clone(),
            ObjectId::new(1, 5, "b"),
            ObjectId::new(1, 5, "ab"),
            ObjectId {
                namespace: "ns".into(),
                ..a.clone()
            },
            ObjectId {
                snap: SnapId(3),
                ..a.clone()
            },
            ObjectId::new(1, 0x8000_0000, "c"),
            ObjectId::new(1, 1, "d"),
            ObjectId::new(-3, 5, "a"),
            ObjectId {
                hash: 5,
                ..ObjectId::MIN
            },
            ObjectId::new(2, 5, "a"),
            ObjectId::MAX,
        ]
    }

    /// How a generated entry names its prior version.
    #[derive(Clone, Copy, Debug)]
    enum Prior {
        /// The object's previous non-`ERROR` entry (`0'0` if none).
        Chain,
        /// `0'0`: a creation.
        Zero,
        /// Some version in epoch 1, likely breaking the chain.
        Other(u64),
    }

    /// One generated entry: object (index into [`objects`]), op, rollbackable,
    /// prior.
    type Gen = (usize, LogOp, bool, Prior);

    fn gen_entry() -> impl Strategy<Value = Gen> {
        let op = prop_oneof![
            4 => Just(LogOp::Modify),
            2 => Just(LogOp::Delete),
            1 => Just(LogOp::LostDelete),
            1 => Just(LogOp::Clone),
            1 => Just(LogOp::Error),
            1 => Just(LogOp::LostRevert),
        ];
        let prior = prop_oneof![
            8 => Just(Prior::Chain),
            1 => Just(Prior::Zero),
            1 => (1u64..12).prop_map(Prior::Other),
        ];
        (0..objects().len(), op, any::<bool>(), prior)
    }

    /// Entries in `epoch` from version `next` on; `last` holds each object's
    /// previous non-`ERROR` version.
    fn build(
        gens: &[Gen],
        epoch: u32,
        next: u64,
        last: &mut BTreeMap<usize, EVersion>,
    ) -> Vec<LogEntry> {
        let objs = objects();
        gens.iter()
            .zip(next..)
            .map(|(&(o, op, rb, prior), n)| {
                let v = ev(epoch, n);
                let chained = last.get(&o).copied().unwrap_or(EVersion::ZERO);
                let pv = match prior {
                    Prior::Chain if op == LogOp::Error => EVersion::ZERO,
                    Prior::Chain => chained,
                    Prior::Zero => EVersion::ZERO,
                    Prior::Other(x) => ev(1, x),
                };
                let mut e = LogEntry::new(op, objs[o].clone(), v, pv);
                if !rb {
                    e.mark_unrollbackable();
                }
                if op != LogOp::Error {
                    last.insert(o, v);
                }
                e
            })
            .collect()
    }

    /// A shared `base` (epoch 1), the authoritative continuation `auth`
    /// (epoch 3) and the divergent one `div` (epoch 2, the same version
    /// numbers), the divergent side's missing set and rollback boundary, and
    /// the `last_backfill` both sides use.
    #[derive(Clone, Debug)]
    struct History {
        base: Vec<LogEntry>,
        auth: Vec<LogEntry>,
        div: Vec<LogEntry>,
        missing: Missing,
        crt: EVersion,
        last_backfill: ObjectId,
        /// A version of the divergent side to rewind to.
        rewind_to: EVersion,
    }

    impl History {
        fn log(&self, tail: &[LogEntry], crt: EVersion) -> PgLogT {
            let entries: Vec<LogEntry> = self.base.iter().chain(tail).cloned().collect();
            let head = entries.last().map_or(ev(1, 0), |e| e.version);
            PgLogT {
                can_rollback_to: crt,
                rollback_info_trimmed_to: crt,
                ..plain(ev(1, 0), head, entries)
            }
        }

        fn auth_log(&self) -> PgLogT {
            self.log(&self.auth, EVersion::ZERO)
        }

        fn div_log(&self) -> PgLogT {
            self.log(&self.div, self.crt)
        }

        fn info_for(&self, log: &PgLogT) -> PgInfo {
            let mut i = info();
            i.last_update = log.head;
            i.last_complete = log.head;
            i.log_tail = log.tail;
            i.last_backfill = self.last_backfill.clone();
            i
        }
    }

    fn history() -> impl Strategy<Value = History> {
        let n = objects().len();
        let item = (0..n, 1u32..4, 1u64..14, 0u64..14, any::<bool>());
        (
            prop::collection::vec(gen_entry(), 0..8),
            prop::collection::vec(gen_entry(), 0..6),
            prop::collection::vec(gen_entry(), 0..7),
            prop::collection::vec(item, 0..4),
            any::<bool>(),
            prop_oneof![3 => Just(None::<usize>), 2 => (0..n).prop_map(Some)],
            any::<Index>(),
            any::<Index>(),
        )
            .prop_map(|(base, auth, div, items, mid, lb, crt, rewind)| {
                let objs = objects();
                let mut last = BTreeMap::new();
                let base = build(&base, 1, 1, &mut last);
                let next = base.len() as u64 + 1;
                let mut last_div = last.clone();
                let auth = build(&auth, 3, next, &mut last);
                let div = build(&div, 2, next, &mut last_div);
                let mut missing = Missing::new(mid);
                for (o, e, need, have, del) in items {
                    let have = if have == 0 {
                        EVersion::ZERO
                    } else {
                        ev(1, have)
                    };
                    missing.add(&objs[o], ev(e, need), have, del);
                }
                // Boundaries among the divergent side's tail and versions.
                let points: Vec<EVersion> = std::iter::once(ev(1, 0))
                    .chain(base.iter().chain(&div).map(|e| e.version))
                    .collect();
                History {
                    crt: *crt.get(&points),
                    rewind_to: *rewind.get(&points),
                    last_backfill: lb.map_or(ObjectId::MAX, |i| objs[i].clone()),
                    base,
                    auth,
                    div,
                    missing,
                }
            })
    }

    /// Arbitrary entries (any order, any versions and priors) over the same
    /// objects: mostly refused chains, and many collision runs to sort.
    fn any_entries() -> impl Strategy<Value = Vec<LogEntry>> {
        let entry = (gen_entry(), 1u32..4, 1u64..10);
        prop::collection::vec(entry, 0..12).prop_map(|raw| {
            let objs = objects();
            raw.into_iter()
                .map(|((o, op, rb, prior), epoch, n)| {
                    let pv = match prior {
                        Prior::Chain => ev(epoch, n.saturating_sub(1)),
                        Prior::Zero => EVersion::ZERO,
                        Prior::Other(x) => ev(1, x),
                    };
                    let mut e = LogEntry::new(op, objs[o].clone(), ev(epoch, n), pv);
                    if !rb {
                        e.mark_unrollbackable();
                    }
                    e
                })
                .collect()
        })
    }

    /// `merge_divergent_entries` of `divergent` against the authoritative
    /// log of `h`, from `missing`, with and without a rollbacker, does what the
    /// reference does.
    fn same_as_reference(
        h: &History,
        divergent: &[LogEntry],
        crt: EVersion,
        missing: &Missing,
    ) -> Result<(), TestCaseError> {
        let auth = h.auth_log();
        let log = indexed(auth.tail, auth.head, auth.entries);
        let info = h.info_for(&h.div_log());
        let mut want_m = missing.clone();
        let mut want_fx = Vec::new();
        let want = ref_merge_divergent(
            log.entries(),
            divergent,
            &h.last_backfill,
            crt,
            &mut want_m,
            &mut want_fx,
        );

        let mut m = missing.clone();
        let mut fx = LogEffects::new();
        let got =
            merge_divergent_entries(&log, divergent.to_vec(), &info, crt, &mut m, Some(&mut fx));
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(&m, &want_m);
        prop_assert_eq!(fx.as_slice(), want_fx.as_slice());

        // Without a rollbacker only the missing set changes, the same way.
        let mut m = missing.clone();
        let got = merge_divergent_entries(&log, divergent.to_vec(), &info, crt, &mut m, None);
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(&m, &want_m);
        Ok(())
    }

    /// What the reference did: the missing set and effects, or its refusal.
    type Outcome = Result<(Missing, Vec<LogEffect>), LogError>;

    /// Runs a reference step on a copy of `missing`.
    fn outcome(
        missing: &Missing,
        step: impl FnOnce(&mut Missing, &mut Vec<LogEffect>) -> Result<(), LogError>,
    ) -> Outcome {
        let mut m = missing.clone();
        let mut fx = Vec::new();
        step(&mut m, &mut fx).map(|()| (m, fx))
    }

    /// `pg` (`before` the call that answered `got` and pushed `fx`) did what
    /// the reference did: the same missing set and effects, or the same
    /// refusal with nothing changed.
    fn same_outcome<T: std::fmt::Debug>(
        got: Result<T, LogError>,
        (pg, before): (&PgLog, &PgLog),
        fx: &LogEffects,
        want: Outcome,
    ) -> Result<(), TestCaseError> {
        match want {
            Ok((m, effects)) => {
                prop_assert!(got.is_ok(), "refused: {:?}", got);
                prop_assert_eq!(pg.missing(), &m);
                prop_assert_eq!(fx.as_slice(), effects.as_slice());
            }
            Err(e) => {
                prop_assert_eq!(got.err(), Some(e));
                prop_assert_eq!(pg, before);
                prop_assert!(fx.is_empty());
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// `merge_divergent_entries` against the merged log: the divergent
        /// side's missing set, advanced over the authoritative entries (as
        /// `merge_log` leaves it) or not (so case 1 is often refused).
        #[test]
        fn merge_divergent_entries_matches_reference(h in history(), advance in any::<bool>()) {
            let mut before = h.missing.clone();
            if advance {
                ref_append(&h.auth, &h.last_backfill, &mut before, &mut Vec::new());
            }
            same_as_reference(&h, &h.div, h.crt, &before)?;
        }

        /// Arbitrary divergent entries, in any order: grouping and the chain
        /// checks agree with the reference.
        #[test]
        fn arbitrary_divergent_entries_match_reference(
            h in history(), entries in any_entries(), crt in 0u64..10
        ) {
            same_as_reference(&h, &entries, ev(2, crt), &h.missing)?;
        }

        /// `rewind_divergent_log` to a point of the divergent side's log.
        #[test]
        fn rewind_divergent_log_matches_reference(h in history()) {
            let ours = h.div_log();
            let want = outcome(&h.missing, |m, fx| {
                ref_rewind(&ours, h.rewind_to, &h.last_backfill, m, fx)
            });

            let mut pg = PgLog::from_parts(ours.clone(), h.missing.clone()).unwrap();
            let before = pg.clone();
            let mut info = h.info_for(&ours);
            let mut fx = LogEffects::new();
            let got = pg.rewind_divergent_log(h.rewind_to, &mut info, &mut fx);
            if got.is_ok() {
                prop_assert_eq!(info.last_update, h.rewind_to);
                prop_assert_eq!(info.last_complete, h.rewind_to.min(ours.head));
            }
            same_outcome(got, (&pg, &before), &fx, want)?;
        }

        /// `merge_log` of the authoritative log into the divergent side: the
        /// append-then-merge path (where missing items are remembered across
        /// the append) and the rewind path.
        #[test]
        fn merge_log_matches_reference(h in history()) {
            let ours = h.div_log();
            let olog = h.auth_log();
            let want = outcome(&h.missing, |m, fx| {
                ref_merge_log(&ours, &olog, &h.last_backfill, m, fx)
            });

            let mut pg = PgLog::from_parts(ours.clone(), h.missing.clone()).unwrap();
            let before = pg.clone();
            let mut info = h.info_for(&ours);
            let mut oinfo = h.info_for(&olog);
            let mut fx = LogEffects::new();
            let got = pg.merge_log(&mut oinfo, olog.clone(), peer(), &mut info, &mut fx);
            if got.is_ok() {
                prop_assert_eq!(pg.log().entries(), olog.entries.as_slice());
            }
            same_outcome(got, (&pg, &before), &fx, want)?;
        }

        /// `proc_replica_log`: the authoritative side works out the divergent
        /// peer's missing set from the peer's log.
        #[test]
        fn proc_replica_log_matches_reference(h in history()) {
            let ours = h.auth_log();
            let olog = h.div_log();
            let mut want_info = h.info_for(&olog);
            let mut want_m = h.missing.clone();
            let want = ref_proc_replica_log(&ours, &olog, &mut want_info, &mut want_m);

            let pg = PgLog::from_parts(ours, Missing::new(h.missing.may_include_deletes)).unwrap();
            let mut oinfo = h.info_for(&olog);
            let mut omissing = h.missing.clone();
            let got = pg.proc_replica_log(&mut oinfo, &olog, &mut omissing, peer());
            prop_assert_eq!(&got, &want);
            if want.is_ok() {
                prop_assert_eq!(&omissing, &want_m);
                prop_assert_eq!(oinfo.last_update, want_info.last_update);
                prop_assert_eq!(oinfo.last_complete, want_info.last_complete);
            } else {
                prop_assert_eq!(&omissing, &h.missing);
                prop_assert_eq!(&oinfo, &h.info_for(&olog));
            }
        }
    }
}
