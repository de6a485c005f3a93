//! Ceph's `hobject_t`, reduced to what peering reads.

use core::cmp::Ordering;
use core::fmt;

use alloc::string::String;

use super::pg::PoolId;

/// A snapshot id (`snapid_t`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SnapId(pub u64);

impl SnapId {
    /// `CEPH_NOSNAP` (`-2` as u64): the head object.
    pub const NOSNAP: SnapId = SnapId(u64::MAX - 1);
    /// `CEPH_SNAPDIR` (`-1` as u64): the snapdir object.
    pub const SNAPDIR: SnapId = SnapId(u64::MAX);
}

impl fmt::Debug for SnapId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SnapId::NOSNAP => f.write_str("head"),
            SnapId::SNAPDIR => f.write_str("snapdir"),
            SnapId(s) => write!(f, "{s:x}"),
        }
    }
}

/// An object in a PG (Ceph's `hobject_t`).
///
/// Ordered as Ceph orders objects with `sortbitwise` (the only order modern Ceph
/// uses): `MAX` last, then by pool, then by the bit-reversed hash, then namespace,
/// then name, then snap. [`ObjectId::MIN`] (the default) sorts before every real
/// object and [`ObjectId::MAX`] after; `last_backfill` uses both.
///
/// Ceph's optional locator key is not modelled: it only matters for legacy pools
/// that set one, and with empty keys Ceph's comparison falls through to the name,
/// as ours does.
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ObjectId {
    /// The `hobject_t::get_max()` marker: after every object.
    pub max: bool,
    /// The pool (`i64::MIN` in the `MIN` object).
    pub pool: PoolId,
    /// The object's placement hash (`ceph_str_hash_rjenkins` of the name).
    pub hash: u32,
    /// The RADOS namespace ("" for the default).
    pub namespace: String,
    /// The object name.
    pub name: String,
    /// The snapshot this object is (`NOSNAP` for the head).
    pub snap: SnapId,
}

impl ObjectId {
    /// `hobject_t()`: before every object (an empty `last_backfill`).
    pub const MIN: ObjectId = ObjectId {
        max: false,
        pool: i64::MIN,
        hash: 0,
        namespace: String::new(),
        name: String::new(),
        snap: SnapId(0),
    };

    /// `hobject_t::get_max()`: after every object (a complete `last_backfill`).
    pub const MAX: ObjectId = ObjectId {
        max: true,
        pool: i64::MIN,
        hash: 0,
        namespace: String::new(),
        name: String::new(),
        snap: SnapId(0),
    };

    /// `hobject_t::match(bits, match)`: whether the low `bits` bits of the
    /// object's hash are `seed` (all of them from 32 bits on): the object
    /// belongs to the PG of that seed, the test a split moves objects by.
    pub fn matches(&self, bits: u32, seed: u32) -> bool {
        let mask = u32::MAX.checked_shl(bits).map_or(u32::MAX, |m| !m);
        self.hash & mask == seed
    }

    /// The head object `name` in `pool`, with its placement `hash`.
    pub fn new(pool: PoolId, hash: u32, name: impl Into<String>) -> Self {
        ObjectId {
            max: false,
            pool,
            hash,
            namespace: String::new(),
            name: name.into(),
            snap: SnapId::NOSNAP,
        }
    }

    /// True for [`ObjectId::MAX`].
    pub fn is_max(&self) -> bool {
        self.max
    }

    /// True for [`ObjectId::MIN`].
    pub fn is_min(&self) -> bool {
        *self == ObjectId::MIN
    }

    /// `hobject_t::get_bitwise_key()`: the sort key of the hash, bit-reversed so that
    /// objects of one PG (same low bits) sort together; `MAX` sorts after all.
    pub fn bitwise_key(&self) -> u64 {
        if self.max {
            0x1_0000_0000
        } else {
            u64::from(self.hash.reverse_bits())
        }
    }
}

impl Default for ObjectId {
    fn default() -> Self {
        ObjectId::MIN
    }
}

impl Ord for ObjectId {
    fn cmp(&self, other: &Self) -> Ordering {
        crate::meter::tick(crate::meter::Counter::ObjectCompare);
        self.max
            .cmp(&other.max)
            .then_with(|| self.pool.cmp(&other.pool))
            .then_with(|| self.bitwise_key().cmp(&other.bitwise_key()))
            .then_with(|| self.namespace.cmp(&other.namespace))
            .then_with(|| self.name.cmp(&other.name))
            .then_with(|| self.snap.cmp(&other.snap))
    }
}

impl PartialOrd for ObjectId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.max {
            return f.write_str("MAX");
        }
        if self.is_min() {
            return f.write_str("MIN");
        }
        write!(
            f,
            "{}:{:08x}:{}::{}:{:?}",
            self.pool,
            self.hash.reverse_bits(),
            self.namespace,
            self.name,
            self.snap
        )
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
