//! The wire message catalog (seed 000 for dispatch).
//!
//! - [`MsgType`]: every type with Ceph's code and its fast/normal dispatch class.
//! - [`Message`]: a message with its payload; the peering messages carry the
//!   core's payloads as they are (`PgNotify`, `QueryMsg`, `InfoMsg`,
//!   `PgLogMsg`, `RemoveMsg`, `TrimMsg`, `RecoveryReserveMsg`,
//!   `BackfillReserveMsg`): one vocabulary, owned by the core.
//! - [`encode`] / [`decode`]: versioned frames (header + postcard payload), with
//!   every malformed input refused by a typed [`MsgError`].
//! - Message → event: [`Message::into_deliveries`] /
//!   [`Message::into_peering_events`], through each payload's own conversion
//!   in the core (`QueryMsg::into_event`, ...).
//! - Context → messages: [`Message::from_outgoing`] for one machine output,
//!   [`drain_messages`] for a whole `RecoveryCtx`, addressed to a [`Target`]
//!   (an OSD or the monitor).

mod catalog;
mod control;
mod data;
mod encoding;
mod error;
mod event;
mod name;
mod outgoing;
mod peering;
mod validate;

pub use catalog::{Message, MsgType};
pub use control::{
    AliveMsg, CommandMsg, MarkMeDownMsg, OsdMapMsg, PgCreatedMsg, PgMissingMsg, PgStatsAckMsg,
    PgTempMsg, PingMsg, ReadyToMergeMsg, ScrubMsg,
};
pub use data::{ClientOpMsg, ClientOpReplyMsg, PgOpMsg};
pub use encoding::{FRAME_VERSION, HEADER_LEN, MAX_FRAME_LEN, decode, decode_with_limit, encode};
pub use error::MsgError;
pub use event::PeeringDelivery;
pub use outgoing::{Target, drain_messages, mon_messages};
pub use peering::{PgCreate2Msg, PgCreateEntry, PgCreateMsg, PgInfoMsg, PgNotifyMsg, PgQueryMsg};
pub use validate::decode_validated;
