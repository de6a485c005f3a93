//! `proc_replica_log`: the primary works out a peer's missing set.

use super::divergent::DivergentPlan;
use super::error::LogError;
use super::missing::Missing;
use super::pg_log::PgLog;
use super::pg_log_t::PgLogT;
use crate::types::{EVersion, PgInfo, PgShard};

impl PgLog {
    /// `PGLog::proc_replica_log(oinfo, olog, omissing, from)`: rewinds the
    /// peer's log `olog`, in our head, to the last point where it agrees with our
    /// authoritative log, and marks in `omissing` what its divergent entries
    /// imply. Lowers `oinfo.last_update` to that point and recomputes
    /// `oinfo.last_complete`. Later, activation sends the peer our entries after
    /// that point.
    ///
    /// A peer whose log does not reach our tail, or has our head, is left as is.
    /// Our log is not touched and no object side effects arise (Ceph passes no
    /// rollbacker). Refuses, changing nothing, an invalid `olog` or divergent
    /// entries Ceph would assert on.
    pub fn proc_replica_log(
        &self,
        oinfo: &mut PgInfo,
        olog: &PgLogT,
        omissing: &mut Missing,
        _from: PgShard,
    ) -> Result<(), LogError> {
        olog.validate()?;
        if olog.head < self.log.tail() || olog.head == self.log.head() {
            return Ok(());
        }
        let first_non_divergent = self
            .log
            .entries()
            .iter()
            .rev()
            .find(|e| e.version <= olog.head)
            .map(|e| e.version);
        // Both logs hold the event at max(log.tail, olog.tail) (a tail is never
        // divergent), even if no entry between it and olog.head survived a split.
        let limit = olog.tail.max(self.log.tail());
        let lu = match first_non_divergent {
            Some(v) if v >= limit => v,
            _ => limit,
        };

        // Ceph indexes a copy of `olog`, rewinds it to `lu` and looks each
        // divergent object up in it. No lookup is needed: a valid log is in
        // version order, so every entry the rewind keeps is older than every
        // divergent one, and "a newer entry in the log" (case 1) never applies.
        let cut = olog.rewind_point(lu)?;
        let divergent = olog.entries.get(cut..).unwrap_or_default();
        let mut plan = DivergentPlan::group(divergent);
        // All or nothing by itself: every object is decided before any changes.
        plan.decide(
            |_| None,
            divergent,
            &oinfo.last_backfill,
            olog.can_rollback_to,
            omissing,
            None,
        )?;
        plan.apply_missing_only(divergent, omissing);

        if lu < oinfo.last_update {
            oinfo.last_update = lu;
        }
        oinfo.last_complete = if omissing.have_missing() {
            let first_missing = omissing.get_oldest_need();
            olog.entries
                .iter()
                .take_while(|e| e.version < first_missing)
                .last()
                .map_or(EVersion::ZERO, |e| e.version)
        } else {
            oinfo.last_update
        };
        Ok(())
    }
}
