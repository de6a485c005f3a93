//! The peering queue: `process_peering_events` / modern `dequeue_peering_evt`
//! (seed 002).
//!
//! One pass takes every PG queued when it starts, once, with one
//! [`RecoveryCtx`]: a PG behind the OSD's map is advanced first (and requeued
//! without consuming an item if the advance cap stopped it); then its oldest
//! item runs. Each PG's transaction, timers, reservations and notifications
//! leave the context right after its turn; its sends wait in the pass's batch
//! for [`Osd::dispatch_context`] at the end of the pass, then `send_pg_temp`
//! and the map cache's trim.

use peering_core::ctx::{MonRequest, RecoveryCtx, TxOp};
use peering_core::machine::{EventOutcome, Transit};
use peering_core::types::{EVersion, SpgId};

use super::output::{OsdOutput, TxnId};
use super::slot::PeeringItem;
use super::{DropReason, Osd, OsdError};
use crate::msg::Message;

impl Osd {
    /// One pass of the peering queue (see the module docs). Returns the PG
    /// turns taken and the errors PGs raised (each leaves its PG as the core
    /// leaves it; the other PGs go on).
    pub fn process_peering_events(&mut self) -> (usize, Vec<OsdError>) {
        let batch: Vec<SpgId> = self.ready.drain(..).collect();
        for pgid in &batch {
            self.queued.remove(pgid);
        }
        let mut ctx = RecoveryCtx::new();
        let mut errors = Vec::new();
        for pgid in &batch {
            if let Err(e) = self.dequeue_peering_evt(*pgid, &mut ctx) {
                errors.push(e);
            }
            ctx.clear();
        }
        self.dispatch_context();
        self.send_pg_temp();
        // PGs moved forward: maps only they needed can go.
        self.trim_maps();
        (batch.len(), errors)
    }

    /// Runs the passes until no PG has work, at most `max_passes`; returns the
    /// passes run.
    pub fn run_peering_queue(&mut self, max_passes: usize) -> (usize, Vec<OsdError>) {
        let mut errors = Vec::new();
        let mut passes = 0;
        while self.has_peering_work() && passes < max_passes {
            errors.extend(self.process_peering_events().1);
            passes += 1;
        }
        (passes, errors)
    }

    /// `dequeue_peering_evt` for one PG turn.
    fn dequeue_peering_evt(&mut self, pgid: SpgId, ctx: &mut RecoveryCtx) -> Result<(), OsdError> {
        let has_pg = self.slots.get(&pgid).is_some_and(|s| s.pg.is_some());
        if !has_pg {
            self.run_without_pg(pgid, ctx);
            return Ok(());
        }
        if !self.advance_pg(pgid, ctx)? {
            self.queue_pg(pgid);
            return Ok(());
        }
        if self.slots.get(&pgid).is_none_or(|s| s.pg.is_none()) {
            // The PG merged into its target on the way.
            self.run_without_pg(pgid, ctx);
            return Ok(());
        }
        let Some(item) = self
            .slots
            .get_mut(&pgid)
            .and_then(|s| s.to_process.pop_front())
        else {
            return Ok(());
        };
        let osd_epoch = self.epoch();
        if item.evt.epoch_sent > osd_epoch {
            self.park(item);
        } else {
            self.run_item(item, ctx)?;
        }
        if self
            .slots
            .get(&pgid)
            .is_some_and(|s| !s.to_process.is_empty())
        {
            self.queue_pg(pgid);
        }
        Ok(())
    }

    /// `pg->do_peering_event(evt, rctx)`: the PG is at the OSD's epoch.
    fn run_item(&mut self, item: PeeringItem, ctx: &mut RecoveryCtx) -> Result<(), OsdError> {
        let pgid = item.pgid;
        let Some(mut pg) = self.slots.get_mut(&pgid).and_then(|s| s.pg.take()) else {
            return Ok(());
        };
        self.prime_clock(&mut pg);
        let result = match self.maps.get(pg.epoch()).cloned() {
            Some(map) => pg.handle_event(item.evt, &*map, ctx),
            None => {
                if let Some(slot) = self.slots.get_mut(&pgid) {
                    slot.pg = Some(pg);
                }
                return Err(OsdError::NoMap(self.epoch()));
            }
        };
        let terminated = pg.is_terminated();
        if let Some(slot) = self.slots.get_mut(&pgid) {
            slot.pg = (!terminated).then_some(pg);
        }
        self.flush_pg_ctx(pgid, ctx);
        match result {
            Ok(EventOutcome::Delivered) => Ok(()),
            Ok(EventOutcome::Dropped(r)) => {
                self.drop_with(DropReason::Pg(pgid, r));
                Ok(())
            }
            Err(e) => Err(OsdError::pg(pgid)(e)),
        }
    }

    /// The modern `_process` branch without a PG: park an item from a newer
    /// epoch, answer a query (`handle_pg_query_nopg`), create the PG from create
    /// info (`handle_pg_create_info`, then the item runs on the new PG), or drop.
    fn run_without_pg(&mut self, pgid: SpgId, ctx: &mut RecoveryCtx) {
        let Some(item) = self
            .slots
            .get_mut(&pgid)
            .and_then(|s| s.to_process.pop_front())
        else {
            self.remove_if_empty(pgid);
            return;
        };
        if item.evt.epoch_sent > self.epoch() {
            self.park(item);
        } else if !item.requires_pg {
            if let Err(r) = self.handle_pg_query_nopg(&item, ctx) {
                self.drop_with(r);
            }
        } else if let Some(info) = item.create_info.clone() {
            match self.handle_pg_create_info(&item, info, ctx) {
                Ok(()) => {
                    if let Some(slot) = self.slots.get_mut(&pgid) {
                        slot.to_process.push_front(item);
                    }
                }
                Err(r) => self.drop_with(r),
            }
        } else {
            self.drop_with(DropReason::NoPg(pgid));
        }
        self.flush_pg_ctx(pgid, ctx);
        if self
            .slots
            .get(&pgid)
            .is_some_and(|s| !s.to_process.is_empty())
        {
            self.queue_pg(pgid);
        } else {
            self.remove_if_empty(pgid);
        }
    }

    /// Reports the states `pgid` entered since the last report as
    /// [`OsdOutput::Entered`] outputs (`log_enter`); the history stays whole
    /// for `pg query`.
    fn report_states(&mut self, pgid: SpgId) {
        let Some(slot) = self.slots.get_mut(&pgid) else {
            return;
        };
        let Some(pg) = slot.pg.as_ref() else {
            return;
        };
        let history = pg.state_history();
        let entered: Vec<OsdOutput> = history
            .since(slot.reported)
            .filter(|r| r.transit == Transit::Enter)
            .map(|r| OsdOutput::Entered {
                pgid,
                epoch: r.epoch,
                state: r.state,
            })
            .collect();
        slot.reported = history.recorded();
        self.outputs.extend(entered);
    }

    /// Erases a slot with nothing in it.
    pub(super) fn remove_if_empty(&mut self, pgid: SpgId) {
        if self.slots.get(&pgid).is_some_and(|s| s.is_empty()) {
            self.slots.remove(&pgid);
        }
    }

    /// Takes one PG's share of `ctx` out: its transaction (with its on-commit
    /// work) to the store, its timers, reservations, notifications and stats to
    /// the host, its monitor requests to the OSD's monitor state, and its sends
    /// into the pass's batch (direct sends first, as Ceph sends them while the
    /// event runs).
    ///
    /// Returns the id of the transaction handed to the store, if any.
    pub(super) fn flush_pg_ctx(&mut self, pgid: SpgId, ctx: &mut RecoveryCtx) -> Option<TxnId> {
        self.flush_pg_ctx_with(pgid, ctx, Vec::new())
    }

    /// [`Osd::flush_pg_ctx`] with the host's own operations (`host_ops`,
    /// a split's [`TxOp::SplitCollection`]) after the PG's in its transaction.
    pub(super) fn flush_pg_ctx_with(
        &mut self,
        pgid: SpgId,
        ctx: &mut RecoveryCtx,
        host_ops: Vec<TxOp>,
    ) -> Option<TxnId> {
        if self.cfg.report_states {
            self.report_states(pgid);
        }
        let (mut transaction, commits) = ctx.take_persist().into_parts();
        transaction.ops.extend(host_ops);
        // The object layer follows the transaction's object side, as the
        // store will (`PGBackend` applies the log's handlers in the same
        // transaction).
        for op in &transaction.ops {
            match op {
                TxOp::LogEffects(effects) => {
                    for e in effects {
                        self.backend.apply_log_effect(pgid, e);
                    }
                }
                TxOp::RemoveObject(oid) => {
                    self.backend
                        .write_object(pgid, oid, EVersion::ZERO, true, &[]);
                }
                TxOp::SplitCollection { child, split_bits } => {
                    self.backend.split(pgid, *child, *split_bits);
                }
                TxOp::MergeCollection { source } => self.backend.merge(pgid, *source),
                _ => {}
            }
        }
        let mut persisted = None;
        if !transaction.is_empty() || !commits.is_empty() {
            let txn = TxnId(self.next_txn);
            persisted = Some(txn);
            self.next_txn = self.next_txn.wrapping_add(1);
            if !commits.is_empty() {
                self.on_commit.insert(txn, (pgid, commits));
            }
            self.outputs.push_back(OsdOutput::Persist {
                txn,
                pgid,
                transaction,
            });
        }
        for timer in ctx.drain_timers() {
            self.outputs.push_back(OsdOutput::Timer { pgid, timer });
        }
        let ops: Vec<_> = ctx.drain_reservations().collect();
        for op in ops {
            self.handle_reservation(pgid, op);
        }
        let notes: Vec<_> = ctx.drain_notifications().collect();
        for note in &notes {
            self.recovery_notified(pgid, note);
            self.note_merge_readiness(pgid, note);
        }
        for note in notes {
            if matches!(note, peering_core::ctx::HostNotification::Deleted)
                && let Some(slot) = self.slots.get_mut(&pgid)
            {
                slot.pg = None;
            }
            self.outputs
                .push_back(OsdOutput::Notification { pgid, note });
        }
        if ctx.take_publish_stats() {
            self.outputs.push_back(OsdOutput::PublishStats(pgid));
        }
        let mon: Vec<MonRequest> = ctx.drain_mon().collect();
        for r in mon {
            self.mon_request(r);
        }
        let direct: Vec<_> = ctx.drain_messages().collect();
        let buffered = ctx.drain_outgoing();
        let items = direct
            .into_iter()
            .map(|(to, m)| (to, peering_core::ctx::Outgoing::Direct(m)))
            .chain(buffered);
        for (to, out) in items {
            match Message::from_outgoing(out) {
                Ok(m) => self.pending_sends.entry(to).or_default().push(m),
                Err(_) => self.drop_with(DropReason::Unsendable(pgid)),
            }
        }
        persisted
    }
}
