//! Routing one [`RecoveryCtx`]: what a PG instance asked of its host after a call.

use peering_core::ctx::{HostNotification, MonRequest, Outgoing, RecoveryCtx, ReservationOp};
use peering_core::event::{Event, PeeringEvt};
use peering_core::machine::StateId;
use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, OsdId, SpgId};

use super::{Entry, Harness, Queued};

impl Harness {
    /// Records the states `osd`'s instance entered, persists its transaction, sends
    /// its messages, handles commits, timers, reservations, monitor requests and
    /// notifications, then checks the invariants.
    pub(super) fn absorb(&mut self, osd: OsdId, spg: SpgId, ctx: &mut RecoveryCtx) {
        let entered = self.record_states(osd, spg);
        let persist = ctx.take_persist();
        let t = persist.transaction();
        if !t.is_empty() {
            self.store.apply(osd, spg, t);
            self.transcript.push(Entry::Persisted {
                osd,
                pgid: spg,
                ops: t.ops.len(),
            });
        }
        let epoch = self.pg(osd.0, spg).map_or(0, |p| p.epoch());
        for (to, msg) in ctx.drain_outgoing() {
            self.send(osd, to, epoch, spg, msg);
        }
        for timer in ctx.drain_timers() {
            self.transcript.push(Entry::Timer {
                osd,
                pgid: spg,
                timer: timer.clone(),
            });
            self.timers.push((osd, spg, timer));
        }
        let reservations: Vec<ReservationOp> = ctx.drain_reservations().collect();
        for op in reservations {
            self.reserve(osd, spg, op);
        }
        let mon: Vec<MonRequest> = ctx.drain_mon().collect();
        for request in mon {
            self.mon_request(osd, request);
        }
        let notes: Vec<HostNotification> = ctx.drain_notifications().collect();
        for note in notes {
            self.notified(osd, spg, note);
        }
        self.observe(osd, spg, &entered);
        // The in-memory store is durable as soon as it applied the transaction.
        for c in persist.committed() {
            if self.policy.hold_commits {
                self.held.push((osd, spg, c));
            } else {
                self.commit(osd, spg, c);
            }
        }
    }

    /// Records `msg`, sent by `from`'s instance of `pgid` at `epoch`, and queues
    /// the events it delivers on `to` through the core's
    /// [`Outgoing::into_events`] (Ceph's message → `PGPeeringEvent`), so
    /// the harness and the core cannot disagree on events or epochs.
    pub(super) fn send(
        &mut self,
        from: OsdId,
        to: OsdId,
        epoch: Epoch,
        pgid: SpgId,
        msg: Outgoing,
    ) {
        // `dispatch_context`: an OSD that is not up in its map sends nothing (a
        // booting OSD's strays notify once the monitor has marked it up).
        if !self.map().is_up(from) {
            return;
        }
        self.transcript.push(Entry::Sent {
            from,
            to,
            epoch,
            pgid,
            msg: msg.clone(),
        });
        for (pgid, evt) in msg.into_events(from) {
            self.queue.push_back(Queued {
                to,
                pgid,
                from: Some(from),
                evt,
            });
        }
    }

    /// Moves the instance's state history into the transcript (the harness owns
    /// the history: it is cleared after each call).
    fn record_states(&mut self, osd: OsdId, spg: SpgId) -> Vec<StateId> {
        let Some(pg) = self.osds.get_mut(&osd).and_then(|p| p.get_mut(&spg)) else {
            return Vec::new();
        };
        let entered: Vec<(StateId, u32)> = pg
            .state_history()
            .records()
            .filter(|r| r.transit == peering_core::machine::Transit::Enter)
            .map(|r| (r.state, r.epoch))
            .collect();
        pg.clear_state_history();
        for (state, epoch) in &entered {
            self.transcript.push(Entry::Entered {
                osd,
                pgid: spg,
                epoch: *epoch,
                state: *state,
            });
        }
        entered.into_iter().map(|(s, _)| s).collect()
    }

    fn observe(&mut self, osd: OsdId, spg: SpgId, entered: &[StateId]) {
        let Some(pg) = self.osds.get(&osd).and_then(|p| p.get(&spg)) else {
            return;
        };
        let primary_osd = pg.primary().osd;
        let primary = (primary_osd != osd)
            .then(|| self.osds.get(&primary_osd).and_then(|p| p.get(&spg)))
            .flatten();
        let Some(map) = self.maps.get(pg.epoch()) else {
            return;
        };
        self.checker.observe(osd, pg, entered, map, primary);
    }

    /// A reservation request or cancellation: handed to
    /// the OSD's local or remote [`super::Reserver`] unless
    /// [`super::Policy::grant_reservations`] is off; a backfill request first asks
    /// the space check ([`Harness::set_too_full`], `try_reserve_recovery_space`).
    /// Grants and preemptions are queued for the PGs they name.
    fn reserve(&mut self, osd: OsdId, spg: SpgId, op: ReservationOp) {
        self.transcript.push(Entry::Reservation {
            osd,
            pgid: spg,
            op: op.clone(),
        });
        if !self.policy.grant_reservations {
            return;
        }
        let slots = self.policy.reserver_slots;
        let out = match op {
            ReservationOp::RequestLocal {
                priority,
                on_grant,
                on_preempt,
            } => self.request_slot(osd, false, spg, (priority, on_grant, on_preempt)),
            ReservationOp::RequestRemote {
                priority,
                on_grant,
                on_preempt,
            } => self.request_slot(osd, true, spg, (priority, on_grant, on_preempt)),
            ReservationOp::RequestRemoteBackfill { on_too_full, .. }
                if self.too_full.contains(&osd) =>
            {
                vec![(spg, on_too_full)]
            }
            ReservationOp::RequestRemoteBackfill {
                priority,
                on_grant,
                on_preempt,
                ..
            } => self.request_slot(osd, true, spg, (priority, on_grant, on_preempt)),
            ReservationOp::UpdateLocalPriority { priority } => self
                .reserver_mut(osd, false, slots)
                .update_priority(spg, priority),
            ReservationOp::CancelLocal => self.reserver_mut(osd, false, slots).cancel(spg),
            ReservationOp::CancelRemote => self.reserver_mut(osd, true, slots).cancel(spg),
            ReservationOp::UnreserveSpace => Vec::new(),
        };
        for (pgid, evt) in out {
            self.enqueue_host(osd, pgid, evt);
        }
    }

    /// `request_reservation(pgid, on_grant, priority, on_preempt)` on `osd`'s local
    /// or remote reserver.
    fn request_slot(
        &mut self,
        osd: OsdId,
        remote: bool,
        spg: SpgId,
        (priority, on_grant, on_preempt): (u32, PeeringEvt, Option<PeeringEvt>),
    ) -> Vec<(SpgId, PeeringEvt)> {
        let slots = self.policy.reserver_slots;
        self.reserver_mut(osd, remote, slots)
            .request(spg, priority, on_grant, on_preempt)
    }

    /// `osd`'s local or remote reserver, created with `slots` slots on first use.
    fn reserver_mut(&mut self, osd: OsdId, remote: bool, slots: usize) -> &mut super::Reserver {
        self.reservers
            .entry((osd, remote))
            .or_insert_with(|| super::Reserver::new(super::reserver_slots(slots)))
    }

    /// A monitor request is remembered until the monitor answers.
    fn mon_request(&mut self, osd: OsdId, request: MonRequest) {
        self.transcript.push(Entry::Mon {
            osd,
            request: request.clone(),
        });
        match request {
            MonRequest::UpThru { want } => {
                let w = self.want_up_thru.entry(osd).or_default();
                *w = (*w).max(want);
            }
            MonRequest::PgTemp { pgid, want } => {
                self.want_pg_temp.insert(pgid, want);
            }
            MonRequest::ClearPgTemp { pgid } => {
                self.want_pg_temp.remove(&pgid);
            }
            MonRequest::PgCreated { .. } => {}
        }
    }

    /// Host notifications the harness answers: `on_activate_complete` as the
    /// recovery engine, a flush request with `IntervalFlush`.
    fn notified(&mut self, osd: OsdId, spg: SpgId, note: HostNotification) {
        self.transcript.push(Entry::Notified {
            osd,
            pgid: spg,
            note: note.clone(),
        });
        let epoch = self.pg(osd.0, spg).map_or(0, |p| p.epoch());
        let event = match note {
            HostNotification::ActivateComplete {
                needs_recovery,
                needs_backfill,
            } if self.policy.answer_activate_complete => {
                if needs_recovery {
                    Event::DoRecovery
                } else if needs_backfill {
                    Event::RequestBackfill
                } else {
                    Event::AllReplicasRecovered
                }
            }
            HostNotification::FlushRequested if self.policy.flush_at_once => Event::IntervalFlush,
            // `on_recovery_reserved` / `on_backfill_reserved`: the recovery engine
            // starts once the current call is routed (§8.6).
            HostNotification::RecoveryReserved if self.policy.recovery_engine => {
                self.engine_jobs.push((osd, spg, super::EngineJob::Recover));
                return;
            }
            HostNotification::BackfillReserved if self.policy.recovery_engine => {
                self.engine_jobs
                    .push((osd, spg, super::EngineJob::Backfill));
                return;
            }
            // boost's `terminate()` ended the machine: the OSD drops the PG object
            // (§0.2 rule 8); its store entry went with `RemovePg`.
            HostNotification::Deleted => {
                if let Some(pgs) = self.osds.get_mut(&osd) {
                    pgs.remove(&spg);
                }
                self.checker.instance_deleted(osd, spg);
                return;
            }
            _ => return,
        };
        self.enqueue_host(osd, spg, PeeringEvt::new(epoch, event));
    }

    /// Queues a host-generated event for one PG instance.
    pub(super) fn enqueue_host(&mut self, osd: OsdId, spg: SpgId, evt: PeeringEvt) {
        self.queue.push_back(Queued {
            to: osd,
            pgid: spg,
            from: None,
            evt,
        });
    }
}
