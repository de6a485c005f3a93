//! The client write path on the OSD: the acting primary appends a client
//! op's log entry (`PrimaryLogPG::execute_ctx` → `append_log`) and
//! replicates it to every other shard of `acting_recovery_backfill` in a
//! `MOSDRepOp`; a replica appends it (`ReplicatedBackend::do_repop` →
//! `append_log`) and answers with an `MOSDRepOpReply` once it is durable;
//! the primary acknowledges the client when every shard has it
//! ([`super::repop`]). Versions only: the entry's version is the write.

use peering_core::ctx::RecoveryCtx;
use peering_core::log::{LogEntry, LogOp, ReqId};
use peering_core::machine::{LogAppend, Readable};
use peering_core::map::{MapFlags, OsdMapView};
use peering_core::types::{EVersion, ObjectId, OsdId, PgShard, PgState, SpgId, UTime};
use serde::{Deserialize, Serialize};

use super::repop::other_shards;
use super::{DropReason, Osd, OsdError};
use crate::msg::{Message, MsgError, PgOpMsg};

/// An `MOSDRepOp`'s body: the write's log entry and the log bounds the
/// primary sends with it (`pg_trim_to`, `min_last_complete_ondisk`; the
/// entry's version is the roll-forward point).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(super) struct RepOpBody {
    pub(super) entry: LogEntry,
    pub(super) pg_trim_to: EVersion,
    pub(super) min_last_complete_ondisk: EVersion,
}

impl Osd {
    /// A client op on `oid` of `pgid` at this OSD (`MOSDOp` → `execute_ctx`):
    /// the PG's `submit_write` makes the entry, its transaction goes to the
    /// store, and one `MOSDRepOp` per other shard of
    /// `acting_recovery_backfill` is sent (through `dispatch_context`, so not
    /// while this OSD is down). Returns the entry.
    pub fn submit_write(
        &mut self,
        pgid: SpgId,
        oid: ObjectId,
        op: LogOp,
        reqid: ReqId,
    ) -> Result<LogEntry, OsdError> {
        let me = PgShard::new(self.cfg.whoami, pgid.shard);
        let erasure = self
            .pg(pgid)
            .ok_or(OsdError::NotStored(pgid))?
            .pool()
            .is_erasure();
        if erasure {
            return self.submit_ec_write(pgid, oid, op, reqid);
        }
        let prior = self.begin_client_op(pgid, &oid)?;
        let pg = self
            .slots
            .get_mut(&pgid)
            .and_then(|s| s.pg.as_mut())
            .ok_or(OsdError::NotStored(pgid))?;
        // `new_repop`: the primary's last_complete before this write.
        let local_last_complete = pg.info().last_complete;
        let mut ctx = RecoveryCtx::new();
        let r = pg.submit_write(oid, op, prior, reqid, UTime::default(), &mut ctx);
        let bounds = (pg.pg_trim_to(), pg.min_last_complete_ondisk());
        let peers = other_shards(pg, me);
        let (epoch, min_epoch) = (pg.epoch(), pg.info().history.same_interval_since);
        let txn = self.flush_pg_ctx(pgid, &mut ctx);
        let entry = r.map_err(OsdError::pg(pgid))?;
        self.issue_write(pgid, &entry, local_last_complete, min_epoch, &peers, txn);
        let body = RepOpBody {
            entry: entry.clone(),
            pg_trim_to: bounds.0,
            min_last_complete_ondisk: bounds.1,
        };
        self.send_to_shards(pgid, &peers, |to, from| {
            repop(to, from, epoch, min_epoch, &body)
        });
        self.dispatch_context();
        Ok(entry)
    }

    /// What `do_op` and `execute_ctx` do before an active primary's op:
    /// `check_laggy` (an op waits while the PG is `WAIT` or `LAGGY`, and finds
    /// a primary whose lease ran out `LAGGY`), then the PG's `update_trim_to`,
    /// with the OSD's share of log entries and the map's PGLOG_HARDLIMIT.
    /// Returns the object's stored version (the entry's prior version; `0'0`
    /// when it does not exist).
    pub(super) fn begin_client_op(
        &mut self,
        pgid: SpgId,
        oid: &ObjectId,
    ) -> Result<EVersion, OsdError> {
        let (epoch, active_primary) = self
            .pg(pgid)
            .map(|pg| {
                let active = pg.state_bits().contains(PgState::ACTIVE);
                (pg.epoch(), pg.is_primary() && active)
            })
            .ok_or(OsdError::NotStored(pgid))?;
        let hard_limit = self
            .maps
            .get(epoch)
            .is_some_and(|m| m.flags().contains(MapFlags::PGLOG_HARDLIMIT));
        let target = self.target_pg_log_entries();
        let prior = self
            .backend
            .object_version(pgid, oid)
            .unwrap_or(EVersion::ZERO);
        let mnow = self.mnow;
        if active_primary && let Some(pg) = self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut()) {
            pg.set_mnow(mnow);
            let was_laggy = pg.state_bits().contains(PgState::LAGGY);
            match pg.check_laggy() {
                Readable::Yes => {}
                why => {
                    if !was_laggy && pg.state_bits().contains(PgState::LAGGY) {
                        self.outputs.push_back(super::OsdOutput::PublishStats(pgid));
                    }
                    return Err(OsdError::NotReadable { pgid, why });
                }
            }
            pg.update_trim_to(target, hard_limit);
        }
        Ok(prior)
    }

    /// `MOSDRepOp` from `from`: dropped when sent before the instance's
    /// interval (`can_discard_replica_op`) or from an interval it has not
    /// reached; otherwise the replica appends the entry. `None` for any
    /// other message.
    pub(super) fn handle_repop(
        &mut self,
        from: OsdId,
        msg: &Message,
    ) -> Option<Result<(), DropReason>> {
        let Message::RepOp(m) = msg else {
            return None;
        };
        let bad = |e: String| DropReason::BadRecoveryMsg(e);
        let body: RepOpBody = match postcard::from_bytes(&m.body) {
            Ok(b) => b,
            Err(e) => return Some(Err(bad(e.to_string()))),
        };
        let entry = body.entry;
        let pgid = m.pgid;
        if let Err(r) = self.can_discard_replica_op(from, m) {
            return Some(Err(r));
        }
        let pg = self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut())?;
        // `do_repop`: the replica's last_complete before the write goes with
        // its reply; the op's version is the roll-forward point.
        let last_complete = pg.info().last_complete;
        let bounds = LogAppend {
            trim_to: body.pg_trim_to,
            roll_forward_to: entry.version,
            min_last_complete_ondisk: body.min_last_complete_ondisk,
        };
        let mut ctx = RecoveryCtx::new();
        let r = pg.append_log(core::slice::from_ref(&entry), bounds, &mut ctx);
        let txn = self.flush_pg_ctx(pgid, &mut ctx);
        if r.is_ok() {
            self.apply_to_backend(pgid, &entry);
            // `repop_commit`: the reply goes when the entry is durable.
            self.answer_write(false, from, m, entry.version, last_complete, txn);
        }
        self.dispatch_context();
        Some(r.map_err(|e| DropReason::Recovery(pgid, e.to_string())))
    }
}

impl Osd {
    /// `OSDService::get_target_pg_log_entries`: the OSD's budget of log
    /// entries over the PGs it holds, within `min_pg_log_entries ..=
    /// max_pg_log_entries` (the minimum when it holds none).
    pub fn target_pg_log_entries(&self) -> u64 {
        let pgs = self.slots.values().filter(|s| s.pg.is_some()).count() as u64;
        let target = self.cfg.target_pg_log_entries_per_osd;
        let (min, max) = (
            self.cfg.min_pg_log_entries,
            self.cfg.peering.max_pg_log_entries as u64,
        );
        if pgs > 0 && target > 0 {
            (target / pgs).min(max).max(min)
        } else {
            min
        }
    }

    /// The op's transaction writes the object (`ReplicatedBackend`'s
    /// `submit_transaction` on the primary, `do_repop` on a replica), in the
    /// object layer as in the store ([`super::ObjectBackend::apply_new_entry`]).
    pub(super) fn apply_to_backend(&mut self, pgid: SpgId, entry: &LogEntry) {
        if let Some(pg) = self.slots.get(&pgid).and_then(|s| s.pg.as_ref()) {
            self.backend
                .apply_new_entry(pgid, entry, pg.pg_log().missing());
        }
    }
}

/// The `MOSDRepOp` carrying `entry` to the instance `to`.
fn repop(
    to: SpgId,
    from: PgShard,
    epoch: u32,
    min_epoch: u32,
    op: &RepOpBody,
) -> Result<Message, MsgError> {
    let tid = op.entry.version.version;
    PgOpMsg::encode(to, from, (epoch, min_epoch), tid, op).map(Message::RepOp)
}

#[cfg(test)]
mod tests {

    use super::super::OsdConfig;
    use super::super::test_support::{peered, spg};
    use super::*;

    #[test]
    fn do_repop_appends_the_primarys_entry_on_every_replica() {
        let mut c = peered(OsdConfig::new);
        let pg = spg(0);
        let m = c.mon_map.pg_to_up_acting_osds(pg.pgid);
        let primary = m.acting_primary;
        let oid = ObjectId::new(1, 0, "o1");
        let osd = c.osds.get_mut(&primary).unwrap();
        let entry = osd
            .submit_write(pg, oid, LogOp::Modify, ReqId::client(4100, 1))
            .unwrap();
        let frames = c.frames;
        c.run(100);
        // One MOSDRepOp to each replica, and one MOSDRepOpReply back.
        assert_eq!(c.frames - frames, 2 * (m.acting.len() - 1));
        for o in &m.acting {
            let info = c.osds[o].pg(pg).unwrap().info();
            assert_eq!(info.last_update, entry.version, "{o}");
        }
    }

    #[test]
    fn can_discard_replica_op_drops_a_repop_from_an_older_interval() {
        let mut c = peered(OsdConfig::new);
        let pg = spg(0);
        let m = c.mon_map.pg_to_up_acting_osds(pg.pgid);
        let (primary, replica) = (m.acting[0], m.acting[1]);
        let before = c.osds[&replica].pg(pg).unwrap().info().last_update;
        let sis = c.osds[&replica]
            .pg(pg)
            .unwrap()
            .history()
            .same_interval_since;
        let v = peering_core::types::EVersion::new(sis, before.version + 1);
        let entry = LogEntry::new(LogOp::Modify, ObjectId::new(1, 0, "o1"), v, before);
        let body = RepOpBody {
            entry,
            pg_trim_to: EVersion::ZERO,
            min_last_complete_ondisk: EVersion::ZERO,
        };
        let msg = repop(pg, PgShard::new(primary, pg.shard), 0, 0, &body).unwrap();
        c.send_now(primary.0, replica.0, &msg);
        assert_eq!(c.osds[&replica].pg(pg).unwrap().info().last_update, before);
    }
}
