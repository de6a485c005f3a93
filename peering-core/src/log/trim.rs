//! Trimming the log into dups, and merging a peer's dups.

use alloc::vec::Vec;

use super::entry::LogDup;
use super::error::LogError;
use super::indexed::IndexedLog;
use super::pg_log_t::{PgLogT, earliest_dup_version};
use crate::types::EVersion;

impl IndexedLog {
    /// `IndexedLog::trim(s)`: drops the entries up to `s` and raises the tail to
    /// `s`. Trimmed entries within `dups_tracked` versions of the newest
    /// entry become dups (with their extra requests) so that resent requests are
    /// still recognised; then the oldest dups beyond `dups_tracked` go.
    ///
    /// Returns the versions trimmed. Refuses (changing nothing) a trim past
    /// `can_rollback_to` (Ceph asserts it) or past the head.
    ///
    /// Deviation: modern Ceph drops at most `osd_pg_log_trim_max` excess dups per
    /// call, to bound the store's tombstones; in memory there is nothing to bound,
    /// so all excess dups go at once.
    pub fn trim(&mut self, s: EVersion, dups_tracked: u64) -> Result<Vec<EVersion>, LogError> {
        if s > self.can_rollback_to() {
            return Err(LogError::TrimPastCanRollbackTo {
                trim_to: s,
                can_rollback_to: self.can_rollback_to(),
            });
        }
        if s > self.head() {
            return Err(LogError::TrimPastHead {
                trim_to: s,
                head: self.head(),
            });
        }
        let newest = self.entries().last().map_or(0, |e| e.version.version);
        let earliest = earliest_dup_version(newest, dups_tracked);
        let n = self.entries().partition_point(|e| e.version <= s);
        let trimmed: Vec<_> = self.log_mut().entries.drain(..n).collect();
        let mut versions = Vec::with_capacity(trimmed.len());
        for e in &trimmed {
            versions.push(e.version);
            self.unindex_entry(e);
            if e.version.version >= earliest {
                let dups = core::iter::once(LogDup::from_entry(e)).chain(LogDup::extras_of(e));
                for d in dups {
                    self.index_dup(&d);
                    self.log_mut().dups.push(d);
                }
            }
        }
        // Trimming past `complete_to` moves it to the new oldest entry, as Ceph does.
        if self.complete_to().is_some_and(|c| c <= s) {
            let first = self.entries().first().map(|e| e.version);
            self.set_complete_to(first);
        }
        let limit = usize::try_from(dups_tracked).unwrap_or(usize::MAX);
        let excess = self.dups().len().saturating_sub(limit);
        let dropped: Vec<LogDup> = self.log_mut().dups.drain(..excess).collect();
        for d in &dropped {
            self.unindex_dup(d);
        }
        if self.tail() < s {
            self.log_mut().tail = s;
        }
        Ok(versions)
    }

    /// `merge_log_dups(olog)`: extends our dups at either end with the
    /// authoritative log's, then drops dups that overlap the log's entries
    /// (newer than the tail). Returns whether the dups changed.
    pub fn merge_log_dups(&mut self, olog: &PgLogT) -> bool {
        let mut changed = false;
        // Only our oldest and newest dup versions matter: Ceph's `front()`/`back()`.
        let ours = &self.log().dups;
        match (
            ours.first().map(|d| d.version),
            ours.last().map(|d| d.version),
        ) {
            (Some(front), Some(back)) => {
                let newer: Vec<LogDup> = olog
                    .dups
                    .iter()
                    .filter(|d| d.version > back)
                    .cloned()
                    .collect();
                let older: Vec<LogDup> = olog
                    .dups
                    .iter()
                    .take_while(|d| d.version < front)
                    .cloned()
                    .collect();
                changed = !newer.is_empty() || !older.is_empty();
                let dups = &mut self.log_mut().dups;
                dups.extend(newer);
                dups.splice(0..0, older);
            }
            _ => {
                if !olog.dups.is_empty() {
                    changed = true;
                    self.log_mut().dups = olog.dups.clone();
                }
            }
        }
        let tail = self.tail();
        let keep = self.dups().partition_point(|d| d.version <= tail);
        if keep < self.dups().len() {
            changed = true;
            self.log_mut().dups.truncate(keep);
        }
        if changed {
            // Only the dups changed: the entry indexes stand.
            self.reindex_dups();
        }
        changed
    }
}
