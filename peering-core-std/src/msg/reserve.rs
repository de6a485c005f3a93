//! Reservation and lease payloads: `MBackfillReserve`, `MRecoveryReserve`,
//! `MOSDPGLease`, `MOSDPGLeaseAck` (`ceph-osd-side.md` §1.2).

use peering_core::types::{Epoch, SpgId, Timespan};
use serde::{Deserialize, Serialize};

/// `MBackfillReserve::type`, modern numbering (REQUEST 0 ... REVOKE 5).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub enum BackfillReserveKind {
    /// `REQUEST` (0): the primary asks a replica for a backfill slot.
    Request,
    /// `GRANT` (1): the replica grants it.
    Grant,
    /// `REJECT_TOOFULL` (2): refused, the replica is too full.
    RejectTooFull,
    /// `RELEASE` (3): the primary releases the slot.
    Release,
    /// `REVOKE_TOOFULL` (4): the replica takes it back, too full.
    RevokeTooFull,
    /// `REVOKE` (5): the replica takes it back (preempted).
    Revoke,
}

impl BackfillReserveKind {
    /// Ceph's wire code.
    pub const fn code(self) -> u32 {
        match self {
            BackfillReserveKind::Request => 0,
            BackfillReserveKind::Grant => 1,
            BackfillReserveKind::RejectTooFull => 2,
            BackfillReserveKind::Release => 3,
            BackfillReserveKind::RevokeTooFull => 4,
            BackfillReserveKind::Revoke => 5,
        }
    }
}

/// `MBackfillReserve` (99): one step of the remote backfill reservation protocol.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BackfillReserve {
    /// The PG (and shard) the reservation is for.
    pub pgid: SpgId,
    /// The epoch of the request this belongs to (both event epochs).
    pub query_epoch: Epoch,
    /// Which step.
    pub kind: BackfillReserveKind,
    /// Reservation priority (REQUEST).
    pub priority: u32,
    /// Bytes the primary holds for the PG (modern, REQUEST).
    pub primary_num_bytes: i64,
    /// Bytes the target shard holds (modern, REQUEST).
    pub shard_num_bytes: i64,
}

/// `MRecoveryReserve::type` (REQUEST 0, GRANT 1, RELEASE 2, REVOKE 3).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub enum RecoveryReserveKind {
    /// `REQUEST` (0).
    Request,
    /// `GRANT` (1).
    Grant,
    /// `RELEASE` (2).
    Release,
    /// `REVOKE` (3).
    Revoke,
}

impl RecoveryReserveKind {
    /// Ceph's wire code.
    pub const fn code(self) -> u32 {
        match self {
            RecoveryReserveKind::Request => 0,
            RecoveryReserveKind::Grant => 1,
            RecoveryReserveKind::Release => 2,
            RecoveryReserveKind::Revoke => 3,
        }
    }
}

/// `MRecoveryReserve` (150): one step of the remote recovery reservation protocol.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RecoveryReserve {
    /// The PG (and shard).
    pub pgid: SpgId,
    /// The epoch of the request this belongs to.
    pub query_epoch: Epoch,
    /// Which step.
    pub kind: RecoveryReserveKind,
    /// Reservation priority (REQUEST).
    pub priority: u32,
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
