//! The delta between what a store holds of a PG's log and missing set and
//! what a `TxOp::WriteLog` asks for: the keys to put and to remove, as Ceph's
//! `PGLog::_write_log_and_missing` writes them (one key per entry and per dup,
//! one per missing item; trimmed and divergent keys removed; nothing else
//! rewritten).
//!
//! Log entries and dups are immutable once written under their version (an
//! `eversion_t` names one entry of one PG's history), so comparing versions
//! tells what changed; missing items are compared by value.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use peering_core::log::{LogDup, LogEntry, Missing, MissingItem, PgLogT};
use peering_core::types::{EVersion, ObjectId};

/// The log's scalar fields, written with every log write (Ceph's
/// `can_rollback_to`, `rollback_info_trimmed_to` and
/// `may_include_deletes_in_missing` keys, plus the bounds).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LogBounds {
    /// `pg_log_t::head`.
    pub head: EVersion,
    /// `pg_log_t::tail`.
    pub tail: EVersion,
    /// `pg_log_t::can_rollback_to`.
    pub can_rollback_to: EVersion,
    /// `pg_log_t::rollback_info_trimmed_to`.
    pub rollback_info_trimmed_to: EVersion,
    /// `pg_missing_t::may_include_deletes`.
    pub may_include_deletes: bool,
}

impl LogBounds {
    /// The scalar fields of `log` and `missing`.
    pub fn of(log: &PgLogT, missing: &Missing) -> Self {
        LogBounds {
            head: log.head,
            tail: log.tail,
            can_rollback_to: log.can_rollback_to,
            rollback_info_trimmed_to: log.rollback_info_trimmed_to,
            may_include_deletes: missing.may_include_deletes,
        }
    }
}

/// What one `WriteLog` changes, borrowing from the new log and missing set.
#[derive(Debug, Default)]
pub(crate) struct LogDelta<'a> {
    /// Entries to write (not stored yet), oldest first.
    pub put_entries: Vec<&'a LogEntry>,
    /// Entry keys to remove (trimmed or rolled back).
    pub del_entries: Vec<EVersion>,
    /// Dup groups to write: every dup of one version, under that version's key.
    pub put_dups: Vec<(EVersion, &'a [LogDup])>,
    /// Dup keys to remove (trimmed dups).
    pub del_dups: Vec<EVersion>,
    /// Missing items to write (new or changed).
    pub put_missing: Vec<(&'a ObjectId, MissingItem)>,
    /// Missing items to remove.
    pub del_missing: Vec<ObjectId>,
    /// The new scalar fields.
    pub bounds: LogBounds,
}

/// The dups of `dups` grouped by version, in order (Ceph keys dups by version
/// alone; the dups of an entry's extra requests share its version).
pub(crate) fn dup_groups(dups: &[LogDup]) -> Vec<(EVersion, &[LogDup])> {
    dups.chunk_by(|a, b| a.version == b.version)
        .filter_map(|g| g.first().map(|d| (d.version, g)))
        .collect()
}

/// Merges two ascending sequences of keys: `stored` (what is on disk) and
/// `new` (what should be), calling `put` for keys only in `new` and `del` for
/// keys only in `stored`.
fn diff_sorted<'a, T: 'a>(
    stored: impl IntoIterator<Item = EVersion>,
    new: impl IntoIterator<Item = (EVersion, T)>,
    mut put: impl FnMut(T),
    mut del: impl FnMut(EVersion),
) {
    let mut s = stored.into_iter().peekable();
    let mut n = new.into_iter().peekable();
    loop {
        match (s.peek().copied(), n.peek().map(|(v, _)| *v)) {
            (None, None) => break,
            (Some(sv), None) => {
                del(sv);
                s.next();
            }
            (None, Some(_)) => {
                if let Some((_, t)) = n.next() {
                    put(t);
                }
            }
            (Some(sv), Some(nv)) => match sv.cmp(&nv) {
                Ordering::Less => {
                    del(sv);
                    s.next();
                }
                Ordering::Greater => {
                    if let Some((_, t)) = n.next() {
                        put(t);
                    }
                }
                Ordering::Equal => {
                    s.next();
                    n.next();
                }
            },
        }
    }
}

/// The delta from the stored entry versions, dup versions and missing items
/// (each ascending) to `log` and `missing`.
pub(crate) fn log_delta<'a>(
    stored_entries: impl IntoIterator<Item = EVersion>,
    stored_dups: impl IntoIterator<Item = EVersion>,
    stored_missing: &BTreeMap<ObjectId, MissingItem>,
    log: &'a PgLogT,
    missing: &'a Missing,
) -> LogDelta<'a> {
    let mut d = LogDelta {
        bounds: LogBounds::of(log, missing),
        ..LogDelta::default()
    };
    diff_sorted(
        stored_entries,
        log.entries.iter().map(|e| (e.version, e)),
        |e| d.put_entries.push(e),
        |v| d.del_entries.push(v),
    );
    diff_sorted(
        stored_dups,
        dup_groups(&log.dups).into_iter().map(|(v, g)| (v, (v, g))),
        |g| d.put_dups.push(g),
        |v| d.del_dups.push(v),
    );
    let mut s = stored_missing.iter().peekable();
    let mut n = missing.items().iter().peekable();
    loop {
        match (s.peek(), n.peek()) {
            (None, None) => break,
            (Some((so, _)), None) => {
                d.del_missing.push((*so).clone());
                s.next();
            }
            (None, Some((no, ni))) => {
                d.put_missing.push((no, **ni));
                n.next();
            }
            (Some((so, si)), Some((no, ni))) => match so.cmp(no) {
                Ordering::Less => {
                    d.del_missing.push((*so).clone());
                    s.next();
                }
                Ordering::Greater => {
                    d.put_missing.push((no, **ni));
                    n.next();
                }
                Ordering::Equal => {
                    if si != ni {
                        d.put_missing.push((no, **ni));
                    }
                    s.next();
                    n.next();
                }
            },
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use peering_core::log::{LogOp, ReqId};

    use super::*;

    fn entry(e: u32, v: u64) -> LogEntry {
        LogEntry::new(
            LogOp::Modify,
            ObjectId::new(1, v as u32, format!("o{v}")),
            EVersion::new(e, v),
            EVersion::ZERO,
        )
    }

    fn log(entries: &[(u32, u64)], tail: EVersion) -> PgLogT {
        let mut l = PgLogT::new(tail, EVersion::ZERO);
        for &(e, v) in entries {
            l.entries.push(entry(e, v));
            l.head = EVersion::new(e, v);
        }
        l
    }

    #[test]
    fn log_delta_appends_only_the_new_entry() {
        let l = log(&[(1, 1), (1, 2), (1, 3)], EVersion::ZERO);
        let m = Missing::new(true);
        let stored = [EVersion::new(1, 1), EVersion::new(1, 2)];
        let d = log_delta(stored, [], &BTreeMap::new(), &l, &m);
        let put: Vec<EVersion> = d.put_entries.iter().map(|e| e.version).collect();
        assert_eq!(put, vec![EVersion::new(1, 3)]);
        assert!(d.del_entries.is_empty());
        assert_eq!(d.bounds.head, EVersion::new(1, 3));
    }

    #[test]
    fn log_delta_removes_trimmed_and_divergent_keys() {
        // Stored 1'1..1'4; the new log trimmed 1'1 and replaced 1'4 by 2'4.
        let l = log(&[(1, 2), (1, 3), (2, 4)], EVersion::new(1, 1));
        let m = Missing::new(true);
        let stored = (1..=4).map(|v| EVersion::new(1, v));
        let d = log_delta(stored, [], &BTreeMap::new(), &l, &m);
        let put: Vec<EVersion> = d.put_entries.iter().map(|e| e.version).collect();
        assert_eq!(put, vec![EVersion::new(2, 4)]);
        assert_eq!(
            d.del_entries,
            vec![EVersion::new(1, 1), EVersion::new(1, 4)]
        );
    }

    #[test]
    fn log_delta_groups_dups_and_diffs_missing_by_value() {
        let mut l = log(&[(1, 5)], EVersion::new(1, 4));
        let dup = |v: u64, tid: u64| LogDup {
            reqid: ReqId::client(1, tid),
            version: EVersion::new(1, v),
            user_version: v,
            return_code: 0,
        };
        l.dups = vec![dup(3, 1), dup(4, 2), dup(4, 3)];
        let a = ObjectId::new(1, 1, "a");
        let b = ObjectId::new(1, 2, "b");
        let c = ObjectId::new(1, 3, "c");
        let mut m = Missing::new(true);
        m.add(&a, EVersion::new(1, 5), EVersion::ZERO, false);
        m.add(&b, EVersion::new(1, 5), EVersion::ZERO, false);
        let mut stored_missing = BTreeMap::new();
        let item = |need| MissingItem {
            need,
            have: EVersion::ZERO,
            delete: false,
        };
        stored_missing.insert(a.clone(), item(EVersion::new(1, 5)));
        stored_missing.insert(b.clone(), item(EVersion::new(1, 4)));
        stored_missing.insert(c.clone(), item(EVersion::new(1, 4)));
        let d = log_delta(
            [EVersion::new(1, 5)],
            [EVersion::new(1, 2), EVersion::new(1, 3)],
            &stored_missing,
            &l,
            &m,
        );
        assert!(d.put_entries.is_empty());
        let groups: Vec<(EVersion, usize)> =
            d.put_dups.iter().map(|(v, g)| (*v, g.len())).collect();
        assert_eq!(groups, vec![(EVersion::new(1, 4), 2)]);
        assert_eq!(d.del_dups, vec![EVersion::new(1, 2)]);
        let put: Vec<&ObjectId> = d.put_missing.iter().map(|(o, _)| *o).collect();
        assert_eq!(put, vec![&b]);
        assert_eq!(d.del_missing, vec![c]);
    }
}
