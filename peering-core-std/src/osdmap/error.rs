//! `OsdMapError`: why an incremental or a lookup was refused.
//!
//! Ceph's monitor only ever publishes well-formed incrementals, so Ceph's
//! `apply_incremental` asserts instead of checking. A library fed maps by a host
//! cannot assume that: every rule an incremental could break has its own variant,
//! and a refused incremental leaves the map exactly as it was.

use peering_core::types::{Epoch, PgId, PoolId};

/// Why an incremental (or a query against the map) was refused.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum OsdMapError {
    /// The incremental is not for `epoch + 1` (Ceph applies maps strictly in order).
    #[error("incremental for epoch {got} cannot apply to a map at epoch {current}")]
    WrongEpoch {
        /// The map's epoch.
        current: Epoch,
        /// The epoch the incremental builds.
        got: Epoch,
    },
    /// `new_max_osd` is negative beyond "unchanged" or larger than the map allows.
    #[error("invalid max_osd {0}")]
    InvalidMaxOsd(i32),
    /// A per-OSD change names an id outside `0..max_osd`.
    #[error("osd.{0} is outside the map (max_osd {1})")]
    UnknownOsd(i32, i32),
    /// A change names a pool the map does not have.
    #[error("pool {0} does not exist")]
    UnknownPool(PoolId),
    /// A pool would have `size` 0.
    #[error("pool {0} has size 0")]
    ZeroPoolSize(PoolId),
    /// A pool would have `min_size` 0 or larger than its size.
    #[error("pool {pool} has min_size {min_size} outside 1..={size}")]
    BadMinSize {
        /// The pool.
        pool: PoolId,
        /// Its requested min_size.
        min_size: u32,
        /// Its size.
        size: u32,
    },
    /// A pool would have `pg_num` or `pgp_num` 0, or `pgp_num > pg_num`.
    #[error("pool {pool} has pg_num {pg_num} / pgp_num {pgp_num}")]
    BadPgNum {
        /// The pool.
        pool: PoolId,
        /// Its pg_num.
        pg_num: u32,
        /// Its pgp_num.
        pgp_num: u32,
    },
    /// A pool would have more PGs than `mon_max_pool_pg_num` allows (`pg_num` or
    /// `pg_num_pending` above the core's `MAX_POOL_PG_NUM`): `OSDMonitor` refuses
    /// such a pool at creation and on `osd pool set pg_num`.
    #[error("pool {pool} has pg_num {pg_num}, more than mon_max_pool_pg_num {max}")]
    PgNumTooLarge {
        /// The pool.
        pool: PoolId,
        /// The larger of its `pg_num` and `pg_num_pending`.
        pg_num: u32,
        /// The limit.
        max: u32,
    },
    /// An erasure-coded pool whose size is not `k + m`.
    #[error("erasure pool {0} has size different from k + m")]
    ErasureSizeMismatch(PoolId),
    /// A pool entry keyed under one id carries another.
    #[error("pool entry {key} carries id {id}")]
    PoolIdMismatch {
        /// The key in `new_pools`.
        key: PoolId,
        /// The id inside the pool.
        id: PoolId,
    },
    /// A pg_temp, primary_temp or upmap entry names an OSD that does not exist in
    /// the resulting map.
    #[error("{pg} maps to osd.{osd}, which does not exist")]
    NonexistentOsdInMapping {
        /// The PG of the entry.
        pg: PgId,
        /// The OSD named.
        osd: i32,
    },
    /// A pg_temp or upmap entry longer than its pool's size.
    #[error("{pg} mapping has {len} entries, pool size is {size}")]
    MappingTooLong {
        /// The PG of the entry.
        pg: PgId,
        /// Entries given.
        len: usize,
        /// The pool's size.
        size: u32,
    },
    /// A weight or primary affinity above `0x10000` (fully in / always primary).
    #[error("osd.{osd} value {value:#x} exceeds 0x10000")]
    ValueTooLarge {
        /// The OSD.
        osd: i32,
        /// The value.
        value: u32,
    },
}
