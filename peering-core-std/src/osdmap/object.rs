//! Object → PG: `object_locator_to_pg` and `pg_pool_t::hash_key`.

use peering_core::types::PgId;

use super::error::OsdMapError;
use super::map::OsdMap;
use crate::crush::hash::ceph_str_hash_rjenkins;

/// Ceph's `object_locator_t` as placement reads it: the pool, an optional
/// namespace and key, or an explicit hash.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ObjectLocator {
    /// The pool.
    pub pool: i64,
    /// The namespace (empty: the default namespace).
    pub nspace: String,
    /// The locator key, hashed instead of the object name when not empty.
    pub key: String,
    /// An explicit placement hash, used as the raw seed when set.
    pub hash: Option<u32>,
}

impl ObjectLocator {
    /// A locator for `pool` in the default namespace.
    pub fn new(pool: i64) -> Self {
        ObjectLocator {
            pool,
            ..ObjectLocator::default()
        }
    }
}

/// `pg_pool_t::hash_key(key, ns)`: the string hash of the key, prefixed by the
/// namespace and a `0x1f` separator when the namespace is not empty. Pools use
/// `CEPH_STR_HASH_RJENKINS`, the default `object_hash`.
pub fn hash_key(key: &str, nspace: &str) -> u32 {
    if nspace.is_empty() {
        return ceph_str_hash_rjenkins(key.as_bytes());
    }
    let mut buf = Vec::with_capacity(nspace.len() + 1 + key.len());
    buf.extend_from_slice(nspace.as_bytes());
    buf.push(0x1f);
    buf.extend_from_slice(key.as_bytes());
    ceph_str_hash_rjenkins(&buf)
}

impl OsdMap {
    /// `object_locator_to_pg`: the raw PG (full 32-bit seed) of object `name`.
    /// Fold it with [`OsdMap::raw_pg_to_pg`] for the PG that stores it.
    pub fn object_locator_to_pg(
        &self,
        name: &str,
        loc: &ObjectLocator,
    ) -> Result<PgId, OsdMapError> {
        self.pool_or_err(loc.pool)?;
        let seed = match loc.hash {
            Some(h) => h,
            None if loc.key.is_empty() => hash_key(name, &loc.nspace),
            None => hash_key(&loc.key, &loc.nspace),
        };
        Ok(PgId::new(loc.pool, seed))
    }

    /// `raw_pg_to_pg`: folds a raw seed into the pool's `0..pg_num`.
    pub fn raw_pg_to_pg(&self, raw: PgId) -> Result<PgId, OsdMapError> {
        Ok(raw.raw_to_pg(self.pool_or_err(raw.pool)?.pg_num))
    }

    /// Object name → the PG storing it: locator to raw PG, then fold.
    pub fn object_to_pg(&self, name: &str, loc: &ObjectLocator) -> Result<PgId, OsdMapError> {
        let raw = self.object_locator_to_pg(name, loc)?;
        self.raw_pg_to_pg(raw)
    }
}
