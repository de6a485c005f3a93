//! What OSDs ask of the monitor: boot, up_thru, pg_temp, PG created, maps.

use peering_core::map::{OsdMapView, PoolFlags};
use peering_core::types::{OsdId, Timespan};

use super::{MergeVerdict, MonOutput, Monitor};
use crate::msg::ReadyToMergeMsg;
use crate::osd::MonMessage;
use crate::osdmap::{OSD_AUTOOUT, OSD_UP, WEIGHT_OUT};

impl Monitor {
    /// One message from OSD `from`, at the host's time `now`. Requests that
    /// change the map go into the pending incremental (published by
    /// [`Monitor::propose`]); requests already satisfied are answered with
    /// the maps the OSD lacks, as Ceph's `preprocess_*` do.
    pub fn handle(&mut self, from: OsdId, msg: MonMessage, now: Timespan) {
        self.now = self.now.max(now);
        match msg {
            MonMessage::Boot { .. } => self.prepare_boot(from),
            MonMessage::Alive(m) => {
                // `preprocess_alive`: only an up OSD is heard; an up_thru the
                // map already holds is answered with maps.
                if !self.map.is_up(from) {
                    return;
                }
                if self.map.up_thru(from) >= m.want {
                    self.reply_maps(from, m.version);
                } else {
                    // `prepare_alive`: up_thru becomes the epoch the OSD had
                    // when it asked (`m->version`), not what it wanted.
                    self.update_up_thru(from, m.version);
                }
            }
            MonMessage::PgTemp(m) => {
                if !self.map.is_up(from) {
                    return;
                }
                let mut changed = false;
                for (pgid, want) in m.pg_temp {
                    // `preprocess_pgtemp` skips PGs of pools that are gone or
                    // pending removal, PGs past pg_num, and no-op changes.
                    let Some(pool) = self.map.pg_pool(pgid.pool) else {
                        continue;
                    };
                    if self.pending.old_pools.contains(&pgid.pool) || pgid.seed >= pool.pg_num {
                        continue;
                    }
                    let current = self.map.pg_temp().get(&pgid);
                    let same = match current {
                        Some(c) => *c == want,
                        None => want.is_empty(),
                    };
                    if same {
                        continue;
                    }
                    // `prepare_pgtemp`: a new pg_temp also drops any primary_temp.
                    if self.map.primary_temp().contains_key(&pgid) {
                        self.pending.new_primary_temp.insert(pgid, OsdId::UNDEF);
                    }
                    self.pending.new_pg_temp.insert(pgid, want);
                    changed = true;
                }
                if changed {
                    // "set up_thru too, so the osd doesn't have to ask again"
                    self.update_up_thru(from, m.map_epoch);
                } else {
                    self.reply_maps(from, m.map_epoch);
                }
            }
            MonMessage::PgCreated(m) => {
                // `prepare_pg_created`: the PG exists now; stop creating it.
                // The pool's last PG clears its `FLAG_CREATING`.
                self.creating.remove(&m.pgid);
                self.create_sent.remove(&m.pgid);
                let pool = m.pgid.pool;
                if !self.creating.keys().any(|pg| pg.pool == pool)
                    && let Some(mut p) = self.pending_pool(pool)
                    && p.flags.contains(PoolFlags::CREATING)
                {
                    p.flags.remove(PoolFlags::CREATING);
                    p.last_change = self.pending.epoch;
                    self.pending.set_pool(p);
                }
            }
            // `check_osdmap_sub`: `start` is the first epoch wanted.
            MonMessage::Subscribe { start } => self.reply_maps(from, start.saturating_sub(1)),
            MonMessage::MarkMeDead { epoch } => {
                // `preprocess_mark_me_dead`: only a down OSD that exists;
                // `prepare_mark_me_dead` records the epoch it saw.
                if !self.map.exists(from) || self.map.is_up(from) {
                    return;
                }
                self.pending.mark_dead(from, epoch);
            }
            MonMessage::ReadyToMerge(m) => self.prepare_pg_ready_to_merge(&m),
        }
    }

    /// `prepare_pg_ready_to_merge` ([`MergeVerdict::of`]): a report for the
    /// pool's pending merge lowers `pg_num` or backs the merge off; a stale
    /// one is dropped.
    fn prepare_pg_ready_to_merge(&mut self, m: &ReadyToMergeMsg) {
        let Some(p) = self.pending_pool(m.pgid.pool) else {
            return;
        };
        let Some(verdict) = MergeVerdict::of(p, m, self.pending.epoch) else {
            return;
        };
        if let MergeVerdict::Merge(..) = verdict {
            // The merged-away PG is no longer being created.
            self.creating.remove(&m.pgid);
            self.create_sent.remove(&m.pgid);
        }
        verdict.apply(&mut self.pending);
    }

    /// `update_up_thru`: raise `from`'s pending up_thru to `epoch`.
    fn update_up_thru(&mut self, from: OsdId, epoch: u32) {
        let old = self
            .pending
            .new_up_thru
            .get(&from)
            .copied()
            .unwrap_or_else(|| self.map.up_thru(from));
        if epoch > old {
            self.pending.new_up_thru.insert(from, epoch);
        }
    }

    /// `send_incremental`: the committed maps after `since` (the newest
    /// epoch `to` holds), if any.
    fn reply_maps(&mut self, to: OsdId, since: u32) {
        let maps = self.maps_since(since.saturating_add(1));
        if !maps.is_empty() {
            self.outputs.push_back(MonOutput::Maps { to, maps });
        }
    }

    /// `prepare_boot`: mark `osd` up in the next epoch. An OSD that boots
    /// while the map still has it up (it restarted before anyone noticed) is
    /// first marked down, and its boot retried in the epoch after (Ceph's
    /// `C_RetryMessage`), so its old instance's interval ends. An OSD the
    /// monitor marked out on its own is marked in again
    /// (`mon_osd_auto_mark_auto_out_in`).
    pub(super) fn prepare_boot(&mut self, osd: OsdId) {
        if !self.map.exists(osd) {
            return;
        }
        if self.pending.new_up_client.contains(&osd) {
            return;
        }
        if self.map.is_up(osd) {
            self.pending.new_state.entry(osd).or_insert(OSD_UP);
            self.boot_retry.insert(osd);
            return;
        }
        self.pending.new_up_client.insert(osd);
        self.failures.remove(&osd);
        self.down_since.remove(&osd);
        let auto_out = self.map.osd_state(osd) & OSD_AUTOOUT != 0;
        if self.cfg.auto_mark_auto_out_in && auto_out && self.map.weight(osd) == WEIGHT_OUT {
            self.pending.mark_in(osd.0);
        }
    }
}
