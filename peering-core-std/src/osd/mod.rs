//! The OSD host: one sans-IO [`Osd`] per OSD daemon, doing everything between
//! the messenger, the monitor, the store and the [`Pg`]s
//! –; the seeds' `ms_fast_dispatch` → `dequeue_peering_evt` →
//! `dispatch_context` path).
//!
//! Like quinn-proto's `Endpoint` or smoltcp's `Interface`, an `Osd` does no IO,
//! reads no clock and starts no thread. Inputs are method calls:
//!
//! | input | method | Ceph |
//! |---|---|---|
//! | a frame (or decoded message) on a session | [`Osd::ms_fast_dispatch`], [`Osd::ms_dispatch`] | `ms_fast_dispatch` / `ms_dispatch` |
//! | a session reset | [`Osd::ms_handle_reset`] | `ms_handle_reset` |
//! | maps from the monitor or a peer | [`Osd::handle_osd_map`] | `handle_osd_map` → `_committed_osd_maps` → `consume_map` |
//! | a transaction is durable | [`Osd::on_commit`] | the transaction's on-commit contexts |
//! | a timer fired | [`Osd::enqueue_peering_evt`] | `enqueue_peering_evt` |
//! | the monitor session was re-established | [`Osd::ms_handle_mon_reset`] | `MonClient` reconnect → `send_alive`, `requeue_pg_temp`, boot |
//! | run the peering queue | [`Osd::process_peering_events`] | `process_peering_events` / `dequeue_peering_evt` |
//! | boot | [`Osd::load_pgs`], [`Osd::start_boot`] | `load_pgs`, `start_boot` |
//! | `osd_max_backfills` changed, store usage | [`Osd::set_max_backfills`], [`Osd::set_statfs`] | `handle_conf_change`, `osd_stat` |
//! | the monotonic clock, heartbeat clock bounds | [`Osd::set_mnow`], [`Osd::set_peer_clock_delta`] | `get_mnow`, `HeartbeatStamps` |
//!
//! Reservation requests of the PGs run on the OSD's own reservers
//! ([`AsyncReserver`]: [`Osd::local_reserver`] for recovery, backfill and
//! deletion, [`Osd::remote_reserver`] for slots granted to other primaries,
//! `osd_max_backfills` slots each, with the backfill space check); grants come
//! back as the PGs' peering events. Recovery and backfill run once a PG holds
//! its reservations ([`recovery`]), through the host's [`ObjectBackend`].
//!
//! A map raising `pg_num` splits a PG between its `AdvMap` and `ActMap`; a map
//! lowering it merges a family (the target and its sources) at the map before
//! it, after the PGs reported their readiness to the monitor
//! (`MOSDPGReadyToMerge`).
//!
//! Outputs are drained: [`Osd::poll_output`] (sends per target OSD, map shares,
//! monitor messages, transactions to persist, timers...) and
//! [`Osd::drain_drops`] (everything discarded, with Ceph's reason).
//!
//! ## Transport contract
//!
//! Ceph's peering relies on its messenger delivering a session's messages in
//! order and exactly once: a duplicated activation log inside one interval would
//! rewind a replica's acknowledged entries. Hosts bring their own transports, so
//! every message carries the sender's per-session sequence number (1, 2, 3...,
//! restarting at 1 after [`Osd::ms_handle_reset`]). A number already seen is
//! dropped ([`DropReason::DuplicateSeq`]); one that skips ahead is dropped
//! ([`DropReason::OutOfOrderSeq`]) and the session stays where it was: the
//! transport must redeliver the missing message or reset the session. Messages
//! between two OSDs go through the wire encoding ([`crate::msg::encode`]).

mod advance;
mod boot;
mod client;
mod consume;
mod create;
mod dispatch;
mod ec_write;
mod error;
mod intake;
pub mod local;
mod map_pipeline;
mod maps;
mod merge;
mod mon;
mod output;
mod queue;
pub mod recovery;
mod repop;
mod reservations;
mod reserver;
mod session;
mod slot;
mod space;
#[cfg(test)]
mod trim_tests;

#[cfg(test)]
pub(crate) mod test_support;

pub use error::{DropReason, OsdError};
pub use intake::{DispatchClass, Dispatched, Disposition};
pub use map_pipeline::{MapOutcome, OsdMaps};
pub use maps::MapHistory;
pub use output::{MapShare, MonMessage, OsdOutput, TxnId};
pub use recovery::{ObjectBackend, RecoveryOp, RecoveryReport, VersionsOnly};
pub use reserver::{AsyncReserver, Grants};
pub use session::Peer;
pub use slot::PeeringItem;
pub use space::Statfs;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use peering_core::ctx::AwaitingCommit;
use peering_core::machine::{Config, Pg};
use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, OsdId, PeerClockDelta, SpgId, Timespan};

use mon::MonState;
use session::Session;
use slot::PgSlot;
use space::Space;

/// The options of one OSD (Ceph's `osd_*` settings it reads).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct OsdConfig {
    /// `whoami`: this OSD's id.
    pub whoami: OsdId,
    /// `osd_map_max_advance` (40): the most epochs `advance_pg` moves a PG per
    /// pass before requeueing it (at least 1).
    pub osd_map_max_advance: u32,
    /// `osd_map_cache_size` (50): epochs kept beyond what PGs still need, for
    /// creations and map sharing.
    pub osd_map_cache_size: u32,
    /// The largest frame accepted ([`crate::msg::MAX_FRAME_LEN`] by default).
    pub max_frame_len: usize,
    /// The most messages one session may hold in `waiting_on_map`.
    pub max_session_waiting: usize,
    /// `osd_max_backfills` (1): the slots of the local and remote reservers.
    pub osd_max_backfills: u32,
    /// `mon_osd_backfillfull_ratio` (0.90), in percent: the backfill space
    /// check refuses a backfill that would fill the store to it.
    pub backfillfull_pct: u32,
    /// `osd_min_pg_log_entries` (250): the fewest log entries a PG keeps when
    /// its writes trim the log.
    pub min_pg_log_entries: u64,
    /// `osd_target_pg_log_entries_per_osd` (300,000): the OSD's budget of log
    /// entries, spread over its PGs (at most `peering.max_pg_log_entries`
    /// each, at least `min_pg_log_entries`).
    pub target_pg_log_entries_per_osd: u64,
    /// The peering machine's options.
    pub peering: Config,
    /// Report every state a PG enters as [`OsdOutput::Entered`] (Ceph's
    /// `log_enter` lines), each once (`false` by default). The PG's state
    /// history stays whole either way, for `pg query`.
    pub report_states: bool,
}

impl OsdConfig {
    /// Ceph's defaults for OSD `whoami`.
    pub fn new(whoami: i32) -> Self {
        OsdConfig {
            whoami: OsdId(whoami),
            osd_map_max_advance: 40,
            osd_map_cache_size: 50,
            max_frame_len: crate::msg::MAX_FRAME_LEN,
            max_session_waiting: 1024,
            osd_max_backfills: 1,
            backfillfull_pct: 90,
            min_pg_log_entries: 250,
            target_pg_log_entries_per_osd: 300_000,
            peering: Config::default(),
            report_states: false,
        }
    }
}

/// The OSD's own state (`OSD::get_state()`), as the maps move it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OsdState {
    /// Starting or marked down: waiting for a map that marks it up
    /// (`STATE_BOOTING`).
    Booting,
    /// Up in its map (`STATE_ACTIVE`).
    Active,
    /// The map says this OSD does not exist (Ceph shuts down).
    Stopped,
}

/// One OSD daemon's host logic (see the module docs).
#[derive(Debug)]
pub struct Osd {
    cfg: OsdConfig,
    state: OsdState,
    /// `up_epoch`: the epoch this OSD was last marked up (0 while down).
    up_epoch: Epoch,
    /// `bind_epoch`: the epoch this OSD last (re)bound; a map marking it up
    /// counts only if `up_from` is after it.
    bind_epoch: Epoch,
    maps: MapHistory,
    /// Trimming waits until `load_pgs` ran (until then the PGs' epochs are
    /// unknown).
    pgs_loaded: bool,
    sessions: BTreeMap<Peer, Session>,
    slots: BTreeMap<SpgId, PgSlot>,
    /// The peering queue: PGs with work, each once.
    ready: VecDeque<SpgId>,
    queued: BTreeSet<SpgId>,
    outputs: VecDeque<OsdOutput>,
    /// Sends of the current pass, per target, until `dispatch_context`.
    pending_sends: BTreeMap<OsdId, Vec<crate::msg::Message>>,
    /// Messages to this OSD itself (an EC PG's instance querying another
    /// shard this OSD holds), delivered through the loopback connection.
    loopback: VecDeque<crate::msg::Message>,
    /// The loopback queue is being delivered (its deliveries may send more).
    in_loopback: bool,
    drops: Vec<DropReason>,
    next_txn: u64,
    on_commit: BTreeMap<TxnId, (SpgId, AwaitingCommit)>,
    /// `peer_map_epoch`: the newest epoch each peer is known to have.
    peer_epochs: BTreeMap<OsdId, Epoch>,
    mon: MonState,
    /// `local_reserver`: this OSD's own recovery, backfill and deletion.
    local_reserver: AsyncReserver,
    /// `remote_reserver`: slots granted to other primaries.
    remote_reserver: AsyncReserver,
    /// The backfill space accounting.
    space: Space,
    /// The object layer recovery and backfill go through.
    backend: Box<dyn ObjectBackend>,
    /// Recovery or backfill in flight, per PG this OSD leads.
    recovery: BTreeMap<SpgId, recovery::RecoveryRun>,
    /// Client writes waiting for their commits, and replicas' replies
    /// waiting for theirs.
    writes: repop::Writes,
    /// `get_mnow()`: the host's monotonic clock since this OSD started.
    mnow: Timespan,
    /// `hb_stamps`: what heartbeats tell of each peer's clock.
    hb_stamps: BTreeMap<OsdId, PeerClockDelta>,
    /// What this OSD's primaries said of their merge readiness.
    merge_ready: merge::MergeReadiness,
}

impl Osd {
    /// A new OSD with no map and no PG, booting (`OSD::init`).
    pub fn new(cfg: OsdConfig) -> Self {
        let slots = usize::try_from(cfg.osd_max_backfills).unwrap_or(usize::MAX);
        Osd {
            cfg,
            state: OsdState::Booting,
            up_epoch: 0,
            bind_epoch: 0,
            maps: MapHistory::default(),
            pgs_loaded: false,
            sessions: BTreeMap::new(),
            slots: BTreeMap::new(),
            ready: VecDeque::new(),
            queued: BTreeSet::new(),
            outputs: VecDeque::new(),
            pending_sends: BTreeMap::new(),
            loopback: VecDeque::new(),
            in_loopback: false,
            drops: Vec::new(),
            next_txn: 0,
            on_commit: BTreeMap::new(),
            peer_epochs: BTreeMap::new(),
            mon: MonState::default(),
            local_reserver: AsyncReserver::new(slots),
            remote_reserver: AsyncReserver::new(slots),
            space: Space::default(),
            backend: Box::new(VersionsOnly::default()),
            recovery: BTreeMap::new(),
            writes: repop::Writes::default(),
            mnow: Timespan::ZERO,
            hb_stamps: BTreeMap::new(),
            merge_ready: merge::MergeReadiness::default(),
        }
    }

    /// Sets the OSD's monotonic clock (Ceph's `OSDService::get_mnow`: the time
    /// since this OSD process started). The `Osd` reads no clock: the host
    /// sets it before handing in inputs, and every PG reads it for its read
    /// leases. An earlier time than the last one is ignored.
    pub fn set_mnow(&mut self, now: Timespan) {
        self.mnow = self.mnow.max(now);
    }

    /// The monotonic clock as last set.
    pub fn mnow(&self) -> Timespan {
        self.mnow
    }

    /// Records what heartbeats tell of `peer`'s clock relative to this OSD's
    /// (Ceph's `HeartbeatStamps::peer_clock_delta_lb/ub`): a replica
    /// converts its primary's read leases with it. A host without heartbeats
    /// leaves it unset, and leases fall back to the replica's own clock.
    pub fn set_peer_clock_delta(&mut self, peer: OsdId, delta: PeerClockDelta) {
        self.hb_stamps.insert(peer, delta);
    }

    /// Hands a PG the clock inputs before it runs: `get_mnow()` and
    /// `hb_stamps[0]` (its primary's clock bounds).
    fn prime_clock(&self, pg: &mut Pg) {
        pg.set_mnow(self.mnow);
        let primary = pg.primary().osd;
        pg.set_primary_clock_delta(self.hb_stamps.get(&primary).copied().unwrap_or_default());
    }

    /// `whoami`.
    pub fn whoami(&self) -> OsdId {
        self.cfg.whoami
    }

    /// The options.
    pub fn config(&self) -> &OsdConfig {
        &self.cfg
    }

    /// The OSD's state.
    pub fn state(&self) -> OsdState {
        self.state
    }

    /// `osdmap->get_epoch()`: the newest consumed map (0 before the first).
    pub fn epoch(&self) -> Epoch {
        self.maps.epoch()
    }

    /// `up_epoch`: when this OSD was last marked up (0 while not up).
    pub fn up_epoch(&self) -> Epoch {
        self.up_epoch
    }

    /// The maps held.
    pub fn maps(&self) -> &MapHistory {
        &self.maps
    }

    /// True when this OSD is active and up in its newest map: the condition for
    /// `dispatch_context` to send anything.
    pub fn is_up(&self) -> bool {
        self.state == OsdState::Active
            && self.maps.newest().is_some_and(|m| m.is_up(self.cfg.whoami))
    }

    /// The PG instance `pgid`, if this OSD has it.
    pub fn pg(&self, pgid: SpgId) -> Option<&Pg> {
        self.slots.get(&pgid).and_then(|s| s.pg.as_ref())
    }

    /// Every PG instance this OSD has, in order.
    pub fn pgs(&self) -> impl Iterator<Item = (SpgId, &Pg)> + '_ {
        self.slots
            .iter()
            .filter_map(|(id, s)| s.pg.as_ref().map(|p| (*id, p)))
    }

    /// The next output, oldest first (`poll_transmit`-style).
    pub fn poll_output(&mut self) -> Option<OsdOutput> {
        self.outputs.pop_front()
    }

    /// Every pending output, oldest first.
    pub fn drain_outputs(&mut self) -> Vec<OsdOutput> {
        self.outputs.drain(..).collect()
    }

    /// Everything discarded since the last call, in order, with Ceph's reason.
    pub fn drain_drops(&mut self) -> Vec<DropReason> {
        std::mem::take(&mut self.drops)
    }

    /// True while the peering queue has work ([`Osd::process_peering_events`]).
    pub fn has_peering_work(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Records a discarded input.
    fn drop_with(&mut self, reason: DropReason) {
        self.drops.push(reason);
    }

    /// Puts `pgid` on the peering queue once (`OSDShard::_enqueue`).
    fn queue_pg(&mut self, pgid: SpgId) {
        if self.queued.insert(pgid) {
            self.ready.push_back(pgid);
        }
    }
}
