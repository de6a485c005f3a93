//! Ceph's `PGLog`: the indexed log together with the missing set.

use alloc::vec::Vec;

use super::divergent::append_log_entries_update_missing;
use super::effects::LogEffects;
use super::entry::LogEntry;
use super::error::LogError;
use super::indexed::IndexedLog;
use super::missing::Missing;
use super::pg_log_t::PgLogT;
use crate::types::{EVersion, ObjectId, PgId, PgInfo};

/// Ceph's `PGLog`: one PG instance's [`IndexedLog`] and
/// [`Missing`] set, kept consistent with each other, and the operations peering
/// runs on them: [`merge_log`](Self::merge_log),
/// [`rewind_divergent_log`](Self::rewind_divergent_log),
/// [`proc_replica_log`](Self::proc_replica_log), appends, trims and the recovery
/// pointers.
///
/// Object side effects go to a [`LogEffects`] sink; nothing here does IO. Every
/// fallible operation is all or nothing.
///
/// Ceph tracks exactly which keys to rewrite (`dirty_to`, `dirty_from`,
/// `writeout_from`...); the host here persists the whole log, so one `dirty` flag
/// says whether it must.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgLog {
    pub(crate) log: IndexedLog,
    pub(crate) missing: Missing,
    pub(crate) dirty: bool,
}

impl PgLog {
    /// A PG log from its parts (as read back from the store).
    pub fn new(log: IndexedLog, missing: Missing) -> Self {
        PgLog {
            log,
            missing,
            dirty: false,
        }
    }

    /// Indexes `log` (validating it) and pairs it with `missing`.
    pub fn from_parts(log: PgLogT, missing: Missing) -> Result<Self, LogError> {
        Ok(PgLog::new(IndexedLog::from_log(log)?, missing))
    }

    /// `get_log()`.
    pub fn log(&self) -> &IndexedLog {
        &self.log
    }

    /// `get_missing()`.
    pub fn missing(&self) -> &Missing {
        &self.missing
    }

    /// `is_dirty()`: the log or missing set changed since [`mark_clean`](Self::mark_clean).
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// `undirty()`: the host persisted the log and missing set.
    pub fn mark_clean(&mut self) {
        self.dirty = false;
    }

    /// `missing_add(oid, need, have, is_delete)`.
    pub fn missing_add(&mut self, oid: &ObjectId, need: EVersion, have: EVersion, is_delete: bool) {
        self.missing.add(oid, need, have, is_delete);
        self.dirty = true;
    }

    /// `missing_add_next_entry(e)`.
    pub fn missing_add_next_entry(&mut self, e: &LogEntry) {
        self.missing.add_next_event(e);
        self.dirty = true;
    }

    /// `set_missing_may_contain_deletes()`: the map now has `RECOVERY_DELETES`.
    pub fn set_missing_may_contain_deletes(&mut self) {
        self.missing.may_include_deletes = true;
        self.dirty = true;
    }

    /// `add(e)`: appends an entry the primary just wrote (the missing set is not
    /// touched: the object is being written here).
    pub fn add(&mut self, e: LogEntry) -> Result<(), LogError> {
        self.log.add(e)?;
        self.dirty = true;
        Ok(())
    }

    /// `append_new_log_entries(last_backfill, entries)`: a replica appends
    /// the primary's new entries and advances its missing set over them. Returns
    /// whether stats must be recomputed.
    pub fn append_new_log_entries(
        &mut self,
        last_backfill: &ObjectId,
        entries: &[LogEntry],
        effects: &mut LogEffects,
    ) -> Result<bool, LogError> {
        let invalidate = append_log_entries_update_missing(
            last_backfill,
            entries,
            true,
            Some(&mut self.log),
            &mut self.missing,
            Some(effects),
        )?;
        if let Some(first) = entries.first() {
            self.dirty = true;
            // Lost deletes queue recovery directly, without another
            // activate_not_complete(): point complete_to before them (Ceph's hack).
            if first.is_lost_delete() {
                self.reset_complete_to(None)?;
            }
        }
        Ok(invalidate)
    }

    /// `roll_forward_to(v)`: entries up to `v` can no longer be rolled back.
    pub fn roll_forward_to(&mut self, v: EVersion, effects: &mut LogEffects) {
        if self.log.roll_forward_to(v, effects) {
            self.dirty = true;
        }
    }

    /// `roll_forward()`: roll everything forward to the head.
    pub fn roll_forward(&mut self, effects: &mut LogEffects) {
        let head = self.log.head();
        self.roll_forward_to(head, effects);
    }

    /// `PGLog::trim(trim_to, info)`: trims entries up to `trim_to` into
    /// dups and moves `info.log_tail`. With nothing missing, refuses a trim past
    /// `info.last_complete` (Ceph asserts it).
    pub fn trim(
        &mut self,
        trim_to: EVersion,
        info: &mut PgInfo,
        dups_tracked: u64,
    ) -> Result<(), LogError> {
        if trim_to <= self.log.tail() {
            return Ok(());
        }
        self.check_trim(trim_to, info)?;
        self.log.trim(trim_to, dups_tracked)?;
        info.log_tail = self.log.tail();
        self.dirty = true;
        Ok(())
    }

    /// `PGLog::trim(trim_to, info, transaction_applied, async)` after a
    /// write's entries went in: as [`trim`](Self::trim), except that a shard
    /// taking the write while it still misses the object (`is_async`) may trim
    /// past its `last_complete` (Ceph skips that assert for async recovery and
    /// backfill targets).
    pub fn trim_after_write(
        &mut self,
        trim_to: EVersion,
        info: &mut PgInfo,
        dups_tracked: u64,
        is_async: bool,
    ) -> Result<(), LogError> {
        if trim_to <= self.log.tail() {
            return Ok(());
        }
        if !is_async {
            self.check_trim(trim_to, info)?;
        }
        self.log.trim(trim_to, dups_tracked)?;
        info.log_tail = self.log.tail();
        self.dirty = true;
        Ok(())
    }

    /// The refusals of [`trim`](Self::trim), without trimming: a trim past the
    /// head or past `can_rollback_to`, or, with nothing missing, past
    /// `info.last_complete` (each a `ceph_assert` in Ceph's `PGLog::trim`). A trim
    /// at or below the tail is no trim and passes. The machine checks a primary's
    /// `MTrim` with this when it arrives.
    pub fn check_trim(&self, trim_to: EVersion, info: &PgInfo) -> Result<(), LogError> {
        if trim_to <= self.log.tail() {
            return Ok(());
        }
        if self.missing.num_missing() == 0 && trim_to > info.last_complete {
            return Err(LogError::TrimPastLastComplete {
                trim_to,
                last_complete: info.last_complete,
            });
        }
        if trim_to > self.log.can_rollback_to() {
            return Err(LogError::TrimPastCanRollbackTo {
                trim_to,
                can_rollback_to: self.log.can_rollback_to(),
            });
        }
        if trim_to > self.log.head() {
            return Err(LogError::TrimPastHead {
                trim_to,
                head: self.log.head(),
            });
        }
        Ok(())
    }

    /// The answer to a LOG query: our entries after `since`.
    pub fn copy_after(&self, since: EVersion, dups_tracked: u64) -> PgLogT {
        PgLogT::copy_after(self.log.log(), since, dups_tracked)
    }

    /// The answer to a FULLLOG query: the whole log.
    pub fn full_log(&self) -> PgLogT {
        self.log.log().clone()
    }

    /// `reset_complete_to(info)`: points `complete_to` at the first entry not older
    /// than the oldest missing need and, given `info`, sets `last_complete` to the
    /// entry before it (`0'0` if none).
    pub fn reset_complete_to(&mut self, info: Option<&mut PgInfo>) -> Result<(), LogError> {
        let entries = self.log.entries();
        if entries.is_empty() {
            return Ok(());
        }
        let oldest_need = self.missing.get_oldest_need();
        let idx = if oldest_need.is_zero() {
            0
        } else {
            entries.partition_point(|e| e.version < oldest_need)
        };
        let Some(at) = entries.get(idx).map(|e| e.version) else {
            return Err(LogError::CompleteToPastEnd { oldest_need });
        };
        let before = idx
            .checked_sub(1)
            .and_then(|i| entries.get(i))
            .map_or(EVersion::ZERO, |e| e.version);
        self.log.set_complete_to(Some(at));
        if let Some(info) = info {
            info.last_complete = before;
        }
        Ok(())
    }

    /// `activate_not_complete(info)`: recovery is about to start.
    pub fn activate_not_complete(&mut self, info: &mut PgInfo) -> Result<(), LogError> {
        self.reset_complete_to(Some(info))?;
        self.log.set_last_requested(0);
        Ok(())
    }

    /// `recover_got(oid, v, info)`: `oid` was recovered at `v`; advance
    /// `last_complete` over the entries now known complete.
    pub fn recover_got(
        &mut self,
        oid: &ObjectId,
        v: EVersion,
        info: &mut PgInfo,
    ) -> Result<(), LogError> {
        if self.log.can_rollback_to() < v {
            return Err(LogError::RecoveredPastCanRollbackTo {
                version: v,
                can_rollback_to: self.log.can_rollback_to(),
            });
        }
        if !self.missing.is_missing_at(oid, v) {
            return Ok(());
        }
        self.missing.got(oid, v)?;
        self.dirty = true;
        info.stats.num_objects_missing =
            i64::try_from(self.missing.num_missing()).unwrap_or(i64::MAX);
        if !self.missing.have_missing() {
            self.log.set_complete_to(None);
            info.last_complete = info.last_update;
        }
        let oldest_need = self.missing.get_oldest_need();
        let Some(start) = self.log.complete_to() else {
            return Ok(());
        };
        let mut next = None;
        for e in self.log.entries_after_inclusive(start) {
            if oldest_need <= e.version {
                next = Some(e.version);
                break;
            }
            if info.last_complete < e.version {
                info.last_complete = e.version;
            }
        }
        self.log.set_complete_to(next);
        Ok(())
    }

    /// `reset_backfill()`: backfill restarts; nothing is known missing.
    pub fn reset_backfill(&mut self) {
        self.missing.clear();
        self.dirty = true;
    }

    /// `reset_backfill_claim_log(o)`: a backfill target takes the primary's log
    /// wholesale; rollback information of our old entries is trimmed first.
    pub fn reset_backfill_claim_log(
        &mut self,
        o: PgLogT,
        effects: &mut LogEffects,
    ) -> Result<(), LogError> {
        let mut claimed = IndexedLog::from_log(o)?;
        let head = self.log.head();
        self.log.trim_rollback_info_to(head, effects);
        claimed.skip_can_rollback_to_to_head();
        self.log = claimed;
        self.missing.clear();
        self.dirty = true;
        Ok(())
    }

    /// `PGLog::merge_from(sources, last_update)`: a merge target's log after
    /// absorbing `sources` (see [`PgLogT::merge_from`]); the missing set is
    /// cleared, since a merge only happens between complete PGs or leaves the
    /// target to be backfilled.
    pub fn merge_from(&mut self, sources: &[&PgLog], last_update: EVersion) {
        let logs: Vec<&PgLogT> = sources.iter().map(|s| s.log.log()).collect();
        self.log.log_mut().merge_from(&logs, last_update);
        self.log.reindex_entries();
        self.log.reindex_dups();
        self.log.reset_recovery_pointers();
        self.missing.clear();
        self.dirty = true;
    }

    /// `split_into(child, split_bits, child_log)`: moves the entries and
    /// missing items of objects now mapping to `child` into `child_log`.
    pub fn split_into(&mut self, child: PgId, split_bits: u32, child_log: &mut PgLog) {
        child_log.log = self.log.split_out_child(child, split_bits);
        self.missing
            .split_into(child, split_bits, &mut child_log.missing);
        child_log.dirty = true;
        self.dirty = true;
    }
}
