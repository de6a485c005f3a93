//! [`RecoveryOp`]: the body of the recovery and backfill messages between
//! OSDs (`MOSDPGPull`, `MOSDPGPush`, `MOSDPGPushReply`, `MOSDPGBackfill`),
//! carried in [`PgOpMsg::body`] and encoded with postcard.

use peering_core::types::{EVersion, Epoch, ObjectId, PgShard, SpgId};
use serde::{Deserialize, Serialize};

use crate::msg::{Message, MsgError, PgOpMsg};

/// What one recovery or backfill message says.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum RecoveryOp {
    /// `MOSDPGPull`: send me `oid` at `version`.
    Pull {
        /// The object.
        oid: ObjectId,
        /// The version needed.
        version: EVersion,
    },
    /// `MOSDPGPush`: `oid` at `version` (removed when `delete`); `backfill`
    /// when it is a backfill copy rather than log-based recovery.
    Push {
        /// The object.
        oid: ObjectId,
        /// Its version.
        version: EVersion,
        /// Recovering it deletes it.
        delete: bool,
        /// A backfill push.
        backfill: bool,
        /// The object's data (empty for a versions-only object layer).
        data: Vec<u8>,
    },
    /// `MOSDPGPushReply`: the push of `oid` at `version` is applied.
    PushReply {
        /// The object.
        oid: ObjectId,
        /// Its version.
        version: EVersion,
        /// A backfill push.
        backfill: bool,
    },
    /// `MOSDPGBackfill` `OP_BACKFILL_PROGRESS`: your copy is complete up to
    /// `last_backfill`.
    BackfillProgress {
        /// The new `last_backfill`.
        last_backfill: ObjectId,
    },
    /// `MOSDPGBackfill` `OP_BACKFILL_FINISH`: backfill is complete.
    BackfillFinish,
    /// `MOSDPGBackfill` `OP_BACKFILL_FINISH_ACK`.
    BackfillFinishAck,
}

impl RecoveryOp {
    /// The message carrying this op from `from` to the instance `to` of the
    /// PG, at the sender's `epoch`, valid from `min_epoch` (the sender's
    /// `same_interval_since`).
    pub fn into_message(
        self,
        to: SpgId,
        from: PgShard,
        epoch: Epoch,
        min_epoch: Epoch,
    ) -> Result<Message, MsgError> {
        let m = PgOpMsg::encode(to, from, (epoch, min_epoch), 0, &self)?;
        Ok(match self {
            RecoveryOp::Pull { .. } => Message::PgPull(m),
            RecoveryOp::Push { .. } => Message::PgPush(m),
            RecoveryOp::PushReply { .. } => Message::PgPushReply(m),
            RecoveryOp::BackfillProgress { .. }
            | RecoveryOp::BackfillFinish
            | RecoveryOp::BackfillFinishAck => Message::PgBackfill(m),
        })
    }

    /// The op of a recovery message, with its envelope; `None` for any other
    /// message; an error for a body that does not decode or does not match
    /// the message type.
    pub fn from_message(msg: &Message) -> Option<Result<(&PgOpMsg, RecoveryOp), MsgError>> {
        let m = match msg {
            Message::PgPull(m)
            | Message::PgPush(m)
            | Message::PgPushReply(m)
            | Message::PgBackfill(m) => m,
            _ => return None,
        };
        let malformed = |reason: String| MsgError::Malformed {
            type_name: msg.msg_type().name(),
            reason,
        };
        let op = match postcard::from_bytes::<RecoveryOp>(&m.body) {
            Ok(op) => op,
            Err(e) => return Some(Err(malformed(e.to_string()))),
        };
        let matches = matches!(
            (msg, &op),
            (Message::PgPull(_), RecoveryOp::Pull { .. })
                | (Message::PgPush(_), RecoveryOp::Push { .. })
                | (Message::PgPushReply(_), RecoveryOp::PushReply { .. })
                | (
                    Message::PgBackfill(_),
                    RecoveryOp::BackfillProgress { .. }
                        | RecoveryOp::BackfillFinish
                        | RecoveryOp::BackfillFinishAck
                )
        );
        Some(if matches {
            Ok((m, op))
        } else {
            Err(malformed("op does not match the message type".to_string()))
        })
    }
}
