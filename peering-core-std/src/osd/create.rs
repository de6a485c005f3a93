//! A peering item for a PG this OSD does not have: create the PG
//! (`handle_pg_create_info`) or answer without it (`handle_pg_query_nopg`)
//! (`ceph-osd-side.md` §2.4, §4.3, §4.7).

use peering_core::ctx::{Message as CoreMessage, RecoveryCtx};
use peering_core::event::{Event, PgCreateInfo, PgLogMsg};
use peering_core::intervals::PastIntervals;
use peering_core::log::Missing;
use peering_core::machine::{Pg, PgCreate};
use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, PgId, PgInfo, PgNotify, PgShard, QueryKind, SpgId};

use super::slot::PeeringItem;
use super::{DropReason, Osd};

impl Osd {
    /// `project_pg_history`'s verdict: true when `pgid`'s interval has not
    /// changed after `since` (up, acting, primaries and `pg_num` equal in every
    /// map held from `since` to the newest), so a message sent at `since` still
    /// speaks for the current interval.
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
            let pg_num = |m: &crate::osdmap::OsdMap| m.pool(pgid.pool).map(|p| p.pg_num);
            if pg_num(&prev) != pg_num(&map)
                || prev.pg_to_up_acting_osds(pgid) != map.pg_to_up_acting_osds(pgid)
            {
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
        self.slots.entry(spg).or_default().pg = Some(pg);
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
        if self.maps.newest().and_then(|m| m.pool(mq.pgid.pgid.pool)).is_none() {
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
