//! What the machine asks of the host other than messages and persistence
//! timers, reservations, monitor requests, notifications.

use alloc::collections::BTreeSet;

use crate::event::PeeringEvt;
use crate::types::{EVersion, Epoch, ObjectId, OsdId, OsdVec, PgId, PgShard, Timespan};

/// An event to inject after a delay (`schedule_event_after`). Time is the
/// host's: the machine only says how long to wait.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Timer {
    /// How long to wait.
    pub delay: Timespan,
    /// What to deliver then (it carries the scheduling epoch, so a reset in between
    /// makes the host drop it).
    pub event: PeeringEvt,
}

/// What the host must do once the context's transaction has committed
/// (`schedule_event_on_commit`, `start_flush_on_transaction`, `on_clean`).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(clippy::large_enum_variant)]
pub enum OnCommit {
    /// Deliver this event (e.g. `ActivateCommitted`).
    Event(PeeringEvt),
    /// Call [`crate::machine::Pg::complete_flush`] (`start_flush`).
    CompleteFlush,
    /// The Clean transaction committed: call [`crate::machine::Pg::purge_strays`]
    /// (Ceph's `on_clean` commit callback).
    PurgeStrays,
    /// `C_DeleteMore`: a deletion step committed. List at most
    /// `max` objects of the PG's collection that sort after `after` (all of them
    /// from the start when `None`) and deliver them, at `epoch`, as
    /// [`crate::event::Event::DeleteSome`]; an empty listing finishes the deletion.
    DeleteMore {
        /// The map epoch the step ran at (the event's `epoch_sent`, so a reset in
        /// between makes the host drop it).
        epoch: Epoch,
        /// The deletion cursor: the last object removed so far.
        after: Option<ObjectId>,
        /// `osd_target_transaction_size`: the most objects one step removes.
        max: u32,
    },
}

/// A request to the local or remote reserver.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(clippy::large_enum_variant)]
pub enum ReservationOp {
    /// `request_local_background_io_reservation`: inject `on_grant` when granted,
    /// `on_preempt` if later preempted.
    RequestLocal {
        /// Priority.
        priority: u32,
        /// Event to deliver on grant.
        on_grant: PeeringEvt,
        /// Event to deliver on preemption.
        on_preempt: Option<PeeringEvt>,
    },
    /// `update_local_background_io_priority`.
    UpdateLocalPriority {
        /// The new priority.
        priority: u32,
    },
    /// `cancel_local_background_io_reservation`.
    CancelLocal,
    /// `request_remote_recovery_reservation` (replica side).
    RequestRemote {
        /// Priority.
        priority: u32,
        /// Event to deliver on grant.
        on_grant: PeeringEvt,
        /// Event to deliver on preemption.
        on_preempt: Option<PeeringEvt>,
    },
    /// A backfill target's answer to `RequestBackfillPrio`:
    /// `try_reserve_recovery_space(primary_num_bytes, local_num_bytes)` (the host
    /// owns the space accounting), then, if space was reserved,
    /// `request_remote_recovery_reservation(priority, on_grant, on_preempt)`; if it
    /// was not, deliver `on_too_full` (`RejectTooFullRemoteReservation`) instead.
    RequestRemoteBackfill {
        /// The primary's bytes for the PG.
        primary_num_bytes: i64,
        /// The bytes this shard already holds.
        local_num_bytes: i64,
        /// Priority of the remote reservation.
        priority: u32,
        /// Event to deliver on grant.
        on_grant: PeeringEvt,
        /// Event to deliver on preemption.
        on_preempt: Option<PeeringEvt>,
        /// Event to deliver when the space check fails.
        on_too_full: PeeringEvt,
    },
    /// `cancel_remote_recovery_reservation`.
    CancelRemote,
    /// `unreserve_recovery_space`: release backfill space accounting.
    UnreserveSpace,
}

/// A request for the monitor.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MonRequest {
    /// `queue_want_up_thru`: ask the monitor to record `up_thru >= want` (MOSDAlive).
    UpThru {
        /// The interval start that must be recorded.
        want: Epoch,
    },
    /// `queue_want_pg_temp`: request this acting set (empty: remove the pg_temp).
    PgTemp {
        /// The PG.
        pgid: PgId,
        /// The wanted acting set.
        #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
        want: OsdVec,
    },
    /// `clear_want_pg_temp`: forget a pending pg_temp request for this PG.
    ClearPgTemp {
        /// The PG.
        pgid: PgId,
    },
    /// `send_pg_created`: a pool-creating PG peered.
    PgCreated {
        /// The PG.
        pgid: PgId,
    },
}

/// A notification to the host's PG layer (`PeeringListener` hooks).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HostNotification {
    /// `on_change`: a new interval started; cancel in-flight client ops.
    Change,
    /// `on_new_interval`.
    NewInterval,
    /// `on_role_change`: primary-ness or role changed.
    RoleChanged {
        /// The new role (0 primary, >0 replica index, -1 none).
        role: i32,
    },
    /// `clear_primary_state`: drop primary-only host state.
    ClearPrimaryState,
    /// `on_activate`: the PG activated (primary).
    Activate,
    /// `on_activate_complete`: all replicas activated. The host answers with exactly
    /// one of `DoRecovery`, `RequestBackfill`, `AllReplicasRecovered`.
    ActivateComplete {
        /// Whether recovery is needed (`needs_recovery()`).
        needs_recovery: bool,
        /// Whether backfill is needed (`needs_backfill()`).
        needs_backfill: bool,
    },
    /// `on_activate_committed`: a replica's activation is durable.
    ActivateCommitted,
    /// `on_clean`: the PG went clean.
    Clean,
    /// `on_active_exit`.
    ActiveExit,
    /// `on_active_actmap`.
    ActiveActMap,
    /// `on_active_advmap`.
    ActiveAdvMap,
    /// `set_probe_targets`: heartbeat these shards while peering.
    ProbeTargets(#[cfg_attr(feature = "defmt", defmt(Debug2Format))] BTreeSet<PgShard>),
    /// `clear_probe_targets`.
    ClearProbeTargets,
    /// `update_heartbeat_peers`: the OSDs this PG wants heartbeats with.
    HeartbeatPeers(#[cfg_attr(feature = "defmt", defmt(Debug2Format))] BTreeSet<OsdId>),
    /// `try_flush_or_schedule_async` found writes in flight: deliver `IntervalFlush`
    /// once they are durable.
    FlushRequested,
    /// `on_flushed`: the flush count reached zero.
    Flushed,
    /// `scrub_requested`.
    ScrubRequested {
        /// Deep scrub.
        deep: bool,
        /// Repair.
        repair: bool,
    },
    /// `on_removal`: this PG instance is being deleted.
    Removal,
    /// `on_recovery_reserved`: every recovery reservation is held; start recovery.
    RecoveryReserved,
    /// `on_backfill_reserved`: every backfill reservation is held; start backfill.
    BackfillReserved,
    /// `on_backfill_canceled`: backfill stopped before it finished.
    BackfillCanceled,
    /// The deletion finished and the machine terminated (boost's `terminate()`
    /// from `Deleting`): the host drops this PG object.
    Deleted,
    /// `set_ready_to_merge_source`: a merge source peered clean with its full
    /// acting set; the host tells the monitor (`MOSDPGReadyToMerge`).
    ReadyToMergeSource {
        /// The source's `last_update` (`pg_merge_meta_t::source_version`).
        last_update: EVersion,
    },
    /// `set_ready_to_merge_target`: a merge target peered clean with its full
    /// acting set.
    ReadyToMergeTarget {
        /// The target's `last_update` (`pg_merge_meta_t::target_version`).
        last_update: EVersion,
        /// `history.last_epoch_started`.
        last_epoch_started: Epoch,
        /// `history.last_epoch_clean`.
        last_epoch_clean: Epoch,
    },
    /// `set_not_ready_to_merge_source`: a merge source peered without its
    /// full acting set.
    NotReadyToMergeSource,
    /// `set_not_ready_to_merge_target(pgid, source)`: a merge target peered
    /// without its full acting set.
    NotReadyToMergeTarget {
        /// The source that is to merge into it.
        source: PgId,
    },
    /// `clear_ready_to_merge`: the primary starts a new interval; whatever it
    /// said of its readiness no longer holds.
    ClearReadyToMerge,
}
