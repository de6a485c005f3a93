//! [`OsdMapCache`]: the OSD's bounded cache of recent maps by epoch (`map_cache`
//! in `OSDService`,.
//!
//! PGs lag behind the newest map and ask for older epochs while they advance, so
//! the OSD keeps a window of maps. Each entry is an `Arc<OsdMap>`, and consecutive
//! maps share their unchanged pools, mapping tables and CRUSH map, so a cached
//! epoch costs roughly its per-OSD arrays.

use std::collections::BTreeMap;
use std::sync::Arc;

use peering_core::map::OsdMapView;
use peering_core::types::Epoch;

use super::error::OsdMapError;
use super::incremental::Incremental;
use super::map::OsdMap;

/// A bounded cache of maps by epoch; the oldest epochs are evicted first.
#[derive(Clone, Debug)]
pub struct OsdMapCache {
    capacity: usize,
    maps: BTreeMap<Epoch, Arc<OsdMap>>,
}

impl OsdMapCache {
    /// A cache holding at most `capacity` epochs (at least one;
    /// `osd_map_cache_size` is 50 in Ceph).
    pub fn new(capacity: usize) -> Self {
        OsdMapCache {
            capacity: capacity.max(1),
            maps: BTreeMap::new(),
        }
    }

    /// Adds a full map, evicting the oldest epochs beyond capacity. Returns the
    /// shared handle.
    pub fn insert(&mut self, map: OsdMap) -> Arc<OsdMap> {
        let map = Arc::new(map);
        self.maps.insert(map.epoch(), Arc::clone(&map));
        while self.maps.len() > self.capacity {
            self.maps.pop_first();
        }
        map
    }

    /// Builds the next epoch from the newest cached map and caches it. Nothing is
    /// cached when the incremental is refused; an empty cache starts from
    /// [`OsdMap::new`] (epoch 0).
    pub fn apply(&mut self, inc: &Incremental) -> Result<Arc<OsdMap>, OsdMapError> {
        let next = match self.latest() {
            Some(latest) => latest.with_incremental(inc)?,
            None => OsdMap::new().with_incremental(inc)?,
        };
        Ok(self.insert(next))
    }

    /// `get_map(epoch)`, if still cached.
    pub fn get(&self, epoch: Epoch) -> Option<Arc<OsdMap>> {
        self.maps.get(&epoch).cloned()
    }

    /// The newest cached map.
    pub fn latest(&self) -> Option<Arc<OsdMap>> {
        self.maps.last_key_value().map(|(_, m)| Arc::clone(m))
    }

    /// The oldest cached epoch.
    pub fn oldest_epoch(&self) -> Option<Epoch> {
        self.maps.keys().next().copied()
    }

    /// Number of cached epochs.
    pub fn len(&self) -> usize {
        self.maps.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }
}
