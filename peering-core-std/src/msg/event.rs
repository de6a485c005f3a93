//! What a peering message means to a PG: for each PG instance it addresses, the
//! `(spgid, epoch_sent, epoch_requested)` of the peering event it becomes and the
//! data that event carries (`ceph-osd-side.md` §1.3, "Event produced").
//!
//! The core's event type is built from these descriptions by the host; keeping
//! the description here means the epoch rules of §1.3 (which epoch of which
//! message becomes `epoch_sent` and which `epoch_requested`) live in one place.

use peering_core::intervals::PastIntervals;
use peering_core::types::{EVersion, Epoch, PgHistory, PgInfo, PgNotify, PgQuery, ShardId, SpgId};

use super::catalog::Message;
use super::peering::PgLogMsg;
use super::reserve::{BackfillReserveKind, PgLease, PgLeaseAck, RecoveryReserveKind};

/// The data of one peering event, by the event Ceph makes of the message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PeeringPayload<'a> {
    /// `MNotifyRec`: a notify from shard `from`. Modern Ceph lets a notify create
    /// the PG (its `PGCreateInfo` carries the notify's history and past intervals).
    Notify {
        /// The sending shard (`pg_notify_t::from`).
        from: ShardId,
        /// The notify.
        notify: &'a PgNotify,
    },
    /// `MQuery`: a query from shard `from` (`requires_pg = false`: a missing PG
    /// is answered with an empty info).
    Query {
        /// The asking shard.
        from: ShardId,
        /// The query.
        query: &'a PgQuery,
    },
    /// `MInfoRec`: an info from shard `from`, with a lease or ack in the modern
    /// per-PG form.
    Info {
        /// The sending shard.
        from: ShardId,
        /// The info.
        info: &'a PgInfo,
        /// A lease carried with it (`MOSDPGInfo2`).
        lease: Option<PgLease>,
        /// A lease ack carried with it (`MOSDPGInfo2`).
        lease_ack: Option<PgLeaseAck>,
    },
    /// `MLogRec`: a log message.
    Log(&'a PgLogMsg),
    /// `MTrim`: trim the log to `trim_to`.
    Trim {
        /// The trim bound.
        trim_to: EVersion,
    },
    /// `DeleteStart`: the primary asked this instance to delete itself.
    Remove,
    /// `NullEvt` with a `PGCreateInfo` (`by_mon = true`): the monitor asks for
    /// the PG to exist.
    Create {
        /// The epoch the PG was created.
        created: Epoch,
        /// The history it starts with (`MOSDPGCreate2`).
        history: Option<&'a PgHistory>,
        /// The past intervals it starts with (`MOSDPGCreate2`).
        past_intervals: Option<&'a PastIntervals>,
    },
    /// A backfill reservation step (`RequestBackfillPrio`,
    /// `RemoteBackfillReserved`, `RemoteReservationRejectedTooFull`,
    /// `RemoteReservationCanceled`, `RemoteReservationRevokedTooFull`,
    /// `RemoteReservationRevoked`).
    BackfillReserve {
        /// Which step.
        kind: BackfillReserveKind,
        /// Its priority.
        priority: u32,
        /// Bytes the primary holds.
        primary_num_bytes: i64,
        /// Bytes the target shard holds.
        shard_num_bytes: i64,
    },
    /// A recovery reservation step (`RequestRecoveryPrio`,
    /// `RemoteRecoveryReserved`, `RecoveryDone`, `DeferRecovery`).
    RecoveryReserve {
        /// Which step.
        kind: RecoveryReserveKind,
        /// Its priority.
        priority: u32,
    },
    /// `MLease`.
    Lease(PgLease),
    /// `MLeaseAck`.
    LeaseAck(PgLeaseAck),
}

/// One peering event a message produces: the PG instance it goes to, the event
/// envelope's two epochs, and its data.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PeeringItem<'a> {
    /// The PG instance the event is for.
    pub spgid: SpgId,
    /// `epoch_sent`: the receiver needs at least this map before processing.
    pub epoch_sent: Epoch,
    /// `epoch_requested`: the PG drops the event if it reset peering after it.
    pub epoch_requested: Epoch,
    /// The event's data.
    pub payload: PeeringPayload<'a>,
}

impl<'a> PeeringItem<'a> {
    fn new(spgid: SpgId, sent: Epoch, requested: Epoch, payload: PeeringPayload<'a>) -> Self {
        PeeringItem {
            spgid,
            epoch_sent: sent,
            epoch_requested: requested,
            payload,
        }
    }
}

fn notify_item(n: &PgNotify) -> PeeringItem<'_> {
    let spgid = SpgId::new(n.info.pgid.pgid, n.to);
    let payload = PeeringPayload::Notify {
        from: n.from,
        notify: n,
    };
    PeeringItem::new(spgid, n.epoch_sent, n.query_epoch, payload)
}

fn query_item(spgid: SpgId, q: &PgQuery) -> PeeringItem<'_> {
    let payload = PeeringPayload::Query {
        from: q.from,
        query: q,
    };
    PeeringItem::new(spgid, q.epoch_sent, q.epoch_sent, payload)
}

fn info_item(n: &PgNotify) -> PeeringItem<'_> {
    let spgid = SpgId::new(n.info.pgid.pgid, n.to);
    let payload = PeeringPayload::Info {
        from: n.from,
        info: &n.info,
        lease: None,
        lease_ack: None,
    };
    PeeringItem::new(spgid, n.epoch_sent, n.query_epoch, payload)
}

impl Message {
    /// True for the messages that become peering events.
    pub fn is_peering(&self) -> bool {
        !self.peering_items().is_empty()
    }

    /// The peering events this message becomes, one per PG instance it addresses,
    /// with the epochs §1.3 assigns; empty for messages that are not peering
    /// events (maps, data path, monitor traffic). Legacy `MOSDPGCreate` entries
    /// with nonzero `split_bits` are skipped, as the OSD ignores them.
    pub fn peering_items(&self) -> Vec<PeeringItem<'_>> {
        match self {
            Message::PgNotify(m) => m.notifies.iter().map(notify_item).collect(),
            Message::PgNotify2(m) => {
                let mut item = notify_item(&m.notify);
                item.spgid = m.spgid;
                vec![item]
            }
            Message::PgQuery(m) => m.queries.iter().map(|(s, q)| query_item(*s, q)).collect(),
            Message::PgQuery2(m) => vec![query_item(m.spgid, &m.query)],
            Message::PgInfo(m) => m.infos.iter().map(info_item).collect(),
            Message::PgInfo2(m) => {
                let payload = PeeringPayload::Info {
                    from: m.info.pgid.shard,
                    info: &m.info,
                    lease: m.lease,
                    lease_ack: m.lease_ack,
                };
                vec![PeeringItem::new(
                    m.spgid,
                    m.epoch_sent,
                    m.min_epoch,
                    payload,
                )]
            }
            Message::PgLog(m) => {
                let spgid = SpgId::new(m.info.pgid.pgid, m.to);
                let payload = PeeringPayload::Log(m);
                vec![PeeringItem::new(spgid, m.epoch, m.query_epoch, payload)]
            }
            Message::PgTrim(m) => {
                let payload = PeeringPayload::Trim { trim_to: m.trim_to };
                vec![PeeringItem::new(m.pgid, m.epoch, m.epoch, payload)]
            }
            Message::PgRemove(m) => m
                .pgs
                .iter()
                .map(|s| PeeringItem::new(*s, m.epoch, m.epoch, PeeringPayload::Remove))
                .collect(),
            Message::PgCreate(m) => m
                .mkpg
                .iter()
                .filter(|(_, c)| c.split_bits == 0)
                .map(|(pg, c)| {
                    let payload = PeeringPayload::Create {
                        created: c.created,
                        history: None,
                        past_intervals: None,
                    };
                    PeeringItem::new(SpgId::replicated(*pg), m.epoch, m.epoch, payload)
                })
                .collect(),
            Message::PgCreate2(m) => m
                .pgs
                .iter()
                .map(|(spg, (created, _))| {
                    let extra = m.pg_extra.get(spg);
                    let payload = PeeringPayload::Create {
                        created: *created,
                        history: extra.map(|e| &e.0),
                        past_intervals: extra.map(|e| &e.1),
                    };
                    PeeringItem::new(*spg, m.epoch, m.epoch, payload)
                })
                .collect(),
            Message::BackfillReserve(m) => {
                let payload = PeeringPayload::BackfillReserve {
                    kind: m.kind,
                    priority: m.priority,
                    primary_num_bytes: m.primary_num_bytes,
                    shard_num_bytes: m.shard_num_bytes,
                };
                vec![PeeringItem::new(
                    m.pgid,
                    m.query_epoch,
                    m.query_epoch,
                    payload,
                )]
            }
            Message::RecoveryReserve(m) => {
                let payload = PeeringPayload::RecoveryReserve {
                    kind: m.kind,
                    priority: m.priority,
                };
                vec![PeeringItem::new(
                    m.pgid,
                    m.query_epoch,
                    m.query_epoch,
                    payload,
                )]
            }
            Message::PgLease(m) => {
                let payload = PeeringPayload::Lease(m.lease);
                vec![PeeringItem::new(m.spgid, m.epoch, m.epoch, payload)]
            }
            Message::PgLeaseAck(m) => {
                let payload = PeeringPayload::LeaseAck(m.lease_ack);
                vec![PeeringItem::new(m.spgid, m.epoch, m.epoch, payload)]
            }
            _ => Vec::new(),
        }
    }
}
