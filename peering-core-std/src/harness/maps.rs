//! Creating and loading PG instances, publishing maps and advancing every running
//! OSD through them, stopping and restarting OSDs.

use std::collections::BTreeMap;

use peering_core::ctx::RecoveryCtx;
use peering_core::intervals::PastIntervals;
use peering_core::machine::{Pg, PgCreate, PgLoad};
use peering_core::map::{OsdMapView, SimpleOsdMap};
use peering_core::types::{Epoch, OsdId, PgHistory, PgId, PgShard, SpgId, UTime};

use super::{Entry, Harness, HarnessError};

impl Harness {
    /// Places `pgid` on the preference list `crush` (CRUSH's ordered answer) and
    /// records its mapping in the newest map.
    pub fn place(&mut self, pgid: PgId, crush: &[i32]) {
        self.placement.set_crush(pgid, crush);
        let m = self.placement.mapping(pgid, self.map());
        self.mappings.insert((self.epoch(), pgid), m);
    }

    /// Creates `pgid` on every running OSD of its preference list, with a fresh
    /// history at the newest epoch (a monitor-created PG).
    pub fn create_everywhere(&mut self, pgid: PgId) -> Result<(), HarnessError> {
        let history = PgHistory::new(self.epoch(), UTime::default());
        let osds: Vec<i32> = self.placement.crush(pgid).to_vec();
        for o in osds {
            if self.is_running(o) {
                self.create(o, pgid, history.clone(), PastIntervals::default())?;
            }
        }
        Ok(())
    }

    /// `Pg::create` of `osd`'s instance of `pgid` at the newest epoch with the given
    /// history and past intervals; its output is routed at once.
    pub fn create(
        &mut self,
        osd: i32,
        pgid: PgId,
        history: PgHistory,
        past_intervals: PastIntervals,
    ) -> Result<(), HarnessError> {
        let spg = SpgId::replicated(pgid);
        let map = self.map().clone();
        let args = PgCreate {
            whoami: PgShard::replica(osd),
            pgid: spg,
            mapping: self.current_mapping(pgid),
            history,
            past_intervals,
            config: self.config,
        };
        let mut ctx = RecoveryCtx::new();
        let pg =
            Pg::create(args, &map, &mut ctx).map_err(HarnessError::peering(OsdId(osd), spg))?;
        self.install(OsdId(osd), pg, ctx);
        Ok(())
    }

    /// Loads a PG instance on `osd` from `load` at the newest epoch, seeding the
    /// store with it first (a scenario's starting disk state), and delivers
    /// its `ActMap` there.
    pub fn load(&mut self, osd: i32, load: PgLoad) -> Result<(), HarnessError> {
        self.store.seed(OsdId(osd), &load, self.epoch());
        let map = self.map().clone();
        let spg = load.info.pgid;
        self.load_instance(OsdId(osd), load, &map)?;
        self.advance_pg(OsdId(osd), spg)
    }

    /// Adds `oid` to `osd`'s stored collection of `pgid` (a scenario's starting
    /// disk state: objects whose log entries were trimmed); nothing when the
    /// PG is not stored there.
    pub fn seed_object(&mut self, osd: i32, pgid: SpgId, oid: &peering_core::types::ObjectId) {
        self.store.put_object(OsdId(osd), pgid, oid);
    }

    /// `Pg::load` at `map`'s epoch; its output is routed at once.
    fn load_instance(
        &mut self,
        osd: OsdId,
        args: PgLoad,
        map: &SimpleOsdMap,
    ) -> Result<(), HarnessError> {
        let spg = args.info.pgid;
        let mut ctx = RecoveryCtx::new();
        let pg = Pg::load(args, map, &mut ctx).map_err(HarnessError::peering(osd, spg))?;
        self.install(osd, pg, ctx);
        Ok(())
    }

    fn install(&mut self, osd: OsdId, pg: Pg, mut ctx: RecoveryCtx) {
        let spg = pg.info().pgid;
        self.osds.entry(osd).or_default().insert(spg, pg);
        self.absorb(osd, spg, &mut ctx);
    }

    fn current_mapping(&self, pgid: PgId) -> peering_core::intervals::UpActing {
        self.placement.mapping(pgid, self.map())
    }

    /// The monitor publishes the next map: the newest one changed by `change`,
    /// described by `what` in the transcript. Every PG's mapping is computed from
    /// the placement, then every running OSD that is up in it advances.
    pub fn publish(
        &mut self,
        what: &str,
        change: impl FnOnce(&mut SimpleOsdMap),
    ) -> Result<Epoch, HarnessError> {
        let mut m = self.map().next();
        change(&mut m);
        let e = m.epoch;
        self.place_split_children(&m);
        let pgids: Vec<PgId> = self.placement.pgs().collect();
        for pgid in pgids {
            let mapping = self.placement.mapping(pgid, &m);
            self.mappings.insert((e, pgid), mapping);
        }
        self.maps.push(m);
        self.transcript.push(Entry::Map {
            epoch: e,
            what: what.to_string(),
        });
        let osds: Vec<OsdId> = self.osds.keys().copied().collect();
        for o in osds {
            if self.map().is_up(o) {
                self.advance_osd(o)?;
            }
        }
        let deferred = std::mem::take(&mut self.deferred);
        self.queue.extend(deferred);
        Ok(e)
    }

    /// A map raising a pool's `pg_num` creates split children: each child
    /// of a placed PG is placed on its parent's preference list (CRUSH maps a
    /// fresh child where its parent is, as long as `pgp_num` is unchanged).
    fn place_split_children(&mut self, next: &SimpleOsdMap) {
        let placed: Vec<PgId> = self.placement.pgs().collect();
        for pgid in placed {
            let (Some(old), Some(new)) = (self.map().pool(pgid.pool), next.pool(pgid.pool)) else {
                continue;
            };
            if new.pg_num <= old.pg_num {
                continue;
            }
            let crush = self.placement.crush(pgid).to_vec();
            for child in pgid.split_children_iter(old.pg_num, new.pg_num) {
                if self.placement.crush(child).is_empty() {
                    self.placement.set_crush(child, &crush);
                }
            }
        }
    }

    /// Advances every PG instance `osd` runs to the newest map.
    fn advance_osd(&mut self, osd: OsdId) -> Result<(), HarnessError> {
        let pgids: Vec<SpgId> = self
            .osds
            .get(&osd)
            .map(|p| p.keys().copied().collect())
            .unwrap_or_default();
        for spg in pgids {
            self.advance_pg_reporting(osd, spg);
        }
        Ok(())
    }

    /// [`advance_pg`](Self::advance_pg), with a failure reported (transcript and
    /// [`Harness::failures`]) instead of returned: one crashed PG does not stop
    /// the maps of every other PG and OSD.
    /// A crashed instance whose failure was reported already is left alone: it
    /// would refuse every later map the same way.
    pub(super) fn advance_pg_reporting(&mut self, osd: OsdId, spg: SpgId) {
        let crashed = self.pg(osd.0, spg).is_some_and(Pg::is_crashed);
        if crashed
            && self
                .failures
                .iter()
                .any(|f| f.instance() == Some((osd, spg)))
        {
            return;
        }
        if let Err(error) = self.advance_pg(osd, spg) {
            self.report_failure(osd, spg, error);
        }
    }

    /// Records that a call into `osd`'s instance of `spg` failed.
    pub(super) fn report_failure(&mut self, osd: OsdId, spg: SpgId, error: HarnessError) {
        self.transcript.push(Entry::Failed {
            osd,
            pgid: spg,
            error: error.clone(),
        });
        self.failures.push(error);
    }

    /// `AdvMap` for every epoch after the instance's, then `ActMap`; split
    /// children created on the way are installed on the same OSD and advanced in
    /// turn.
    pub(super) fn advance_pg(&mut self, osd: OsdId, spg: SpgId) -> Result<(), HarnessError> {
        let newest = self.epoch();
        let mut ctx = std::mem::take(&mut self.ctx);
        let mut children = Vec::new();
        let result = self.advance_into(osd, spg, newest, &mut ctx, &mut children);
        self.absorb(osd, spg, &mut ctx);
        ctx.clear();
        self.ctx = ctx;
        for (child, mut cctx) in children {
            let cspg = child.info().pgid;
            self.transcript.push(Entry::Split {
                osd,
                parent: spg,
                child: cspg,
            });
            self.install(osd, child, std::mem::take(&mut cctx));
            self.advance_pg_reporting(osd, cspg);
        }
        result
    }

    fn advance_into(
        &mut self,
        osd: OsdId,
        spg: SpgId,
        newest: Epoch,
        ctx: &mut RecoveryCtx,
        children: &mut Vec<(Pg, RecoveryCtx)>,
    ) -> Result<(), HarnessError> {
        let err = HarnessError::peering(osd, spg);
        let Some(pg) = self.osds.get_mut(&osd).and_then(|p| p.get_mut(&spg)) else {
            return Err(HarnessError::NoInstance { osd, pgid: spg });
        };
        if pg.epoch() >= newest && !pg.needs_act_map() {
            return Ok(());
        }
        while pg.epoch() < newest {
            let last = pg.epoch();
            let next = last + 1;
            let (Some(lastmap), Some(newmap)) = (self.maps.get(last), self.maps.get(next)) else {
                return Err(HarnessError::NoMap(next));
            };
            let mapping = self
                .mappings
                .get(&(next, spg.pgid))
                .cloned()
                .unwrap_or_else(|| self.placement.mapping(spg.pgid, newmap));
            pg.advance_map(newmap, lastmap, mapping, ctx).map_err(err)?;
            // §5.20 host order: the parent's `AdvMap`, then `split`, then each
            // child's `from_split` at this epoch, before the parent's `ActMap`.
            let old_pg_num = lastmap.pool(spg.pgid.pool).map_or(0, |p| p.pg_num);
            let grew = newmap
                .pool(spg.pgid.pool)
                .is_some_and(|p| p.pg_num > old_pg_num);
            if grew {
                let seeds = pg.split(old_pg_num, newmap, ctx).map_err(err)?;
                for seed in seeds {
                    let child = seed.info.pgid;
                    let cmapping = self
                        .mappings
                        .get(&(next, child.pgid))
                        .cloned()
                        .unwrap_or_else(|| self.placement.mapping(child.pgid, newmap));
                    let mut cctx = RecoveryCtx::new();
                    let c = Pg::from_split(seed, cmapping, newmap, &mut cctx)
                        .map_err(HarnessError::peering(osd, child))?;
                    children.push((c, cctx));
                }
            }
        }
        let Some(map) = self.maps.get(newest) else {
            return Err(HarnessError::NoMap(newest));
        };
        pg.activate_map(map, ctx).map_err(err)
    }

    /// Stops `osd`'s process: its PG instances leave memory (what they persisted
    /// stays in the store) and events queued for it are lost.
    pub fn stop_osd(&mut self, osd: i32) {
        let id = OsdId(osd);
        if let Some(pgs) = self.osds.remove(&id) {
            for spg in pgs.keys() {
                self.checker.forget_instance(id, *spg);
            }
        }
        self.queue.retain(|q| q.to != id);
        self.deferred.retain(|q| q.to != id);
        self.held.retain(|(o, _, _)| *o != id);
        self.timers.retain(|(o, _, _)| *o != id);
        self.want_up_thru.remove(&id);
        self.transcript.push(Entry::OsdStopped { osd: id });
    }

    /// Starts `osd`'s process: every PG instance in its store is loaded at the epoch
    /// it was persisted at (`init_from_disk_state`), then advanced to the
    /// newest map. A PG that cannot be loaded or advanced is reported
    /// ([`Harness::failures`]) and the others start.
    pub fn start_osd(&mut self, osd: i32) -> Result<(), HarnessError> {
        let id = OsdId(osd);
        self.osds.insert(id, BTreeMap::new());
        self.transcript.push(Entry::OsdStarted { osd: id });
        let stored: Vec<SpgId> = self.store.pgs_on(id).collect();
        for spg in stored {
            let epoch = self.store.get(id, spg).map_or(0, |s| s.epoch);
            let (Some(map), Some(mapping)) = (
                self.maps.get(epoch).cloned(),
                self.mappings.get(&(epoch, spg.pgid)).cloned(),
            ) else {
                return Err(HarnessError::NoMap(epoch));
            };
            let Some(args) = self.store.load_args(id, spg, mapping, self.config) else {
                self.report_failure(id, spg, HarnessError::NotStored { osd: id, pgid: spg });
                continue;
            };
            if let Err(e) = self.load_instance(id, args, &map) {
                self.report_failure(id, spg, e);
                continue;
            }
            // Ceph's OSD consumes every map it has while it boots, up or not: a
            // loaded PG leaves `Reset` on the newest map (a `Stray` where the OSD
            // is still down) before the monitor marks the OSD up.
            self.advance_pg_reporting(id, spg);
        }
        Ok(())
    }

    /// The OSD fails: its process stops and the monitor marks it down (A).
    pub fn osd_down(&mut self, osd: i32) -> Result<Epoch, HarnessError> {
        self.osds_down(&[osd])
    }

    /// Several OSDs fail at once: their processes stop and one map marks them all
    /// down (C).
    pub fn osds_down(&mut self, osds: &[i32]) -> Result<Epoch, HarnessError> {
        for &o in osds {
            self.stop_osd(o);
        }
        let names: Vec<String> = osds.iter().map(|o| format!("osd.{o}")).collect();
        self.publish(&format!("{} down", names.join(", ")), |m| {
            for &o in osds {
                m.mark_down(o);
            }
        })
    }

    /// The OSD comes back: its process starts and loads its PGs from its store,
    /// advancing them to the newest map, where it is still down (Ceph's
    /// `load_pgs` then `consume_map` while booting: the PGs run `Reset` ⇒ `Start`
    /// → `Stray`); then the monitor marks it up (`MOSDBoot`) and they peer.
    /// An OSD that runs already (marked down while alive) only boots.
    pub fn osd_up(&mut self, osd: i32) -> Result<Epoch, HarnessError> {
        if !self.is_running(osd) {
            self.start_osd(osd)?;
        }
        self.publish(&format!("osd.{osd} up"), |m| m.mark_up(osd))
    }
}
