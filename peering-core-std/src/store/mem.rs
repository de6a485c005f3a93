//! [`MemStore`]: an in-memory object store for PG metadata and collections.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use peering_core::ctx::{Transaction, TxOp};
use peering_core::intervals::{PastIntervals, UpActing};
use peering_core::log::{LogEffect, Missing, PgLogT};
use peering_core::machine::{Config, PgLoad};
use peering_core::types::{EVersion, Epoch, ObjectId, OsdId, PgInfo, SpgId, Version};

use super::collection::{Collection, InMemory, apply_effect, apply_new_entry, move_matching};
use super::delta::{LogDelta, log_delta};
use super::{PgMeta, Store, StoreError, TxnId};

/// What one PG instance has on disk (Ceph's PG meta object, its log keys and
/// its collection).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct StoredPg {
    /// The last `WriteInfo`'s info (`None` until the first one).
    pub info: Option<PgInfo>,
    /// The map epoch recorded with it (`need_write_epoch`, the `_epoch` key).
    pub epoch: Epoch,
    /// The last past intervals written (`dirty_big_info`).
    pub past_intervals: PastIntervals,
    /// The log (`None` until the first `WriteLog`), kept up to date by
    /// applying each write's delta.
    pub log: Option<PgLogT>,
    /// The missing set written with it.
    pub missing: Option<Missing>,
    /// Every object side effect applied, in order (rollbacks, removals, ...).
    pub effects: Vec<LogEffect>,
    /// The objects of the PG's collection with their versions, as the
    /// persisted log, its effects, recovery and backfill left them.
    pub objects: BTreeMap<ObjectId, EVersion>,
    /// Objects stashed by `try_stash` (`ghobject_t(oid, version)`), with the
    /// version they held.
    pub stashes: BTreeMap<(ObjectId, Version), EVersion>,
    /// How many non-empty transactions were applied.
    pub transactions: usize,
}

impl StoredPg {
    /// The PG's collection, for the shared object-side code.
    fn collection(&mut self) -> InMemory<'_> {
        InMemory {
            objects: &mut self.objects,
            stashes: &mut self.stashes,
        }
    }

    /// Applies one `WriteLog` as a delta: the new entries' writes on the
    /// collection, then the keys that changed.
    fn write_log(&mut self, log: &PgLogT, missing: &Missing) -> Result<(), Infallible> {
        let empty = BTreeMap::new();
        let stored_log = self.log.take().unwrap_or_default();
        let stored_missing = self.missing.take();
        let delta = log_delta(
            stored_log.entries.iter().map(|e| e.version),
            stored_log
                .dups
                .iter()
                .map(|d| d.version)
                .collect::<BTreeSet<_>>(),
            stored_missing.as_ref().map_or(&empty, |m| m.items()),
            log,
            missing,
        );
        let old_head = stored_log.head;
        for e in delta.put_entries.iter().filter(|e| e.version > old_head) {
            apply_new_entry(&mut self.collection(), e, missing)?;
        }
        let (new_log, new_missing) =
            apply_delta(stored_log, stored_missing.unwrap_or_default(), &delta);
        self.log = Some(new_log);
        self.missing = Some(new_missing);
        Ok(())
    }
}

/// The stored log and missing set with `delta` applied (keys removed, keys
/// put, bounds replaced).
fn apply_delta(mut log: PgLogT, mut missing: Missing, delta: &LogDelta<'_>) -> (PgLogT, Missing) {
    if !delta.del_entries.is_empty() {
        log.entries
            .retain(|e| delta.del_entries.binary_search(&e.version).is_err());
    }
    let append_only = match (log.entries.last(), delta.put_entries.first()) {
        (Some(last), Some(first)) => first.version > last.version,
        _ => true,
    };
    log.entries
        .extend(delta.put_entries.iter().map(|e| (*e).clone()));
    if !append_only {
        log.entries.sort_by_key(|e| e.version);
    }
    if !delta.del_dups.is_empty() {
        log.dups
            .retain(|d| delta.del_dups.binary_search(&d.version).is_err());
    }
    if !delta.put_dups.is_empty() {
        log.dups
            .extend(delta.put_dups.iter().flat_map(|(_, g)| g.iter().cloned()));
        log.dups.sort_by_key(|d| d.version);
    }
    for oid in &delta.del_missing {
        missing.rm_item(oid);
    }
    for (oid, item) in &delta.put_missing {
        missing.rm_item(oid);
        missing.add(oid, item.need, item.have, item.delete);
    }
    let b = delta.bounds;
    log.head = b.head;
    log.tail = b.tail;
    log.can_rollback_to = b.can_rollback_to;
    log.rollback_info_trimmed_to = b.rollback_info_trimmed_to;
    missing.may_include_deletes = b.may_include_deletes;
    (log, missing)
}

/// An in-memory store of every OSD's PG instances, keyed by OSD then PG shard
/// (ordered, so iteration is deterministic). Commits are durable at once.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MemStore {
    pgs: BTreeMap<(OsdId, SpgId), StoredPg>,
    committed: Vec<(OsdId, TxnId)>,
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        MemStore::default()
    }

    /// Applies `t` for the PG instance `pgid` on `osd`, atomically (the whole
    /// transaction or nothing, as `ObjectStore::queue_transaction`), without an
    /// on-commit report (a scenario's starting disk state).
    pub fn apply(&mut self, osd: OsdId, pgid: SpgId, t: &Transaction) {
        if t.is_empty() {
            return;
        }
        let mut pg = self.pgs.remove(&(osd, pgid)).unwrap_or_default();
        let removed = match apply_ops(&mut pg, t, osd, &mut self.pgs) {
            Ok(removed) => removed,
            Err(never) => match never {},
        };
        // `RemovePg`: the PG's metadata and its collection go; nothing of it
        // is left to load (§3 "Deleting").
        if !removed {
            pg.transactions += 1;
            self.pgs.insert((osd, pgid), pg);
        }
    }

    /// What `osd` has persisted for `pgid`, if anything.
    pub fn get(&self, osd: OsdId, pgid: SpgId) -> Option<&StoredPg> {
        self.pgs.get(&(osd, pgid))
    }

    /// The PG shards `osd` has persisted, in order (what an OSD finds on boot).
    pub fn pgs_on(&self, osd: OsdId) -> impl Iterator<Item = SpgId> + '_ {
        self.pgs
            .keys()
            .filter(move |(o, _)| *o == osd)
            .map(|(_, p)| *p)
    }

    /// Forgets `osd`'s copy of `pgid` (the PG was removed).
    pub fn remove(&mut self, osd: OsdId, pgid: SpgId) -> Option<StoredPg> {
        self.pgs.remove(&(osd, pgid))
    }

    /// Seeds the store with a PG as if it had been written earlier (a scenario's
    /// starting disk state), at map epoch `epoch`.
    pub fn seed(&mut self, osd: OsdId, load: &PgLoad, epoch: Epoch) {
        self.apply(osd, load.info.pgid, &seed_transaction(load, epoch));
    }

    /// The arguments to reload `osd`'s instance of `pgid` (`init_from_disk_state`)
    /// with its `mapping` in the map of the stored epoch, or `None` when no
    /// info was ever written or the stored log is inconsistent.
    pub fn load_args(
        &self,
        osd: OsdId,
        pgid: SpgId,
        mapping: UpActing,
        config: Config,
    ) -> Option<PgLoad> {
        self.read_pg(osd, pgid)
            .ok()
            .flatten()?
            .into_load(osd, mapping, config)
    }
}

/// The transaction that writes `load` as a PG persisted at `epoch` (its info,
/// past intervals, log and missing set).
pub fn seed_transaction(load: &PgLoad, epoch: Epoch) -> Transaction {
    Transaction {
        ops: vec![
            TxOp::WriteInfo {
                info: load.info.clone(),
                epoch,
                past_intervals: Some(load.past_intervals.clone()),
            },
            TxOp::WriteLog {
                log: load.log.log().log().clone(),
                missing: load.log.missing().clone(),
            },
        ],
    }
}

/// Applies `t`'s operations to `pg` (on `osd`) in order; true when the PG
/// was removed. A split moves objects to a child's collection in `others`
/// (every PG instance but `pg`).
fn apply_ops(
    pg: &mut StoredPg,
    t: &Transaction,
    osd: OsdId,
    others: &mut BTreeMap<(OsdId, SpgId), StoredPg>,
) -> Result<bool, Infallible> {
    let mut removed = false;
    for op in &t.ops {
        match op {
            TxOp::WriteInfo {
                info,
                epoch,
                past_intervals,
            } => {
                pg.info = Some(info.clone());
                pg.epoch = *epoch;
                if let Some(pi) = past_intervals {
                    pg.past_intervals = pi.clone();
                }
            }
            TxOp::WriteLog { log, missing } => pg.write_log(log, missing)?,
            TxOp::LogEffects(effects) => {
                for e in effects {
                    apply_effect(&mut pg.collection(), e)?;
                }
                pg.effects.extend(effects.iter().cloned());
            }
            TxOp::RemoveObject(oid) => pg.collection().remove(oid)?,
            TxOp::RemovePg { .. } => removed = true,
            TxOp::SplitCollection { child, split_bits } => {
                let to = others.entry((osd, *child)).or_default();
                let goes = |o: &ObjectId| o.matches(*split_bits, child.pgid.seed);
                move_matching(&mut pg.objects, &mut to.objects, goes);
                move_matching(&mut pg.stashes, &mut to.stashes, |(o, _)| goes(o));
            }
            TxOp::MergeCollection { source } => {
                // The source's objects join ours; its metadata goes with it.
                if let Some(mut from) = others.remove(&(osd, *source)) {
                    pg.objects.append(&mut from.objects);
                    pg.stashes.append(&mut from.stashes);
                }
            }
        }
    }
    Ok(removed)
}

impl Store for MemStore {
    fn queue_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        txn: TxnId,
        t: &Transaction,
    ) -> Result<(), StoreError> {
        self.apply(osd, pgid, t);
        self.committed.push((osd, txn));
        Ok(())
    }

    fn apply_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        t: &Transaction,
    ) -> Result<(), StoreError> {
        self.apply(osd, pgid, t);
        Ok(())
    }

    fn drain_committed(&mut self) -> Vec<(OsdId, TxnId)> {
        std::mem::take(&mut self.committed)
    }

    fn list_pgs(&self, osd: OsdId) -> Result<Vec<SpgId>, StoreError> {
        Ok(self.pgs_on(osd).collect())
    }

    fn read_pg(&self, osd: OsdId, pgid: SpgId) -> Result<Option<PgMeta>, StoreError> {
        let Some(stored) = self.get(osd, pgid) else {
            return Ok(None);
        };
        let Some(info) = stored.info.clone() else {
            return Ok(None);
        };
        Ok(Some(PgMeta {
            info,
            epoch: stored.epoch,
            past_intervals: stored.past_intervals.clone(),
            log: stored.log.clone().unwrap_or_default(),
            missing: stored.missing.clone().unwrap_or_else(|| Missing::new(true)),
        }))
    }

    fn remove_pg(&mut self, osd: OsdId, pgid: SpgId) -> Result<(), StoreError> {
        self.pgs.remove(&(osd, pgid));
        Ok(())
    }

    fn list_objects(
        &self,
        osd: OsdId,
        pgid: SpgId,
        after: Option<&ObjectId>,
        max: usize,
    ) -> Result<Vec<(ObjectId, EVersion)>, StoreError> {
        let Some(pg) = self.get(osd, pgid) else {
            return Ok(Vec::new());
        };
        let range = match after {
            Some(a) => pg
                .objects
                .range::<ObjectId, _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded)),
            None => pg.objects.range::<ObjectId, _>(..),
        };
        Ok(range.take(max).map(|(o, v)| (o.clone(), *v)).collect())
    }

    fn object_version(
        &self,
        osd: OsdId,
        pgid: SpgId,
        oid: &ObjectId,
    ) -> Result<Option<EVersion>, StoreError> {
        Ok(self
            .get(osd, pgid)
            .and_then(|pg| pg.objects.get(oid).copied()))
    }

    fn write_object(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        oid: &ObjectId,
        version: EVersion,
        delete: bool,
    ) -> Result<(), StoreError> {
        if let Some(pg) = self.pgs.get_mut(&(osd, pgid)) {
            if delete {
                pg.objects.remove(oid);
            } else {
                pg.objects.insert(oid.clone(), version);
            }
        }
        Ok(())
    }
}
