//! Peering message payloads: notify, query, info (legacy batched and modern
//! per-PG forms), log, remove, trim and PG creation.

use std::collections::BTreeMap;

use peering_core::event::PgNotify;
use peering_core::intervals::PastIntervals;
use peering_core::types::{EVersion, Epoch, PgHistory, PgId, PgInfo, PgQuery, SpgId, UTime};
use serde::{Deserialize, Serialize};

use super::reserve::{PgLease, PgLeaseAck};

/// `MOSDPGNotify` (80): a batch of notifies, one per PG, from a replica or stray
/// to the primary. The OSD splits it into one event per entry.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgNotifyMsg {
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The notifies (past intervals travel inside each `pg_notify_t`).
    pub notifies: Vec<PgNotify>,
}

/// `MOSDPGQuery` (81): a batch of queries from a primary, keyed by target PG.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgQueryMsg {
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The queries, by the PG instance asked.
    pub queries: BTreeMap<SpgId, PgQuery>,
}

/// `MOSDPGInfo` (85): a batch of infos between primary and replicas.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgInfoMsg {
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The infos, each wrapped in a `pg_notify_t` as in modern Ceph.
    pub infos: Vec<PgNotify>,
}

/// `MOSDPGRemove` (84): the primary tells a stray to delete PG instances.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgRemoveMsg {
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The PG instances to delete.
    pub pgs: Vec<SpgId>,
}

/// `MOSDPGTrim` (86): trim the PG log up to `trim_to`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgTrimMsg {
    /// The sender's map epoch.
    pub epoch: Epoch,
    /// The PG instance.
    pub pgid: SpgId,
    /// Trim entries up to this version.
    pub trim_to: EVersion,
}

/// One entry of the legacy `MOSDPGCreate`: `pg_create_t`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgCreateEntry {
    /// `created`: the epoch the PG was created.
    pub created: Epoch,
    /// `parent`: the PG it split from, if any.
    pub parent: PgId,
    /// `split_bits`: nonzero entries are split children, which the OSD ignores.
    pub split_bits: i32,
}

/// `MOSDPGCreate` (89): the monitor's legacy (pre-Mimic) PG creation request.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgCreateMsg {
    /// The monitor's map epoch.
    pub epoch: Epoch,
    /// The PGs to create.
    pub mkpg: BTreeMap<PgId, PgCreateEntry>,
    /// Their creation stamps.
    pub ctimes: BTreeMap<PgId, UTime>,
}

/// `MOSDPGCreate2` (120): PG creation with history and past intervals (Mimic+).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgCreate2Msg {
    /// The monitor's map epoch.
    pub epoch: Epoch,
    /// The PGs to create: creation epoch and stamp.
    pub pgs: BTreeMap<SpgId, (Epoch, UTime)>,
    /// The history and past intervals each new PG starts from.
    pub pg_extra: BTreeMap<SpgId, (PgHistory, PastIntervals)>,
}

/// `MOSDPGNotify2` (130): one PG's notify (Octopus+).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgNotify2Msg {
    /// The PG instance addressed.
    pub spgid: SpgId,
    /// The notify.
    pub notify: PgNotify,
}

/// `MOSDPGQuery2` (131): one PG's query (Octopus+).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgQuery2Msg {
    /// The PG instance asked.
    pub spgid: SpgId,
    /// The query.
    pub query: PgQuery,
}

/// `MOSDPGInfo2` (132): one PG's info, optionally with a lease or lease ack
/// (Octopus+).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PgInfo2Msg {
    /// The PG instance addressed.
    pub spgid: SpgId,
    /// The sender's map epoch.
    pub epoch_sent: Epoch,
    /// The oldest epoch at which the message is still meaningful
    /// (`epoch_requested`).
    pub min_epoch: Epoch,
    /// The sender's info.
    pub info: PgInfo,
    /// A read lease, when the primary renews it with the info.
    pub lease: Option<PgLease>,
    /// A lease ack, when a replica acknowledges with its info.
    pub lease_ack: Option<PgLeaseAck>,
}
