//! [`Store`]: what an OSD host asks of its object store, Ceph's `ObjectStore`
//! reduced to what peering, recovery and deletion use.

use std::fmt::Debug;

use peering_core::ctx::Transaction;
use peering_core::intervals::{PastIntervals, UpActing};
use peering_core::log::{Missing, PgLog, PgLogT};
use peering_core::machine::{Config, PgLoad};
use peering_core::types::{EVersion, Epoch, ObjectId, OsdId, PgInfo, PgShard, SpgId};

use super::StoreError;

/// A transaction handed to the store; the store reports it durable
/// ([`Store::drain_committed`]) and the host passes it to
/// [`crate::osd::Osd::on_commit`] (`queue_transaction`'s on-commit callback).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TxnId(pub u64);

/// What one PG instance has persisted and `Pg::load` reads back (Ceph's
/// `PG::read_state`: `_info`, `_epoch`, `_biginfo`, then
/// `PGLog::read_log_and_missing`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PgMeta {
    /// The last info written (`_info`).
    pub info: PgInfo,
    /// The map epoch it was written at (`_epoch`).
    pub epoch: Epoch,
    /// The past intervals (`_biginfo`).
    pub past_intervals: PastIntervals,
    /// The log: entries under their version keys, dups under `dup_` keys.
    pub log: PgLogT,
    /// The missing set: items under `missing/` keys.
    pub missing: Missing,
}

impl PgMeta {
    /// The arguments to reload `osd`'s instance (`init_from_disk_state`) with
    /// its `mapping` in the map of [`PgMeta::epoch`]; `None` when the stored log
    /// does not validate (`read_log_and_missing`'s asserts).
    pub fn into_load(self, osd: OsdId, mapping: UpActing, config: Config) -> Option<PgLoad> {
        let shard = self.info.pgid.shard;
        let log = PgLog::from_parts(self.log, self.missing).ok()?;
        Some(PgLoad {
            whoami: PgShard::new(osd, shard),
            info: self.info,
            past_intervals: self.past_intervals,
            log,
            mapping,
            config,
        })
    }
}

/// An OSD's object store, as the host drives it: every
/// [`crate::osd::OsdOutput::Persist`] goes to [`Store::queue_transaction`], every
/// id [`Store::drain_committed`] returns goes to [`crate::osd::Osd::on_commit`],
/// and boot reads the PGs back ([`crate::osd::Osd::load_pgs`]).
///
/// Every method names the OSD: one store value may hold several OSDs' data
/// (a test cluster), each in its own collections (one database per OSD for a
/// store on disk).
///
/// Contract, for every implementation (one test suite checks it on each):
/// * a transaction is applied whole or not at all, as deltas (log entries
///   appended, trimmed or rolled back one key each; missing items one key each;
///   info and past intervals replaced), with every [`peering_core::log::LogEffect`]
///   applied to the PG's objects;
/// * its id is returned by [`Store::drain_committed`] only once it is durable,
///   never before (`OnCommit` work waits on it);
/// * a read never panics on what is on disk: a bad record is a [`StoreError`]
///   naming the OSD, the PG and the key.
pub trait Store: Debug {
    /// `ObjectStore::queue_transaction`: applies `t` to `osd`'s instance of
    /// `pgid`, atomically; `txn` is reported by [`Store::drain_committed`] once
    /// durable. On error nothing of `t` is applied and `txn` is never reported.
    fn queue_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        txn: TxnId,
        t: &Transaction,
    ) -> Result<(), StoreError>;

    /// Applies `t` like [`Store::queue_transaction`], durable when this returns
    /// `Ok`, with no on-commit report (a host writing a PG outside the OSD's
    /// queue: a test seeding disk state, a tool).
    fn apply_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        t: &Transaction,
    ) -> Result<(), StoreError>;

    /// The transactions that became durable since the last call, in commit
    /// order, each with its OSD (the on-commit callbacks to run).
    fn drain_committed(&mut self) -> Vec<(OsdId, TxnId)>;

    /// `OSD::load_pgs`'s `list_collections`: the PG instances `osd` holds, in order.
    fn list_pgs(&self, osd: OsdId) -> Result<Vec<SpgId>, StoreError>;

    /// `PG::read_state`: what `osd` persisted for `pgid`, `None` when no info was
    /// ever written (the instance is not loadable).
    fn read_pg(&self, osd: OsdId, pgid: SpgId) -> Result<Option<PgMeta>, StoreError>;

    /// Removes `osd`'s instance of `pgid` whole (its metadata and its
    /// collection: `remove_coll` after the deletion emptied it), at once.
    fn remove_pg(&mut self, osd: OsdId, pgid: SpgId) -> Result<(), StoreError>;

    /// `collection_list` / `objects_list_partial`: at most `max` objects of
    /// `osd`'s instance of `pgid` that sort after `after` (from the first when
    /// `None`), ascending in `hobject_t` order, each with its version.
    fn list_objects(
        &self,
        osd: OsdId,
        pgid: SpgId,
        after: Option<&ObjectId>,
        max: usize,
    ) -> Result<Vec<(ObjectId, EVersion)>, StoreError>;

    /// The version of `oid` in `osd`'s instance of `pgid` (its `object_info_t`'s
    /// version), `None` when the object does not exist.
    fn object_version(
        &self,
        osd: OsdId,
        pgid: SpgId,
        oid: &ObjectId,
    ) -> Result<Option<EVersion>, StoreError>;

    /// `submit_push_data` (recovery, backfill) or the removal of a recovered
    /// delete: stores `oid` at `version` in `osd`'s instance of `pgid`, or
    /// removes it when `delete`. A PG the store does not hold is left alone.
    fn write_object(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        oid: &ObjectId,
        version: EVersion,
        delete: bool,
    ) -> Result<(), StoreError>;
}
