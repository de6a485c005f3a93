//! The primary's side of recovery and backfill (`recover_primary`,
//! `recover_replicas`, `recover_backfill`, `handle_push_reply`, the
//! `OP_BACKFILL_FINISH_ACK` branch of `do_backfill`).

use peering_core::event::{Event, PeeringEvt};
use peering_core::map::OsdMapView;
use peering_core::types::{EVersion, ObjectId, OsdId, PgShard, PgState, SpgId};

use super::report::RecoveryReport;
use super::{
    ObjectToRecover, RecoveryOp, RecoveryPlan, RecoveryRun, SCAN_MAX, backfill_targets,
    primary_missing, recovery_done_event,
};
use crate::osd::{DropReason, Osd};

impl Osd {
    /// `on_recovery_reserved` → `start_recovery_ops`: pulls first (a delete
    /// the primary misses is applied locally), then the pushes whose object
    /// the primary holds.
    pub(super) fn start_recovery(&mut self, pgid: SpgId) {
        let Some(pg) = self.pg(pgid) else {
            return;
        };
        let plan = RecoveryPlan::of(pg);
        let me = self.cfg.whoami;
        let map = self.maps.get(pg.epoch()).cloned();
        let up = |o: OsdId| map.as_ref().is_some_and(|m| m.is_up(o));
        // Pulls and pushes still in flight from before a deferral stay
        // tracked and are not sent again (`recover_primary` and
        // `recover_replicas` skip what is already `recovering`).
        let old = self.recovery.remove(&pgid).unwrap_or_default();
        let mut run = RecoveryRun {
            waiting: plan
                .pushes
                .into_iter()
                .filter(|(peer, o)| !old.pushes.get(&o.oid).is_some_and(|p| p.contains(peer)))
                .collect(),
            pulls: old.pulls,
            pushes: old.pushes,
            sources: old.sources,
            ..RecoveryRun::default()
        };
        for (o, at) in plan.pulls {
            if run.pulls.contains_key(&o.oid) {
                continue;
            }
            if o.delete {
                self.recover_locally(pgid, &o);
                continue;
            }
            // An object with no other location stays missing (unfound).
            // Another shard this OSD holds (EC) is read through the
            // loopback connection.
            let whoami = PgShard::new(me, pgid.shard);
            if let Some(src) = at.iter().find(|s| **s != whoami && up(s.osd)).copied() {
                run.sources.insert(src.osd);
                let op = RecoveryOp::Pull {
                    oid: o.oid.clone(),
                    version: o.version,
                };
                self.send_recovery_op(pgid, src, op);
                run.pulls.insert(o.oid.clone(), o);
            }
        }
        self.recovery.insert(pgid, run);
        self.continue_recovery(pgid);
    }

    /// `check_recovery_sources`, on each map the active PG takes without a
    /// new interval (`remove_down_peer_info`): pulls from an OSD the map has
    /// down will never be answered, so the run starts over from the PG's
    /// current missing sets and the sources that are up.
    pub(super) fn check_recovery_sources(&mut self, pgid: SpgId) {
        let Some(pg) = self.pg(pgid) else {
            return;
        };
        let Some(map) = self.maps.get(pg.epoch()).cloned() else {
            return;
        };
        let lost = self
            .recovery
            .get(&pgid)
            .is_some_and(|r| !r.is_backfill && r.sources.iter().any(|o| !map.is_up(*o)));
        if lost {
            self.recovery.remove(&pgid);
            self.start_recovery(pgid);
        }
    }

    /// The object layer applies `o` and the PG runs `on_local_recover`.
    fn recover_locally(&mut self, pgid: SpgId, o: &ObjectToRecover) {
        self.write_object(pgid, &o.oid, o.version, o.delete, &[]);
        let (oid, v) = (o.oid.clone(), o.version);
        if self
            .call_pg(pgid, |pg, ctx| pg.on_local_recover(&oid, v, ctx))
            .is_some()
        {
            self.report_recovery(pgid, RecoveryReport::Recovered { oid, version: v });
        }
    }

    /// Sends the pushes whose object the primary now holds; ends the run
    /// when nothing is in flight (`start_recovery_ops`' end).
    ///
    /// A PG that left `Recovering` (a deferral or a revoked reservation
    /// cleared `PG_STATE_RECOVERING`) starts nothing new and posts no
    /// completion (`start_recovery_ops` returns early when the PG is neither
    /// recovering nor backfilling, so a stale completion never reaches a PG
    /// that waits for a new reservation); what is in flight stays tracked,
    /// as the backend's `pulling` and `pushing` do until the interval ends,
    /// so its answers still recover their objects.
    fn continue_recovery(&mut self, pgid: SpgId) {
        let Some(mut run) = self.recovery.remove(&pgid) else {
            return;
        };
        let Some(pg) = self.pg(pgid) else {
            return;
        };
        if !pg.state_bits().contains(PgState::RECOVERING) {
            run.waiting.clear();
            if !run.is_backfill && (!run.pulls.is_empty() || !run.pushes.is_empty()) {
                self.recovery.insert(pgid, run);
            }
            return;
        }
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut run.waiting)
            .into_iter()
            .partition(|(_, o)| !primary_missing(pg, &o.oid));
        // A push whose object is neither held nor being pulled is unfound.
        run.waiting = waiting
            .into_iter()
            .filter(|(_, o)| run.pulls.contains_key(&o.oid))
            .collect();
        for (peer, o) in ready {
            let data = self.backend.read_object(pgid, &o.oid);
            run.pushes.entry(o.oid.clone()).or_default().insert(peer);
            let op = RecoveryOp::Push {
                oid: o.oid,
                version: o.version,
                delete: o.delete,
                backfill: false,
                data,
            };
            self.send_recovery_op(pgid, peer, op);
        }
        if !run.pulls.is_empty() || !run.pushes.is_empty() || !run.waiting.is_empty() {
            self.recovery.insert(pgid, run);
            return;
        }
        let Some(pg) = self.pg(pgid) else {
            return;
        };
        let (event, unfound) = recovery_done_event(pg);
        let epoch = pg.epoch();
        let name = event.name();
        self.enqueue_peering_evt(pgid, PeeringEvt::new(epoch, event));
        self.report_recovery(
            pgid,
            RecoveryReport::Done {
                event: name,
                unfound,
            },
        );
    }

    /// A pulled object arrived (`handle_pull_response`): applied, then its
    /// pushes may go; an object no peer needs is globally recovered.
    pub(super) fn pulled(&mut self, pgid: SpgId, oid: ObjectId, v: EVersion, data: &[u8]) -> bool {
        let Some(o) = self
            .recovery
            .get_mut(&pgid)
            .and_then(|r| r.pulls.remove(&oid))
        else {
            return false;
        };
        self.write_object(pgid, &oid, v, o.delete, data);
        if self
            .call_pg(pgid, |pg, ctx| pg.on_local_recover(&oid, v, ctx))
            .is_some()
        {
            let (oid, version) = (oid.clone(), v);
            self.report_recovery(pgid, RecoveryReport::Recovered { oid, version });
        }
        let pushes_left = self
            .recovery
            .get(&pgid)
            .is_some_and(|r| r.waiting.iter().any(|(_, w)| w.oid == oid));
        if !pushes_left {
            self.call_pg(pgid, |pg, _| pg.on_global_recover(&oid));
        }
        self.continue_recovery(pgid);
        true
    }

    /// `MOSDPGPushReply` (`handle_push_reply`): recovery runs
    /// `on_peer_recover` (and `on_global_recover` once no shard waits for the
    /// object); backfill advances the target's `last_backfill` and, after the
    /// last object, sends `OP_BACKFILL_FINISH`.
    pub(super) fn handle_push_reply(
        &mut self,
        pgid: SpgId,
        peer: PgShard,
        oid: ObjectId,
        v: EVersion,
        backfill: bool,
    ) -> Result<(), DropReason> {
        let not_expected = || DropReason::Recovery(pgid, format!("unexpected push reply {oid:?}"));
        let Some(run) = self.recovery.get_mut(&pgid) else {
            return Err(not_expected());
        };
        if backfill {
            let Some(Some(left)) = run.backfill.get_mut(&peer) else {
                return Err(not_expected());
            };
            *left = left.saturating_sub(1);
            let done = *left == 0;
            let lb = oid.clone();
            if self
                .call_pg(pgid, |pg, _| pg.update_peer_last_backfill(peer, lb))
                .is_some()
            {
                let (target, last_backfill) = (peer.osd, oid.clone());
                self.report_recovery(
                    pgid,
                    RecoveryReport::LastBackfill {
                        target,
                        last_backfill,
                    },
                );
            }
            self.send_recovery_op(
                pgid,
                peer,
                RecoveryOp::BackfillProgress { last_backfill: oid },
            );
            if done {
                self.finish_backfill_of(pgid, peer);
            }
            return Ok(());
        }
        let Some(waiting) = run.pushes.get_mut(&oid) else {
            return Err(not_expected());
        };
        if !waiting.remove(&peer) {
            return Err(not_expected());
        }
        let all_pushed = waiting.is_empty();
        if all_pushed {
            run.pushes.remove(&oid);
        }
        if self
            .call_pg(pgid, |pg, ctx| pg.on_peer_recover(peer, &oid, v, ctx))
            .is_some()
        {
            let (to, version) = (peer.osd, v);
            let oid = oid.clone();
            self.report_recovery(pgid, RecoveryReport::Pushed { to, oid, version });
        }
        if all_pushed {
            self.call_pg(pgid, |pg, _| pg.on_global_recover(&oid));
        }
        self.continue_recovery(pgid);
        Ok(())
    }

    /// `on_backfill_reserved` → `recover_backfill`: every object of the
    /// primary's instance, in order, is pushed to each backfill target; a
    /// target with nothing to copy is finished at once.
    pub(super) fn start_backfill(&mut self, pgid: SpgId) {
        let Some(pg) = self.pg(pgid) else {
            return;
        };
        let targets = backfill_targets(pg);
        let mut objects = Vec::new();
        loop {
            let after = objects
                .last()
                .map(|(o, _): &(ObjectId, EVersion)| o.clone());
            let chunk = self.backend.objects_list(pgid, after.as_ref(), SCAN_MAX);
            let short = chunk.len() < SCAN_MAX;
            objects.extend(chunk);
            if short {
                break;
            }
        }
        let run = RecoveryRun {
            is_backfill: true,
            backfill: targets.iter().map(|t| (*t, Some(objects.len()))).collect(),
            ..RecoveryRun::default()
        };
        self.recovery.insert(pgid, run);
        for target in targets {
            for (oid, version) in &objects {
                let data = self.backend.read_object(pgid, oid);
                let op = RecoveryOp::Push {
                    oid: oid.clone(),
                    version: *version,
                    delete: false,
                    backfill: true,
                    data,
                };
                self.send_recovery_op(pgid, target, op);
            }
            if objects.is_empty() {
                self.finish_backfill_of(pgid, target);
            }
        }
    }

    /// `OP_BACKFILL_FINISH` to `target`.
    fn finish_backfill_of(&mut self, pgid: SpgId, target: PgShard) {
        if let Some(slot) = self
            .recovery
            .get_mut(&pgid)
            .and_then(|r| r.backfill.get_mut(&target))
        {
            *slot = None;
        }
        self.send_recovery_op(pgid, target, RecoveryOp::BackfillFinish);
    }

    /// `OP_BACKFILL_FINISH_ACK`: the target is complete (`last_backfill =
    /// MAX`); once every target acked, `Backfilled`.
    pub(super) fn handle_backfill_finish_ack(
        &mut self,
        pgid: SpgId,
        peer: PgShard,
    ) -> Result<(), DropReason> {
        let Some(run) = self.recovery.get_mut(&pgid).filter(|r| r.is_backfill) else {
            return Err(DropReason::Recovery(pgid, "unexpected finish ack".into()));
        };
        if run.backfill.get(&peer) != Some(&None) {
            return Err(DropReason::Recovery(pgid, "unexpected finish ack".into()));
        }
        run.backfill.remove(&peer);
        let done = run.backfill.is_empty();
        if self
            .call_pg(pgid, |pg, _| {
                pg.update_peer_last_backfill(peer, ObjectId::MAX)
            })
            .is_some()
        {
            let target = peer.osd;
            let last_backfill = ObjectId::MAX;
            self.report_recovery(
                pgid,
                RecoveryReport::LastBackfill {
                    target,
                    last_backfill,
                },
            );
        }
        if done {
            self.recovery.remove(&pgid);
            if let Some(epoch) = self.pg(pgid).map(|p| p.epoch()) {
                self.enqueue_peering_evt(pgid, PeeringEvt::new(epoch, Event::Backfilled));
                let done = RecoveryReport::Done {
                    event: Event::Backfilled.name(),
                    unfound: 0,
                };
                self.report_recovery(pgid, done);
            }
        }
        Ok(())
    }
}
