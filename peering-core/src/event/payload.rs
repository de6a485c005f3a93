//! Payloads of the events that carry data (–).

use alloc::vec::Vec;

use crate::intervals::PastIntervals;
use crate::log::{Missing, PgLogT};

use crate::event::PgNotify;
use crate::types::{
    EVersion, Epoch, ObjectId, OsdId, PgInfo, PgLease, PgLeaseAck, PgQuery, PgShard, ShardId,
    SpgId, Timespan,
};

/// `MNotifyRec`'s payload: a non-primary's `pg_notify_t`, from `MOSDPGNotify2`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MNotifyRec {
    /// The PG (and shard) the notify is addressed to.
    pub pgid: SpgId,
    /// The sending instance.
    pub from: PgShard,
    /// The notify itself.
    pub notify: PgNotify,
    /// The sender's feature bits.
    pub features: u64,
}

/// `MInfoRec`'s payload: a `pg_info_t` from `MOSDPGInfo2`, with the read
/// lease or lease acknowledgement the message may carry.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MInfoRec {
    /// The sending instance.
    pub from: PgShard,
    /// Its info.
    pub info: PgInfo,
    /// The epoch the message was sent in.
    pub msg_epoch: Epoch,
    /// The primary's lease (to a replica).
    pub lease: Option<PgLease>,
    /// A replica's lease acknowledgement (to the primary).
    pub lease_ack: Option<PgLeaseAck>,
}

/// `MLease`'s payload: `MOSDPGLease`, the primary renewing a peer's lease.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MLease {
    /// The epoch the message was sent in.
    pub epoch: Epoch,
    /// The sending OSD.
    pub from: OsdId,
    /// The lease.
    pub lease: PgLease,
}

/// `MLeaseAck`'s payload: `MOSDPGLeaseAck`, a peer acknowledging a lease.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MLeaseAck {
    /// The epoch the message was sent in.
    pub epoch: Epoch,
    /// The sending OSD.
    pub from: OsdId,
    /// The acknowledgement.
    pub lease_ack: PgLeaseAck,
}

/// `MQuery`'s payload: a `pg_query_t` from `MOSDPGQuery2`.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MQuery {
    /// The PG (and shard) asked.
    pub pgid: SpgId,
    /// The asking instance (the primary).
    pub from: PgShard,
    /// The query.
    pub query: PgQuery,
    /// The epoch the query was sent in.
    pub query_epoch: Epoch,
}

/// `MTrim`'s payload: `MOSDPGTrim`, a replica reporting its
/// `last_complete_ondisk` to the primary (modern meaning).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MTrim {
    /// The epoch the message was sent in.
    pub epoch: Epoch,
    /// The sending OSD.
    pub from: OsdId,
    /// The sending shard.
    pub shard: ShardId,
    /// The version reported (`trim_to`).
    pub trim_to: EVersion,
}

/// `Activate`'s payload: the epoch to record as `last_epoch_started`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Activate {
    /// `activation_epoch`.
    pub activation_epoch: Epoch,
}

/// `ActivateCommitted`'s payload: injected by the host when the activation
/// transaction commits (`schedule_event_on_commit`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ActivateCommitted {
    /// The map epoch at which `activate()` ran.
    pub epoch: Epoch,
    /// The activation epoch it recorded.
    pub activation_epoch: Epoch,
}

/// `DeleteSome`'s payload (Ceph's `do_delete_work`): the next
/// objects of the PG's collection after the deletion cursor, in Ceph's object
/// order, at most the `max` the request named. Ceph lists them itself from its
/// store; a sans-IO core has the host list them. Empty: the collection holds no
/// more objects, and the PG's metadata goes next.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeleteSome {
    /// The objects to remove in this step, ascending.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub objects: Vec<ObjectId>,
}

/// Payload of `DeferRecovery` / `DeferBackfill`: retry after `delay`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Defer {
    /// How long to wait before retrying (Ceph's `float delay`, here nanoseconds).
    pub delay: Timespan,
}

/// `RequestBackfillPrio`'s payload: `MBackfillReserve::REQUEST`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestBackfillPrio {
    /// The requested reservation priority.
    pub priority: u32,
    /// The primary's byte count for the PG (space accounting, Nautilus).
    pub primary_num_bytes: i64,
    /// The bytes this shard already holds.
    pub local_num_bytes: i64,
}

/// `RequestRecoveryPrio`'s payload: `MRecoveryReserve::REQUEST`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestRecoveryPrio {
    /// The requested priority (0 from pre-Mimic peers: the replica computes its own).
    pub priority: u32,
}

/// `RequestScrub`'s payload: an operator's scrub request.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestScrub {
    /// Deep scrub rather than shallow.
    pub deep: bool,
    /// Repair what the scrub finds.
    pub repair: bool,
}

/// Ceph's `MOSDPGLog`: an info with a log and missing set.
///
/// The primary sends it to activate a peer that needs log entries or a backfill
/// restart; a peer sends it in answer to LOG / FULLLOG / MISSING queries.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgLogMsg {
    /// The PG shard addressed (`spg_t(pgid, to)`).
    pub pgid: SpgId,
    /// The sender's shard.
    pub from: ShardId,
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The epoch of the query answered (or `last_peering_reset` for activation).
    pub query_epoch: Epoch,
    /// The sender's info (for activation, the receiver's info as the primary sees it).
    pub info: PgInfo,
    /// The log entries.
    pub log: PgLogT,
    /// The sender's missing set (for activation, what the receiver will be missing).
    pub missing: Missing,
    /// Past intervals, attached when the receiver has none (`dne`).
    pub past_intervals: Option<PastIntervals>,
    /// The primary's read lease, attached to activation logs (`get_lease()`).
    pub lease: Option<PgLease>,
}

/// `MLogRec`'s payload: an `MOSDPGLog` and who sent it.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MLogRec {
    /// The sending instance.
    pub from: PgShard,
    /// The message.
    pub msg: PgLogMsg,
}

/// Ceph's `PGCreateInfo`: what a message carries so that the host can create a
/// PG it does not have yet (a notify or an activation log for a new replica).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgCreateInfo {
    /// The PG (and shard) to create.
    pub pgid: SpgId,
    /// The epoch to create it at (the host creates it with that epoch's map, then
    /// advances it).
    pub epoch: Epoch,
    /// The history to start from.
    pub history: crate::types::PgHistory,
    /// The past intervals to start from.
    pub past_intervals: PastIntervals,
    /// Created by the monitor (`by_mon`), not by a peer's message.
    pub by_mon: bool,
}
