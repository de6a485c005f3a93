//! Driving the cluster: rounds until quiet with the monitor's grants, maps
//! published, OSD processes stopped and started, timers fired.

use crate::store::Store;
use peering_core::types::{Epoch, OsdId, Timespan};

use super::OsdHarness;
use crate::harness::{Entry, HarnessError};
use crate::osd::local::MonPolicy;
use crate::osdmap::{Incremental, OsdMap};

impl<S: Store> OsdHarness<S> {
    /// Starts every OSD process that should run, once: each reads every map
    /// published so far, loads its PGs from the store (`load_pgs`) and boots.
    pub(super) fn ensure_started(&mut self) -> Result<(), HarnessError> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let ids: Vec<OsdId> = self.running.iter().copied().collect();
        for o in ids {
            self.start_process(o);
        }
        Ok(())
    }

    /// The OSD process starts: every map, `load_pgs`, `start_boot`.
    fn start_process(&mut self, osd: OsdId) {
        let mut cfg = (self.osd_config)(osd.0);
        cfg.report_states = true;
        cfg.peering = self.config;
        self.cluster.start(cfg);
        // Its monotonic clock starts now.
        self.started_at.insert(osd, self.now);
        self.apply_knobs(osd);
        self.transcript.push(Entry::OsdStarted { osd });
    }

    /// Runs the cluster until nothing moves: rounds (every OSD's peering
    /// queue once, outputs moved, the network delivered), then, as the
    /// [`crate::harness::Policy`] says, the monitor's grants in a new map and the
    /// timers, until nothing is left to do. Returns the rounds run.
    pub fn run(&mut self) -> Result<usize, HarnessError> {
        self.ensure_started()?;
        let mut rounds = 0;
        loop {
            if self.round() {
                rounds += 1;
                if rounds >= self.policy.max_steps {
                    return Err(HarnessError::NoQuiescence(rounds));
                }
                continue;
            }
            if self.grant()? {
                continue;
            }
            if self.policy.fire_timers && self.timers().next().is_some() {
                self.fire_timers();
                continue;
            }
            return Ok(rounds);
        }
    }

    /// One round (see [`OsdHarness::run`]); true when anything moved.
    pub fn step(&mut self) -> bool {
        if self.ensure_started().is_err() {
            return false;
        }
        self.round()
    }

    /// One round; true when anything moved.
    pub(super) fn round(&mut self) -> bool {
        self.cluster.hold_commits = self.policy.hold_commits;
        let (moved, errors) = self.cluster.round();
        self.absorb();
        for (osd, error) in errors {
            self.report(osd, error);
        }
        moved
    }

    /// The monitor grants the pending boot, up_thru and pg_temp requests the
    /// policy lets it grant, in one new map; false when there was none.
    pub fn grant(&mut self) -> Result<bool, HarnessError> {
        self.cluster.mon_policy = MonPolicy {
            boot: true,
            up_thru: self.policy.grant_up_thru,
            pg_temp: self.policy.grant_pg_temp,
            merge: true,
        };
        let before = self.epoch();
        if !self.cluster.grant() {
            return Ok(false);
        }
        self.record_map(before)?;
        Ok(true)
    }

    /// The monitor answers now, in one new map: boots, and pending up_thru
    /// (`up_thru`) and/or pg_temp (`pg_temp`) requests, whatever the policy
    /// says. Nothing is published when there is nothing to grant.
    pub fn grant_mon_requests(&mut self, up_thru: bool, pg_temp: bool) -> Result<(), HarnessError> {
        let kept = (self.policy.grant_up_thru, self.policy.grant_pg_temp);
        self.policy.grant_up_thru = up_thru;
        self.policy.grant_pg_temp = pg_temp;
        let granted = self.grant();
        (self.policy.grant_up_thru, self.policy.grant_pg_temp) = kept;
        granted.map(|_| ())
    }

    /// The monitor publishes the next map, built by `change`, described by
    /// `what` in the transcript; the running OSDs receive it (their PGs
    /// advance on the next [`OsdHarness::run`]).
    pub fn publish(
        &mut self,
        what: &str,
        change: impl FnOnce(&mut Incremental),
    ) -> Result<Epoch, HarnessError> {
        let e = if self.started {
            self.cluster.publish(change).map_err(HarnessError::Map)?
        } else {
            let mut inc = Incremental::new(self.epoch().saturating_add(1));
            change(&mut inc);
            self.prelude.push(inc);
            self.rebuild()?;
            self.epoch()
        };
        self.transcript.push(Entry::Map {
            epoch: e,
            what: what.to_string(),
        });
        Ok(e)
    }

    /// Before the OSDs start: the monitor again, from the prelude's maps
    /// (the store and the preference lists are kept).
    pub(super) fn rebuild(&mut self) -> Result<(), HarnessError> {
        let (first, rest) = self.prelude.split_first().ok_or(HarnessError::NoMap(1))?;
        let map = OsdMap::new()
            .with_incremental(first)
            .map_err(HarnessError::Map)?;
        let placements = self.placements();
        let cluster = &mut self.cluster;
        cluster.reset_monitor(map);
        cluster.record_outputs(true);
        for (pgid, prefs) in placements {
            cluster.set_preference(pgid, &prefs);
        }
        for inc in rest {
            cluster
                .publish(|i| *i = inc.clone())
                .map_err(HarnessError::Map)?;
        }
        Ok(())
    }

    /// Records the maps published after `before` by a grant.
    fn record_map(&mut self, before: Epoch) -> Result<(), HarnessError> {
        let newest = self.epoch();
        for e in before.saturating_add(1)..=newest {
            let inc = self.cluster.incremental(e).ok_or(HarnessError::NoMap(e))?;
            let what = describe(inc);
            self.transcript.push(Entry::Map { epoch: e, what });
        }
        Ok(())
    }

    /// Stops `osd`'s process: its PGs leave memory (what they persisted
    /// stays in the store), its sessions and queued frames are gone.
    pub fn stop_osd(&mut self, osd: i32) {
        let id = OsdId(osd);
        if let Some(o) = self.cluster.osd(osd) {
            for (spg, _) in o.pgs() {
                self.checker.forget_instance(id, spg);
            }
        }
        self.cluster.stop(osd);
        self.running.remove(&id);
        self.timers.retain(|(o, _, _, _)| *o != id);
        self.started_at.remove(&id);
        self.transcript.push(Entry::OsdStopped { osd: id });
    }

    /// Starts `osd`'s process: it reads every map, loads its PGs from the
    /// store and advances them (a `Stray` where the map still says it is
    /// down: `Reset` ⇒ `Start` → `Stray`), then asks the monitor to boot it.
    pub fn start_osd(&mut self, osd: i32) -> Result<(), HarnessError> {
        self.running.insert(OsdId(osd));
        if !self.started {
            return self.ensure_started();
        }
        self.start_process(OsdId(osd));
        Ok(())
    }

    /// The OSD fails: its process stops and the monitor marks it down.
    pub fn osd_down(&mut self, osd: i32) -> Result<Epoch, HarnessError> {
        self.osds_down(&[osd])
    }

    /// Several OSDs fail at once: their processes stop and one map marks them
    /// all down and dead. A stopped process refuses connections, which makes
    /// Ceph's monitor fail it at once and record it dead (`force_failure`,
    /// `dead_epoch`): nobody waits for its read leases. To model an OSD that
    /// is cut off but may still be serving, [`OsdHarness::partition`] it and
    /// [`OsdHarness::publish`] a map marking it down.
    pub fn osds_down(&mut self, osds: &[i32]) -> Result<Epoch, HarnessError> {
        self.ensure_started()?;
        for &o in osds {
            self.stop_osd(o);
        }
        let names: Vec<String> = osds.iter().map(|o| format!("osd.{o}")).collect();
        self.publish(&format!("{} down", names.join(", ")), |inc| {
            for &o in osds {
                inc.mark_down_dead(o);
            }
        })
    }

    /// The OSD comes back: its process starts and loads its PGs, which run
    /// `Reset` ⇒ `Start` → `Stray` on the maps where it is still down (the
    /// cluster runs without the monitor's grants until quiet); then the
    /// monitor grants its `MOSDBoot` in a new map. Returns that epoch.
    pub fn osd_up(&mut self, osd: i32) -> Result<Epoch, HarnessError> {
        self.ensure_started()?;
        if !self.is_running(osd) {
            self.start_osd(osd)?;
        }
        let mut rounds = 0;
        while self.round() {
            rounds += 1;
            if rounds >= self.policy.max_steps {
                return Err(HarnessError::NoQuiescence(rounds));
            }
        }
        self.grant_mon_requests(false, false)?;
        Ok(self.epoch())
    }

    /// Cuts the network between the OSDs of `a` and those of `b`
    /// ([`LocalCluster::partition`](crate::osd::local::LocalCluster::partition)):
    /// frames between them wait until [`OsdHarness::heal`]. The monitor is
    /// not told: mark a side down with a map to model its heartbeats.
    pub fn partition(&mut self, a: &[i32], b: &[i32]) {
        self.cluster.partition(a, b);
    }

    /// Reconnects every cut pair; returns how many frames and maps waited.
    pub fn heal(&mut self) -> usize {
        self.cluster.heal()
    }

    /// How many transactions are written and not reported durable (under
    /// [`crate::harness::Policy::hold_commits`]).
    pub fn held_commits(&self) -> usize {
        self.cluster.held_commits()
    }

    /// Reports every held transaction durable: the work waiting on it runs.
    pub fn release_commits(&mut self) {
        self.cluster.release_commits();
    }

    /// Fires every scheduled timer but the read lease's, whatever its delay:
    /// its event goes to its OSD's peering queue (it carries its scheduling
    /// epoch, so a PG that reset since drops it). Lease timers wait for
    /// [`OsdHarness::advance_clock`].
    pub fn fire_timers(&mut self) {
        let (clock, now): (Vec<_>, Vec<_>) = std::mem::take(&mut self.timers)
            .into_iter()
            .partition(|(_, _, t, _)| super::is_clock_timer(t));
        self.timers = clock;
        for (osd, spg, t, _) in now {
            if let Some(o) = self.cluster.osds.get_mut(&osd) {
                o.enqueue_peering_evt(spg, t.event);
            }
        }
    }

    /// Moves the harness's clock `by` forward: every timer due by then fires
    /// at its time, in order (the clock stands at each one's due time, the
    /// OSDs' monotonic clocks with it, and the cluster runs until quiet before
    /// the next), then the clock stops at the end. Renewals re-arm within the
    /// span and fire too. Returns the timers fired.
    pub fn advance_clock(&mut self, by: Timespan) -> Result<usize, HarnessError> {
        self.ensure_started()?;
        let end = self.now.saturating_add(by.max(Timespan::ZERO));
        let mut fired = 0;
        loop {
            let next = self
                .timers
                .iter()
                .map(|(_, _, _, due)| *due)
                .filter(|due| *due <= end)
                .min();
            let Some(due) = next else {
                break;
            };
            self.set_clock(due.max(self.now));
            let (ready, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.timers)
                .into_iter()
                .partition(|(_, _, _, d)| *d <= due);
            self.timers = later;
            for (osd, spg, t, _) in ready {
                if let Some(o) = self.cluster.osds.get_mut(&osd) {
                    o.enqueue_peering_evt(spg, t.event);
                    fired += 1;
                }
            }
            self.run()?;
        }
        self.set_clock(end);
        self.run()?;
        Ok(fired)
    }

    /// Sets the harness's clock and every running OSD's `get_mnow()` (the
    /// time since its process started).
    fn set_clock(&mut self, now: Timespan) {
        self.now = now;
        for (osd, started) in &self.started_at {
            if let Some(o) = self.cluster.osds.get_mut(osd) {
                o.set_mnow(now.saturating_sub(*started));
            }
        }
    }
}

/// One line for what an incremental changed (the transcript's map entries).
fn describe(inc: &Incremental) -> String {
    let mut what: Vec<String> = inc
        .new_up_client
        .iter()
        .map(|o| format!("{o} up"))
        .collect();
    what.extend(
        inc.new_up_thru
            .iter()
            .map(|(o, e)| format!("{o} up_thru {e}")),
    );
    what.extend(
        inc.new_pg_temp
            .iter()
            .map(|(p, w)| format!("pg_temp {p} = {w:?}")),
    );
    what.extend(
        inc.new_xinfo
            .iter()
            .map(|(o, x)| format!("{o} dead since {}", x.dead_epoch)),
    );
    for (id, pool) in &inc.new_pools {
        match inc.new_merge_meta.get(id) {
            Some(meta) => what.push(format!(
                "pool {id} pg_num {} (1.{:x} merges into 1.{:x})",
                pool.pg_num,
                meta.source_pgid.seed,
                meta.source_pgid.parent().seed
            )),
            // A merge backed off.
            None if pool.pg_num_pending == pool.pg_num => {
                what.push(format!("pool {id} pg_num_pending {}", pool.pg_num_pending));
            }
            None => {}
        }
    }
    what.join(", ")
}
