//! Every peering event and the envelope the host delivers them in.
//!
//! Names are Ceph's (`NullEvt`, `MNotifyRec`, `AdvMap`...), so traces read like
//! Ceph's logs; [`Event::name`] returns exactly Ceph's string. [`EventKind`] is the
//! payload-free discriminant the statechart's transition table is keyed by.
//!
//! The admin dumps (`QueryState`, `QueryUnfound`) are not modelled (the host
//! reads [`crate::machine::Pg`]'s getters instead); the Luminous-only
//! `Load` and `FlushedEvt` are gone in modern Ceph: load uses `Initialize`,
//! flush completion is [`crate::machine::Pg::complete_flush`].

mod notify;
mod payload;

pub use notify::PgNotify;

pub use payload::{
    Activate, ActivateCommitted, Defer, DeleteSome, MInfoRec, MLease, MLeaseAck, MLogRec,
    MNotifyRec, MQuery, MTrim, PgCreateInfo, PgLogMsg, RequestBackfillPrio, RequestRecoveryPrio,
    RequestScrub,
};

use crate::intervals::UpActing;
use crate::types::Epoch;

/// Ceph's `PGPeeringEvent` (the seeds' `CephPeeringEvt`): an event as the host
/// delivers it, with the epochs used to drop stale ones.
///
/// The event is dropped if the PG has reset peering since either epoch
/// (`last_peering_reset > epoch_sent` or `> epoch_requested`, Ceph's
/// `old_peering_msg`).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeeringEvt {
    /// The sender's map epoch when the event was produced.
    pub epoch_sent: Epoch,
    /// The epoch the event answers (a query's epoch), or `epoch_sent`.
    pub epoch_requested: Epoch,
    /// The event.
    pub event: Event,
}

impl PeeringEvt {
    /// An event produced at `epoch` answering nothing older (`epoch_sent ==
    /// epoch_requested`), as Ceph builds timer, reservation and commit events.
    pub fn new(epoch: Epoch, event: Event) -> Self {
        PeeringEvt {
            epoch_sent: epoch,
            epoch_requested: epoch,
            event,
        }
    }

    /// An event sent at `epoch_sent` in answer to something from `epoch_requested`.
    pub fn with_epochs(epoch_sent: Epoch, epoch_requested: Epoch, event: Event) -> Self {
        PeeringEvt {
            epoch_sent,
            epoch_requested,
            event,
        }
    }
}

impl Event {
    /// The `create_info` Ceph's message-to-event conversion attaches: a
    /// notify (`{pgid, epoch_sent, info.history, past_intervals}`) or a log
    /// (`{spg(info.pgid, to), query_epoch, info.history, past_intervals}`) may create
    /// the PG on the receiving OSD; no other event does (a query for a missing PG is
    /// answered by the host).
    pub fn create_info(&self) -> Option<PgCreateInfo> {
        match self {
            Event::MNotifyRec(n) => Some(PgCreateInfo {
                pgid: n.pgid,
                epoch: n.notify.epoch_sent,
                history: n.notify.info.history.clone(),
                past_intervals: n.notify.past_intervals.clone(),
                by_mon: false,
            }),
            Event::MLogRec(m) => Some(PgCreateInfo {
                pgid: m.msg.pgid,
                epoch: m.msg.query_epoch,
                history: m.msg.info.history.clone(),
                past_intervals: m.msg.past_intervals.clone().unwrap_or_default(),
                by_mon: false,
            }),
            _ => None,
        }
    }
}

impl EventKind {
    /// True for the events a peer's message becomes (`MOSDPGNotify2`,
    /// `MOSDPGInfo2`, `MOSDPGLog`, `MOSDPGQuery2`, `MOSDPGTrim`, `MBackfillReserve`,
    /// `MRecoveryReserve`, `MOSDPGRemove`, `MOSDPGLease`, `MOSDPGLeaseAck`): untrusted input, which Ceph's messenger
    /// delivers once and in order. Every other event comes from the host (maps,
    /// timers, reservers, the recovery engine) or from the machine itself.
    pub const fn is_peer_message(self) -> bool {
        matches!(
            self,
            EventKind::MNotifyRec
                | EventKind::MInfoRec
                | EventKind::MLogRec
                | EventKind::MQuery
                | EventKind::MTrim
                | EventKind::RequestBackfillPrio
                | EventKind::RemoteBackfillReserved
                | EventKind::RemoteReservationRejectedTooFull
                | EventKind::RemoteReservationCanceled
                | EventKind::RemoteReservationRevokedTooFull
                | EventKind::RemoteReservationRevoked
                | EventKind::RequestRecoveryPrio
                | EventKind::RemoteRecoveryReserved
                | EventKind::RecoveryDone
                | EventKind::DeleteStart
                | EventKind::MLease
                | EventKind::MLeaseAck
        )
    }
}

macro_rules! define_events {
    ($( $(#[$doc:meta])* $name:ident $( ( $payload:ty ) )? ;)*) => {
        /// One peering event, named as in Ceph.
        ///
        /// The statechart dispatches on [`Event::kind`]; the payloads are the fields of
        /// Ceph's event structs (the maps of `AdvMap` excepted, see [`Event::AdvMap`]).
        #[derive(Clone, PartialEq, Eq, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum Event {
            $( $(#[$doc])* $name $( ($payload) )?, )*
        }

        /// The payload-free kind of an [`Event`]: what the transition table is
        /// keyed by.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum EventKind {
            $( #[doc = concat!("The kind of [`Event::", stringify!($name), "`].")] $name, )*
        }

        impl Event {
            /// This event's kind.
            pub const fn kind(&self) -> EventKind {
                match self {
                    $( Event::$name { .. } => EventKind::$name, )*
                }
            }

            /// Ceph's name for this event (`get_desc()`'s class name).
            pub const fn name(&self) -> &'static str {
                self.kind().name()
            }
        }

        impl EventKind {
            /// Every event kind, in declaration order.
            pub const ALL: &'static [EventKind] = &[ $( EventKind::$name, )* ];

            /// Ceph's name for this kind of event.
            pub const fn name(self) -> &'static str {
                match self {
                    $( EventKind::$name => stringify!($name), )*
                }
            }
        }
    };
}

define_events! {
    // --- host and driver (§2.2) ---
    /// `NullEvt`: a generic wake-up; every state ignores it.
    NullEvt;
    /// `Initialize`: a PG was created or loaded; followed by `ActMap`.
    Initialize;
    /// `AdvMap`: one new map epoch, with the PG's mapping in it (`newup`,
    /// `up_primary`, `newacting`, `acting_primary`). Ceph's event also carries the
    /// new and previous `OSDMapRef`; the host owns the maps, so they
    /// travel beside the event as `&dyn OsdMapView` arguments of
    /// [`crate::machine::Pg::advance_map`], which is how this event is delivered.
    AdvMap(UpActing);
    /// `ActMap`: the last `AdvMap` of a batch has been delivered
    /// ([`crate::machine::Pg::activate_map`]).
    ActMap;
    /// `IntervalFlush`: the previous interval's writes are durable; ends the
    /// outgoing-message block.
    IntervalFlush;
    /// `DeleteStart`: the primary purged this stray, or the pool is gone.
    DeleteStart;
    /// `DeleteSome`: one step of incremental deletion (Ceph's `C_DeleteMore` requeue
    /// running `do_delete_work`). The host lists the PG's next objects, as
    /// [`crate::ctx::OnCommit::DeleteMore`] asked, and delivers them here; an empty
    /// listing means nothing is left.
    DeleteSome(DeleteSome);
    /// `DeleteReserved`: the local reservation for deletion was granted.
    DeleteReserved;
    /// `DeleteInterrupted`: the deletion reservation was preempted.
    DeleteInterrupted;
    /// `SetForceRecovery`: operator `pg force-recovery`.
    SetForceRecovery;
    /// `UnsetForceRecovery`: operator `pg cancel-force-recovery`.
    UnsetForceRecovery;
    /// `SetForceBackfill`: operator `pg force-backfill`.
    SetForceBackfill;
    /// `UnsetForceBackfill`: operator `pg cancel-force-backfill`.
    UnsetForceBackfill;
    /// `RequestScrub`: operator or manager scrub request.
    RequestScrub(RequestScrub);
    /// `RenewLease`: the primary's lease-renewal timer
    /// (`schedule_renew_lease`, every half `readable_interval`).
    RenewLease;
    /// `CheckReadable`: the readable-check timer (`queue_check_readable`),
    /// when the prior interval's lease or this one's may have run out.
    CheckReadable;
    // --- peer messages (§2.1) ---
    /// `MNotifyRec`: a non-primary's notify (`MOSDPGNotify2`).
    MNotifyRec(MNotifyRec);
    /// `MInfoRec`: an info (`MOSDPGInfo2`).
    MInfoRec(MInfoRec);
    /// `MLogRec`: a log (`MOSDPGLog`).
    MLogRec(MLogRec);
    /// `MQuery`: a query from the primary (`MOSDPGQuery2`).
    MQuery(MQuery);
    /// `MTrim`: a replica's `last_complete_ondisk` (`MOSDPGTrim`).
    MTrim(MTrim);
    /// `MLease`: the primary renews this peer's read lease (`MOSDPGLease`).
    MLease(MLease);
    /// `MLeaseAck`: a peer acknowledges the primary's lease (`MOSDPGLeaseAck`).
    MLeaseAck(MLeaseAck);
    /// `RequestBackfillPrio`: `MBackfillReserve::REQUEST`.
    RequestBackfillPrio(RequestBackfillPrio);
    /// `RemoteBackfillReserved`: `MBackfillReserve::GRANT`, or the replica's own
    /// remote-reserver grant, or a self-kick.
    RemoteBackfillReserved;
    /// `RemoteReservationRejectedTooFull`: `MBackfillReserve::REJECT_TOOFULL`.
    RemoteReservationRejectedTooFull;
    /// `RemoteReservationCanceled`: `MBackfillReserve::RELEASE`.
    RemoteReservationCanceled;
    /// `RemoteReservationRevokedTooFull`: `MBackfillReserve::REVOKE_TOOFULL`.
    RemoteReservationRevokedTooFull;
    /// `RemoteReservationRevoked`: `MBackfillReserve::REVOKE`.
    RemoteReservationRevoked;
    /// `RequestRecoveryPrio`: `MRecoveryReserve::REQUEST`.
    RequestRecoveryPrio(RequestRecoveryPrio);
    /// `RemoteRecoveryReserved`: `MRecoveryReserve::GRANT`, or the replica's own
    /// remote-reserver grant, or a self-kick.
    RemoteRecoveryReserved;
    /// `RecoveryDone`: `MRecoveryReserve::RELEASE`.
    RecoveryDone;
    // --- recovery engine and reservation callbacks (§2.3) ---
    /// `DoRecovery`: start (or retry) log-based recovery.
    DoRecovery;
    /// `RequestBackfill`: start (or retry) backfill.
    RequestBackfill;
    /// `AllReplicasRecovered`: nothing left to recover or backfill.
    AllReplicasRecovered;
    /// `Backfilled`: backfill finished.
    Backfilled;
    /// `UnfoundRecovery`: recovery is stuck on unfound objects.
    UnfoundRecovery;
    /// `UnfoundBackfill`: backfill is stuck on unfound objects.
    UnfoundBackfill;
    /// `DeferRecovery`: recovery paused or preempted; retry after the delay.
    DeferRecovery(Defer);
    /// `DeferBackfill`: backfill paused or preempted; retry after the delay.
    DeferBackfill(Defer);
    /// `LocalRecoveryReserved`: the local reserver granted a recovery slot.
    LocalRecoveryReserved;
    /// `LocalBackfillReserved`: the local reserver granted a backfill slot.
    LocalBackfillReserved;
    /// `BackfillTooFull`: a backfill target ran out of space (replica side).
    BackfillTooFull;
    /// `RemoteRecoveryPreempted`: a replica's granted recovery slot was preempted.
    RemoteRecoveryPreempted;
    /// `RemoteBackfillPreempted`: a replica's granted backfill slot was preempted.
    RemoteBackfillPreempted;
    // --- posted by the machine itself (§2.4) ---
    /// `MakePrimary`: posted by `Start` when this OSD is the primary.
    MakePrimary;
    /// `MakeStray`: posted by `Start` otherwise.
    MakeStray;
    /// `GotInfo`: every probed peer answered.
    GotInfo;
    /// `IsDown`: the prior set cannot be probed (`pg_down`).
    IsDown;
    /// `GotLog`: the authoritative log is in hand.
    GotLog;
    /// `NeedActingChange`: `choose_acting` wants a different acting set.
    NeedActingChange;
    /// `IsIncomplete`: no usable authoritative history.
    IsIncomplete;
    /// `NeedUpThru`: peering is done but the monitor has not recorded `up_thru`.
    NeedUpThru;
    /// `Activate`: go active, recording the given `last_epoch_started`.
    Activate(Activate);
    /// `ActivateCommitted`: the activation transaction committed.
    ActivateCommitted(ActivateCommitted);
    /// `AllReplicasActivated`: every acting/backfill shard activated and committed.
    AllReplicasActivated;
    /// `GoClean`: posted by `Recovered` when the PG may be marked clean.
    GoClean;
    /// `AllRemotesReserved`: every remote recovery slot is held.
    AllRemotesReserved;
    /// `AllBackfillsReserved`: every remote backfill slot is held.
    AllBackfillsReserved;
    /// `RecoveryTooFull`: a recovery participant is full.
    RecoveryTooFull;
    /// `RejectTooFullRemoteReservation`: a replica could not reserve backfill space
    /// (Ceph's name `RejectTooFullRemoteReservation`; the brief's "RejectTooFull").
    RejectTooFullRemoteReservation;
}
