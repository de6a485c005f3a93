//! The divergent-entry rule and appending with missing-set upkeep.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::effects::{LogEffect, LogEffects, emit};
use super::entry::{LogEntry, LogOp};
use super::error::LogError;
use super::indexed::{IndexedLog, OBJECT_KEY_FREE_BITS, object_key, same_object};
use super::missing::{Missing, MissingItem};
use crate::types::{EVersion, ObjectId, PgInfo};

/// Which of the five cases of `_merge_object_divergent_entries` applied;
/// returned so callers and tests can see the decision, not only its effects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DivergentCase {
    /// Nothing to do: the object is past `last_backfill`, or every entry is an
    /// `ERROR`.
    Skipped,
    /// 1: the merged log has a newer entry; missing already reflects it.
    NewerInLog,
    /// 2: the divergent sequence created the object; it must not exist.
    Created,
    /// 3: the object is missing; need its prior version instead.
    AlreadyMissing,
    /// 4: every entry can be rolled back; roll them back.
    RolledBack,
    /// 5: cannot roll back; remove the object and need its prior version.
    Recover,
}

/// Ceph's `_merge_object_divergent_entries`: reconciles the store and the
/// missing set for `hoid` after `orig_entries` (its divergent entries, oldest
/// first) were cut from a log.
///
/// `log` is the log merged so far, `olog_can_rollback_to` the rollback boundary of
/// the log the entries came from. Effects go to `effects` when given (Ceph's
/// rollbacker); `proc_replica_log` passes none, as Ceph passes a null handler.
///
/// Errors, leaving `missing` and `effects` unchanged, where Ceph asserts: the
/// entries (ignoring `ERROR`s) are not in version order chained by
/// `prior_version`, a newer logged entry falls inside the divergent range, or the
/// missing set does not reflect that newer entry.
pub fn merge_object_divergent_entries(
    log: &IndexedLog,
    hoid: &ObjectId,
    orig_entries: &[LogEntry],
    info: &PgInfo,
    olog_can_rollback_to: EVersion,
    missing: &mut Missing,
    mut effects: Option<&mut LogEffects>,
) -> Result<DivergentCase, LogError> {
    let d = decide(
        hoid,
        orig_entries.iter(),
        &info.last_backfill,
        olog_can_rollback_to,
        missing,
        missing.get(hoid).copied(),
        log.object_entry(hoid),
    )?;
    apply_missing(hoid, &d, missing);
    let remove = d.remove.then(|| hoid.clone());
    apply_effects(&d, remove, orig_entries.iter().cloned(), &mut effects);
    Ok(d.case)
}

/// What [`decide`] concluded for one object; applying it cannot fail.
#[derive(Clone, Copy, Debug)]
struct Decision {
    case: DivergentCase,
    /// The object must be removed from the store (before the entries are trimmed).
    remove: bool,
    /// The object's missing item when decided (nothing else touches it before
    /// the decision is applied).
    item: Option<MissingItem>,
    /// `prior_version` of the oldest non-`ERROR` entry.
    prior: EVersion,
}

impl Decision {
    fn skipped() -> Self {
        Decision {
            case: DivergentCase::Skipped,
            remove: false,
            item: None,
            prior: EVersion::ZERO,
        }
    }
}

/// The checks and the five-way choice of `_merge_object_divergent_entries`, without
/// changing anything: every refusal is found before the first change, so a merge
/// of many objects needs no copy of the missing set to stay all or nothing.
/// `item` is `hoid`'s missing item and `newest` the merged log's newest entry
/// of `hoid`, both looked up by the caller (which may know them already).
fn decide<'a>(
    hoid: &ObjectId,
    entries: impl Iterator<Item = &'a LogEntry> + Clone,
    last_backfill: &ObjectId,
    olog_can_rollback_to: EVersion,
    missing: &Missing,
    item: Option<MissingItem>,
    newest: Option<&LogEntry>,
) -> Result<Decision, LogError> {
    if hoid > last_backfill {
        return Ok(Decision::skipped());
    }
    check_chain(hoid, entries.clone())?;
    let mut kept = entries.filter(|e| !e.is_error());
    let Some(first) = kept.clone().next() else {
        return Ok(Decision::skipped());
    };
    let Some(last) = kept.clone().last() else {
        return Ok(Decision::skipped());
    };
    let prior = first.prior_version;
    let first_div = first.version;
    let last_div = last.version;
    let object_not_in_store = item.is_none() && last.is_delete();
    let decision = |case: DivergentCase, remove: bool| Decision {
        case,
        remove,
        item,
        prior,
    };

    if let Some(newer) = newest.filter(|e| e.version >= first_div) {
        if newer.version <= last_div {
            return Err(LogError::NewerEntryNotAfterDivergent {
                object: hoid.clone(),
                newer: newer.version,
                last_divergent: last_div,
            });
        }
        let need = item.map(|i| i.need);
        let must_be_missing =
            newer.is_update() || (missing.may_include_deletes && newer.is_delete());
        let consistent = if must_be_missing {
            need == Some(newer.version)
        } else {
            need.is_none()
        };
        if !consistent {
            return Err(LogError::MissingDisagreesWithLog {
                object: hoid.clone(),
                newest: newer.version,
                need,
            });
        }
        return Ok(decision(DivergentCase::NewerInLog, !object_not_in_store));
    }

    if prior.is_zero() || first.is_clone() {
        return Ok(decision(DivergentCase::Created, !object_not_in_store));
    }

    if item.is_some() {
        return Ok(decision(DivergentCase::AlreadyMissing, false));
    }

    if kept.all(|e| e.can_rollback() && e.version > olog_can_rollback_to) {
        return Ok(decision(DivergentCase::RolledBack, false));
    }

    Ok(decision(DivergentCase::Recover, !object_not_in_store))
}

/// The missing-set side of a [`Decision`].
fn apply_missing(hoid: &ObjectId, d: &Decision, missing: &mut Missing) {
    match d.case {
        DivergentCase::Skipped | DivergentCase::RolledBack => {}
        DivergentCase::NewerInLog => missing.revise_have(hoid, EVersion::ZERO),
        DivergentCase::Created => {
            if d.item.is_some() {
                missing.rm_item(hoid);
            }
        }
        DivergentCase::AlreadyMissing => {
            if d.item.is_some_and(|i| i.have == d.prior) {
                missing.rm_item(hoid);
            } else {
                missing.revise_need(hoid, d.prior, false);
            }
        }
        DivergentCase::Recover => missing.add(hoid, d.prior, EVersion::ZERO, false),
    }
}

/// The store side of a [`Decision`], in Ceph's handler order: `remove` (the
/// object, when it must go) then a trim of each entry, or a rollback of each
/// entry newest first. `entries` are the object's entries in log order; the
/// `ERROR`s among them are skipped here.
fn apply_effects(
    d: &Decision,
    remove: Option<ObjectId>,
    entries: impl DoubleEndedIterator<Item = LogEntry>,
    effects: &mut Option<&mut LogEffects>,
) {
    let Some(sink) = effects.as_deref_mut() else {
        return;
    };
    let kept = entries.filter(|e| !e.is_error());
    match d.case {
        DivergentCase::Skipped => {}
        DivergentCase::RolledBack => {
            for e in kept.rev() {
                sink.push(LogEffect::Rollback(e));
            }
        }
        DivergentCase::NewerInLog
        | DivergentCase::Created
        | DivergentCase::AlreadyMissing
        | DivergentCase::Recover => {
            if let Some(hoid) = remove {
                sink.push(LogEffect::Remove(hoid));
            }
            for e in kept {
                sink.push(LogEffect::Trim(e));
            }
        }
    }
}

/// Ceph's chain assertion on divergent entries (`ERROR`s aside): after the first
/// kept entry, each entry with a non-zero prior follows the previous kept entry
/// and names it as its prior.
fn check_chain<'a>(
    hoid: &ObjectId,
    entries: impl Iterator<Item = &'a LogEntry>,
) -> Result<(), LogError> {
    let mut chain = ObjectChain::default();
    entries.into_iter().try_for_each(|e| chain.step(hoid, e))
}

/// The state of Ceph's per-object chain assertion (`_merge_object_divergent_entries`)
/// while walking one object's entries in log order: whether an entry was seen, the
/// newest non-`ERROR` version, and whether a non-`ERROR` entry was seen.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ObjectChain {
    started: bool,
    last: EVersion,
    seen_non_error: bool,
}

impl ObjectChain {
    /// Checks the object's next entry `e`: the first entry, the first non-`ERROR`
    /// entry and entries with a zero prior are not checked; every other one must be
    /// newer than the last non-`ERROR` entry and name it as its prior (or be an
    /// `ERROR`).
    pub(crate) fn step(&mut self, hoid: &ObjectId, e: &LogEntry) -> Result<(), LogError> {
        let first_non_error = !self.seen_non_error && !e.is_error();
        self.seen_non_error |= !e.is_error();
        if self.started && !e.prior_version.is_zero() && !first_non_error {
            let ordered = e.version > self.last;
            let chained = e.prior_version == self.last || e.is_error();
            if !ordered || !chained {
                return Err(LogError::DivergentChainBroken {
                    object: hoid.clone(),
                    version: e.version,
                    prior: e.prior_version,
                    last: self.last,
                });
            }
        }
        self.started = true;
        if !e.is_error() {
            self.last = e.version;
        }
        Ok(())
    }
}

/// Ceph's `split_by_object`: the entries of each object, in object order, each
/// list keeping log order.
pub fn split_by_object(entries: Vec<LogEntry>) -> BTreeMap<ObjectId, Vec<LogEntry>> {
    let mut out: BTreeMap<ObjectId, Vec<LogEntry>> = BTreeMap::new();
    for e in entries {
        out.entry(e.soid.clone()).or_default().push(e);
    }
    out
}

/// Divergent entries grouped by object and decided: the plan of a
/// `_merge_divergent_entries` that [`DivergentPlan::apply`] carries out.
///
/// Instead of Ceph's `split_by_object` map (a key clone and a tree insert per
/// entry), one sort of entry positions by object, then position: the same
/// groups, in the same object order, each in log order.
#[derive(Debug, Default)]
pub(crate) struct DivergentPlan {
    /// Positions in the divergent entries, grouped by object in object order.
    order: Vec<usize>,
    /// Each object's group: its end in `order` (it starts where the previous
    /// one ends) and the decision.
    groups: Vec<(usize, Decision)>,
    /// Each object's missing item before an append (see
    /// [`note_missing`](Self::note_missing)); `None` when nothing was noted
    /// (and so, after a note, when nothing was missing).
    before: Option<Vec<Option<MissingItem>>>,
    /// A note was taken.
    noted: bool,
}

impl DivergentPlan {
    /// Groups `entries` by object and decides each object against `log` and
    /// `missing`, changing nothing; the first refusal in object order is
    /// returned, as Ceph would assert on it first.
    pub(crate) fn new(
        log: &IndexedLog,
        entries: &[LogEntry],
        last_backfill: &ObjectId,
        olog_can_rollback_to: EVersion,
        missing: &Missing,
    ) -> Result<Self, LogError> {
        let mut plan = Self::group(entries);
        plan.decide(
            |hoid| log.object_entry(hoid),
            entries,
            last_backfill,
            olog_can_rollback_to,
            missing,
            None,
        )?;
        Ok(plan)
    }

    /// Groups `entries` by object (nothing decided yet: every group skipped).
    pub(crate) fn group(entries: &[LogEntry]) -> Self {
        if entries.is_empty() {
            return DivergentPlan::default();
        }
        let order = object_order(entries);
        let mut groups = Vec::new();
        let mut start = 0;
        while let Some(hoid) = order
            .get(start)
            .and_then(|&i| entries.get(i))
            .map(|e| &e.soid)
        {
            // The group's first entry is of `hoid`; the rest of it follows.
            let rest = order.get(start.saturating_add(1)..).unwrap_or_default();
            let more = rest
                .iter()
                .position(|&i| entries.get(i).is_none_or(|e| !same_object(&e.soid, hoid)))
                .unwrap_or(rest.len());
            let end = start.saturating_add(1).saturating_add(more);
            groups.push((end, Decision::skipped()));
            start = end;
        }
        DivergentPlan {
            order,
            groups,
            before: None,
            noted: false,
        }
    }

    /// Notes each object's missing item before the authoritative entries are
    /// appended: after the append, an object none of them touched still has it,
    /// and (the missing set then holding an item per new object) looking it up
    /// again would cost a search of `ObjectId`s per divergent object.
    pub(crate) fn note_missing(&mut self, entries: &[LogEntry], missing: &Missing) {
        self.noted = true;
        if !missing.have_missing() {
            self.before = None;
            return;
        }
        let before = self
            .objects(entries)
            .map(|o| o.and_then(|o| missing.get(o).copied()))
            .collect();
        self.before = Some(before);
    }

    /// Each group's object (that of its first entry), in group order.
    fn objects<'s, 'e: 's>(
        &'s self,
        entries: &'e [LogEntry],
    ) -> impl Iterator<Item = Option<&'e ObjectId>> + 's {
        let mut start = 0;
        self.groups.iter().map(move |(end, _)| {
            let o = self
                .order
                .get(start)
                .and_then(|&i| entries.get(i))
                .map(|e| &e.soid);
            start = *end;
            o
        })
    }

    /// Decides each group against `missing` and the merged log, whose newest
    /// entry of an object is `newest_of(object)`, changing
    /// nothing; the first refusal in object order is returned. With `appended_after` (the
    /// head before an append), an object whose newest entry is not newer than it
    /// was not touched by the append, and its item noted by
    /// [`note_missing`](Self::note_missing) stands.
    pub(crate) fn decide<'e>(
        &mut self,
        newest_of: impl Fn(&ObjectId) -> Option<&'e LogEntry>,
        entries: &[LogEntry],
        last_backfill: &ObjectId,
        olog_can_rollback_to: EVersion,
        missing: &Missing,
        appended_after: Option<EVersion>,
    ) -> Result<(), LogError> {
        let mut start = 0;
        for (g, (end, decision)) in self.groups.iter_mut().enumerate() {
            let group = self.order.get(start..*end).unwrap_or_default();
            start = *end;
            let Some(hoid) = group.first().and_then(|&i| entries.get(i)).map(|e| &e.soid) else {
                continue;
            };
            let newest = newest_of(hoid);
            let untouched =
                appended_after.is_some_and(|after| newest.is_none_or(|e| e.version <= after));
            let noted = if untouched && self.noted {
                match &self.before {
                    None => Some(None),
                    Some(before) => before.get(g).copied(),
                }
            } else {
                None
            };
            let item = match noted {
                Some(item) => item,
                None => missing.get(hoid).copied(),
            };
            *decision = decide(
                hoid,
                group.iter().filter_map(|&i| entries.get(i)),
                last_backfill,
                olog_can_rollback_to,
                missing,
                item,
                newest,
            )?;
        }
        Ok(())
    }

    /// The missing-set side of every decision (Ceph's `proc_replica_log` merges
    /// with no rollbacker: nothing else happens).
    pub(crate) fn apply_missing_only(&self, entries: &[LogEntry], missing: &mut Missing) {
        for (hoid, (_, d)) in self.objects(entries).zip(&self.groups) {
            if let Some(hoid) = hoid {
                apply_missing(hoid, d, missing);
            }
        }
    }

    /// Applies the decisions, object by object: updates `missing` and, given a
    /// sink, moves the entries into their effects (the entries left behind are
    /// placeholders). `entries` must be the ones the plan was made from.
    pub(crate) fn apply(
        self,
        entries: &mut [LogEntry],
        missing: &mut Missing,
        mut effects: Option<&mut LogEffects>,
    ) {
        if let Some(sink) = effects.as_deref_mut() {
            // At most a remove per object and an effect per entry.
            sink.reserve(self.order.len().saturating_add(self.groups.len()));
        }
        let mut start = 0;
        for (end, d) in self.groups {
            let group = self.order.get(start..end).unwrap_or_default();
            start = end;
            let Some(hoid) = group.first().and_then(|&i| entries.get(i)).map(|e| &e.soid) else {
                continue;
            };
            apply_missing(hoid, &d, missing);
            if effects.is_none() {
                continue;
            }
            let remove = d.remove.then(|| hoid.clone());
            let moved = group
                .iter()
                .filter_map(|&i| entries.get_mut(i).map(take_entry));
            apply_effects(&d, remove, moved, &mut effects);
        }
    }
}

/// Moves an entry out, leaving a placeholder that allocates nothing.
fn take_entry(slot: &mut LogEntry) -> LogEntry {
    core::mem::replace(
        slot,
        LogEntry::new(LogOp::Modify, ObjectId::MIN, EVersion::ZERO, EVersion::ZERO),
    )
}

/// Positions of `entries` sorted by object (Ceph's `hobject_t` order), then by
/// position. The leading fields of the object order (`max`, pool, bitwise key)
/// are compared as integers; only ties compare the names.
fn object_order(entries: &[LogEntry]) -> Vec<usize> {
    // Positions ride in the low bits of the packed key, so one integer sort
    // orders by object prefix, then position.
    const POSITIONS: u128 = (1 << OBJECT_KEY_FREE_BITS) - 1;
    if u128::try_from(entries.len()).map_or(true, |n| n > POSITIONS) {
        return object_order_by_tuples(entries);
    }
    let mut keyed: Vec<u128> = entries
        .iter()
        .zip(0u128..)
        .map(|(e, i)| object_key(&e.soid) | i)
        .collect();
    keyed.sort_unstable();
    let position = |k: u128| usize::try_from(k & POSITIONS).unwrap_or(usize::MAX);
    // Runs sharing the prefix (rare: a hash collision or several entries of
    // one object) are put in full object order, keeping positions.
    let mut start = 0;
    while let Some(first) = keyed.get(start).copied() {
        let prefix = first & !POSITIONS;
        let len = keyed
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|k| **k & !POSITIONS == prefix)
            .count()
            .max(1);
        let end = start.saturating_add(len);
        if let Some(run) = keyed.get_mut(start..end) {
            run.sort_by(|a, b| {
                let oa = entries.get(position(*a)).map(|e| &e.soid);
                let ob = entries.get(position(*b)).map(|e| &e.soid);
                oa.cmp(&ob).then(a.cmp(b))
            });
        }
        start = end;
    }
    keyed.into_iter().map(position).collect()
}

/// [`object_order`] for more entries than the packed key has room for.
fn object_order_by_tuples(entries: &[LogEntry]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|a, b| {
        let oa = entries.get(*a).map(|e| &e.soid);
        let ob = entries.get(*b).map(|e| &e.soid);
        oa.cmp(&ob).then(a.cmp(b))
    });
    order
}

/// Ceph's `_merge_divergent_entries`: applies
/// [`merge_object_divergent_entries`] to each object's divergent entries, in
/// object order.
///
/// All or nothing: if one object's entries are refused, `missing` and `effects`
/// are left as they were.
pub fn merge_divergent_entries(
    log: &IndexedLog,
    mut entries: Vec<LogEntry>,
    info: &PgInfo,
    olog_can_rollback_to: EVersion,
    missing: &mut Missing,
    effects: Option<&mut LogEffects>,
) -> Result<(), LogError> {
    let plan = DivergentPlan::new(
        log,
        &entries,
        &info.last_backfill,
        olog_can_rollback_to,
        missing,
    )?;
    plan.apply(&mut entries, missing, effects);
    Ok(())
}

/// Ceph's `append_log_entries_update_missing`: appends `entries` to `log`
/// (when given) and advances `missing` over them.
///
/// Objects past `last_backfill` and `ERROR` entries leave `missing` alone. When
/// the missing set may not hold deletes, deletes are applied during peering: the
/// object leaves `missing` and is removed from the store, except a rollbackable
/// `LOST_DELETE` under `maintain_rollback`, which is stashed instead.
///
/// Returns whether stats must be recomputed (some entry was not an `ERROR`).
/// Refuses entries not after the log head, changing nothing.
pub fn append_log_entries_update_missing(
    last_backfill: &ObjectId,
    entries: &[LogEntry],
    maintain_rollback: bool,
    mut log: Option<&mut IndexedLog>,
    missing: &mut Missing,
    mut effects: Option<&mut LogEffects>,
) -> Result<bool, LogError> {
    if let Some(l) = log.as_deref() {
        l.check_append(entries)?;
    }
    let mut invalidate_stats = false;
    for (pos, e) in entries.iter().enumerate() {
        invalidate_stats |= !e.is_error();
        update_missing_for(
            last_backfill,
            e,
            maintain_rollback,
            missing,
            &mut effects,
            pos,
            None,
        );
        if let Some(l) = log.as_deref_mut() {
            l.push_checked(e.clone());
        }
    }
    Ok(invalidate_stats)
}

/// The missing-set changes an append made, oldest first: the position of the
/// appended entry and the item its object had before (`None`: not missing). A
/// refused merge replays it backwards.
pub(crate) type MissingJournal = Vec<(usize, Option<MissingItem>)>;

/// [`append_log_entries_update_missing`] of entries we own, already checked with
/// [`IndexedLog::check_append`]: they move into `log` instead of being copied,
/// and every missing-set change is recorded in `journal` (when given).
pub(crate) fn append_owned_update_missing(
    last_backfill: &ObjectId,
    entries: impl Iterator<Item = LogEntry>,
    maintain_rollback: bool,
    log: &mut IndexedLog,
    missing: &mut Missing,
    mut effects: Option<&mut LogEffects>,
    mut journal: Option<&mut MissingJournal>,
) {
    for (pos, e) in entries.enumerate() {
        update_missing_for(
            last_backfill,
            &e,
            maintain_rollback,
            missing,
            &mut effects,
            pos,
            journal.as_deref_mut(),
        );
        log.push_checked(e);
    }
}

/// One entry's share of `append_log_entries_update_missing`: objects past
/// `last_backfill` and `ERROR` entries leave `missing` alone; deletes are
/// applied during peering unless the missing set may hold them.
fn update_missing_for(
    last_backfill: &ObjectId,
    e: &LogEntry,
    maintain_rollback: bool,
    missing: &mut Missing,
    effects: &mut Option<&mut LogEffects>,
    pos: usize,
    journal: Option<&mut MissingJournal>,
) {
    if e.soid > *last_backfill || e.is_error() {
        return;
    }
    if missing.may_include_deletes {
        let old = missing.add_next_event_journaled(e);
        if let Some(j) = journal {
            j.push((pos, old));
        }
        return;
    }
    if e.is_delete() {
        if let Some(old) = missing.rm_journaled(&e.soid, e.version) {
            if let Some(j) = journal {
                j.push((pos, Some(old)));
            }
        }
    } else {
        let old = missing.add_next_event_journaled(e);
        if let Some(j) = journal {
            j.push((pos, old));
        }
    }
    if maintain_rollback && e.is_lost_delete() && e.can_rollback() {
        emit(effects, || LogEffect::TryStash {
            soid: e.soid.clone(),
            version: e.version.version,
        });
    } else if e.is_delete() {
        emit(effects, || LogEffect::Remove(e.soid.clone()));
    }
}
