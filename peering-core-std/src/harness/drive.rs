//! Delivering queued events, commits and timers, and the monitor's answers.

use peering_core::ctx::{OnCommit, Outgoing};
use peering_core::event::{DeleteSome, Event, PeeringEvt};
use peering_core::intervals::PastIntervals;
use peering_core::machine::{EventOutcome, Pg, StateId};
use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, PgInfo, PgNotify, QueryKind, SpgId};

use super::{Entry, Harness, HarnessError, Outcome, Queued};

impl Harness {
    /// Queues `evt` for `osd`'s instance of `pgid`, as the host would (a timer, a
    /// recovery callback, a scrub request...;).
    pub fn inject(&mut self, osd: i32, pgid: SpgId, evt: PeeringEvt) {
        self.enqueue_host(OsdId(osd), pgid, evt);
    }

    /// Delivers the oldest queued event with the host's admission rules (:
    /// an event sent at an epoch the PG has not reached waits for the next map);
    /// false when the queue is empty.
    pub fn step(&mut self) -> bool {
        let Some(q) = self.queue.pop_front() else {
            return false;
        };
        self.deliver(q);
        true
    }

    /// Delivers events until the queue is empty; then, as [`super::Policy`] says,
    /// lets the monitor answer pending up_thru and pg_temp requests with a new map
    /// and goes on, until nothing is left to do. Returns the
    /// deliveries made.
    pub fn run(&mut self) -> Result<usize, HarnessError> {
        let mut steps = 0;
        loop {
            while self.step() {
                steps += 1;
                if steps >= self.policy.max_steps {
                    return Err(HarnessError::NoQuiescence(steps));
                }
            }
            if !self.engine_jobs.is_empty() {
                self.run_engine_jobs();
                continue;
            }
            let up_thru = self.policy.grant_up_thru && !self.want_up_thru.is_empty();
            let pg_temp = self.policy.grant_pg_temp && !self.want_pg_temp.is_empty();
            if !up_thru && !pg_temp {
                if self.policy.fire_timers && !self.timers.is_empty() {
                    self.fire_timers();
                    continue;
                }
                return Ok(steps);
            }
            self.grant_mon_requests(up_thru, pg_temp)?;
        }
    }

    /// Runs the recovery engine for every PG that got its reservations, if it is
    /// still in the state that asked (a reset in between cancels the work, as
    /// `on_change` cancels recovery ops).
    fn run_engine_jobs(&mut self) {
        for (osd, spg, job) in std::mem::take(&mut self.engine_jobs) {
            let Some(pg) = self.pg(osd.0, spg) else {
                continue;
            };
            match job {
                super::EngineJob::Recover if pg.state_id() == StateId::Recovering => {
                    self.run_recovery(osd, spg);
                }
                super::EngineJob::Backfill if pg.state_id() == StateId::Backfilling => {
                    self.run_backfill(osd, spg);
                }
                _ => {}
            }
        }
    }

    /// The monitor answers: one new map recording every pending up_thru (each OSD's
    /// `up_thru` set to what it asked, `MOSDAlive`) and/or every pending
    /// pg_temp.
    pub fn grant_mon_requests(&mut self, up_thru: bool, pg_temp: bool) -> Result<(), HarnessError> {
        let wants = if up_thru {
            std::mem::take(&mut self.want_up_thru)
        } else {
            Default::default()
        };
        let temps = if pg_temp {
            std::mem::take(&mut self.want_pg_temp)
        } else {
            Default::default()
        };
        for (pgid, want) in &temps {
            let osds: Vec<i32> = want.iter().map(|o| o.0).collect();
            self.placement.set_pg_temp(*pgid, &osds);
        }
        let mut what: Vec<String> = wants
            .iter()
            .map(|(o, e)| format!("{o} up_thru {e}"))
            .collect();
        what.extend(temps.iter().map(|(p, w)| format!("pg_temp {p} = {w:?}")));
        self.publish(&what.join(", "), |m| {
            for (o, e) in &wants {
                m.set_up_thru(o.0, *e);
            }
        })?;
        Ok(())
    }

    /// Delivers one queued event as the OSD's `dequeue_peering_evt` would:
    /// dropped when the OSD is down or stopped, a missing PG created from the
    /// event's create info or answered without it, deferred when
    /// sent at an epoch the PG has not reached, then handled and its context
    /// routed (`absorb`).
    fn deliver(&mut self, q: Queued) {
        let name = q.evt.event.name();
        let record = |outcome| Entry::Delivered {
            to: q.to,
            pgid: q.pgid,
            from: q.from,
            epoch: q.evt.epoch_sent,
            name,
            outcome,
        };
        if !self.map().is_up(q.to) || !self.osds.contains_key(&q.to) {
            return;
        }
        if !self
            .osds
            .get(&q.to)
            .is_some_and(|p| p.contains_key(&q.pgid))
            && !self.create_from_message(&q)
        {
            self.transcript.push(record(Outcome::NoPg));
            self.answer_without_pg(&q);
            return;
        }
        let Some(pg) = self.osds.get_mut(&q.to).and_then(|p| p.get_mut(&q.pgid)) else {
            return;
        };
        if q.evt.epoch_sent > pg.epoch() {
            self.deferred.push(q);
            return;
        }
        let Some(map) = self.maps.get(pg.epoch()) else {
            return;
        };
        let mut ctx = std::mem::take(&mut self.ctx);
        let outcome = match pg.handle_event(q.evt.clone(), map, &mut ctx) {
            Ok(EventOutcome::Delivered) => Outcome::Handled,
            Ok(EventOutcome::Dropped(r)) => Outcome::Dropped(r),
            Err(e) => Outcome::Failed(e),
        };
        self.transcript.push(record(outcome));
        self.absorb(q.to, q.pgid, &mut ctx);
        ctx.clear();
        self.ctx = ctx;
    }

    /// `handle_pg_create_info`: a notify or log for a PG this OSD
    /// does not hold creates it when the OSD is in the PG's up or acting set at the
    /// message's creation epoch and still is now; the new instance is created with
    /// that epoch's map and advanced to the newest. False when nothing was created.
    fn create_from_message(&mut self, q: &Queued) -> bool {
        let Some(info) = q.evt.event.create_info() else {
            return false;
        };
        let pgid = info.pgid.pgid;
        let member = |m: Option<&peering_core::intervals::UpActing>| {
            m.is_some_and(|m| m.up.contains(&q.to) || m.acting.contains(&q.to))
        };
        let newest = self.epoch();
        if info.pgid != q.pgid
            || !member(self.mappings.get(&(info.epoch, pgid)))
            || !member(self.mappings.get(&(newest, pgid)))
        {
            return false;
        }
        let (Some(map), Some(mapping)) = (
            self.maps.get(info.epoch).cloned(),
            self.mappings.get(&(info.epoch, pgid)).cloned(),
        ) else {
            return false;
        };
        let args = peering_core::machine::PgCreate::from_create_info(
            peering_core::types::PgShard::replica(q.to.0),
            info,
            mapping,
            self.config,
        );
        let mut ctx = peering_core::ctx::RecoveryCtx::new();
        let Ok(pg) = Pg::create(args, &map, &mut ctx) else {
            return false;
        };
        self.osds.entry(q.to).or_default().insert(q.pgid, pg);
        self.absorb(q.to, q.pgid, &mut ctx);
        self.advance_pg(q.to, q.pgid).is_ok()
    }

    /// The host's answer to an INFO query for a PG it does not hold: a notify with
    /// an empty info (`handle_pg_query_nopg`). Other events are dropped.
    fn answer_without_pg(&mut self, q: &Queued) {
        let Event::MQuery(mq) = &q.evt.event else {
            return;
        };
        if mq.query.kind != QueryKind::Info || self.map().pool(mq.pgid.pgid.pool).is_none() {
            return;
        }
        let notify = PgNotify {
            query_epoch: mq.query.epoch_sent,
            epoch_sent: self.epoch(),
            info: PgInfo::new(mq.pgid),
            to: mq.query.from,
            from: mq.query.to,
            past_intervals: PastIntervals::default(),
        };
        let epoch = self.epoch();
        self.send(q.to, mq.from.osd, epoch, mq.pgid, Outgoing::Notify(notify));
    }

    /// Runs one on-commit callback for `osd`'s instance of `spg`.
    pub(super) fn commit(&mut self, osd: OsdId, spg: SpgId, c: OnCommit) {
        let mut ctx = peering_core::ctx::RecoveryCtx::new();
        match c {
            OnCommit::Event(e) => {
                self.enqueue_host(osd, spg, e);
                return;
            }
            OnCommit::CompleteFlush => {
                let Some(pg) = self.osds.get_mut(&osd).and_then(|p| p.get_mut(&spg)) else {
                    return;
                };
                pg.complete_flush(&mut ctx);
            }
            OnCommit::PurgeStrays => {
                let Some(pg) = self.osds.get_mut(&osd).and_then(|p| p.get_mut(&spg)) else {
                    return;
                };
                let Some(map) = self.maps.get(pg.epoch()) else {
                    return;
                };
                pg.purge_strays(map, &mut ctx);
            }
            // `C_DeleteMore`: list the next objects of the collection and hand them
            // to the deleting PG (§3 "Deleting").
            OnCommit::DeleteMore { epoch, after, max } => {
                let max = usize::try_from(max).unwrap_or(usize::MAX);
                let objects = self.store.list_objects(osd, spg, after.as_ref(), max);
                self.enqueue_host(
                    osd,
                    spg,
                    PeeringEvt::new(epoch, Event::DeleteSome(DeleteSome { objects })),
                );
                return;
            }
        }
        self.absorb(osd, spg, &mut ctx);
    }

    /// Runs every held on-commit callback, in order (the transactions became
    /// durable).
    pub fn release_commits(&mut self) {
        for (osd, spg, c) in std::mem::take(&mut self.held) {
            self.commit(osd, spg, c);
        }
    }

    /// Fires every scheduled timer: its event is queued (it carries its scheduling
    /// epoch, so a PG that reset since drops it).
    pub fn fire_timers(&mut self) {
        for (osd, spg, t) in std::mem::take(&mut self.timers) {
            self.enqueue_host(osd, spg, t.event);
        }
    }
}
