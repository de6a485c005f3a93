//! Stores: where an OSD applies the [`Transaction`](peering_core::ctx::Transaction)s the peering core produces
//! (`store`).
//!
//! [`MemStore`] keeps, per PG instance, exactly what Ceph's `prepare_write` puts in
//! the PG's meta object (info, the epoch it was written at, past intervals) and the
//! log and missing set, so tests can assert the persisted state and an OSD can be
//! restarted from it ([`MemStore::load_args`], Ceph's `init_from_disk_state`).

mod mem;

pub use mem::{MemStore, StoredPg};
