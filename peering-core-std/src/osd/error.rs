//! [`OsdError`] and [`DropReason`]: what the OSD host refuses and what it drops.
//!
//! Inputs come from untrusted peers and from the host. An input the `Osd` cannot
//! take at all is an [`OsdError`] (nothing was changed but the session's sequence
//! number, see [`super::Osd::ms_fast_dispatch`]); an input Ceph would quietly
//! discard is a [`DropReason`], recorded in [`super::Osd::drain_drops`].

use peering_core::machine::DropReason as PgDropReason;
use peering_core::types::{Epoch, OsdId, PgId, SpgId};

use crate::msg::MsgError;
use crate::osdmap::OsdMapError;
use crate::store::StoreError;

/// An input the OSD refused.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum OsdError {
    /// The frame does not decode (`Messenger` would fault the connection).
    #[error("undecodable frame: {0}")]
    Decode(#[from] MsgError),
    /// An incremental did not apply or a full map was inconsistent
    /// (`handle_osd_map`; the earlier epochs of the batch stay applied).
    #[error("map {epoch} refused: {error}")]
    Map {
        /// The epoch refused.
        epoch: Epoch,
        /// Why.
        error: OsdMapError,
    },
    /// A full map in an `MOSDMap` batch is stamped with another epoch than its key.
    #[error("full map keyed {key} is epoch {epoch}")]
    FullMapEpoch {
        /// The key in the batch.
        key: Epoch,
        /// The map's own epoch.
        epoch: Epoch,
    },
    /// The OSD has no map of this epoch (trimmed, or never received): a PG stored
    /// at it cannot be loaded (`load_pgs`).
    #[error("no map for epoch {0}")]
    NoMap(Epoch),
    /// The store has nothing loadable for this PG instance.
    #[error("{0} is not loadable from the store")]
    NotStored(SpgId),
    /// The store failed or holds a record it cannot read (`load_pgs`: the
    /// OSD reports the PG and starts the others).
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A client op found the PG not readable (`PrimaryLogPG::check_laggy`):
    /// `WAIT` for a prior interval's read lease, or `LAGGY` with its own lease
    /// run out. Ceph parks the op in `waiting_for_readable` and requeues it
    /// when `recheck_readable` clears the state; this host keeps no op queue,
    /// so the client retries, as it does for a PG not active yet.
    #[error("{pgid} is not readable ({why:?})")]
    NotReadable {
        /// The PG instance.
        pgid: SpgId,
        /// Why.
        why: peering_core::machine::Readable,
    },
    /// A member of a merging family was gone from its slot after being
    /// brought to the map before the merge (its machine terminated there).
    #[error("{0} left before it could merge")]
    MergeMemberGone(SpgId),
    /// A call into a PG failed; the PG is left as the core leaves it.
    #[error("{pgid}: {error}")]
    Pg {
        /// The PG instance.
        pgid: SpgId,
        /// The core's error, as text (its variants are the core's to regroup).
        error: String,
    },
}

impl OsdError {
    /// A failed call into `pgid`'s machine.
    pub(super) fn pg(pgid: SpgId) -> impl FnOnce(peering_core::error::PeeringError) -> OsdError {
        move |e| OsdError::Pg {
            pgid,
            error: e.to_string(),
        }
    }
}

/// Why an input was discarded without effect, in Ceph's terms.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum DropReason {
    /// A message whose sequence number was already seen on this session
    /// (the messenger's `in_seq` check).
    DuplicateSeq {
        /// The sequence number received.
        seq: u64,
        /// The last one accepted.
        last: u64,
    },
    /// A message that skips sequence numbers: an earlier one was lost or is
    /// late, and delivering this one would break the session's order.
    OutOfOrderSeq {
        /// The sequence number expected.
        expected: u64,
        /// The one received.
        got: u64,
    },
    /// The message type is not one the OSD acts on here (the data path and
    /// monitor traffic it does not model).
    NotHandled(&'static str),
    /// A peering message from something that is not an OSD (or, for creates,
    /// the monitor).
    UnexpectedSender,
    /// `require_same_peer_instance`: the sender is not up in the OSD's map.
    SenderNotUp(OsdId),
    /// The message names a PG whose pool the map does not have.
    UnknownPool(PgId),
    /// The session's `waiting_on_map` is full (a bound against a peer that
    /// floods messages from the future).
    SessionBacklog,
    /// The session was reset (or the peer marked down) with messages waiting.
    SessionReset {
        /// Messages dropped from `waiting_on_map`.
        waiting: usize,
    },
    /// An event for a PG this OSD does not have, without create info, or a
    /// create/query the OSD declined (`handle_pg_create_info` /
    /// `handle_pg_query_nopg` conditions failed).
    NoPg(SpgId),
    /// A creating message from an interval older than the PG's current one
    /// (`project_pg_history`: `epoch < same_interval_since`).
    StaleCreate(SpgId),
    /// The core refused to create the PG from the create info.
    CreateFailed(SpgId),
    /// The map a decision needs is not cached any more.
    MapTrimmed(Epoch),
    /// The PG's pool was deleted (`consume_map` removes the PG).
    PoolDeleted(SpgId),
    /// The PG's machine dropped the event (`old_peering_evt`, input checks).
    Pg(SpgId, PgDropReason),
    /// A recovery or backfill message (or call) this PG instance refused: from
    /// an older interval, not expected by the run in flight, or refused by
    /// the machine.
    Recovery(SpgId, String),
    /// A recovery or backfill message whose body does not decode.
    BadRecoveryMsg(String),
    /// `dispatch_context` while the OSD is not up in its own map: nothing is
    /// sent; peering is driven again by the next map.
    NotUp {
        /// Messages discarded.
        messages: usize,
    },
    /// `dispatch_context`: the target OSD is down in the current map.
    TargetDown(OsdId),
    /// The monitor or a peer sent maps the OSD already has.
    OldMap {
        /// The newest epoch carried.
        last: Epoch,
    },
    /// A message for this PG instance would not convert to the wire (the core
    /// produced an item the wire form refuses).
    Unsendable(SpgId),
}
