//! The end-of-run checks: is the cluster clean, which PGs are stuck, and is
//! every acknowledged write where it must be.

use peering_core::map::OsdMapView;
use peering_core::types::{PgId, PgState, SpgId};

use super::{POOL, Sim, SimRule, StuckPg};

impl<S: crate::store::Store> Sim<S> {
    /// PG `pgid` is active+clean: its acting primary (in the monitor's map)
    /// runs an instance at the monitor's epoch that is active and clean, and
    /// every acting member runs an instance with the primary's last update.
    pub(super) fn pg_is_clean(&self, pgid: PgId) -> bool {
        let map = self.mon.map();
        let m = map.pg_to_up_acting_osds(pgid);
        let Some(primary) = map
            .primary_shard(pgid)
            .and_then(|spg| self.procs.get(&m.acting_primary)?.osd.pg(spg))
        else {
            return false;
        };
        let bits = primary.state_bits();
        if primary.epoch() != map.epoch()
            || !bits.contains(PgState::ACTIVE)
            || !bits.contains(PgState::CLEAN)
        {
            return false;
        }
        let head = primary.info().last_update;
        // An EC hole is a missing shard: not clean (the primary says
        // degraded too).
        let members = map.acting_instances(pgid);
        members.len() == m.acting.len()
            && members.iter().all(|(o, spg)| {
                self.procs
                    .get(o)
                    .and_then(|p| p.osd.pg(*spg))
                    .is_some_and(|pg| pg.info().last_update == head && pg.epoch() == map.epoch())
            })
    }

    /// Every PG of the pool is clean, the monitor has nothing left to do,
    /// and every OSD is up on the newest map.
    pub(super) fn is_clean(&self) -> bool {
        self.cluster_waits().is_empty() && self.stuck_pgs_any()
    }

    /// Whether every PG is clean (no query built).
    fn stuck_pgs_any(&self) -> bool {
        let Some(pool) = self.mon.map().pg_pool(POOL) else {
            return false;
        };
        (0..pool.pg_num).all(|s| self.pg_is_clean(PgId::new(POOL, s)))
    }

    /// What keeps the cluster from being clean, PGs aside.
    pub(super) fn cluster_waits(&self) -> Vec<String> {
        let map = self.mon.map();
        let mut waits = Vec::new();
        match map.pg_pool(POOL) {
            Some(p) if p.pg_num_pending != p.pg_num => {
                waits.push(format!("pg {}.{} merging", POOL, p.pg_num_pending));
            }
            Some(p) if self.mon.pg_num_target(POOL).is_some_and(|t| t != p.pg_num) => {
                waits.push(format!("pg_num {} walking to its target", p.pg_num));
            }
            Some(p) if p.pgp_num != p.pg_num => {
                waits.push(format!("pgp_num {} walking to {}", p.pgp_num, p.pg_num));
            }
            Some(_) => {}
            None => waits.push("no pool".to_string()),
        }
        if self.disk_pending > 0 {
            waits.push(format!(
                "{} transactions not yet durable",
                self.disk_pending
            ));
        }
        if self.mon.has_pending() {
            waits.push("monitor has a pending epoch".to_string());
        }
        if let Some((pg, _)) = self.mon.creating_pgs().next() {
            waits.push(format!("monitor still creating {pg}"));
        }
        for o in &self.crashed {
            waits.push(format!("{o} not restarted"));
        }
        for (o, p) in &self.procs {
            if !map.is_up(*o) {
                waits.push(format!("{o} down in the map"));
            } else if p.osd.epoch() != map.epoch() {
                waits.push(format!("{o} at epoch {} of {}", p.osd.epoch(), map.epoch()));
            }
        }
        waits
    }

    /// The PGs that are not clean, with their primaries' states.
    pub(super) fn stuck_pgs(&self) -> Vec<StuckPg> {
        let map = self.mon.map();
        let Some(pool) = map.pg_pool(POOL) else {
            return Vec::new();
        };
        (0..pool.pg_num)
            .map(|s| PgId::new(POOL, s))
            .filter(|pg| !self.pg_is_clean(*pg))
            .map(|pgid| {
                let primary = map.pg_to_up_acting_osds(pgid).acting_primary;
                let spg = map
                    .primary_shard(pgid)
                    .unwrap_or_else(|| SpgId::replicated(pgid));
                let pg = self.procs.get(&primary).and_then(|p| p.osd.pg(spg));
                StuckPg {
                    pgid: spg,
                    primary,
                    state: pg.map_or_else(|| "-".to_string(), |p| p.state_name().to_string()),
                    epochs: (pg.map_or(0, |p| p.epoch()), map.epoch()),
                    query: pg.map_or_else(String::new, super::drive::instance_query),
                }
            })
            .collect()
    }

    /// No acknowledged write is lost: for every object, its newest
    /// acknowledged version reads back from the store of every acting member
    /// of the PG the object maps to now: the object is there at that version
    /// or a newer one, the stored log holds the write (or its tail is past
    /// it: the write path trims logs, and a trimmed write must still be in
    /// the object layer), and the stored missing set does not list the
    /// object.
    pub(super) fn check_acked_writes(&mut self) {
        let map = self.mon.map().clone();
        let Some(pool) = map.pg_pool(POOL) else {
            return;
        };
        let mut lost = None;
        'objects: for (oid, v) in &self.acked {
            let pgid = PgId::new(POOL, oid.hash).raw_to_pg(pool.pg_num);
            for (o, spg) in map.acting_instances(pgid) {
                let stored = match self.store.read_pg(o, spg) {
                    Ok(Some(m)) => m,
                    Ok(None) => {
                        lost = Some((o, spg, format!("{oid:?} acked at {v}: {o} stored no PG")));
                        break 'objects;
                    }
                    Err(e) => {
                        lost = Some((o, spg, format!("{oid:?} acked at {v}: {e}")));
                        break 'objects;
                    }
                };
                let logged = stored
                    .log
                    .entries
                    .iter()
                    .any(|e| e.soid == *oid && e.version == *v)
                    || (*v <= stored.log.tail && stored.info.last_update >= *v);
                let object = self.store.object_version(o, spg, oid).ok().flatten();
                if !logged || stored.missing.is_missing(oid) || object.is_none_or(|ov| ov < *v) {
                    let detail = format!(
                        "{oid:?} acked at {v} does not read back from {o}'s store \
                         (logged {logged}, missing {}, object at {object:?}, log ({},{}], lu {})",
                        stored.missing.is_missing(oid),
                        stored.log.tail,
                        stored.log.head,
                        stored.info.last_update
                    );
                    lost = Some((o, spg, detail));
                    break 'objects;
                }
            }
        }
        if let Some((osd, spg, detail)) = lost {
            self.violation(SimRule::LostWrite, osd, Some(spg), detail);
        }
    }
}
