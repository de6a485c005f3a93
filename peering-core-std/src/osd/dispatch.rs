//! `dispatch_context` and `share_map_peer`, and the store's commit callback
//! (`ceph-osd-side.md` §4.4; seed 002).

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
        for (to, messages) in pending {
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
    /// step asks the host for the next objects), and what that produced is
    /// dispatched. Unknown ids are ignored.
    pub fn on_commit(&mut self, txn: TxnId) {
        let Some((pgid, commits)) = self.on_commit.remove(&txn) else {
            return;
        };
        let mut ctx = RecoveryCtx::new();
        for c in commits {
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
                    if let (Some(map), Some(pg)) = (
                        map,
                        self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut()),
                    ) {
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
