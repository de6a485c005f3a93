//! The backfill space check (`PG::try_reserve_recovery_space`,
//! `OSDService::tentative_backfill_full`, `unreserve_recovery_space`:
//! before a backfill target queues for its remote
//! reservation it checks that the data the primary will send fits below the
//! backfillfull ratio, counting what other PGs already reserved.
//!
//! The store's usage is the host's: it reports it with [`Statfs`]
//! ([`super::Osd::set_statfs`]); Ceph's `injectfull` is
//! [`super::Osd::inject_backfillfull`].

use std::collections::BTreeMap;

use peering_core::types::SpgId;

/// The store's usage as the host reports it (`osd_stat_t::statfs`: `total`
/// and `available` bytes).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Statfs {
    /// Bytes the store can hold.
    pub total: u64,
    /// Bytes still free.
    pub available: u64,
}

/// The OSD's space accounting for backfill (`OSDService`'s `osd_stat`,
/// `injectfull`, and each PG's `primary_num_bytes`/`local_num_bytes`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(super) struct Space {
    /// `None` until the host reports usage: the check passes (a host that
    /// does not account space never refuses backfill).
    statfs: Option<Statfs>,
    /// `injectfull backfillfull`: every check fails while set.
    inject_full: bool,
    /// Per PG holding space: the bytes backfill will add
    /// (`primary_num_bytes - local_num_bytes`, at least 0).
    reserved: BTreeMap<SpgId, u64>,
}

impl Space {
    pub(super) fn set_statfs(&mut self, statfs: Statfs) {
        self.statfs = Some(statfs);
    }

    pub(super) fn inject_full(&mut self, full: bool) {
        self.inject_full = full;
    }

    /// `try_reserve_recovery_space(primary_bytes, local_bytes)` against
    /// `backfillfull_pct` (`mon_osd_backfillfull_ratio`, in percent): false
    /// (`REJECT_TOOFULL`) when the store would reach the ratio once this PG
    /// and every PG already holding space are backfilled
    /// (`tentative_backfill_full` with `compute_adjusted_ratio`).
    pub(super) fn try_reserve(
        &mut self,
        pgid: SpgId,
        primary_bytes: i64,
        local_bytes: i64,
        backfillfull_pct: u32,
    ) -> bool {
        if self.inject_full {
            return false;
        }
        let adjust = u64::try_from(primary_bytes.saturating_sub(local_bytes)).unwrap_or(0);
        if let Some(fs) = self.statfs.filter(|fs| fs.total > 0) {
            let others: u64 = self
                .reserved
                .iter()
                .filter(|(p, _)| **p != pgid)
                .map(|(_, b)| *b)
                .sum();
            let used = fs
                .total
                .saturating_sub(fs.available)
                .saturating_add(others)
                .saturating_add(adjust);
            // used / total >= pct / 100, in integers.
            if u128::from(used) * 100 >= u128::from(fs.total) * u128::from(backfillfull_pct) {
                return false;
            }
        }
        self.reserved.insert(pgid, adjust);
        true
    }

    /// `unreserve_recovery_space`: the PG's backfill bytes no longer count.
    pub(super) fn unreserve(&mut self, pgid: SpgId) {
        self.reserved.remove(&pgid);
    }

    /// The PGs holding space, with their bytes.
    pub(super) fn reserved(&self) -> &BTreeMap<SpgId, u64> {
        &self.reserved
    }
}
