//! Split (reference §5.20): what a parent hands its child, the host order
//! (`AdvMap`, split, child `Initialize`+`ActMap`, parent `ActMap`), the bad
//! inputs, and a cluster where a PG splits in two and both halves go clean on
//! three OSDs.

mod machine_support;

use peering_core::{Crash, HostMisuse};
use std::collections::BTreeMap;

use machine_support::{POOL, loaded_pg, mapping};
use peering_core::PeeringError;
use peering_core::ctx::{HostNotification, MonRequest, OnCommit, RecoveryCtx};
use peering_core::event::{Event, PeeringEvt};
use peering_core::log::LogEntry;
use peering_core::machine::{ChildSeed, Pg, PgLoad, StateId};
use peering_core::map::{PoolInfo, SimpleOsdMap};
use peering_core::types::{EVersion, Epoch, ObjectId, OsdId, PgId, SpgId};

/// Several PGs per OSD: the parent and its children, routed by PG id.
struct SplitCluster {
    maps: BTreeMap<Epoch, SimpleOsdMap>,
    pgs: BTreeMap<(i32, PgId), Pg>,
    queue: Vec<(i32, PgId, PeeringEvt)>,
    up_thru_wanted: bool,
}

impl SplitCluster {
    fn map(&self) -> &SimpleOsdMap {
        self.maps.values().next_back().unwrap()
    }

    fn absorb(&mut self, osd: i32, pgid: PgId, mut ctx: RecoveryCtx) {
        for (to, out) in ctx.drain_outgoing() {
            for (spg, evt) in out.into_events(OsdId(osd)) {
                self.queue.push((to.0, spg.pgid, evt));
            }
        }
        for c in ctx.take_persist().committed() {
            let mut cctx = RecoveryCtx::new();
            let pg = self.pgs.get_mut(&(osd, pgid)).unwrap();
            match c {
                OnCommit::Event(e) => self.queue.push((osd, pgid, e)),
                OnCommit::CompleteFlush => pg.complete_flush(&mut cctx),
                OnCommit::PurgeStrays => {
                    let map = self.maps[&pg.epoch()].clone();
                    pg.purge_strays(&map, &mut cctx)
                }
                other => panic!("unexpected {other:?}"),
            }
            self.absorb(osd, pgid, cctx);
        }
        for r in ctx.drain_mon() {
            if matches!(r, MonRequest::UpThru { .. }) {
                self.up_thru_wanted = true;
            }
        }
        for n in ctx.drain_notifications().collect::<Vec<_>>() {
            if let HostNotification::ActivateComplete {
                needs_recovery: false,
                needs_backfill: false,
            } = n
            {
                let e = self.pgs[&(osd, pgid)].epoch();
                self.queue
                    .push((osd, pgid, PeeringEvt::new(e, Event::AllReplicasRecovered)));
            }
        }
    }

    fn run(&mut self) {
        let mut steps = 0;
        while !self.queue.is_empty() {
            steps += 1;
            assert!(steps < 10_000, "no quiescence");
            let (osd, pgid, evt) = self.queue.remove(0);
            let Some(pg) = self.pgs.get_mut(&(osd, pgid)) else {
                continue;
            };
            let map = self.maps[&pg.epoch()].clone();
            let mut ctx = RecoveryCtx::new();
            pg.handle_event(evt, &map, &mut ctx).expect("handle_event");
            self.absorb(osd, pgid, ctx);
        }
    }

    /// Publishes the next map and advances every PG, splitting parents when
    /// `pg_num` grew (the host order of §5.20).
    fn next_map(&mut self, f: impl FnOnce(&mut SimpleOsdMap)) -> Vec<ChildSeed> {
        let last = self.map().clone();
        let mut next = last.next();
        f(&mut next);
        self.maps.insert(next.epoch, next.clone());
        let old_pg_num = last.pools[&POOL].pg_num;
        let grew = next.pools[&POOL].pg_num > old_pg_num;
        let keys: Vec<_> = self.pgs.keys().copied().collect();
        let mut all_seeds = Vec::new();
        for (osd, pgid) in keys {
            let mut ctx = RecoveryCtx::new();
            let pg = self.pgs.get_mut(&(osd, pgid)).unwrap();
            pg.advance_map(&next, &last, mapping(&[0, 1, 2]), &mut ctx)
                .expect("advance_map");
            let seeds = if grew {
                pg.split(old_pg_num, &next, &mut ctx).expect("split")
            } else {
                Vec::new()
            };
            pg.activate_map(&next, &mut ctx).expect("activate_map");
            self.absorb(osd, pgid, ctx);
            for seed in seeds {
                all_seeds.push(seed.clone());
                let mut cctx = RecoveryCtx::new();
                let child_id = seed.info.pgid.pgid;
                let child = Pg::from_split(seed, mapping(&[0, 1, 2]), &next, &mut cctx)
                    .expect("from_split");
                self.pgs.insert((osd, child_id), child);
                self.absorb(osd, child_id, cctx);
            }
        }
        all_seeds
    }
}

fn parent_id() -> PgId {
    PgId::new(POOL, 0)
}

fn child_id() -> PgId {
    PgId::new(POOL, 1)
}

/// Three OSDs at epoch 10, pool of `pg_num` 1; PG 1.0 loaded on each with six
/// entries on objects of hash 1..=6, then peered to Active+Clean.
fn clean_parent() -> SplitCluster {
    let mut map = SimpleOsdMap::new(10).with_pool(PoolInfo::replicated(POOL, 3, 1));
    for o in 0..3 {
        map = map.with_up_osd(o, 1);
    }
    map.set_up_thru(0, 10);
    let mut c = SplitCluster {
        maps: BTreeMap::from([(10, map.clone())]),
        pgs: BTreeMap::new(),
        queue: Vec::new(),
        up_thru_wanted: false,
    };
    for o in 0..3 {
        let (_, args) = loaded_pg(o, 6, 10);
        let mut ctx = RecoveryCtx::new();
        let mut pg = Pg::load(args, &map, &mut ctx).expect("load");
        pg.activate_map(&map, &mut ctx).expect("ActMap after load");
        c.pgs.insert((o, parent_id()), pg);
        c.absorb(o, parent_id(), ctx);
    }
    c.run();
    assert_eq!(c.pgs[&(0, parent_id())].state_id(), StateId::Clean);
    c
}

fn hashes(pg: &Pg) -> Vec<u32> {
    pg.pg_log()
        .log()
        .entries()
        .iter()
        .map(|e: &LogEntry| e.soid.hash)
        .collect()
}

/// The split scenario: pg_num 1 → 2 at epoch 11; parent 1.0 and child 1.1 on
/// osd.0 (primary), osd.1 and osd.2; up_thru at 12; both reach Active+Clean.
#[test]
fn a_pg_splits_in_two_and_both_go_clean() {
    let mut c = clean_parent();
    let seeds = c.next_map(|m| {
        m.pools.get_mut(&POOL).unwrap().set_pg_num(2);
        m.pools.get_mut(&POOL).unwrap().pgp_num = 2;
    });
    assert_eq!(seeds.len(), 3, "one child per OSD");
    for seed in &seeds {
        assert_eq!(seed.parent.pgid, parent_id());
        assert_eq!(seed.info.pgid.pgid, child_id());
        assert_eq!(seed.split_bits, 1);
        assert_eq!(seed.epoch, 11);
        assert_eq!(seed.info.history.epoch_created, 11);
        assert_eq!(seed.info.history.last_epoch_split, 11);
        // Odd hashes move to the child; the child's versions come from its share.
        let child_hashes: Vec<u32> = seed
            .log
            .log()
            .entries()
            .iter()
            .map(|e| e.soid.hash)
            .collect();
        assert_eq!(child_hashes, [1, 3, 5]);
        assert_eq!(seed.info.last_update, EVersion::new(10, 6));
        assert_eq!(seed.info.stats.num_objects, 3);
    }
    for o in 0..3 {
        let parent = &c.pgs[&(o, parent_id())];
        assert_eq!(hashes(parent), [2, 4, 6]);
        assert_eq!(parent.info().stats.num_objects, 3);
        assert_eq!(parent.history().last_epoch_split, 11);
        let child = &c.pgs[&(o, child_id())];
        assert_eq!(child.info().pgid.pgid, child_id());
        assert_eq!(child.past_intervals(), parent.past_intervals());
    }
    // The new interval needs up_thru; the monitor grants it at 12.
    c.run();
    assert!(c.up_thru_wanted);
    c.next_map(|m| m.set_up_thru(0, 11));
    c.run();
    for pgid in [parent_id(), child_id()] {
        assert_eq!(c.pgs[&(0, pgid)].state_id(), StateId::Clean, "{pgid:?}");
        assert!(
            c.pgs[&(0, pgid)]
                .state_bits()
                .contains(peering_core::types::PgState::ACTIVE)
        );
        for o in [1, 2] {
            assert_eq!(
                c.pgs[&(o, pgid)].state_id(),
                StateId::RepNotRecovering,
                "osd.{o} {pgid:?}"
            );
        }
    }
    assert_eq!(hashes(&c.pgs[&(1, child_id())]), [1, 3, 5]);
}

fn parent_at_split() -> (Pg, SimpleOsdMap, SimpleOsdMap) {
    let c = clean_parent();
    let last = c.map().clone();
    let mut next = last.next();
    next.pools.get_mut(&POOL).unwrap().set_pg_num(2);
    let mut pg = c.pgs[&(1, parent_id())].clone();
    let mut ctx = RecoveryCtx::new();
    pg.advance_map(&next, &last, mapping(&[0, 1, 2]), &mut ctx)
        .unwrap();
    (pg, last, next)
}

#[test]
fn split_seed_carries_what_the_child_needs() {
    let (mut pg, _, next) = parent_at_split();
    let mut ctx = RecoveryCtx::new();
    let seeds = pg.split(1, &next, &mut ctx).unwrap();
    let [seed] = seeds.as_slice() else {
        panic!("{seeds:?}")
    };
    assert_eq!(seed.whoami, pg.status().whoami);
    assert_eq!(seed.old_pg_num, 1);
    assert_eq!(seed.new_pg_num, 2);
    assert_eq!(seed.info.last_epoch_started, pg.info().last_epoch_started);
    // reset_complete_to with nothing missing points complete_to at the first entry,
    // so last_complete reads 0'0 until activation sets it to last_update (Ceph's
    // own behaviour).
    assert_eq!(seed.info.last_complete, EVersion::ZERO);
    assert_eq!(seed.info.last_update, EVersion::new(10, 6));
    assert!(seed.info.last_backfill.is_max());
    // The parent persisted its half.
    assert!(ctx.transaction().ops.iter().any(|op| matches!(
        op,
        peering_core::ctx::TxOp::WriteLog { log, .. } if log.entries.len() == 3
    )));
    // The child is created at the split epoch, as a replica here (osd.1).
    let mut cctx = RecoveryCtx::new();
    let child = Pg::from_split(seed.clone(), mapping(&[0, 1, 2]), &next, &mut cctx).unwrap();
    assert_eq!(child.state_id(), StateId::Stray);
    assert_eq!(child.epoch(), 11);
    assert_eq!(child.role(), 1);
    // Its notify goes to the child primary with the split history.
    let notified: Vec<_> = cctx.notifies().values().flatten().collect();
    assert_eq!(notified.len(), 1);
    assert_eq!(notified[0].info.pgid.pgid, child_id());
    assert_eq!(notified[0].info.history.last_epoch_split, 11);
}

#[test]
fn a_split_mid_backfill_restarts_backfill_on_both_sides() {
    let mut map = SimpleOsdMap::new(10).with_pool(PoolInfo::replicated(POOL, 3, 1));
    for o in 0..3 {
        map = map.with_up_osd(o, 1);
    }
    let (_, mut args): (i32, PgLoad) = loaded_pg(1, 6, 10);
    args.info.last_backfill = ObjectId::new(POOL, 4, "o4");
    let mut ctx = RecoveryCtx::new();
    let mut pg = Pg::load(args, &map, &mut ctx).unwrap();
    pg.activate_map(&map, &mut ctx).unwrap();
    let mut next = map.next();
    next.pools.get_mut(&POOL).unwrap().set_pg_num(2);
    pg.advance_map(&next, &map, mapping(&[0, 1, 2]), &mut ctx)
        .unwrap();
    let seeds = pg.split(1, &next, &mut ctx).unwrap();
    assert!(pg.info().last_backfill.is_min());
    assert!(seeds[0].info.last_backfill.is_min());
    assert!(seeds[0].log.missing().items().is_empty());
}

#[test]
fn a_pg_that_does_not_split_gets_no_seeds() {
    // pg_num 2 → 3 splits 1.0 (into 1.2), not 1.1.
    let mut map = SimpleOsdMap::new(1).with_pool(PoolInfo::replicated(POOL, 3, 2));
    for o in 0..3 {
        map = map.with_up_osd(o, 1);
    }
    let mut ctx = RecoveryCtx::new();
    let mut pg = Pg::create(
        peering_core::machine::PgCreate {
            whoami: peering_core::types::PgShard::replica(0),
            pgid: SpgId::replicated(child_id()),
            mapping: mapping(&[0, 1, 2]),
            history: peering_core::types::PgHistory::new(1, Default::default()),
            past_intervals: Default::default(),
            config: Default::default(),
        },
        &map,
        &mut ctx,
    )
    .unwrap();
    let mut next = map.next();
    next.pools.get_mut(&POOL).unwrap().set_pg_num(3);
    pg.advance_map(&next, &map, mapping(&[0, 1, 2]), &mut ctx)
        .unwrap();
    let before = pg.clone();
    let mut ctx = RecoveryCtx::new();
    assert_eq!(pg.split(2, &next, &mut ctx).unwrap(), Vec::new());
    assert_eq!(pg, before);
    assert!(ctx.is_empty());
}

// --- bad input ---

#[test]
fn a_split_that_does_not_raise_pg_num_is_refused() {
    let (mut pg, _, next) = parent_at_split();
    let before = pg.clone();
    let mut ctx = RecoveryCtx::new();
    // The map has pg_num 2: "from 4" lowers it, "from 2" leaves it.
    assert_eq!(
        pg.split(4, &next, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::SplitNotGrowing {
            old: 4,
            new: 2
        }))
    );
    assert_eq!(
        pg.split(2, &next, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::SplitNotGrowing {
            old: 2,
            new: 2
        }))
    );
    assert_eq!(
        pg.split(0, &next, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::SplitNotGrowing {
            old: 0,
            new: 2
        }))
    );
    // And only at the PG's own map.
    let later = next.next();
    assert_eq!(
        pg.split(1, &later, &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::MapMismatch {
            expected: 11,
            got: 12
        }))
    );
    assert_eq!(pg, before);
    assert!(ctx.is_empty());
}

#[test]
fn seeds_not_from_this_parents_split_are_refused() {
    let (mut pg, _, next) = parent_at_split();
    let mut ctx = RecoveryCtx::new();
    let seed = pg.split(1, &next, &mut ctx).unwrap().remove(0);
    let not_child = PeeringError::HostMisuse(HostMisuse::NotSplitChild {
        child: child_id(),
        parent: parent_id(),
    });
    let create = |s: ChildSeed, map: &SimpleOsdMap| {
        Pg::from_split(s, mapping(&[0, 1, 2]), map, &mut RecoveryCtx::new())
    };
    // Another parent claims the child.
    let mut s = seed.clone();
    s.parent = SpgId::replicated(PgId::new(POOL, 1));
    assert_eq!(
        create(s, &next),
        Err(PeeringError::HostMisuse(HostMisuse::NotSplitChild {
            child: child_id(),
            parent: PgId::new(POOL, 1)
        }))
    );
    // A PG that is not a child of this change.
    let mut s = seed.clone();
    s.info.pgid = SpgId::replicated(PgId::new(POOL, 3));
    assert_eq!(
        create(s, &next),
        Err(PeeringError::HostMisuse(HostMisuse::NotSplitChild {
            child: PgId::new(POOL, 3),
            parent: parent_id()
        }))
    );
    // A log entry of an object that stays with the parent.
    let mut s = seed.clone();
    let mut log = s.log.log().log().clone();
    log.entries[0].soid = ObjectId::new(POOL, 2, "o2");
    s.log = peering_core::log::PgLog::from_parts(log, s.log.missing().clone()).unwrap();
    assert_eq!(create(s, &next), Err(not_child.clone()));
    // Another epoch's map.
    assert_eq!(create(seed.clone(), &next.next()), Err(not_child));
    // The same epoch with another pg_num.
    let mut other = next.clone();
    other.pools.get_mut(&POOL).unwrap().set_pg_num(4);
    assert_eq!(
        create(seed.clone(), &other),
        Err(PeeringError::HostMisuse(HostMisuse::SplitPgNumMismatch {
            expected: 2,
            got: 4
        }))
    );
    // The genuine seed works.
    assert!(create(seed, &next).is_ok());
}

#[test]
fn splitting_a_crashed_pg_is_refused() {
    let (mut pg, _, next) = parent_at_split();
    let mut ctx = RecoveryCtx::new();
    pg.activate_map(&next, &mut ctx).unwrap();
    // Crash it with an event nobody handles in Started.
    let _ = pg.handle_event(PeeringEvt::new(11, Event::MakePrimary), &next, &mut ctx);
    assert!(pg.is_crashed());
    assert_eq!(
        pg.split(1, &next, &mut ctx),
        Err(PeeringError::Crashed(Crash::AlreadyCrashed))
    );
}
