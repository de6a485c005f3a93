//! [`ShardMap`]: a small ordered map keyed by PG shard, for the per-peer data of
//! [`super::peering_state::PeeringState`] (`peer_info`, `peer_missing`,
//! `peer_last_complete_ondisk`).
//!
//! A PG has a handful of peers, and these maps live as long as the PG (B11). A `BTreeMap` allocates a whole node (room for eleven entries)
//! for the first one: with `PgInfo` values that is about 4 KB held by every idle
//! primary for two peers. Here the entries sit in one vector sorted by shard,
//! grown one slot at a time, so the heap held is what the peers need. Iteration
//! order, lookups and the methods' meanings are `BTreeMap`'s.

use alloc::vec::Vec;
use core::fmt;

use crate::types::PgShard;

/// An ordered map from [`PgShard`] to `V`, iterated in shard order like a
/// `BTreeMap`, holding no more heap than its entries need.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShardMap<V> {
    /// The entries, sorted by shard, keys unique.
    entries: Vec<(PgShard, V)>,
}

impl<V> Default for ShardMap<V> {
    fn default() -> Self {
        ShardMap::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for ShardMap<V> {
    /// As a `BTreeMap` prints: `{shard: value, ...}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl<V> ShardMap<V> {
    /// An empty map; allocates nothing.
    pub const fn new() -> Self {
        ShardMap {
            entries: Vec::new(),
        }
    }

    fn find(&self, k: &PgShard) -> Result<usize, usize> {
        self.entries.binary_search_by(|(s, _)| s.cmp(k))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of `k`, if any.
    pub fn get(&self, k: &PgShard) -> Option<&V> {
        self.find(k)
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    /// The value of `k`, mutably, if any.
    pub fn get_mut(&mut self, k: &PgShard) -> Option<&mut V> {
        self.find(k)
            .ok()
            .and_then(|i| self.entries.get_mut(i))
            .map(|(_, v)| v)
    }

    /// True when `k` has a value.
    pub fn contains_key(&self, k: &PgShard) -> bool {
        self.find(k).is_ok()
    }

    /// Sets the value of `k`, returning the previous one (`BTreeMap::insert`).
    pub fn insert(&mut self, k: PgShard, v: V) -> Option<V> {
        match self.find(&k) {
            Ok(i) => self
                .entries
                .get_mut(i)
                .map(|slot| core::mem::replace(&mut slot.1, v)),
            Err(i) => {
                // One slot at a time: a PG's peers are few and long-lived, so the
                // exact size beats amortised doubling (B11).
                self.entries.reserve_exact(1);
                self.entries.insert(i, (k, v));
                None
            }
        }
    }

    /// The value of `k`, inserting `f()` first if there is none
    /// (`entry(k).or_insert_with(f)`). `None` only if the map is inconsistent,
    /// which its methods never leave it.
    pub fn get_or_insert_with(&mut self, k: PgShard, f: impl FnOnce() -> V) -> Option<&mut V> {
        let i = match self.find(&k) {
            Ok(i) => i,
            Err(i) => {
                self.entries.reserve_exact(1);
                self.entries.insert(i, (k, f()));
                i
            }
        };
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// Removes `k`, returning its value.
    pub fn remove(&mut self, k: &PgShard) -> Option<V> {
        self.find(k).ok().map(|i| self.entries.remove(i).1)
    }

    /// Keeps the entries for which `f` returns true, in order.
    pub fn retain(&mut self, mut f: impl FnMut(&PgShard, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| f(k, v));
    }

    /// Removes every entry and releases the storage, as a cleared `BTreeMap` does.
    pub fn clear(&mut self) {
        self.entries = Vec::new();
    }

    /// The entries in shard order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&PgShard, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The shards in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &PgShard> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in shard order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<'a, V> IntoIterator for &'a ShardMap<V> {
    type Item = (&'a PgShard, &'a V);
    type IntoIter = core::iter::Map<
        core::slice::Iter<'a, (PgShard, V)>,
        fn(&'a (PgShard, V)) -> (&'a PgShard, &'a V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<V> FromIterator<(PgShard, V)> for ShardMap<V> {
    fn from_iter<I: IntoIterator<Item = (PgShard, V)>>(iter: I) -> Self {
        let mut m = ShardMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}
