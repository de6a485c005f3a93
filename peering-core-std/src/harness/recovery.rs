//! The harness's recovery engine: what Ceph's
//! `PrimaryLogPG` does once a PG holds its reservations, reduced to versions (no
//! object data). Log-based recovery pulls what the primary misses from a location
//! and pushes what each peer misses, feeding back `recover_got`/`on_peer_recover`/
//! `object_recovered`; backfill copies the primary's objects to each target in
//! object order, feeding back `update_peer_last_backfill`/`update_last_backfill`.
//! Then the engine delivers the event that moves the chart: `AllReplicasRecovered`,
//! `RequestBackfill`, `UnfoundRecovery` or `Backfilled`.

use peering_core::ctx::RecoveryCtx;
use peering_core::error::PeeringError;
use peering_core::event::{Event, PeeringEvt};
use peering_core::machine::Pg;
use peering_core::types::{EVersion, ObjectId, OsdId, PgShard, SpgId};

use super::{Entry, Harness};
use crate::osd::recovery::{RecoveryPlan, backfill_targets, primary_missing, recovery_done_event};

impl Harness {
    /// Calls `f` on `osd`'s instance of `spg` with a fresh context and routes what
    /// it asked for; records a refusal in the transcript. False when the instance
    /// does not run or refused.
    fn call_pg(
        &mut self,
        osd: OsdId,
        spg: SpgId,
        what: &str,
        f: impl FnOnce(&mut Pg, &mut RecoveryCtx) -> Result<(), PeeringError>,
    ) -> bool {
        let Some(pg) = self.osds.get_mut(&osd).and_then(|p| p.get_mut(&spg)) else {
            return false;
        };
        let mut ctx = RecoveryCtx::new();
        let r = f(pg, &mut ctx);
        self.absorb(osd, spg, &mut ctx);
        if let Err(e) = r {
            self.engine_note(osd, spg, format!("{what} refused: {e}"));
            return false;
        }
        true
    }

    fn engine_note(&mut self, osd: OsdId, pgid: SpgId, what: String) {
        self.transcript.push(Entry::Engine { osd, pgid, what });
    }

    /// `on_recovery_reserved` → `start_recovery_ops`: the
    /// primary pulls each object it misses from a shard that has it, then pushes
    /// each object a peer misses; an object nobody has stays missing (unfound).
    /// Then `AllReplicasRecovered`, `RequestBackfill` (backfill still
    /// needed) or `UnfoundRecovery` (something is unfound).
    pub(super) fn run_recovery(&mut self, osd: OsdId, spg: SpgId) {
        let Some(pg) = self.pg(osd.0, spg) else {
            return;
        };
        let epoch = pg.epoch();
        let plan = RecoveryPlan::of(pg);
        let own: Vec<(ObjectId, EVersion, bool)> = plan
            .pulls
            .into_iter()
            .map(|(o, _)| (o.oid, o.version, o.delete))
            .collect();
        let pushes: Vec<(PgShard, ObjectId, EVersion, bool)> = plan
            .pushes
            .into_iter()
            .map(|(s, o)| (s, o.oid, o.version, o.delete))
            .collect();
        for (oid, v, delete) in own {
            let ok = self.call_pg(osd, spg, "recover_got", |pg, ctx| {
                pg.on_local_recover(&oid, v, ctx)
            });
            if ok {
                self.store_recovered(osd, spg, &oid, delete);
                self.engine_note(osd, spg, format!("pulled {oid:?} at {v}"));
            }
        }
        let mut done: Vec<ObjectId> = Vec::new();
        for (peer, oid, v, delete) in pushes {
            if self
                .pg(osd.0, spg)
                .is_some_and(|p| primary_missing(p, &oid))
            {
                continue;
            }
            // The push lands on the peer: its own `recover_got`.
            self.call_pg(peer.osd, spg, "recover_got", |pg, ctx| {
                pg.on_local_recover(&oid, v, ctx)
            });
            self.store_recovered(peer.osd, spg, &oid, delete);
            let ok = self.call_pg(osd, spg, "on_peer_recover", |pg, ctx| {
                pg.on_peer_recover(peer, &oid, v, ctx)
            });
            if ok {
                self.engine_note(osd, spg, format!("pushed {oid:?} at {v} to {}", peer.osd));
                done.push(oid);
            }
        }
        done.sort();
        done.dedup();
        for oid in done {
            self.call_pg(osd, spg, "object_recovered", |pg, _| {
                pg.on_global_recover(&oid)
            });
        }
        let Some((event, unfound)) = self.pg(osd.0, spg).map(recovery_done_event) else {
            return;
        };
        if event == Event::UnfoundRecovery {
            self.engine_note(osd, spg, format!("{unfound} object(s) unfound"));
        }
        self.engine_note(osd, spg, format!("delivers {}", event.name()));
        self.enqueue_host(osd, spg, PeeringEvt::new(epoch, event));
    }

    /// `on_backfill_reserved` → `recover_backfill`:
    /// every object of the primary's collection is copied to each backfill target
    /// in object order, `last_backfill` advancing on both sides after each, then
    /// to `MAX`; then `Backfilled`.
    pub(super) fn run_backfill(&mut self, osd: OsdId, spg: SpgId) {
        let Some(pg) = self.pg(osd.0, spg) else {
            return;
        };
        let epoch = pg.epoch();
        let targets = backfill_targets(pg);
        let objects: Vec<ObjectId> = self
            .store
            .get(osd, spg)
            .map(|s| s.objects.iter().cloned().collect())
            .unwrap_or_default();
        for target in targets {
            let steps = objects.iter().cloned().chain([ObjectId::MAX]);
            for lb in steps {
                if !lb.is_max() {
                    self.store.put_object(target.osd, spg, &lb);
                }
                self.call_pg(target.osd, spg, "update_last_backfill", |pg, ctx| {
                    pg.update_last_backfill(lb.clone(), ctx)
                });
                let ok = self.call_pg(osd, spg, "update_peer_last_backfill", |pg, _| {
                    pg.update_peer_last_backfill(target, lb.clone())
                });
                if ok {
                    let shown = if lb.is_max() {
                        "MAX (complete)".to_string()
                    } else {
                        format!("{lb:?}")
                    };
                    self.engine_note(
                        osd,
                        spg,
                        format!("backfill {}: last_backfill {shown}", target.osd),
                    );
                }
            }
        }
        self.engine_note(osd, spg, "delivers Backfilled".to_string());
        self.enqueue_host(osd, spg, PeeringEvt::new(epoch, Event::Backfilled));
    }

    fn store_recovered(&mut self, osd: OsdId, spg: SpgId, oid: &ObjectId, delete: bool) {
        if delete {
            self.store.drop_object(osd, spg, oid);
        } else {
            self.store.put_object(osd, spg, oid);
        }
    }
}
