//! Sessions: one per connection, with the messenger's sequence check and
//! `waiting_on_map`–; `Session`,
//! `dispatch_session_waiting`, `ms_handle_reset`).

use std::collections::VecDeque;

use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, OsdId, PgId};

use super::{DropReason, Osd};
use crate::msg::PeeringDelivery;

/// Who is at the other end of a connection (Ceph's `entity_name_t` type and
/// number).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Peer {
    /// A peer OSD on the cluster messenger.
    Osd(OsdId),
    /// The monitor.
    Mon,
    /// A client (its global id).
    Client(u64),
}

/// A message parked in `waiting_on_map`: already decoded into its deliveries,
/// waiting for the map of `epoch`.
#[derive(Clone, Debug)]
pub(super) struct Waiting {
    /// The epoch the message needs (its newest `epoch_sent`).
    pub epoch: Epoch,
    /// Every PG the message names (checked against the map at dispatch).
    pub pgs: Vec<PgId>,
    /// What it delivers.
    pub deliveries: Vec<PeeringDelivery>,
}

/// One connection's state (`Session`).
#[derive(Clone, Debug, Default)]
pub(super) struct Session {
    /// The last sequence number accepted (`in_seq`).
    pub in_seq: u64,
    /// Messages stamped with an epoch newer than the OSD's map, in arrival
    /// order.
    pub waiting_on_map: VecDeque<Waiting>,
}

impl Osd {
    /// The messenger's in-order, exactly-once check: accepts `seq` only if it is
    /// the session's next number.
    pub(super) fn check_seq(&mut self, from: Peer, seq: u64) -> Result<(), DropReason> {
        let session = self.sessions.entry(from).or_default();
        let expected = session.in_seq.saturating_add(1);
        if seq < expected {
            return Err(DropReason::DuplicateSeq {
                seq,
                last: session.in_seq,
            });
        }
        if seq > expected {
            return Err(DropReason::OutOfOrderSeq { expected, got: seq });
        }
        session.in_seq = seq;
        Ok(())
    }

    /// `ms_handle_reset`: the connection to `peer` is gone. Its session and
    /// whatever waited in it are dropped; the next session starts at sequence 1.
    pub fn ms_handle_reset(&mut self, peer: Peer) {
        if let Some(s) = self.sessions.remove(&peer)
            && !s.waiting_on_map.is_empty()
        {
            self.drop_with(DropReason::SessionReset {
                waiting: s.waiting_on_map.len(),
            });
        }
    }

    /// Parks `w` in `from`'s `waiting_on_map` (after any earlier waiter, so the
    /// session's order holds) or dispatches it, then dispatches whatever the map
    /// allows. Returns the items queued if `w` was dispatched now, `None` if it
    /// waits.
    pub(super) fn queue_session(
        &mut self,
        from: Peer,
        w: Waiting,
    ) -> Result<Option<usize>, DropReason> {
        let epoch = self.epoch();
        let limit = self.cfg.max_session_waiting;
        let session = self.sessions.entry(from).or_default();
        if session.waiting_on_map.is_empty() && w.epoch <= epoch {
            return self.dispatch_op(from, w).map(Some);
        }
        if session.waiting_on_map.len() >= limit {
            return Err(DropReason::SessionBacklog);
        }
        let need = w.epoch;
        session.waiting_on_map.push_back(w);
        if need > epoch {
            self.mon_subscribe(epoch.saturating_add(1));
        }
        self.dispatch_session_waiting(from);
        Ok(None)
    }

    /// `dispatch_session_waiting`: dispatches `peer`'s waiting messages in
    /// order, stopping at the first one newer than the OSD's map.
    pub(super) fn dispatch_session_waiting(&mut self, peer: Peer) {
        let epoch = self.epoch();
        loop {
            let Some(session) = self.sessions.get_mut(&peer) else {
                return;
            };
            if session
                .waiting_on_map
                .front()
                .is_none_or(|w| w.epoch > epoch)
            {
                return;
            }
            let Some(w) = session.waiting_on_map.pop_front() else {
                return;
            };
            if let Err(reason) = self.dispatch_op(peer, w) {
                self.drop_with(reason);
            }
        }
    }

    /// `dispatch_sessions_waiting_on_map` (from `consume_map`).
    pub(super) fn dispatch_sessions_waiting_on_map(&mut self) {
        let waiting: Vec<Peer> = self
            .sessions
            .iter()
            .filter(|(_, s)| !s.waiting_on_map.is_empty())
            .map(|(p, _)| *p)
            .collect();
        for peer in waiting {
            self.dispatch_session_waiting(peer);
        }
    }

    /// How many messages `peer`'s session holds in `waiting_on_map`.
    pub fn session_waiting(&self, peer: Peer) -> usize {
        self.sessions
            .get(&peer)
            .map_or(0, |s| s.waiting_on_map.len())
    }

    /// Dispatches one message whose epoch the OSD has reached:
    /// `require_same_peer_instance` (the sending OSD must be up in the map),
    /// every pool it names must exist, then each delivery goes to its PG slot.
    fn dispatch_op(&mut self, from: Peer, w: Waiting) -> Result<usize, DropReason> {
        let Some(map) = self.maps.newest().cloned() else {
            return Err(DropReason::MapTrimmed(w.epoch));
        };
        if let Peer::Osd(o) = from {
            if !map.is_up(o) {
                return Err(DropReason::SenderNotUp(o));
            }
            self.note_peer_epoch(o, w.epoch);
        }
        if let Some(pg) = w.pgs.iter().find(|p| map.pool(p.pool).is_none()) {
            return Err(DropReason::UnknownPool(*pg));
        }
        let n = w.deliveries.len();
        for d in w.deliveries {
            self.enqueue_delivery(d);
        }
        Ok(n)
    }

    /// `note_peer_epoch`: `peer` has at least `epoch`.
    pub(super) fn note_peer_epoch(&mut self, peer: OsdId, epoch: Epoch) {
        let e = self.peer_epochs.entry(peer).or_default();
        *e = (*e).max(epoch);
    }
}

#[cfg(test)]
mod tests {
    use peering_core::types::{OsdId, QueryKind};

    use super::super::test_support::{map3, next, osd_on, query, spg};
    use super::super::{Disposition, MonMessage, OsdConfig, OsdMaps, OsdOutput};
    use super::*;

    #[test]
    fn dispatch_session_waiting_holds_newer_messages_in_order_until_consume_map() {
        let mut map = map3();
        let mut osd = osd_on(&map, OsdConfig::new(1));
        osd.drain_outputs();
        let peer = Peer::Osd(OsdId(0));
        let d = osd.ms_dispatch(peer, 1, query(0, QueryKind::Info, 3));
        assert_eq!(d.disposition, Disposition::WaitingForMap { epoch: 3 });
        assert!(
            osd.drain_outputs()
                .contains(&OsdOutput::Mon(MonMessage::Subscribe { start: 2 }))
        );
        // An older message behind it waits too: the session's order holds.
        let d = osd.ms_dispatch(peer, 2, query(1, QueryKind::Info, 1));
        assert_eq!(d.disposition, Disposition::WaitingForMap { epoch: 1 });
        assert_eq!(osd.session_waiting(peer), 2);
        let inc2 = next(&mut map, |_| {});
        osd.handle_osd_map(OsdMaps::incrementals([inc2])).unwrap();
        assert_eq!(osd.session_waiting(peer), 2);
        let inc3 = next(&mut map, |_| {});
        osd.handle_osd_map(OsdMaps::incrementals([inc3])).unwrap();
        assert_eq!(osd.session_waiting(peer), 0);
        assert_eq!(osd.slot_items(spg(0)), 1);
        assert_eq!(osd.slot_items(spg(1)), 1);
    }

    #[test]
    fn dispatch_session_waiting_drops_duplicate_and_out_of_order_seq() {
        let mut osd = osd_on(&map3(), OsdConfig::new(1));
        let peer = Peer::Osd(OsdId(0));
        let q = || query(0, QueryKind::Info, 1);
        assert_eq!(
            osd.ms_dispatch(peer, 1, q()).disposition,
            Disposition::Queued { items: 1 }
        );
        assert_eq!(
            osd.ms_dispatch(peer, 1, q()).disposition,
            Disposition::Dropped(DropReason::DuplicateSeq { seq: 1, last: 1 })
        );
        assert_eq!(
            osd.ms_dispatch(peer, 3, q()).disposition,
            Disposition::Dropped(DropReason::OutOfOrderSeq {
                expected: 2,
                got: 3
            })
        );
        assert_eq!(osd.slot_items(spg(0)), 1);
        assert_eq!(
            osd.ms_dispatch(peer, 2, q()).disposition,
            Disposition::Queued { items: 1 }
        );
    }

    #[test]
    fn ms_handle_reset_drops_waiters_and_restarts_sequence() {
        let mut osd = osd_on(&map3(), OsdConfig::new(1));
        let peer = Peer::Osd(OsdId(0));
        osd.ms_dispatch(peer, 1, query(0, QueryKind::Info, 5));
        osd.drain_drops();
        osd.ms_handle_reset(peer);
        assert_eq!(osd.session_waiting(peer), 0);
        assert_eq!(
            osd.drain_drops(),
            vec![DropReason::SessionReset { waiting: 1 }]
        );
        assert_eq!(
            osd.ms_dispatch(peer, 1, query(0, QueryKind::Info, 1))
                .disposition,
            Disposition::Queued { items: 1 }
        );
    }
}
