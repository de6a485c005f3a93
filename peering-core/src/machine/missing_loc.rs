//! Ceph's `MissingLoc`: every object the acting set
//! still needs, and where a good copy of each is known to be.

use crate::error::Crash;
use alloc::collections::{BTreeMap, BTreeSet};

use crate::error::Invariant;
use crate::error::PeeringError;
use crate::intervals::{IsPgRecoverable, RecoverablePredicate};
use crate::log::{Missing, MissingItem};
use crate::map::OsdMapView;
use crate::types::StateId;
use crate::types::{ObjectId, PgInfo, PgShard};

/// Ceph's `MissingLoc`: `needs_recovery_map` (the union of the acting and
/// backfill shards' missing sets), `missing_loc` (object → shards holding the
/// needed version) and `missing_loc_sources`. The per-count histogram Ceph keeps
/// for stats is not modelled.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MissingLoc {
    /// `needs_recovery_map`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub needs_recovery_map: BTreeMap<ObjectId, MissingItem>,
    /// `missing_loc`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub missing_loc: BTreeMap<ObjectId, BTreeSet<PgShard>>,
    /// `missing_loc_sources`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub missing_loc_sources: BTreeSet<PgShard>,
    /// The backend's `IsPGRecoverablePredicate`.
    pub recoverable: RecoverablePredicate,
}

impl MissingLoc {
    /// An empty `MissingLoc` for a pool whose backend judges recoverability by
    /// `recoverable`.
    pub fn new(recoverable: RecoverablePredicate) -> Self {
        MissingLoc {
            needs_recovery_map: BTreeMap::new(),
            missing_loc: BTreeMap::new(),
            missing_loc_sources: BTreeSet::new(),
            recoverable,
        }
    }

    /// `clear()`.
    pub fn clear(&mut self) {
        self.needs_recovery_map.clear();
        self.missing_loc.clear();
        self.missing_loc_sources.clear();
    }

    /// `add_active_missing`: add a shard's missing set to what must be recovered.
    /// Two shards needing different versions of one object is a broken log merge
    /// (Ceph asserts).
    pub fn add_active_missing(&mut self, missing: &Missing) -> Result<(), PeeringError> {
        for (oid, item) in missing.items() {
            match self.needs_recovery_map.get(oid) {
                None => {
                    self.needs_recovery_map.insert(oid.clone(), *item);
                }
                Some(have) if have.need != item.need => {
                    return Err(PeeringError::Crashed(Crash::Invariant {
                        state: StateId::Active,
                        what: Invariant::ConflictingNeed,
                    }));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// `add_source_info`: record `from` as a location of every needed object it
    /// holds: its log reaches the needed version, the object is below its
    /// `last_backfill`, and it is not missing it. Returns whether any was found.
    pub fn add_source_info(&mut self, from: PgShard, oinfo: &PgInfo, omissing: &Missing) -> bool {
        let mut found = false;
        for (oid, item) in &self.needs_recovery_map {
            if item.is_delete()
                || oinfo.last_update < item.need
                || *oid >= oinfo.last_backfill
                || omissing.is_missing(oid)
            {
                continue;
            }
            self.missing_loc
                .entry(oid.clone())
                .or_default()
                .insert(from);
            found = true;
        }
        if found {
            self.missing_loc_sources.insert(from);
        }
        found
    }

    /// `add_batch_sources_info`: every needed object can come from any of `sources`
    /// (all complete).
    pub fn add_batch_sources_info(&mut self, sources: &BTreeSet<PgShard>) {
        let mut any = false;
        for (oid, item) in &self.needs_recovery_map {
            if item.is_delete() {
                continue;
            }
            self.missing_loc
                .entry(oid.clone())
                .or_default()
                .extend(sources.iter().copied());
            any = true;
        }
        if any {
            self.missing_loc_sources.extend(sources.iter().copied());
        }
    }

    /// `check_recovery_sources`: sources that went down hold nothing usable.
    /// Allocates nothing when none did.
    pub fn check_recovery_sources(&mut self, map: &dyn OsdMapView) {
        if self.missing_loc_sources.iter().all(|s| map.is_up(s.osd)) {
            return;
        }
        self.missing_loc_sources.retain(|s| map.is_up(s.osd));
        self.missing_loc.retain(|_, locs| {
            locs.retain(|s| map.is_up(s.osd));
            !locs.is_empty()
        });
    }

    /// `remove_stray_recovery_sources`: a purged stray is no source any more.
    pub fn remove_stray_recovery_sources(&mut self, stray: PgShard) {
        self.missing_loc.retain(|_, locs| {
            locs.remove(&stray);
            !locs.is_empty()
        });
        self.missing_loc_sources.remove(&stray);
    }

    /// `is_unfound`: needed, not a delete, and no recoverable set of locations.
    pub fn is_unfound(&self, oid: &ObjectId) -> bool {
        match self.needs_recovery_map.get(oid) {
            Some(item) if !item.is_delete() => self
                .missing_loc
                .get(oid)
                .is_none_or(|locs| !self.recoverable.is_recoverable(locs)),
            _ => false,
        }
    }

    /// `num_unfound`.
    pub fn num_unfound(&self) -> usize {
        self.needs_recovery_map
            .keys()
            .filter(|o| self.is_unfound(o))
            .count()
    }

    /// `have_unfound`.
    pub fn have_unfound(&self) -> bool {
        self.needs_recovery_map.keys().any(|o| self.is_unfound(o))
    }
}
