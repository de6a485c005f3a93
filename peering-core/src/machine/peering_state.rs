//! [`PeeringState`]: the data of one PG instance's peering core (Ceph's
//! `PeeringState` members), and the small helpers every state uses.

use alloc::collections::{BTreeMap, BTreeSet};

use super::config::Config;
use crate::acting::{is_member, pg_shard_at, stretch_set_can_peer_in};
use crate::ctx::{BufferedMessages, HostNotification, InfoMsg, OnCommit, RecoveryCtx, TxOp};
use crate::event::PgNotify;
use crate::intervals::{PastIntervals, UpActing};
use crate::log::{LogEffects, Missing, PgLog};
use crate::map::{OsdMapView, PoolInfo};
use crate::types::{
    EVersion, Epoch, OsdId, OsdVec, PgInfo, PgLease, PgLeaseAck, PgQuery, PgShard, PgState,
    QueryKind, ShardId, SpgId,
};

/// A snapshot of a few shards (an acting set, its peers) taken to iterate while the
/// peering state is mutated: inline up to the largest common EC width, so the
/// activation and clean paths allocate nothing for it (B1).
pub(crate) type Shards = smallvec::SmallVec<[crate::types::PgShard; 12]>;

/// Ceph's `PeeringState` members that the peering path reads and writes.
///
/// Scrub bookkeeping is not modelled. The host reads
/// it through [`super::Pg::peering_state`]; only the machine writes it.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeeringState {
    /// The options in force.
    pub cfg: Config,
    /// `pg_whoami`: this instance.
    pub whoami: PgShard,
    /// The pool as of the current map (`pool.info`).
    pub pool: PoolInfo,
    /// The epoch of the PG's current map (`osdmap_ref->get_epoch()`).
    pub epoch: Epoch,
    /// `last_persisted_osdmap`: the epoch the info was last written at.
    pub last_persisted_osdmap: Epoch,
    /// The oldest map the host still stores (`pl->oldest_stored_osdmap()`).
    pub oldest_stored_osdmap: Epoch,
    /// `role`: 0 primary, >0 replica position, -1 not in acting.
    pub role: i32,
    /// `state`: the `PG_STATE_*` bits.
    pub state: PgState,
    /// `up`, `up_primary`, `acting`, `primary` as the map gives them (osd ids).
    pub mapping: UpActing,
    /// `primary` as a shard.
    pub primary: PgShard,
    /// `up_primary` as a shard.
    pub up_primary: PgShard,
    /// `upset`: the up shards.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub upset: BTreeSet<PgShard>,
    /// `actingset`: the acting shards.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub actingset: BTreeSet<PgShard>,
    /// `acting_recovery_backfill`: every shard that activates and takes writes.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting_recovery_backfill: BTreeSet<PgShard>,
    /// `send_notify`: a non-primary still has to tell the primary about itself.
    pub send_notify: bool,
    /// `dirty_info`.
    pub dirty_info: bool,
    /// `dirty_big_info` (past intervals).
    pub dirty_big_info: bool,
    /// `info`.
    pub info: PgInfo,
    /// `past_intervals`.
    pub past_intervals: PastIntervals,
    /// `pg_log`: the log and our missing set.
    pub pg_log: PgLog,
    /// `last_peering_reset`: the epoch peering last restarted; events from before it
    /// are stale.
    pub last_peering_reset: Epoch,
    /// `last_update_ondisk`.
    pub last_update_ondisk: EVersion,
    /// `last_complete_ondisk`.
    pub last_complete_ondisk: EVersion,
    /// `last_update_applied`.
    pub last_update_applied: EVersion,
    /// `flushes_in_progress`.
    pub flushes_in_progress: u32,
    /// `messages_pending_flush`: buffered sends held until `IntervalFlush`;
    /// `Some` while outgoing messages are blocked (boxed: rare and short-lived,
    /// so idle PGs do not carry its inline size, B11).
    pub pending_flush: Option<alloc::boxed::Box<BufferedMessages>>,
    /// Host input: writes of the previous interval may still be in flight, so
    /// `try_flush_or_schedule_async` would schedule a flush.
    pub writes_in_flight: bool,
    /// `stray_set`: peers with data that are neither up nor acting.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub stray_set: BTreeSet<PgShard>,
    /// `peer_info`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_info: super::shard_map::ShardMap<PgInfo>,
    /// `peer_bytes`: backfill targets' byte counts.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_bytes: BTreeMap<PgShard, i64>,
    /// `peer_purged`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_purged: BTreeSet<PgShard>,
    /// `peer_missing`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_missing: super::shard_map::ShardMap<Missing>,
    /// `peer_log_requested`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_log_requested: BTreeSet<PgShard>,
    /// `peer_missing_requested`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_missing_requested: BTreeSet<PgShard>,
    /// `want_acting`: the acting set asked of the monitor.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub want_acting: OsdVec,
    /// `peer_last_complete_ondisk`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_last_complete_ondisk: super::shard_map::ShardMap<EVersion>,
    /// `min_last_complete_ondisk`.
    pub min_last_complete_ondisk: EVersion,
    /// `pg_trim_to`: how far the primary's next write trims the log (its own
    /// and, through the `MOSDRepOp`, the replicas').
    pub pg_trim_to: EVersion,
    /// `blocked_by`: for stats, what peering waits on. Ceph's `set<int>`: OSD ids,
    /// except in `Active`, where (a Ceph quirk) shard ids are stored.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub blocked_by: BTreeSet<i32>,
    /// `need_up_thru`.
    pub need_up_thru: bool,
    /// `peer_activated`: shards whose activation committed.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_activated: BTreeSet<PgShard>,
    /// `backfill_targets`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub backfill_targets: BTreeSet<PgShard>,
    /// `async_recovery_targets`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub async_recovery_targets: BTreeSet<PgShard>,
    /// `might_have_unfound`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub might_have_unfound: BTreeSet<PgShard>,
    /// `missing_loc`: what the acting set needs and where to find it.
    pub missing_loc: super::missing_loc::MissingLoc,
    /// `backfill_reserved`.
    pub backfill_reserved: bool,
    /// The read-lease members and the clock they are measured on.
    pub lease: super::read_lease::ReadLease,
}

impl PeeringState {
    /// A fresh instance of `pgid` on `whoami` (not yet initialised).
    pub(crate) fn new(
        cfg: Config,
        whoami: PgShard,
        pgid: SpgId,
        pool: PoolInfo,
        epoch: Epoch,
    ) -> Self {
        let mut info = PgInfo::new(pgid);
        info.pgid = pgid;
        PeeringState {
            cfg,
            whoami,
            pool,
            epoch,
            last_persisted_osdmap: 0,
            oldest_stored_osdmap: 0,
            role: -1,
            state: PgState::EMPTY,
            mapping: UpActing::default(),
            primary: PgShard::UNDEF,
            up_primary: PgShard::UNDEF,
            upset: BTreeSet::new(),
            actingset: BTreeSet::new(),
            acting_recovery_backfill: BTreeSet::new(),
            send_notify: false,
            dirty_info: false,
            dirty_big_info: false,
            info,
            past_intervals: PastIntervals::default(),
            pg_log: PgLog::default(),
            last_peering_reset: 0,
            last_update_ondisk: EVersion::ZERO,
            last_complete_ondisk: EVersion::ZERO,
            last_update_applied: EVersion::ZERO,
            flushes_in_progress: 0,
            pending_flush: None,
            writes_in_flight: false,
            stray_set: BTreeSet::new(),
            peer_info: super::shard_map::ShardMap::new(),
            peer_bytes: BTreeMap::new(),
            peer_purged: BTreeSet::new(),
            peer_missing: super::shard_map::ShardMap::new(),
            peer_log_requested: BTreeSet::new(),
            peer_missing_requested: BTreeSet::new(),
            want_acting: OsdVec::new(),
            peer_last_complete_ondisk: super::shard_map::ShardMap::new(),
            min_last_complete_ondisk: EVersion::ZERO,
            pg_trim_to: EVersion::ZERO,
            blocked_by: BTreeSet::new(),
            need_up_thru: false,
            peer_activated: BTreeSet::new(),
            backfill_targets: BTreeSet::new(),
            async_recovery_targets: BTreeSet::new(),
            might_have_unfound: BTreeSet::new(),
            missing_loc: super::missing_loc::MissingLoc::new(
                crate::intervals::RecoverablePredicate::for_pool(&pool),
            ),
            backfill_reserved: false,
            lease: super::read_lease::ReadLease {
                // Ceph sets it on the first map advance only; a PG that
                // activated before one would renew a zero-length lease on a
                // zero-delay timer, so it starts from the pool here.
                readable_interval: pool.readable_interval(&cfg),
                ..Default::default()
            },
        }
    }

    /// `is_primary()`: this instance is the acting primary.
    pub fn is_primary(&self) -> bool {
        self.whoami == self.primary
    }

    /// `is_nonprimary()`: in the acting set, not primary.
    pub fn is_nonprimary(&self) -> bool {
        self.role >= 0 && !self.is_primary()
    }

    /// `is_erasure()` of the pool.
    pub fn is_ec(&self) -> bool {
        self.pool.is_erasure()
    }

    /// `is_peered()`: `ACTIVE` or `PEERED`.
    pub fn is_peered(&self) -> bool {
        self.state.contains(PgState::ACTIVE) || self.state.contains(PgState::PEERED)
    }

    /// `is_up(shard)`.
    pub fn is_up(&self, s: PgShard) -> bool {
        is_member(&self.mapping.up, s, self.is_ec())
    }

    /// `is_acting(shard)`.
    pub fn is_acting(&self, s: PgShard) -> bool {
        is_member(&self.mapping.acting, s, self.is_ec())
    }

    /// `acting_set_writeable()`: enough acting shards to serve writes, and, for a
    /// stretch pool, an acting set spread as `stretch_set_can_peer` requires in
    /// `map`, the PG's current map.
    pub fn acting_set_writeable(&self, map: &dyn OsdMapView) -> bool {
        u32::try_from(self.actingset.len()).is_ok_and(|n| n >= self.pool.min_size)
            && stretch_set_can_peer_in(&self.pool, &self.mapping.acting, map)
    }

    /// `needs_recovery()`: our missing set or an acting/backfill peer's is
    /// non-empty.
    pub fn needs_recovery(&self) -> bool {
        if self.pg_log.missing().have_missing() {
            return true;
        }
        self.acting_recovery_backfill
            .iter()
            .filter(|s| **s != self.whoami)
            .any(|s| self.peer_missing.get(s).is_some_and(Missing::have_missing))
    }

    /// `acting_recovery_backfill` minus ourselves: the peers `activate` and
    /// `share_pg_info` address, snapshotted so the state can be mutated while
    /// walking them (inline, no allocation, see [`super::peering_state::Shards`]).
    pub(crate) fn acting_recovery_backfill_peers(&self) -> super::peering_state::Shards {
        self.acting_recovery_backfill
            .iter()
            .copied()
            .filter(|p| *p != self.whoami)
            .collect()
    }

    /// `needs_backfill()`: some backfill target has not finished.
    pub fn needs_backfill(&self) -> bool {
        self.backfill_targets.iter().any(|s| {
            self.peer_info
                .get(s)
                .is_some_and(|pi| !pi.last_backfill.is_max())
        })
    }

    /// `has_been_up_since(osd, epoch)`: up now and continuously since `epoch`.
    pub(crate) fn has_been_up_since(map: &dyn OsdMapView, osd: OsdId, epoch: Epoch) -> bool {
        map.is_up(osd) && map.up_from(osd) <= epoch
    }

    /// Ceph's `pg_notify_t` this instance sends its primary.
    pub(crate) fn make_notify(&self, query_epoch: Epoch) -> PgNotify {
        PgNotify {
            query_epoch,
            epoch_sent: self.epoch,
            info: self.info.clone(),
            to: self.primary.shard,
            from: self.whoami.shard,
            past_intervals: self.past_intervals.clone(),
        }
    }

    /// A `pg_query_t` of `kind` to the shard `to`, with our history and epoch.
    pub(crate) fn make_query(&self, kind: QueryKind, to: PgShard) -> PgQuery {
        PgQuery {
            kind,
            history: self.info.history.clone(),
            epoch_sent: self.epoch,
            to: to.shard,
            from: self.whoami.shard,
        }
    }

    /// `send_query` (buffered): into the context, or the flush-pending buffer while
    /// outgoing messages are blocked.
    pub(crate) fn send_query(&mut self, ctx: &mut RecoveryCtx, to: PgShard, query: PgQuery) {
        let pgid = SpgId::new(self.info.pgid.pgid, to.shard);
        match self.pending_flush.as_mut() {
            Some(b) => b.send_query(to.osd, pgid, query),
            None => ctx.send_query(to.osd, pgid, query),
        }
    }

    /// `send_notify` (buffered).
    pub(crate) fn send_notify(&mut self, ctx: &mut RecoveryCtx, to: OsdId, notify: PgNotify) {
        match self.pending_flush.as_mut() {
            Some(b) => b.send_notify(to, notify),
            None => ctx.send_notify(to, notify),
        }
    }

    /// `send_info` (buffered) of `info` to the PG shard `to`, with the read
    /// lease (primary) or lease acknowledgement (replica) it carries.
    pub(crate) fn send_info(
        &mut self,
        ctx: &mut RecoveryCtx,
        to: PgShard,
        info: PgInfo,
        lease: Option<PgLease>,
        lease_ack: Option<PgLeaseAck>,
    ) {
        let msg = InfoMsg {
            pgid: SpgId::new(self.info.pgid.pgid, to.shard),
            from: self.whoami.shard,
            min_epoch: self.epoch,
            epoch: self.epoch,
            info,
            lease,
            lease_ack,
        };
        self.send_info_msg(ctx, to.osd, msg);
    }

    /// `send_info` (buffered) of a prepared message.
    pub(crate) fn send_info_msg(&mut self, ctx: &mut RecoveryCtx, to: OsdId, msg: InfoMsg) {
        match self.pending_flush.as_mut() {
            Some(b) => b.send_info(to, msg),
            None => ctx.send_info(to, msg),
        }
    }

    /// Reset and Stray/ReplicaActive `ActMap`: a non-primary notifies the primary
    /// until activated (Reset, Stray, ReplicaActive), its history carrying the
    /// prior intervals' read bound as of now.
    pub(crate) fn notify_primary_if_needed(&mut self, ctx: &mut RecoveryCtx) {
        if self.send_notify && self.primary.osd.0 >= 0 {
            let _ = self.refresh_prior_readable_until_ub();
            let n = self.make_notify(self.epoch);
            let to = self.primary.osd;
            self.send_notify(ctx, to, n);
        }
    }

    /// `set_last_peering_reset`: a new peering attempt; drop held messages and
    /// block outgoing ones if the previous interval's writes are not durable yet.
    pub(crate) fn set_last_peering_reset(&mut self, ctx: &mut RecoveryCtx) {
        if self.last_peering_reset != self.epoch {
            self.last_peering_reset = self.epoch;
            self.pending_flush = None;
            if self.writes_in_flight {
                self.pending_flush = Some(alloc::boxed::Box::default());
                ctx.notifications.push(HostNotification::FlushRequested);
            }
        }
    }

    /// `end_block_outgoing` (`IntervalFlush`): held messages go out, in front
    /// of what this call produced.
    pub(crate) fn end_block_outgoing(&mut self, ctx: &mut RecoveryCtx) {
        if let Some(held) = self.pending_flush.take() {
            ctx.accept_buffered(*held);
        }
    }

    /// `start_flush(t)`: the host calls back `complete_flush` once the
    /// transaction is durable.
    pub(crate) fn start_flush(&mut self, ctx: &mut RecoveryCtx) {
        self.flushes_in_progress = self.flushes_in_progress.saturating_add(1);
        ctx.on_commit.push(OnCommit::CompleteFlush);
    }

    /// `publish_stats_to_osd`.
    pub(crate) fn publish(ctx: &mut RecoveryCtx) {
        ctx.publish_stats = true;
    }

    /// `dirty_info = dirty_big_info = true`.
    pub(crate) fn dirty_all(&mut self) {
        self.dirty_info = true;
        self.dirty_big_info = true;
    }

    /// Appends the log's object side effects to the transaction.
    pub(crate) fn apply_effects(ctx: &mut RecoveryCtx, mut effects: LogEffects) {
        if !effects.is_empty() {
            ctx.transaction.push(TxOp::LogEffects(effects.drain()));
        }
    }

    /// `write_if_dirty(t)` / `prepare_write`: persist what changed.
    pub(crate) fn write_if_dirty(&mut self, ctx: &mut RecoveryCtx) {
        if self.dirty_info || self.dirty_big_info {
            ctx.transaction.push(TxOp::WriteInfo {
                info: self.info.clone(),
                epoch: self.epoch,
                past_intervals: self.dirty_big_info.then(|| self.past_intervals.clone()),
            });
            self.last_persisted_osdmap = self.epoch;
            self.dirty_info = false;
            self.dirty_big_info = false;
        }
        if self.pg_log.is_dirty() {
            ctx.transaction.push(TxOp::WriteLog {
                log: self.pg_log.log().log().clone(),
                missing: self.pg_log.missing().clone(),
            });
            self.pg_log.mark_clean();
        }
    }

    /// `update_heartbeat_peers` (primary): acting ∪ up ∪ every peer we have info from.
    pub(crate) fn update_heartbeat_peers(&self, ctx: &mut RecoveryCtx) {
        if !self.is_primary() {
            return;
        }
        // Extended, not collected: see `set_shards`.
        let mut peers = BTreeSet::new();
        peers.extend(
            self.mapping
                .acting
                .iter()
                .chain(self.mapping.up.iter())
                .copied()
                .filter(|o| o.is_valid())
                .chain(self.peer_info.keys().map(|s| s.osd)),
        );
        ctx.notifications
            .push(HostNotification::HeartbeatPeers(peers));
    }

    /// `init_primary_up_acting`: the shard sets and primaries of a mapping.
    pub(crate) fn init_primary_up_acting(&mut self, m: &UpActing) {
        let ec = self.is_ec();
        self.mapping = m.clone();
        set_shards(&mut self.actingset, &m.acting, ec);
        set_shards(&mut self.upset, &m.up, ec);
        self.up_primary = primary_shard(&m.up, m.up_primary, ec);
        self.primary = primary_shard(&m.acting, m.acting_primary, ec);
    }

    /// `calc_pg_role`.
    pub(crate) fn calc_role(&self) -> i32 {
        let acting = &self.mapping.acting;
        if self.is_ec() {
            let Ok(i) = usize::try_from(self.whoami.shard.0) else {
                return -1;
            };
            if acting.get(i) == Some(&self.whoami.osd) {
                return i32::from(self.whoami.shard.0);
            }
            return -1;
        }
        acting
            .iter()
            .position(|o| *o == self.whoami.osd)
            .and_then(|i| i32::try_from(i).ok())
            .unwrap_or(-1)
    }
}

/// The shards of the osd vector `v` (holes skipped), in slot order.
fn shards_of(v: &[OsdId], ec: bool) -> impl Iterator<Item = PgShard> + '_ {
    v.iter()
        .enumerate()
        .filter(|(_, o)| !o.is_none())
        .map(move |(i, o)| pg_shard_at(*o, i, ec))
}

/// Makes `set` the shard set of `v`. A set that already holds exactly those shards
/// is left alone: a BTreeSet frees its nodes when cleared, so rebuilding an
/// unchanged set would cost allocations on every interval for nothing.
fn set_shards(set: &mut BTreeSet<PgShard>, v: &[OsdId], ec: bool) {
    // Equal as sets: every wanted shard is held and every held shard is wanted
    // (quadratic, but over one acting or up vector).
    let same = shards_of(v, ec).all(|s| set.contains(&s))
        && set.iter().all(|h| shards_of(v, ec).any(|s| s == *h));
    if !same {
        // Inserted one by one, not collected: `collect` sorts through a temporary
        // vector first, an extra allocation for a handful of shards.
        set.clear();
        set.extend(shards_of(v, ec));
    }
}

fn primary_shard(v: &[OsdId], p: OsdId, ec: bool) -> PgShard {
    if !ec {
        return PgShard::new(p, ShardId::NO_SHARD);
    }
    v.iter()
        .position(|o| *o == p && p.is_valid())
        .map_or(PgShard::UNDEF, |i| pg_shard_at(p, i, ec))
}

impl PeeringState {
    /// `check_past_interval_bounds`: the past intervals cover exactly the
    /// epochs they must. Ceph aborts the OSD otherwise; here the PG crashes.
    pub(crate) fn check_past_interval_bounds(
        &self,
        _state: crate::types::StateId,
    ) -> Result<(), crate::error::PeeringError> {
        let required = crate::intervals::required_past_interval_bounds(
            &self.info.history,
            self.oldest_stored_osdmap,
        );
        self.past_intervals
            .check_past_interval_bounds(required, self.oldest_stored_osdmap)
            .map(|_| ())
            .map_err(crate::error::PeeringError::from)
    }

    /// `calc_min_last_complete_ondisk`: the oldest `last_complete_ondisk`
    /// of all acting/backfill shards, once every one has reported.
    pub(crate) fn calc_min_last_complete_ondisk(&mut self) {
        let mut min = self.last_complete_ondisk;
        for s in &self.acting_recovery_backfill {
            if *s == self.whoami {
                continue;
            }
            match self.peer_last_complete_ondisk.get(s) {
                Some(v) => min = min.min(*v),
                None => return,
            }
        }
        self.min_last_complete_ondisk = min;
    }
}
