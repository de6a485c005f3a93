//! Reservation and lease payloads: `MBackfillReserve`, `MRecoveryReserve`,
//! `MOSDPGLease`, `MOSDPGLeaseAck`.

use peering_core::ctx::{BackfillReserveOp, RecoveryReserveOp};
use peering_core::types::{Epoch, SpgId, Timespan};
use serde::{Deserialize, Serialize};

/// `MBackfillReserve` (99): one step of the remote backfill reservation protocol.
/// The step is the core's [`BackfillReserveOp`], the
/// same value the machine puts in its direct send.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BackfillReserve {
    /// The PG (and shard) the reservation is for.
    pub pgid: SpgId,
    /// The epoch of the request this belongs to (both event epochs).
    pub query_epoch: Epoch,
    /// Which step.
    pub op: BackfillReserveOp,
    /// Reservation priority (REQUEST).
    pub priority: u32,
    /// Bytes the primary holds for the PG (modern, REQUEST).
    pub primary_num_bytes: i64,
    /// Bytes the target shard holds (modern, REQUEST).
    pub shard_num_bytes: i64,
}

impl BackfillReserve {
    /// Ceph's wire code of the step (`MBackfillReserve::type`, modern numbering:
    /// REQUEST 0, GRANT 1, REJECT_TOOFULL 2, RELEASE 3, REVOKE_TOOFULL 4,
    /// REVOKE 5;.
    pub const fn type_code(&self) -> u32 {
        match self.op {
            BackfillReserveOp::Request => 0,
            BackfillReserveOp::Grant => 1,
            BackfillReserveOp::RejectTooFull => 2,
            BackfillReserveOp::Release => 3,
            BackfillReserveOp::RevokeTooFull => 4,
            BackfillReserveOp::Revoke => 5,
        }
    }
}

/// `MRecoveryReserve` (150): one step of the remote recovery reservation protocol.
/// The step is the core's [`RecoveryReserveOp`].
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RecoveryReserve {
    /// The PG (and shard).
    pub pgid: SpgId,
    /// The epoch of the request this belongs to (both event epochs).
    pub query_epoch: Epoch,
    /// Which step.
    pub op: RecoveryReserveOp,
    /// Reservation priority (REQUEST; 0 from pre-Mimic peers).
    pub priority: u32,
}

impl RecoveryReserve {
    /// Ceph's wire code of the step (`MRecoveryReserve::type`: REQUEST 0,
    /// GRANT 1, RELEASE 2, REVOKE 3;.
    pub const fn type_code(&self) -> u32 {
        match self.op {
            RecoveryReserveOp::Request => 0,
            RecoveryReserveOp::Grant => 1,
            RecoveryReserveOp::Release => 2,
            RecoveryReserveOp::Revoke => 3,
        }
    }
}

/// Ceph's `pg_lease_t`: the primary's read lease, in the sender's monotonic clock
/// offsets.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug, Serialize, Deserialize)]
pub struct PgLease {
    /// `readable_until`: reads may be served until then.
    pub readable_until: Timespan,
    /// `readable_until_ub`: an upper bound on any prior primary's lease.
    pub readable_until_ub: Timespan,
    /// `interval`: the lease period.
    pub interval: Timespan,
}

/// Ceph's `pg_lease_ack_t`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug, Serialize, Deserialize)]
pub struct PgLeaseAck {
    /// `readable_until_ub` the replica acknowledges.
    pub readable_until_ub: Timespan,
}

/// `MOSDPGLease` (133): the primary renews a replica's read lease.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgLeaseMsg {
    /// The sender's map epoch (both event epochs).
    pub epoch: Epoch,
    /// The PG.
    pub spgid: SpgId,
    /// The lease.
    pub lease: PgLease,
}

/// `MOSDPGLeaseAck` (134): the replica acknowledges a lease.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgLeaseAckMsg {
    /// The sender's map epoch (both event epochs).
    pub epoch: Epoch,
    /// The PG.
    pub spgid: SpgId,
    /// The acknowledgement.
    pub lease_ack: PgLeaseAck,
}
