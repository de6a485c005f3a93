//! Placement and scenario disk state: preference lists kept as `pg_upmap`,
//! PGs created or loaded into the store for the OSDs' own `load_pgs`.

use crate::osd::OsdError;
use crate::store::{Store, StoreError, seed_transaction};
use peering_core::ctx::RecoveryCtx;
use peering_core::intervals::PastIntervals;
use peering_core::machine::{Pg, PgCreate, PgLoad};
use peering_core::map::OsdMapView;
use peering_core::types::{
    EVersion, ObjectId, OsdId, PgHistory, PgId, PgShard, ShardId, SpgId, UTime,
};

use super::OsdHarness;
use crate::harness::HarnessError;
use crate::osd::local::preferred_upmap;

impl<S: Store> OsdHarness<S> {
    /// Places `pgid` on the preference list `prefs` (CRUSH's ordered answer):
    /// its up set is the first `size` OSDs of the list that are up, kept as a
    /// `pg_upmap` entry. Before the OSDs start this is part of the newest map
    /// (a scenario's starting point); after, it takes effect with the next map
    /// published.
    pub fn place(&mut self, pgid: PgId, prefs: &[i32]) -> Result<(), HarnessError> {
        self.cluster.set_preference(pgid, prefs);
        if self.started {
            return Ok(());
        }
        let up = preferred_upmap(self.map(), pgid, prefs);
        if let (Some(up), Some(last)) = (up, self.prelude.last_mut()) {
            last.new_pg_upmap.insert(pgid, up);
        }
        self.rebuild()
    }

    /// Creates `pgid` on every running OSD of its preference list, with a
    /// fresh history at the newest epoch (a monitor-created PG whose copies
    /// are on disk, strays included). On an erasure-coded pool each OSD of
    /// the up set gets the shard of its position, and the others none.
    pub fn create_everywhere(&mut self, pgid: PgId) -> Result<(), HarnessError> {
        let history = PgHistory::new(self.epoch(), UTime::default());
        if self.is_erasure(pgid) {
            let up = self.mapping(pgid).up;
            for (shard, o) in up.iter().enumerate() {
                if *o != OsdId::NONE && self.is_running(o.0) {
                    let shard = ShardId(shard as i8);
                    self.create_shard(
                        o.0,
                        SpgId::new(pgid, shard),
                        history.clone(),
                        PastIntervals::default(),
                    )?;
                }
            }
            return Ok(());
        }
        let osds: Vec<i32> = self
            .cluster
            .preference(pgid)
            .map(<[i32]>::to_vec)
            .unwrap_or_default();
        for o in osds {
            if self.is_running(o) {
                self.create(o, pgid, history.clone(), PastIntervals::default())?;
            }
        }
        Ok(())
    }

    /// `Pg::create` of `osd`'s instance of `pgid` at the newest epoch, with
    /// the given history and past intervals, written to `osd`'s store (what
    /// `init` persists); an OSD already running restarts to load it.
    pub fn create(
        &mut self,
        osd: i32,
        pgid: PgId,
        history: PgHistory,
        past_intervals: PastIntervals,
    ) -> Result<(), HarnessError> {
        self.create_shard(osd, SpgId::replicated(pgid), history, past_intervals)
    }

    /// [`OsdHarness::create`] of one shard `spg` (an erasure-coded pool's
    /// instance `(osd, spg.shard)`).
    pub fn create_shard(
        &mut self,
        osd: i32,
        spg: SpgId,
        history: PgHistory,
        past_intervals: PastIntervals,
    ) -> Result<(), HarnessError> {
        let args = PgCreate {
            whoami: PgShard::new(OsdId(osd), spg.shard),
            pgid: spg,
            mapping: self.mapping(spg.pgid),
            history,
            past_intervals,
            config: self.config,
        };
        let mut ctx = RecoveryCtx::new();
        Pg::create(args, self.map(), &mut ctx).map_err(HarnessError::peering(OsdId(osd), spg))?;
        let (transaction, _) = ctx.take_persist().into_parts();
        self.cluster
            .store
            .apply_transaction(OsdId(osd), spg, &transaction)
            .map_err(store_error(osd))?;
        self.reload(osd)
    }

    /// True when `pgid`'s pool is erasure-coded.
    pub fn is_erasure(&self, pgid: PgId) -> bool {
        self.map().pool(pgid.pool).is_some_and(|p| p.is_erasure())
    }

    /// Seeds `osd`'s store with the PG `load` at the newest epoch (a
    /// scenario's starting disk state); an OSD already running restarts to
    /// load it.
    pub fn load(&mut self, osd: i32, load: PgLoad) -> Result<(), HarnessError> {
        let epoch = self.epoch();
        self.cluster
            .store
            .apply_transaction(OsdId(osd), load.info.pgid, &seed_transaction(&load, epoch))
            .map_err(store_error(osd))?;
        self.reload(osd)
    }

    /// Adds `oid` to `osd`'s stored collection of `pgid`, at the version of
    /// its newest stored log entry, or at the log tail when its entries were
    /// trimmed (or there are none).
    pub fn seed_object(
        &mut self,
        osd: i32,
        pgid: SpgId,
        oid: &ObjectId,
    ) -> Result<(), HarnessError> {
        let id = OsdId(osd);
        let store = &mut self.cluster.store;
        let meta = store.read_pg(id, pgid).map_err(store_error(osd))?;
        let version = meta.map_or(EVersion::ZERO, |m| {
            m.log
                .entries
                .iter()
                .rev()
                .find(|e| e.soid == *oid)
                .map_or(m.info.log_tail, |e| e.version)
        });
        store
            .write_object(id, pgid, oid, version, false)
            .map_err(store_error(osd))
    }

    /// A started OSD's process restarts to read its store again.
    fn reload(&mut self, osd: i32) -> Result<(), HarnessError> {
        if self.started && self.is_running(osd) {
            self.stop_osd(osd);
            self.start_osd(osd)?;
        }
        Ok(())
    }
}

/// Wraps a store error of `osd` (the OSD's own error: its store failed).
fn store_error(osd: i32) -> impl Fn(StoreError) -> HarnessError {
    move |e| HarnessError::Osd {
        osd: OsdId(osd),
        error: OsdError::Store(e),
    }
}
