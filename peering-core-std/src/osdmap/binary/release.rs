//! `ceph_release_t`: release numbers and names, and the map flags that
//! follow from `require_osd_release` (`OSDMap::decode` and
//! `apply_incremental` set them the same way).

use peering_core::map::MapFlags;

/// `ceph_release_t::argonaut`.
pub(super) const ARGONAUT: u8 = 1;
/// `ceph_release_t::dumpling`.
pub(super) const DUMPLING: u8 = 4;
/// `ceph_release_t::firefly`.
pub(super) const FIREFLY: u8 = 6;
/// `ceph_release_t::hammer`.
pub(super) const HAMMER: u8 = 8;
/// `ceph_release_t::jewel`.
pub(super) const JEWEL: u8 = 10;
/// `ceph_release_t::kraken`.
pub(super) const KRAKEN: u8 = 11;
/// `ceph_release_t::luminous`.
pub(super) const LUMINOUS: u8 = 12;
/// `ceph_release_t::nautilus`.
pub(super) const NAUTILUS: u8 = 14;
/// `ceph_release_t::quincy`.
pub(super) const QUINCY: u8 = 17;

/// `ceph_release_t` names, by number (0 is `unknown`).
const RELEASES: [&str; 21] = [
    "unknown",
    "argonaut",
    "bobtail",
    "cuttlefish",
    "dumpling",
    "emperor",
    "firefly",
    "giant",
    "hammer",
    "infernalis",
    "jewel",
    "kraken",
    "luminous",
    "mimic",
    "nautilus",
    "octopus",
    "pacific",
    "quincy",
    "reef",
    "squid",
    "tentacle",
];

/// `ceph_release_name`: a release's name (`unknown` past the table).
pub fn release_name(r: u8) -> &'static str {
    RELEASES.get(usize::from(r)).copied().unwrap_or("unknown")
}

/// `ceph_release_from_name`: a release's number (0 when unknown).
pub fn release_from_name(name: &str) -> u8 {
    RELEASES
        .iter()
        .position(|n| *n == name)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}

/// The pre-Luminous `REQUIRE_*_OSDS` flags (`CEPH_OSDMAP_LEGACY_REQUIRE_FLAGS`).
const LEGACY_REQUIRE: MapFlags =
    MapFlags(MapFlags::REQUIRE_JEWEL.0 | MapFlags::REQUIRE_KRAKEN.0 | MapFlags::REQUIRE_LUMINOUS.0);

/// The flags a `require_osd_release` implies, as `OSDMap::decode` and
/// `apply_incremental` set them: from Luminous the legacy require flags go and
/// `RECOVERY_DELETES` is set; from Nautilus `PGLOG_HARDLIMIT` too.
pub(super) fn flags_for_release(flags: MapFlags, release: u8) -> MapFlags {
    let mut f = flags.0;
    if release >= LUMINOUS {
        f &= !LEGACY_REQUIRE.0;
        f |= MapFlags::RECOVERY_DELETES.0;
    }
    if release >= NAUTILUS {
        f |= MapFlags::PGLOG_HARDLIMIT.0;
    }
    MapFlags(f)
}

/// `OSDMap::decode` of a map older than the release field: the release the
/// legacy require flags stand for, and the flags as a Luminous map has them.
pub(super) fn release_from_legacy_flags(flags: MapFlags) -> (u8, MapFlags) {
    if flags.contains(MapFlags::REQUIRE_LUMINOUS) {
        (LUMINOUS, flags_for_release(flags, LUMINOUS))
    } else if flags.contains(MapFlags::REQUIRE_KRAKEN) {
        (KRAKEN, flags)
    } else if flags.contains(MapFlags::REQUIRE_JEWEL) {
        (JEWEL, flags)
    } else {
        (0, flags)
    }
}
