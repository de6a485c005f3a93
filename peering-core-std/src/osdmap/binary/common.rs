//! Small Ceph types the OSDMap encoding is built from: `utime_t`, `uuid_d`,
//! `entity_addr_t` / `entity_addrvec_t`, `pg_t`, `osd_info_t` and
//! `interval_set<snapid_t>`, with their decoders and Ceph's printed forms.

use core::fmt;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use peering_core::types::PgId;

use super::super::{OsdInfo, OsdXinfo};
use super::error::{OsdMapDecodeError, OsdMapDecodeErrorKind as Kind};
use super::reader::Reader;

type Result<T> = core::result::Result<T, OsdMapDecodeError>;

/// Ceph's `utime_t`: seconds and nanoseconds since the epoch.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Utime {
    /// Seconds.
    pub sec: u32,
    /// Nanoseconds.
    pub nsec: u32,
}

impl Utime {
    pub(super) fn decode(r: &mut Reader<'_>) -> Result<Utime> {
        Ok(Utime {
            sec: r.u32("utime_t")?,
            nsec: r.u32("utime_t")?,
        })
    }
}

/// `utime_t`'s `operator<<`: a time within ten years of the epoch prints as
/// relative seconds (`12.000500`), any other as ISO 8601 with microseconds.
/// Ceph prints local time; this prints UTC (`+0000`), which is what Ceph
/// prints on a machine whose time zone is UTC.
impl fmt::Display for Utime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let usec = self.nsec / 1000;
        if self.sec < 60 * 60 * 24 * 365 * 10 {
            return write!(f, "{}.{usec:06}", self.sec);
        }
        let days = i64::from(self.sec / 86_400);
        let secs = self.sec % 86_400;
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{usec:06}+0000",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day)
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Ceph's `uuid_d`: sixteen raw bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Uuid(pub [u8; 16]);

impl Uuid {
    pub(super) fn decode(r: &mut Reader<'_>) -> Result<Uuid> {
        let b = r.bytes(16, "uuid")?;
        let mut out = [0; 16];
        out.copy_from_slice(b);
        Ok(Uuid(out))
    }

    /// `is_zero()`.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 16]
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The socket address inside an `entity_addr_t`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum SockAddr {
    /// No address (`elen` 0).
    None,
    /// `AF_INET`: address and port.
    V4(Ipv4Addr, u16),
    /// `AF_INET6`: address and port.
    V6(Ipv6Addr, u16),
    /// Another address family, kept by number.
    Other(u16),
}

/// Ceph's `entity_addr_t`: messenger type (`none`, `v1`, `v2`, `any`), nonce
/// and socket address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct EntityAddr {
    /// `TYPE_NONE` 0, `TYPE_LEGACY` 1 (`v1`), `TYPE_MSGR2` 2 (`v2`), `TYPE_ANY` 3,
    /// `TYPE_CIDR` 4.
    pub kind: u32,
    /// The nonce distinguishing processes on one address.
    pub nonce: u32,
    /// The socket address.
    pub addr: SockAddr,
}

const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;

impl EntityAddr {
    /// `entity_addr_t::decode`: marker 0 is the legacy 136-byte layout, marker 1
    /// the versioned one.
    pub(super) fn decode(r: &mut Reader<'_>) -> Result<EntityAddr> {
        let at = r.offset();
        match r.u8("entity_addr_t marker")? {
            0 => Self::decode_legacy(r),
            1 => Self::decode_versioned(r),
            value => Err(r.error_at(
                at,
                Kind::BadMarker {
                    what: "entity_addr_t",
                    value,
                },
            )),
        }
    }

    /// After the 0 marker: three pad bytes, the nonce, and a 128-byte
    /// `sockaddr_storage` whose family is in network byte order.
    fn decode_legacy(r: &mut Reader<'_>) -> Result<EntityAddr> {
        r.bytes(3, "entity_addr_t pad")?;
        let nonce = r.u32("entity_addr_t nonce")?;
        let ss = r.bytes(128, "sockaddr_storage")?;
        let (family, rest) = split_u16(ss);
        Ok(EntityAddr {
            kind: 1,
            nonce,
            addr: sockaddr(u16::from_be_bytes(family), rest),
        })
    }

    /// After the 1 marker: `DECODE_START(1)`, type, nonce, and the sockaddr as
    /// a length, a little-endian family and the rest of the raw struct.
    fn decode_versioned(r: &mut Reader<'_>) -> Result<EntityAddr> {
        let s = r.start("entity_addr_t", 1)?;
        let kind = r.u32("entity_addr_t type")?;
        let nonce = r.u32("entity_addr_t nonce")?;
        let len = r.count("sockaddr", 1)?;
        let addr = if len == 0 {
            SockAddr::None
        } else {
            let raw = r.bytes(len, "sockaddr")?;
            let (family, rest) = split_u16(raw);
            sockaddr(u16::from_le_bytes(family), rest)
        };
        r.finish(s)?;
        Ok(EntityAddr { kind, nonce, addr })
    }
}

/// The first two bytes (zeros past the end) and the rest.
fn split_u16(b: &[u8]) -> ([u8; 2], &[u8]) {
    match b.split_first_chunk::<2>() {
        Some((head, rest)) => (*head, rest),
        None => ([b.first().copied().unwrap_or(0), 0], &[]),
    }
}

/// `N` bytes of `data` from `at`, if there are that many.
fn chunk<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    data.get(at..)?.first_chunk::<N>().copied()
}

/// The address in `data` (the bytes after `sa_family`): port in network order,
/// then the address (`sin6_flowinfo` comes first for IPv6).
fn sockaddr(family: u16, data: &[u8]) -> SockAddr {
    let port = chunk::<2>(data, 0).map(u16::from_be_bytes);
    match family {
        AF_INET => match (port, chunk::<4>(data, 2)) {
            (Some(p), Some(a)) => SockAddr::V4(Ipv4Addr::from(a), p),
            _ => SockAddr::Other(family),
        },
        AF_INET6 => match (port, chunk::<16>(data, 6)) {
            (Some(p), Some(a)) => SockAddr::V6(Ipv6Addr::from(a), p),
            _ => SockAddr::Other(family),
        },
        0 => SockAddr::None,
        other => SockAddr::Other(other),
    }
}

/// `entity_addr_t`'s `operator<<`: `-` for `TYPE_NONE`, else `v2:1.2.3.4:6800/17`
/// (no prefix for `TYPE_ANY`).
impl fmt::Display for EntityAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.kind {
            0 => return f.write_str("-"),
            1 => "v1:",
            2 => "v2:",
            3 => "",
            4 => "cidr:",
            _ => "???:",
        };
        f.write_str(prefix)?;
        match self.addr {
            SockAddr::V4(a, p) => write!(f, "{a}:{p}")?,
            SockAddr::V6(a, p) => write!(f, "[{a}]:{p}")?,
            SockAddr::None => f.write_str("(unrecognized address family 0)")?,
            SockAddr::Other(n) => write!(f, "(unrecognized address family {n})")?,
        }
        write!(f, "/{}", self.nonce)
    }
}

/// Ceph's `entity_addrvec_t`: an OSD's addresses, one per messenger protocol.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct AddrVec(pub Vec<EntityAddr>);

impl AddrVec {
    /// `entity_addrvec_t::decode`: marker 0 or 1 is a single address (legacy
    /// and versioned `entity_addr_t`), 2 a vector of them.
    pub(super) fn decode(r: &mut Reader<'_>) -> Result<AddrVec> {
        let at = r.offset();
        match r.u8("entity_addrvec_t marker")? {
            0 => Ok(AddrVec(vec![EntityAddr::decode_legacy(r)?])),
            1 => Ok(AddrVec(vec![EntityAddr::decode_versioned(r)?])),
            2 => Ok(AddrVec(r.vec("entity_addr_t", 2, EntityAddr::decode)?)),
            value => Err(r.error_at(
                at,
                Kind::BadMarker {
                    what: "entity_addrvec_t",
                    value,
                },
            )),
        }
    }
}

/// `entity_addrvec_t`'s `operator<<`: nothing when empty, the address alone,
/// or `[a,b]`.
impl fmt::Display for AddrVec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => Ok(()),
            [one] => write!(f, "{one}"),
            many => {
                f.write_str("[")?;
                for (i, a) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// `pg_t::decode`: version 1, pool (64-bit), seed, and the retired
/// `preferred` field.
pub(super) fn decode_pg(r: &mut Reader<'_>) -> Result<PgId> {
    let at = r.offset();
    let v = r.u8("pg_t version")?;
    if v != 1 {
        return Err(r.error_at(
            at,
            Kind::BadMarker {
                what: "pg_t version",
                value: v,
            },
        ));
    }
    let pool = r.i64("pg_t pool")?;
    let seed = r.u32("pg_t seed")?;
    r.i32("pg_t preferred")?;
    Ok(PgId::new(pool, seed))
}

/// The encoded size of a `pg_t`, for count bounds.
pub(super) const PG_SIZE: usize = 17;

/// `osd_info_t::decode`: a version byte and six epochs.
pub(super) fn decode_osd_info(r: &mut Reader<'_>) -> Result<OsdInfo> {
    r.u8("osd_info_t version")?;
    Ok(OsdInfo {
        last_clean_begin: r.u32("last_clean_begin")?,
        last_clean_end: r.u32("last_clean_end")?,
        up_from: r.u32("up_from")?,
        up_thru: r.u32("up_thru")?,
        down_at: r.u32("down_at")?,
        lost_at: r.u32("lost_at")?,
    })
}

/// `osd_xinfo_t::decode` (v1–4): the laggy statistics, features and old
/// weight are skipped; `dead_epoch` (v4, Octopus+) is kept, 0 before it.
pub(super) fn decode_osd_xinfo(r: &mut Reader<'_>) -> Result<OsdXinfo> {
    let s = r.start("osd_xinfo_t", 4)?;
    Utime::decode(r)?; // down_stamp
    r.u32("laggy_probability")?;
    r.u32("laggy_interval")?;
    if s.version >= 2 {
        r.u64("features")?;
    }
    if s.version >= 3 {
        r.u32("old_weight")?;
    }
    let mut dead_epoch = 0;
    if s.version >= 4 {
        Utime::decode(r)?; // last_purged_snaps_scrub
        dead_epoch = r.u32("dead_epoch")?;
    }
    r.finish(s)?;
    Ok(OsdXinfo { dead_epoch })
}

/// `osd_info_t`'s `operator<<`.
pub(super) fn fmt_osd_info(info: &OsdInfo) -> String {
    let mut s = format!(
        "up_from {} up_thru {} down_at {} last_clean_interval [{},{})",
        info.up_from, info.up_thru, info.down_at, info.last_clean_begin, info.last_clean_end
    );
    if info.lost_at != 0 {
        s.push_str(&format!(" lost_at {}", info.lost_at));
    }
    s
}

/// Ceph's `interval_set<snapid_t>` (and `snap_interval_set_t`): start → length.
pub type SnapIntervals = BTreeMap<u64, u64>;

pub(super) fn decode_intervals(r: &mut Reader<'_>) -> Result<SnapIntervals> {
    r.map("interval_set", 16, |r| {
        Ok((r.u64("interval start")?, r.u64("interval length")?))
    })
}

/// `interval_set`'s `operator<<`: `[start~len,start~len]`.
pub(super) fn fmt_intervals(set: &SnapIntervals) -> String {
    let items: Vec<String> = set.iter().map(|(s, l)| format!("{s}~{l}")).collect();
    format!("[{}]", items.join(","))
}

/// `map<int64_t, snap_interval_set_t>` (removed and purged snaps per pool).
pub(super) fn decode_pool_intervals(r: &mut Reader<'_>) -> Result<BTreeMap<i64, SnapIntervals>> {
    r.map("snap intervals", 12, |r| {
        Ok((r.i64("pool")?, decode_intervals(r)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utime_prints_like_ceph() {
        assert_eq!(Utime { sec: 0, nsec: 0 }.to_string(), "0.000000");
        assert_eq!(
            Utime {
                sec: 1_796_664_116,
                nsec: 437_922_000
            }
            .to_string(),
            "2026-12-07T17:21:56.437922+0000"
        );
    }
}
