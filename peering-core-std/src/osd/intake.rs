//! Message intake: `ms_fast_dispatch` / `ms_dispatch`
//! seed 000).
//!
//! A frame is checked against its session's sequence, decoded with a length
//! bound, classified fast or normal as the catalog says
//! ([`MsgType::can_fast_dispatch_modern`](crate::msg::MsgType::can_fast_dispatch_modern)),
//! and a peering message becomes per-PG peering items
//! ([`Message::into_deliveries`]) that wait in the session until the OSD has
//! the message's map.

use peering_core::types::{Epoch, OsdId};

use super::session::Waiting;
use super::{DropReason, Osd, OsdError, Peer};
use crate::msg::{Message, decode_with_limit};

/// Which of Ceph's two dispatch paths a message type takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DispatchClass {
    /// `ms_fast_dispatch`: straight to the sharded queue.
    Fast,
    /// `ms_dispatch`: under the OSD lock (maps, monitor traffic, legacy creates).
    Normal,
}

/// What became of one message.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Disposition {
    /// Its peering items were queued on their PG slots.
    Queued {
        /// Items queued.
        items: usize,
    },
    /// It waits in the session's `waiting_on_map` (its epoch, or an earlier
    /// waiter's, is newer than the OSD's map).
    WaitingForMap {
        /// The epoch it needs.
        epoch: Epoch,
    },
    /// Discarded.
    Dropped(DropReason),
    /// Nothing to do (a ping).
    Ignored,
    /// A recovery or backfill message, handled at once (Ceph's op queue).
    Handled,
}

/// The result of [`Osd::ms_fast_dispatch`] / [`Osd::ms_dispatch`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Dispatched {
    /// The dispatch path the message's type takes.
    pub class: DispatchClass,
    /// What became of it.
    pub disposition: Disposition,
}

impl Osd {
    /// `ms_fast_dispatch` for one frame from `from` carrying the session's
    /// sequence number `seq` (see the transport contract in the module docs).
    ///
    /// A duplicate or out-of-order `seq` is dropped with a reason before the
    /// frame is read. A frame that does not decode (too long for
    /// [`super::OsdConfig::max_frame_len`], truncated, unknown type, bad payload)
    /// is refused with [`OsdError::Decode`]; it consumes its sequence number and
    /// nothing else (no session wait, no PG, no store). Decoding allocates in
    /// proportion to the frame's bytes, never to a length the frame claims.
    pub fn ms_fast_dispatch(
        &mut self,
        from: Peer,
        seq: u64,
        frame: &[u8],
    ) -> Result<Dispatched, OsdError> {
        if let Err(reason) = self.check_seq(from, seq) {
            self.drop_with(reason.clone());
            return Ok(Dispatched {
                class: DispatchClass::Fast,
                disposition: Disposition::Dropped(reason),
            });
        }
        let msg = decode_with_limit(frame, self.cfg.max_frame_len)?;
        Ok(self.dispatch_message(from, msg))
    }

    /// [`Osd::ms_fast_dispatch`] for a message the host decoded itself.
    pub fn ms_dispatch(&mut self, from: Peer, seq: u64, msg: Message) -> Dispatched {
        if let Err(reason) = self.check_seq(from, seq) {
            self.drop_with(reason.clone());
            let class = classify(&msg);
            return Dispatched {
                class,
                disposition: Disposition::Dropped(reason),
            };
        }
        self.dispatch_message(from, msg)
    }

    /// Routes a message whose sequence was accepted (or that came through
    /// the loopback connection, which has none).
    pub(super) fn dispatch_message(&mut self, from: Peer, msg: Message) -> Dispatched {
        let class = classify(&msg);
        let disposition = match self.admit(from, msg) {
            Ok(d) => d,
            Err(reason) => {
                self.drop_with(reason.clone());
                Disposition::Dropped(reason)
            }
        };
        Dispatched { class, disposition }
    }

    /// The checks that need no map, then the session queue.
    fn admit(&mut self, from: Peer, msg: Message) -> Result<Disposition, DropReason> {
        let ty = msg.msg_type();
        if matches!(msg, Message::Ping(_)) {
            return Ok(Disposition::Ignored);
        }
        if let Peer::Osd(o) = from
            && let Some(r) = self
                .handle_recovery_msg(o, &msg)
                .or_else(|| self.handle_repop(o, &msg))
                .or_else(|| self.handle_ec_sub_write(o, &msg))
                .or_else(|| self.handle_repop_reply(o, &msg))
        {
            return r.map(|()| Disposition::Handled);
        }
        if !msg.is_peering() {
            // Maps come in decoded through `handle_osd_map`; the data path and
            // monitor traffic are not the peering host's.
            return Err(DropReason::NotHandled(ty.name()));
        }
        let by_mon = matches!(msg, Message::PgCreate(_) | Message::PgCreate2(_));
        let sender = match (from, by_mon) {
            (Peer::Osd(o), false) => o,
            (Peer::Mon, true) => OsdId::UNDEF,
            _ => return Err(DropReason::UnexpectedSender),
        };
        let pgs = msg.pgs();
        let deliveries = msg
            .into_deliveries(sender)
            .map_err(|_| DropReason::NotHandled(ty.name()))?;
        let epoch = deliveries
            .iter()
            .map(|d| d.evt.epoch_sent)
            .max()
            .unwrap_or(0);
        let w = Waiting {
            epoch,
            pgs,
            deliveries,
        };
        match self.queue_session(from, w)? {
            Some(items) => Ok(Disposition::Queued { items }),
            None => Ok(Disposition::WaitingForMap { epoch }),
        }
    }
}

/// The catalog's modern classification of `msg`'s type.
fn classify(msg: &Message) -> DispatchClass {
    if msg.msg_type().can_fast_dispatch_modern() {
        DispatchClass::Fast
    } else {
        DispatchClass::Normal
    }
}

#[cfg(test)]
mod tests {
    use peering_core::types::{OsdId, PgId, QueryKind};

    use super::super::test_support::{frame, map3, osd_on, query, spg};
    use super::super::{OsdConfig, OsdOutput};
    use super::*;
    use crate::msg::{MsgError, PgCreateMsg};

    #[test]
    fn ms_fast_dispatch_refuses_undecodable_frame_touching_nothing() {
        let mut osd = osd_on(&map3(), OsdConfig::new(1));
        osd.drain_outputs();
        let err = osd.ms_fast_dispatch(Peer::Osd(OsdId(0)), 1, &[1, 0xff, 0xff, 3]);
        assert_eq!(err, Err(OsdError::Decode(MsgError::UnknownType(0xffff))));
        assert_eq!(osd.session_waiting(Peer::Osd(OsdId(0))), 0);
        assert_eq!(osd.slot_items(spg(0)), 0);
        assert!(osd.drain_outputs().is_empty());
        assert!(!osd.has_peering_work());
    }

    #[test]
    fn ms_fast_dispatch_bounds_memory_per_frame() {
        let mut cfg = OsdConfig::new(1);
        cfg.max_frame_len = 64;
        let mut osd = osd_on(&map3(), cfg);
        // A notify frame whose list claims 2^40 entries: refused, nothing of
        // that size allocated.
        let mut huge = vec![1, 80, 0];
        huge.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
        let r = osd.ms_fast_dispatch(Peer::Osd(OsdId(0)), 1, &huge);
        assert!(matches!(r, Err(OsdError::Decode(_))), "{r:?}");
        let long = vec![1u8; 65];
        let r = osd.ms_fast_dispatch(Peer::Osd(OsdId(0)), 2, &long);
        assert_eq!(
            r,
            Err(OsdError::Decode(MsgError::TooLarge { len: 65, max: 64 }))
        );
    }

    #[test]
    fn ms_fast_dispatch_classifies_by_catalog_and_queues_items() {
        let mut osd = osd_on(&map3(), OsdConfig::new(1));
        let q = query(0, QueryKind::Info, 1);
        let d = osd
            .ms_fast_dispatch(Peer::Osd(OsdId(0)), 1, &frame(&q))
            .unwrap();
        assert_eq!(d.class, DispatchClass::Fast);
        assert_eq!(d.disposition, Disposition::Queued { items: 1 });
        assert_eq!(osd.slot_items(spg(0)), 1);
        let legacy = Message::PgCreate(PgCreateMsg {
            epoch: 1,
            mkpg: Default::default(),
            ctimes: Default::default(),
        });
        let d = osd.ms_dispatch(Peer::Mon, 1, legacy);
        assert_eq!(d.class, DispatchClass::Normal);
    }

    #[test]
    fn ms_fast_dispatch_drops_unknown_pool_and_sender_not_in_map() {
        let mut osd = osd_on(&map3(), OsdConfig::new(1));
        let mut q = query(0, QueryKind::Info, 1);
        if let Message::PgQuery2(m) = &mut q {
            m.pgid = peering_core::types::SpgId::replicated(PgId::new(9, 0));
        }
        let d = osd.ms_dispatch(Peer::Osd(OsdId(0)), 1, q);
        assert_eq!(
            d.disposition,
            Disposition::Dropped(DropReason::UnknownPool(PgId::new(9, 0)))
        );
        let d = osd.ms_dispatch(Peer::Osd(OsdId(7)), 1, query(0, QueryKind::Info, 1));
        assert_eq!(
            d.disposition,
            Disposition::Dropped(DropReason::SenderNotUp(OsdId(7)))
        );
        let d = osd.ms_dispatch(Peer::Client(4), 1, query(0, QueryKind::Info, 1));
        assert_eq!(
            d.disposition,
            Disposition::Dropped(DropReason::UnexpectedSender)
        );
        assert_eq!(osd.slot_items(spg(0)), 0);
        assert!(
            !osd.drain_outputs()
                .iter()
                .any(|o| matches!(o, OsdOutput::Send { .. }))
        );
    }
}
