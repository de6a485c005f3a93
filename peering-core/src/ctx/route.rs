//! What a message the machine sends becomes at the receiving PG: each
//! message's `get_event()`, with the (sent, requested) epochs the receiver's
//! admission checks.
//!
//! Each payload converts itself, so a host that decodes a wire message goes
//! from the payload to the event directly; [`Outgoing::into_events`] is the
//! same conversion for an in-process host that routes the machine's outputs
//! without a wire.

use alloc::vec::Vec;

use super::{
    BackfillReserveMsg, BackfillReserveOp, DirectMessage, InfoMsg, LeaseAckMsg, LeaseMsg, Outgoing,
    QueryMsg, RecoveryReserveMsg, RecoveryReserveOp, RemoveMsg, TrimMsg,
};
use crate::event::{
    Defer, Event, MInfoRec, MLease, MLeaseAck, MLogRec, MNotifyRec, MQuery, MTrim, PeeringEvt,
    PgLogMsg, PgNotify, RequestBackfillPrio, RequestRecoveryPrio,
};
use crate::types::{OsdId, PgShard, SpgId, Timespan};

impl QueryMsg {
    /// `MOSDPGQuery2::get_event`: `MQuery` at (`epoch_sent`, `epoch_sent`), from
    /// the querying shard of OSD `from`.
    pub fn into_event(self, from: OsdId) -> (SpgId, PeeringEvt) {
        let QueryMsg { pgid, query } = self;
        let e = query.epoch_sent;
        let event = Event::MQuery(MQuery {
            pgid,
            from: PgShard::new(from, query.from),
            query,
            query_epoch: e,
        });
        (pgid, PeeringEvt::with_epochs(e, e, event))
    }
}

impl PgNotify {
    /// The PG shard a notify is addressed to: `spg_t(info.pgid.pgid, to)`
    /// (`BufferedRecoveryMessages::send_notify`).
    pub fn addressed_to(&self) -> SpgId {
        SpgId::new(self.info.pgid.pgid, self.to)
    }

    /// `MOSDPGNotify2::get_event`: `MNotifyRec` at (`epoch_sent`,
    /// `query_epoch`), from the notifying shard of OSD `from`.
    pub fn into_event(self, from: OsdId) -> (SpgId, PeeringEvt) {
        let pgid = self.addressed_to();
        let (sent, requested) = (self.epoch_sent, self.query_epoch);
        let event = Event::MNotifyRec(MNotifyRec {
            pgid,
            from: PgShard::new(from, self.from),
            notify: self,
            features: 0,
        });
        (pgid, PeeringEvt::with_epochs(sent, requested, event))
    }
}

impl InfoMsg {
    /// `MOSDPGInfo2::get_event`: `MInfoRec` at (`epoch_sent`, `min_epoch`).
    pub fn into_event(self, from: OsdId) -> (SpgId, PeeringEvt) {
        let (pgid, sent, requested) = (self.pgid, self.epoch, self.min_epoch);
        let event = Event::MInfoRec(MInfoRec {
            from: PgShard::new(from, self.from),
            info: self.info,
            msg_epoch: self.epoch,
            lease: self.lease,
            lease_ack: self.lease_ack,
        });
        (pgid, PeeringEvt::with_epochs(sent, requested, event))
    }
}

impl PgLogMsg {
    /// `MOSDPGLog::get_event`: `MLogRec` at (`epoch`, `query_epoch`).
    pub fn into_event(self, from: OsdId) -> (SpgId, PeeringEvt) {
        let (pgid, sent, requested) = (self.pgid, self.epoch, self.query_epoch);
        let event = Event::MLogRec(MLogRec {
            from: PgShard::new(from, self.from),
            msg: self,
        });
        (pgid, PeeringEvt::with_epochs(sent, requested, event))
    }
}

impl RemoveMsg {
    /// `MOSDPGRemove`, as `handle_pg_remove` queues it: one `DeleteStart` per
    /// PG shard named, at the message epoch.
    pub fn into_events(self) -> impl Iterator<Item = (SpgId, PeeringEvt)> {
        let epoch = self.epoch;
        self.pgids
            .into_iter()
            .map(move |p| (p, PeeringEvt::new(epoch, Event::DeleteStart)))
    }
}

impl RecoveryReserveMsg {
    /// `MRecoveryReserve::get_event`: REQUEST → `RequestRecoveryPrio`, GRANT →
    /// `RemoteRecoveryReserved`, RELEASE → `RecoveryDone`, REVOKE →
    /// `DeferRecovery(0)`, at (`query_epoch`, `query_epoch`).
    pub fn into_event(self) -> (SpgId, PeeringEvt) {
        let event = match self.op {
            RecoveryReserveOp::Request => Event::RequestRecoveryPrio(RequestRecoveryPrio {
                priority: self.priority,
            }),
            RecoveryReserveOp::Grant => Event::RemoteRecoveryReserved,
            RecoveryReserveOp::Release => Event::RecoveryDone,
            RecoveryReserveOp::Revoke => Event::DeferRecovery(Defer { delay: Timespan(0) }),
        };
        (self.pgid, PeeringEvt::new(self.epoch, event))
    }
}

impl BackfillReserveMsg {
    /// `MBackfillReserve::get_event`: REQUEST → `RequestBackfillPrio`, GRANT →
    /// `RemoteBackfillReserved`, REJECT_TOOFULL →
    /// `RemoteReservationRejectedTooFull`, RELEASE → `RemoteReservationCanceled`,
    /// REVOKE_TOOFULL → `RemoteReservationRevokedTooFull`, REVOKE →
    /// `RemoteReservationRevoked`, at (`query_epoch`, `query_epoch`).
    pub fn into_event(self) -> (SpgId, PeeringEvt) {
        let event = match self.op {
            BackfillReserveOp::Request => Event::RequestBackfillPrio(RequestBackfillPrio {
                priority: self.priority,
                primary_num_bytes: self.primary_num_bytes,
                local_num_bytes: self.shard_num_bytes,
            }),
            BackfillReserveOp::Grant => Event::RemoteBackfillReserved,
            BackfillReserveOp::RejectTooFull => Event::RemoteReservationRejectedTooFull,
            BackfillReserveOp::Release => Event::RemoteReservationCanceled,
            BackfillReserveOp::RevokeTooFull => Event::RemoteReservationRevokedTooFull,
            BackfillReserveOp::Revoke => Event::RemoteReservationRevoked,
        };
        (self.pgid, PeeringEvt::new(self.epoch, event))
    }
}

impl LeaseMsg {
    /// `MOSDPGLease::get_event`: `MLease` at (`epoch`, `epoch`), from OSD `from`.
    pub fn into_event(self, from: OsdId) -> (SpgId, PeeringEvt) {
        let event = Event::MLease(MLease {
            epoch: self.epoch,
            from,
            lease: self.lease,
        });
        (self.pgid, PeeringEvt::new(self.epoch, event))
    }
}

impl LeaseAckMsg {
    /// `MOSDPGLeaseAck::get_event`: `MLeaseAck` at (`epoch`, `epoch`), from OSD
    /// `from`.
    pub fn into_event(self, from: OsdId) -> (SpgId, PeeringEvt) {
        let event = Event::MLeaseAck(MLeaseAck {
            epoch: self.epoch,
            from,
            lease_ack: self.lease_ack,
        });
        (self.pgid, PeeringEvt::new(self.epoch, event))
    }
}

impl TrimMsg {
    /// `MOSDPGTrim::get_event`: `MTrim` at (`epoch`, `epoch`), from OSD `from`;
    /// the shard is the message's PG shard, as Ceph's `MTrim` takes it.
    pub fn into_event(self, from: OsdId) -> (SpgId, PeeringEvt) {
        let event = Event::MTrim(MTrim {
            epoch: self.epoch,
            from,
            shard: self.pgid.shard,
            trim_to: self.trim_to,
        });
        (self.pgid, PeeringEvt::new(self.epoch, event))
    }
}

impl DirectMessage {
    /// The event(s) this direct send delivers when OSD `from` sent it.
    pub fn into_events(self, from: OsdId) -> Vec<(SpgId, PeeringEvt)> {
        match self {
            DirectMessage::Log(m) => alloc::vec![m.into_event(from)],
            DirectMessage::Info(m) => alloc::vec![m.into_event(from)],
            DirectMessage::Remove(m) => m.into_events().collect(),
            DirectMessage::RecoveryReserve(m) => alloc::vec![m.into_event()],
            DirectMessage::BackfillReserve(m) => alloc::vec![m.into_event()],
            DirectMessage::Trim(m) => alloc::vec![m.into_event(from)],
            DirectMessage::Lease(m) => alloc::vec![m.into_event(from)],
            DirectMessage::LeaseAck(m) => alloc::vec![m.into_event(from)],
        }
    }
}

impl Outgoing {
    /// The event(s) this message, sent by OSD `from`, delivers, with the PG shard
    /// each is for (`MOSDPGRemove` may name several): each payload's own
    /// conversion, for an in-process host that routes without a wire.
    pub fn into_events(self, from: OsdId) -> Vec<(SpgId, PeeringEvt)> {
        match self {
            Outgoing::Query(m) => alloc::vec![m.into_event(from)],
            Outgoing::Notify(n) => alloc::vec![n.into_event(from)],
            Outgoing::Info(i) => alloc::vec![i.into_event(from)],
            Outgoing::Direct(m) => m.into_events(from),
        }
    }
}
