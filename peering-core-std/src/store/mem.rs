//! [`MemStore`]: an in-memory object store for PG metadata.

use std::collections::{BTreeMap, BTreeSet};

use peering_core::ctx::{Transaction, TxOp};
use peering_core::intervals::{PastIntervals, UpActing};
use peering_core::log::{LogEffect, Missing, PgLog, PgLogT};
use peering_core::machine::{Config, PgLoad};
use peering_core::types::{EVersion, Epoch, ObjectId, OsdId, PgInfo, PgShard, SpgId};

/// What one PG instance has on disk (Ceph's PG meta object and log keys).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct StoredPg {
    /// The last `WriteInfo`'s info (`None` until the first one).
    pub info: Option<PgInfo>,
    /// The map epoch recorded with it (`need_write_epoch`, the `_epoch` key).
    pub epoch: Epoch,
    /// The last past intervals written (`dirty_big_info`).
    pub past_intervals: PastIntervals,
    /// The last log written (`None` until the first `WriteLog`).
    pub log: Option<PgLogT>,
    /// The missing set written with it.
    pub missing: Option<Missing>,
    /// Every object side effect applied, in order (rollbacks, removals, ...).
    pub effects: Vec<LogEffect>,
    /// The objects of the PG's collection, as the persisted log created and deleted
    /// them (object data is out of scope: the names are what deletion lists).
    pub objects: BTreeSet<ObjectId>,
    /// How many non-empty transactions were applied.
    pub transactions: usize,
}

impl StoredPg {
    /// Applies the effect of log entries newer than the previously stored head on
    /// the collection: an update creates the object, a delete removes it.
    fn track_objects(&mut self, log: &PgLogT) {
        let since = self.log.as_ref().map_or(EVersion::ZERO, |l| l.head);
        for e in log.entries.iter().filter(|e| e.version > since) {
            if e.is_update() {
                self.objects.insert(e.soid.clone());
            } else if e.is_delete() {
                self.objects.remove(&e.soid);
            }
        }
    }
}

/// An in-memory store of every OSD's PG instances, keyed by OSD then PG shard
/// (ordered, so iteration is deterministic).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MemStore {
    pgs: BTreeMap<(OsdId, SpgId), StoredPg>,
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        MemStore::default()
    }

    /// Applies `t` for the PG instance `pgid` on `osd`, atomically (the whole
    /// transaction or nothing, as `ObjectStore::queue_transaction`).
    pub fn apply(&mut self, osd: OsdId, pgid: SpgId, t: &Transaction) {
        if t.is_empty() {
            return;
        }
        let pg = self.pgs.entry((osd, pgid)).or_default();
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
                TxOp::WriteLog { log, missing } => {
                    pg.track_objects(log);
                    pg.log = Some(log.clone());
                    pg.missing = Some(missing.clone());
                }
                TxOp::LogEffects(effects) => pg.effects.extend(effects.iter().cloned()),
                TxOp::RemoveObject(oid) => {
                    pg.objects.remove(oid);
                }
                // The PG's metadata and its (now empty) collection go; nothing of
                // it is left to load (§3 "Deleting").
                TxOp::RemovePg { .. } => removed = true,
            }
        }
        pg.transactions += 1;
        if removed {
            self.pgs.remove(&(osd, pgid));
        }
    }

    /// `collection_list` for deletion: at most `max` objects of
    /// `osd`'s instance of `pgid` that sort after `after` (from the start when
    /// `None`), ascending.
    pub fn list_objects(
        &self,
        osd: OsdId,
        pgid: SpgId,
        after: Option<&ObjectId>,
        max: usize,
    ) -> Vec<ObjectId> {
        let Some(pg) = self.get(osd, pgid) else {
            return Vec::new();
        };
        pg.objects
            .iter()
            .filter(|o| after.is_none_or(|a| *o > a))
            .take(max)
            .cloned()
            .collect()
    }

    /// A recovery push or a backfill copy wrote `oid` into `osd`'s collection of
    /// `pgid` (the object data path of versions only).
    pub fn put_object(&mut self, osd: OsdId, pgid: SpgId, oid: &ObjectId) {
        if let Some(pg) = self.pgs.get_mut(&(osd, pgid)) {
            pg.objects.insert(oid.clone());
        }
    }

    /// Recovery of a deletion removed `oid` from `osd`'s collection of `pgid`.
    pub fn drop_object(&mut self, osd: OsdId, pgid: SpgId, oid: &ObjectId) {
        if let Some(pg) = self.pgs.get_mut(&(osd, pgid)) {
            pg.objects.remove(oid);
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
        let pg = self.pgs.entry((osd, load.info.pgid)).or_default();
        pg.info = Some(load.info.clone());
        pg.epoch = epoch;
        pg.past_intervals = load.past_intervals.clone();
        pg.track_objects(load.log.log().log());
        pg.log = Some(load.log.log().log().clone());
        pg.missing = Some(load.log.missing().clone());
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
        let stored = self.get(osd, pgid)?;
        let info = stored.info.clone()?;
        let missing = stored.missing.clone().unwrap_or_else(|| Missing::new(true));
        let log = PgLog::from_parts(stored.log.clone().unwrap_or_default(), missing).ok()?;
        Some(PgLoad {
            whoami: PgShard::new(osd, pgid.shard),
            info,
            past_intervals: stored.past_intervals.clone(),
            log,
            mapping,
            config,
        })
    }
}
