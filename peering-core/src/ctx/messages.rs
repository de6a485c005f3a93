//! The messages the machine asks the host to send.

use alloc::vec::Vec;

use crate::event::PgLogMsg;
use crate::types::{EVersion, Epoch, PgInfo, PgLease, PgLeaseAck, PgQuery, ShardId, SpgId};

/// `MOSDPGInfo2`: an info sent to one shard (`send_info`).
///
/// Sent buffered (through [`super::RecoveryCtx::send_info`]) by `activate` for up-to-date
/// peers and by `search_for_missing`, and directly by `share_pg_info`.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct InfoMsg {
    /// The PG shard addressed.
    pub pgid: SpgId,
    /// The sender's shard.
    pub from: ShardId,
    /// `min_epoch`: the receiver drops the message if it reset peering after it.
    pub min_epoch: Epoch,
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The info.
    pub info: PgInfo,
    /// The primary's read lease (`get_lease()`), attached by `activate` and
    /// `share_pg_info`.
    pub lease: Option<PgLease>,
    /// A peer's lease acknowledgement (`get_lease_ack()`), attached to the
    /// info a replica sends when its activation committed.
    pub lease_ack: Option<PgLeaseAck>,
}

/// `MRecoveryReserve`'s operation codes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecoveryReserveOp {
    /// `REQUEST` (0): primary asks a replica for a recovery slot.
    Request,
    /// `GRANT` (1): the replica granted it.
    Grant,
    /// `RELEASE` (2): the primary releases it.
    Release,
    /// `REVOKE` (3): the replica's slot was preempted.
    Revoke,
}

/// `MBackfillReserve`'s operation codes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BackfillReserveOp {
    /// `REQUEST` (0).
    Request,
    /// `GRANT` (1).
    Grant,
    /// `REJECT_TOOFULL` (2).
    RejectTooFull,
    /// `RELEASE` (3).
    Release,
    /// `REVOKE_TOOFULL` (4).
    RevokeTooFull,
    /// `REVOKE` (5).
    Revoke,
}

impl RecoveryReserveOp {
    /// Ceph's wire code of the step (`MRecoveryReserve::type`: REQUEST 0,
    /// GRANT 1, RELEASE 2, REVOKE 3).
    pub const fn code(self) -> u32 {
        match self {
            RecoveryReserveOp::Request => 0,
            RecoveryReserveOp::Grant => 1,
            RecoveryReserveOp::Release => 2,
            RecoveryReserveOp::Revoke => 3,
        }
    }
}

impl BackfillReserveOp {
    /// Ceph's wire code of the step (`MBackfillReserve::type`, modern
    /// numbering: REQUEST 0, GRANT 1, REJECT_TOOFULL 2, RELEASE 3,
    /// REVOKE_TOOFULL 4, REVOKE 5).
    pub const fn code(self) -> u32 {
        match self {
            BackfillReserveOp::Request => 0,
            BackfillReserveOp::Grant => 1,
            BackfillReserveOp::RejectTooFull => 2,
            BackfillReserveOp::Release => 3,
            BackfillReserveOp::RevokeTooFull => 4,
            BackfillReserveOp::Revoke => 5,
        }
    }
}

/// `MOSDPGQuery2`: a query to one PG shard (`send_query`). The address names the
/// PG and the shard asked; the query names both ends' shards and the epoch.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QueryMsg {
    /// The PG shard asked (`spgid`; its shard is `query.to`).
    pub pgid: SpgId,
    /// The query (`pg_query_t`).
    pub query: PgQuery,
}

/// `MOSDPGRemove`: the primary tells a stray to delete its copies
/// (`purge_strays`).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RemoveMsg {
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The PG shards to remove.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub pgids: Vec<SpgId>,
}

/// `MRecoveryReserve`: one step of the remote recovery reservation protocol.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RecoveryReserveMsg {
    /// The PG shard addressed.
    pub pgid: SpgId,
    /// The sender's map epoch (`query_epoch`: both event epochs).
    pub epoch: Epoch,
    /// The step.
    pub op: RecoveryReserveOp,
    /// The priority (meaningful for `REQUEST`; 0 from pre-Mimic peers).
    pub priority: u32,
}

/// `MBackfillReserve`: one step of the remote backfill reservation protocol.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BackfillReserveMsg {
    /// The PG shard addressed.
    pub pgid: SpgId,
    /// The sender's map epoch (`query_epoch`: both event epochs).
    pub epoch: Epoch,
    /// The step.
    pub op: BackfillReserveOp,
    /// The priority (meaningful for `REQUEST`).
    pub priority: u32,
    /// The primary's bytes for the PG (`REQUEST`, Nautilus space accounting).
    pub primary_num_bytes: i64,
    /// The bytes the target already holds (`REQUEST`).
    pub shard_num_bytes: i64,
}

/// `MOSDPGTrim`: a replica reports its `last_complete_ondisk` to the primary
/// (the message's modern meaning).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TrimMsg {
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The PG shard addressed (the primary's).
    pub pgid: SpgId,
    /// The version reported.
    pub trim_to: EVersion,
}

/// `MOSDPGLease`: the primary renews an acting peer's read lease
/// (`PeeringState::send_lease`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LeaseMsg {
    /// The sender's map epoch (both of the event's epochs).
    pub epoch: Epoch,
    /// The PG shard addressed.
    pub pgid: SpgId,
    /// The lease.
    pub lease: PgLease,
}

/// `MOSDPGLeaseAck`: a peer acknowledges the primary's lease
/// (`ReplicaActive::react(const MLease&)`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LeaseAckMsg {
    /// The sender's map epoch (both of the event's epochs).
    pub epoch: Epoch,
    /// The PG shard addressed (the primary's).
    pub pgid: SpgId,
    /// The acknowledgement.
    pub lease_ack: PgLeaseAck,
}

/// A message the PG sends directly (`pl->send_cluster_message`), never held
/// back by an interval flush. Each variant holds the message's payload, the
/// same value the std crate's `msg::Message` frames on the wire.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(clippy::large_enum_variant)]
pub enum DirectMessage {
    /// `MOSDPGLog`: an activation log or a reply to a LOG/FULLLOG/MISSING query.
    Log(PgLogMsg),
    /// `MOSDPGInfo2` sent directly (`share_pg_info`).
    Info(InfoMsg),
    /// `MOSDPGRemove` (`purge_strays`).
    Remove(RemoveMsg),
    /// `MRecoveryReserve`.
    RecoveryReserve(RecoveryReserveMsg),
    /// `MBackfillReserve`.
    BackfillReserve(BackfillReserveMsg),
    /// `MOSDPGTrim`.
    Trim(TrimMsg),
    /// `MOSDPGLease`.
    Lease(LeaseMsg),
    /// `MOSDPGLeaseAck`.
    LeaseAck(LeaseAckMsg),
}
