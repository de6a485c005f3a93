//! `epoch_t`, `version_t` and `eversion_t`.

use core::fmt;

/// An OSD map epoch (`epoch_t`, a `u32` in Ceph).
pub type Epoch = u32;

/// A PG log version counter (`version_t`, a `u64` in Ceph).
pub type Version = u64;

/// Ceph's `eversion_t`: the epoch a log entry was written in and its PG version.
///
/// Ordered by epoch, then version; the field order makes the derived `Ord` do
/// exactly that. `EVersion::default()` is `0'0`, "nothing". Printed as Ceph prints it,
/// `epoch'version` (`3'14`).
///
/// Note that Ceph's divergence detection compares only `version`; the log
/// module does so explicitly where Ceph does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EVersion {
    /// The map epoch in which the entry was written.
    pub epoch: Epoch,
    /// The PG version, strictly increasing along a log.
    pub version: Version,
}

impl EVersion {
    /// `eversion_t::max()`: newer than every real version.
    pub const MAX: EVersion = EVersion {
        epoch: Epoch::MAX,
        version: Version::MAX,
    };

    /// `0'0`: no version at all (an empty PG, an object that did not exist).
    pub const ZERO: EVersion = EVersion {
        epoch: 0,
        version: 0,
    };

    /// Builds `epoch'version`.
    pub const fn new(epoch: Epoch, version: Version) -> Self {
        EVersion { epoch, version }
    }

    /// True for `0'0`.
    pub const fn is_zero(&self) -> bool {
        self.epoch == 0 && self.version == 0
    }

    /// The zero-padded key Ceph stores log entries under
    /// (`EEEEEEEEEE.VVVVVVVVVVVVVVVVVVVV`): lexical order equals version order.
    pub fn key_name(&self) -> alloc::string::String {
        alloc::format!("{:010}.{:020}", self.epoch, self.version)
    }
}

impl fmt::Debug for EVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}'{}", self.epoch, self.version)
    }
}

impl fmt::Display for EVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl From<(Epoch, Version)> for EVersion {
    fn from((epoch, version): (Epoch, Version)) -> Self {
        EVersion { epoch, version }
    }
}
