//! Map, monitor and control payloads: `MOSDMap`, `MOSDPGTemp`, `MOSDAlive`, ping,
//! and the other messages the seed lists under normal dispatch
//! (seed 000).

use std::collections::BTreeMap;

use peering_core::types::{EVersion, Epoch, OsdId, OsdVec, PgId, SpgId};
use serde::{Deserialize, Serialize};

/// `MOSDMap` (41): full and incremental maps for a range of epochs.
///
/// Maps travel as encoded blobs, as in Ceph: the receiver decodes and applies them
/// in epoch order through its map pipeline.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct OsdMapMsg {
    /// Full maps by epoch.
    pub maps: BTreeMap<Epoch, Vec<u8>>,
    /// Incrementals by epoch.
    pub incremental_maps: BTreeMap<Epoch, Vec<u8>>,
    /// The oldest map the sender still has (`cluster_osdmap_trim_lower_bound`).
    pub oldest_map: Epoch,
    /// The newest map the sender has.
    pub newest_map: Epoch,
}

impl OsdMapMsg {
    /// `get_first()`: the oldest epoch carried (0 if none).
    pub fn first(&self) -> Epoch {
        let full = self.maps.keys().next();
        let inc = self.incremental_maps.keys().next();
        full.into_iter().chain(inc).min().copied().unwrap_or(0)
    }

    /// `get_last()`: the newest epoch carried (0 if none).
    pub fn last(&self) -> Epoch {
        let full = self.maps.keys().next_back();
        let inc = self.incremental_maps.keys().next_back();
        full.into_iter().chain(inc).max().copied().unwrap_or(0)
    }
}

/// `MOSDPGTemp` (78): an OSD asks the monitor for pg_temp entries.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgTempMsg {
    /// The sender's map epoch.
    pub map_epoch: Epoch,
    /// Wanted acting sets; an empty vector asks to remove the entry.
    pub pg_temp: BTreeMap<PgId, OsdVec>,
    /// `forced`: resend even if the monitor's map already has it.
    pub forced: bool,
}

/// `MOSDAlive` (73): an OSD asks the monitor to record `up_thru = want`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AliveMsg {
    /// The paxos version field: the sender's map epoch.
    pub version: Epoch,
    /// The up_thru wanted.
    pub want: Epoch,
}

/// `MOSDPGCreated` (116): an OSD tells the monitor a PG of a pool being
/// created has peered (`send_pg_created`, the core's
/// `MonRequest::PgCreated`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgCreatedMsg {
    /// The PG.
    pub pgid: PgId,
}

/// `MOSDPGReadyToMerge` (122): an OSD tells the monitor whether merge source
/// `pgid` and its target are ready to merge (`_send_ready_to_merge`); the
/// monitor then lowers `pg_num` with these versions and epochs
/// (`pg_pool_t::dec_pg_num`), or backs off.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ReadyToMergeMsg {
    /// The merge source.
    pub pgid: PgId,
    /// The source's `last_update`.
    pub source_version: EVersion,
    /// The target's `last_update`.
    pub target_version: EVersion,
    /// The target's `history.last_epoch_started`.
    pub last_epoch_started: Epoch,
    /// The target's `history.last_epoch_clean`.
    pub last_epoch_clean: Epoch,
    /// Ready (both sides peered clean with their full acting sets), or not.
    pub ready: bool,
    /// The sender's map epoch.
    pub map_epoch: Epoch,
}

impl ReadyToMergeMsg {
    /// A "not ready" for `source` (a side peered without its full acting set).
    pub fn not_ready(source: PgId, map_epoch: Epoch) -> Self {
        ReadyToMergeMsg {
            pgid: source,
            source_version: EVersion::ZERO,
            target_version: EVersion::ZERO,
            last_epoch_started: 0,
            last_epoch_clean: 0,
            ready: false,
            map_epoch,
        }
    }
}

/// `CEPH_MSG_PING` (5): a no-op.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct PingMsg;

/// `MOSDMarkMeDown` (74): an OSD asks to be marked down (graceful stop); the
/// monitor's ack is handled before the OSD lock in `ms_dispatch`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MarkMeDownMsg {
    /// The OSD.
    pub target_osd: OsdId,
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// Whether an ack is wanted.
    pub request_ack: bool,
}

/// `MPGStatsAck` (88): the monitor acknowledges PG stats up to a version per PG.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct PgStatsAckMsg {
    /// Acknowledged `(epoch, seq)` per PG.
    pub pg_stat: BTreeMap<PgId, (Epoch, u64)>,
}

/// `MMonCommand` (50) and `MCommand` (97): an administrative command.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct CommandMsg {
    /// The command words (JSON in modern Ceph).
    pub cmd: Vec<String>,
}

/// `MOSDScrub` (91): the legacy scrub request for a set of PGs.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct ScrubMsg {
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The PGs to scrub (all of this OSD's when empty).
    pub scrub_pgs: Vec<PgId>,
    /// Repair what the scrub finds.
    pub repair: bool,
    /// Deep scrub.
    pub deep: bool,
}

/// `MOSDPGMissing` (92): an obsolete message the seed's OSD asserts it never
/// receives; kept so that the code is classified and a frame carrying it decodes.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgMissingMsg {
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The PG instance.
    pub pgid: SpgId,
}
