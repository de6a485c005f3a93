//! [`MapHistory`]: every map the harness's monitor published, by epoch (the OSD
//! keeps past maps to advance lagging PGs through each epoch).

use std::collections::BTreeMap;

use peering_core::map::SimpleOsdMap;
use peering_core::types::Epoch;

/// The newest map and every older one.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) struct MapHistory {
    newest: SimpleOsdMap,
    older: BTreeMap<Epoch, SimpleOsdMap>,
}

impl MapHistory {
    /// A history holding only `first`.
    pub(super) fn new(first: SimpleOsdMap) -> Self {
        MapHistory {
            newest: first,
            older: BTreeMap::new(),
        }
    }

    /// The newest map.
    pub(super) fn newest(&self) -> &SimpleOsdMap {
        &self.newest
    }

    /// The map of `epoch`, if published.
    pub(super) fn get(&self, epoch: Epoch) -> Option<&SimpleOsdMap> {
        if epoch == self.newest.epoch {
            Some(&self.newest)
        } else {
            self.older.get(&epoch)
        }
    }

    /// Publishes `map` as the newest.
    pub(super) fn push(&mut self, map: SimpleOsdMap) {
        let old = std::mem::replace(&mut self.newest, map);
        self.older.insert(old.epoch, old);
    }
}
