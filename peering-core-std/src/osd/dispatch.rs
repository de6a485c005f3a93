//! `dispatch_context` and `share_map_peer`, and the store's commit callback
//! (seed 002).

use peering_core::ctx::{OnCommit, RecoveryCtx};
use peering_core::event::{Event, PeeringEvt};
use peering_core::map::OsdMapView;
use peering_core::types::OsdId;

use super::output::{OsdOutput, TxnId};
use super::{DropReason, Osd};

impl Osd {
    /// `dispatch_context`: sends the batched messages of the pass. Nothing is
    /// sent while this OSD is not up in its own map (the sends are dropped:
    /// peering is driven again by the next map); each target gets one
    /// [`OsdOutput::Send`] with all its messages, only if it is up in the
    /// current map, preceded by the maps it lacks ([`Osd::share_map`]).
    /// Messages to this OSD itself (one instance of an EC PG to another
    /// shard it holds) are delivered here, as through Ceph's loopback
    /// connection.
    pub fn dispatch_context(&mut self) {
        let pending = std::mem::take(&mut self.pending_sends);
        if pending.is_empty() {
            return;
        }
        if !self.is_up() {
            let messages = pending.values().map(Vec::len).sum();
            self.drop_with(DropReason::NotUp { messages });
            return;
        }
        let Some(map) = self.maps.newest().cloned() else {
            return;
        };
        let epoch = map.epoch();
        let me = self.cfg.whoami;
        for (to, messages) in pending {
            if to == me {
                // `send_message_osd_cluster` to ourselves goes through the
                // messenger's loopback connection: no wire, no session
                // sequence, never reset.
                self.loopback.extend(messages);
                continue;
            }
            if !map.is_up(to) {
                self.drop_with(DropReason::TargetDown(to));
                continue;
            }
            self.share_map(to);
            self.outputs.push_back(OsdOutput::Send {
                to,
                epoch,
                messages,
            });
        }
        self.deliver_loopback();
    }

    /// Delivers the loopback queue as the local connection does, oldest
    /// first; messages its deliveries send to ourselves join the queue
    /// (delivered by the outermost call, so the work stays iterative).
    fn deliver_loopback(&mut self) {
        if self.in_loopback {
            return;
        }
        self.in_loopback = true;
        let me = super::Peer::Osd(self.cfg.whoami);
        while let Some(msg) = self.loopback.pop_front() {
            self.dispatch_message(me, msg);
        }
        self.in_loopback = false;
    }

    /// `share_map_peer`: a peer known to be behind gets the incrementals from
    /// its epoch (or the newest full map if they are no longer held); a peer
    /// whose epoch is unknown gets the newest epoch's. The peer is then noted
    /// at the OSD's epoch, so each map goes once.
    pub fn share_map(&mut self, to: OsdId) {
        let epoch = self.epoch();
        let since = self
            .peer_epochs
            .get(&to)
            .copied()
            .unwrap_or(epoch.saturating_sub(1));
        if let Some(maps) = self.maps.share_since(since) {
            self.outputs.push_back(OsdOutput::ShareMap { to, maps });
        }
        self.note_peer_epoch(to, epoch);
    }

    /// The store reports transaction `txn` durable: its on-commit work runs now
    /// (an event is queued; a flush completes; strays are purged; a deletion
    /// step asks the host for the next objects; a replica's write reply goes
    /// out; a primary's write may be acknowledged), and what that produced is
    /// dispatched. Unknown ids are ignored.
    pub fn on_commit(&mut self, txn: TxnId) {
        self.write_committed(txn);
        let Some((pgid, commits)) = self.on_commit.remove(&txn) else {
            return;
        };
        let mut ctx = RecoveryCtx::new();
        for c in commits.committed() {
            match c {
                OnCommit::Event(evt) => self.enqueue_peering_evt(pgid, evt),
                OnCommit::CompleteFlush => {
                    if let Some(pg) = self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut()) {
                        pg.complete_flush(&mut ctx);
                    }
                }
                OnCommit::PurgeStrays => {
                    let map = self
                        .pg(pgid)
                        .and_then(|pg| self.maps.get(pg.epoch()).cloned());
                    if let (Some(map), Some(pg)) =
                        (map, self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut()))
                    {
                        pg.purge_strays(&*map, &mut ctx);
                    }
                }
                OnCommit::DeleteMore { epoch, after, max } => {
                    self.outputs.push_back(OsdOutput::DeleteMore {
                        pgid,
                        epoch,
                        after,
                        max,
                    });
                }
            }
        }
        self.flush_pg_ctx(pgid, &mut ctx);
        self.dispatch_context();
    }

    /// Delivers the objects the host listed for a deletion step
    /// ([`OsdOutput::DeleteMore`]) as `DeleteSome`.
    pub fn delete_some(
        &mut self,
        pgid: peering_core::types::SpgId,
        epoch: peering_core::types::Epoch,
        objects: Vec<peering_core::types::ObjectId>,
    ) {
        self.enqueue_peering_evt(
            pgid,
            PeeringEvt::new(
                epoch,
                Event::DeleteSome(peering_core::event::DeleteSome { objects }),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use peering_core::types::QueryKind;

    use super::super::test_support::{map3, next, osd_on, query};
    use super::super::{OsdConfig, OsdMaps, Peer};
    use super::*;

    fn sends(outs: &[OsdOutput]) -> usize {
        outs.iter()
            .filter(|o| matches!(o, OsdOutput::Send { .. }))
            .count()
    }

    #[test]
    fn dispatch_context_holds_sends_while_the_osd_is_down() {
        let mut map = map3();
        let _ = next(&mut map, |i| {
            i.mark_down(1);
        });
        let mut osd = osd_on(&map, OsdConfig::new(1));
        assert!(!osd.is_up());
        osd.ms_dispatch(Peer::Osd(OsdId(0)), 1, query(0, QueryKind::Info, 2));
        osd.process_peering_events();
        assert_eq!(sends(&osd.drain_outputs()), 0);
        assert!(
            osd.drain_drops()
                .contains(&DropReason::NotUp { messages: 1 })
        );
        let up = next(&mut map, |i| {
            i.mark_up(1);
        });
        osd.handle_osd_map(OsdMaps::incrementals([up])).unwrap();
        assert!(osd.is_up());
        osd.ms_dispatch(Peer::Osd(OsdId(0)), 2, query(0, QueryKind::Info, 3));
        osd.process_peering_events();
        assert_eq!(sends(&osd.drain_outputs()), 1);
    }

    #[test]
    fn dispatch_context_sends_only_to_osds_up_in_the_current_map() {
        let mut map = map3();
        let _ = next(&mut map, |i| {
            i.mark_down(2);
        });
        let mut osd = osd_on(&map, OsdConfig::new(1));
        osd.drain_outputs();
        for to in [0, 2] {
            osd.pending_sends
                .entry(OsdId(to))
                .or_default()
                .push(crate::msg::Message::Ping(crate::msg::PingMsg));
        }
        osd.dispatch_context();
        let outs = osd.drain_outputs();
        assert!(
            outs.iter()
                .all(|o| !matches!(o, OsdOutput::Send { to, .. } | OsdOutput::ShareMap { to, .. } if *to == OsdId(2)))
        );
        assert_eq!(sends(&outs), 1);
        assert_eq!(osd.drain_drops(), vec![DropReason::TargetDown(OsdId(2))]);
    }

    #[test]
    fn share_map_sends_a_peer_behind_the_incrementals_first() {
        let mut map = map3();
        let mut osd = osd_on(&map, OsdConfig::new(1));
        // The peer's query shows it at epoch 1; the OSD then moves to epoch 3.
        osd.ms_dispatch(Peer::Osd(OsdId(0)), 1, query(0, QueryKind::Info, 1));
        let incs = [next(&mut map, |_| {}), next(&mut map, |_| {})];
        osd.handle_osd_map(OsdMaps::incrementals(incs.clone()))
            .unwrap();
        osd.drain_outputs();
        osd.process_peering_events();
        let outs = osd.drain_outputs();
        let to_peer: Vec<&OsdOutput> = outs
            .iter()
            .filter(|o| {
                matches!(o, OsdOutput::ShareMap { to, .. } | OsdOutput::Send { to, .. } if *to == OsdId(0))
            })
            .collect();
        let [
            OsdOutput::ShareMap { maps, .. },
            OsdOutput::Send { epoch: 3, .. },
        ] = to_peer.as_slice()
        else {
            panic!("{to_peer:?}");
        };
        assert_eq!(maps.incrementals, incs.to_vec());
        assert!(maps.full.is_none());
        // Shared once: the next send carries no maps.
        osd.share_map(OsdId(0));
        assert!(osd.drain_outputs().is_empty());
    }

    #[test]
    fn dispatch_context_on_commit_work_waits_for_the_store() {
        let mut map = map3();
        let _ = &mut map;
        let mut osd = osd_on(&map, OsdConfig::new(1));
        let pgid = super::super::test_support::spg(0);
        // Commit work is only known through a transaction's id: an unknown id
        // does nothing, and nothing runs before `on_commit`.
        osd.on_commit(TxnId(42));
        assert!(osd.drain_outputs().is_empty());
        osd.on_commit.insert(
            TxnId(7),
            (
                pgid,
                vec![OnCommit::Event(PeeringEvt::new(1, Event::NullEvt))].into(),
            ),
        );
        assert_eq!(osd.slot_items(pgid), 0);
        osd.on_commit(TxnId(7));
        assert_eq!(osd.slot_items(pgid), 1);
        osd.on_commit(TxnId(7));
        assert_eq!(osd.slot_items(pgid), 1);
    }
}
