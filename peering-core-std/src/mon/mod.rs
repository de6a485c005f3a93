//! A minimal monitor: the OSD map's authority (Ceph's `OSDMonitor` with the
//! parts of the manager that change the map on their own).
//!
//! [`Monitor`] is sans-IO like [`crate::osd::Osd`]: the host hands it what the
//! OSDs send ([`Monitor::handle`]), failure reports from the heartbeat layer
//! ([`Monitor::report_failure`]), operator commands ([`Monitor::create_pool`],
//! [`Monitor::mark_out`], ...) and the time ([`Monitor::tick`]); it batches the
//! changes in a pending incremental, as `OSDMonitor::pending_inc`, and
//! publishes it when the host calls [`Monitor::propose`] (Ceph proposes every
//! `paxos_propose_interval`). What it asks the host to send comes out of
//! [`Monitor::poll_output`].
//!
//! | what | Ceph | here |
//! |---|---|---|
//! | `MOSDBoot` | `prepare_boot` | [`Monitor::handle`] |
//! | `MOSDAlive` | `preprocess_alive` / `prepare_alive` | [`Monitor::handle`] |
//! | `MOSDPGTemp` | `preprocess_pgtemp` / `prepare_pgtemp` | [`Monitor::handle`] |
//! | `MOSDPGCreated` | `prepare_pg_created` | [`Monitor::handle`] |
//! | subscription | `check_osdmap_sub` / `send_incremental` | [`Monitor::handle`], [`Monitor::maps_since`] |
//! | `MOSDFailure` | `prepare_failure` / `check_failure` | [`Monitor::report_failure`], [`Monitor::tick`] |
//! | down → out | `OSDMonitor::tick` (`mon_osd_down_out_interval`) | [`Monitor::tick`] |
//! | PG creation | `update_pending_pgs` / `send_pg_creates` | [`Monitor::create_pool`], [`Monitor::propose`] |
//! | `pg_num`, `pgp_num` | `pool set`, the manager's `adjust_pgs` | [`Monitor::set_pg_num`], [`Monitor::mgr_tick`] |

mod commands;
mod config;
mod creating;
mod error;
mod failure;
mod merge;
mod requests;

#[cfg(test)]
mod tests;

pub use config::MonConfig;
pub use error::MonError;
pub(crate) use merge::MergeVerdict;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, OsdId, PgId, Timespan};

use crate::msg::Message;
use crate::osdmap::{Incremental, OsdMap};

/// What the monitor asks its host to do, in the order it decided it. (Each
/// output is moved once; boxing the incremental would cost an allocation per
/// epoch for nothing.)
#[derive(Clone, PartialEq, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum MonOutput {
    /// A new epoch was committed: send it to every subscriber (every OSD that
    /// is up or booting, in Ceph's `check_subs`).
    Publish(Incremental),
    /// Send these maps to one OSD (`send_incremental`: a subscription, or the
    /// reply to an `MOSDAlive` or `MOSDPGTemp` that changed nothing).
    Maps {
        /// The OSD.
        to: OsdId,
        /// The incrementals, in epoch order.
        maps: Vec<Incremental>,
    },
    /// Send a message to one OSD (`MOSDPGCreate2`).
    Send {
        /// The OSD.
        to: OsdId,
        /// The message.
        msg: Message,
    },
}

/// A failure report held until enough reporters agree (`failure_info_t`).
#[derive(Clone, PartialEq, Eq, Debug)]
struct FailureInfo {
    /// Reporter → when it says the target failed.
    reporters: BTreeMap<OsdId, Timespan>,
}

/// The map authority (see the module docs).
#[derive(Clone, Debug)]
pub struct Monitor {
    cfg: MonConfig,
    /// The committed map.
    map: OsdMap,
    /// The first full map, and every incremental after it.
    first: OsdMap,
    incs: BTreeMap<Epoch, Incremental>,
    /// `pending_inc`: the changes of the next epoch.
    pending: Incremental,
    /// The host's clock at the last call that passed it.
    now: Timespan,
    /// `failure_info`, per target.
    failures: BTreeMap<OsdId, FailureInfo>,
    /// When each down OSD went down (`down_pending_out`).
    down_since: BTreeMap<OsdId, Timespan>,
    /// `creating_pgs`: PG → its `pg_create_info` (creation epoch, history
    /// and past intervals, kept up to date epoch by epoch).
    creating: BTreeMap<PgId, creating::CreateInfo>,
    /// Where each creating PG's create was last sent, and at which epoch.
    create_sent: BTreeMap<PgId, (OsdId, Epoch)>,
    /// `pg_num_target` / `pgp_num_target` per pool, walked by `mgr_tick`.
    pg_num_target: BTreeMap<i64, u32>,
    pgp_num_target: BTreeMap<i64, u32>,
    /// Boots to retry at the next epoch (an OSD that booted while still up:
    /// `prepare_boot` marks it down first).
    boot_retry: BTreeSet<OsdId>,
    outputs: VecDeque<MonOutput>,
}

impl Monitor {
    /// A monitor whose committed map is `map` (its first epoch, e.g. from
    /// [`OsdMap::build_simple`]). Every PG of every pool in it counts as
    /// already created.
    pub fn new(map: OsdMap, cfg: MonConfig) -> Self {
        let pending = Incremental::new(map.epoch().saturating_add(1));
        Monitor {
            cfg,
            first: map.clone(),
            map,
            incs: BTreeMap::new(),
            pending,
            now: Timespan(0),
            failures: BTreeMap::new(),
            down_since: BTreeMap::new(),
            creating: BTreeMap::new(),
            create_sent: BTreeMap::new(),
            pg_num_target: BTreeMap::new(),
            pgp_num_target: BTreeMap::new(),
            boot_retry: BTreeSet::new(),
            outputs: VecDeque::new(),
        }
    }

    /// The committed map.
    pub fn map(&self) -> &OsdMap {
        &self.map
    }

    /// The committed epoch.
    pub fn epoch(&self) -> Epoch {
        self.map.epoch()
    }

    /// The options.
    pub fn config(&self) -> &MonConfig {
        &self.cfg
    }

    /// The first full map the monitor holds.
    pub fn first_map(&self) -> &OsdMap {
        &self.first
    }

    /// The committed incrementals from `start` on, in order: what a subscriber
    /// asking for `start` gets (`send_incremental`). Empty when `start` is past
    /// the newest epoch; starts at the oldest held when `start` is older.
    pub fn maps_since(&self, start: Epoch) -> Vec<Incremental> {
        self.incs.range(start..).map(|(_, i)| i.clone()).collect()
    }

    /// The committed incrementals of epochs `first..=last` ("give me epochs
    /// a..b"), in order; epochs the monitor does not hold are left out.
    pub fn maps_range(&self, first: Epoch, last: Epoch) -> Vec<Incremental> {
        if first > last {
            return Vec::new();
        }
        self.incs
            .range(first..=last)
            .map(|(_, i)| i.clone())
            .collect()
    }

    /// The PGs the monitor is still creating (`creating_pgs`), with their
    /// creation epochs.
    pub fn creating_pgs(&self) -> impl Iterator<Item = (PgId, Epoch)> + '_ {
        self.creating.iter().map(|(pg, c)| (*pg, c.created))
    }

    /// The next output, in order (quinn's `poll_transmit` style).
    pub fn poll_output(&mut self) -> Option<MonOutput> {
        self.outputs.pop_front()
    }

    /// Every output, in order.
    pub fn drain_outputs(&mut self) -> Vec<MonOutput> {
        self.outputs.drain(..).collect()
    }

    /// Whether the pending incremental holds any change.
    pub fn has_pending(&self) -> bool {
        let p = &self.pending;
        p.new_flags.is_some()
            || p.new_max_osd.is_some()
            || !p.new_pools.is_empty()
            || !p.old_pools.is_empty()
            || !p.new_weight.is_empty()
            || !p.new_primary_affinity.is_empty()
            || !p.new_state.is_empty()
            || !p.new_up_client.is_empty()
            || !p.new_up_thru.is_empty()
            || !p.new_last_clean_interval.is_empty()
            || !p.new_lost.is_empty()
            || !p.new_xinfo.is_empty()
            || !p.new_pg_temp.is_empty()
            || !p.new_primary_temp.is_empty()
            || !p.new_pg_upmap.is_empty()
            || !p.old_pg_upmap.is_empty()
            || !p.new_pg_upmap_items.is_empty()
            || !p.old_pg_upmap_items.is_empty()
            || p.new_crush.is_some()
    }

    /// Commits the pending incremental as the next epoch, if it holds any
    /// change (a Paxos proposal of `OSDMonitor`): applies it, publishes it
    /// ([`MonOutput::Publish`]), sends the creates of PGs whose primary
    /// changed, and retries held boots. Returns the new epoch, or `None` when
    /// there was nothing to propose.
    ///
    /// An incremental the map refuses is discarded whole (the committed map is
    /// unchanged) and its error returned.
    pub fn propose(&mut self) -> Result<Option<Epoch>, MonError> {
        if !self.has_pending() {
            return Ok(None);
        }
        let next = self.map.epoch().saturating_add(1);
        let mut inc =
            std::mem::replace(&mut self.pending, Incremental::new(next.saturating_add(1)));
        let mut map = match self.map.with_incremental(&inc) {
            Ok(m) => m,
            Err(e) => {
                self.pending = Incremental::new(next);
                return Err(MonError::Map(e));
            }
        };
        // `encode_pending`: drop temporary mappings that are redundant or
        // point at down OSDs (`clean_temps`), against the map the proposal
        // makes.
        if OsdMap::clean_temps(&self.map, &map, &mut inc) {
            map = match self.map.with_incremental(&inc) {
                Ok(m) => m,
                Err(e) => {
                    self.pending = Incremental::new(next);
                    return Err(MonError::Map(e));
                }
            };
        }
        let previous = std::mem::replace(&mut self.map, map);
        self.update_creating(&previous);
        self.note_down_osds();
        self.incs.insert(inc.epoch, inc.clone());
        self.outputs.push_back(MonOutput::Publish(inc));
        self.send_pg_creates();
        for osd in std::mem::take(&mut self.boot_retry) {
            self.prepare_boot(osd);
        }
        Ok(Some(next))
    }
}
