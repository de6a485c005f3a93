//! `MsgError`: why a frame could not be decoded or a message was refused.
//!
//! Frames come from peers and are untrusted: each way a frame can
//! be wrong has its own variant, and nothing is delivered from a refused frame.

use peering_core::types::{PgId, ShardId, SpgId};

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
    /// A notify or info whose sending shard is not the shard of the info it
    /// carries: Ceph's invariant `pg_notify_t::from == info.pgid.shard`,
    /// which `MOSDPGInfo2` relies on to name the sender
    /// (`MInfoRec.from = (source, info.pgid.shard)`).
    #[error("{pgid}: sending shard {from:?} is not its info's shard {info_shard:?}")]
    ShardMismatch {
        /// The PG instance addressed.
        pgid: SpgId,
        /// The sending shard the message states.
        from: ShardId,
        /// The shard of the info it carries.
        info_shard: ShardId,
    },
    /// The PG instance a message is addressed to is not the one its payload
    /// implies: `MOSDPGNotify2::spgid != (info.pgid.pgid, notify.to)`, a query
    /// whose `to` is not the addressed shard, an info or log for another PG
    /// (Ceph builds the address from the payload).
    #[error("message addressed to {addressed} carries a payload for {carried}")]
    PgMismatch {
        /// The PG instance the message is addressed to.
        addressed: SpgId,
        /// The PG instance its payload describes.
        carried: SpgId,
    },
    /// The message is not one that becomes a peering event (maps, data path,
    /// monitor traffic;.
    #[error("{0} does not become a peering event")]
    NotPeering(&'static str),
}
