//! Per-PG preference lists on a real map: the scripted placement of the
//! harness expressed as `pg_upmap` entries (Ceph's explicit mapping, which
//! replaces CRUSH's answer for one PG, `OSDMap::_apply_upmap`), and the
//! recording of outputs for a host that keeps a transcript.

use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, OsdVec, PgId};

use super::LocalCluster;
use crate::osd::OsdOutput;
use crate::osdmap::{Incremental, OsdMap, OsdMapError};
use crate::store::Store;

/// The `pg_upmap` entry that makes `pgid`'s up set follow the preference list
/// `prefs` in `map` (CRUSH never answers an out OSD, and `_apply_upmap`
/// ignores an entry naming one):
///
/// * replicated pools: the first `size` OSDs of `prefs` that are up and in;
///   `None` when none is (the entry in force then names only down OSDs, which
///   `_raw_to_up_osds` removes, so the up set is empty, as the list says);
/// * erasure-coded pools keep positions, as CRUSH's `indep` rules do: shard
///   `i` goes to `prefs[i]` when it is up and in, else to the first unused
///   spare of `prefs[size..]` that is, else stays on `prefs[i]` while it is
///   in (down: a hole in the up set, `_raw_to_up_osds`), else is a
///   `CRUSH_ITEM_NONE` hole; `None` when every position is a hole.
pub fn preferred_upmap(map: &OsdMap, pgid: PgId, prefs: &[i32]) -> Option<OsdVec> {
    let pool = map.pool(pgid.pool)?;
    let size = pool.size as usize;
    let usable = |o: OsdId| map.is_up(o) && map.is_in(o);
    if pool.can_shift_osds() {
        let up: OsdVec = prefs
            .iter()
            .map(|o| OsdId(*o))
            .filter(|o| usable(*o))
            .take(size)
            .collect();
        return (!up.is_empty()).then_some(up);
    }
    let mut spares = prefs
        .iter()
        .skip(size)
        .map(|o| OsdId(*o))
        .filter(|o| usable(*o));
    let mut raw = OsdVec::new();
    for i in 0..size {
        let first = prefs.get(i).map(|o| OsdId(*o));
        let pick = match first {
            Some(o) if usable(o) => o,
            _ => match spares.next() {
                Some(spare) => spare,
                None => first
                    .filter(|o| map.exists(*o) && map.is_in(*o))
                    .unwrap_or(OsdId::NONE),
            },
        };
        raw.push(pick);
    }
    raw.iter().any(|o| *o != OsdId::NONE).then_some(raw)
}

impl<S: Store> LocalCluster<S> {
    /// Sets `pgid`'s preference list (what CRUSH would answer, in order): from
    /// the next map on, its up set is the first `size` OSDs of the list that
    /// are up, kept as a `pg_upmap` entry the monitor rewrites whenever that
    /// changes. Split children inherit their parent's list.
    pub fn set_preference(&mut self, pgid: PgId, prefs: &[i32]) {
        self.preferences.insert(pgid, prefs.to_vec());
    }

    /// `pgid`'s preference list, if one is set.
    pub fn preference(&self, pgid: PgId) -> Option<&[i32]> {
        self.preferences.get(&pgid).map(Vec::as_slice)
    }

    /// The PGs with a preference list, in order.
    pub fn preferred_pgs(&self) -> impl Iterator<Item = PgId> + '_ {
        self.preferences.keys().copied()
    }

    /// Adds to `inc` the `pg_upmap` entries the preference lists need in the
    /// map it builds (split children first inherit their parent's list).
    pub(super) fn prefer(&mut self, inc: &mut Incremental) -> Result<(), OsdMapError> {
        if self.preferences.is_empty() {
            return Ok(());
        }
        let next = self.mon_map.with_incremental(inc)?;
        let parents: Vec<(PgId, Vec<i32>)> = self
            .preferences
            .iter()
            .map(|(p, l)| (*p, l.clone()))
            .collect();
        for (pgid, prefs) in parents {
            let (Some(old), Some(new)) = (self.mon_map.pool(pgid.pool), next.pool(pgid.pool))
            else {
                continue;
            };
            if new.pg_num > old.pg_num {
                for child in pgid.split_children_iter(old.pg_num, new.pg_num) {
                    self.preferences
                        .entry(child)
                        .or_insert_with(|| prefs.clone());
                }
            }
        }
        for (pgid, prefs) in &self.preferences {
            let Some(want) = preferred_upmap(&next, *pgid, prefs) else {
                continue;
            };
            if next.pg_upmap().get(pgid) != Some(&want) {
                inc.new_pg_upmap.insert(*pgid, want);
            }
        }
        Ok(())
    }

    /// The incremental the monitor published for `epoch`, if it did.
    pub fn incremental(&self, epoch: peering_core::types::Epoch) -> Option<&Incremental> {
        self.incs.get(&epoch)
    }

    /// True when the monitor has boot, up_thru, pg_temp or mark-me-dead
    /// requests it has not granted (whatever [`super::MonPolicy`] says).
    pub fn has_mon_requests(&self) -> bool {
        !self.want_boot.is_empty()
            || !self.want_up_thru.is_empty()
            || !self.want_pg_temp.is_empty()
            || !self.want_dead.is_empty()
    }

    /// The transactions written and not reported durable yet
    /// ([`LocalCluster::hold_commits`]).
    pub fn held_commits(&self) -> usize {
        self.held.len()
    }

    /// Reports every held transaction durable (`on_commit`), in order.
    pub fn release_commits(&mut self) {
        for (id, txn) in std::mem::take(&mut self.held) {
            if let Some(osd) = self.osds.get_mut(&id) {
                osd.on_commit(txn);
            }
        }
    }

    /// The pg_temp requests the monitor has not granted, by PG.
    pub fn pending_pg_temp(&self) -> &std::collections::BTreeMap<PgId, OsdVec> {
        &self.want_pg_temp
    }

    /// The up_thru requests the monitor has not granted, by OSD.
    pub fn pending_up_thru(
        &self,
    ) -> &std::collections::BTreeMap<OsdId, peering_core::types::Epoch> {
        &self.want_up_thru
    }

    /// Keeps (`true`) or stops keeping every output moved off an OSD, for
    /// [`LocalCluster::drain_recorded`].
    pub fn record_outputs(&mut self, on: bool) {
        self.recorded = on.then(Vec::new);
    }

    /// The outputs moved off the OSDs since the last call, in order, each
    /// with its OSD (empty unless [`LocalCluster::record_outputs`] is on).
    pub fn drain_recorded(&mut self) -> Vec<(OsdId, OsdOutput)> {
        self.recorded
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

/// The object layer reads the OSD's stored objects and their versions
/// (`collection_list` of every PG collection at boot).
pub(crate) fn load_objects(
    osd: &mut crate::osd::Osd,
    store: &impl Store,
) -> Result<(), crate::store::StoreError> {
    const BATCH: usize = 1024;
    let me = osd.whoami();
    for spg in store.list_pgs(me)? {
        let mut after: Option<peering_core::types::ObjectId> = None;
        loop {
            let batch = store.list_objects(me, spg, after.as_ref(), BATCH)?;
            for (oid, v) in &batch {
                osd.backend_mut().write_object(spg, oid, *v, false, &[]);
            }
            match batch.into_iter().last() {
                Some((last, _)) => after = Some(last),
                None => break,
            }
        }
    }
    Ok(())
}
