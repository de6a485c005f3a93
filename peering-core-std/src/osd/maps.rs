//! The OSD's maps: every epoch a PG still needs, and the incrementals to share
//! with peers that are behind (`OSDService::map_cache`).
//!
//! Unlike a size-bounded cache, [`MapHistory::trim`] never drops an epoch at or
//! after its floor: the caller passes the smallest epoch a PG is still at, so
//! `advance_pg` always finds the PG's own map (Ceph reloads evicted maps from
//! disk; a sans-IO host has no disk to reload from).

use std::collections::BTreeMap;
use std::sync::Arc;

use peering_core::types::Epoch;

use super::output::MapShare;
use crate::osdmap::{Incremental, OsdMap};

/// Maps by epoch, with the incrementals that built them.
#[derive(Clone, Debug, Default)]
pub struct MapHistory {
    maps: BTreeMap<Epoch, Arc<OsdMap>>,
    incrementals: BTreeMap<Epoch, Incremental>,
}

impl MapHistory {
    /// The newest map.
    pub fn newest(&self) -> Option<&Arc<OsdMap>> {
        self.maps.last_key_value().map(|(_, m)| m)
    }

    /// The newest epoch (0 before the first map).
    pub fn epoch(&self) -> Epoch {
        self.maps.keys().next_back().copied().unwrap_or(0)
    }

    /// The oldest epoch held.
    pub fn oldest(&self) -> Option<Epoch> {
        self.maps.keys().next().copied()
    }

    /// `get_map(epoch)`.
    pub fn get(&self, epoch: Epoch) -> Option<&Arc<OsdMap>> {
        self.maps.get(&epoch)
    }

    /// The first epoch after `epoch` that is held, up to `limit` (Ceph's
    /// `advance_pg` skips maps it does not have).
    pub fn next_after(&self, epoch: Epoch, limit: Epoch) -> Option<Epoch> {
        let start = epoch.checked_add(1)?;
        if start > limit {
            return None;
        }
        self.maps.range(start..=limit).next().map(|(e, _)| *e)
    }

    /// Number of epochs held.
    pub fn len(&self) -> usize {
        self.maps.len()
    }

    /// True before the first map.
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }

    /// Adds a map (and the incremental that built it, if it came as one).
    pub(super) fn insert(&mut self, map: OsdMap, inc: Option<Incremental>) {
        let epoch = peering_core::map::OsdMapView::epoch(&map);
        self.maps.insert(epoch, Arc::new(map));
        match inc {
            Some(inc) => {
                self.incrementals.insert(epoch, inc);
            }
            None => {
                self.incrementals.remove(&epoch);
            }
        }
    }

    /// Drops every map and incremental older than `floor`, keeping the newest
    /// map in any case.
    pub(super) fn trim(&mut self, floor: Epoch) {
        let floor = floor.min(self.epoch());
        self.maps = self.maps.split_off(&floor);
        self.incrementals = self.incrementals.split_off(&floor);
    }

    /// `send_incremental_map(since)`: what a peer at `since` needs to reach the
    /// newest epoch: the incrementals after `since` if all are held, else the
    /// newest full map. `None` when the peer is not behind.
    pub fn share_since(&self, since: Epoch) -> Option<MapShare> {
        let newest = self.epoch();
        if since >= newest {
            return None;
        }
        let incs: Vec<Incremental> = self
            .incrementals
            .range(since.saturating_add(1)..=newest)
            .map(|(_, i)| i.clone())
            .collect();
        let complete = incs.len() as u64 == u64::from(newest - since)
            && incs
                .first()
                .is_some_and(|i| i.epoch == since.saturating_add(1));
        if complete {
            return Some(MapShare {
                full: None,
                incrementals: incs,
            });
        }
        Some(MapShare {
            full: self.newest().cloned(),
            incrementals: Vec::new(),
        })
    }
}
