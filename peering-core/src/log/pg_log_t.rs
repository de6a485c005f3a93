//! Ceph's `pg_log_t`: the plain log a peer sends and stores.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use super::divergent::ObjectChain;
use super::entry::{LogDup, LogEntry};
use super::error::LogError;
use crate::types::{EVersion, ObjectId, PgId, Version};

/// Ceph's `pg_log_t`: entries `(tail, head]` oldest → newest, the rollback
/// boundaries and the dups of trimmed entries.
///
/// This is the log as it travels in `MOSDPGLog` and answers LOG/FULLLOG queries
/// ([`copy_after`](Self::copy_after), [`copy_up_to`](Self::copy_up_to)). A log that
/// came from a peer is untrusted: [`validate`](Self::validate) checks what Ceph
/// assumes of it, and every operation taking one validates it first.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgLogT {
    /// The newest entry's version (or newer, after a split).
    pub head: EVersion,
    /// The version before the oldest entry: the log says everything after it.
    pub tail: EVersion,
    /// Entries newer than this can still be rolled back.
    pub can_rollback_to: EVersion,
    /// Rollback information of entries up to this has been trimmed
    /// (`<= can_rollback_to`).
    pub rollback_info_trimmed_to: EVersion,
    /// The entries, oldest first.
    pub entries: Vec<LogEntry>,
    /// Dups of trimmed entries, oldest first.
    pub dups: Vec<LogDup>,
}

impl PgLogT {
    /// An empty log `(tail, head]` with both rollback boundaries at `head`.
    pub fn new(tail: EVersion, head: EVersion) -> Self {
        PgLogT {
            head,
            tail,
            can_rollback_to: head,
            rollback_info_trimmed_to: head,
            entries: Vec::new(),
            dups: Vec::new(),
        }
    }

    /// `null()`: the log has never had a head (`head == 0'0`).
    pub fn is_null(&self) -> bool {
        self.head.is_zero()
    }

    /// `empty()`: no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Checks what Ceph assumes of every log: `tail <= head`, entries inside
    /// `(tail, head]` in strictly increasing order (`version.version` strictly
    /// increasing, epochs non-decreasing), dups oldest first.
    ///
    /// The rollback boundaries are not checked: Ceph does not assert them on
    /// received logs, and a replicated pool's peers do not maintain them.
    pub fn validate(&self) -> Result<(), LogError> {
        self.validate_entries()?;
        self.validate_dups()
    }

    /// The bounds and entries part of [`validate`](Self::validate).
    pub(crate) fn validate_entries(&self) -> Result<(), LogError> {
        if self.tail > self.head {
            return Err(LogError::TailPastHead {
                tail: self.tail,
                head: self.head,
            });
        }
        let mut prev: Option<EVersion> = None;
        for e in &self.entries {
            if let Some(p) = prev {
                if e.version <= p || e.version.version <= p.version {
                    return Err(LogError::EntriesOutOfOrder {
                        prev: p,
                        next: e.version,
                    });
                }
            }
            if e.version <= self.tail || e.version > self.head {
                return Err(LogError::EntryOutsideBounds {
                    version: e.version,
                    tail: self.tail,
                    head: self.head,
                });
            }
            prev = Some(e.version);
        }
        Ok(())
    }

    /// Checks that every object's entries chain as Ceph asserts when any run of
    /// them becomes divergent (`_merge_object_divergent_entries`): each entry with
    /// a non-zero `prior_version`, after the object's first and first non-`ERROR`
    /// entries, names the object's previous non-`ERROR` entry. A log from a peer
    /// that breaks the chain would fail that assertion later, inside a handler;
    /// the machine checks it on arrival instead. Linear in the entries, one map
    /// slot per distinct object.
    pub fn check_object_chains(&self) -> Result<(), LogError> {
        let mut chains: BTreeMap<&ObjectId, ObjectChain> = BTreeMap::new();
        self.entries
            .iter()
            .try_for_each(|e| chains.entry(&e.soid).or_default().step(&e.soid, e))
    }

    /// The dups part of [`validate`](Self::validate): oldest first.
    pub(crate) fn validate_dups(&self) -> Result<(), LogError> {
        for pair in self.dups.windows(2) {
            if let [a, b] = pair {
                if b.version < a.version {
                    return Err(LogError::DupsOutOfOrder {
                        prev: a.version,
                        next: b.version,
                    });
                }
            }
        }
        Ok(())
    }

    /// `copy_after(other, v)`: the answer to a LOG query: `other`'s
    /// entries newer than `v`, with the tail moved up to the newest entry not
    /// copied, and the dups a peer needs (see [`PgLogT::copy_up_to`]).
    pub fn copy_after(other: &PgLogT, v: EVersion, dups_tracked: u64) -> PgLogT {
        let start = other.entries.partition_point(|e| e.version <= v);
        let tail = match start.checked_sub(1).and_then(|i| other.entries.get(i)) {
            Some(e) => e.version,
            None => other.tail,
        };
        Self::copy_from(other, start, tail, dups_tracked)
    }

    /// `copy_up_to(other, max)`: `other`'s newest `max` entries, the tail moved to
    /// the newest entry not copied, with the dups a peer needs.
    ///
    /// Dups follow Ceph's `_handle_dups`: keep `other`'s dups and the uncopied
    /// entries whose `version.version` is within `dups_tracked` of the new head.
    pub fn copy_up_to(other: &PgLogT, max: usize, dups_tracked: u64) -> PgLogT {
        let start = other.entries.len().saturating_sub(max);
        let tail = match start.checked_sub(1).and_then(|i| other.entries.get(i)) {
            Some(e) => e.version,
            None => other.tail,
        };
        Self::copy_from(other, start, tail, dups_tracked)
    }

    fn copy_from(other: &PgLogT, start: usize, tail: EVersion, dups_tracked: u64) -> PgLogT {
        let earliest = earliest_dup_version(other.head.version, dups_tracked);
        let mut dups: Vec<LogDup> = other
            .dups
            .iter()
            .filter(|d| d.version.version >= earliest)
            .cloned()
            .collect();
        dups.extend(
            other
                .entries
                .iter()
                .take(start)
                .filter(|e| e.version.version >= earliest)
                .map(LogDup::from_entry),
        );
        PgLogT {
            head: other.head,
            tail,
            can_rollback_to: other.can_rollback_to,
            rollback_info_trimmed_to: other.rollback_info_trimmed_to,
            entries: other.entries.get(start..).unwrap_or_default().to_vec(),
            dups,
        }
    }

    /// Where `rewind_from_head(newhead)` would cut, after checking Ceph's asserts:
    /// the index of the first divergent entry.
    ///
    /// Entries are cut by `version.version` only, as Ceph does: "same request,
    /// different epoch" (`100'10` here, `122'10` in the authoritative log) is
    /// divergent, and an entry whose `version.version` is not after the
    /// new head's is kept even if its epoch is newer (Ceph treats it as the same
    /// event; `proc_replica_log` relies on it).
    pub(crate) fn rewind_point(&self, newhead: EVersion) -> Result<usize, LogError> {
        if newhead < self.tail {
            return Err(LogError::RewindPastTail {
                newhead,
                tail: self.tail,
            });
        }
        let cut = self
            .entries
            .partition_point(|e| e.version.version <= newhead.version);
        if let Some(e) = self
            .entries
            .get(cut..)
            .into_iter()
            .flatten()
            .find(|e| e.version <= newhead)
        {
            return Err(LogError::DivergentNotAfterHead {
                version: e.version,
                newhead,
            });
        }
        Ok(cut)
    }

    /// `rewind_from_head(newhead)`: cuts off and returns the entries after
    /// `newhead`, lowering the rollback boundaries to `newhead`.
    pub fn rewind_from_head(&mut self, newhead: EVersion) -> Result<Vec<LogEntry>, LogError> {
        let cut = self.rewind_point(newhead)?;
        let divergent = self.entries.split_off(cut);
        self.head = newhead;
        self.can_rollback_to = self.can_rollback_to.min(newhead);
        self.rollback_info_trimmed_to = self.rollback_info_trimmed_to.min(newhead);
        Ok(divergent)
    }

    /// `pg_log_t::merge_from(slogs, last_update)`: the log of a merge target
    /// after it absorbed `sources`. Both sides were trimmed to their heads
    /// first, so no entry survives: the result is empty at `last_update`, and
    /// keeps every side's dups ordered by version (a stable sort: ours first
    /// among equals, then the sources in order, as Ceph's `multimap` keeps
    /// them).
    pub fn merge_from(&mut self, sources: &[&PgLogT], last_update: EVersion) {
        self.entries.clear();
        let mut dups = core::mem::take(&mut self.dups);
        for s in sources {
            dups.extend(s.dups.iter().cloned());
        }
        dups.sort_by_key(|d| d.version);
        self.dups = dups;
        self.head = last_update;
        self.tail = last_update;
        self.can_rollback_to = last_update;
        self.rollback_info_trimmed_to = last_update;
    }

    /// `split_out_child(child, split_bits)`: moves the entries of objects that now
    /// map to `child` into a new log. The child gets the same bounds and a
    /// copy of every dup: request ids are unique, so extra dups are harmless.
    pub fn split_out_child(&mut self, child: PgId, split_bits: u32) -> PgLogT {
        let (child_entries, ours): (Vec<LogEntry>, Vec<LogEntry>) =
            core::mem::take(&mut self.entries)
                .into_iter()
                .partition(|e| e.soid.matches(split_bits, child.seed));
        self.entries = ours;
        PgLogT {
            head: self.head,
            tail: self.tail,
            can_rollback_to: self.can_rollback_to,
            rollback_info_trimmed_to: self.rollback_info_trimmed_to,
            entries: child_entries,
            dups: self.dups.clone(),
        }
    }
}

/// The oldest `version.version` still kept as a dup when the newest is `newest`
/// (`osd_pg_log_dups_tracked` versions back, inclusive).
pub(crate) fn earliest_dup_version(newest: Version, dups_tracked: u64) -> Version {
    match newest.checked_sub(dups_tracked) {
        None => 0,
        Some(back) => back.saturating_add(1),
    }
}

impl fmt::Display for PgLogT {
    /// Ceph's form: `log((tail,head], crt=v)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "log(({:?},{:?}], crt={:?})",
            self.tail, self.head, self.can_rollback_to
        )
    }
}
