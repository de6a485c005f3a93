//! What the primary learns from its peers:
//! `proc_replica_info`, `update_history`, `remove_down_peer_info`,
//! `clear_primary_state`, `proc_master_log`, `proc_replica_log`.

use super::peering_state::PeeringState;
use crate::ctx::{HostNotification, RecoveryCtx};
use crate::error::Crash;
use crate::error::PeeringError;
use crate::log::{LogEffects, Missing, PgLogT};
use crate::map::OsdMapView;
use crate::types::{EVersion, Epoch, PgHistory, PgInfo, PgShard, PgState};

impl PeeringState {
    /// `proc_replica_info`: record a peer's info. False for a duplicate (same
    /// `last_update` already known) or a sender not up continuously since it sent.
    pub(crate) fn proc_replica_info(
        &mut self,
        from: PgShard,
        oinfo: &PgInfo,
        send_epoch: Epoch,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> bool {
        if self
            .peer_info
            .get(&from)
            .is_some_and(|pi| pi.last_update == oinfo.last_update)
        {
            return false;
        }
        if !Self::has_been_up_since(map, from.osd, send_epoch) {
            return false;
        }
        let is_new = self.peer_info.insert(from, oinfo.clone()).is_none();
        self.might_have_unfound.insert(from);
        self.update_history(&oinfo.history);
        if !self.is_up(from) && !self.is_acting(from) {
            self.stray_set.insert(from);
            if self.state.contains(PgState::CLEAN) {
                self.purge_strays(map, ctx);
            }
        }
        if is_new {
            self.update_heartbeat_peers(ctx);
        }
        true
    }

    /// `update_history`: merge a peer's history; once clean since the interval
    /// started, past intervals are no longer needed. Our prior read bound goes
    /// into the history (as time left) first, and comes back out of the merged
    /// one, so a peer's newer or tighter bound is taken.
    pub(crate) fn update_history(&mut self, new: &PgHistory) {
        let _ = self.refresh_prior_readable_until_ub();
        if self.info.history.merge(new) {
            self.dirty_info = true;
            if self.info.history.last_epoch_clean >= self.info.history.same_interval_since {
                self.past_intervals.clear();
                self.dirty_big_info = true;
            }
            self.lease.prior_readable_until_ub = self.prior_readable_until_ub_from_history();
        }
    }

    /// `remove_down_peer_info` and the pruning of `check_recovery_sources`:
    /// forget what down peers told us. Allocates nothing when nobody is down.
    pub(crate) fn remove_down_peer_info(&mut self, map: &dyn OsdMapView, ctx: &mut RecoveryCtx) {
        let mut removed = false;
        let peer_missing = &mut self.peer_missing;
        self.peer_info.retain(|s, _| {
            if map.is_down(s.osd) {
                peer_missing.remove(s);
                removed = true;
                false
            } else {
                true
            }
        });
        // Down OSDs leave peer_purged so they can be purged again once back.
        self.peer_purged.retain(|s| !map.is_down(s.osd));
        // check_recovery_sources: no more waiting on down OSDs' logs.
        self.peer_log_requested.retain(|s| !map.is_down(s.osd));
        self.peer_missing_requested.retain(|s| !map.is_down(s.osd));
        self.missing_loc.check_recovery_sources(map);
        if removed {
            self.update_heartbeat_peers(ctx);
        }
    }

    /// `clear_primary_state`.
    pub(crate) fn clear_primary_state(&mut self, ctx: &mut RecoveryCtx) {
        self.stray_set.clear();
        self.peer_log_requested.clear();
        self.peer_missing_requested.clear();
        self.peer_info.clear();
        self.peer_bytes.clear();
        self.peer_missing.clear();
        self.peer_last_complete_ondisk.clear();
        self.peer_activated.clear();
        self.min_last_complete_ondisk = EVersion::ZERO;
        self.pg_trim_to = EVersion::ZERO;
        self.might_have_unfound.clear();
        self.need_up_thru = false;
        self.backfill_targets.clear();
        self.async_recovery_targets.clear();
        self.last_update_ondisk = EVersion::ZERO;
        self.missing_loc.clear();
        self.pg_log.log.reset_recovery_pointers();
        ctx.notifications.push(HostNotification::ClearPrimaryState);
    }

    /// `merge_log`: merge a peer's authoritative log into ours (`oinfo` is
    /// adjusted as Ceph does), persisting what changed and the object side effects.
    pub(crate) fn merge_log(
        &mut self,
        oinfo: &mut PgInfo,
        olog: PgLogT,
        from: PgShard,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        let mut effects = LogEffects::new();
        if self
            .pg_log
            .merge_log(oinfo, olog, from, &mut self.info, &mut effects)?
        {
            self.dirty_all();
        }
        Self::apply_effects(ctx, effects);
        Ok(())
    }

    /// `proc_master_log`: merge the authoritative log into ours.
    pub(crate) fn proc_master_log(
        &mut self,
        mut oinfo: PgInfo,
        olog: PgLogT,
        omissing: Missing,
        from: PgShard,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        self.merge_log(&mut oinfo, olog, from, ctx)?;
        self.might_have_unfound.insert(from);
        if oinfo.last_epoch_started > self.info.last_epoch_started {
            self.info.last_epoch_started = oinfo.last_epoch_started;
            self.dirty_info = true;
        }
        if oinfo.last_interval_started > self.info.last_interval_started {
            self.info.last_interval_started = oinfo.last_interval_started;
            self.dirty_info = true;
        }
        self.update_history(&oinfo.history);
        self.peer_info.insert(from, oinfo);
        self.peer_missing.insert(from, omissing);
        if !self.cfg.find_best_info_ignore_history_les
            && self.info.last_epoch_started < self.info.history.last_epoch_started
        {
            return Err(PeeringError::Crashed(Crash::Invariant {
                state: crate::types::StateId::GetLog,
                what: crate::error::Invariant::LesBehindHistory,
            }));
        }
        Ok(())
    }

    /// `proc_replica_log`: work out a peer's divergence and missing set
    /// against our authoritative log.
    pub(crate) fn proc_replica_log(
        &mut self,
        mut oinfo: PgInfo,
        olog: &PgLogT,
        mut omissing: Missing,
        from: PgShard,
    ) -> Result<(), PeeringError> {
        self.pg_log
            .proc_replica_log(&mut oinfo, olog, &mut omissing, from)?;
        self.peer_info.insert(from, oinfo);
        self.might_have_unfound.insert(from);
        self.peer_missing.insert(from, omissing);
        Ok(())
    }
}
