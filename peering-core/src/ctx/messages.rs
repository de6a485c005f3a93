//! The messages the machine asks the host to send.

use alloc::vec::Vec;

use crate::event::PgLogMsg;
use crate::types::{EVersion, Epoch, PgInfo, ShardId, SpgId};

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

/// A message the PG sends directly (`pl->send_cluster_message`), never held
/// back by an interval flush: the core's payload. The std crate's `msg::Message`
/// is the wire catalog that frames it (with maps, monitor and client messages).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(clippy::large_enum_variant)]
pub enum DirectMessage {
    /// `MOSDPGLog`: an activation log or a reply to a LOG/FULLLOG/MISSING query.
    Log(PgLogMsg),
    /// `MOSDPGInfo2` sent directly (`share_pg_info`).
    Info(InfoMsg),
    /// `MOSDPGRemove`: tells a stray to delete its copy (`purge_strays`).
    Remove {
        /// The sender's map epoch.
        epoch: Epoch,
        /// The PG shards to remove.
        #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
        pgids: Vec<SpgId>,
    },
    /// `MRecoveryReserve`.
    RecoveryReserve {
        /// The PG shard addressed.
        pgid: SpgId,
        /// The sender's map epoch.
        epoch: Epoch,
        /// The operation.
        op: RecoveryReserveOp,
        /// The priority (meaningful for `REQUEST`).
        priority: u32,
    },
    /// `MBackfillReserve`.
    BackfillReserve {
        /// The PG shard addressed.
        pgid: SpgId,
        /// The sender's map epoch.
        epoch: Epoch,
        /// The operation.
        op: BackfillReserveOp,
        /// The priority (meaningful for `REQUEST`).
        priority: u32,
        /// The primary's bytes for the PG (`REQUEST`).
        primary_num_bytes: i64,
        /// The bytes the target already holds (`REQUEST`).
        shard_num_bytes: i64,
    },
    /// `MOSDPGTrim`: a replica reports its `last_complete_ondisk`.
    Trim {
        /// The sender's map epoch.
        epoch: Epoch,
        /// The PG shard addressed (the primary's).
        pgid: SpgId,
        /// The version reported.
        trim_to: EVersion,
    },
}
