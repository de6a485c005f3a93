//! Pool flags and the sanity rules a pool must satisfy before it enters a map
//! (`pg_pool_t`).

use peering_core::map::{MAX_POOL_PG_NUM, PoolInfo, PoolKind};
use peering_core::types::PoolId;

use super::error::OsdMapError;

/// Checks what `OSDMonitor` enforces before a pool reaches a map: a nonzero size,
/// `1 <= min_size <= size`, `1 <= pgp_num <= pg_num`, `pg_num` (and
/// `pg_num_pending`) at most `mon_max_pool_pg_num` (the core's
/// [`MAX_POOL_PG_NUM`]), EC size `k + m`, and the entry's key matching the
/// pool's own id.
pub fn validate_pool(key: PoolId, pool: &PoolInfo) -> Result<(), OsdMapError> {
    if pool.id != key {
        return Err(OsdMapError::PoolIdMismatch { key, id: pool.id });
    }
    if pool.size == 0 {
        return Err(OsdMapError::ZeroPoolSize(key));
    }
    if pool.min_size == 0 || pool.min_size > pool.size {
        return Err(OsdMapError::BadMinSize {
            pool: key,
            min_size: pool.min_size,
            size: pool.size,
        });
    }
    if pool.pg_num == 0 || pool.pgp_num == 0 || pool.pgp_num > pool.pg_num {
        return Err(OsdMapError::BadPgNum {
            pool: key,
            pg_num: pool.pg_num,
            pgp_num: pool.pgp_num,
        });
    }
    if !pool.pg_num_within_limit() {
        return Err(OsdMapError::PgNumTooLarge {
            pool: key,
            pg_num: pool.pg_num.max(pool.pg_num_pending),
            max: MAX_POOL_PG_NUM,
        });
    }
    if let PoolKind::Erasure { k, m } = pool.kind
        && k.checked_add(m) != Some(pool.size)
    {
        return Err(OsdMapError::ErasureSizeMismatch(key));
    }
    Ok(())
}
