//! Read leases (Octopus+): Ceph's `pg_lease_t`, `pg_lease_ack_t` and the
//! heartbeat clock bounds a replica converts a lease with.

use super::time::Timespan;

/// Ceph's `pg_lease_t`: what the primary grants its acting peers, on the
/// primary's monotonic clock (`PeeringState::get_lease`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgLease {
    /// `readable_until`: the primary may serve reads until then (every acting
    /// peer has acknowledged a lease at least this long).
    pub readable_until: Timespan,
    /// `readable_until_ub`: the latest the primary may believe it is readable
    /// (`readable_until_ub_sent`).
    pub readable_until_ub: Timespan,
    /// `interval`: the lease length (`readable_interval`).
    pub interval: Timespan,
}

/// Ceph's `pg_lease_ack_t`: a peer's acknowledgement, the upper bound it holds
/// on the primary's clock (`PeeringState::get_lease_ack`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgLeaseAck {
    /// `readable_until_ub`: the newest `readable_until_ub` received from the
    /// primary (`readable_until_ub_from_primary`).
    pub readable_until_ub: Timespan,
}

/// The bounds Ceph's `HeartbeatStamps` keeps on a peer's clock: `peer − mine`,
/// the difference between the peer's monotonic clock and this OSD's, learnt
/// from heartbeat round trips. Either bound is absent until heartbeats gave
/// one; `PeeringState::proc_lease` then falls back to its own clock.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeerClockDelta {
    /// `peer_clock_delta_lb`.
    pub lb: Option<Timespan>,
    /// `peer_clock_delta_ub`.
    pub ub: Option<Timespan>,
}
