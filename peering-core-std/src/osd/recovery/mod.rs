//! Recovery and backfill (`PrimaryLogPG::start_recovery_ops`,
//! `recover_primary`, `recover_replicas`, `recover_backfill`, `do_backfill`:
//! what the OSD does once a PG holds its
//! reservations. The object layer is the host's ([`ObjectBackend`]; the
//! default, [`VersionsOnly`], moves versions only).
//!
//! Log-based recovery, on `on_recovery_reserved`: the primary pulls what it
//! misses from a shard holding it (`MOSDPGPull` → `MOSDPGPush`, then
//! `on_local_recover`), pushes what each peer misses (`MOSDPGPush`; the peer
//! writes it and runs its own `on_local_recover`, then answers
//! `MOSDPGPushReply`, on which the primary runs `on_peer_recover`), and runs
//! `on_global_recover` once every shard has an object. With nothing in flight
//! it queues `AllReplicasRecovered`, `RequestBackfill` or `UnfoundRecovery`.
//!
//! Backfill, on `on_backfill_reserved`: the primary lists its objects and
//! pushes each to every backfill target; each reply advances the target's
//! `last_backfill` on both sides (`update_peer_last_backfill`,
//! `MOSDPGBackfill` `PROGRESS` → `update_last_backfill`); then `FINISH`: the
//! target completes (`last_backfill = MAX`), queues `RecoveryDone` and answers
//! `FINISH_ACK`; once every target acked, the primary queues `Backfilled`,
//! whose reaction releases the targets' reservations (`MBackfillReserve`
//! `RELEASE`).
//!
//! Erasure-coded PGs recover and backfill per shard through the same
//! messages. Which objects can be recovered at all is Ceph's EC rule (the
//! PG's `MissingLoc` with the backend's predicate: `k` shards must hold the
//! object, else it is unfound). Deviation: with versions only there is no
//! chunk to decode, so the primary reads a missing object from one shard
//! that holds it, where `ECBackend::recover_object` reads `k` shards
//! (`MOSDECSubOpRead`) and decodes; a shard on the primary's own OSD is
//! reached through the loopback connection.
//!
//! A run belongs to one interval: a new interval or a cancelled backfill
//! drops it, and a message from an older interval is dropped
//! (`can_discard_replica_op`).

mod backend;
mod payload;
mod plan;
mod primary;
mod replica;
mod report;

pub use backend::{ObjectBackend, VersionsOnly};
pub use payload::RecoveryOp;
pub use plan::{
    ObjectToRecover, RecoveryPlan, backfill_targets, primary_missing, recovery_done_event,
};
pub use report::RecoveryReport;

use std::collections::{BTreeMap, BTreeSet};

use peering_core::ctx::{HostNotification, RecoveryCtx};
use peering_core::error::PeeringError;
use peering_core::event::{Event, PeeringEvt};
use peering_core::machine::Pg;
use peering_core::types::{ObjectId, OsdId, PgShard, SpgId};

use super::{DropReason, Osd};
use crate::msg::Message;

/// `osd_backfill_scan_max`: the most objects listed per call.
const SCAN_MAX: usize = 512;

/// One PG's recovery or backfill in flight on its primary.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(super) struct RecoveryRun {
    /// Pulls in flight (`pulling`).
    pulls: BTreeMap<ObjectId, ObjectToRecover>,
    /// Pushes waiting for their object to be pulled first.
    waiting: Vec<(PgShard, ObjectToRecover)>,
    /// Pushes in flight, per object (`pushing`).
    pushes: BTreeMap<ObjectId, BTreeSet<PgShard>>,
    /// Backfill: per target, the pushes not yet answered; `None` once its
    /// `FINISH` was sent.
    backfill: BTreeMap<PgShard, Option<usize>>,
    /// True for a backfill run.
    is_backfill: bool,
    /// The OSDs pulls went to (`pull_from_peer`).
    sources: BTreeSet<OsdId>,
}

impl Osd {
    /// The host's object layer.
    pub fn backend(&self) -> &dyn ObjectBackend {
        &*self.backend
    }

    /// The host's object layer, to record objects written outside recovery.
    pub fn backend_mut(&mut self) -> &mut dyn ObjectBackend {
        &mut *self.backend
    }

    /// Replaces the object layer ([`VersionsOnly`] by default).
    pub fn set_backend(&mut self, backend: Box<dyn ObjectBackend>) {
        self.backend = backend;
    }

    /// The PGs with recovery or backfill in flight on this OSD, in order.
    pub fn recovering(&self) -> impl Iterator<Item = SpgId> + '_ {
        self.recovery.keys().copied()
    }

    /// The notifications recovery acts on (`on_recovery_reserved`,
    /// `on_backfill_reserved`, `on_change`, `on_backfill_canceled`).
    pub(super) fn recovery_notified(&mut self, pgid: SpgId, note: &HostNotification) {
        match note {
            // `PrimaryLogPG::on_activate_complete`: the PG layer tells the
            // machine what it has to do next, at the PG's epoch.
            HostNotification::ActivateComplete {
                needs_recovery,
                needs_backfill,
            } => {
                let event = if *needs_recovery {
                    Event::DoRecovery
                } else if *needs_backfill {
                    Event::RequestBackfill
                } else {
                    Event::AllReplicasRecovered
                };
                let epoch = self.pg(pgid).map_or(0, |p| p.epoch());
                self.enqueue_peering_evt(pgid, PeeringEvt::new(epoch, event));
            }
            HostNotification::ActiveAdvMap => self.check_recovery_sources(pgid),
            HostNotification::RecoveryReserved => self.start_recovery(pgid),
            HostNotification::BackfillReserved => self.start_backfill(pgid),
            HostNotification::Change | HostNotification::Deleted => {
                self.recovery.remove(&pgid);
                self.forget_stale_writes(pgid);
            }
            HostNotification::BackfillCanceled => {
                self.recovery.remove(&pgid);
            }
            _ => {}
        }
    }

    /// Calls `f` on this OSD's instance `pgid` with a fresh context and
    /// flushes what it asked for; a refusal is recorded as a drop. `None`
    /// when there is no such instance.
    fn call_pg<T>(
        &mut self,
        pgid: SpgId,
        f: impl FnOnce(&mut Pg, &mut RecoveryCtx) -> Result<T, PeeringError>,
    ) -> Option<T> {
        self.call_pg_txn(pgid, f).0
    }

    /// [`Osd::call_pg`], also returning the transaction it handed to the
    /// store, if any.
    fn call_pg_txn<T>(
        &mut self,
        pgid: SpgId,
        f: impl FnOnce(&mut Pg, &mut RecoveryCtx) -> Result<T, PeeringError>,
    ) -> (Option<T>, Option<super::TxnId>) {
        let Some(pg) = self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut()) else {
            return (None, None);
        };
        let mut ctx = RecoveryCtx::new();
        let r = f(pg, &mut ctx);
        let txn = self.flush_pg_ctx(pgid, &mut ctx);
        match r {
            Ok(t) => (Some(t), txn),
            Err(e) => {
                self.drop_with(DropReason::Recovery(pgid, e.to_string()));
                (None, txn)
            }
        }
    }

    /// Queues `op` for this OSD's peer `to` (instance `to_pgid`), from this
    /// OSD's instance `pgid`.
    fn send_recovery_op(&mut self, pgid: SpgId, to: PgShard, op: RecoveryOp) {
        self.send_recovery_op_on_commit(pgid, to, op, None);
    }

    /// [`Osd::send_recovery_op`] once transaction `txn` is durable (at once
    /// when `None`): a push is acknowledged on commit
    /// (`ReplicatedBackend::_do_push` registers the reply on completion).
    fn send_recovery_op_on_commit(
        &mut self,
        pgid: SpgId,
        to: PgShard,
        op: RecoveryOp,
        txn: Option<super::TxnId>,
    ) {
        let Some(pg) = self.pg(pgid) else {
            return;
        };
        // The PG's own epoch, not the OSD's (`get_osdmap_epoch()` of the PG):
        // a PG that has not caught up with the OSD's newest map still speaks
        // for its older interval, and the receiver must be able to tell.
        let (map_epoch, min_epoch) = (pg.epoch(), pg.last_peering_reset());
        let from = PgShard {
            osd: self.cfg.whoami,
            shard: pgid.shard,
        };
        let target = SpgId {
            pgid: pgid.pgid,
            shard: to.shard,
        };
        match op.into_message(target, from, map_epoch, min_epoch) {
            Ok(m) => self.reply_on_commit(to.osd, m, None, txn),
            Err(_) => self.drop_with(DropReason::Unsendable(pgid)),
        }
    }

    /// `can_discard_replica_op` for a data-path message from `from`: the
    /// instance must exist, the sender be the one named, and the message be
    /// from this instance's interval (`old_peering_msg`: sent before the
    /// instance's `last_peering_reset`). A message from an interval this
    /// instance has not reached is dropped too (Ceph would wait for the PG's
    /// map; the primary resends on its next run).
    pub(super) fn can_discard_replica_op(
        &self,
        from: OsdId,
        m: &crate::msg::PgOpMsg,
    ) -> Result<(), DropReason> {
        let pgid = m.pgid;
        let Some(pg) = self.pg(pgid) else {
            return Err(DropReason::NoPg(pgid));
        };
        if m.from.osd != from {
            return Err(DropReason::UnexpectedSender);
        }
        if m.map_epoch < pg.last_peering_reset() || m.min_epoch > pg.epoch() {
            return Err(DropReason::Recovery(
                pgid,
                format!("stale: sent at {}", m.map_epoch),
            ));
        }
        Ok(())
    }

    /// `ms_fast_dispatch` of a recovery message: checked against the
    /// instance's interval, then handled at once (Ceph's op queue).
    pub(super) fn handle_recovery_msg(
        &mut self,
        from: OsdId,
        msg: &Message,
    ) -> Option<Result<(), DropReason>> {
        let (m, op) = match RecoveryOp::from_message(msg)? {
            Ok(x) => x,
            Err(e) => return Some(Err(DropReason::BadRecoveryMsg(e.to_string()))),
        };
        let pgid = m.pgid;
        if let Err(r) = self.can_discard_replica_op(from, m) {
            return Some(Err(r));
        }
        let peer = m.from;
        let r = match op {
            RecoveryOp::Pull { oid, version } => {
                self.handle_pull(pgid, peer, oid, version);
                Ok(())
            }
            RecoveryOp::Push {
                oid,
                version,
                delete,
                backfill,
                data,
            } => self.handle_push(pgid, peer, (oid, version, delete, backfill), &data),
            RecoveryOp::PushReply {
                oid,
                version,
                backfill,
            } => self.handle_push_reply(pgid, peer, oid, version, backfill),
            RecoveryOp::BackfillProgress { last_backfill } => {
                self.call_pg(pgid, |pg, ctx| pg.update_last_backfill(last_backfill, ctx));
                Ok(())
            }
            RecoveryOp::BackfillFinish => {
                self.handle_backfill_finish(pgid, peer);
                Ok(())
            }
            RecoveryOp::BackfillFinishAck => self.handle_backfill_finish_ack(pgid, peer),
        };
        self.dispatch_context();
        Some(r)
    }
}

#[cfg(test)]
mod tests;
