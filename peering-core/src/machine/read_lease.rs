//! [`ReadLease`]: the read-lease members of a PG instance and the clock they
//! are measured on; the rules that move them are in `lease`.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use crate::types::{OsdId, PeerClockDelta, Timespan};

/// The lease state of one PG instance (Ceph's `PeeringState` members of the same
/// names) and the clock inputs the host gives it.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReadLease {
    /// Host input: `get_mnow()`, this OSD's monotonic clock.
    pub mnow: Timespan,
    /// Host input: `hb_stamps[0]` of a non-primary, the heartbeat bounds on the
    /// primary's clock.
    pub primary_clock: PeerClockDelta,
    /// `readable_interval`: the lease length.
    pub readable_interval: Timespan,
    /// `readable_until`: this instance may serve reads until then.
    pub readable_until: Timespan,
    /// `readable_until_ub`: no acting member is readable after this.
    pub readable_until_ub: Timespan,
    /// `readable_until_ub_sent` (primary): the newest bound shared with peers.
    pub readable_until_ub_sent: Timespan,
    /// The highest `readable_until_ub_sent` of this interval (primary): no
    /// acknowledgement can be for more. (It can exceed the current one when a
    /// map shortened the pool's lease.)
    pub offered_until_ub: Timespan,
    /// `readable_until_ub_from_primary` (non-primary): the newest bound the
    /// primary sent, on its clock.
    pub readable_until_ub_from_primary: Timespan,
    /// `acting_readable_until_ub` (primary): each acting position's acknowledged
    /// bound, on the primary's clock.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting_readable_until_ub: Vec<Timespan>,
    /// `prior_readable_until_ub`: prior intervals may serve reads until then.
    pub prior_readable_until_ub: Timespan,
    /// `prior_readable_down_osds`: the prior intervals' OSDs that are down but
    /// not known dead, so may still serve reads.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub prior_readable_down_osds: BTreeSet<OsdId>,
}

/// Whether an op may run now (`PrimaryLogPG::check_laggy`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Readable {
    /// The lease holds: go on.
    Yes,
    /// `WAIT`: a prior interval's lease may still be valid; the op waits
    /// (`waiting_for_readable`).
    Wait,
    /// `LAGGY`: this interval's lease ran out on the primary; the op waits.
    Laggy,
    /// A non-primary's lease ran out: Ceph answers the op `-EAGAIN`.
    Expired,
}
