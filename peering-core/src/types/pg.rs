//! `pg_t` and `spg_t`.

use core::fmt;

use super::osd::ShardId;

/// A pool id (`int64_t` in Ceph).
pub type PoolId = i64;

/// Ceph's `pg_t`: a placement group, named by its pool and its seed (`ps`).
///
/// Ordered by pool, then seed. Printed as Ceph prints it: the pool in decimal, a dot,
/// the seed in hex (`1.7f`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgId {
    /// The pool the PG belongs to.
    pub pool: PoolId,
    /// The placement seed (`ps`), `0..pg_num`.
    pub seed: u32,
}

impl PgId {
    /// `pg_t(seed, pool)`.
    pub const fn new(pool: PoolId, seed: u32) -> Self {
        PgId { pool, seed }
    }
}

impl fmt::Debug for PgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:x}", self.pool, self.seed)
    }
}

impl fmt::Display for PgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Ceph's `spg_t`: a PG plus the shard (EC pools) this instance holds.
///
/// Printed `1.7` for a replicated PG and `1.7s0` for shard 0 of an EC PG.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SpgId {
    /// The placement group.
    pub pgid: PgId,
    /// The shard (`NO_SHARD` for replicated pools).
    pub shard: ShardId,
}

impl SpgId {
    /// `spg_t(pgid, shard)`.
    pub const fn new(pgid: PgId, shard: ShardId) -> Self {
        SpgId { pgid, shard }
    }

    /// A replicated pool's PG (`NO_SHARD`).
    pub const fn replicated(pgid: PgId) -> Self {
        SpgId {
            pgid,
            shard: ShardId::NO_SHARD,
        }
    }
}

impl fmt::Debug for SpgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shard.is_no_shard() {
            write!(f, "{:?}", self.pgid)
        } else {
            write!(f, "{:?}s{}", self.pgid, self.shard.0)
        }
    }
}

impl fmt::Display for SpgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
