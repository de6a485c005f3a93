//! The wire-only peering messages: Ceph's legacy batched notify, query and
//! info (each a list of the core's payloads) and the monitor's PG creation.
//!
//! The modern per-PG messages (`MOSDPGNotify2`, `MOSDPGQuery2`, `MOSDPGInfo2`,
//! `MOSDPGLog`, `MOSDPGRemove`, `MOSDPGTrim`, the reservations) carry the core's
//! payloads as they are; see the catalog.

use std::collections::BTreeMap;

use peering_core::event::PgNotify;
use peering_core::intervals::PastIntervals;
use peering_core::types::{Epoch, PgHistory, PgId, PgQuery, SpgId, UTime};
use serde::{Deserialize, Serialize};

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
