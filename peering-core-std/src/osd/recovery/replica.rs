//! A peer's side of recovery and backfill (`handle_pull`, `handle_push`,
//! the `OP_BACKFILL_PROGRESS`/`OP_BACKFILL_FINISH` branches of
//! `do_backfill`).

use peering_core::event::{Event, PeeringEvt};
use peering_core::types::{EVersion, ObjectId, PgShard, SpgId};

use super::RecoveryOp;
use crate::osd::{DropReason, Osd};

impl Osd {
    /// `MOSDPGPull` (`handle_pull`): the object is read and pushed back.
    pub(super) fn handle_pull(
        &mut self,
        pgid: SpgId,
        primary: PgShard,
        oid: ObjectId,
        v: EVersion,
    ) {
        let data = self.backend.read_object(pgid, &oid);
        let op = RecoveryOp::Push {
            oid,
            version: v,
            delete: false,
            backfill: false,
            data,
        };
        self.send_recovery_op(pgid, primary, op);
    }

    /// `MOSDPGPush` (`handle_push`): on the primary, the answer to its pull;
    /// on a peer, the object is written (and, for log-based recovery,
    /// `on_local_recover` runs), then `MOSDPGPushReply`.
    pub(super) fn handle_push(
        &mut self,
        pgid: SpgId,
        from: PgShard,
        (oid, v, delete, backfill): (ObjectId, EVersion, bool, bool),
        data: &[u8],
    ) -> Result<(), DropReason> {
        // On the primary a push answers one of its pulls
        // (`handle_pull_response`); one it is not pulling is ignored.
        let primary = self.pg(pgid).is_some_and(|pg| pg.is_primary());
        if primary && !backfill {
            return if self.pulled(pgid, oid.clone(), v, data) {
                Ok(())
            } else {
                Err(DropReason::Recovery(
                    pgid,
                    format!("unexpected push {oid:?}"),
                ))
            };
        }
        self.write_object(pgid, &oid, v, delete, data);
        let mut txn = None;
        if !backfill {
            let o = oid.clone();
            txn = self
                .call_pg_txn(pgid, |pg, ctx| pg.on_local_recover(&o, v, ctx))
                .1;
        }
        let op = RecoveryOp::PushReply {
            oid,
            version: v,
            backfill,
        };
        // The reply waits for the recovery's transaction to be durable.
        self.send_recovery_op_on_commit(pgid, from, op, txn);
        Ok(())
    }

    /// `OP_BACKFILL_FINISH`: `last_backfill = MAX`, `RecoveryDone` queued,
    /// `OP_BACKFILL_FINISH_ACK` sent.
    pub(super) fn handle_backfill_finish(&mut self, pgid: SpgId, primary: PgShard) {
        self.call_pg(pgid, |pg, ctx| pg.update_last_backfill(ObjectId::MAX, ctx));
        self.send_recovery_op(pgid, primary, RecoveryOp::BackfillFinishAck);
        if let Some(epoch) = self.pg(pgid).map(|p| p.epoch()) {
            self.enqueue_peering_evt(pgid, PeeringEvt::new(epoch, Event::RecoveryDone));
        }
    }
}
