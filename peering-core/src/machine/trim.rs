//! Trimming the PG log in the write path, and the on-disk pointers it
//! depends on: Ceph's `update_trim_to` (`calc_trim_to` and
//! `calc_trim_to_aggressive`), `complete_write`,
//! `update_last_complete_ondisk` and `update_peer_last_complete_ondisk`.
//!
//! The primary computes `pg_trim_to` before each write (`execute_ctx` calls
//! `update_trim_to` first), trims its own log to it in the write's
//! `append_log`, and sends it with the `MOSDRepOp`; each replica trims to it
//! in its own `append_log`. How many entries to keep is the host's answer
//! (`OSDService::get_target_pg_log_entries`: the OSD's budget of entries
//! spread over its PGs), passed in as `target_entries`.

use super::peering_state::PeeringState;
use super::pg::Pg;
use crate::types::{EVersion, PgShard};

impl Pg {
    /// `update_trim_to`: recomputes [`Pg::pg_trim_to`] before a write. With
    /// `hard_limit` (the map's `PGLOG_HARDLIMIT` flag, set once every OSD
    /// runs Nautilus or later) `calc_trim_to_aggressive` keeps at most
    /// `target_entries` entries, bounded by this primary's own commit point;
    /// otherwise `calc_trim_to` trims the oldest entries beyond the target,
    /// bounded by `min_last_complete_ondisk`. Either way the trim point never
    /// passes `can_rollback_to`, and a trim of fewer than `pg_log_trim_min`
    /// entries waits. Returns the new `pg_trim_to`.
    ///
    /// Work: O(entries trimmed or kept), at most the log's length.
    pub fn update_trim_to(&mut self, target_entries: u64, hard_limit: bool) -> EVersion {
        let ps = &mut self.ps;
        if hard_limit {
            ps.calc_trim_to_aggressive(target_entries);
        } else {
            ps.calc_trim_to(target_entries);
        }
        ps.pg_trim_to
    }

    /// `get_pg_trim_to()`: the trim point the primary's writes carry.
    pub fn pg_trim_to(&self) -> EVersion {
        self.ps.pg_trim_to
    }

    /// `get_min_last_complete_ondisk()`: the oldest `last_complete_ondisk`
    /// of the acting set, as the primary knows it (replicas: as the primary
    /// last told them).
    pub fn min_last_complete_ondisk(&self) -> EVersion {
        self.ps.min_last_complete_ondisk
    }

    /// `complete_write(v, lc)`: every shard has write `v` durable
    /// (`repop_all_committed`): the primary's `last_update_ondisk` is `v`, its
    /// `last_complete_ondisk` is `lc` (its `last_complete` when the write was
    /// made), and `min_last_complete_ondisk` is recomputed.
    pub fn complete_write(&mut self, v: EVersion, lc: EVersion) {
        let ps = &mut self.ps;
        ps.last_update_ondisk = v;
        ps.last_complete_ondisk = lc;
        if !ps.acting_recovery_backfill.is_empty() {
            ps.calc_min_last_complete_ondisk();
        }
    }

    /// `update_last_complete_ondisk(lcod)`: a replica's write committed
    /// (`repop_commit`), with `lcod` its `last_complete` when it took the
    /// write; the reply carries it to the primary.
    pub fn update_last_complete_ondisk(&mut self, lcod: EVersion) {
        self.ps.last_complete_ondisk = lcod;
    }

    /// `update_peer_last_complete_ondisk(from, lcod)`: the primary records a
    /// replica's `last_complete_ondisk` from its `MOSDRepOpReply`; the next
    /// [`Pg::complete_write`] folds it into `min_last_complete_ondisk`.
    pub fn update_peer_last_complete_ondisk(&mut self, from: PgShard, lcod: EVersion) {
        self.ps.peer_last_complete_ondisk.insert(from, lcod);
    }
}

impl PeeringState {
    /// `approx_size()`: the version span of the log (`head - tail`), which is
    /// what Ceph's trimming compares with the target, not the entry count.
    fn log_span(&self) -> u64 {
        let log = self.pg_log.log();
        log.head().version.saturating_sub(log.tail().version)
    }

    /// How many oldest entries a trim may take now, or `None` when the log
    /// is short enough or the trim would be smaller than `pg_log_trim_min`.
    fn entries_to_trim(&self, limit: EVersion, target: u64) -> Option<u64> {
        let span = self.log_span();
        if limit == EVersion::ZERO || limit == self.pg_trim_to || span <= target {
            return None;
        }
        let (min, max) = (
            u64::from(self.cfg.pg_log_trim_min),
            u64::from(self.cfg.pg_log_trim_max),
        );
        let n = (span - target).min(max);
        if n < min && max >= min {
            return None;
        }
        Some(n)
    }

    /// `calc_trim_to`: the `n`th oldest entry, but not past
    /// `min(min_last_complete_ondisk, can_rollback_to)`.
    pub(crate) fn calc_trim_to(&mut self, target: u64) {
        let limit = self
            .min_last_complete_ondisk
            .min(self.pg_log.log().can_rollback_to());
        let Some(n) = self.entries_to_trim(limit, target) else {
            return;
        };
        let mut new = EVersion::ZERO;
        for e in self
            .pg_log
            .log()
            .entries()
            .iter()
            .take(usize::try_from(n).unwrap_or(usize::MAX))
        {
            new = e.version;
            if new > limit {
                new = limit;
                break;
            }
        }
        self.pg_trim_to = new;
    }

    /// `calc_trim_to_aggressive`: keep the newest `target` entries and trim
    /// at most `n` of the oldest, not past `min(head, can_rollback_to,
    /// last_update_ondisk)`.
    pub(crate) fn calc_trim_to_aggressive(&mut self, target: u64) {
        let log = self.pg_log.log();
        let limit = log
            .head()
            .min(log.can_rollback_to())
            .min(self.last_update_ondisk);
        let Some(n) = self.entries_to_trim(limit, target) else {
            return;
        };
        let entries = self.pg_log.log().entries();
        // The entry just older than the newest `target` (the newest one not
        // kept), and the `n`th oldest (the first, if `n` is 0).
        let target = usize::try_from(target).unwrap_or(usize::MAX);
        let Some(keep) = entries
            .len()
            .checked_sub(target.saturating_add(1))
            .and_then(|i| entries.get(i))
            .map(|e| e.version)
        else {
            return;
        };
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        let trim = entries
            .get(n.saturating_sub(1))
            .map_or(EVersion::MAX, |e| e.version);
        self.pg_trim_to = keep.min(trim).min(limit);
    }
}
