//! The wire message catalog (`ceph-osd-side.md` §1; seed 000 for dispatch).
//!
//! - [`MsgType`]: every type with Ceph's code and its fast/normal dispatch class.
//! - [`Message`]: a message with its payload.
//! - [`encode`] / [`decode`]: versioned frames (header + postcard payload), with
//!   every malformed input refused by a typed [`MsgError`].
//! - [`Message::peering_items`]: what a peering message becomes for each PG it
//!   addresses: `(spgid, epoch_sent, epoch_requested, payload)`.

mod catalog;
mod control;
mod data;
mod encoding;
mod error;
mod event;
mod peering;
mod reserve;
mod validate;

pub use catalog::{Message, MsgType};
pub use control::{
    AliveMsg, CommandMsg, MarkMeDownMsg, OsdMapMsg, PgMissingMsg, PgStatsAckMsg, PgTempMsg,
    PingMsg, ScrubMsg,
};
pub use data::{ClientOpMsg, ClientOpReplyMsg, PgOpMsg};
pub use encoding::{FRAME_VERSION, HEADER_LEN, MAX_FRAME_LEN, decode, decode_with_limit, encode};
pub use error::MsgError;
pub use event::{PeeringItem, PeeringPayload};
pub use peering::{
    PgCreate2Msg, PgCreateEntry, PgCreateMsg, PgInfo2Msg, PgInfoMsg, PgLogMsg, PgNotify2Msg,
    PgNotifyMsg, PgQuery2Msg, PgQueryMsg, PgRemoveMsg, PgTrimMsg,
};
pub use reserve::{
    BackfillReserve, BackfillReserveKind, PgLease, PgLeaseAck, PgLeaseAckMsg, PgLeaseMsg,
    RecoveryReserve, RecoveryReserveKind,
};
pub use validate::decode_validated;
