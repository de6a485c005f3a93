//! [`OsdMapDecodeError`]: why a binary OSDMap or incremental was refused, and
//! at which byte.

use crate::crush::CrushDecodeError;

use super::super::OsdMapError;

/// What was wrong with a binary OSDMap or `OSDMap::Incremental`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OsdMapDecodeErrorKind {
    /// The input ends inside a field.
    #[error("truncated: {need} more bytes needed for {what}")]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// The bytes it needs.
        need: usize,
    },
    /// A count larger than the rest of the input could hold.
    #[error("{what} count {count} does not fit in the {remaining} bytes left")]
    CountTooLarge {
        /// What is counted.
        what: &'static str,
        /// The count read.
        count: u64,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// A struct whose encoding this decoder cannot read: older than the
    /// versioned layout (`decode_classic`), or whose `compat` version is newer
    /// than the newest this decoder knows (Ceph's `DECODE_START` refuses the
    /// same).
    #[error(
        "{what} encoding v{version} (compat v{compat}) is not supported (this decoder reads up to v{known})"
    )]
    UnsupportedVersion {
        /// The struct (`OSDMap`, `pg_pool_t`, ...).
        what: &'static str,
        /// Its `struct_v`.
        version: u8,
        /// Its `struct_compat` (0 when the encoding has none).
        compat: u8,
        /// The newest version this decoder reads.
        known: u8,
    },
    /// A struct whose fields run past the length its header gave.
    #[error("{what} runs {over} bytes past its encoded length")]
    StructOverrun {
        /// The struct.
        what: &'static str,
        /// How far past.
        over: usize,
    },
    /// A one-byte marker or sub-version that is not one Ceph writes.
    #[error("bad {what} marker {value}")]
    BadMarker {
        /// The field.
        what: &'static str,
        /// The byte read.
        value: u8,
    },
    /// The stored CRC32C does not match the bytes (`OSDMap::decode`'s check).
    #[error("bad crc: stored {stored:#010x}, computed {computed:#010x}")]
    BadCrc {
        /// The CRC in the encoding.
        stored: u32,
        /// The CRC of the bytes.
        computed: u32,
    },
    /// A string that is not UTF-8.
    #[error("{0} is not UTF-8")]
    BadString(&'static str),
    /// Bytes after the end of the outermost struct.
    #[error("{0} bytes after the end of the map")]
    TrailingData(usize),
    /// The CRUSH map inside could not be decoded (its offset is relative to
    /// the start of the CRUSH bytes).
    #[error("crush map: {0}")]
    Crush(CrushDecodeError),
    /// The decoded fields contradict each other (a per-OSD vector not
    /// `max_osd` long, a pool that breaks the map's rules...).
    #[error("invalid map: {0}")]
    Invalid(OsdMapError),
    /// A field outside the range Ceph's own code accepts.
    #[error("{0}")]
    OutOfRange(String),
}

/// A binary OSDMap or incremental that could not be decoded: what, and at
/// which byte of the input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {kind}")]
pub struct OsdMapDecodeError {
    /// The offset of the field that failed.
    pub offset: usize,
    /// What failed.
    pub kind: OsdMapDecodeErrorKind,
}
