//! What a received peering message becomes: one `PeeringEvt` per PG instance it
//! addresses, with Ceph's event and epochs.
//!
//! The event and epoch rules are the core's [`Outgoing::into_events`]: a message
//! is first turned back into the [`Outgoing`] item(s) the sending machine
//! produced ([`Message::into_outgoing`]), then each item is converted by the
//! core. Only what the core's outgoing items cannot express lives here: PG
//! creation by the monitor (`NullEvt` with a `PGCreateInfo`), the legacy batched
//! notify's creation epoch, and `requires_pg`.

use peering_core::ctx::{DirectMessage as CoreMessage, InfoMsg, Outgoing};
use peering_core::event::PgNotify;
use peering_core::event::{Event, PeeringEvt, PgCreateInfo, PgLogMsg as CoreLogMsg};
use peering_core::intervals::PastIntervals;
use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, PgHistory, PgInfo, PgQuery, SpgId};

use super::catalog::Message;
use super::error::MsgError;

/// One event a message delivers, as the OSD enqueues it: Ceph's
/// `PGPeeringEvent { epoch_sent, epoch_requested, evt, requires_pg, create_info }`
/// with the PG instance it is for.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PeeringDelivery {
    /// The PG instance the event is for.
    pub spgid: SpgId,
    /// The event with its (sent, requested) epochs.
    pub evt: PeeringEvt,
    /// What the host needs to create the PG if it does not exist: a notify or a
    /// log from a peer (`by_mon = false`) or the monitor's create
    /// (`by_mon = true`).
    pub create_info: Option<PgCreateInfo>,
    /// False only for `MQuery`: a query for a PG this OSD lacks is answered by
    /// the host (`handle_pg_query_nopg`); any other event
    /// for a missing PG (and no create info) is dropped.
    pub requires_pg: bool,
}

impl PeeringDelivery {
    /// A delivery of a peer's event: create info and `requires_pg` as the
    /// message's `get_event()` sets them.
    fn from_peer(spgid: SpgId, evt: PeeringEvt) -> Self {
        PeeringDelivery {
            spgid,
            create_info: evt.event.create_info(),
            requires_pg: !matches!(evt.event, Event::MQuery(_)),
            evt,
        }
    }

    /// The monitor's create: `NullEvt` at the message epoch with a by-mon
    /// `PGCreateInfo` (`handle_fast_pg_create`).
    fn created_by_mon(
        spgid: SpgId,
        epoch: peering_core::types::Epoch,
        history: PgHistory,
        past_intervals: PastIntervals,
    ) -> Self {
        PeeringDelivery {
            spgid,
            evt: PeeringEvt::new(epoch, Event::NullEvt),
            create_info: Some(PgCreateInfo {
                pgid: spgid,
                epoch,
                history,
                past_intervals,
                by_mon: true,
            }),
            requires_pg: true,
        }
    }
}

/// Ceph's invariant `pg_notify_t::from == info.pgid.shard`,
/// checked on every notify and legacy info entry.
pub(super) fn check_notify(n: &PgNotify) -> Result<(), MsgError> {
    if n.from == n.info.pgid.shard {
        Ok(())
    } else {
        Err(MsgError::ShardMismatch {
            pgid: notify_spgid(n),
            from: n.from,
            info_shard: n.info.pgid.shard,
        })
    }
}

/// Where a notify goes: `spg_t(info.pgid.pgid, notify.to)` (Ceph's
/// `BufferedRecoveryMessages::send_notify`,.
pub(super) fn notify_spgid(n: &PgNotify) -> SpgId {
    SpgId::new(n.info.pgid.pgid, n.to)
}

/// A query is addressed to the shard it asks (`pg_query_t::to`), as
/// `send_query` builds it.
pub(super) fn check_query(spgid: SpgId, q: &PgQuery) -> Result<(), MsgError> {
    if q.to == spgid.shard {
        Ok(())
    } else {
        Err(MsgError::PgMismatch {
            addressed: spgid,
            carried: SpgId::new(spgid.pgid, q.to),
        })
    }
}

/// An info is about the PG it is addressed to, and names its sender by the
/// info's shard (`MOSDPGInfo2::get_event`).
pub(super) fn check_info(
    addressed: SpgId,
    from: peering_core::types::ShardId,
    info: &PgInfo,
) -> Result<(), MsgError> {
    if addressed.pgid != info.pgid.pgid {
        return Err(MsgError::PgMismatch {
            addressed,
            carried: info.pgid,
        });
    }
    if from != info.pgid.shard {
        return Err(MsgError::ShardMismatch {
            pgid: addressed,
            from,
            info_shard: info.pgid.shard,
        });
    }
    Ok(())
}

/// A log is addressed `spg_t(info.pgid.pgid, to)` (`MOSDPGLog::get_spg`), so the
/// core's message must name the info's PG.
pub(super) fn check_log(m: &CoreLogMsg) -> Result<(), MsgError> {
    if m.pgid.pgid == m.info.pgid.pgid {
        Ok(())
    } else {
        Err(MsgError::PgMismatch {
            addressed: m.pgid,
            carried: SpgId::new(m.info.pgid.pgid, m.pgid.shard),
        })
    }
}

/// The core's info message for a legacy batched `MOSDPGInfo` entry: addressed
/// `spg_t(info.pgid.pgid, to)`, epochs `(epoch_sent, query_epoch)`.
fn legacy_info(n: PgNotify) -> Result<InfoMsg, MsgError> {
    check_notify(&n)?;
    Ok(InfoMsg {
        pgid: notify_spgid(&n),
        from: n.from,
        min_epoch: n.query_epoch,
        epoch: n.epoch_sent,
        info: n.info,
    })
}

impl Message {
    /// The machine outputs this message carries: the inverse of
    /// [`Message::from_outgoing`], also accepting Ceph's legacy batched forms
    /// (`MOSDPGNotify`, `MOSDPGQuery`, `MOSDPGInfo` split into one item per
    /// entry, as `handle_fast_pg_*` does;.
    ///
    /// Refused: a notify or info whose sending shard is not its info's
    /// ([`MsgError::ShardMismatch`]), a message whose address disagrees with its
    /// payload ([`MsgError::PgMismatch`]), a lease ([`MsgError::EventNotModelled`])
    /// and everything that is not a PG-to-PG peering message
    /// ([`MsgError::NotPeering`], monitor creates included: see
    /// [`Message::into_deliveries`]).
    pub fn into_outgoing(self) -> Result<Vec<Outgoing>, MsgError> {
        let ty = self.msg_type();
        let one = |o| Ok(vec![o]);
        match self {
            Message::PgNotify(m) => m
                .notifies
                .into_iter()
                .map(|n| check_notify(&n).map(|()| Outgoing::Notify(n)))
                .collect(),
            Message::PgNotify2(m) => {
                check_notify(&m.notify)?;
                let carried = notify_spgid(&m.notify);
                if carried != m.spgid {
                    return Err(MsgError::PgMismatch {
                        addressed: m.spgid,
                        carried,
                    });
                }
                one(Outgoing::Notify(m.notify))
            }
            Message::PgQuery(m) => m
                .queries
                .into_iter()
                .map(|(spgid, q)| check_query(spgid, &q).map(|()| Outgoing::Query(spgid, q)))
                .collect(),
            Message::PgQuery2(m) => {
                check_query(m.spgid, &m.query)?;
                one(Outgoing::Query(m.spgid, m.query))
            }
            Message::PgInfo(m) => m
                .infos
                .into_iter()
                .map(|n| legacy_info(n).map(Outgoing::Info))
                .collect(),
            Message::PgInfo2(m) => {
                let from = m.info.pgid.shard;
                check_info(m.spgid, from, &m.info)?;
                // The lease and lease ack are dropped: the core does not model
                // read leases (`ceph-peering.md` §5.26).
                one(Outgoing::Info(InfoMsg {
                    pgid: m.spgid,
                    from,
                    min_epoch: m.min_epoch,
                    epoch: m.epoch_sent,
                    info: m.info,
                }))
            }
            Message::PgLog(m) => one(Outgoing::Direct(CoreMessage::Log(m))),
            Message::PgTrim(m) => one(Outgoing::Direct(CoreMessage::Trim {
                epoch: m.epoch,
                pgid: m.pgid,
                trim_to: m.trim_to,
            })),
            Message::PgRemove(m) => one(Outgoing::Direct(CoreMessage::Remove {
                epoch: m.epoch,
                pgids: m.pgs,
            })),
            Message::RecoveryReserve(m) => one(Outgoing::Direct(CoreMessage::RecoveryReserve {
                pgid: m.pgid,
                epoch: m.query_epoch,
                op: m.op,
                priority: m.priority,
            })),
            Message::BackfillReserve(m) => one(Outgoing::Direct(CoreMessage::BackfillReserve {
                pgid: m.pgid,
                epoch: m.query_epoch,
                op: m.op,
                priority: m.priority,
                primary_num_bytes: m.primary_num_bytes,
                shard_num_bytes: m.shard_num_bytes,
            })),
            Message::PgLease(_) | Message::PgLeaseAck(_) => {
                Err(MsgError::EventNotModelled(ty.name()))
            }
            _ => Err(MsgError::NotPeering(ty.name())),
        }
    }

    /// Every event this message delivers when OSD `from` sent it, with its PG
    /// instance, create info and `requires_pg`.
    ///
    /// Peer messages go through [`Message::into_outgoing`] and the core's
    /// [`Outgoing::into_events`]. The legacy batched notify creates at the
    /// entry's `query_epoch` (modern `handle_fast_pg_notify`), `MOSDPGNotify2` at
    /// its `epoch_sent`. The monitor's creates become `NullEvt` at the message
    /// epoch with a by-mon create info: `MOSDPGCreate2` entries without
    /// history and past intervals are skipped as Octopus+ does ("impossible after
    /// octopus"); legacy `MOSDPGCreate` entries with `split_bits != 0` are skipped
    /// the others start from `pg_history_t(created, ctime)` and empty past
    /// intervals, which the host projects to its map (`build_initial_pg_history`),
    /// for a replicated shard (the host maps EC primaries).
    pub fn into_deliveries(self, from: OsdId) -> Result<Vec<PeeringDelivery>, MsgError> {
        match self {
            Message::PgCreate2(m) => {
                let mut extra = m.pg_extra;
                Ok(m.pgs
                    .into_keys()
                    .filter_map(|spgid| {
                        let (history, pi) = extra.remove(&spgid)?;
                        Some(PeeringDelivery::created_by_mon(spgid, m.epoch, history, pi))
                    })
                    .collect())
            }
            Message::PgCreate(m) => Ok(m
                .mkpg
                .into_iter()
                .filter(|(_, c)| c.split_bits == 0)
                .map(|(pgid, c)| {
                    let stamp = m.ctimes.get(&pgid).copied().unwrap_or_default();
                    PeeringDelivery::created_by_mon(
                        SpgId::replicated(pgid),
                        m.epoch,
                        PgHistory::new(c.created, stamp),
                        PastIntervals::default(),
                    )
                })
                .collect()),
            Message::PgNotify(m) => {
                let creation_epochs: Vec<_> = m.notifies.iter().map(|n| n.query_epoch).collect();
                let outgoing = Message::PgNotify(m).into_outgoing()?;
                Ok(outgoing
                    .into_iter()
                    .zip(creation_epochs)
                    .flat_map(|(o, epoch)| {
                        o.into_events(from).into_iter().map(move |(spgid, evt)| {
                            let mut d = PeeringDelivery::from_peer(spgid, evt);
                            if let Some(ci) = d.create_info.as_mut() {
                                ci.epoch = epoch;
                            }
                            d
                        })
                    })
                    .collect())
            }
            other => Ok(other
                .into_outgoing()?
                .into_iter()
                .flat_map(|o| o.into_events(from))
                .map(|(spgid, evt)| PeeringDelivery::from_peer(spgid, evt))
                .collect()),
        }
    }

    /// The `(PG instance, PeeringEvt)` pairs this message delivers when OSD
    /// `from` sent it: [`Message::into_deliveries`] without the create info and
    /// `requires_pg`.
    ///
    /// | message | event | (sent, requested) |
    /// |---|---|---|
    /// | `MOSDPGNotify(2)` | `MNotifyRec` | (`epoch_sent`, `query_epoch`) |
    /// | `MOSDPGInfo(2)` | `MInfoRec` | (`epoch_sent`, `min_epoch`/`query_epoch`) |
    /// | `MOSDPGLog` | `MLogRec` | (`epoch`, `query_epoch`) |
    /// | `MOSDPGQuery(2)` | `MQuery` | (`epoch_sent`, `epoch_sent`) |
    /// | `MOSDPGTrim` | `MTrim` | (`epoch`, `epoch`) |
    /// | `MOSDPGRemove` | `DeleteStart` per PG | (`epoch`, `epoch`) |
    /// | `MRecoveryReserve` | `RequestRecoveryPrio` / `RemoteRecoveryReserved` / `RecoveryDone` / `DeferRecovery(0)` | (`query_epoch`, same) |
    /// | `MBackfillReserve` | `RequestBackfillPrio` / `RemoteBackfillReserved` / `RemoteReservationRejectedTooFull` / `RemoteReservationCanceled` / `RemoteReservationRevokedTooFull` / `RemoteReservationRevoked` | (`query_epoch`, same) |
    /// | `MOSDPGCreate(2)` | `NullEvt` (+ create info) | (`epoch`, `epoch`) |
    pub fn into_peering_events(self, from: OsdId) -> Result<Vec<(SpgId, PeeringEvt)>, MsgError> {
        Ok(self
            .into_deliveries(from)?
            .into_iter()
            .map(|d| (d.spgid, d.evt))
            .collect())
    }

    /// [`Message::into_deliveries`] after refusing a message that names a PG of a
    /// pool `map` lacks ([`MsgError::UnknownPool`]): an OSD drops such messages
    /// before any PG sees them.
    pub fn into_deliveries_checked(
        self,
        from: OsdId,
        map: &impl OsdMapView,
    ) -> Result<Vec<PeeringDelivery>, MsgError> {
        self.validate_pools(map)?;
        self.into_deliveries(from)
    }

    /// True for the messages that become peering events the core models (the
    /// ones [`Message::into_deliveries`] accepts;.
    pub fn is_peering(&self) -> bool {
        matches!(
            self,
            Message::PgNotify(_)
                | Message::PgNotify2(_)
                | Message::PgQuery(_)
                | Message::PgQuery2(_)
                | Message::PgInfo(_)
                | Message::PgInfo2(_)
                | Message::PgLog(_)
                | Message::PgTrim(_)
                | Message::PgRemove(_)
                | Message::PgCreate(_)
                | Message::PgCreate2(_)
                | Message::BackfillReserve(_)
                | Message::RecoveryReserve(_)
        )
    }
}
