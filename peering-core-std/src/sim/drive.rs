//! Driving the OSD processes: start, crash, the peering queue, and what their
//! outputs become in the world; the heartbeats; the checks after each step.

use std::collections::{BTreeMap, BTreeSet};

use peering_core::machine::StateId;
use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, SpgId};
use rand::Rng;

use super::{Ev, Proc, Sim, SimRule, SimViolation};
use crate::osd::{DropReason, OsdConfig, OsdMaps, OsdOutput, Peer};

/// The most peering-queue passes one step may take: a pass only runs PGs
/// with queued events, so a healthy step needs a handful.
const MAX_PASSES: usize = 10_000;

/// `osd_heartbeat_min_peers`: each OSD watches this many ring neighbours.
const HEARTBEAT_PEERS: i32 = 10;

impl<S: crate::store::Store> Sim<S> {
    /// Starts (or restarts) OSD `osd`'s process: the monitor's maps as if
    /// read from its store, `load_pgs`, its objects, `start_boot`.
    pub(super) fn start_osd(&mut self, osd: OsdId) {
        let incarnation = {
            let i = self.incarnations.entry(osd).or_insert(0);
            *i = i.saturating_add(1);
            *i
        };
        let mut cfg = OsdConfig::new(osd.0);
        cfg.report_states = true;
        // The simulator runs Ceph's strict aborts: an event no state takes is
        // a protocol bug, and the PG's crash is caught as a violation.
        cfg.peering.strict_ceph_aborts = true;
        if let Some(n) = self.cfg.pg_log_entries {
            cfg.min_pg_log_entries = n;
            cfg.target_pg_log_entries_per_osd = 0;
            cfg.peering.pg_log_trim_min = 1;
        }
        let mut o = crate::osd::Osd::new(cfg);
        let mut maps = OsdMaps::incrementals(self.mon.maps_since(0));
        maps.oldest = self.mon.first_map().epoch();
        maps.full
            .insert(self.mon.first_map().epoch(), self.mon.first_map().clone());
        let _ = o.handle_osd_map(maps);
        let failed = match o.load_pgs(&self.store) {
            Ok(failed) => failed,
            Err(e) => {
                self.violation(SimRule::HostError, osd, None, format!("load: {e}"));
                Vec::new()
            }
        };
        if let Err(e) = crate::osd::local::load_objects(&mut o, &self.store) {
            self.violation(SimRule::HostError, osd, None, format!("objects: {e}"));
        }
        o.start_boot();
        for (spg, _) in o.pgs() {
            self.checker.forget_instance(osd, spg);
        }
        self.procs.insert(
            osd,
            Proc {
                osd: o,
                incarnation,
                disk_busy_until: self.now,
                mon_seq: 0,
                up_from: None,
                started_at: self.now,
            },
        );
        if incarnation > 1 {
            // A new process: peers meet a new instance (a remote reset), and
            // what they queued for the old one is gone.
            let n = i32::try_from(self.cfg.osds).unwrap_or(0);
            for peer in (0..n).map(OsdId).filter(|p| *p != osd) {
                self.reset_conn(osd, peer);
            }
        }
        for (pgid, e) in failed {
            self.violation(SimRule::HostError, osd, Some(pgid), format!("load: {e}"));
        }
        self.drive(osd);
    }

    /// Crashes OSD `osd`'s process: what it had not committed is lost, its
    /// connections reset, its peers told.
    pub(super) fn crash_osd(&mut self, osd: OsdId) {
        let Some(p) = self.procs.remove(&osd) else {
            return;
        };
        for (spg, _) in p.osd.pgs() {
            let durable = self
                .store
                .read_pg(osd, spg)
                .ok()
                .flatten()
                .map(|m| (m.info.last_epoch_started, m.info.history.last_epoch_started));
            self.checker.crashed(osd, spg, durable);
        }
        self.crashed.insert(osd);
        let peers: Vec<OsdId> = self.procs.keys().copied().collect();
        for peer in peers {
            self.reset_conn(osd, peer);
        }
        self.record("crash", osd, osd, 0);
    }

    /// Resets the connection `a`–`b`; each running end is told.
    pub(super) fn reset_conn(&mut self, a: OsdId, b: OsdId) {
        self.record("conn-reset", a, b, 0);
        self.net.reset(a, b);
        if let Some(p) = self.procs.get_mut(&a) {
            p.osd.ms_handle_reset(Peer::Osd(b));
        }
        if let Some(p) = self.procs.get_mut(&b) {
            p.osd.ms_handle_reset(Peer::Osd(a));
        }
    }

    /// After a map: every PG instance of `osd` is observed, then the queue runs.
    pub(super) fn drive_after_map(&mut self, osd: OsdId) {
        self.drive_inner(osd, true);
    }

    /// Runs `osd`'s peering queue until it is empty, moving its outputs into
    /// the world, then checks what changed.
    pub(super) fn drive(&mut self, osd: OsdId) {
        self.drive_inner(osd, false);
    }

    fn drive_inner(&mut self, osd: OsdId, all: bool) {
        let mut entered: BTreeMap<SpgId, Vec<StateId>> = BTreeMap::new();
        let mut passes = 0;
        loop {
            let Some(p) = self.procs.get_mut(&osd) else {
                return;
            };
            let outputs = p.osd.drain_outputs();
            let work = p.osd.has_peering_work();
            if outputs.is_empty() && !work {
                break;
            }
            for out in outputs {
                self.output(osd, out, &mut entered);
            }
            if work {
                passes += 1;
                if passes > MAX_PASSES {
                    self.violation(
                        SimRule::HostError,
                        osd,
                        None,
                        "peering queue never drains".into(),
                    );
                    return;
                }
                let errors = self
                    .procs
                    .get_mut(&osd)
                    .map(|p| p.osd.run_peering_queue(1).1)
                    .unwrap_or_default();
                for e in errors {
                    let pgid = match &e {
                        crate::osd::OsdError::Pg { pgid, .. } => Some(*pgid),
                        _ => None,
                    };
                    self.violation(SimRule::HostError, osd, pgid, e.to_string());
                }
            }
        }
        self.check_drops(osd);
        self.observe(osd, &entered, all);
    }

    /// One output of `osd`, into the world.
    fn output(&mut self, osd: OsdId, out: OsdOutput, entered: &mut BTreeMap<SpgId, Vec<StateId>>) {
        let incarnation = self.procs.get(&osd).map_or(0, |p| p.incarnation);
        match out {
            OsdOutput::Send { to, messages, .. } => {
                for m in messages {
                    let Ok(frame) = crate::msg::encode(&m) else {
                        continue;
                    };
                    let latency = self.latency();
                    let r = self
                        .net
                        .route((osd, to), self.now, latency, true, &mut *self.wire);
                    self.schedule(
                        r.at,
                        Ev::Frame {
                            from: osd,
                            to,
                            generation: r.generation,
                            seq: r.seq,
                            frame,
                        },
                    );
                }
            }
            OsdOutput::ShareMap { to, maps } => {
                let batch = match maps.full {
                    Some(full) => OsdMaps::full((*full).clone()),
                    None => OsdMaps::incrementals(maps.incrementals),
                };
                let latency = self.latency();
                let r = self
                    .net
                    .route((osd, to), self.now, latency, false, &mut *self.wire);
                self.schedule(
                    r.at,
                    Ev::PeerMaps {
                        from: osd,
                        to,
                        generation: r.generation,
                        maps: batch,
                    },
                );
            }
            OsdOutput::Persist {
                txn,
                pgid,
                transaction,
            } => {
                let slow = self.slow_disks.get(&osd).copied().unwrap_or(0);
                let delay = self.rng.random_range(100_000..2_000_000) + slow;
                let Some(p) = self.procs.get_mut(&osd) else {
                    return;
                };
                // The disk commits in order.
                let at = self
                    .now
                    .saturating_add(delay)
                    .max(p.disk_busy_until.saturating_add(1));
                p.disk_busy_until = at;
                self.disk_pending += 1;
                self.schedule(
                    at,
                    Ev::Commit {
                        osd,
                        incarnation,
                        txn,
                        pgid,
                        transaction,
                    },
                );
            }
            OsdOutput::Mon(m) => {
                let at = self.now.saturating_add(self.latency());
                self.schedule(at, Ev::ToMon { from: osd, msg: m });
            }
            OsdOutput::Timer { pgid, timer } => {
                let at = self.now.saturating_add(timer.delay.0.max(0));
                self.schedule(
                    at,
                    Ev::Timer {
                        osd,
                        incarnation,
                        pgid,
                        evt: timer.event,
                    },
                );
            }
            OsdOutput::Recovery {
                pgid,
                report:
                    crate::osd::RecoveryReport::Wrote {
                        oid,
                        version,
                        delete,
                    },
            } => {
                if let Err(e) = self.store.write_object(osd, pgid, &oid, version, delete) {
                    self.violation(SimRule::HostError, osd, Some(pgid), format!("store: {e}"));
                }
            }
            OsdOutput::DeleteMore {
                pgid,
                epoch,
                after,
                max,
            } => {
                let max = usize::try_from(max).unwrap_or(usize::MAX);
                let objects = match self.store.list_objects(osd, pgid, after.as_ref(), max) {
                    Ok(objects) => objects.into_iter().map(|(o, _)| o).collect(),
                    Err(e) => {
                        self.violation(SimRule::HostError, osd, Some(pgid), format!("store: {e}"));
                        Vec::new()
                    }
                };
                if let Some(p) = self.procs.get_mut(&osd) {
                    p.osd.delete_some(pgid, epoch, objects);
                }
            }
            OsdOutput::MarkDown { osd: peer, up_from } => {
                // Only the down instance's connection closes (Ceph marks down
                // its addresses); a newer instance's stays.
                let same = self
                    .procs
                    .get(&peer)
                    .is_some_and(|p| p.up_from == Some(up_from));
                if same {
                    self.reset_conn(osd, peer);
                }
            }
            OsdOutput::Rebind => {
                let n = i32::try_from(self.cfg.osds).unwrap_or(0);
                for peer in (0..n).map(OsdId).filter(|p| *p != osd) {
                    self.reset_conn(osd, peer);
                }
            }
            OsdOutput::Notification {
                pgid,
                note: peering_core::ctx::HostNotification::Deleted,
            } => {
                // The store removes the PG with the deletion's last
                // transaction (`RemovePg`); the instance's life ended here.
                self.checker.instance_deleted(osd, pgid);
            }
            OsdOutput::ClientAck { oid, version, .. } => {
                self.report.writes.1 += 1;
                self.record("ack", osd, osd, version.version);
                let v = self.acked.entry(oid).or_default();
                *v = (*v).max(version);
            }
            OsdOutput::Entered { pgid, epoch, state } => {
                self.transcript.record(super::transcript::Rec {
                    pg: Some(pgid.pgid),
                    ..super::transcript::Rec::osds(
                        self.now,
                        state.name(),
                        osd.0,
                        i32::try_from(pgid.pgid.seed).unwrap_or(i32::MAX),
                        u64::from(epoch),
                    )
                });
                entered.entry(pgid).or_default().push(state);
            }
            OsdOutput::Merged { source, .. } => {
                // The source's life ended in its target; a copy split off
                // later starts afresh.
                self.checker.instance_deleted(osd, source);
                self.report.merges += 1;
                self.record("merged", osd, osd, u64::from(source.pgid.seed));
            }
            _ => {}
        }
    }

    /// The messenger's contract: no OSD may see a frame out of order or twice.
    fn check_drops(&mut self, osd: OsdId) {
        let drops = self
            .procs
            .get_mut(&osd)
            .map(|p| p.osd.drain_drops())
            .unwrap_or_default();
        for d in drops {
            if matches!(
                d,
                DropReason::OutOfOrderSeq { .. } | DropReason::DuplicateSeq { .. }
            ) {
                self.violation(SimRule::TransportOrder, osd, None, format!("{d:?}"));
            }
        }
    }

    /// The safety checker on `osd`'s instances that entered a state (all of
    /// them after a map).
    fn observe(&mut self, osd: OsdId, entered: &BTreeMap<SpgId, Vec<StateId>>, all: bool) {
        let Some(p) = self.procs.get(&osd) else {
            return;
        };
        let pgids: Vec<SpgId> = if all {
            p.osd.pgs().map(|(s, _)| s).collect()
        } else {
            entered.keys().copied().collect()
        };
        for spg in pgids {
            let Some(p) = self.procs.get(&osd) else {
                return;
            };
            let Some(pg) = p.osd.pg(spg) else {
                continue;
            };
            // Judged against the monitor's map of the epoch, not the OSD's
            // copy of it (which a lying wire may have changed).
            let Some(map) = self.truth.get(&pg.epoch()).cloned() else {
                continue;
            };
            let primary_osd = pg.primary().osd;
            let primary = (primary_osd != osd)
                .then(|| self.procs.get(&primary_osd).and_then(|o| o.osd.pg(spg)))
                .flatten();
            let states = entered.get(&spg).map_or(&[][..], Vec::as_slice);
            self.checker.observe(osd, pg, states, &*map, primary);
        }
        if let Some(v) = self.checker.violations().first().cloned() {
            self.violation(SimRule::Safety(v.rule), v.osd, Some(v.pgid), v.detail);
        }
    }

    /// Records a violation (the run stops after this step).
    pub(super) fn violation(
        &mut self,
        rule: SimRule,
        osd: OsdId,
        pgid: Option<SpgId>,
        detail: String,
    ) {
        if !self.report.violations.is_empty() {
            return;
        }
        let queries = pgid.map_or_else(Vec::new, |spg| {
            self.procs
                .iter()
                .filter_map(|(o, p)| {
                    let pg = p.osd.pg(spg)?;
                    Some((*o, instance_query(pg)))
                })
                .collect()
        });
        self.report.violations.push(SimViolation {
            seed: self.cfg.seed,
            step: self.report.events,
            time: self.now,
            rule,
            osd,
            pgid,
            detail,
            last_lines: self.transcript.last_lines(),
            queries,
        });
    }

    /// Heartbeats, once a second: each running OSD that is up watches its
    /// ring neighbours; one unreachable for `osd_heartbeat_grace` is reported
    /// (`MOSDFailure` with `failed_for`), one heard again is withdrawn.
    pub(super) fn heartbeats(&mut self) {
        let n = i32::try_from(self.cfg.osds).unwrap_or(i32::MAX);
        let grace = self.mon.config().heartbeat_grace.0;
        let reporters: Vec<OsdId> = self
            .procs
            .keys()
            .copied()
            .filter(|o| self.mon.map().is_up(*o))
            .collect();
        let running: BTreeSet<OsdId> = self.procs.keys().copied().collect();
        for a in reporters {
            for k in 1..=HEARTBEAT_PEERS.min(n - 1) {
                let b = OsdId((a.0 + k).rem_euclid(n));
                if !self.mon.map().is_up(b) {
                    self.hb_failed.remove(&(a, b));
                    continue;
                }
                let ok = running.contains(&b) && self.net.reachable(a, b);
                if ok {
                    if self.hb_failed.remove(&(a, b)).is_some() {
                        self.mon.cancel_failure(b, a);
                    }
                    continue;
                }
                let since = *self.hb_failed.entry((a, b)).or_insert(self.now);
                if self.now.saturating_sub(since) >= grace {
                    self.mon
                        .report_failure(b, a, peering_core::types::Timespan(since));
                }
            }
        }
    }
}

/// An instance as a person debugging a run wants it: its `pg query`, its
/// missing set and (on a primary) its `MissingLoc`.
pub(super) fn instance_query(pg: &peering_core::machine::Pg) -> String {
    format!(
        "{:#?}\nmissing: {:?}\nmissing_loc: {:?}",
        pg.status(),
        pg.pg_log().missing(),
        pg.missing_loc()
    )
}
