//! What a received peering message becomes: one `PeeringEvt` per PG instance it
//! addresses, with Ceph's event and epochs.
//!
//! The event and epoch rules belong to the core: each payload converts itself
//! (`QueryMsg::into_event`, `PgNotify::into_event`, ...). Only what a payload
//! cannot express lives here: PG creation by the monitor (`NullEvt` with a
//! `PGCreateInfo`), the legacy batched forms, the address checks, and
//! `requires_pg`.

use peering_core::ctx::{InfoMsg, QueryMsg};
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
            pgid: n.addressed_to(),
            from: n.from,
            info_shard: n.info.pgid.shard,
        })
    }
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
        pgid: n.addressed_to(),
        from: n.from,
        min_epoch: n.query_epoch,
        epoch: n.epoch_sent,
        info: n.info,
        // The pre-Octopus batched info carries no lease.
        lease: None,
        lease_ack: None,
    })
}

impl Message {
    /// Every event this message delivers when OSD `from` sent it, with its PG
    /// instance, create info and `requires_pg` (`PGPeeringEvent` as each
    /// message's `get_event()` builds it).
    ///
    /// Each payload is the core's and converts itself (`QueryMsg::into_event`,
    /// `PgNotify::into_event`, ...). Ceph's legacy batched forms
    /// (`MOSDPGNotify`, `MOSDPGQuery`, `MOSDPGInfo`) deliver one event per entry,
    /// as `handle_fast_pg_*` splits them; the legacy notify creates at the
    /// entry's `query_epoch` (modern `handle_fast_pg_notify`), `MOSDPGNotify2`
    /// at its `epoch_sent`. The monitor's creates become `NullEvt` at the
    /// message epoch with a by-mon create info: `MOSDPGCreate2` entries without
    /// history and past intervals are skipped as Octopus+ does ("impossible after
    /// octopus"); legacy `MOSDPGCreate` entries with `split_bits != 0` are
    /// skipped; the others start from `pg_history_t(created, ctime)` and empty
    /// past intervals, which the host projects to its map
    /// (`build_initial_pg_history`), for a replicated shard (the host maps EC
    /// primaries).
    ///
    /// Refused, with nothing delivered: a notify or info whose sending shard is
    /// not its info's ([`MsgError::ShardMismatch`]), a message whose address
    /// disagrees with its payload ([`MsgError::PgMismatch`]) and everything
    /// that is not a peering message ([`MsgError::NotPeering`]).
    pub fn into_deliveries(self, from: OsdId) -> Result<Vec<PeeringDelivery>, MsgError> {
        let peer = |(spgid, evt)| PeeringDelivery::from_peer(spgid, evt);
        let ty = self.msg_type();
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
                for n in &m.notifies {
                    check_notify(n)?;
                }
                Ok(m.notifies
                    .into_iter()
                    .map(|n| {
                        let creation_epoch = n.query_epoch;
                        let mut d = peer(n.into_event(from));
                        if let Some(ci) = d.create_info.as_mut() {
                            ci.epoch = creation_epoch;
                        }
                        d
                    })
                    .collect())
            }
            Message::PgNotify2(n) => {
                check_notify(&n)?;
                Ok(vec![peer(n.into_event(from))])
            }
            Message::PgQuery(m) => {
                for (spgid, q) in &m.queries {
                    check_query(*spgid, q)?;
                }
                Ok(m.queries
                    .into_iter()
                    .map(|(pgid, query)| peer(QueryMsg { pgid, query }.into_event(from)))
                    .collect())
            }
            Message::PgQuery2(m) => {
                check_query(m.pgid, &m.query)?;
                Ok(vec![peer(m.into_event(from))])
            }
            Message::PgInfo(m) => {
                let infos = m
                    .infos
                    .into_iter()
                    .map(legacy_info)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(infos
                    .into_iter()
                    .map(|i| peer(i.into_event(from)))
                    .collect())
            }
            Message::PgInfo2(i) => {
                check_info(i.pgid, i.from, &i.info)?;
                Ok(vec![peer(i.into_event(from))])
            }
            Message::PgLog(m) => {
                check_log(&m)?;
                Ok(vec![peer(m.into_event(from))])
            }
            Message::PgTrim(m) => Ok(vec![peer(m.into_event(from))]),
            Message::PgRemove(m) => Ok(m.into_events().map(peer).collect()),
            Message::RecoveryReserve(m) => Ok(vec![peer(m.into_event())]),
            Message::BackfillReserve(m) => Ok(vec![peer(m.into_event())]),
            Message::PgLease(m) => Ok(vec![peer(m.into_event(from))]),
            Message::PgLeaseAck(m) => Ok(vec![peer(m.into_event(from))]),
            _ => Err(MsgError::NotPeering(ty.name())),
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
    /// | `MOSDPGLease` | `MLease` | (`epoch`, `epoch`) |
    /// | `MOSDPGLeaseAck` | `MLeaseAck` | (`epoch`, `epoch`) |
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

    /// True for the messages that become peering events (the ones
    /// [`Message::into_deliveries`] accepts).
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
                | Message::PgLease(_)
                | Message::PgLeaseAck(_)
        )
    }
}
