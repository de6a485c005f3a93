//! Stores: where an OSD applies the [`Transaction`](peering_core::ctx::Transaction)s
//! the peering core produces (Ceph's `ObjectStore`).
//!
//! The [`Store`] trait is what the OSD host's drivers use: every
//! [`crate::osd::OsdOutput::Persist`] is queued with
//! [`Store::queue_transaction`], every id [`Store::drain_committed`] returns is
//! passed to [`crate::osd::Osd::on_commit`] (so `OnCommit` work runs once the
//! transaction is durable, never before), and boot reads the PGs back with
//! [`crate::osd::Osd::load_pgs`] (Ceph's `load_pgs` / `PG::read_state`).
//!
//! A transaction is applied as deltas, as Ceph's `PG::prepare_write` and
//! `PGLog::_write_log_and_missing` write it: info and past intervals replaced,
//! each log entry, dup and missing item under its own key, only the keys that
//! changed written or removed; and every log effect (rollback, removal, stash)
//! applied to the PG's collection.
//!
//! * [`MemStore`]: every OSD's PGs in memory (tests, the simulator's default).
//! * `RedbStore` (feature `redb`): one [redb](https://docs.rs/redb) database
//!   file per OSD with Ceph's omap key layout and a versioned encoding.

mod api;
pub(crate) mod collection;
mod delta;
mod error;
mod mem;
#[cfg(feature = "redb")]
mod redb_store;
#[cfg(test)]
mod suite;

pub use api::{PgMeta, Store, TxnId};
pub use delta::LogBounds;
pub use error::StoreError;
pub use mem::{MemStore, StoredPg, seed_transaction};
#[cfg(feature = "redb")]
pub use redb_store::{RedbStore, STORE_FORMAT, VALUE_FORMAT, WriteStats};
