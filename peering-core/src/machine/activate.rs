//! `activate`: going active, on the primary and on replicas, and
//! the primary's unfound bookkeeping it starts (`build_might_have_unfound`,
//! `discover_all_missing`).

use super::peering_state::PeeringState;
use crate::error::Crash;
use crate::error::Invariant;
use crate::types::StateId;
use alloc::collections::BTreeSet;

use crate::ctx::{DirectMessage, HostNotification, InfoMsg, OnCommit, RecoveryCtx};
use crate::error::PeeringError;
use crate::event::{ActivateCommitted, Event, PeeringEvt, PgLogMsg};
use crate::log::{LogEffects, Missing, PgLogT};
use crate::map::{MapFlags, OsdMapView};
use crate::types::{EVersion, Epoch, ObjectId, PgShard, PgState, QueryKind, SpgId};

impl PeeringState {
    /// `perform_deletes_during_peering()`: the map lacks `RECOVERY_DELETES`.
    pub(crate) fn perform_deletes_during_peering(map: &dyn OsdMapView) -> bool {
        !map.flags().contains(MapFlags::RECOVERY_DELETES)
    }

    /// `activate(t, activation_epoch, ctx)`.
    pub(crate) fn activate(
        &mut self,
        activation_epoch: Epoch,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        let state = if self.is_primary() {
            StateId::Active
        } else {
            StateId::ReplicaActive
        };
        if self.is_peered() {
            return Err(PeeringError::Crashed(Crash::Invariant {
                state,
                what: Invariant::ActivateWhilePeered,
            }));
        }
        self.state.clear(PgState::DOWN);
        self.send_notify = false;

        if self.is_primary() {
            // Only a writeable acting set makes the activation count as "started".
            if self.acting_set_writeable(map) {
                self.info.last_epoch_started = activation_epoch;
                self.info.last_interval_started = self.info.history.same_interval_since;
            }
        } else if self.is_acting(self.whoami) && self.info.last_epoch_started < activation_epoch {
            // A replica never lowers its les (a merely peered primary sends a lower one).
            self.info.last_epoch_started = activation_epoch;
            self.info.last_interval_started = self.info.history.same_interval_since;
        }

        self.min_last_complete_ondisk = EVersion::ZERO;
        if self.is_primary() {
            self.last_update_ondisk = self.info.last_update;
        }
        self.last_update_applied = self.info.last_update;
        self.need_up_thru = false;
        self.dirty_all();

        ctx.on_commit.push(OnCommit::Event(PeeringEvt::new(
            self.epoch,
            Event::ActivateCommitted(ActivateCommitted {
                epoch: self.epoch,
                activation_epoch,
            }),
        )));

        if !self.pg_log.missing().have_missing() {
            self.info.last_complete = self.info.last_update;
            self.info.stats.num_objects_missing = 0;
            self.pg_log.log.reset_recovery_pointers();
        } else {
            self.info.stats.num_objects_missing =
                i64::try_from(self.pg_log.missing().num_missing()).unwrap_or(i64::MAX);
            self.pg_log.activate_not_complete(&mut self.info)?;
        }

        if self.is_primary() {
            // Renewed now, shared with the activation messages, but not
            // scheduled until every peer is active
            // (`all_activated_and_committed`).
            self.renew_lease();
            if self.lease.prior_readable_down_osds.is_empty() {
                self.clear_prior_readable_until_ub();
            }
            let _ = self.refresh_prior_readable_until_ub();
            self.activate_peers(map, ctx)?;
            self.set_up_missing_loc(map, ctx)?;
            if u32::try_from(self.actingset.len()).is_ok_and(|n| self.pool.size > n) {
                self.state.set(PgState::UNDERSIZED);
            }
            self.state.set(PgState::ACTIVATING);
            ctx.notifications.push(HostNotification::Activate);
        }
        // Only a writeable interval commits its rollbackable entries.
        if self.acting_set_writeable(map) {
            let mut effects = LogEffects::new();
            self.pg_log.roll_forward(&mut effects);
            Self::apply_effects(ctx, effects);
        }
        Ok(())
    }

    /// what each other member of acting_recovery_backfill gets.
    fn activate_peers(
        &mut self,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        let pgid = self.info.pgid.pgid;
        let peers = self.acting_recovery_backfill_peers();
        let may_include_deletes = !Self::perform_deletes_during_peering(map);
        for peer in peers {
            let Some(mut pi) = self.peer_info.get(&peer).cloned() else {
                return Err(PeeringError::Crashed(Crash::Invariant {
                    state: StateId::Active,
                    what: Invariant::MissingPeerInfo(peer),
                }));
            };
            let mut pm = self
                .peer_missing
                .remove(&peer)
                .unwrap_or_else(|| Missing::new(may_include_deletes));
            let needs_past_intervals = pi.dne();
            // Kept for the backfill reservation request; never negative.
            let bytes = pi.stats.num_bytes.max(0);
            self.peer_bytes.insert(peer, bytes);
            let base = |info| PgLogMsg {
                pgid: SpgId::new(pgid, peer.shard),
                from: self.whoami.shard,
                epoch: self.epoch,
                query_epoch: self.last_peering_reset,
                info,
                log: PgLogT::default(),
                missing: Missing::new(may_include_deletes),
                past_intervals: None,
                lease: None,
            };
            let mut msg = None;
            if pi.last_update == self.info.last_update {
                // Up to date: an info is enough (or an empty log for an empty peer).
                if !pi.is_empty() {
                    let info = self.info.clone();
                    let lease = Some(self.get_lease());
                    self.send_info(ctx, peer, info, lease, None);
                } else {
                    msg = Some(base(self.info.clone()));
                }
            } else if self.pg_log.log().tail() > pi.last_update
                || pi.last_backfill.is_min()
                || (self.backfill_targets.contains(&peer) && pi.last_backfill.is_max())
            {
                // Backfill (restart): the peer starts empty but caught up.
                pi.last_update = self.info.last_update;
                pi.last_complete = self.info.last_update;
                pi.last_backfill = ObjectId::MIN;
                pi.last_epoch_started = self.info.last_epoch_started;
                pi.last_interval_started = self.info.last_interval_started;
                pi.history = self.info.history.clone();
                pi.stats = crate::types::PgStats {
                    num_bytes: bytes,
                    ..Default::default()
                };
                let log = PgLogT::copy_up_to(
                    self.pg_log.log().log(),
                    self.cfg.max_pg_log_entries,
                    self.cfg.pg_log_dups_tracked,
                );
                pi.log_tail = log.tail;
                let mut m = base(pi.clone());
                m.log = log;
                msg = Some(m);
                pm.clear();
            } else {
                // Catch up by log: our entries after its last_update.
                let mut m = base(self.info.clone());
                m.log = self
                    .pg_log
                    .copy_after(pi.last_update, self.cfg.pg_log_dups_tracked);
                msg = Some(m);
            }
            if let Some(mut m) = msg {
                if needs_past_intervals {
                    m.past_intervals = Some(self.past_intervals.clone());
                }
                m.lease = Some(self.get_lease());
                if !pi.last_backfill.is_min() {
                    for e in &m.log.entries {
                        if e.soid <= pi.last_backfill && !e.is_error() {
                            if !may_include_deletes && e.is_delete() {
                                pm.rm(&e.soid, e.version);
                            } else {
                                pm.add_next_event(e);
                            }
                        }
                    }
                }
                ctx.send_direct(peer.osd, DirectMessage::Log(m));
            }
            pi.last_update = self.info.last_update;
            if !pm.have_missing() {
                pi.last_complete = pi.last_update;
            }
            self.peer_info.insert(peer, pi);
            self.peer_missing.insert(peer, pm);
        }
        Ok(())
    }

    /// Steps 7c–7d of: MissingLoc learns what each acting/backfill shard
    /// needs and who can supply it; strays we heard from are searched; peers that
    /// may hold unfound objects are asked for their logs.
    fn set_up_missing_loc(
        &mut self,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        let mut complete_shards = BTreeSet::new();
        let members: super::peering_state::Shards =
            self.acting_recovery_backfill.iter().copied().collect();
        for s in &members {
            if *s == self.primary {
                self.missing_loc.add_active_missing(self.pg_log.missing())?;
                if !self.pg_log.missing().have_missing() {
                    complete_shards.insert(*s);
                }
            } else if let Some(pm) = self.peer_missing.get(s) {
                self.missing_loc.add_active_missing(pm)?;
                let backfilled = self
                    .peer_info
                    .get(s)
                    .is_some_and(|pi| pi.last_backfill.is_max());
                if !pm.have_missing() && backfilled {
                    complete_shards.insert(*s);
                }
            }
        }
        self.might_have_unfound.clear();
        if self.needs_recovery() {
            if complete_shards.len() + 1 == members.len() {
                // Only one shard is behind: every complete one is a source.
                self.missing_loc.add_batch_sources_info(&complete_shards);
            } else {
                self.missing_loc
                    .add_source_info(self.whoami, &self.info, self.pg_log.missing());
                for s in members.iter().filter(|s| **s != self.whoami) {
                    if let (Some(pi), Some(pm)) = (self.peer_info.get(s), self.peer_missing.get(s))
                    {
                        self.missing_loc.add_source_info(*s, pi, pm);
                    }
                }
            }
            let strays: alloc::vec::Vec<PgShard> = self
                .peer_missing
                .keys()
                .copied()
                .filter(|p| !self.acting_recovery_backfill.contains(p))
                .collect();
            for p in strays {
                self.search_for_missing(p, ctx);
            }
            self.build_might_have_unfound();
            self.discover_all_missing(map, ctx);
        }
        Ok(())
    }

    /// `search_for_missing`: does `from` (whose info and missing set we
    /// hold) have good copies of objects we need? If so, nudge it with its info as
    /// we see it.
    pub(crate) fn search_for_missing(&mut self, from: PgShard, ctx: &mut RecoveryCtx) -> bool {
        let (Some(oinfo), Some(omissing)) =
            (self.peer_info.get(&from), self.peer_missing.get(&from))
        else {
            return false;
        };
        let unfound_before = self.missing_loc.num_unfound();
        let found = self.missing_loc.add_source_info(from, oinfo, omissing);
        if found && unfound_before != self.missing_loc.num_unfound() {
            Self::publish(ctx);
        }
        if found && !oinfo.last_update.is_zero() {
            let mut tinfo = oinfo.clone();
            tinfo.pgid.shard = self.whoami.shard;
            let msg = InfoMsg {
                pgid: SpgId::new(self.info.pgid.pgid, from.shard),
                from: self.whoami.shard,
                min_epoch: self.epoch,
                epoch: self.epoch,
                info: tinfo,
                lease: None,
                lease_ack: None,
            };
            self.send_info_msg(ctx, from.osd, msg);
        }
        found
    }

    /// `build_might_have_unfound`: every past participant and every peer we
    /// heard from may hold objects we lack.
    pub(crate) fn build_might_have_unfound(&mut self) {
        self.might_have_unfound = self.past_intervals.might_have_unfound(self.whoami);
        self.might_have_unfound
            .extend(self.peer_info.keys().copied().filter(|s| *s != self.whoami));
    }

    /// `discover_all_missing`: ask every peer that may have unfound objects,
    /// and that we have not asked yet, for its whole log and missing set.
    pub(crate) fn discover_all_missing(&mut self, map: &dyn OsdMapView, ctx: &mut RecoveryCtx) {
        let candidates: super::peering_state::Shards =
            self.might_have_unfound.iter().copied().collect();
        for peer in candidates {
            if peer == self.whoami
                || !map.is_up(peer.osd)
                || self.peer_purged.contains(&peer)
                || self
                    .peer_info
                    .get(&peer)
                    .is_some_and(|pi| pi.is_empty() || pi.dne())
                || self.peer_missing.contains_key(&peer)
                || self.peer_log_requested.contains(&peer)
                || self.peer_missing_requested.contains(&peer)
            {
                continue;
            }
            self.peer_missing_requested.insert(peer);
            let q = self.make_query(QueryKind::FullLog, peer);
            self.send_query(ctx, peer, q);
        }
    }
}
