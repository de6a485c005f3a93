//! Ceph's `pg_missing_item` and `pg_missing_t`.

use alloc::collections::btree_map::Entry;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::entry::LogEntry;
use super::error::LogError;
use crate::types::{EVersion, ObjectId, PgId};

/// Ceph's `pg_missing_item`: the version an object needs and the one held.
/// `have == 0'0` means no copy at all.
///
/// `clean_regions` is not modelled: every item is fully dirty, which is what Ceph
/// falls back to whenever it cannot prove a region clean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MissingItem {
    /// The version to recover.
    pub need: EVersion,
    /// The version held (`0'0`: none).
    pub have: EVersion,
    /// `FLAG_DELETE`: recovering means deleting the object.
    pub delete: bool,
}

impl MissingItem {
    /// `is_delete()`.
    pub fn is_delete(&self) -> bool {
        self.delete
    }
}

/// Ceph's `pg_missing_t`: the objects a PG instance is behind on, with the reverse
/// index `rmissing` (need → object) kept in step.
///
/// `rmissing` is a multimap upstream (divergent merges can transiently give two
/// objects the same need); a set of `(need, object)` pairs is the same multimap in
/// a deterministic order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(from = "MissingWire", into = "MissingWire")
)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Missing {
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    items: BTreeMap<ObjectId, MissingItem>,
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    rmissing: BTreeSet<(EVersion, ObjectId)>,
    /// Mirrors the map flag `RECOVERY_DELETES`: deletes are recovered as missing
    /// items with the delete flag instead of being applied during peering.
    pub may_include_deletes: bool,
}

/// What travels and is stored of a missing set: the items; `rmissing` is rebuilt.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct MissingWire {
    items: Vec<(ObjectId, MissingItem)>,
    may_include_deletes: bool,
}

#[cfg(feature = "serde")]
impl From<MissingWire> for Missing {
    fn from(w: MissingWire) -> Self {
        let mut m = Missing::new(w.may_include_deletes);
        for (oid, item) in w.items {
            m.insert(oid, item);
        }
        m
    }
}

#[cfg(feature = "serde")]
impl From<Missing> for MissingWire {
    fn from(m: Missing) -> Self {
        MissingWire {
            items: m.items.into_iter().collect(),
            may_include_deletes: m.may_include_deletes,
        }
    }
}

impl Missing {
    /// An empty missing set.
    pub fn new(may_include_deletes: bool) -> Self {
        Missing {
            may_include_deletes,
            ..Missing::default()
        }
    }

    /// `get_items()`: object → item, in object order.
    pub fn items(&self) -> &BTreeMap<ObjectId, MissingItem> {
        &self.items
    }

    /// `get_rmissing()`: `(need, object)` pairs, oldest need first.
    pub fn rmissing(&self) -> &BTreeSet<(EVersion, ObjectId)> {
        &self.rmissing
    }

    /// The item of `oid`, if missing.
    pub fn get(&self, oid: &ObjectId) -> Option<&MissingItem> {
        self.items.get(oid)
    }

    /// `num_missing()`.
    pub fn num_missing(&self) -> usize {
        self.items.len()
    }

    /// `have_missing()`.
    pub fn have_missing(&self) -> bool {
        !self.items.is_empty()
    }

    /// `is_missing(oid)`.
    pub fn is_missing(&self, oid: &ObjectId) -> bool {
        self.items.contains_key(oid)
    }

    /// `is_missing(oid, v)`: missing and what is needed is no newer than `v`.
    pub fn is_missing_at(&self, oid: &ObjectId, v: EVersion) -> bool {
        self.items.get(oid).is_some_and(|i| i.need <= v)
    }

    /// `get_oldest_need()`: the oldest need, `0'0` when nothing is missing.
    pub fn get_oldest_need(&self) -> EVersion {
        self.rmissing
            .first()
            .map_or(EVersion::ZERO, |(need, _)| *need)
    }

    fn insert(&mut self, oid: ObjectId, item: MissingItem) {
        self.insert_ref(&oid, item);
    }

    /// Sets `oid`'s item, keeping `rmissing` in step, and returns the item it
    /// replaced. Clones the key only for a new item (both maps own a copy), or
    /// once to re-key `rmissing` when the need changes: merges add thousands of
    /// items, and each clone of an [`ObjectId`] allocates.
    fn insert_ref(&mut self, oid: &ObjectId, item: MissingItem) -> Option<MissingItem> {
        if let Some(slot) = self.items.get_mut(oid) {
            let old = *slot;
            *slot = item;
            if old.need != item.need {
                let mut key = (old.need, oid.clone());
                self.rmissing.remove(&key);
                key.0 = item.need;
                self.rmissing.insert(key);
            }
            return Some(old);
        }
        self.items.insert(oid.clone(), item);
        self.rmissing.insert((item.need, oid.clone()));
        None
    }

    fn remove(&mut self, oid: &ObjectId) -> Option<MissingItem> {
        // The removed key rebuilds the `rmissing` pair without another clone.
        let (key, old) = self.items.remove_entry(oid)?;
        self.rmissing.remove(&(old.need, key));
        Some(old)
    }

    /// Puts `oid` back to `old` (its item before a change; `None`: not missing).
    /// Undoes a journalled change when a merge is refused.
    pub(crate) fn restore(&mut self, oid: &ObjectId, old: Option<MissingItem>) {
        match old {
            Some(item) => {
                self.insert_ref(oid, item);
            }
            None => {
                self.remove(oid);
            }
        }
    }

    /// `add_next_event(e)`: advance the set over the next log entry. Must be
    /// applied in log order: it assumes the set is right up to the previous entry.
    ///
    /// A creation (`prior_version == 0'0` or a clone) needs the object from
    /// scratch; an object already missing keeps what it has and needs the new
    /// version; otherwise the object was up to date at `prior_version`.
    pub fn add_next_event(&mut self, e: &LogEntry) {
        self.add_next_event_journaled(e);
    }

    /// [`add_next_event`](Self::add_next_event), returning the item it replaced
    /// (for the undo journal of a merge).
    pub(crate) fn add_next_event_journaled(&mut self, e: &LogEntry) -> Option<MissingItem> {
        let delete = e.is_delete();
        let creates = e.prior_version.is_zero() || e.is_clone();
        // One search: the key is cloned up front, as a new item needs it anyway.
        match self.items.entry(e.soid.clone()) {
            Entry::Occupied(mut slot) => {
                // Already missing: keep what is held (nothing, for a creation).
                let old = *slot.get();
                *slot.get_mut() = MissingItem {
                    need: e.version,
                    have: if creates { EVersion::ZERO } else { old.have },
                    delete,
                };
                if old.need != e.version {
                    let mut pair = (old.need, e.soid.clone());
                    self.rmissing.remove(&pair);
                    pair.0 = e.version;
                    self.rmissing.insert(pair);
                }
                Some(old)
            }
            Entry::Vacant(slot) => {
                let have = if creates {
                    EVersion::ZERO
                } else {
                    e.prior_version
                };
                self.rmissing.insert((e.version, e.soid.clone()));
                slot.insert(MissingItem {
                    need: e.version,
                    have,
                    delete,
                });
                None
            }
        }
    }

    /// `revise_need(oid, need, is_delete)`: need `need` instead, keeping `have`
    /// (an object not yet missing is added with nothing held).
    pub fn revise_need(&mut self, oid: &ObjectId, need: EVersion, is_delete: bool) {
        let have = self.items.get(oid).map_or(EVersion::ZERO, |i| i.have);
        self.add(oid, need, have, is_delete);
    }

    /// `revise_have(oid, have)`: record what is held; no effect if not missing.
    pub fn revise_have(&mut self, oid: &ObjectId, have: EVersion) {
        if let Some(item) = self.items.get_mut(oid) {
            item.have = have;
        }
    }

    /// `add(oid, need, have, is_delete)`: mark missing, replacing any item.
    ///
    /// Deviation: Ceph leaves the old item's `rmissing` pair behind when `oid` was
    /// already missing with another need; we drop it so the reverse index stays
    /// exact (nothing in peering relies on the stale pair).
    pub fn add(&mut self, oid: &ObjectId, need: EVersion, have: EVersion, is_delete: bool) {
        self.insert_ref(
            oid,
            MissingItem {
                need,
                have,
                delete: is_delete,
            },
        );
    }

    /// `rm(oid, v)`: forget `oid` if what it needs is no newer than `v`.
    pub fn rm(&mut self, oid: &ObjectId, v: EVersion) {
        self.rm_journaled(oid, v);
    }

    /// [`rm`](Self::rm), returning the item removed (for the undo journal of a
    /// merge).
    pub(crate) fn rm_journaled(&mut self, oid: &ObjectId, v: EVersion) -> Option<MissingItem> {
        if self.is_missing_at(oid, v) {
            self.remove(oid)
        } else {
            None
        }
    }

    /// `rm(iterator)`: forget `oid` whatever it needs; returns its item.
    pub fn rm_item(&mut self, oid: &ObjectId) -> Option<MissingItem> {
        self.remove(oid)
    }

    /// `got(oid, v)`: `oid` was recovered at `v`.
    ///
    /// Errors where Ceph asserts: `oid` not missing, or `v` older than needed for
    /// an item that is not a delete. The set is then unchanged.
    pub fn got(&mut self, oid: &ObjectId, v: EVersion) -> Result<(), LogError> {
        let item = self.items.get(oid).ok_or_else(|| LogError::NotMissing {
            object: oid.clone(),
        })?;
        if item.need > v && !item.delete {
            return Err(LogError::GotOlderThanNeed {
                need: item.need,
                got: v,
            });
        }
        self.remove(oid);
        Ok(())
    }

    /// `split_into(child, split_bits, omissing)`: moves the items of objects that now
    /// map to `child` (hash under the split mask equal to the child's seed) into
    /// `child_missing`, which takes our `may_include_deletes`.
    pub fn split_into(&mut self, child: PgId, split_bits: u32, child_missing: &mut Missing) {
        child_missing.may_include_deletes = self.may_include_deletes;
        let moving: Vec<ObjectId> = self
            .items
            .keys()
            .filter(|oid| oid.matches(split_bits, child.seed))
            .cloned()
            .collect();
        for oid in moving {
            if let Some(item) = self.remove(&oid) {
                child_missing.insert(oid, item);
            }
        }
    }

    /// `claim(other)`: take `other`'s items (not its `may_include_deletes`, as in
    /// Ceph).
    pub fn claim(&mut self, other: Missing) {
        self.items = other.items;
        self.rmissing = other.rmissing;
    }

    /// `clear()`.
    pub fn clear(&mut self) {
        self.items.clear();
        self.rmissing.clear();
    }
}
