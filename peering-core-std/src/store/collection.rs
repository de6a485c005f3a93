//! What the log does to a PG's collection: the object side of a transaction,
//! one semantics for every store.
//!
//! Objects are kept as names and versions (the `object_info_t` version; the
//! data path is the host's). Two things change them inside a transaction:
//!
//! * a log entry newer than the stored head is the write that produced it
//!   (`ReplicatedBackend::submit_transaction` puts the object and its log entry
//!   in one transaction): an update stores the object at the entry's version,
//!   a delete removes it, and an erasure-coded entry that records a
//!   `DELETE` rollback step first stashes the old object under it; unless the new missing set says the object still
//!   needs that version (an entry merged from the authoritative log during
//!   peering: the data is not here until recovery pushes it);
//! * each [`LogEffect`], in order (`PGLog::LogEntryHandler`, applied by
//!   `PGBackend::rollback`, `trim`, `remove`, `try_stash`).

use std::collections::BTreeMap;
use std::convert::Infallible;

use peering_core::log::{LogEffect, LogEntry, Missing, RollbackStep};
use peering_core::types::{EVersion, ObjectId, Version};

/// The object operations a store provides for one PG's collection, inside
/// one transaction.
pub(crate) trait Collection {
    /// What an operation can fail with (nothing, for memory).
    type Error;
    /// The head object's version, if it exists.
    fn get(&mut self, oid: &ObjectId) -> Result<Option<EVersion>, Self::Error>;
    /// Stores the head object at `v`.
    fn put(&mut self, oid: &ObjectId, v: EVersion) -> Result<(), Self::Error>;
    /// Removes the head object (absent is fine).
    fn remove(&mut self, oid: &ObjectId) -> Result<(), Self::Error>;
    /// Stores the stash of `oid` made at `at` (`ghobject_t(oid, at)`), holding
    /// the object's version `v`.
    fn put_stash(&mut self, oid: &ObjectId, at: Version, v: EVersion) -> Result<(), Self::Error>;
    /// Removes and returns the stash of `oid` made at `at`.
    fn take_stash(&mut self, oid: &ObjectId, at: Version) -> Result<Option<EVersion>, Self::Error>;
}

/// A collection held in memory, as `MemStore` and the OSD's default object
/// layer ([`crate::osd::VersionsOnly`]) keep it: head objects and stashes
/// by key.
pub(crate) struct InMemory<'a> {
    /// The head objects and their versions.
    pub objects: &'a mut BTreeMap<ObjectId, EVersion>,
    /// The stashes (`ghobject_t(oid, version)`) and the versions they hold.
    pub stashes: &'a mut BTreeMap<(ObjectId, Version), EVersion>,
}

// Memory cannot fail: every operation is `Infallible`.
impl Collection for InMemory<'_> {
    type Error = Infallible;
    fn get(&mut self, oid: &ObjectId) -> Result<Option<EVersion>, Infallible> {
        Ok(self.objects.get(oid).copied())
    }
    fn put(&mut self, oid: &ObjectId, v: EVersion) -> Result<(), Infallible> {
        self.objects.insert(oid.clone(), v);
        Ok(())
    }
    fn remove(&mut self, oid: &ObjectId) -> Result<(), Infallible> {
        self.objects.remove(oid);
        Ok(())
    }
    fn put_stash(&mut self, oid: &ObjectId, at: Version, v: EVersion) -> Result<(), Infallible> {
        self.stashes.insert((oid.clone(), at), v);
        Ok(())
    }
    fn take_stash(&mut self, oid: &ObjectId, at: Version) -> Result<Option<EVersion>, Infallible> {
        Ok(self.stashes.remove(&(oid.clone(), at)))
    }
}

/// Applies one log effect to `c`.
pub(crate) fn apply_effect<C: Collection>(c: &mut C, effect: &LogEffect) -> Result<(), C::Error> {
    match effect {
        LogEffect::Rollback(e) => rollback(c, e),
        // Rolling forward or trimming an entry drops what its rollback kept.
        LogEffect::Rollforward(e) | LogEffect::Trim(e) => drop_stashes(c, e),
        LogEffect::Remove(oid) => c.remove(oid),
        LogEffect::TryStash { soid, version } => match c.get(soid)? {
            Some(v) => {
                c.put_stash(soid, *version, v)?;
                c.remove(soid)
            }
            None => Ok(()),
        },
    }
}

/// `PGBackend::rollback(entry)`: replays the entry's rollback steps
/// (`ObjectModDesc` visitor): `CREATE` removes the object, `DELETE` and
/// `TRY_DELETE` restore the stash; any other step leaves the object at the
/// entry's prior version.
fn rollback<C: Collection>(c: &mut C, e: &LogEntry) -> Result<(), C::Error> {
    let mut touched = false;
    for step in e.mod_desc.steps() {
        match step {
            RollbackStep::Create => c.remove(&e.soid)?,
            RollbackStep::Delete { old_version } | RollbackStep::TryDelete { old_version } => {
                if let Some(v) = c.take_stash(&e.soid, *old_version)? {
                    c.put(&e.soid, v)?;
                }
            }
            RollbackStep::Append { .. }
            | RollbackStep::SetAttrs { .. }
            | RollbackStep::UpdateSnaps { .. }
            | RollbackStep::RollbackExtents { .. } => touched = true,
        }
    }
    if touched && !e.prior_version.is_zero() && c.get(&e.soid)?.is_some() {
        c.put(&e.soid, e.prior_version)?;
    }
    Ok(())
}

/// `PGBackend::trim` / `rollforward`: the stashes the entry's rollback would
/// have restored are removed.
fn drop_stashes<C: Collection>(c: &mut C, e: &LogEntry) -> Result<(), C::Error> {
    for step in e.mod_desc.steps() {
        if let RollbackStep::Delete { old_version } | RollbackStep::TryDelete { old_version } = step
        {
            c.take_stash(&e.soid, *old_version)?;
        }
    }
    Ok(())
}

/// The write that produced `e` (an entry newer than the stored head), unless
/// `missing` says the object still needs `e`'s version.
pub(crate) fn apply_new_entry<C: Collection>(
    c: &mut C,
    e: &LogEntry,
    missing: &Missing,
) -> Result<(), C::Error> {
    if missing.get(&e.soid).is_some_and(|m| m.need >= e.version) {
        return Ok(());
    }
    // An erasure-coded write that may be rolled back first moves the old
    // object aside under the entry's version (`ECTransaction`'s
    // `collection_move_rename` to the generation object that
    // `mod_desc.rmobject` names); rollback restores it, roll forward drops it.
    for step in e.mod_desc.steps() {
        if let RollbackStep::Delete { old_version } = step
            && let Some(v) = c.get(&e.soid)?
        {
            c.put_stash(&e.soid, *old_version, v)?;
            c.remove(&e.soid)?;
        }
    }
    if e.is_update() {
        c.put(&e.soid, e.version)
    } else if e.is_delete() {
        c.remove(&e.soid)
    } else {
        Ok(())
    }
}

/// Moves the entries of `from` whose key `goes` into `to` (a collection
/// split in memory: Ceph's `split_collection` on one map of the collection).
/// Work and memory are linear in `from`.
pub(crate) fn move_matching<K: Ord + Clone, V>(
    from: &mut BTreeMap<K, V>,
    to: &mut BTreeMap<K, V>,
    goes: impl Fn(&K) -> bool,
) {
    let keys: Vec<K> = from.keys().filter(|k| goes(k)).cloned().collect();
    for k in keys {
        if let Some(v) = from.remove(&k) {
            to.insert(k, v);
        }
    }
}
