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

/// Ceph's `signedspan`: a signed duration in nanoseconds (read leases).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Timespan(pub i64);
