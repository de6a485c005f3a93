//! Read-lease payloads: `MOSDPGLease`, `MOSDPGLeaseAck`. The core does not
//! model read leases yet, so these are the std crate's own; a received lease is
//! refused as [`super::MsgError::EventNotModelled`].

use peering_core::types::{Epoch, SpgId, Timespan};
use serde::{Deserialize, Serialize};

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
