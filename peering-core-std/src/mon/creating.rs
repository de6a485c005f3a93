//! PG creation: the monitor's `creating_pgs` and the `MOSDPGCreate2` it
//! sends to each new PG's primary.

use std::collections::BTreeMap;

use peering_core::intervals::PastIntervals;
use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, PgHistory, SpgId, UTime};

use super::{MonOutput, Monitor};
use crate::msg::{Message, PgCreate2Msg};

impl Monitor {
    /// `send_pg_creates`, after each committed epoch: every PG still being
    /// created whose acting primary is up and has not been sent its create
    /// since it became the primary gets one (`MOSDPGCreate2`, one message per
    /// OSD). The create carries `pg_history_t(created, ctime)` and empty past
    /// intervals; the OSD projects them to its own map
    /// (`build_initial_pg_history`), so a create re-sent to a new primary
    /// epochs later is still right. PGs of deleted pools are forgotten.
    pub(super) fn send_pg_creates(&mut self) {
        let epoch = self.map.epoch();
        let mut per_osd: BTreeMap<OsdId, PgCreate2Msg> = BTreeMap::new();
        let mut gone = Vec::new();
        for (&pgid, &created) in &self.creating {
            let Some(pool) = self.map.pg_pool(pgid.pool) else {
                gone.push(pgid);
                continue;
            };
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
            let shard = if pool.is_erasure() {
                mapping
                    .acting
                    .iter()
                    .position(|o| *o == primary)
                    .and_then(|i| i8::try_from(i).ok())
                    .map_or(
                        peering_core::types::ShardId::NO_SHARD,
                        peering_core::types::ShardId,
                    )
            } else {
                peering_core::types::ShardId::NO_SHARD
            };
            let spg = SpgId::new(pgid, shard);
            let m = per_osd.entry(primary).or_insert_with(|| PgCreate2Msg {
                epoch,
                pgs: BTreeMap::new(),
                pg_extra: BTreeMap::new(),
            });
            m.pgs.insert(spg, (created, UTime::default()));
            m.pg_extra.insert(
                spg,
                (
                    PgHistory::new(created, UTime::default()),
                    PastIntervals::default(),
                ),
            );
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
