//! `MsgError`: why a frame could not be decoded or a message was refused
//! (`ceph-osd-side.md` §1).
//!
//! Frames come from peers and are untrusted (DESIGN.md §4): each way a frame can
//! be wrong has its own variant, and nothing is delivered from a refused frame.

use peering_core::types::PgId;

/// Why a frame or a message was refused.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum MsgError {
    /// Fewer bytes than the header, or a payload that ends early.
    #[error("frame truncated")]
    Truncated,
    /// A frame longer than the allowed maximum.
    #[error("frame of {len} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// The frame's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A header version this build does not speak.
    #[error("unknown frame version {0}")]
    UnknownVersion(u8),
    /// A type code that is not in the catalog.
    #[error("unknown message type {0}")]
    UnknownType(u16),
    /// The payload does not decode as its type's payload.
    #[error("malformed {type_name} payload: {reason}")]
    Malformed {
        /// Ceph's name of the message type.
        type_name: &'static str,
        /// What the decoder reported.
        reason: String,
    },
    /// Bytes left over after the payload.
    #[error("{0} trailing bytes after the payload")]
    TrailingBytes(usize),
    /// The payload could not be encoded (a message the encoder cannot represent).
    #[error("encoding failed: {0}")]
    Encode(String),
    /// The message names a PG whose pool the map does not have.
    #[error("message names {0}, whose pool is not in the map")]
    UnknownPool(PgId),
}
