//! Checking a decoded message against the receiver's map: every PG it names must
//! belong to a pool the map has a PG of a deleted
//! or never-created pool is dropped before it reaches a PG).

use peering_core::event::PgNotify;
use peering_core::map::OsdMapView;
use peering_core::types::PgId;

use super::catalog::Message;
use super::error::MsgError;

impl Message {
    /// Every PG the message names, in message order (duplicates kept).
    pub fn pgs(&self) -> Vec<PgId> {
        match self {
            Message::OsdOp(m) => vec![m.pgid.pgid],
            Message::OsdOpReply(m) => vec![m.pgid.pgid],
            Message::SubOp(m)
            | Message::SubOpReply(m)
            | Message::RepScrub(m)
            | Message::PgScan(m)
            | Message::PgBackfill(m)
            | Message::PgPush(m)
            | Message::PgPull(m)
            | Message::PgPushReply(m)
            | Message::EcWrite(m)
            | Message::EcWriteReply(m)
            | Message::EcRead(m)
            | Message::EcReadReply(m)
            | Message::RepOp(m)
            | Message::RepOpReply(m)
            | Message::PgUpdateLogMissing(m)
            | Message::PgUpdateLogMissingReply(m) => vec![m.pgid.pgid],
            Message::PgTemp(m) => m.pg_temp.keys().copied().collect(),
            Message::PgCreated(m) => vec![m.pgid],
            Message::PgReadyToMerge(m) => vec![m.pgid],
            Message::PgStatsAck(m) => m.pg_stat.keys().copied().collect(),
            Message::Scrub(m) => m.scrub_pgs.clone(),
            Message::PgMissing(m) => vec![m.pgid.pgid],
            Message::PgCreate(m) => m.mkpg.keys().chain(m.ctimes.keys()).copied().collect(),
            Message::PgCreate2(m) => m
                .pgs
                .keys()
                .chain(m.pg_extra.keys())
                .map(|s| s.pgid)
                .collect(),
            // A notify or legacy info entry is addressed by its info's PG.
            Message::PgNotify(m) => notify_pgs(&m.notifies),
            Message::PgInfo(m) => notify_pgs(&m.infos),
            Message::PgNotify2(n) => vec![n.info.pgid.pgid],
            Message::PgQuery(m) => m.queries.keys().map(|s| s.pgid).collect(),
            Message::PgQuery2(m) => vec![m.pgid.pgid],
            Message::PgInfo2(m) => vec![m.pgid.pgid, m.info.pgid.pgid],
            Message::PgLog(m) => vec![m.info.pgid.pgid],
            Message::PgTrim(m) => vec![m.pgid.pgid],
            Message::PgRemove(m) => m.pgids.iter().map(|s| s.pgid).collect(),
            Message::BackfillReserve(m) => vec![m.pgid.pgid],
            Message::RecoveryReserve(m) => vec![m.pgid.pgid],
            Message::PgLease(m) => vec![m.pgid.pgid],
            Message::PgLeaseAck(m) => vec![m.pgid.pgid],
            Message::Ping(_)
            | Message::OsdMap(_)
            | Message::MonCommand(_)
            | Message::Command(_)
            | Message::Alive(_)
            | Message::MarkMeDown(_) => Vec::new(),
        }
    }

    /// Refuses the message if it names a PG whose pool is not in `map`.
    pub fn validate_pools(&self, map: &impl OsdMapView) -> Result<(), MsgError> {
        match self
            .pgs()
            .into_iter()
            .find(|pg| map.pool(pg.pool).is_none())
        {
            Some(pg) => Err(MsgError::UnknownPool(pg)),
            None => Ok(()),
        }
    }
}

/// The PGs named by a list of `pg_notify_t` (address and info).
fn notify_pgs(notifies: &[PgNotify]) -> Vec<PgId> {
    notifies.iter().map(|n| n.info.pgid.pgid).collect()
}

/// Decodes a frame and refuses it if it names a PG whose pool `map` lacks: what a
/// receiver does with every frame from a peer before anything reaches a PG.
pub fn decode_validated(frame: &[u8], map: &impl OsdMapView) -> Result<Message, MsgError> {
    let msg = super::encoding::decode(frame)?;
    msg.validate_pools(map)?;
    Ok(msg)
}
