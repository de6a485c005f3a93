//! A host for the reservation tests: one or more test clusters (one PG each) that
//! share per-OSD reservers, as the PGs of one OSD share its `local_reserver` and
//! `remote_reserver` (reference §4.4). Each reserver has one slot and a queue
//! (highest priority first, FIFO among equals); a grant is the reservation's
//! `on_grant` event delivered to the PG that asked. The backfill space check is the
//! host's answer: OSDs listed in `too_full` fail it.
//!
//! The host answers `on_activate_complete` as §8.6 says (`DoRecovery`,
//! `RequestBackfill` or `AllReplicasRecovered`) and keeps timers for the test to
//! fire. With `auto_grant` off, reservation requests are only recorded.

#![allow(dead_code)]

use peering_core::ctx::{BackfillReserveMsg, RecoveryReserveMsg};
use std::collections::{BTreeMap, BTreeSet};

use peering_core::ctx::{DirectMessage, HostNotification, RecoveryCtx, ReservationOp, Timer};
use peering_core::event::{Event, PeeringEvt};
use peering_core::intervals::UpActing;
use peering_core::machine::{EventOutcome, Pg, PgLoad};
use peering_core::map::{PoolInfo, SimpleOsdMap};
use peering_core::types::{EVersion, OsdId, PgShard};

use crate::machine_support::{Cluster, POOL, loaded_pg};

/// Who holds or waits for a slot: (cluster index, OSD of the PG instance).
pub type Owner = (usize, i32);

#[derive(Clone, Debug)]
pub struct Req {
    pub owner: Owner,
    pub priority: u32,
    pub on_grant: PeeringEvt,
}

/// One reserver with one slot.
#[derive(Clone, Debug, Default)]
pub struct Reserver {
    pub granted: Option<Req>,
    pub queue: Vec<Req>,
}

impl Reserver {
    fn request(&mut self, r: Req) -> Option<Req> {
        self.queue.retain(|q| q.owner != r.owner);
        self.queue.push(r);
        self.pump()
    }

    fn cancel(&mut self, owner: Owner) -> Option<Req> {
        self.queue.retain(|q| q.owner != owner);
        if self.granted.as_ref().is_some_and(|g| g.owner == owner) {
            self.granted = None;
        }
        self.pump()
    }

    /// Grants the slot to the best waiter if it is free.
    fn pump(&mut self) -> Option<Req> {
        if self.granted.is_some() || self.queue.is_empty() {
            return None;
        }
        let best = self.queue.iter().map(|r| r.priority).max()?;
        let i = self.queue.iter().position(|r| r.priority == best)?;
        let r = self.queue.remove(i);
        self.granted = Some(r.clone());
        Some(r)
    }
}

/// What one delivery produced, before the cluster routed it.
#[derive(Clone, Debug, Default)]
pub struct Out {
    pub reservations: Vec<ReservationOp>,
    pub timers: Vec<Timer>,
    pub messages: Vec<(OsdId, DirectMessage)>,
    pub notifications: Vec<HostNotification>,
}

pub struct World {
    pub clusters: Vec<Cluster>,
    pub local: BTreeMap<i32, Reserver>,
    pub remote: BTreeMap<i32, Reserver>,
    pub too_full: BTreeSet<i32>,
    pub auto_grant: bool,
    /// Every reservation operation, in order: (cluster, osd, op).
    pub ops: Vec<(usize, i32, ReservationOp)>,
    /// Timers not fired yet: (cluster, osd, timer).
    pub timers: Vec<(usize, i32, Timer)>,
    /// Every host notification: (cluster, osd, notification).
    pub notes: Vec<(usize, i32, HostNotification)>,
    /// Answer `on_activate_complete` (§8.6).
    pub answer_activate: bool,
}

impl World {
    pub fn new(clusters: Vec<Cluster>) -> World {
        let mut clusters = clusters;
        for c in &mut clusters {
            c.auto_recovered = false;
        }
        World {
            clusters,
            local: BTreeMap::new(),
            remote: BTreeMap::new(),
            too_full: BTreeSet::new(),
            auto_grant: true,
            ops: Vec::new(),
            timers: Vec::new(),
            notes: Vec::new(),
            answer_activate: true,
        }
    }

    pub fn pg(&self, ci: usize, osd: i32) -> &Pg {
        self.clusters[ci].pg(osd)
    }

    fn grant(&mut self, r: Option<Req>) {
        if let Some(r) = r {
            let (ci, osd) = r.owner;
            self.clusters[ci].queue.push((osd, r.on_grant));
        }
    }

    /// Plays one reservation operation against the shared reservers.
    fn reserve(&mut self, ci: usize, osd: i32, op: ReservationOp) {
        self.ops.push((ci, osd, op.clone()));
        if !self.auto_grant {
            return;
        }
        let owner = (ci, osd);
        let g = match op {
            ReservationOp::RequestLocal {
                priority, on_grant, ..
            } => self.local.entry(osd).or_default().request(Req {
                owner,
                priority,
                on_grant,
            }),
            ReservationOp::CancelLocal => self.local.entry(osd).or_default().cancel(owner),
            ReservationOp::RequestRemote {
                priority, on_grant, ..
            } => self.remote.entry(osd).or_default().request(Req {
                owner,
                priority,
                on_grant,
            }),
            ReservationOp::RequestRemoteBackfill {
                priority,
                on_grant,
                on_too_full,
                ..
            } => {
                if self.too_full.contains(&osd) {
                    self.clusters[ci].queue.push((osd, on_too_full));
                    None
                } else {
                    self.remote.entry(osd).or_default().request(Req {
                        owner,
                        priority,
                        on_grant,
                    })
                }
            }
            ReservationOp::CancelRemote => self.remote.entry(osd).or_default().cancel(owner),
            ReservationOp::UpdateLocalPriority { .. } | ReservationOp::UnreserveSpace => None,
        };
        self.grant(g);
    }

    /// Takes what the host itself handles out of `ctx`, then lets the cluster route
    /// the rest.
    fn absorb(&mut self, ci: usize, osd: i32, mut ctx: RecoveryCtx) -> Out {
        let out = Out {
            reservations: ctx.reservations().to_vec(),
            timers: ctx.timers().to_vec(),
            messages: ctx.messages().to_vec(),
            notifications: ctx.notifications().to_vec(),
        };
        // The read lease's timers run on a clock this world does not have
        // (`machine_lease` drives them); the reservation retries are kept.
        for t in ctx.drain_timers().collect::<Vec<_>>() {
            if !matches!(t.event.event, Event::RenewLease | Event::CheckReadable) {
                self.timers.push((ci, osd, t));
            }
        }
        for n in ctx.drain_notifications().collect::<Vec<_>>() {
            self.notes.push((ci, osd, n.clone()));
            if let HostNotification::ActivateComplete {
                needs_recovery,
                needs_backfill,
            } = n
            {
                if self.answer_activate {
                    let e = self.clusters[ci].pg(osd).epoch();
                    let evt = if needs_recovery {
                        Event::DoRecovery
                    } else if needs_backfill {
                        Event::RequestBackfill
                    } else {
                        Event::AllReplicasRecovered
                    };
                    self.clusters[ci].queue.push((osd, PeeringEvt::new(e, evt)));
                }
            }
        }
        let ops: Vec<_> = ctx.drain_reservations().collect();
        self.clusters[ci].absorb(osd, ctx);
        for op in ops {
            self.reserve(ci, osd, op);
        }
        out
    }

    /// Delivers one event now; returns the outcome and what it produced.
    pub fn deliver(&mut self, ci: usize, osd: i32, evt: PeeringEvt) -> (EventOutcome, Out) {
        let mut ctx = RecoveryCtx::new();
        let c = &mut self.clusters[ci];
        let pg = c.pgs.get_mut(&osd).unwrap();
        let map = c.maps[&pg.epoch()].clone();
        let outcome = pg.handle_event(evt, &map, &mut ctx).expect("handle_event");
        c.outcomes.push((osd, outcome));
        (outcome, self.absorb(ci, osd, ctx))
    }

    /// Delivers one event at the PG's epoch.
    pub fn deliver_now(&mut self, ci: usize, osd: i32, evt: Event) -> (EventOutcome, Out) {
        let e = self.pg(ci, osd).epoch();
        self.deliver(ci, osd, PeeringEvt::new(e, evt))
    }

    /// Delivers one event, expecting the PG to refuse it with an error.
    pub fn deliver_err(&mut self, ci: usize, osd: i32, evt: Event) -> peering_core::PeeringError {
        let mut ctx = RecoveryCtx::new();
        let c = &mut self.clusters[ci];
        let pg = c.pgs.get_mut(&osd).unwrap();
        let map = c.maps[&pg.epoch()].clone();
        let e = pg.epoch();
        pg.handle_event(PeeringEvt::new(e, evt), &map, &mut ctx)
            .expect_err("expected an error")
    }

    /// Delivers queued events, cluster by cluster, until every queue is empty.
    pub fn run(&mut self) {
        let mut steps = 0;
        loop {
            let mut any = false;
            for ci in 0..self.clusters.len() {
                if self.clusters[ci].queue.is_empty() {
                    continue;
                }
                any = true;
                let (to, evt) = self.clusters[ci].queue.remove(0);
                let c = &self.clusters[ci];
                let up = c.map().osds.get(&OsdId(to)).is_some_and(|s| s.up);
                if !up || !c.pgs.contains_key(&to) {
                    continue;
                }
                self.deliver(ci, to, evt);
                steps += 1;
                assert!(steps < 20_000, "no quiescence");
            }
            if !any {
                break;
            }
        }
    }

    /// Fires every pending timer (as if their delays passed), then runs.
    pub fn fire_timers(&mut self) {
        for (ci, osd, t) in std::mem::take(&mut self.timers) {
            self.clusters[ci].queue.push((osd, t.event));
        }
        self.run();
    }

    /// Publishes the next map of cluster `ci` with `mapping`, advancing every PG
    /// whose OSD is up.
    pub fn next_map(&mut self, ci: usize, mapping: UpActing, f: impl FnOnce(&mut SimpleOsdMap)) {
        let c = &mut self.clusters[ci];
        let mut m = c.map().next();
        f(&mut m);
        let e = m.epoch;
        c.maps.insert(e, m);
        c.mappings.insert(e, mapping);
        let osds: Vec<i32> = c.pgs.keys().copied().collect();
        for o in osds {
            if self.clusters[ci].maps[&e]
                .osds
                .get(&OsdId(o))
                .is_some_and(|s| s.up)
            {
                self.advance(ci, o);
            }
        }
    }

    /// Advances one PG to its cluster's newest map.
    pub fn advance(&mut self, ci: usize, osd: i32) {
        let ctx = self.clusters[ci].advance_ctx(osd);
        self.absorb(ci, osd, ctx);
    }

    /// The recovery engine, scripted: the primary of cluster `ci` (on `primary`)
    /// pushes every object a peer misses (the peer records it, then the primary),
    /// recovers its own, and tells MissingLoc; then reports `AllReplicasRecovered`,
    /// or `RequestBackfill` if backfill is still needed (§8.6).
    pub fn recover_all(&mut self, ci: usize, primary: i32) {
        let before = self.pg(ci, primary).clone();
        let peer_missing: Vec<(PgShard, peering_core::log::Missing)> = before
            .peer_missing()
            .map(|(s, m)| (*s, m.clone()))
            .collect();
        let mut ctx = RecoveryCtx::new();
        for (peer, missing) in &peer_missing {
            for (oid, item) in missing.items() {
                let c = &mut self.clusters[ci];
                if let Some(replica) = c.pgs.get_mut(&peer.osd.0) {
                    replica
                        .on_local_recover(oid, item.need, &mut ctx)
                        .expect("replica recover");
                }
                c.pgs
                    .get_mut(&primary)
                    .unwrap()
                    .on_peer_recover(*peer, oid, item.need, &mut ctx)
                    .expect("peer recover");
            }
        }
        let own: Vec<_> = before
            .pg_log()
            .missing()
            .items()
            .iter()
            .map(|(o, i)| (o.clone(), i.need))
            .collect();
        let c = &mut self.clusters[ci];
        let pg = c.pgs.get_mut(&primary).unwrap();
        for (oid, need) in own {
            pg.on_local_recover(&oid, need, &mut ctx).expect("recover");
        }
        for oid in before.missing_loc().needs_recovery_map.keys() {
            pg.on_global_recover(oid).unwrap();
        }
        let next = if pg.needs_backfill() {
            Event::RequestBackfill
        } else {
            Event::AllReplicasRecovered
        };
        self.absorb(ci, primary, ctx);
        let e = self.pg(ci, primary).epoch();
        self.clusters[ci]
            .queue
            .push((primary, PeeringEvt::new(e, next)));
        self.run();
    }

    /// Every `MRecoveryReserve` / `MBackfillReserve` cluster `ci` sent, in order:
    /// (from, to, message).
    pub fn reserve_msgs(&self, ci: usize) -> Vec<(i32, i32, DirectMessage)> {
        self.clusters[ci]
            .sent
            .iter()
            .filter_map(|s| match &s.msg {
                peering_core::ctx::Outgoing::Direct(
                    m @ (DirectMessage::RecoveryReserve(RecoveryReserveMsg { .. })
                    | DirectMessage::BackfillReserve(BackfillReserveMsg { .. })),
                ) => Some((s.from, s.to, m.clone())),
                _ => None,
            })
            .collect()
    }
}

/// Builds a cluster whose PG is loaded on each `(osd, log head)` with the mapping
/// `acting` (first is primary) at epoch 10, the primary's up_thru recorded; each
/// instance's log is `10'1..=10'head`, history clean at 10. Every OSD in `osds` is
/// up.
pub fn loaded(osds: &[i32], acting: &[i32], heads: &[(i32, u64)], size: u32) -> Cluster {
    loaded_with(
        crate::machine_support::ceph_config(),
        osds,
        acting,
        heads,
        size,
    )
}

/// [`loaded`] with every instance running `config`.
pub fn loaded_with(
    config: peering_core::machine::Config,
    osds: &[i32],
    acting: &[i32],
    heads: &[(i32, u64)],
    size: u32,
) -> Cluster {
    let mut map = SimpleOsdMap::new(10).with_pool(PoolInfo::replicated(POOL, size, 1));
    for &o in osds {
        map = map.with_up_osd(o, 1);
    }
    map.set_up_thru(acting[0], 10);
    let m = crate::machine_support::mapping(acting);
    let loads: Vec<(i32, PgLoad)> = heads
        .iter()
        .map(|&(o, head)| {
            let (o, mut l) = loaded_pg(o, head, 10);
            l.mapping = m.clone();
            l.config = config;
            (o, l)
        })
        .collect();
    Cluster::loaded(map, m, loads)
}

/// The shard of a replicated PG on `osd`.
pub fn shard(osd: i32) -> PgShard {
    PgShard::replica(osd)
}

/// `10'v`.
pub fn v(n: u64) -> EVersion {
    EVersion::new(10, n)
}

/// Four OSDs up at epoch 10, a size-3 pool, the PG clean on osd.0..2 (log
/// `10'6..=10'18`, tail `10'5`) with acting [0, 1, 2], and an empty instance on
/// osd.3 (`last_update` 0'0, behind the log tail: only backfill can fill it).
pub fn backfill_world() -> World {
    let acting = [0, 1, 2];
    let mut map = SimpleOsdMap::new(10).with_pool(PoolInfo::replicated(POOL, 3, 1));
    for o in 0..4 {
        map = map.with_up_osd(o, 1);
    }
    map.set_up_thru(0, 10);
    let m = crate::machine_support::mapping(&acting);
    let mut loads = Vec::new();
    for o in 0..3 {
        let (o, mut l) = loaded_pg(o, 18, 10);
        let mut log = peering_core::log::PgLogT::new(v(5), v(18));
        log.entries = (6..=18).map(crate::machine_support::entry).collect();
        l.log = peering_core::log::PgLog::from_parts(log, peering_core::log::Missing::new(true))
            .unwrap();
        l.info.log_tail = v(5);
        l.mapping = m.clone();
        loads.push((o, l));
    }
    let (_, mut empty) = loaded_pg(3, 0, 0);
    empty.info.last_update = EVersion::ZERO;
    empty.info.last_complete = EVersion::ZERO;
    empty.info.stats.num_objects = 0;
    empty.mapping = m.clone();
    loads.push((3, empty));
    let mut w = World::new(vec![Cluster::loaded(map, m, loads)]);
    w.run();
    w
}

/// `up` as the up set and `acting` as the acting set, primary first in each.
pub fn temp_mapping(up: &[i32], acting: &[i32]) -> UpActing {
    UpActing::new(up, up[0], acting, acting[0])
}

/// Brings `primary` (behind one replica, with two remote slots to take) to
/// Recovering by hand: local grant, then both remote grants.
pub fn to_recovering(w: &mut World, primary: i32) {
    w.deliver_now(0, primary, Event::DoRecovery);
    w.deliver_now(0, primary, Event::LocalRecoveryReserved);
    w.deliver_now(0, primary, Event::RemoteRecoveryReserved);
    w.deliver_now(0, primary, Event::RemoteRecoveryReserved);
    assert_eq!(
        w.pg(0, primary).state_id(),
        peering_core::machine::StateId::Recovering
    );
}
