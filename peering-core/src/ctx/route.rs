//! What a message the machine sends becomes at the receiving PG:
//! each message's `get_event()`, with the (sent, requested) epochs the
//! receiver's admission checks.

use alloc::vec::Vec;

use super::{BackfillReserveOp, DirectMessage, Outgoing, RecoveryReserveOp};
use crate::event::{
    Defer, Event, MInfoRec, MLogRec, MNotifyRec, MQuery, MTrim, PeeringEvt, RequestBackfillPrio,
    RequestRecoveryPrio,
};
use crate::types::{OsdId, PgShard, SpgId, Timespan};

impl Outgoing {
    /// The event(s) this message, sent by OSD `from`, delivers, with the PG shard
    /// each is for (`MOSDPGRemove` may name several). Host-side message types carry
    /// no more than this; an in-process host can route with it directly.
    ///
    /// `MOSDPGTrim`'s event takes the shard from the message's PG id, as Ceph's
    /// `MTrim` does.
    pub fn into_events(self, from: OsdId) -> Vec<(SpgId, PeeringEvt)> {
        let one = |pgid: SpgId, sent, requested, event| {
            alloc::vec![(pgid, PeeringEvt::with_epochs(sent, requested, event))]
        };
        match self {
            Outgoing::Query(pgid, query) => {
                let e = query.epoch_sent;
                let event = Event::MQuery(MQuery {
                    pgid,
                    from: PgShard::new(from, query.from),
                    query,
                    query_epoch: e,
                });
                one(pgid, e, e, event)
            }
            Outgoing::Notify(notify) => {
                let pgid = SpgId::new(notify.info.pgid.pgid, notify.to);
                let (sent, requested) = (notify.epoch_sent, notify.query_epoch);
                let event = Event::MNotifyRec(MNotifyRec {
                    pgid,
                    from: PgShard::new(from, notify.from),
                    notify,
                    features: 0,
                });
                one(pgid, sent, requested, event)
            }
            Outgoing::Info(i) | Outgoing::Direct(DirectMessage::Info(i)) => {
                let (pgid, sent, requested) = (i.pgid, i.epoch, i.min_epoch);
                let event = Event::MInfoRec(MInfoRec {
                    from: PgShard::new(from, i.from),
                    info: i.info,
                    msg_epoch: i.epoch,
                });
                one(pgid, sent, requested, event)
            }
            Outgoing::Direct(DirectMessage::Log(msg)) => {
                let (pgid, sent, requested) = (msg.pgid, msg.epoch, msg.query_epoch);
                let event = Event::MLogRec(MLogRec {
                    from: PgShard::new(from, msg.from),
                    msg,
                });
                one(pgid, sent, requested, event)
            }
            Outgoing::Direct(DirectMessage::Remove { epoch, pgids }) => pgids
                .into_iter()
                .map(|p| (p, PeeringEvt::new(epoch, Event::DeleteStart)))
                .collect(),
            Outgoing::Direct(DirectMessage::RecoveryReserve {
                pgid,
                epoch,
                op,
                priority,
            }) => {
                let event = match op {
                    RecoveryReserveOp::Request => {
                        Event::RequestRecoveryPrio(RequestRecoveryPrio { priority })
                    }
                    RecoveryReserveOp::Grant => Event::RemoteRecoveryReserved,
                    RecoveryReserveOp::Release => Event::RecoveryDone,
                    RecoveryReserveOp::Revoke => Event::DeferRecovery(Defer { delay: Timespan(0) }),
                };
                one(pgid, epoch, epoch, event)
            }
            Outgoing::Direct(DirectMessage::BackfillReserve {
                pgid,
                epoch,
                op,
                priority,
                primary_num_bytes,
                shard_num_bytes,
            }) => {
                let event = match op {
                    BackfillReserveOp::Request => Event::RequestBackfillPrio(RequestBackfillPrio {
                        priority,
                        primary_num_bytes,
                        local_num_bytes: shard_num_bytes,
                    }),
                    BackfillReserveOp::Grant => Event::RemoteBackfillReserved,
                    BackfillReserveOp::RejectTooFull => Event::RemoteReservationRejectedTooFull,
                    BackfillReserveOp::Release => Event::RemoteReservationCanceled,
                    BackfillReserveOp::RevokeTooFull => Event::RemoteReservationRevokedTooFull,
                    BackfillReserveOp::Revoke => Event::RemoteReservationRevoked,
                };
                one(pgid, epoch, epoch, event)
            }
            Outgoing::Direct(DirectMessage::Trim {
                epoch,
                pgid,
                trim_to,
            }) => {
                let event = Event::MTrim(MTrim {
                    epoch,
                    from,
                    shard: pgid.shard,
                    trim_to,
                });
                one(pgid, epoch, epoch, event)
            }
        }
    }
}
