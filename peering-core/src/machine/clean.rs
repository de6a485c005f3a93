//! `share_pg_info`, `try_mark_clean`, `purge_strays`.

use alloc::vec;

use super::peering_state::PeeringState;
use crate::ctx::{DirectMessage, HostNotification, InfoMsg, RecoveryCtx, RemoveMsg};
use crate::map::{MergeRole, OsdMapView};
use crate::types::{PgState, SpgId};

impl PeeringState {
    /// `share_pg_info`: send our info directly to every other member of
    /// acting_recovery_backfill, and update our copy of theirs.
    pub(crate) fn share_pg_info(&mut self, ctx: &mut RecoveryCtx) {
        let _ = self.refresh_prior_readable_until_ub();
        let pgid = self.info.pgid.pgid;
        let lease = Some(self.get_lease());
        for p in self.acting_recovery_backfill_peers() {
            if let Some(pi) = self.peer_info.get_mut(&p) {
                pi.last_epoch_started = self.info.last_epoch_started;
                pi.last_interval_started = self.info.last_interval_started;
                pi.history.merge(&self.info.history);
            }
            ctx.send_direct(
                p.osd,
                DirectMessage::Info(InfoMsg {
                    pgid: SpgId::new(pgid, p.shard),
                    from: self.whoami.shard,
                    min_epoch: self.epoch,
                    epoch: self.epoch,
                    info: self.info.clone(),
                    lease,
                    lease_ack: None,
                }),
            );
        }
    }

    /// `try_mark_clean` (Clean entry): a full-size acting set makes the PG
    /// clean; the clean epoch is recorded and past intervals are no longer needed.
    pub(crate) fn try_mark_clean(&mut self, ctx: &mut RecoveryCtx) {
        let forced = PgState::FORCED_BACKFILL | PgState::FORCED_RECOVERY;
        if u32::try_from(self.actingset.len()).is_ok_and(|n| n == self.pool.size) {
            self.state.clear(forced);
            self.state.set(PgState::CLEAN);
            // publish_stats_to_osd → update_calc_stats: full acting set, nothing
            // missing, so no degraded copies.
            self.state.clear(PgState::DEGRADED);
            self.info.history.last_epoch_clean = self.epoch;
            self.info.history.last_interval_clean = self.info.history.same_interval_since;
            self.past_intervals.clear();
            self.dirty_all();
        }
        // Peered but not active: a PG waiting to merge reports its readiness
        // once clean (Ceph's Active entry already said "not ready" otherwise).
        let peered_only = !self.state.contains(PgState::ACTIVE) && self.is_peered();
        if peered_only && self.state.contains(PgState::CLEAN) {
            match self.pool.pending_merge(self.info.pgid.pgid) {
                Some(MergeRole::Target) => {
                    ctx.notifications
                        .push(HostNotification::ReadyToMergeTarget {
                            last_update: self.info.last_update,
                            last_epoch_started: self.info.history.last_epoch_started,
                            last_epoch_clean: self.info.history.last_epoch_clean,
                        });
                }
                Some(MergeRole::Source) => {
                    ctx.notifications
                        .push(HostNotification::ReadyToMergeSource {
                            last_update: self.info.last_update,
                        });
                }
                None => {}
            }
        }
        self.state.clear(forced);
        self.share_pg_info(ctx);
        Self::publish(ctx);
        // clear_recovery_state
        self.backfill_targets.clear();
        self.async_recovery_targets.clear();
    }

    /// `purge_strays`: tell every stray that is up to remove its copy
    /// (`MOSDPGRemove`), and forget them.
    pub(crate) fn purge_strays(&mut self, map: &dyn OsdMapView, ctx: &mut RecoveryCtx) {
        if self.state.contains(PgState::PREMERGE) {
            return;
        }
        let pgid = self.info.pgid.pgid;
        let strays = core::mem::take(&mut self.stray_set);
        let removed_any = !strays.is_empty();
        for s in strays {
            if self.acting_recovery_backfill.contains(&s) {
                continue;
            }
            if map.is_up(s.osd) {
                ctx.send_direct(
                    s.osd,
                    DirectMessage::Remove(RemoveMsg {
                        epoch: self.epoch,
                        pgids: vec![SpgId::new(pgid, s.shard)],
                    }),
                );
            }
            self.peer_missing.remove(&s);
            self.peer_info.remove(&s);
            self.missing_loc.remove_stray_recovery_sources(s);
            self.peer_purged.insert(s);
        }
        if removed_any {
            self.update_heartbeat_peers(ctx);
        }
        self.peer_log_requested.clear();
        self.peer_missing_requested.clear();
    }
}
