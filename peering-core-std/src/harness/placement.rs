//! [`Placement`]: the scripted harness's stand-in for CRUSH and pg_temp: each PG has an ordered preference list of OSDs; its up set is the first
//! `size` of them that are up, its acting set the pg_temp if one is set, else up.

use std::collections::BTreeMap;

use peering_core::intervals::UpActing;
use peering_core::map::{OsdMapView, SimpleOsdMap};
use peering_core::types::{OsdId, PgId};

/// Per-PG preference lists and pg_temp entries (replicated pools).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Placement {
    crush: BTreeMap<PgId, Vec<i32>>,
    pg_temp: BTreeMap<PgId, Vec<i32>>,
}

impl Placement {
    /// Sets `pgid`'s preference list (what CRUSH would answer, in order).
    pub fn set_crush(&mut self, pgid: PgId, osds: &[i32]) {
        self.crush.insert(pgid, osds.to_vec());
    }

    /// Sets (or, with an empty list, clears) `pgid`'s pg_temp.
    pub fn set_pg_temp(&mut self, pgid: PgId, osds: &[i32]) {
        if osds.is_empty() {
            self.pg_temp.remove(&pgid);
        } else {
            self.pg_temp.insert(pgid, osds.to_vec());
        }
    }

    /// `pgid`'s pg_temp, if one is set.
    pub fn pg_temp(&self, pgid: PgId) -> Option<&[i32]> {
        self.pg_temp.get(&pgid).map(Vec::as_slice)
    }

    /// The PGs placed, in order (`pg_t` order).
    pub fn pgs(&self) -> impl Iterator<Item = PgId> + '_ {
        self.crush.keys().copied()
    }

    /// The preference list of `pgid`.
    pub fn crush(&self, pgid: PgId) -> &[i32] {
        self.crush.get(&pgid).map_or(&[], Vec::as_slice)
    }

    /// `pg_to_up_acting_osds` for `pgid` in `map`: up is the first `size` up OSDs of
    /// the preference list; acting is the pg_temp minus down OSDs, or up when that
    /// is empty; each primary is its set's first member (-1 when empty).
    pub fn mapping(&self, pgid: PgId, map: &SimpleOsdMap) -> UpActing {
        let size = map.pool(pgid.pool).map_or(0, |p| p.size as usize);
        let is_up = |o: &&i32| map.is_up(OsdId(**o));
        let up: Vec<i32> = self
            .crush(pgid)
            .iter()
            .filter(is_up)
            .take(size)
            .copied()
            .collect();
        let temp: Vec<i32> = self
            .pg_temp
            .get(&pgid)
            .map(|t| t.iter().filter(is_up).copied().collect())
            .unwrap_or_default();
        let acting = if temp.is_empty() { up.clone() } else { temp };
        let first = |v: &[i32]| v.first().copied().unwrap_or(-1);
        UpActing::new(&up, first(&up), &acting, first(&acting))
    }
}
