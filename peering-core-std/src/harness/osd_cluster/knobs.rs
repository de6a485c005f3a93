//! The OSDs' reservers and backfill space check, as the scenarios reach
//! them: each [`crate::osd::Osd`]'s own `AsyncReserver`s
//! (`osd_max_backfills`) and its backfillfull injection.

use crate::store::Store;
use peering_core::types::OsdId;

use super::OsdHarness;
use crate::osd::AsyncReserver;

impl<S: Store> OsdHarness<S> {
    /// `osd`'s local (`remote == false`) or remote reserver, if it runs.
    pub fn reserver(&self, osd: i32, remote: bool) -> Option<&AsyncReserver> {
        let o = self.osd(osd)?;
        Some(if remote {
            o.remote_reserver()
        } else {
            o.local_reserver()
        })
    }

    /// Sets `osd`'s `osd_max_backfills` (Ceph has one setting for the local
    /// and the remote reserver: `local` is used; 0 means unlimited here, where
    /// Ceph's reserver would grant nothing).
    pub fn set_reserver_slots(&mut self, osd: i32, local: usize, _remote: usize) {
        let slots = if local == 0 {
            u32::MAX
        } else {
            u32::try_from(local).unwrap_or(u32::MAX)
        };
        self.set_osd_max_backfills(osd, slots);
    }

    /// Sets `osd`'s `osd_max_backfills` as Ceph reads it: `slots`
    /// reservations at a time in each of its reservers, 0 granting none (a
    /// stray then waits for its deletion slot).
    pub fn set_osd_max_backfills(&mut self, osd: i32, slots: u32) {
        self.slots.insert(OsdId(osd), slots);
        self.apply_knobs(OsdId(osd));
    }

    /// Makes `osd`'s backfill space check fail (`true`) or pass
    /// (`inject_backfillfull`): a too-full OSD rejects backfill with
    /// `REJECT_TOOFULL`.
    pub fn set_too_full(&mut self, osd: i32, too_full: bool) {
        if too_full {
            self.too_full.insert(OsdId(osd));
        } else {
            self.too_full.remove(&OsdId(osd));
        }
        self.apply_knobs(OsdId(osd));
    }

    /// Gives a running `osd` its reserver slots and space check (also when
    /// it starts).
    pub(super) fn apply_knobs(&mut self, osd: OsdId) {
        let slots = self.slots.get(&osd).copied();
        let full = self.too_full.contains(&osd);
        if let Some(o) = self.cluster.osds.get_mut(&osd) {
            if let Some(s) = slots {
                o.set_max_backfills(s);
            }
            o.inject_backfillfull(full);
        }
    }
}
