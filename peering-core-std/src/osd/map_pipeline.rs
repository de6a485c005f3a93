//! The map pipeline's intake: `handle_osd_map` and `_committed_osd_maps`.
//!
//! Maps are applied strictly in order; a batch that starts after a gap asks the
//! monitor for the missing range; maps the OSD has are ignored; an incremental
//! that does not apply stops the batch there (the earlier epochs stay) and asks
//! for the maps again. Maps are held in memory ([`super::MapHistory`]); a host
//! that persists them does so from the [`OsdMaps`] it passes in.

use std::collections::BTreeMap;

use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, OsdId};

use super::output::OsdOutput;
use super::{DropReason, Osd, OsdError, OsdState};
use crate::osdmap::{Incremental, OsdMap};

/// A decoded `MOSDMap`: full maps and incrementals by epoch, and the range the
/// sender holds.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct OsdMaps {
    /// Full maps by epoch.
    pub full: BTreeMap<Epoch, OsdMap>,
    /// Incrementals by epoch.
    pub incrementals: BTreeMap<Epoch, Incremental>,
    /// `cluster_osdmap_trim_lower_bound`: the oldest map the sender holds.
    pub oldest: Epoch,
    /// The newest map the sender holds.
    pub newest: Epoch,
}

impl OsdMaps {
    /// A batch of incrementals, the sender holding exactly them.
    pub fn incrementals(incs: impl IntoIterator<Item = Incremental>) -> Self {
        let incrementals: BTreeMap<Epoch, Incremental> =
            incs.into_iter().map(|i| (i.epoch, i)).collect();
        let oldest = incrementals.keys().next().copied().unwrap_or(0);
        let newest = incrementals.keys().next_back().copied().unwrap_or(0);
        OsdMaps {
            full: BTreeMap::new(),
            incrementals,
            oldest,
            newest,
        }
    }

    /// One full map.
    pub fn full(map: OsdMap) -> Self {
        let e = map.epoch();
        OsdMaps {
            full: BTreeMap::from([(e, map)]),
            incrementals: BTreeMap::new(),
            oldest: e,
            newest: e,
        }
    }

    fn first(&self) -> Option<Epoch> {
        let f = self.full.keys().next();
        let i = self.incrementals.keys().next();
        f.into_iter().chain(i).min().copied()
    }

    fn last(&self) -> Option<Epoch> {
        let f = self.full.keys().next_back();
        let i = self.incrementals.keys().next_back();
        f.into_iter().chain(i).max().copied()
    }
}

/// What [`Osd::handle_osd_map`] did with a batch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MapOutcome {
    /// Epochs `from..=to` were applied and consumed.
    Applied {
        /// The first new epoch.
        from: Epoch,
        /// The newest epoch now.
        to: Epoch,
    },
    /// Nothing newer than the OSD's map.
    Old,
    /// The batch starts after a gap; the monitor was asked for maps from
    /// `missing_from`.
    Gap {
        /// The first epoch missing.
        missing_from: Epoch,
    },
}

impl Osd {
    /// `handle_osd_map`: applies the batch's new epochs in order, then runs
    /// `_committed_osd_maps` and `consume_map` for them (see the module docs).
    ///
    /// A gap (first epoch after the OSD's newest + 1) is accepted only when it
    /// starts with a full map and the sender holds nothing older (Ceph's
    /// `skip_maps`); otherwise the monitor is asked for the range and nothing
    /// changes. A refused incremental or inconsistent full map returns the
    /// error after the epochs before it were consumed.
    pub fn handle_osd_map(&mut self, maps: OsdMaps) -> Result<MapOutcome, OsdError> {
        let cur = self.epoch();
        let (Some(first), Some(last)) = (maps.first(), maps.last()) else {
            return Ok(MapOutcome::Old);
        };
        if last <= cur {
            self.drop_with(DropReason::OldMap { last });
            return Ok(MapOutcome::Old);
        }
        let next = cur.saturating_add(1);
        if first > next {
            let can_skip = maps.full.contains_key(&first) && (cur == 0 || maps.oldest > next);
            if !can_skip {
                self.mon_subscribe(next);
                return Ok(MapOutcome::Gap { missing_from: next });
            }
        }
        let start = first.max(next);
        let mut applied = None;
        let mut error = None;
        let mut e = start;
        while e <= last {
            match self.apply_one(&maps, e) {
                Ok(true) => applied = Some(e),
                Ok(false) => {
                    self.mon_subscribe(e);
                    break;
                }
                Err(err) => {
                    self.mon_subscribe(e);
                    error = Some(err);
                    break;
                }
            }
            e = e.saturating_add(1);
        }
        if let Some(to) = applied {
            self.committed_osd_maps(cur, to);
            self.consume_map();
        }
        if maps.newest > last {
            self.mon_subscribe(last.saturating_add(1));
        }
        match (error, applied) {
            (Some(err), _) => Err(err),
            (None, Some(to)) => Ok(MapOutcome::Applied { from: start, to }),
            (None, None) => Ok(MapOutcome::Gap {
                missing_from: start,
            }),
        }
    }

    /// Builds epoch `e` from the batch: its full map, or its incremental on the
    /// newest held map. False when the batch has neither.
    fn apply_one(&mut self, maps: &OsdMaps, e: Epoch) -> Result<bool, OsdError> {
        if let Some(full) = maps.full.get(&e) {
            if full.epoch() != e {
                return Err(OsdError::FullMapEpoch {
                    key: e,
                    epoch: full.epoch(),
                });
            }
            self.maps.insert(full.clone(), None);
            return Ok(true);
        }
        let Some(inc) = maps.incrementals.get(&e) else {
            return Ok(false);
        };
        let base = match self.maps.newest() {
            Some(m) => (**m).clone(),
            None => OsdMap::new(),
        };
        let map = base
            .with_incremental(inc)
            .map_err(|error| OsdError::Map { epoch: e, error })?;
        self.maps.insert(map, Some(inc.clone()));
        Ok(true)
    }

    /// `_committed_osd_maps(old, new)`: for each new epoch, peers that went
    /// down are marked down (their sessions reset), and this OSD's own state
    /// follows the map: booting → active once a map marks it up after its last
    /// bind; active but marked down → "wrongly marked me down":
    /// `MOSDMarkMeDead`, rebind (every peer OSD's session reset,
    /// [`OsdOutput::Rebind`]), booting again, and a new `MOSDBoot`.
    fn committed_osd_maps(&mut self, old: Epoch, new: Epoch) {
        let me = self.cfg.whoami;
        let mut prev = self.maps.get(old).cloned();
        let mut marked_down = false;
        for e in old.saturating_add(1)..=new {
            let Some(map) = self.maps.get(e).cloned() else {
                continue;
            };
            if let Some(prev) = &prev {
                let went_down: Vec<(OsdId, Epoch)> = prev
                    .existing_osds()
                    .filter(|o| *o != me && prev.is_up(*o) && !map.is_up(*o))
                    .map(|o| (o, prev.up_from(o)))
                    .collect();
                for (o, up_from) in went_down {
                    self.note_down_osd(o, up_from);
                }
            }
            match self.state {
                OsdState::Booting if map.is_up(me) && map.up_from(me) > self.bind_epoch => {
                    self.state = OsdState::Active;
                    self.up_epoch = map.up_from(me);
                    self.mon.boot_sent = false;
                }
                OsdState::Active if !map.exists(me) => self.state = OsdState::Stopped,
                OsdState::Active if !map.is_up(me) => {
                    marked_down = true;
                    self.state = OsdState::Booting;
                    self.up_epoch = 0;
                    self.bind_epoch = e;
                    self.mon.boot_sent = false;
                    // Only the cluster messenger rebinds: the monitor and
                    // client sessions (public messenger) stay.
                    let peers: Vec<_> = self
                        .sessions
                        .keys()
                        .copied()
                        .filter(|p| matches!(p, super::Peer::Osd(_)))
                        .collect();
                    for p in peers {
                        self.ms_handle_reset(p);
                    }
                    self.outputs.push_back(OsdOutput::Rebind);
                }
                _ => {}
            }
            prev = Some(map);
        }
        // "wrongly marked me down": tell the monitor, once for the batch and
        // at its newest epoch, that we know, so nobody waits on our read
        // leases (`MOSDMarkMeDead`); not for the history a new process
        // replays before it boots.
        if marked_down && self.mon.booted {
            self.outputs
                .push_back(OsdOutput::Mon(super::MonMessage::MarkMeDead { epoch: new }));
        }
    }

    /// `note_down_osd`: forget which maps the peer had and tell the host to
    /// close the connection to the instance that went down. The session is
    /// the connection's: it ends when the host closes that connection
    /// ([`Osd::ms_handle_reset`]), and not when the connection belongs to a
    /// newer instance (this OSD may learn of the old instance's death after
    /// the new one has spoken to it).
    fn note_down_osd(&mut self, osd: OsdId, up_from: Epoch) {
        self.peer_epochs.remove(&osd);
        self.outputs.push_back(OsdOutput::MarkDown { osd, up_from });
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{map3, next, osd_on};
    use super::super::{MonMessage, OsdConfig};
    use super::*;

    #[test]
    fn handle_osd_map_applies_in_order_and_ignores_old_maps() {
        let mut map = map3();
        let mut osd = osd_on(&map, OsdConfig::new(0));
        let incs = [next(&mut map, |_| {}), next(&mut map, |_| {})];
        let r = osd.handle_osd_map(OsdMaps::incrementals(incs.clone()));
        assert_eq!(r, Ok(MapOutcome::Applied { from: 2, to: 3 }));
        assert_eq!(osd.epoch(), 3);
        osd.drain_drops();
        assert_eq!(
            osd.handle_osd_map(OsdMaps::incrementals(incs)),
            Ok(MapOutcome::Old)
        );
        assert_eq!(osd.drain_drops(), vec![DropReason::OldMap { last: 3 }]);
        assert_eq!(osd.epoch(), 3);
    }

    #[test]
    fn handle_osd_map_gap_asks_the_monitor_for_the_missing_range() {
        let mut map = map3();
        let mut osd = osd_on(&map, OsdConfig::new(0));
        osd.drain_outputs();
        let _ = next(&mut map, |_| {});
        let inc3 = next(&mut map, |_| {});
        let r = osd.handle_osd_map(OsdMaps::incrementals([inc3]));
        assert_eq!(r, Ok(MapOutcome::Gap { missing_from: 2 }));
        assert_eq!(osd.epoch(), 1);
        assert_eq!(
            osd.drain_outputs(),
            vec![OsdOutput::Mon(MonMessage::Subscribe { start: 2 })]
        );
    }

    #[test]
    fn handle_osd_map_refused_incremental_keeps_earlier_epochs() {
        let mut map = map3();
        let mut osd = osd_on(&map, OsdConfig::new(0));
        let inc2 = next(&mut map, |_| {});
        let mut bad = Incremental::new(3);
        bad.new_up_thru.insert(OsdId(99), 3);
        let r = osd.handle_osd_map(OsdMaps::incrementals([inc2, bad]));
        assert!(matches!(r, Err(OsdError::Map { epoch: 3, .. })), "{r:?}");
        assert_eq!(osd.epoch(), 2);
    }

    #[test]
    fn a_peer_going_down_asks_to_close_that_instances_connection_only() {
        use super::super::Peer;
        use super::super::test_support::{frame, query};
        use peering_core::types::QueryKind;
        let mut map = map3();
        let mut osd = osd_on(&map, OsdConfig::new(0));
        let q = frame(&query(0, QueryKind::Info, 1));
        osd.ms_fast_dispatch(Peer::Osd(OsdId(1)), 1, &q).unwrap();
        osd.drain_outputs();
        let down = next(&mut map, |i| {
            i.mark_down(1);
        });
        osd.handle_osd_map(OsdMaps::incrementals([down])).unwrap();
        let outs = osd.drain_outputs();
        assert!(
            outs.contains(&OsdOutput::MarkDown {
                osd: OsdId(1),
                up_from: 1
            }),
            "{outs:?}"
        );
        // The session is the connection's: until the host closes it, frames
        // on it keep their order (here a newer instance, up from 3, owns it).
        let up = next(&mut map, |i| {
            i.mark_up(1);
        });
        osd.handle_osd_map(OsdMaps::incrementals([up])).unwrap();
        osd.drain_drops();
        let q3 = frame(&query(0, QueryKind::Info, 3));
        osd.ms_fast_dispatch(Peer::Osd(OsdId(1)), 2, &q3).unwrap();
        assert_eq!(osd.drain_drops(), vec![]);
        // Closed by the host, the next session starts at 1.
        osd.ms_handle_reset(Peer::Osd(OsdId(1)));
        osd.ms_fast_dispatch(Peer::Osd(OsdId(1)), 1, &q3).unwrap();
        assert_eq!(osd.drain_drops(), vec![]);
    }

    #[test]
    fn handle_osd_map_wrongly_marked_down_boots_again() {
        let mut map = map3();
        let mut osd = osd_on(&map, OsdConfig::new(0));
        assert_eq!(osd.state(), OsdState::Active);
        assert_eq!(osd.up_epoch(), 1);
        // The process is running (its boot step ran): maps are news now.
        osd.start_boot();
        osd.drain_outputs();
        let down = next(&mut map, |i| {
            i.mark_down(0);
        });
        osd.handle_osd_map(OsdMaps::incrementals([down])).unwrap();
        assert_eq!(osd.state(), OsdState::Booting);
        assert!(!osd.is_up());
        let outs = osd.drain_outputs();
        // It tells the monitor it saw itself down (`MOSDMarkMeDead`), then
        // boots again.
        let mark = outs
            .iter()
            .position(|o| *o == OsdOutput::Mon(MonMessage::MarkMeDead { epoch: 2 }));
        let boot = outs
            .iter()
            .position(|o| *o == OsdOutput::Mon(MonMessage::Boot { epoch: 2 }));
        assert!(mark.is_some() && mark < boot, "{outs:?}");
        let up = next(&mut map, |i| {
            i.mark_up(0);
        });
        osd.handle_osd_map(OsdMaps::incrementals([up])).unwrap();
        assert_eq!(osd.state(), OsdState::Active);
        assert_eq!(osd.up_epoch(), 3);
    }
}
