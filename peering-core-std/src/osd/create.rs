//! A peering item for a PG this OSD does not have: create the PG
//! (`handle_pg_create_info`) or answer without it (`handle_pg_query_nopg`).

use peering_core::ctx::{DirectMessage as CoreMessage, RecoveryCtx};
use peering_core::event::PgNotify;
use peering_core::event::{Event, PgCreateInfo, PgLogMsg};
use peering_core::intervals::{PastIntervals, is_new_interval};
use peering_core::log::Missing;
use peering_core::machine::{Pg, PgCreate};
use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, PgId, PgInfo, PgShard, QueryKind, SpgId};

use super::slot::PeeringItem;
use super::{DropReason, Osd};

impl Osd {
    /// `project_pg_history`'s verdict: true when `pgid`'s interval has not
    /// changed after `since` (no step between the maps held from `since` to
    /// the newest is a new interval by `PastIntervals::is_new_interval`: the
    /// mappings, sizes, flags, a split or merge of this PG, stretch rules), so
    /// a message sent at `since` still speaks for the current interval.
    fn same_interval_since(&self, pgid: PgId, since: Epoch) -> Result<bool, DropReason> {
        let Some(mut prev) = self.maps.get(since).cloned() else {
            return Err(DropReason::MapTrimmed(since));
        };
        let newest = self.epoch();
        let mut e = since;
        while let Some(next) = self.maps.next_after(e, newest) {
            let Some(map) = self.maps.get(next).cloned() else {
                break;
            };
            let (old, new) = (
                prev.pg_to_up_acting_osds(pgid),
                map.pg_to_up_acting_osds(pgid),
            );
            if is_new_interval(&old, &new, &*map, &*prev, pgid) {
                return Ok(false);
            }
            prev = map;
            e = next;
        }
        Ok(true)
    }

    /// `handle_pg_create_info`: creates this OSD's instance of `item.pgid` from
    /// the item's create info, when the OSD is in the PG's up or acting set at
    /// the creation epoch and now, the creating message is from the current
    /// interval, and (for the monitor's creates) this OSD is the acting primary.
    /// The PG is created with the map of the creation epoch (so `advance_pg`
    /// replays every map after it) and its output flushed into `ctx`.
    pub(super) fn handle_pg_create_info(
        &mut self,
        item: &PeeringItem,
        info: PgCreateInfo,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), DropReason> {
        let me = self.cfg.whoami;
        let spg = item.pgid;
        let no_pg = DropReason::NoPg(spg);
        let Some(now) = self.maps.newest().cloned() else {
            return Err(no_pg);
        };
        if info.pgid != spg || !now.is_up_acting_osd_shard(spg, me) {
            return Err(no_pg);
        }
        if info.by_mon && now.pg_to_up_acting_osds(spg.pgid).acting_primary != me {
            return Err(no_pg);
        }
        let Some(start) = self.maps.get(info.epoch).cloned() else {
            return Err(DropReason::MapTrimmed(info.epoch));
        };
        if !start.is_up_acting_osd_shard(spg, me) {
            return Err(no_pg);
        }
        if !self.same_interval_since(spg.pgid, info.epoch)? {
            return Err(DropReason::StaleCreate(spg));
        }
        let mapping = start.pg_to_up_acting_osds(spg.pgid);
        let args = PgCreate::from_create_info(
            PgShard::new(me, spg.shard),
            info,
            mapping,
            self.cfg.peering,
        );
        let pg = Pg::create(args, &*start, ctx).map_err(|_| DropReason::CreateFailed(spg))?;
        self.slots.entry(spg).or_default().install(pg);
        self.flush_pg_ctx(spg, ctx);
        Ok(())
    }

    /// `handle_pg_query_nopg`: a query for a PG this OSD does not have is
    /// answered with an empty info, if the pool exists and the query is from the
    /// current interval: a log (`MOSDPGLog`, empty log) for `LOG`/`FULLLOG`, a
    /// notify otherwise. Anything else needing no PG is dropped.
    pub(super) fn handle_pg_query_nopg(
        &mut self,
        item: &PeeringItem,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), DropReason> {
        let Event::MQuery(mq) = &item.evt.event else {
            return Err(DropReason::NoPg(item.pgid));
        };
        let epoch = self.epoch();
        if self
            .maps
            .newest()
            .and_then(|m| m.pool(mq.pgid.pgid.pool))
            .is_none()
        {
            return Err(DropReason::UnknownPool(mq.pgid.pgid));
        }
        if !self.same_interval_since(mq.pgid.pgid, mq.query.epoch_sent)? {
            return Err(DropReason::StaleCreate(mq.pgid));
        }
        let q = &mq.query;
        let empty = PgInfo::new(mq.pgid);
        match q.kind {
            QueryKind::Log { .. } | QueryKind::FullLog => ctx.send_direct(
                mq.from.osd,
                CoreMessage::Log(PgLogMsg {
                    pgid: SpgId::new(mq.pgid.pgid, q.from),
                    from: q.to,
                    epoch,
                    query_epoch: q.epoch_sent,
                    info: empty,
                    log: Default::default(),
                    missing: Missing::new(true),
                    past_intervals: Some(PastIntervals::default()),
                    lease: None,
                }),
            ),
            QueryKind::Info | QueryKind::Missing => ctx.send_notify(
                mq.from.osd,
                PgNotify {
                    query_epoch: q.epoch_sent,
                    epoch_sent: epoch,
                    info: empty,
                    to: q.from,
                    from: q.to,
                    past_intervals: PastIntervals::default(),
                },
            ),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use peering_core::types::{OsdId, UTime};

    use super::super::test_support::{map3, next, osd_on, pg_led_by_other, query, spg};
    use super::super::{OsdConfig, OsdMaps, OsdOutput, Peer};
    use super::*;
    use crate::msg::{Message, PgCreate2Msg};

    fn create2(seed: u32, epoch: Epoch) -> Message {
        let s = spg(seed);
        Message::PgCreate2(PgCreate2Msg {
            epoch,
            pgs: BTreeMap::from([(s, (epoch, UTime::default()))]),
            pg_extra: BTreeMap::from([(
                s,
                (
                    peering_core::types::PgHistory::new(epoch, UTime::default()),
                    PastIntervals::default(),
                ),
            )]),
        })
    }

    #[test]
    fn handle_pg_create_info_by_mon_only_on_the_acting_primary() {
        let map = map3();
        let (seed, primary) = pg_led_by_other(&map, 1);
        let mut other = osd_on(&map, OsdConfig::new(1));
        other.ms_dispatch(Peer::Mon, 1, create2(seed, 1));
        other.process_peering_events();
        assert!(other.pg(spg(seed)).is_none());
        assert!(other.drain_drops().contains(&DropReason::NoPg(spg(seed))));
        let mut osd = osd_on(&map, OsdConfig::new(primary.0));
        osd.ms_dispatch(Peer::Mon, 1, create2(seed, 1));
        osd.process_peering_events();
        let pg = osd.pg(spg(seed)).unwrap();
        assert!(pg.is_primary());
        assert!(
            osd.drain_outputs()
                .iter()
                .any(|o| matches!(o, OsdOutput::Persist { pgid, .. } if *pgid == spg(seed)))
        );
    }

    #[test]
    fn handle_pg_create_info_drops_a_creator_from_an_older_interval() {
        let mut map = map3();
        let (seed, primary) = pg_led_by_other(&map, 9);
        let pgid = spg(seed).pgid;
        let acting = map.pg_to_up_acting_osds(pgid).acting;
        let mut osd = osd_on(&map, OsdConfig::new(primary.0));
        // Epoch 2: a pg_temp changes the acting set (same primary): a new
        // interval began after the monitor's create at epoch 1.
        let temp: Vec<i32> = acting.iter().take(2).map(|o| o.0).collect();
        let inc = next(&mut map, |i| {
            i.set_pg_temp(pgid, &temp);
        });
        osd.handle_osd_map(OsdMaps::incrementals([inc])).unwrap();
        osd.ms_dispatch(Peer::Mon, 1, create2(seed, 1));
        osd.process_peering_events();
        assert!(osd.pg(spg(seed)).is_none());
        assert!(
            osd.drain_drops()
                .contains(&DropReason::StaleCreate(spg(seed)))
        );
    }

    fn sends_to(osd: &mut super::super::Osd, to: OsdId) -> Vec<Message> {
        osd.drain_outputs()
            .into_iter()
            .filter_map(|o| match o {
                OsdOutput::Send {
                    to: t, messages, ..
                } if t == to => Some(messages),
                _ => None,
            })
            .flatten()
            .collect()
    }

    #[test]
    fn handle_pg_query_nopg_answers_an_info_query_with_an_empty_notify() {
        let mut osd = osd_on(&map3(), OsdConfig::new(1));
        osd.ms_dispatch(Peer::Osd(OsdId(0)), 1, query(0, QueryKind::Info, 1));
        osd.process_peering_events();
        assert!(osd.pg(spg(0)).is_none());
        let sent = sends_to(&mut osd, OsdId(0));
        let [Message::PgNotify2(n)] = sent.as_slice() else {
            panic!("{sent:?}");
        };
        assert_eq!(n.info, PgInfo::new(spg(0)));
        assert_eq!(n.query_epoch, 1);
    }

    #[test]
    fn handle_pg_query_nopg_answers_a_log_query_with_an_empty_log() {
        let mut osd = osd_on(&map3(), OsdConfig::new(1));
        osd.ms_dispatch(Peer::Osd(OsdId(0)), 1, query(0, QueryKind::FullLog, 1));
        osd.process_peering_events();
        let sent = sends_to(&mut osd, OsdId(0));
        let [Message::PgLog(l)] = sent.as_slice() else {
            panic!("{sent:?}");
        };
        assert!(l.log.entries.is_empty());
        assert_eq!(l.info, PgInfo::new(spg(0)));
    }
}
