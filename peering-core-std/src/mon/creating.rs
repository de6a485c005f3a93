//! PG creation: the monitor's `creating_pgs` and the `MOSDPGCreate2` it
//! sends to each new PG's primary.

use std::collections::BTreeMap;

use peering_core::acting::stretch_set_can_peer_in;
use peering_core::intervals::{PastIntervals, RecoverablePredicate, check_new_interval};
use peering_core::map::{OsdMapView, PoolInfo};
use peering_core::types::{Epoch, OsdId, PgHistory, UTime};

use super::{MonOutput, Monitor};
use crate::msg::{Message, PgCreate2Msg};
use crate::osdmap::OsdMap;

/// `creating_pgs_t::pg_create_info`: a PG being created, with the history
/// and past intervals its creation message carries.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) struct CreateInfo {
    /// The epoch the pool (or PG) was created in.
    pub created: Epoch,
    /// `pg_history_t(created, ctime)`, moved on as the PG's mapping changes.
    pub history: PgHistory,
    /// The intervals since its creation.
    pub past_intervals: PastIntervals,
}

impl CreateInfo {
    pub fn new(created: Epoch) -> Self {
        CreateInfo {
            created,
            history: PgHistory::new(created, UTime::default()),
            past_intervals: PastIntervals::default(),
        }
    }
}

impl Monitor {
    /// `update_creating_pgs`: after a commit, each PG still being created whose
    /// mapping changed from `previous` to the new map gets the interval that
    /// ended added to its past intervals and its history moved on
    /// (`same_interval_since`, `same_up_since`, `same_primary_since`), so the
    /// create the monitor sends later speaks for the current interval. A PG
    /// whose interval cannot be recorded is re-created from the current epoch.
    pub(super) fn update_creating(&mut self, previous: &OsdMap) {
        let epoch = self.map.epoch();
        for (&pgid, c) in self.creating.iter_mut() {
            if c.created >= epoch {
                continue;
            }
            let (Some(old_pool), Some(_)) =
                (previous.pg_pool(pgid.pool), self.map.pg_pool(pgid.pool))
            else {
                continue;
            };
            let old = previous.pg_to_up_acting_osds(pgid);
            let new = self.map.pg_to_up_acting_osds(pgid);
            let pred = RecoverablePredicate::for_pool(old_pool);
            let closed = check_new_interval(
                (&old, &new),
                c.history.same_interval_since,
                c.history.last_epoch_clean,
                (&self.map, previous),
                pgid,
                (&pred, &|pool: &PoolInfo, acting: &[OsdId]| {
                    stretch_set_can_peer_in(pool, acting, previous)
                }),
                &mut c.past_intervals,
            );
            match closed {
                Ok(Some(_)) => c.history.same_interval_since = epoch,
                Ok(None) => {}
                Err(_) => *c = CreateInfo::new(epoch),
            }
            if old.up != new.up || old.up_primary != new.up_primary {
                c.history.same_up_since = epoch;
            }
            if old.acting_primary != new.acting_primary {
                c.history.same_primary_since = epoch;
            }
        }
    }

    /// `send_pg_creates`, after each committed epoch: every PG still being
    /// created whose acting primary is up and has not been sent its create
    /// since it became the primary gets one (`MOSDPGCreate2`, one message per
    /// OSD), with the history and past intervals [`Monitor::update_creating`]
    /// kept. PGs of deleted pools are forgotten.
    pub(super) fn send_pg_creates(&mut self) {
        let epoch = self.map.epoch();
        let mut per_osd: BTreeMap<OsdId, PgCreate2Msg> = BTreeMap::new();
        let mut gone = Vec::new();
        for (&pgid, c) in &self.creating {
            if self.map.pg_pool(pgid.pool).is_none() {
                gone.push(pgid);
                continue;
            }
            let mapping = self.map.pg_to_up_acting_osds(pgid);
            let primary = mapping.acting_primary;
            if primary == OsdId::NONE || primary == OsdId::UNDEF || !self.map.is_up(primary) {
                continue;
            }
            if self
                .create_sent
                .get(&pgid)
                .is_some_and(|(o, _)| *o == primary)
            {
                continue;
            }
            // The primary's shard: EC pools address it by its position.
            let Some(spg) = self.map.primary_shard(pgid) else {
                continue;
            };
            let m = per_osd.entry(primary).or_insert_with(|| PgCreate2Msg {
                epoch,
                pgs: BTreeMap::new(),
                pg_extra: BTreeMap::new(),
            });
            m.pgs.insert(spg, (c.created, UTime::default()));
            m.pg_extra
                .insert(spg, (c.history.clone(), c.past_intervals.clone()));
            self.create_sent.insert(pgid, (primary, epoch));
        }
        for pgid in gone {
            self.creating.remove(&pgid);
            self.create_sent.remove(&pgid);
        }
        for (to, m) in per_osd {
            self.outputs.push_back(MonOutput::Send {
                to,
                msg: Message::PgCreate2(m),
            });
        }
    }
}
