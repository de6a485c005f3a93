//! `merge_log` and `rewind_divergent_log` (§5.13, §5.14).

use alloc::vec::Vec;

use super::divergent::{append_log_entries_update_missing, merge_divergent_entries};
use super::effects::LogEffects;
use super::entry::LogEntry;
use super::error::LogError;
use super::pg_log::PgLog;
use super::pg_log_t::PgLogT;
use crate::types::{EVersion, PgInfo, PgShard};

impl PgLog {
    /// `PGLog::merge_log(oinfo, olog, from, info)` (§5.13): merges the
    /// authoritative log `olog` (from `from`, described by `oinfo`) into ours.
    ///
    /// Extends our tail backward with older authoritative entries, rewinds our
    /// divergent head, appends the authoritative entries we lack (advancing the
    /// missing set), reconciles every divergent object (§5.14), and merges dups.
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
        // Work on copies; publish only if every step succeeds.
        let mut scratch = self.clone();
        let mut sinfo = info.clone();
        let mut soinfo = oinfo.clone();
        let mut seffects = LogEffects::new();
        let changed =
            scratch.merge_log_inner(&mut soinfo, olog, from, &mut sinfo, &mut seffects)?;
        // Only impossible histories make the merged log inconsistent (Ceph would
        // carry on with it); never publish one.
        scratch.log.log().validate()?;
        *self = scratch;
        *info = sinfo;
        *oinfo = soinfo;
        effects.append(&mut seffects);
        Ok(changed)
    }

    fn merge_log_inner(
        &mut self,
        oinfo: &mut PgInfo,
        mut olog: PgLogT,
        _from: PgShard,
        info: &mut PgInfo,
        effects: &mut LogEffects,
    ) -> Result<bool, LogError> {
        let mut changed = false;

        // Extend on tail: only history; the missing set already matches our log.
        let orig_tail = self.log.tail();
        if olog.tail < orig_tail {
            let n = olog.entries.partition_point(|e| e.version <= orig_tail);
            let older: Vec<_> = olog.entries.drain(..n).collect();
            let log = self.log.log_mut();
            log.entries.splice(0..0, older);
            log.tail = olog.tail;
            self.log.index();
            info.log_tail = olog.tail;
            changed = true;
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

        // Divergent entries at our head.
        if olog.head < self.log.head() {
            self.rewind_divergent_log_inner(olog.head, info, effects)?;
            changed = true;
        }

        // Extend on head.
        if olog.head > self.log.head() {
            let head = self.log.head();
            let mut lower_bound = olog.tail.max(orig_tail);
            let from = olog.entries.partition_point(|e| e.version <= head);
            if let Some(shared) = from.checked_sub(1).and_then(|i| olog.entries.get(i)) {
                lower_bound = lower_bound.max(shared.version);
            }
            let original_crt = self.log.can_rollback_to();
            let divergent = self.log.rewind_from_head(lower_bound)?;
            self.log.roll_forward_to(self.log.head(), effects);
            let new_entries = olog.entries.get(from..).unwrap_or_default();
            append_log_entries_update_missing(
                &info.last_backfill,
                new_entries,
                false,
                Some(&mut self.log),
                &mut self.missing,
                Some(effects),
            )?;
            self.merge_divergent(divergent, info, original_crt, effects)?;
            self.log.log_mut().head = olog.head;
            info.last_update = olog.head;
            // The new entries cannot be rolled back into.
            self.log.skip_can_rollback_to_to_head();
            info.last_user_version = oinfo.last_user_version;
            info.stats.num_objects_missing =
                i64::try_from(self.missing.num_missing()).unwrap_or(i64::MAX);
            changed = true;
        }

        if self.log.merge_log_dups(&olog) {
            changed = true;
        }
        if changed {
            self.dirty = true;
        }
        Ok(changed)
    }

    /// `PGLog::rewind_divergent_log(newhead, info)` (§5.14): a replica told that
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
        let mut scratch = self.clone();
        let mut sinfo = info.clone();
        let mut seffects = LogEffects::new();
        scratch.rewind_divergent_log_inner(newhead, &mut sinfo, &mut seffects)?;
        *self = scratch;
        *info = sinfo;
        effects.append(&mut seffects);
        Ok(true)
    }

    fn rewind_divergent_log_inner(
        &mut self,
        newhead: EVersion,
        info: &mut PgInfo,
        effects: &mut LogEffects,
    ) -> Result<(), LogError> {
        // The rollback boundary before the rewind lowers it decides what can be
        // rolled back.
        self.check_rewind(newhead)?;
        let original_crt = self.log.can_rollback_to();
        if info.last_complete > newhead {
            info.last_complete = newhead;
        }
        let divergent = self.log.rewind_from_head(newhead)?;
        if !divergent.is_empty() {
            self.dirty = true;
        }
        info.last_update = newhead;
        self.merge_divergent(divergent, info, original_crt, effects)
    }

    /// `_merge_divergent_entries` against our own log and missing set.
    fn merge_divergent(
        &mut self,
        divergent: Vec<LogEntry>,
        info: &PgInfo,
        original_crt: EVersion,
        effects: &mut LogEffects,
    ) -> Result<(), LogError> {
        merge_divergent_entries(
            &self.log,
            divergent,
            info,
            original_crt,
            &mut self.missing,
            Some(effects),
        )
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
