//! Data-path payloads: client ops, replication, EC, recovery and backfill
//! (seed 000).
//!
//! These are not peering messages; they are here because the OSD's dispatch
//! classifies them (all but the op reply go to fast dispatch) and orders them in
//! the same per-PG slots as peering events. What dispatch reads is the target PG
//! and the epochs; the operation itself is an opaque body.

use peering_core::types::{Epoch, PgShard, SpgId};
use serde::{Deserialize, Serialize};

/// `MOSDOp` (42): a client operation on one object.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ClientOpMsg {
    /// The target PG (clients with `RESEND_ON_SPLIT` name the spg).
    pub pgid: SpgId,
    /// The object name.
    pub oid: String,
    /// The client's map epoch; the OSD must have at least this map.
    pub map_epoch: Epoch,
    /// The client's transaction id.
    pub tid: u64,
    /// `CEPH_OSD_FLAG_*`.
    pub flags: u32,
    /// The encoded operations.
    pub ops: Vec<u8>,
}

/// `MOSDOpReply` (43): the OSD's answer to a client op.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ClientOpReplyMsg {
    /// The PG that served the op.
    pub pgid: SpgId,
    /// The object name.
    pub oid: String,
    /// The OSD's map epoch.
    pub map_epoch: Epoch,
    /// The client's transaction id.
    pub tid: u64,
    /// The result (0 or a negative errno).
    pub result: i32,
    /// The encoded per-op outputs.
    pub data: Vec<u8>,
}

/// The common shape of OSD-to-OSD data-path messages (`MOSDRepOp`, `MOSDECSubOp*`,
/// `MOSDPGPush`/`Pull`/`PushReply`, `MOSDPGScan`, `MOSDPGBackfill`, ...): every one
/// names a PG instance and the sender, and carries `map_epoch` (the sender's map)
/// and `min_epoch` (the oldest map at which it is still valid; a receiver behind it
/// waits for maps).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgOpMsg {
    /// The PG instance addressed.
    pub pgid: SpgId,
    /// The sending instance.
    pub from: PgShard,
    /// The sender's map epoch.
    pub map_epoch: Epoch,
    /// The oldest epoch at which this message is meaningful.
    pub min_epoch: Epoch,
    /// The sender's transaction id.
    pub tid: u64,
    /// The encoded operation.
    pub body: Vec<u8>,
}

impl PgOpMsg {
    /// A message from `from` to the instance `pgid` at the sender's `epoch`
    /// (`map_epoch`), valid from `min_epoch`, with transaction id `tid` and
    /// `body` encoded (postcard) as its operation.
    pub fn encode<T: Serialize>(
        pgid: SpgId,
        from: PgShard,
        (map_epoch, min_epoch): (Epoch, Epoch),
        tid: u64,
        body: &T,
    ) -> Result<PgOpMsg, super::MsgError> {
        let body = postcard::to_stdvec(body).map_err(|e| super::MsgError::Encode(e.to_string()))?;
        Ok(PgOpMsg {
            pgid,
            from,
            map_epoch,
            min_epoch,
            tid,
            body,
        })
    }
}
