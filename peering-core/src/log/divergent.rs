//! The divergent-entry rule and appending with missing-set upkeep (§5.14).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::effects::{LogEffect, LogEffects, emit};
use super::entry::LogEntry;
use super::error::LogError;
use super::indexed::IndexedLog;
use super::missing::Missing;
use crate::types::{EVersion, ObjectId, PgInfo};

/// Which of the five cases of `_merge_object_divergent_entries` applied (§5.14);
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

/// Ceph's `_merge_object_divergent_entries` (§5.14): reconciles the store and the
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
    if *hoid > info.last_backfill {
        return Ok(DivergentCase::Skipped);
    }
    let entries = strip_errors(hoid, orig_entries)?;
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        return Ok(DivergentCase::Skipped);
    };
    let prior = first.prior_version;
    let first_div = first.version;
    let last_div = last.version;
    let object_not_in_store = !missing.is_missing(hoid) && last.is_delete();

    let remove_and_trim = |effects: &mut Option<&mut LogEffects>| {
        if !object_not_in_store {
            emit(effects, || LogEffect::Remove(hoid.clone()));
        }
        trim_all(effects, &entries);
    };

    if let Some(newer) = log.object_entry(hoid).filter(|e| e.version >= first_div) {
        if newer.version <= last_div {
            return Err(LogError::NewerEntryNotAfterDivergent {
                object: hoid.clone(),
                newer: newer.version,
                last_divergent: last_div,
            });
        }
        let need = missing.get(hoid).map(|i| i.need);
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
        missing.revise_have(hoid, EVersion::ZERO);
        remove_and_trim(&mut effects);
        return Ok(DivergentCase::NewerInLog);
    }

    if prior.is_zero() || first.is_clone() {
        missing.rm_item(hoid);
        remove_and_trim(&mut effects);
        return Ok(DivergentCase::Created);
    }

    if let Some(item) = missing.get(hoid) {
        if item.have == prior {
            missing.rm_item(hoid);
        } else {
            missing.revise_need(hoid, prior, false);
        }
        trim_all(&mut effects, &entries);
        return Ok(DivergentCase::AlreadyMissing);
    }

    let can_rollback = entries
        .iter()
        .all(|e| e.can_rollback() && e.version > olog_can_rollback_to);
    if can_rollback {
        for e in entries.iter().rev() {
            emit(&mut effects, || LogEffect::Rollback(e.clone()));
        }
        return Ok(DivergentCase::RolledBack);
    }

    remove_and_trim(&mut effects);
    missing.add(hoid, prior, EVersion::ZERO, false);
    Ok(DivergentCase::Recover)
}

/// Drops `ERROR` entries, checking Ceph's chain assertion on the others: after the
/// first kept entry, each entry with a non-zero prior follows the previous kept
/// entry and names it as its prior.
fn strip_errors(hoid: &ObjectId, orig: &[LogEntry]) -> Result<Vec<LogEntry>, LogError> {
    let mut kept: Vec<LogEntry> = Vec::with_capacity(orig.len());
    let mut last = EVersion::ZERO;
    let mut seen_non_error = false;
    for (i, e) in orig.iter().enumerate() {
        let first_non_error = !seen_non_error && !e.is_error();
        seen_non_error |= !e.is_error();
        if i != 0 && !e.prior_version.is_zero() && !first_non_error {
            let ordered = e.version > last;
            let chained = e.prior_version == last || e.is_error();
            if !ordered || !chained {
                return Err(LogError::DivergentChainBroken {
                    object: hoid.clone(),
                    version: e.version,
                    prior: e.prior_version,
                    last,
                });
            }
        }
        if !e.is_error() {
            last = e.version;
            kept.push(e.clone());
        }
    }
    Ok(kept)
}

fn trim_all(effects: &mut Option<&mut LogEffects>, entries: &[LogEntry]) {
    for e in entries {
        emit(effects, || LogEffect::Trim(e.clone()));
    }
}

/// Ceph's `split_by_object`: the entries of each object, in object order, each (§5.14)
/// list keeping log order.
pub fn split_by_object(entries: Vec<LogEntry>) -> BTreeMap<ObjectId, Vec<LogEntry>> {
    let mut out: BTreeMap<ObjectId, Vec<LogEntry>> = BTreeMap::new();
    for e in entries {
        out.entry(e.soid.clone()).or_default().push(e);
    }
    out
}

/// Ceph's `_merge_divergent_entries` (§5.14): applies
/// [`merge_object_divergent_entries`] to each object's divergent entries, in
/// object order.
///
/// All or nothing: if one object's entries are refused, `missing` and `effects`
/// are left as they were.
pub fn merge_divergent_entries(
    log: &IndexedLog,
    entries: Vec<LogEntry>,
    info: &PgInfo,
    olog_can_rollback_to: EVersion,
    missing: &mut Missing,
    effects: Option<&mut LogEffects>,
) -> Result<(), LogError> {
    let mut scratch_missing = missing.clone();
    let mut scratch_effects = LogEffects::new();
    for (hoid, list) in split_by_object(entries) {
        merge_object_divergent_entries(
            log,
            &hoid,
            &list,
            info,
            olog_can_rollback_to,
            &mut scratch_missing,
            Some(&mut scratch_effects),
        )?;
    }
    *missing = scratch_missing;
    if let Some(sink) = effects {
        sink.append(&mut scratch_effects);
    }
    Ok(())
}

/// Ceph's `append_log_entries_update_missing` (§5.14): appends `entries` to `log`
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
    for e in entries {
        invalidate_stats |= !e.is_error();
        if let Some(l) = log.as_deref_mut() {
            l.add(e.clone())?;
        }
        if e.soid > *last_backfill || e.is_error() {
            continue;
        }
        if missing.may_include_deletes {
            missing.add_next_event(e);
            continue;
        }
        if e.is_delete() {
            missing.rm(&e.soid, e.version);
        } else {
            missing.add_next_event(e);
        }
        if maintain_rollback && e.is_lost_delete() && e.can_rollback() {
            emit(&mut effects, || LogEffect::TryStash {
                soid: e.soid.clone(),
                version: e.version.version,
            });
        } else if e.is_delete() {
            emit(&mut effects, || LogEffect::Remove(e.soid.clone()));
        }
    }
    Ok(invalidate_stats)
}
