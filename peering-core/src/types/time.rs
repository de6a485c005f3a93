//! Time values. Time is only ever an input: these are plain numbers
//! the host supplies, never read from a clock here.

/// Ceph's `utime_t`: seconds and nanoseconds since the epoch, ordered by both.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UTime {
    /// Seconds.
    pub sec: u32,
    /// Nanoseconds within the second.
    pub nsec: u32,
}

/// Ceph's `signedspan`: a signed duration in nanoseconds. Read leases use it
/// both for durations and for points on an OSD's monotonic clock (`get_mnow()`,
/// the time since the OSD started).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Timespan(pub i64);

impl Timespan {
    /// `signedspan::zero()`: also Ceph's "no bound" for lease values.
    pub const ZERO: Timespan = Timespan(0);

    /// `secs` seconds.
    pub const fn from_secs(secs: i64) -> Self {
        Timespan(secs.saturating_mul(1_000_000_000))
    }

    /// `self + other`, saturating (an untrusted peer's value cannot overflow it).
    pub const fn saturating_add(self, other: Timespan) -> Self {
        Timespan(self.0.saturating_add(other.0))
    }

    /// `self - other`, saturating.
    pub const fn saturating_sub(self, other: Timespan) -> Self {
        Timespan(self.0.saturating_sub(other.0))
    }

    /// Half of it (`readable_interval / 2`, the lease renewal period).
    pub const fn half(self) -> Self {
        Timespan(self.0 / 2)
    }
}
