//! [`RedbStore`]: PG metadata and collections in [redb](https://docs.rs/redb)
//! databases, one file per OSD (`osd.N.redb` in one directory), with Ceph's
//! omap key layout ([`keys`]) and a versioned value encoding ([`codec`]).
//!
//! Every transaction is one redb write transaction committed with
//! `Durability::Immediate`: when [`Store::queue_transaction`] returns `Ok`, the
//! transaction is on disk and its id is reported by
//! [`Store::drain_committed`]; when it fails, nothing of it is.

mod apply;
mod codec;
#[cfg(test)]
mod crash_points;
mod keys;
mod read;
mod superblock;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use peering_core::ctx::Transaction;
use peering_core::log::MissingItem;
use peering_core::types::{EVersion, ObjectId, OsdId, SpgId};
use redb::{Database, TableDefinition};

use super::{LogBounds, PgMeta, Store, StoreError, TxnId};

pub use codec::{STORE_FORMAT, VALUE_FORMAT};

/// The OSD's identity and the store format (Ceph's OSD superblock).
const SUPERBLOCK: TableDefinition<&str, &[u8]> = TableDefinition::new("superblock");
/// One key per PG instance held (the collection list): prefix → `spg_t`.
const PGS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("pgs");
/// The PG meta objects' omap (see [`keys`]).
const OMAP: TableDefinition<&[u8], &[u8]> = TableDefinition::new("omap");
/// The collections' head objects: prefix + object key → (object, version).
const OBJECTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("objects");
/// Stashed objects: prefix + object key + stash version → (object, version).
const STASHES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("stashes");

/// The superblock key of the store format (a raw little-endian `u32`, the one
/// value whose layout never changes).
const STORE_VERSION_KEY: &str = "store_version";
/// The superblock key of the OSD id.
const WHOAMI_KEY: &str = "whoami";

/// What a write needs to know of a PG's stored log without reading it: the
/// versions of its entries and dups, its missing items and bounds (rebuilt
/// from the keys the first time a PG is written after the store opens).
#[derive(Clone, Debug, Default)]
struct PgKeys {
    entries: Vec<EVersion>,
    dups: BTreeSet<EVersion>,
    missing: BTreeMap<ObjectId, MissingItem>,
    bounds: Option<LogBounds>,
}

/// One OSD's database.
struct OsdDb {
    osd: OsdId,
    db: Database,
    cache: BTreeMap<SpgId, PgKeys>,
}

/// What the store wrote, for reports and benchmarks.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct WriteStats {
    /// Committed write transactions.
    pub commits: u64,
    /// Keys inserted or replaced.
    pub keys_put: u64,
    /// Keys removed.
    pub keys_removed: u64,
    /// Bytes of keys and values inserted or replaced.
    pub bytes_put: u64,
}

/// A [`Store`] on redb: one database file per OSD in a directory (see the
/// module docs). An OSD whose file cannot be opened (truncated, another
/// format, another OSD's) answers every call with that error; the others work.
pub struct RedbStore {
    dir: PathBuf,
    osds: BTreeMap<OsdId, Result<OsdDb, StoreError>>,
    committed: Vec<(OsdId, TxnId)>,
    stats: WriteStats,
}

impl fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedbStore")
            .field("dir", &self.dir)
            .field("osds", &self.osds.keys().collect::<Vec<_>>())
            .field("stats", &self.stats)
            .finish()
    }
}

/// A redb error of `osd` as a [`StoreError::Database`].
pub(crate) fn db_err(osd: OsdId) -> impl Fn(&dyn fmt::Display) -> StoreError {
    move |e| StoreError::Database {
        osd,
        detail: e.to_string(),
    }
}

/// Maps any redb error of `osd`.
macro_rules! db {
    ($osd:expr, $e:expr) => {
        $e.map_err(|e| $crate::store::redb_store::db_err($osd)(&e))
    };
}
pub(crate) use db;

impl RedbStore {
    /// Opens (creating it if needed) the store in `dir`: every `osd.N.redb`
    /// file in it is opened and checked (store format, OSD id); files for
    /// other OSDs are created on their first write.
    pub fn open(dir: impl AsRef<Path>) -> Result<RedbStore, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        let io = |e: std::io::Error| StoreError::Database {
            osd: OsdId::UNDEF,
            detail: format!("{}: {e}", dir.display()),
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let mut osds = BTreeMap::new();
        let mut names: Vec<(OsdId, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if let Some(osd) = osd_of_file(&path) {
                names.push((osd, path));
            }
        }
        names.sort();
        for (osd, path) in names {
            osds.insert(osd, OsdDb::open(osd, &path));
        }
        Ok(RedbStore {
            dir,
            osds,
            committed: Vec::new(),
            stats: WriteStats::default(),
        })
    }

    /// Closes every database and opens the directory again: what a restarted
    /// process reads (nothing cached survives).
    pub fn reopen(&mut self) -> Result<(), StoreError> {
        self.osds.clear();
        let fresh = RedbStore::open(&self.dir)?;
        self.osds = fresh.osds;
        Ok(())
    }

    /// The file of `osd`'s database.
    pub fn path_of(&self, osd: OsdId) -> PathBuf {
        self.dir.join(file_name(osd))
    }

    /// The directory of the store.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the store wrote since it was opened.
    pub fn stats(&self) -> WriteStats {
        self.stats
    }

    /// `ceph-objectstore-tool --op fsck`, reduced: every record of `osd` that
    /// cannot be read (a value that does not decode, a version not
    /// understood) and every key of a PG the OSD does not hold, in key order.
    /// Empty when the database is sound.
    pub fn check(&self, osd: OsdId) -> Vec<StoreError> {
        match self.osds.get(&osd) {
            None => Vec::new(),
            Some(Err(e)) => vec![e.clone()],
            Some(Ok(db)) => db.check(),
        }
    }

    /// `ceph-kvstore-tool list`: every record of `osd`'s database, in table
    /// then key order, as (table, printable key, raw value). What the golden
    /// files pin down.
    pub fn dump(&self, osd: OsdId) -> Result<Vec<(String, String, Vec<u8>)>, StoreError> {
        match self.read_db(osd)? {
            Some(db) => db.dump(),
            None => Ok(Vec::new()),
        }
    }

    /// `osd`'s database for reading; `None` when it has none yet.
    fn read_db(&self, osd: OsdId) -> Result<Option<&OsdDb>, StoreError> {
        match self.osds.get(&osd) {
            None => Ok(None),
            Some(Err(e)) => Err(e.clone()),
            Some(Ok(db)) => Ok(Some(db)),
        }
    }

    /// `osd`'s database for writing, created when it has none yet.
    fn write_db(&mut self, osd: OsdId) -> Result<&mut OsdDb, StoreError> {
        let path = self.path_of(osd);
        let slot = self
            .osds
            .entry(osd)
            .or_insert_with(|| OsdDb::open(osd, &path));
        match slot {
            Ok(db) => Ok(db),
            Err(e) => Err(e.clone()),
        }
    }

    /// Applies `t` and commits it durably.
    fn commit(&mut self, osd: OsdId, pgid: SpgId, t: &Transaction) -> Result<(), StoreError> {
        if t.is_empty() {
            return Ok(());
        }
        let db = self.write_db(osd)?;
        let stats = db.apply(pgid, t)?;
        self.stats.commits += 1;
        self.stats.keys_put += stats.keys_put;
        self.stats.keys_removed += stats.keys_removed;
        self.stats.bytes_put += stats.bytes_put;
        Ok(())
    }
}

/// `osd.N.redb`.
fn file_name(osd: OsdId) -> String {
    format!("osd.{}.redb", osd.0)
}

/// The OSD a file of the store belongs to, by its name.
fn osd_of_file(path: &Path) -> Option<OsdId> {
    let name = path.file_name()?.to_str()?;
    let id = name.strip_prefix("osd.")?.strip_suffix(".redb")?;
    id.parse().ok().map(OsdId)
}

impl Store for RedbStore {
    fn queue_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        txn: TxnId,
        t: &Transaction,
    ) -> Result<(), StoreError> {
        self.commit(osd, pgid, t)?;
        self.committed.push((osd, txn));
        Ok(())
    }

    fn apply_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        t: &Transaction,
    ) -> Result<(), StoreError> {
        self.commit(osd, pgid, t)
    }

    fn drain_committed(&mut self) -> Vec<(OsdId, TxnId)> {
        std::mem::take(&mut self.committed)
    }

    fn list_pgs(&self, osd: OsdId) -> Result<Vec<SpgId>, StoreError> {
        match self.read_db(osd)? {
            Some(db) => db.list_pgs(),
            None => Ok(Vec::new()),
        }
    }

    fn read_pg(&self, osd: OsdId, pgid: SpgId) -> Result<Option<PgMeta>, StoreError> {
        match self.read_db(osd)? {
            Some(db) => db.read_pg(pgid),
            None => Ok(None),
        }
    }

    fn remove_pg(&mut self, osd: OsdId, pgid: SpgId) -> Result<(), StoreError> {
        if self.read_db(osd)?.is_none() {
            return Ok(());
        }
        self.write_db(osd)?.remove_pg(pgid)?;
        self.stats.commits += 1;
        Ok(())
    }

    fn list_objects(
        &self,
        osd: OsdId,
        pgid: SpgId,
        after: Option<&ObjectId>,
        max: usize,
    ) -> Result<Vec<(ObjectId, EVersion)>, StoreError> {
        match self.read_db(osd)? {
            Some(db) => db.list_objects(pgid, after, max),
            None => Ok(Vec::new()),
        }
    }

    fn object_version(
        &self,
        osd: OsdId,
        pgid: SpgId,
        oid: &ObjectId,
    ) -> Result<Option<EVersion>, StoreError> {
        match self.read_db(osd)? {
            Some(db) => db.object_version(pgid, oid),
            None => Ok(None),
        }
    }

    fn write_object(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        oid: &ObjectId,
        version: EVersion,
        delete: bool,
    ) -> Result<(), StoreError> {
        if self.read_db(osd)?.is_none() {
            return Ok(());
        }
        if self
            .write_db(osd)?
            .write_object(pgid, oid, version, delete)?
        {
            self.stats.commits += 1;
        }
        Ok(())
    }
}
