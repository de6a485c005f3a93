//! Ceph's `PGLog::IndexedLog`: a `pg_log_t` with its in-memory indexes.

use alloc::collections::btree_map::Entry;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use smallvec::SmallVec;

use super::effects::{LogEffect, LogEffects};
use super::entry::{LogDup, LogEntry, ReqId};
use super::error::LogError;
use super::pg_log_t::PgLogT;
use crate::types::{EVersion, ObjectId, PgId, Version};

/// The integer prefix of the `hobject_t` order (`max`, pool, bitwise key)
/// packed into one integer that sorts the same way: `max` in bit 127, the pool
/// (sign flipped) in bits 63..127, the 33-bit bitwise key in bits 30..63. Bits
/// 0..30 ([`OBJECT_KEY_FREE_BITS`]) are left for callers sorting positions along
/// with it.
pub(crate) type ObjectKey = u128;

/// The low bits of an [`ObjectKey`] that [`object_key`] leaves zero.
pub(crate) const OBJECT_KEY_FREE_BITS: u32 = 30;

/// The [`ObjectKey`] of `o`.
pub(crate) fn object_key(o: &ObjectId) -> ObjectKey {
    let pool = u128::from((o.pool as u64) ^ (1 << 63));
    (u128::from(o.max) << 127)
        | (pool << 63)
        | (u128::from(o.bitwise_key()) << OBJECT_KEY_FREE_BITS)
}

/// `a == b`, comparing first what most often differs between objects sharing
/// an index key (the name's length and bytes) and the (usually empty) namespace
/// last, so that telling two objects apart rarely reaches a byte comparison.
pub(crate) fn same_object(a: &ObjectId, b: &ObjectId) -> bool {
    crate::meter::tick(crate::meter::Counter::ObjectCompare);
    a.name.len() == b.name.len()
        && a.hash == b.hash
        && a.snap == b.snap
        && a.pool == b.pool
        && a.max == b.max
        && a.name == b.name
        && a.namespace == b.namespace
}

/// The entry at exactly `v` in `entries` (sorted by version).
///
/// `version.version` strictly increases along a log and usually by one, so the
/// entry is first looked for where a gapless log would have it (one probe
/// instead of a binary search that misses the cache at every step of a long
/// log); the binary search is the fallback.
fn entry_in(entries: &[LogEntry], v: EVersion) -> Option<&LogEntry> {
    let guess = entries
        .first()
        .and_then(|first| v.version.checked_sub(first.version.version))
        .and_then(|d| usize::try_from(d).ok())
        .and_then(|d| entries.get(d));
    if let Some(e) = guess.filter(|e| e.version == v) {
        return Some(e);
    }
    let i = entries.partition_point(|e| e.version < v);
    entries.get(i).filter(|e| e.version == v)
}

/// `IndexedLog::objects`: each object's newest non-`ERROR` entry.
///
/// Ceph's map holds a pointer to the entry; here the entry is designated by its
/// version (unique in a log) under the integer prefix of its object's order, and
/// the object itself is read from the entry when two objects share the prefix.
/// So indexing an entry neither clones its [`ObjectId`] (an allocation) nor
/// calls `ObjectId::cmp` (two bit reversals and a call) a dozen times per
/// search, which dominated merging thousands of entries. Every lookup is given
/// the log's entries, which the versions designate.
///
/// Objects sharing a prefix (one hash: an object's clones, or names whose hashes
/// collide) are told apart by reading their entries while they are few; past
/// [`FEW_PER_KEY`] of them, the prefix's objects are keyed by object (a clone
/// each) so that a log whose objects all share one hash still costs a tree
/// search per entry, not a scan of every object before it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct ObjectIndex {
    map: BTreeMap<ObjectKey, KeySlot>,
}

/// The most objects sharing one [`ObjectKey`] that [`ObjectIndex`] tells apart
/// by scanning their entries.
const FEW_PER_KEY: usize = 8;

/// The objects of one [`ObjectKey`]. The form follows from the count alone
/// ([`KeySlot::Few`] up to [`FEW_PER_KEY`] objects, [`KeySlot::Many`] beyond),
/// so that equal indexes compare equal.
#[derive(Clone, Debug, PartialEq, Eq)]
enum KeySlot {
    /// The indexed versions, sorted; each object's is found by reading entries.
    Few(SmallVec<[EVersion; 1]>),
    /// Each object's indexed version, by object.
    Many(BTreeMap<ObjectId, EVersion>),
}

impl ObjectIndex {
    /// The version of `o`'s indexed entry.
    fn get(&self, entries: &[LogEntry], o: &ObjectId) -> Option<EVersion> {
        self.entry(entries, o).map(|e| e.version)
    }

    /// `o`'s indexed entry.
    fn entry<'a>(&self, entries: &'a [LogEntry], o: &ObjectId) -> Option<&'a LogEntry> {
        match self.map.get(&object_key(o))? {
            KeySlot::Few(versions) => versions
                .iter()
                .find_map(|v| entry_in(entries, *v).filter(|e| same_object(&e.soid, o))),
            KeySlot::Many(objects) => entry_in(entries, *objects.get(o)?),
        }
    }

    fn clear(&mut self) {
        self.map.clear();
    }

    /// Indexes `v` for `o` unless `o` already has a newer (or the same) version
    /// (`index()` keeps the newest). The entries of already indexed versions must
    /// be in `entries`.
    fn set_if_newer(&mut self, entries: &[LogEntry], o: &ObjectId, v: EVersion) {
        let slot = self
            .map
            .entry(object_key(o))
            .or_insert_with(|| KeySlot::Few(SmallVec::new()));
        match slot {
            KeySlot::Few(versions) => {
                let old = versions
                    .iter()
                    .copied()
                    .find(|v| entry_in(entries, *v).is_some_and(|e| same_object(&e.soid, o)));
                match old {
                    Some(old) if old >= v => return,
                    Some(old) => versions.retain(|x| *x != old),
                    None if versions.len() >= FEW_PER_KEY => {
                        // One object too many to scan: key them by object.
                        let mut objects: BTreeMap<ObjectId, EVersion> = versions
                            .iter()
                            .filter_map(|x| entry_in(entries, *x).map(|e| (e.soid.clone(), *x)))
                            .collect();
                        objects.insert(o.clone(), v);
                        *slot = KeySlot::Many(objects);
                        return;
                    }
                    None => {}
                }
                let at = versions.partition_point(|x| *x < v);
                versions.insert(at, v);
            }
            KeySlot::Many(objects) => {
                // One search, with the key cloned up front: a new object needs
                // the clone anyway, and a crowded hash's objects are mostly new.
                let old = objects.entry(o.clone()).or_insert(v);
                *old = (*old).max(v);
            }
        }
    }

    /// Forgets the entry `v` of `o` if it is the one indexed; returns whether it
    /// was (versions are unique, so the version alone identifies the entry).
    fn remove_at(&mut self, o: &ObjectId, v: EVersion) -> bool {
        let Entry::Occupied(mut slot) = self.map.entry(object_key(o)) else {
            return false;
        };
        match slot.get_mut() {
            KeySlot::Few(versions) => {
                let Some(i) = versions.iter().position(|x| *x == v) else {
                    return false;
                };
                versions.remove(i);
                if versions.is_empty() {
                    slot.remove();
                }
            }
            KeySlot::Many(objects) => {
                if objects.get(o) != Some(&v) {
                    return false;
                }
                objects.remove(o);
                if objects.len() <= FEW_PER_KEY {
                    // Few enough to scan again.
                    let mut versions: SmallVec<[EVersion; 1]> = objects.values().copied().collect();
                    versions.sort_unstable();
                    if versions.is_empty() {
                        slot.remove();
                    } else {
                        *slot.get_mut() = KeySlot::Few(versions);
                    }
                }
            }
        }
        true
    }
}

/// What a logged request produced (`IndexedLog::get_request`): enough to answer
/// a resent request without executing it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LoggedRequest {
    /// The entry's version.
    pub version: EVersion,
    /// The user version the request produced.
    pub user_version: Version,
    /// The request's return code.
    pub return_code: i32,
}

/// Ceph's `IndexedLog`: a validated [`PgLogT`] plus the per-object index to
/// the newest entry, the request indexes for dup detection (`caller_ops`,
/// `extra_caller_ops`, `dup_index`) and the recovery pointers (`complete_to`,
/// `last_requested`).
///
/// Ceph's indexes hold pointers into the entry list; here they hold versions
/// (entries are sorted by version, so an entry is found where a gapless log would
/// put it, else by binary search), and
/// `complete_to` is the version of the entry it designates (`None`: the end).
/// Serialised as its `pg_log_t`; the indexes are rebuilt, and the recovery
/// pointers reset, on the way back in, as Ceph does when it reads a log.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "PgLogT", into = "PgLogT")
)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IndexedLog {
    log: PgLogT,
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    objects: ObjectIndex,
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    caller_ops: BTreeMap<ReqId, EVersion>,
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    extra_caller_ops: BTreeSet<(ReqId, EVersion)>,
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    dup_index: BTreeMap<ReqId, LogDup>,
    complete_to: Option<EVersion>,
    last_requested: Version,
}

impl TryFrom<PgLogT> for IndexedLog {
    type Error = LogError;
    fn try_from(log: PgLogT) -> Result<Self, LogError> {
        IndexedLog::from_log(log)
    }
}

impl From<IndexedLog> for PgLogT {
    fn from(l: IndexedLog) -> PgLogT {
        l.log
    }
}

impl IndexedLog {
    /// Indexes `log` after checking it ([`PgLogT::validate`]).
    pub fn from_log(log: PgLogT) -> Result<Self, LogError> {
        log.validate()?;
        let mut l = IndexedLog {
            log,
            ..IndexedLog::default()
        };
        l.index();
        Ok(l)
    }

    /// The plain log.
    pub fn log(&self) -> &PgLogT {
        &self.log
    }

    /// The plain log, giving up the indexes.
    pub fn into_log(self) -> PgLogT {
        self.log
    }

    /// `head`.
    pub fn head(&self) -> EVersion {
        self.log.head
    }

    /// `tail`.
    pub fn tail(&self) -> EVersion {
        self.log.tail
    }

    /// `get_can_rollback_to()`.
    pub fn can_rollback_to(&self) -> EVersion {
        self.log.can_rollback_to
    }

    /// `get_rollback_info_trimmed_to()`.
    pub fn rollback_info_trimmed_to(&self) -> EVersion {
        self.log.rollback_info_trimmed_to
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[LogEntry] {
        &self.log.entries
    }

    /// The dups, oldest first.
    pub fn dups(&self) -> &[LogDup] {
        &self.log.dups
    }

    /// `complete_to`: the version of the first entry not known complete (`None`:
    /// past the newest entry).
    pub fn complete_to(&self) -> Option<EVersion> {
        self.complete_to
    }

    /// `last_requested`: the last object version the primary asked to recover.
    pub fn last_requested(&self) -> Version {
        self.last_requested
    }

    /// Sets `last_requested`.
    pub fn set_last_requested(&mut self, v: Version) {
        self.last_requested = v;
    }

    /// `reset_recovery_pointers()`.
    pub fn reset_recovery_pointers(&mut self) {
        self.complete_to = None;
        self.last_requested = 0;
    }

    pub(crate) fn set_complete_to(&mut self, v: Option<EVersion>) {
        self.complete_to = v;
    }

    /// The entry at exactly `v`.
    pub fn entry_at(&self, v: EVersion) -> Option<&LogEntry> {
        entry_in(&self.log.entries, v)
    }

    /// `objects[oid]`: the newest non-`ERROR` entry for `oid`.
    pub fn object_entry(&self, oid: &ObjectId) -> Option<&LogEntry> {
        self.objects.entry(&self.log.entries, oid)
    }

    /// `logged_object(oid)`.
    pub fn logged_object(&self, oid: &ObjectId) -> bool {
        self.objects.get(&self.log.entries, oid).is_some()
    }

    /// `logged_req(reqid)`: the request is in the log (not counting dups).
    pub fn logged_req(&self, reqid: &ReqId) -> bool {
        self.caller_ops.contains_key(reqid)
            || self
                .extra_caller_ops
                .range((*reqid, EVersion::ZERO)..=(*reqid, EVersion::MAX))
                .next()
                .is_some()
    }

    /// `get_request(reqid)`: what the request produced, from its entry, an entry
    /// that folded it in, or its dup (in that order, as Ceph looks).
    pub fn get_request(&self, reqid: &ReqId) -> Option<LoggedRequest> {
        if let Some(e) = self.caller_ops.get(reqid).and_then(|v| self.entry_at(*v)) {
            return Some(LoggedRequest {
                version: e.version,
                user_version: e.user_version,
                return_code: e.return_code,
            });
        }
        let extra = self
            .extra_caller_ops
            .range((*reqid, EVersion::ZERO)..=(*reqid, EVersion::MAX))
            .find_map(|(_, v)| self.entry_at(*v));
        if let Some(e) = extra {
            let found = e
                .extra_reqids
                .iter()
                .zip(0u32..)
                .find(|((r, _), _)| r == reqid);
            if let Some(((_, uv), idx)) = found {
                return Some(LoggedRequest {
                    version: e.version,
                    user_version: *uv,
                    return_code: e.extra_return_code(idx),
                });
            }
        }
        self.dup_index.get(reqid).map(|d| LoggedRequest {
            version: d.version,
            user_version: d.user_version,
            return_code: d.return_code,
        })
    }

    /// Entries newer than `bound`, oldest first (`scan_log_after`).
    pub fn entries_after(&self, bound: EVersion) -> &[LogEntry] {
        let i = self.log.entries.partition_point(|e| e.version <= bound);
        self.log.entries.get(i..).unwrap_or_default()
    }

    /// Rebuilds every index from the entries and dups (`index()`).
    pub(crate) fn index(&mut self) {
        self.objects.clear();
        self.caller_ops.clear();
        self.extra_caller_ops.clear();
        self.dup_index.clear();
        for d in &self.log.dups {
            self.dup_index.insert(d.reqid, d.clone());
        }
        let entries = core::mem::take(&mut self.log.entries);
        for e in &entries {
            self.index_entry(&entries, e);
        }
        self.log.entries = entries;
    }

    /// Indexes `e`, an entry newer than those indexed; `entries` holds the
    /// indexed ones.
    fn index_entry(&mut self, entries: &[LogEntry], e: &LogEntry) {
        if e.object_is_indexed() {
            self.objects.set_if_newer(entries, &e.soid, e.version);
        }
        if e.reqid_is_indexed() {
            self.caller_ops.insert(e.reqid, e.version);
        }
        for (r, _) in &e.extra_reqids {
            self.extra_caller_ops.insert((*r, e.version));
        }
    }

    /// Removes an entry trimmed from the tail from the indexes (`unindex(e)`).
    pub(crate) fn unindex_entry(&mut self, e: &LogEntry) {
        self.objects.remove_at(&e.soid, e.version);
        if e.reqid_is_indexed() && self.caller_ops.get(&e.reqid) == Some(&e.version) {
            self.caller_ops.remove(&e.reqid);
        }
        for (r, _) in &e.extra_reqids {
            self.extra_caller_ops.remove(&(*r, e.version));
        }
    }

    pub(crate) fn index_dup(&mut self, d: &LogDup) {
        self.dup_index.insert(d.reqid, d.clone());
    }

    pub(crate) fn unindex_dup(&mut self, d: &LogDup) {
        self.dup_index.remove(&d.reqid);
    }

    pub(crate) fn log_mut(&mut self) -> &mut PgLogT {
        &mut self.log
    }

    /// Checks that `entries` may be appended in order (`IndexedLog::add` asserts
    /// each is after the head, with a growing `version.version`).
    pub fn check_append(&self, entries: &[LogEntry]) -> Result<(), LogError> {
        let mut head = self.log.head;
        for e in entries {
            if e.version <= head || (head.version != 0 && e.version.version <= head.version) {
                return Err(LogError::VersionBackwards {
                    head,
                    new: e.version,
                });
            }
            head = e.version;
        }
        Ok(())
    }

    /// `add(e)`: appends a new entry at the head and indexes it. Refuses an entry
    /// that is not after the head (the log is then unchanged).
    pub fn add(&mut self, e: LogEntry) -> Result<(), LogError> {
        self.check_append(core::slice::from_ref(&e))?;
        self.push_checked(e);
        Ok(())
    }

    /// `rewind_from_head(newhead)`: cuts off the entries after `newhead` and
    /// reindexes. A `complete_to` pointing into the cut part moves to the
    /// end.
    pub fn rewind_from_head(&mut self, newhead: EVersion) -> Result<Vec<LogEntry>, LogError> {
        let divergent = self.log.rewind_from_head(newhead)?;
        if self.complete_to.is_some_and(|v| v > newhead) {
            self.complete_to = None;
        }
        self.unindex_cut(&divergent);
        Ok(divergent)
    }

    /// Takes the entries just cut from the head out of the indexes, leaving them
    /// as `index()` would rebuild them from the kept entries (Ceph reindexes the
    /// whole log; here the work is the cut plus, only when a cut object or
    /// request also appears in the kept entries, a scan back to its newest one).
    ///
    /// Relies on the indexes matching the entries before the cut, which every
    /// mutation keeps, and on the entries being in version order.
    fn unindex_cut(&mut self, cut: &[LogEntry]) {
        let mut lost_objects = 0usize;
        let mut lost_reqs: Vec<ReqId> = Vec::new();
        for e in cut {
            // Only the newest cut entry of an object or request is indexed.
            if e.object_is_indexed() && self.objects.remove_at(&e.soid, e.version) {
                lost_objects = lost_objects.saturating_add(1);
            }
            if e.reqid_is_indexed() && self.caller_ops.get(&e.reqid) == Some(&e.version) {
                self.caller_ops.remove(&e.reqid);
                lost_reqs.push(e.reqid);
            }
            for (r, _) in &e.extra_reqids {
                self.extra_caller_ops.remove(&(*r, e.version));
            }
        }
        if lost_objects == 0 && lost_reqs.is_empty() {
            return;
        }
        // A kept entry of a lost object is one whose object the index no longer
        // has (every kept object was indexed); newest first, as a rebuild keeps.
        lost_reqs.sort_unstable();
        let mut reqs_left = lost_reqs.len();
        let entries = core::mem::take(&mut self.log.entries);
        for e in entries.iter().rev() {
            if lost_objects == 0 && reqs_left == 0 {
                break;
            }
            if lost_objects > 0
                && e.object_is_indexed()
                && self.objects.get(&entries, &e.soid).is_none()
            {
                self.objects.set_if_newer(&entries, &e.soid, e.version);
                lost_objects = lost_objects.saturating_sub(1);
            }
            if reqs_left > 0
                && e.reqid_is_indexed()
                && !self.caller_ops.contains_key(&e.reqid)
                && lost_reqs.binary_search(&e.reqid).is_ok()
            {
                self.caller_ops.insert(e.reqid, e.version);
                reqs_left = reqs_left.saturating_sub(1);
            }
        }
        self.log.entries = entries;
    }

    /// Puts entries older than every entry we hold in front of ours and lowers
    /// the tail to `tail` (`merge_log` extending on the tail), indexing them as
    /// `index()` would: our newer entries keep their places in the indexes.
    pub(crate) fn prepend_older(&mut self, older: Vec<LogEntry>, tail: EVersion) {
        let n = older.len();
        self.log.entries.splice(0..0, older);
        self.log.tail = tail;
        let entries = core::mem::take(&mut self.log.entries);
        // Newest first: the first entry seen of an object or request is the one
        // a rebuild keeps.
        for e in entries.get(..n).unwrap_or_default().iter().rev() {
            if e.object_is_indexed() && self.objects.get(&entries, &e.soid).is_none() {
                self.objects.set_if_newer(&entries, &e.soid, e.version);
            }
            if e.reqid_is_indexed() && !self.caller_ops.contains_key(&e.reqid) {
                self.caller_ops.insert(e.reqid, e.version);
            }
            for (r, _) in &e.extra_reqids {
                self.extra_caller_ops.insert((*r, e.version));
            }
        }
        self.log.entries = entries;
    }

    /// Appends an entry already checked with [`check_append`](Self::check_append)
    /// (with the entries before it) and indexes it.
    pub(crate) fn push_checked(&mut self, e: LogEntry) {
        self.log.head = e.version;
        let mut entries = core::mem::take(&mut self.log.entries);
        self.index_entry(&entries, &e);
        entries.push(e);
        self.log.entries = entries;
    }

    /// Rebuilds the entry indexes (not `dup_index`) from the entries: the undo of
    /// a refused merge, after its entries are put back.
    pub(crate) fn reindex_entries(&mut self) {
        self.objects.clear();
        self.caller_ops.clear();
        self.extra_caller_ops.clear();
        let entries = core::mem::take(&mut self.log.entries);
        for e in &entries {
            self.index_entry(&entries, e);
        }
        self.log.entries = entries;
    }

    /// Rebuilds `dup_index` from the dups (after the dups alone changed).
    pub(crate) fn reindex_dups(&mut self) {
        self.dup_index.clear();
        for d in &self.log.dups {
            self.dup_index.insert(d.reqid, d.clone());
        }
    }

    /// The dups and their index, saved before a change that may be undone.
    pub(crate) fn dups_state(&self) -> (Vec<LogDup>, BTreeMap<ReqId, LogDup>) {
        (self.log.dups.clone(), self.dup_index.clone())
    }

    /// Puts back what [`dups_state`](Self::dups_state) saved.
    pub(crate) fn restore_dups_state(&mut self, state: (Vec<LogDup>, BTreeMap<ReqId, LogDup>)) {
        (self.log.dups, self.dup_index) = state;
    }

    /// Ceph's `advance_can_rollback_to`: raises `can_rollback_to` and
    /// `rollback_info_trimmed_to` to `to` and calls `f` on each entry whose
    /// rollback information thereby goes (those newer than the old
    /// `rollback_info_trimmed_to`, up to the new one), oldest first. Returns
    /// whether the log became dirty.
    fn advance_can_rollback_to(&mut self, to: EVersion, mut f: impl FnMut(&LogEntry)) -> bool {
        let dirty = to > self.log.can_rollback_to || to > self.log.rollback_info_trimmed_to;
        let old_trimmed = self.log.rollback_info_trimmed_to;
        self.log.can_rollback_to = self.log.can_rollback_to.max(to);
        self.log.rollback_info_trimmed_to = old_trimmed.max(to);
        let new_trimmed = self.log.rollback_info_trimmed_to;
        for e in self.entries_after(old_trimmed) {
            if e.version > new_trimmed {
                break;
            }
            f(e);
        }
        dirty
    }

    /// `roll_forward_to(to)`: entries up to `to` can no longer be rolled back;
    /// each newly covered entry yields [`LogEffect::Rollforward`]. Returns whether
    /// the log became dirty.
    pub fn roll_forward_to(&mut self, to: EVersion, effects: &mut LogEffects) -> bool {
        self.advance_can_rollback_to(to, |e| effects.push(LogEffect::Rollforward(e.clone())))
    }

    /// `trim_rollback_info_to(to)`: like [`roll_forward_to`](Self::roll_forward_to)
    /// but yields [`LogEffect::Trim`].
    pub fn trim_rollback_info_to(&mut self, to: EVersion, effects: &mut LogEffects) {
        self.advance_can_rollback_to(to, |e| effects.push(LogEffect::Trim(e.clone())));
    }

    /// `skip_can_rollback_to_to_head()`: nothing before the head may be rolled
    /// back any more; no effects (the entries carried nothing to roll back).
    pub fn skip_can_rollback_to_to_head(&mut self) {
        // `advance_can_rollback_to(head)` with nothing to call per entry: only the
        // boundaries move (no walk over the entries just appended).
        let head = self.log.head;
        self.log.can_rollback_to = self.log.can_rollback_to.max(head);
        self.log.rollback_info_trimmed_to = self.log.rollback_info_trimmed_to.max(head);
    }

    /// `split_out_child(child, split_bits)`: moves the entries of objects now
    /// mapping to `child` into a new indexed log.
    pub fn split_out_child(&mut self, child: PgId, split_bits: u32) -> IndexedLog {
        let child_log = self.log.split_out_child(child, split_bits);
        self.index();
        self.complete_to = None;
        let mut target = IndexedLog {
            log: child_log,
            ..IndexedLog::default()
        };
        target.index();
        target
    }
}

impl IndexedLog {
    /// Entries from `v` on (inclusive), oldest first.
    pub(crate) fn entries_after_inclusive(&self, v: EVersion) -> &[LogEntry] {
        let i = self.log.entries.partition_point(|e| e.version < v);
        self.log.entries.get(i..).unwrap_or_default()
    }
}
