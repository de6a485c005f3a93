//! The message catalog: every message type with Ceph's type code, its payload and
//! its dispatch class (seed 000).
//!
//! One table below generates [`MsgType`], [`Message`] and the per-type encoders,
//! so a type's code, payload and dispatch class cannot drift apart.

use super::control::{
    AliveMsg, CommandMsg, MarkMeDownMsg, OsdMapMsg, PgCreatedMsg, PgMissingMsg, PgStatsAckMsg,
    PgTempMsg, PingMsg, ReadyToMergeMsg, ScrubMsg,
};
use super::data::{ClientOpMsg, ClientOpReplyMsg, PgOpMsg};
use super::peering::{PgCreate2Msg, PgCreateMsg, PgInfoMsg, PgNotifyMsg, PgQueryMsg};
use peering_core::ctx::{
    BackfillReserveMsg, InfoMsg, LeaseAckMsg, LeaseMsg, QueryMsg, RecoveryReserveMsg, RemoveMsg,
    TrimMsg,
};
use peering_core::event::{PgLogMsg, PgNotify};

macro_rules! catalog {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident($payload:ty) = $code:literal, $cname:literal,
            seed_fast: $fast:literal, modern_fast: $modern:literal;
    )*) => {
        /// A message type: Ceph's `CEPH_MSG_*` / `MSG_OSD_*` constant.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum MsgType {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl MsgType {
            /// Every type in the catalog.
            pub const ALL: &'static [MsgType] = &[$(MsgType::$variant),*];

            /// Ceph's type code (`Message::get_type()`).
            pub const fn code(self) -> u16 {
                match self { $(MsgType::$variant => $code,)* }
            }

            /// The type with Ceph's code `code`, if the catalog has it.
            pub const fn from_code(code: u16) -> Option<MsgType> {
                match code { $($code => Some(MsgType::$variant),)* _ => None }
            }

            /// Ceph's constant name (`MSG_OSD_PG_NOTIFY`, ...).
            pub const fn name(self) -> &'static str {
                match self { $(MsgType::$variant => $cname,)* }
            }

            /// `OSD::ms_can_fast_dispatch` as the seed gives it (Jewel): the
            /// data-path messages go to fast dispatch; everything else, peering
            /// messages included, to the locked `ms_dispatch`. Types the seed's
            /// switch does not name fall in its `default: false`.
            pub const fn can_fast_dispatch(self) -> bool {
                match self { $(MsgType::$variant => $fast,)* }
            }

            /// Modern Ceph's classification (`OSD::ms_can_fast_dispatch` in
            /// current `OSD.h`; column): the peering messages, ping
            /// and monitor commands are fast-dispatched into the sharded queue too;
            /// the map, mark-me-down, legacy create/scrub and the removed SUBOP
            /// pair are not.
            pub const fn can_fast_dispatch_modern(self) -> bool {
                match self { $(MsgType::$variant => $modern,)* }
            }
        }

        /// One message of the catalog, with its payload. (A message is moved
        /// once, between its frame and its handler; boxing the log would cost
        /// an allocation per message for nothing.)
        #[derive(Clone, PartialEq, Eq, Debug)]
        #[allow(clippy::large_enum_variant)]
        pub enum Message {
            $( $(#[doc = $doc])* $variant($payload), )*
        }

        impl Message {
            /// The message's type.
            pub const fn msg_type(&self) -> MsgType {
                match self { $(Message::$variant(_) => MsgType::$variant,)* }
            }

            /// The payload alone, postcard-encoded.
            pub(super) fn encode_payload(&self) -> Result<Vec<u8>, postcard::Error> {
                match self { $(Message::$variant(p) => postcard::to_allocvec(p),)* }
            }

            /// Decodes the payload of a `ty` message; returns the bytes left over.
            pub(super) fn decode_payload(
                ty: MsgType,
                bytes: &[u8],
            ) -> Result<(Message, &[u8]), postcard::Error> {
                match ty {
                    $(MsgType::$variant => postcard::take_from_bytes::<$payload>(bytes)
                        .map(|(p, rest)| (Message::$variant(p), rest)),)*
                }
            }
        }
    };
}

catalog! {
    /// `CEPH_MSG_PING` (5): no-op ping.
    Ping(PingMsg) = 5, "CEPH_MSG_PING", seed_fast: false, modern_fast: true;
    /// `CEPH_MSG_OSD_MAP` (41): full and incremental maps.
    OsdMap(OsdMapMsg) = 41, "CEPH_MSG_OSD_MAP", seed_fast: false, modern_fast: false;
    /// `CEPH_MSG_OSD_OP` (42): a client op.
    OsdOp(ClientOpMsg) = 42, "CEPH_MSG_OSD_OP", seed_fast: true, modern_fast: true;
    /// `CEPH_MSG_OSD_OPREPLY` (43): the reply to a client op (sent, not received,
    /// by an OSD; not in the seed's fast list).
    OsdOpReply(ClientOpReplyMsg) = 43, "CEPH_MSG_OSD_OPREPLY", seed_fast: false, modern_fast: false;
    /// `MSG_MON_COMMAND` (50): a monitor command.
    MonCommand(CommandMsg) = 50, "MSG_MON_COMMAND", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_ALIVE` (73): request up_thru.
    Alive(AliveMsg) = 73, "MSG_OSD_ALIVE", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_MARK_ME_DOWN` (74): graceful stop.
    MarkMeDown(MarkMeDownMsg) = 74, "MSG_OSD_MARK_ME_DOWN", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_SUBOP` (76): legacy replica sub-operation (removed after
    /// Luminous).
    SubOp(PgOpMsg) = 76, "MSG_OSD_SUBOP", seed_fast: true, modern_fast: false;
    /// `MSG_OSD_SUBOPREPLY` (77): its reply.
    SubOpReply(PgOpMsg) = 77, "MSG_OSD_SUBOPREPLY", seed_fast: true, modern_fast: false;
    /// `MSG_OSD_PGTEMP` (78): request pg_temp.
    PgTemp(PgTempMsg) = 78, "MSG_OSD_PGTEMP", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_PG_NOTIFY` (80): batched notifies.
    PgNotify(PgNotifyMsg) = 80, "MSG_OSD_PG_NOTIFY", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_QUERY` (81): batched queries.
    PgQuery(PgQueryMsg) = 81, "MSG_OSD_PG_QUERY", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_LOG` (83): a log (+missing, +past intervals), addressed by
    /// `pgid`.
    PgLog(PgLogMsg) = 83, "MSG_OSD_PG_LOG", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_REMOVE` (84): delete PG instances.
    PgRemove(RemoveMsg) = 84, "MSG_OSD_PG_REMOVE", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_INFO` (85): batched infos.
    PgInfo(PgInfoMsg) = 85, "MSG_OSD_PG_INFO", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_TRIM` (86): log trim.
    PgTrim(TrimMsg) = 86, "MSG_OSD_PG_TRIM", seed_fast: false, modern_fast: true;
    /// `MSG_PGSTATSACK` (88): PG stats acknowledged.
    PgStatsAck(PgStatsAckMsg) = 88, "MSG_PGSTATSACK", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_PG_CREATE` (89): legacy PG creation.
    PgCreate(PgCreateMsg) = 89, "MSG_OSD_PG_CREATE", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_SCRUB` (91): legacy scrub request (modern Ceph uses `SCRUB2`).
    Scrub(ScrubMsg) = 91, "MSG_OSD_SCRUB", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_PG_MISSING` (92): obsolete (the code was reused for scrub
    /// reservations later).
    PgMissing(PgMissingMsg) = 92, "MSG_OSD_PG_MISSING", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_REP_SCRUB` (93): replica scrub.
    RepScrub(PgOpMsg) = 93, "MSG_OSD_REP_SCRUB", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_PG_SCAN` (94): backfill scan.
    PgScan(PgOpMsg) = 94, "MSG_OSD_PG_SCAN", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_PG_BACKFILL` (95): backfill progress.
    PgBackfill(PgOpMsg) = 95, "MSG_OSD_PG_BACKFILL", seed_fast: true, modern_fast: true;
    /// `MSG_COMMAND` (97): a command.
    Command(CommandMsg) = 97, "MSG_COMMAND", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_BACKFILL_RESERVE` (99): backfill reservation.
    BackfillReserve(BackfillReserveMsg) = 99, "MSG_OSD_BACKFILL_RESERVE", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_PUSH` (105): recovery push.
    PgPush(PgOpMsg) = 105, "MSG_OSD_PG_PUSH", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_PG_PULL` (106): recovery pull.
    PgPull(PgOpMsg) = 106, "MSG_OSD_PG_PULL", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_PG_PUSH_REPLY` (107): push acknowledged.
    PgPushReply(PgOpMsg) = 107, "MSG_OSD_PG_PUSH_REPLY", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_EC_WRITE` (108): EC sub-write.
    EcWrite(PgOpMsg) = 108, "MSG_OSD_EC_WRITE", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_EC_WRITE_REPLY` (109).
    EcWriteReply(PgOpMsg) = 109, "MSG_OSD_EC_WRITE_REPLY", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_EC_READ` (110): EC sub-read.
    EcRead(PgOpMsg) = 110, "MSG_OSD_EC_READ", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_EC_READ_REPLY` (111).
    EcReadReply(PgOpMsg) = 111, "MSG_OSD_EC_READ_REPLY", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_REPOP` (112): replicated write to a replica.
    RepOp(PgOpMsg) = 112, "MSG_OSD_REPOP", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_REPOPREPLY` (113).
    RepOpReply(PgOpMsg) = 113, "MSG_OSD_REPOPREPLY", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_PG_UPDATE_LOG_MISSING` (114).
    PgUpdateLogMissing(PgOpMsg) = 114, "MSG_OSD_PG_UPDATE_LOG_MISSING", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_PG_UPDATE_LOG_MISSING_REPLY` (115).
    PgUpdateLogMissingReply(PgOpMsg) = 115, "MSG_OSD_PG_UPDATE_LOG_MISSING_REPLY", seed_fast: true, modern_fast: true;
    /// `MSG_OSD_PG_CREATED` (116): a creating PG peered (to the monitor).
    PgCreated(PgCreatedMsg) = 116, "MSG_OSD_PG_CREATED", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_PG_CREATE2` (120): PG creation with history (Mimic+).
    PgCreate2(PgCreate2Msg) = 120, "MSG_OSD_PG_CREATE2", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_READY_TO_MERGE` (122): merge readiness (to the monitor).
    PgReadyToMerge(ReadyToMergeMsg) = 122, "MSG_OSD_PG_READY_TO_MERGE", seed_fast: false, modern_fast: false;
    /// `MSG_OSD_PG_NOTIFY2` (130): per-PG notify (Octopus+), addressed
    /// `spg_t(info.pgid.pgid, to)` as the notify itself says.
    PgNotify2(PgNotify) = 130, "MSG_OSD_PG_NOTIFY2", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_QUERY2` (131): per-PG query (Octopus+).
    PgQuery2(QueryMsg) = 131, "MSG_OSD_PG_QUERY2", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_INFO2` (132): per-PG info (Octopus+), with its optional
    /// read lease and lease ack.
    PgInfo2(InfoMsg) = 132, "MSG_OSD_PG_INFO2", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_LEASE` (133): read lease.
    PgLease(LeaseMsg) = 133, "MSG_OSD_PG_LEASE", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_PG_LEASE_ACK` (134): lease ack.
    PgLeaseAck(LeaseAckMsg) = 134, "MSG_OSD_PG_LEASE_ACK", seed_fast: false, modern_fast: true;
    /// `MSG_OSD_RECOVERY_RESERVE` (150): recovery reservation.
    RecoveryReserve(RecoveryReserveMsg) = 150, "MSG_OSD_RECOVERY_RESERVE", seed_fast: false, modern_fast: true;
}
