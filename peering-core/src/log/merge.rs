//! `merge_log` and `rewind_divergent_log`.
//!
//! Both are all or nothing, without copying the log: every step either cannot
//! fail or is checked before it changes anything it cannot give back, and what
//! the steps change in place is recorded in an [`Undo`] that a refusal replays.
//! The divergent entries are decided (every Ceph assert checked) before any of
//! them is applied, so the costly part of a merge is never undone.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::divergent::{DivergentPlan, MissingJournal, append_owned_update_missing};
use super::effects::LogEffects;
use super::entry::{LogDup, LogEntry, ReqId};
use super::error::LogError;
use super::indexed::IndexedLog;
use super::pg_log::PgLog;
use super::pg_log_t::PgLogT;
use crate::types::{EVersion, PgInfo, PgShard};

/// What a merge or rewind changed in place so far, to be put back if a later
/// step refuses. The log's entry indexes are rebuilt on that (rare) path rather
/// than recorded.
struct Undo {
    head: EVersion,
    tail: EVersion,
    can_rollback_to: EVersion,
    rollback_info_trimmed_to: EVersion,
    complete_to: Option<EVersion>,
    effects_len: usize,
    /// Entries put in front of ours (extending on the tail).
    prepended: usize,
    /// Our entry count after the rewind.
    kept: usize,
    /// The entries the rewind cut off, in log order.
    cut: Vec<LogEntry>,
    /// Missing-set changes of the entries appended after `kept`.
    journal: MissingJournal,
    /// The missing set was empty before the append: undoing it is emptying it
    /// (and no journal is kept).
    missing_was_empty: bool,
    /// The dups and their index, saved only when merging dups might leave them
    /// out of order (ours already were).
    dups: Option<(Vec<LogDup>, BTreeMap<ReqId, LogDup>)>,
}

impl Undo {
    fn new(log: &IndexedLog, effects: &LogEffects) -> Self {
        Undo {
            head: log.head(),
            tail: log.tail(),
            can_rollback_to: log.can_rollback_to(),
            rollback_info_trimmed_to: log.rollback_info_trimmed_to(),
            complete_to: log.complete_to(),
            effects_len: effects.len(),
            prepended: 0,
            kept: log.entries().len(),
            cut: Vec::new(),
            journal: MissingJournal::new(),
            missing_was_empty: false,
            dups: None,
        }
    }

    /// Puts `pg` and `effects` back as they were when `self` was made.
    fn restore(self, pg: &mut PgLog, effects: &mut LogEffects) {
        effects.truncate(self.effects_len);
        let appended = pg.log.entries().get(self.kept..).unwrap_or_default();
        if self.missing_was_empty {
            pg.missing.clear();
        }
        for (pos, old) in self.journal.into_iter().rev() {
            if let Some(e) = appended.get(pos) {
                pg.missing.restore(&e.soid, old);
            }
        }
        let log = pg.log.log_mut();
        log.entries.truncate(self.kept);
        log.entries.extend(self.cut);
        log.entries.drain(..self.prepended.min(log.entries.len()));
        log.head = self.head;
        log.tail = self.tail;
        log.can_rollback_to = self.can_rollback_to;
        log.rollback_info_trimmed_to = self.rollback_info_trimmed_to;
        pg.log.set_complete_to(self.complete_to);
        pg.log.reindex_entries();
        if let Some(dups) = self.dups {
            pg.log.restore_dups_state(dups);
        }
    }
}

/// What the checked part of `merge_log` leaves for the part that cannot fail.
struct Merged {
    tail_extended: bool,
    /// The divergent head was rewound to this (the authoritative head).
    rewound_to: Option<EVersion>,
    /// The authoritative entries after our head were appended.
    extended: bool,
    dups_changed: bool,
    plan: DivergentPlan,
}

impl PgLog {
    /// `PGLog::merge_log(oinfo, olog, from, info)`: merges the
    /// authoritative log `olog` (from `from`, described by `oinfo`) into ours.
    ///
    /// Extends our tail backward with older authoritative entries, rewinds our
    /// divergent head, appends the authoritative entries we lack (advancing the
    /// missing set), reconciles every divergent object, and merges dups.
    /// Updates `info` (`log_tail`, `last_update`, `last_user_version`, stats) and
    /// `oinfo.stats.reported_*` (never backwards). Object side effects go to
    /// `effects`.
    ///
    /// Returns whether info (and big info) must be persisted (Ceph's
    /// `dirty_info`/`dirty_big_info`, always set together here).
    ///
    /// Refuses, changing nothing: an invalid `olog`, logs that do not overlap
    /// (`log.head >= olog.tail && olog.head >= log.tail`), a trimmed `olog` merged
    /// into an empty log, or divergent entries Ceph would assert on.
    ///
    /// Work is linear in the entries that move (plus a scan of the merged log's
    /// versions): the log is changed in place, not copied.
    pub fn merge_log(
        &mut self,
        oinfo: &mut PgInfo,
        olog: PgLogT,
        from: PgShard,
        info: &mut PgInfo,
        effects: &mut LogEffects,
    ) -> Result<bool, LogError> {
        olog.validate()?;
        if self.log.log().is_null() && !olog.tail.is_zero() {
            return Err(LogError::EmptyLogNeedsUntrimmedPeer {
                olog_tail: olog.tail,
            });
        }
        if !(self.log.head() >= olog.tail && olog.head >= self.log.tail()) {
            return Err(LogError::LogsDoNotOverlap {
                log_tail: self.log.tail(),
                log_head: self.log.head(),
                olog_tail: olog.tail,
                olog_head: olog.head,
            });
        }
        let (olog_tail, olog_head) = (olog.tail, olog.head);
        let mut undo = Undo::new(&self.log, effects);
        let merged = match self.merge_log_checked(&mut undo, olog, from, info, effects) {
            Ok(merged) => merged,
            Err(err) => {
                undo.restore(self, effects);
                return Err(err);
            }
        };

        // Nothing below can fail.
        if merged.tail_extended {
            info.log_tail = olog_tail;
        }
        // Reported stats never go backwards; a complete (not backfilling) replica
        // adopts the authoritative stats.
        if oinfo.stats.reported_seq < info.stats.reported_seq
            || oinfo.stats.reported_epoch < info.stats.reported_epoch
        {
            oinfo.stats.reported_seq = info.stats.reported_seq;
            oinfo.stats.reported_epoch = info.stats.reported_epoch;
        }
        if info.last_backfill.is_max() {
            info.stats = oinfo.stats.clone();
        }
        if let Some(newhead) = merged.rewound_to {
            info.last_complete = info.last_complete.min(newhead);
            info.last_update = newhead;
        }
        merged
            .plan
            .apply(&mut undo.cut, &mut self.missing, Some(effects));
        if merged.extended {
            info.last_update = olog_head;
            info.last_user_version = oinfo.last_user_version;
            info.stats.num_objects_missing =
                i64::try_from(self.missing.num_missing()).unwrap_or(i64::MAX);
        }
        let changed = merged.tail_extended
            || merged.rewound_to.is_some()
            || merged.extended
            || merged.dups_changed;
        if changed {
            self.dirty = true;
        }
        Ok(changed)
    }

    /// The part of `merge_log` that may refuse: changes the log and missing set
    /// in place, recording in `undo` how to put them back, and decides the
    /// divergent objects without applying them. `info` is only read
    /// (`last_backfill`).
    fn merge_log_checked(
        &mut self,
        undo: &mut Undo,
        mut olog: PgLogT,
        _from: PgShard,
        info: &PgInfo,
        effects: &mut LogEffects,
    ) -> Result<Merged, LogError> {
        // Extend on tail: only history; the missing set already matches our log.
        let orig_tail = self.log.tail();
        let tail_extended = olog.tail < orig_tail;
        if tail_extended {
            let n = olog.entries.partition_point(|e| e.version <= orig_tail);
            let older: Vec<_> = olog.entries.drain(..n).collect();
            undo.prepended = older.len();
            undo.kept = undo.kept.saturating_add(older.len());
            self.log.prepend_older(older, olog.tail);
        }

        let mut plan = DivergentPlan::default();
        let mut rewound_to = None;
        // Divergent entries at our head.
        if olog.head < self.log.head() {
            self.check_rewind(olog.head)?;
            plan = self.rewind_and_plan(undo, olog.head, &info.last_backfill)?;
            rewound_to = Some(olog.head);
        }

        // Extend on head.
        let extended = olog.head > self.log.head();
        if extended {
            let head = self.log.head();
            let mut lower_bound = olog.tail.max(orig_tail);
            let from = olog.entries.partition_point(|e| e.version <= head);
            if let Some(shared) = from.checked_sub(1).and_then(|i| olog.entries.get(i)) {
                lower_bound = lower_bound.max(shared.version);
            }
            let original_crt = self.log.can_rollback_to();
            undo.cut = self.log.rewind_from_head(lower_bound)?;
            undo.kept = self.log.entries().len();
            plan = DivergentPlan::group(&undo.cut);
            plan.note_missing(&undo.cut, &self.missing);
            self.log.roll_forward_to(self.log.head(), effects);
            let new_entries = olog.entries.get(from..).unwrap_or_default();
            self.log.check_append(new_entries)?;
            undo.missing_was_empty = !self.missing.have_missing();
            let journal = if undo.missing_was_empty {
                None
            } else {
                undo.journal.reserve(new_entries.len());
                Some(&mut undo.journal)
            };
            // Moved straight out of `olog`, not through another buffer.
            append_owned_update_missing(
                &info.last_backfill,
                olog.entries.drain(from..),
                false,
                &mut self.log,
                &mut self.missing,
                Some(effects),
                journal,
            );
            let log = &self.log;
            plan.decide(
                |hoid| log.object_entry(hoid),
                &undo.cut,
                &info.last_backfill,
                original_crt,
                &self.missing,
                Some(lower_bound),
            )?;
            self.log.log_mut().head = olog.head;
            // The new entries cannot be rolled back into.
            self.log.skip_can_rollback_to_to_head();
        }

        // Only impossible histories make the merged log inconsistent (Ceph would
        // carry on with it); never publish one. The dups merge touches neither
        // bounds nor entries, and keeps sorted dups sorted, so only dups already
        // out of order need saving and checking after it.
        self.log.log().validate_entries()?;
        let dups_sorted = self.log.log().validate_dups().is_ok();
        if !dups_sorted {
            undo.dups = Some(self.log.dups_state());
        }
        let dups_changed = self.log.merge_log_dups(&olog);
        if !dups_sorted {
            self.log.log().validate_dups()?;
        }
        Ok(Merged {
            tail_extended,
            rewound_to,
            extended,
            dups_changed,
            plan,
        })
    }

    /// Rewinds our log to `newhead` (checked by [`check_rewind`](Self::check_rewind)),
    /// recording the cut in `undo`, and decides the divergent objects against
    /// the rewound log. The rollback boundary before the rewind lowers it decides
    /// what can be rolled back.
    fn rewind_and_plan(
        &mut self,
        undo: &mut Undo,
        newhead: EVersion,
        last_backfill: &crate::types::ObjectId,
    ) -> Result<DivergentPlan, LogError> {
        let original_crt = self.log.can_rollback_to();
        undo.cut = self.log.rewind_from_head(newhead)?;
        undo.kept = self.log.entries().len();
        DivergentPlan::new(
            &self.log,
            &undo.cut,
            last_backfill,
            original_crt,
            &self.missing,
        )
    }

    /// `PGLog::rewind_divergent_log(newhead, info)`: a replica told that
    /// its head is ahead of the authoritative log cuts its entries after
    /// `newhead` and reconciles each divergent object (rolling back, removing or
    /// marking missing). Sets `info.last_update` to `newhead` and clamps
    /// `last_complete`.
    ///
    /// Returns whether info must be persisted (always, as in Ceph). Refuses,
    /// changing nothing, a `newhead` before the tail or divergent entries Ceph
    /// would assert on.
    pub fn rewind_divergent_log(
        &mut self,
        newhead: EVersion,
        info: &mut PgInfo,
        effects: &mut LogEffects,
    ) -> Result<bool, LogError> {
        self.check_rewind(newhead)?;
        let old_head = self.log.head();
        let mut undo = Undo::new(&self.log, effects);
        let plan = match self.rewind_and_plan(&mut undo, newhead, &info.last_backfill) {
            Ok(plan) => plan,
            Err(err) => {
                undo.restore(self, effects);
                return Err(err);
            }
        };
        info.last_complete = info.last_complete.min(newhead);
        // A moved head is written even when no entry was cut: a split
        // child's log head can be past its last entry (`split_out_child`
        // keeps the parent's head), and a stored head left behind would not
        // match the info after a restart.
        if !undo.cut.is_empty() || self.log.head() != old_head {
            self.dirty = true;
        }
        info.last_update = newhead;
        plan.apply(&mut undo.cut, &mut self.missing, Some(effects));
        Ok(true)
    }

    /// Checks a rewind of our own log to `newhead`: Ceph's asserts, and that no
    /// kept entry is newer than `newhead`.
    ///
    /// Deviation: an entry kept because its `version.version` is not after the
    /// new head's, while its epoch is newer, would leave our log past its head
    /// (Ceph carries on with such a log); we refuse the rewind instead.
    fn check_rewind(&self, newhead: EVersion) -> Result<(), LogError> {
        let cut = self.log.log().rewind_point(newhead)?;
        let kept = cut.checked_sub(1).and_then(|i| self.log.entries().get(i));
        match kept {
            Some(e) if e.version > newhead => Err(LogError::RewindKeepsNewerEntry {
                version: e.version,
                newhead,
            }),
            _ => Ok(()),
        }
    }
}
