//! [`Transaction`]: what the machine asks the host to persist.

use alloc::vec::Vec;

use crate::intervals::PastIntervals;
use crate::log::{LogEffect, Missing, PgLogT};
use crate::types::{Epoch, ObjectId, PgInfo, SpgId};

/// One persistent mutation.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(clippy::large_enum_variant)]
pub enum TxOp {
    /// `prepare_write` for dirty info: the info, the map epoch it was written at,
    /// and, when the "big info" is dirty too, the past intervals.
    WriteInfo {
        /// The PG info to store.
        info: PgInfo,
        /// `need_write_epoch`: the map epoch to record.
        epoch: Epoch,
        /// Past intervals, present when they changed (`dirty_big_info`).
        past_intervals: Option<PastIntervals>,
    },
    /// `prepare_write` for a dirty log: the whole log and missing set (the log
    /// module tracks one dirty flag, not Ceph's per-key ranges).
    WriteLog {
        /// The log to store.
        log: PgLogT,
        /// Our missing set.
        missing: Missing,
    },
    /// Object side effects of log operations (`LogEntryHandler` calls: rollback,
    /// rollforward, trim, remove, stash), in order.
    LogEffects(#[cfg_attr(feature = "defmt", defmt(Debug2Format))] Vec<LogEffect>),
    /// `t.remove(coll, oid)`: one object of a PG being deleted (`do_delete_work`),
    /// at most `delete_max_objects` per transaction.
    RemoveObject(ObjectId),
    /// The end of a deletion (`do_delete_work` with nothing left to list): remove
    /// the PG's metadata object (info, log, past intervals) and then its now empty
    /// collection.
    RemovePg {
        /// The PG instance removed.
        pgid: SpgId,
    },
    /// `split_collection`: the objects and stashes of this PG's collection
    /// that belong to `child` once the pool splits (`hobject_t::match` on
    /// `split_bits` and the child's seed) move to the child's collection.
    /// The machine never emits it: the host adds it to the parent's
    /// transaction when it splits the PG (Ceph's `OSD::split_pgs` calling
    /// `PG::split_colls`), after every other operation of that transaction.
    SplitCollection {
        /// The child PG instance the objects move to.
        child: SpgId,
        /// `pg_t::get_split_bits` of the child at the new `pg_num`.
        split_bits: u32,
    },
    /// `merge_collection`: every object and stash of `source`'s collection
    /// moves into this PG's, and the source's collection and metadata (info,
    /// log, past intervals) are removed. [`crate::machine::Pg::merge_from`]
    /// puts one per source first in the target's transaction (Ceph's
    /// `PG::merge_from` merges the collections before the peering state), so
    /// the log effects after it find the source's objects where they now live.
    /// A source with no collection (a placeholder never written) moves
    /// nothing.
    MergeCollection {
        /// The merge source absorbed.
        source: SpgId,
    },
}

/// Ceph's `ObjectStore::Transaction`, reduced to the operations peering produces.
///
/// The host applies it atomically; the work waiting for it ([`super::Persist::committed`]) is
/// delivered only after it is durable (activation acks depend on that).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transaction {
    /// The operations, in order.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub ops: Vec<TxOp>,
}

impl Transaction {
    /// True when there is nothing to persist.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Appends one operation.
    pub fn push(&mut self, op: TxOp) {
        self.ops.push(op);
    }
}
