//! `should_restart_peering` and `start_peering_interval`.

use super::peering_state::PeeringState;
use crate::acting::stretch_set_can_peer_in;
use crate::ctx::{HostNotification, MonRequest, RecoveryCtx};
use crate::error::PeeringError;
use crate::intervals::{RecoverablePredicate, UpActing, check_new_interval};
use crate::map::{OsdMapView, PoolFlags, PoolInfo};
use crate::types::{OsdId, OsdVec, PgState};

impl PeeringState {
    /// `check_full_transition` (Reset and Started `AdvMap`): the epoch the pool was
    /// marked full goes into the history.
    pub(crate) fn check_full_transition(&mut self, map: &dyn OsdMapView, lastmap: &dyn OsdMapView) {
        let pool = self.info.pgid.pgid.pool;
        let Some(new) = map.pool(pool) else {
            return; // deleted
        };
        let was_full = lastmap
            .pool(pool)
            .is_some_and(|p| p.flags.contains(PoolFlags::FULL));
        if new.flags.contains(PoolFlags::FULL) && !was_full {
            self.info.history.last_epoch_marked_full = map.epoch();
            self.dirty_info = true;
        }
    }

    /// `should_restart_peering`: the step `lastmap` → `map` starts a new
    /// interval, or we were down in `lastmap` and are up in `map`.
    pub(crate) fn should_restart_peering(
        &self,
        new: &UpActing,
        map: &dyn OsdMapView,
        lastmap: &dyn OsdMapView,
    ) -> bool {
        crate::intervals::should_restart_peering(
            &self.mapping,
            new,
            map,
            lastmap,
            self.info.pgid.pgid,
            self.whoami.osd,
        )
    }

    /// `start_peering_interval`: adopt the new mapping, record the interval
    /// that ended, reset every per-interval piece of state.
    pub(crate) fn start_peering_interval(
        &mut self,
        new: &UpActing,
        map: &dyn OsdMapView,
        lastmap: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        self.set_last_peering_reset(ctx);
        // `clear_ready_to_merge`. Ceph calls it on every primary; readiness can
        // only have been reported while the previous map's pool had a merge
        // pending for this PG, so the notice is sent only then (the host's
        // ready sets hold nothing for it otherwise).
        let pgid = self.info.pgid.pgid;
        let was_merging = lastmap
            .pool(pgid.pool)
            .is_some_and(|p| p.pending_merge(pgid).is_some());
        if self.is_primary() && was_merging {
            ctx.notifications.push(HostNotification::ClearReadyToMerge);
        }
        let old = self.mapping.clone();
        let old_role = self.role;
        let old_primary = self.primary;
        let old_up_primary = self.up_primary;
        let was_old_primary = self.is_primary();
        let was_old_nonprimary = self.is_nonprimary();
        let pgid = self.info.pgid.pgid;

        // The interval that just ended is judged against the old pool (lastmap).
        let old_pool = lastmap.pool(pgid.pool).unwrap_or(self.pool);
        let closed = check_new_interval(
            (&old, new),
            self.info.history.same_interval_since,
            self.info.history.last_epoch_clean,
            (map, lastmap),
            pgid,
            (
                &RecoverablePredicate::for_pool(&old_pool),
                // `old_pool.stretch_set_can_peer(old_acting, lastmap)`.
                &|pool: &PoolInfo, acting: &[OsdId]| stretch_set_can_peer_in(pool, acting, lastmap),
            ),
            &mut self.past_intervals,
        )?;

        self.init_primary_up_acting(new);
        if self.mapping.up != self.mapping.acting {
            self.state.set(PgState::REMAPPED);
        } else {
            self.state.clear(PgState::REMAPPED);
        }
        self.role = self.calc_role();

        let epoch = map.epoch();
        if closed.is_some() {
            if epoch == self.oldest_stored_osdmap && self.info.history.last_epoch_clean < epoch {
                // A map gap: what we knew of past intervals is incomplete, and someone
                // was clean after it.
                self.past_intervals.clear();
            }
            self.dirty_all();
            self.info.history.same_interval_since = epoch;
            if let (Some(op), Some(np)) = (lastmap.pool(pgid.pool), map.pool(pgid.pool)) {
                if pgid.is_split(op.pg_num, np.pg_num) {
                    self.info.history.last_epoch_split = epoch;
                }
            }
        }
        if old.up != self.mapping.up || old_up_primary != self.up_primary {
            self.info.history.same_up_since = epoch;
        }
        if old_primary != self.primary {
            self.info.history.same_primary_since = epoch;
        }

        // on_new_interval, on_info_history_change.
        self.on_new_interval_lease();
        ctx.notifications.push(HostNotification::NewInterval);

        // Deactivate.
        self.state.clear(
            PgState::ACTIVE
                | PgState::PEERED
                | PgState::PREMERGE
                | PgState::DOWN
                | PgState::RECOVERY_WAIT
                | PgState::RECOVERY_TOOFULL
                | PgState::RECOVERING,
        );
        self.peer_purged.clear();
        self.acting_recovery_backfill.clear();

        if was_old_primary || self.is_primary() || was_old_nonprimary || self.is_nonprimary() {
            ctx.mon.push(MonRequest::ClearPgTemp { pgid });
        }
        self.clear_primary_state(ctx);
        ctx.notifications.push(HostNotification::Change);
        self.send_notify = !self.is_primary();

        if self.role != old_role || was_old_primary != self.is_primary() {
            if was_old_primary != self.is_primary() {
                self.state.clear(PgState::CLEAN);
            }
            ctx.notifications
                .push(HostNotification::RoleChanged { role: self.role });
        } else if self.primary == old_primary && self.is_primary() {
            // Still primary, but the replicas changed.
            self.state.clear(PgState::CLEAN);
        }

        if self.mapping.acting.is_empty()
            && !self.mapping.up.is_empty()
            && self.up_primary == self.whoami
        {
            // Clear a bogus empty pg_temp.
            ctx.mon.push(MonRequest::PgTemp {
                pgid,
                want: OsdVec::new(),
            });
        }
        Ok(())
    }
}
