//! How a message is named in transcripts and logs: Ceph's C++ class name
//! (`MOSDPGQuery2`, `MBackfillReserve`), with the query kind or reservation
//! step in parentheses as Ceph's `print()` shows it.

use peering_core::ctx::{BackfillReserveOp, RecoveryReserveOp};
use peering_core::types::QueryKind;

use super::catalog::Message;

impl Message {
    /// Ceph's class name of the message, with the query kind or the
    /// reservation step: `MOSDPGQuery2(LOG)`, `MRecoveryReserve(GRANT)`,
    /// `MOSDPGNotify2`. Messages outside peering are named by their type
    /// constant (`CEPH_MSG_OSD_MAP`).
    pub fn class_name(&self) -> &'static str {
        match self {
            Message::PgQuery2(q) => match q.query.kind {
                QueryKind::Info => "MOSDPGQuery2(INFO)",
                QueryKind::Log { .. } => "MOSDPGQuery2(LOG)",
                QueryKind::Missing => "MOSDPGQuery2(MISSING)",
                QueryKind::FullLog => "MOSDPGQuery2(FULLLOG)",
            },
            Message::PgQuery(_) => "MOSDPGQuery",
            Message::PgNotify2(_) => "MOSDPGNotify2",
            Message::PgNotify(_) => "MOSDPGNotify",
            Message::PgInfo2(_) => "MOSDPGInfo2",
            Message::PgInfo(_) => "MOSDPGInfo",
            Message::PgLog(_) => "MOSDPGLog",
            Message::PgRemove(_) => "MOSDPGRemove",
            Message::PgTrim(_) => "MOSDPGTrim",
            Message::PgCreate(_) => "MOSDPGCreate",
            Message::PgCreate2(_) => "MOSDPGCreate2",
            Message::RecoveryReserve(m) => match m.op {
                RecoveryReserveOp::Request => "MRecoveryReserve(REQUEST)",
                RecoveryReserveOp::Grant => "MRecoveryReserve(GRANT)",
                RecoveryReserveOp::Release => "MRecoveryReserve(RELEASE)",
                RecoveryReserveOp::Revoke => "MRecoveryReserve(REVOKE)",
            },
            Message::BackfillReserve(m) => match m.op {
                BackfillReserveOp::Request => "MBackfillReserve(REQUEST)",
                BackfillReserveOp::Grant => "MBackfillReserve(GRANT)",
                BackfillReserveOp::RejectTooFull => "MBackfillReserve(REJECT_TOOFULL)",
                BackfillReserveOp::Release => "MBackfillReserve(RELEASE)",
                BackfillReserveOp::RevokeTooFull => "MBackfillReserve(REVOKE_TOOFULL)",
                BackfillReserveOp::Revoke => "MBackfillReserve(REVOKE)",
            },
            Message::PgLease(_) => "MOSDPGLease",
            Message::PgLeaseAck(_) => "MOSDPGLeaseAck",
            other => other.msg_type().name(),
        }
    }
}
