//! [`PgPlacement`]: a PG's up and acting vectors and primaries, and Ceph's membership tests.

use crate::map::PoolInfo;
use crate::types::{OsdId, OsdVec, PgShard, ShardId};

/// The PG's current placement as the PG sees it: Ceph's `up`, `up_primary`,
/// `acting` and `primary` members of `PeeringState`, with the primaries as PG
/// shards. The map's answer for a PG, with OSD primaries, is
/// [`crate::intervals::UpActing`].
///
/// For erasure-coded pools each position is a shard and holes are `OsdId::NONE`; for
/// replicated pools the vectors hold no holes and the order gives preference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgPlacement {
    /// The CRUSH (or upmap) `up` vector.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub up: OsdVec,
    /// `up_primary`: the primary CRUSH would choose.
    pub up_primary: PgShard,
    /// The `acting` vector (the `pg_temp` when one is set).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting: OsdVec,
    /// `primary`: the acting primary.
    pub acting_primary: PgShard,
}

impl PgPlacement {
    /// Builds the placement from its four parts.
    pub fn new(up: OsdVec, up_primary: PgShard, acting: OsdVec, acting_primary: PgShard) -> Self {
        PgPlacement {
            up,
            up_primary,
            acting,
            acting_primary,
        }
    }

    /// `is_up(shard)`: EC — `up[shard] == osd`; replicated — `osd` is in `up`.
    pub fn is_up(&self, shard: PgShard, pool: &PoolInfo) -> bool {
        is_member(&self.up, shard, pool.is_erasure())
    }

    /// `is_acting(shard)`: EC — `acting[shard] == osd`; replicated — `osd` is in
    /// `acting`.
    pub fn is_acting(&self, shard: PgShard, pool: &PoolInfo) -> bool {
        is_member(&self.acting, shard, pool.is_erasure())
    }
}

/// Ceph's `is_up`/`is_acting` rule for one vector: EC — the shard's
/// position holds its OSD; replicated — the OSD is anywhere in the vector. Shared
/// with [`crate::machine::PeeringState`]'s `is_up`/`is_acting`.
pub(crate) fn is_member(vec: &[OsdId], shard: PgShard, erasure: bool) -> bool {
    if erasure {
        usize::try_from(shard.shard.0)
            .ok()
            .and_then(|i| vec.get(i))
            .is_some_and(|&o| o == shard.osd)
    } else {
        vec.contains(&shard.osd)
    }
}

/// The `pg_shard_t` Ceph builds for position `i` of a vector holding `osd`: the
/// position is the shard for EC pools, `NO_SHARD` otherwise.
///
/// [`crate::intervals::shard_at`] made infallible: pool sizes are validated to fit
/// `shard_id_t` before any position is named, so a position past it (never reached)
/// saturates to the last shard id instead of failing.
pub(crate) fn pg_shard_at(osd: OsdId, i: usize, erasure: bool) -> PgShard {
    let shard = crate::intervals::shard_at(erasure, i).unwrap_or(ShardId(i8::MAX));
    PgShard::new(osd, shard)
}
