//! OSD ids, shard ids and `pg_shard_t`.

use core::fmt;

use smallvec::SmallVec;

/// An OSD id (`int32_t` in Ceph).
///
/// Two sentinels matter to peering: [`OsdId::NONE`] (`CRUSH_ITEM_NONE`, a hole in an
/// erasure-coded up or acting vector) and [`OsdId::UNDEF`] (`-1`, "no primary",
/// the default `pg_shard_t`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OsdId(pub i32);

impl OsdId {
    /// `CRUSH_ITEM_NONE` (`0x7fffffff`): no OSD at this position.
    pub const NONE: OsdId = OsdId(0x7fff_ffff);
    /// `-1`: undefined, Ceph's "no primary" and default `pg_shard_t` osd.
    pub const UNDEF: OsdId = OsdId(-1);

    /// True when this names a real OSD: neither `NONE` nor negative.
    pub const fn is_valid(self) -> bool {
        self.0 >= 0 && self.0 != Self::NONE.0
    }

    /// True for the `CRUSH_ITEM_NONE` hole.
    pub const fn is_none(self) -> bool {
        self.0 == Self::NONE.0
    }
}

impl Default for OsdId {
    fn default() -> Self {
        OsdId::UNDEF
    }
}

impl fmt::Debug for OsdId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            f.write_str("NONE")
        } else {
            write!(f, "osd.{}", self.0)
        }
    }
}

impl fmt::Display for OsdId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// An up or acting vector of OSDs, positions significant for erasure-coded pools.
///
/// Pools are small (Ceph's default size is 3; EC k+m rarely exceeds a dozen), so the
/// common case stays inline.
pub type OsdVec = SmallVec<[OsdId; 4]>;

/// A shard id (`shard_id_t`, an `int8_t`): the position of a shard in an EC pool.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ShardId(pub i8);

impl ShardId {
    /// `shard_id_t::NO_SHARD` (`-1`): replicated pools always use it.
    pub const NO_SHARD: ShardId = ShardId(-1);

    /// True for `NO_SHARD`.
    pub const fn is_no_shard(self) -> bool {
        self.0 == Self::NO_SHARD.0
    }
}

impl Default for ShardId {
    fn default() -> Self {
        ShardId::NO_SHARD
    }
}

impl fmt::Debug for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_no_shard() {
            f.write_str("NO_SHARD")
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// Ceph's `pg_shard_t`: one OSD's instance of a PG, with its shard for EC pools.
///
/// Ordered by osd, then shard (the field order gives the derived `Ord`). Printed
/// `osd.2` for replicated pools and `osd.2(0)` for a shard of an EC pool.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgShard {
    /// The OSD holding this instance.
    pub osd: OsdId,
    /// The shard it holds (`NO_SHARD` for replicated pools).
    pub shard: ShardId,
}

impl PgShard {
    /// `pg_shard_t()`: osd `-1`, `NO_SHARD`.
    pub const UNDEF: PgShard = PgShard {
        osd: OsdId::UNDEF,
        shard: ShardId::NO_SHARD,
    };

    /// A shard of an EC pool, or with `ShardId::NO_SHARD` a replica.
    pub const fn new(osd: OsdId, shard: ShardId) -> Self {
        PgShard { osd, shard }
    }

    /// A replicated pool's instance on `osd` (`NO_SHARD`).
    pub const fn replica(osd: i32) -> Self {
        PgShard {
            osd: OsdId(osd),
            shard: ShardId::NO_SHARD,
        }
    }

    /// True when the osd is defined (not `-1`, not `NONE`).
    pub const fn is_valid(self) -> bool {
        self.osd.is_valid()
    }
}

impl fmt::Debug for PgShard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shard.is_no_shard() {
            write!(f, "{:?}", self.osd)
        } else {
            write!(f, "{:?}({})", self.osd, self.shard.0)
        }
    }
}

impl fmt::Display for PgShard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
