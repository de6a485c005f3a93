//! What the OSD asks of its host: [`OsdOutput`], drained with
//! [`super::Osd::poll_output`].
//!
//! Every output is a plain value. Sends are grouped per target OSD, one
//! [`OsdOutput::Send`] per target per `dispatch_context`; a map share for a peer
//! that is behind comes right before the sends to it (`share_map_peer`).

use std::sync::Arc;

use peering_core::ctx::{HostNotification, ReservationOp, Timer, Transaction};
use peering_core::machine::StateId;
use peering_core::types::{Epoch, ObjectId, OsdId, SpgId};

use crate::msg::{AliveMsg, Message, PgCreatedMsg, PgTempMsg, ReadyToMergeMsg};
use crate::osdmap::{Incremental, OsdMap};

pub use crate::store::TxnId;

/// The maps a peer lacks: `send_incremental_map`'s `MOSDMap`. `full` is set
/// when the OSD no longer holds every incremental the peer needs: the peer
/// starts again from that full map.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MapShare {
    /// A full map to start from, if the incrementals do not reach back far enough.
    pub full: Option<Arc<OsdMap>>,
    /// Incrementals in epoch order, after `full` (or after the peer's epoch).
    pub incrementals: Vec<Incremental>,
}

/// A message for the monitor (`MonClient` traffic of the OSD).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum MonMessage {
    /// `MOSDBoot`: mark me up (sent at the OSD's newest epoch).
    Boot {
        /// The OSD's newest map epoch.
        epoch: Epoch,
    },
    /// `MOSDAlive` (`send_alive`): record `up_thru = want`.
    Alive(AliveMsg),
    /// `MOSDPGTemp` (`send_pg_temp`).
    PgTemp(PgTempMsg),
    /// `MOSDPGCreated` (`send_pg_created`).
    PgCreated(PgCreatedMsg),
    /// `osdmap_subscribe(start)`: send me maps from `start` on (a gap, or a
    /// message from a newer epoch).
    Subscribe {
        /// The first epoch wanted.
        start: Epoch,
    },
    /// `MOSDMarkMeDead` (Octopus+): this running OSD saw itself marked down
    /// at `epoch`, so it serves nothing from before; the monitor records it
    /// dead (`dead_epoch`), which ends other PGs' wait on its read leases.
    MarkMeDead {
        /// The map epoch that marked it down.
        epoch: Epoch,
    },
    /// `MOSDPGReadyToMerge`: a merge source and its target are ready to
    /// merge, or one of them is not.
    ReadyToMerge(ReadyToMergeMsg),
}

/// One thing the host must do, in the order the OSD produced them. (Outputs
/// are moved once each; boxing the large variants would cost an allocation
/// per output for nothing.)
#[derive(Clone, PartialEq, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum OsdOutput {
    /// Send these maps to `to` (before anything else to it).
    ShareMap {
        /// The peer.
        to: OsdId,
        /// What it lacks.
        maps: MapShare,
    },
    /// Send `messages` to `to`, in order, on its session.
    Send {
        /// The peer.
        to: OsdId,
        /// The OSD's map epoch when the batch was dispatched.
        epoch: Epoch,
        /// The messages, direct sends first, then per-PG queries, notifies, infos.
        messages: Vec<Message>,
    },
    /// Send this to the monitor.
    Mon(MonMessage),
    /// Persist `transaction` for `pgid`; report it with `on_commit(txn)`.
    Persist {
        /// The transaction's id.
        txn: TxnId,
        /// The PG instance it is for.
        pgid: SpgId,
        /// What to write.
        transaction: Transaction,
    },
    /// Call [`super::Osd::enqueue_peering_evt`] with `timer.event` after
    /// `timer.delay` (`schedule_event_after`).
    Timer {
        /// The PG instance.
        pgid: SpgId,
        /// The delay and event.
        timer: Timer,
    },
    /// For the host's record: a reservation request or cancellation the OSD's
    /// reservers already handled ([`super::Osd::local_reserver`],
    /// [`super::Osd::remote_reserver`]); nothing to do.
    Reservation {
        /// The PG instance.
        pgid: SpgId,
        /// The request.
        op: ReservationOp,
    },
    /// A `PeeringListener` notification for the host's PG layer.
    Notification {
        /// The PG instance.
        pgid: SpgId,
        /// What happened.
        note: HostNotification,
    },
    /// `C_DeleteMore`: list at most `max` objects of the PG after `after` and
    /// deliver them as `DeleteSome` at `epoch` (the object layer is the host's).
    DeleteMore {
        /// The PG instance.
        pgid: SpgId,
        /// The event epoch.
        epoch: Epoch,
        /// The cursor.
        after: Option<ObjectId>,
        /// How many objects at most.
        max: u32,
    },
    /// `note_down_osd`: the instance of `osd` that was up from `up_from` went
    /// down in the map. Ceph closes the connections to that instance's
    /// addresses only (`mark_down_addrs` on the old addresses): a newer
    /// instance of the same OSD, already talking to this one, keeps its
    /// connection. The host closes its connection to `osd` if it is to that
    /// instance, and then calls [`super::Osd::ms_handle_reset`] on both ends;
    /// a connection to a newer instance stays open, with its session.
    MarkDown {
        /// The OSD that went down.
        osd: OsdId,
        /// Which of its instances: the `up_from` it had in the last map
        /// where it was up (Ceph tells instances apart by address).
        up_from: Epoch,
    },
    /// `rebind`: this OSD was wrongly marked down and rebinds its messenger:
    /// every connection to and from it is closed (what was in flight is
    /// lost) and the next sessions start at sequence 1.
    Rebind,
    /// `publish_stats_to_osd`: the PG's stats changed.
    PublishStats(SpgId),
    /// A step of recovery or backfill, for the host's record.
    Recovery {
        /// The PG instance (this OSD is its primary).
        pgid: SpgId,
        /// What was done.
        report: super::recovery::RecoveryReport,
    },
    /// `split_pgs`: `parent` split at a map raising `pg_num` and this OSD
    /// created `child` from it (between the parent's `AdvMap` and `ActMap`).
    Split {
        /// The parent PG instance.
        parent: SpgId,
        /// The new child.
        child: SpgId,
    },
    /// `merge_from`: at a map lowering `pg_num`, `source` merged into
    /// `target` on this OSD (its objects are the target's now) and is gone.
    Merged {
        /// The merge source, gone.
        source: SpgId,
        /// The target that absorbed it.
        target: SpgId,
    },
    /// `MOSDOpReply` (ack on commit): a client write is durable on every
    /// shard of `acting_recovery_backfill` (`eval_repop`).
    ClientAck {
        /// The PG instance (this OSD is its primary).
        pgid: SpgId,
        /// The object written.
        oid: ObjectId,
        /// The write's version.
        version: peering_core::types::EVersion,
        /// The client's request id.
        reqid: peering_core::log::ReqId,
    },
    /// `log_enter`: the PG entered `state` at its map `epoch` (only with
    /// [`super::OsdConfig::report_states`]), in the order the states were
    /// entered, before the rest of that call's outputs.
    Entered {
        /// The PG instance.
        pgid: SpgId,
        /// The PG's map epoch when it entered the state.
        epoch: Epoch,
        /// The state.
        state: StateId,
    },
}
