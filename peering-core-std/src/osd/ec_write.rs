//! The erasure-coded write path: Ceph's `ECBackend::submit_transaction` and
//! its `RMWPipeline` on the primary, `handle_sub_write` on every shard.
//!
//! The primary makes the entry ([`peering_core::machine::Pg::make_write_entry`]:
//! its rollback steps say how a shard undoes it), logs it on its own shard
//! and sends one `MOSDECSubOpWrite` to every other shard of
//! `acting_recovery_backfill`. Unlike a replicated write, the entry stays
//! rollbackable: each sub-write rolls the shards' logs forward only to
//! `roll_forward_to`, the newest version every shard had durable when the op
//! started (`max(min_last_complete_ondisk, committed_to)`). A write that
//! reached only some shards before the interval ended is then rolled back
//! at peering by the shards that have it (`PGLog::rewind_divergent_log`).
//! When the pipeline empties with its newest write still rollbackable, the
//! primary sends an op with no entries that only rolls forward
//! (`try_finish_rmw`'s dummy op), so a quiet PG does not keep its stashes.
//!
//! Each shard answers with an `MOSDECSubOpWriteReply` once its transaction
//! is durable, carrying its `last_complete` after the write
//! (`sub_write_committed`); the primary acknowledges the client when every
//! shard has answered ([`super::repop`], shared with the replicated path).
//! Object data stays versions only: every shard stores the object at the
//! entry's version (its chunk, as far as peering can tell).
//!
//! Writes are the classic full-stripe kind: every write goes to every shard.
//! The partial writes of Ceph's newer EC optimisations (Tentacle's
//! `FLAG_EC_OPTIMIZATIONS`: `written_shards`, `partial_writes_last_complete`,
//! `nonprimary_shards`) are not modelled; a pool never has that flag here.

use peering_core::ctx::RecoveryCtx;
use peering_core::log::{LogEntry, LogOp, ReqId};
use peering_core::machine::LogAppend;
use peering_core::types::{EVersion, Epoch, ObjectId, PgShard, SpgId, UTime};
use serde::{Deserialize, Serialize};

use super::repop::other_shards;
use super::{DropReason, Osd, OsdError};
use crate::msg::{Message, MsgError, PgOpMsg};

/// An `MOSDECSubOpWrite`'s body (`ECSubWrite`): the op's log entries (none
/// for an op that only rolls forward), its version, and the log bounds.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(super) struct EcSubWriteBody {
    /// `log_entries`.
    pub(super) entries: Vec<LogEntry>,
    /// `at_version`: the op's version (the newest write's, for a roll-forward
    /// op).
    pub(super) at_version: EVersion,
    /// `trim_to`: the primary's `pg_trim_to`.
    pub(super) trim_to: EVersion,
    /// `roll_forward_to`: entries up to here are durable on every shard.
    pub(super) roll_forward_to: EVersion,
}

impl Osd {
    /// A client op on an erasure-coded PG (`ECBackend::submit_transaction`):
    /// see the module docs. Returns the entry.
    pub(super) fn submit_ec_write(
        &mut self,
        pgid: SpgId,
        oid: ObjectId,
        op: LogOp,
        reqid: ReqId,
    ) -> Result<LogEntry, OsdError> {
        let me = PgShard::new(self.cfg.whoami, pgid.shard);
        let prior = self.begin_client_op(pgid, &oid)?;
        let committed_to = self.committed_to(pgid);
        let pg = self
            .slots
            .get_mut(&pgid)
            .and_then(|s| s.pg.as_mut())
            .ok_or(OsdError::NotStored(pgid))?;
        let local_last_complete = pg.info().last_complete;
        let entry = pg
            .make_write_entry(oid, op, prior, reqid, UTime::default())
            .map_err(OsdError::pg(pgid))?;
        let roll_forward_to = pg.min_last_complete_ondisk().max(committed_to);
        let body = EcSubWriteBody {
            entries: vec![entry.clone()],
            at_version: entry.version,
            trim_to: pg.pg_trim_to(),
            roll_forward_to,
        };
        let peers = other_shards(pg, me);
        let (epoch, min_epoch) = (pg.epoch(), pg.info().history.same_interval_since);
        // `handle_sub_write` on the primary's own shard.
        let mut ctx = RecoveryCtx::new();
        let r = pg.append_log(core::slice::from_ref(&entry), body.bounds(), &mut ctx);
        let txn = self.flush_pg_ctx(pgid, &mut ctx);
        r.map_err(OsdError::pg(pgid))?;
        self.issue_write(pgid, &entry, local_last_complete, min_epoch, &peers, txn);
        self.send_to_shards(pgid, &peers, |to, from| {
            sub_write(to, from, epoch, min_epoch, &body)
        });
        self.dispatch_context();
        Ok(entry)
    }

    /// `try_finish_rmw`'s dummy op: once the pipeline of `pgid` is empty and
    /// its newest write `version` is still rollbackable, an op with no
    /// entries rolls every shard's log forward to it.
    pub(super) fn ec_roll_forward(&mut self, pgid: SpgId, version: EVersion) {
        let me = PgShard::new(self.cfg.whoami, pgid.shard);
        let pending = self.has_writes_in_flight(pgid);
        let Some(pg) = self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut()) else {
            return;
        };
        if !pg.pool().is_erasure() || pending || version <= pg.pg_log().log().can_rollback_to() {
            return;
        }
        let body = EcSubWriteBody {
            entries: Vec::new(),
            at_version: version,
            trim_to: pg.pg_trim_to(),
            roll_forward_to: version,
        };
        let peers = other_shards(pg, me);
        let (epoch, min_epoch) = (pg.epoch(), pg.info().history.same_interval_since);
        let mut ctx = RecoveryCtx::new();
        let r = pg.append_log(&[], body.bounds(), &mut ctx);
        self.flush_pg_ctx(pgid, &mut ctx);
        if let Err(e) = r {
            self.drop_with(DropReason::Recovery(pgid, e.to_string()));
            return;
        }
        self.send_to_shards(pgid, &peers, |to, from| {
            sub_write(to, from, epoch, min_epoch, &body)
        });
        self.dispatch_context();
    }

    /// `MOSDECSubOpWrite` from `from` (`handle_sub_write`): dropped when
    /// sent before the shard's interval (`can_discard_replica_op`) or from an
    /// interval it has not reached; otherwise the shard logs the entries with
    /// the op's bounds (its `min_last_complete_ondisk` is the roll-forward
    /// point, as `log_operation` is called) and answers once they are
    /// durable. `None` for any other message.
    pub(super) fn handle_ec_sub_write(
        &mut self,
        from: peering_core::types::OsdId,
        msg: &Message,
    ) -> Option<Result<(), DropReason>> {
        let Message::EcWrite(m) = msg else {
            return None;
        };
        let body: EcSubWriteBody = match postcard::from_bytes(&m.body) {
            Ok(b) => b,
            Err(e) => return Some(Err(DropReason::BadRecoveryMsg(e.to_string()))),
        };
        let pgid = m.pgid;
        if let Err(r) = self.can_discard_replica_op(from, m) {
            return Some(Err(r));
        }
        let pg = self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut())?;
        if !pg.pool().is_erasure() {
            return Some(Err(DropReason::BadRecoveryMsg(
                "an EC sub-write for a replicated PG".into(),
            )));
        }
        let mut ctx = RecoveryCtx::new();
        let r = pg.append_log(&body.entries, body.bounds(), &mut ctx);
        // `sub_write_committed` reports the shard's last_complete after the
        // write.
        let last_complete = pg.info().last_complete;
        let txn = self.flush_pg_ctx(pgid, &mut ctx);
        if r.is_ok() {
            for e in &body.entries {
                self.apply_to_backend(pgid, e);
            }
            self.answer_write(true, from, m, body.at_version, last_complete, txn);
        }
        self.dispatch_context();
        Some(r.map_err(|e| DropReason::Recovery(pgid, e.to_string())))
    }
}

impl EcSubWriteBody {
    /// The bounds `handle_sub_write` passes to `log_operation`: trim to
    /// `trim_to`; roll forward to, and take as `min_last_complete_ondisk`,
    /// `roll_forward_to`.
    fn bounds(&self) -> LogAppend {
        LogAppend {
            trim_to: self.trim_to,
            roll_forward_to: self.roll_forward_to,
            min_last_complete_ondisk: self.roll_forward_to,
        }
    }
}

/// The `MOSDECSubOpWrite` carrying `body` to the shard `to`.
fn sub_write(
    to: SpgId,
    from: PgShard,
    epoch: Epoch,
    min_epoch: Epoch,
    body: &EcSubWriteBody,
) -> Result<Message, MsgError> {
    let tid = body.at_version.version;
    PgOpMsg::encode(to, from, (epoch, min_epoch), tid, body).map(Message::EcWrite)
}

#[cfg(test)]
mod tests {
    use peering_core::map::{OsdMapView, PoolFlags, PoolInfo};
    use peering_core::types::{OsdId, PgId, ShardId};

    use super::super::local::{ERASURE_RULE, LocalCluster, hosted_crush};
    use super::super::test_support::{peered, spg};
    use super::super::{Disposition, OsdConfig, OsdOutput};
    use super::*;
    use crate::osdmap::{CrushHandle, OsdMap};

    const EC_POOL: i64 = 1;

    /// Three OSDs, one host each, an EC 2+1 pool of one PG, created and
    /// peered.
    fn ec_cluster() -> LocalCluster {
        let mut p = PoolInfo::erasure(EC_POOL, 2, 1, 1);
        p.crush_rule = ERASURE_RULE;
        p.flags |= PoolFlags::HASHPSPOOL;
        let crush = hosted_crush(3, 1).unwrap();
        let map = OsdMap::build_simple(3, [p], Some(CrushHandle::new(crush))).unwrap();
        let mut c = LocalCluster::new(map, &[0, 1, 2], OsdConfig::new);
        c.record_outputs(true);
        c.create_pgs(EC_POOL);
        c.run(500);
        c
    }

    /// The instance of shard `s` and the OSD holding it.
    fn shard_on(c: &LocalCluster, s: usize) -> (SpgId, OsdId) {
        let pgid = PgId::new(EC_POOL, 0);
        let acting = c.mon_map.pg_to_up_acting_osds(pgid).acting;
        (SpgId::new(pgid, ShardId(s as i8)), acting[s])
    }

    fn sub_write_msg(to: SpgId, from: PgShard, epoch: Epoch, entries: Vec<LogEntry>) -> Message {
        let at_version = entries.last().map_or(EVersion::ZERO, |e| e.version);
        let body = EcSubWriteBody {
            entries,
            at_version,
            trim_to: EVersion::ZERO,
            roll_forward_to: EVersion::ZERO,
        };
        sub_write(to, from, epoch, epoch, &body).unwrap()
    }

    #[test]
    fn an_ec_write_is_logged_on_every_shard_and_acknowledged() {
        let mut c = ec_cluster();
        let (primary_pg, primary) = shard_on(&c, 0);
        let oid = ObjectId::new(EC_POOL, 0, "o1");
        let osd = c.osds.get_mut(&primary).unwrap();
        let entry = osd
            .submit_write(primary_pg, oid, LogOp::Modify, ReqId::client(4100, 1))
            .unwrap();
        c.run(100);
        for s in 0..3 {
            let (pg, o) = shard_on(&c, s);
            let log = c.osds[&o].pg(pg).unwrap().pg_log().log();
            assert_eq!(log.head(), entry.version, "shard {s}");
            // Rolled forward by the op that follows the last write.
            assert_eq!(log.can_rollback_to(), entry.version, "shard {s}");
        }
        let acks: Vec<EVersion> = c
            .drain_recorded()
            .into_iter()
            .filter_map(|(_, out)| match out {
                OsdOutput::ClientAck { version, .. } => Some(version),
                _ => None,
            })
            .collect();
        assert_eq!(acks, [entry.version]);
    }

    #[test]
    fn a_sub_write_for_a_shard_outside_k_plus_m_is_dropped() {
        let mut c = ec_cluster();
        let (_, primary) = shard_on(&c, 0);
        let (pg1, osd1) = shard_on(&c, 1);
        let before = c.osds[&osd1].pg(pg1).unwrap().info().clone();
        let epoch = c.mon_map.epoch();
        let bogus = SpgId::new(pg1.pgid, ShardId(5));
        let e = LogEntry::new(
            LogOp::Modify,
            ObjectId::new(EC_POOL, 0, "o1"),
            EVersion::new(epoch, 1),
            EVersion::ZERO,
        );
        let msg = sub_write_msg(bogus, PgShard::new(primary, ShardId(0)), epoch, vec![e]);
        let d = c.send_now(primary.0, osd1.0, &msg).unwrap();
        assert_eq!(d.disposition, Disposition::Dropped(DropReason::NoPg(bogus)));
        assert_eq!(c.osds[&osd1].pg(pg1).unwrap().info(), &before);
    }

    #[test]
    fn a_sub_write_with_versions_going_backwards_leaves_the_shard_unchanged() {
        let mut c = ec_cluster();
        let (primary_pg, primary) = shard_on(&c, 0);
        let osd = c.osds.get_mut(&primary).unwrap();
        osd.submit_write(
            primary_pg,
            ObjectId::new(EC_POOL, 0, "o1"),
            LogOp::Modify,
            ReqId::client(4100, 1),
        )
        .unwrap();
        c.run(100);
        let (pg1, osd1) = shard_on(&c, 1);
        let before = c.osds[&osd1].pg(pg1).unwrap().info().clone();
        let epoch = c.mon_map.epoch();
        // Older than the shard's head.
        let e = LogEntry::new(
            LogOp::Modify,
            ObjectId::new(EC_POOL, 0, "o2"),
            EVersion::new(1, 1),
            EVersion::ZERO,
        );
        let msg = sub_write_msg(pg1, PgShard::new(primary, ShardId(0)), epoch, vec![e]);
        let d = c.send_now(primary.0, osd1.0, &msg).unwrap();
        assert!(
            matches!(d.disposition, Disposition::Dropped(DropReason::Recovery(p, _)) if p == pg1),
            "{d:?}"
        );
        assert_eq!(c.osds[&osd1].pg(pg1).unwrap().info(), &before);
    }

    #[test]
    fn a_sub_write_for_a_replicated_pg_is_dropped() {
        let mut c = peered(OsdConfig::new);
        let pg = spg(0);
        let m = c.mon_map.pg_to_up_acting_osds(pg.pgid);
        let (primary, replica) = (m.acting[0], m.acting[1]);
        let before = c.osds[&replica].pg(pg).unwrap().info().clone();
        let epoch = c.mon_map.epoch();
        let msg = sub_write_msg(pg, PgShard::new(primary, pg.shard), epoch, Vec::new());
        let d = c.send_now(primary.0, replica.0, &msg).unwrap();
        assert!(
            matches!(
                d.disposition,
                Disposition::Dropped(DropReason::BadRecoveryMsg(_))
            ),
            "{d:?}"
        );
        assert_eq!(c.osds[&replica].pg(pg).unwrap().info(), &before);
    }
}
