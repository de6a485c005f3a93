//! The monitor's rules, each against what `OSDMonitor` does.

use peering_core::map::{OsdMapView, PoolFlags, PoolInfo};
use peering_core::types::{EVersion, OsdId, PgId, Timespan};

use super::*;
use crate::msg::{AliveMsg, PgCreatedMsg, PgTempMsg, ReadyToMergeMsg};
use crate::osd::MonMessage;
use crate::osd::local::simple_map;
use crate::osdmap::{OSD_AUTOOUT, WEIGHT_IN, WEIGHT_OUT};

const SEC: i64 = 1_000_000_000;

fn mon(n: i32) -> Monitor {
    Monitor::new(simple_map(n, 1, 3, 8).unwrap(), MonConfig::default())
}

fn published(m: &mut Monitor) -> Vec<Incremental> {
    m.drain_outputs()
        .into_iter()
        .filter_map(|o| match o {
            MonOutput::Publish(i) => Some(i),
            _ => None,
        })
        .collect()
}

/// osd.0 reports PGs `0..n` of `pool` created (`MOSDPGCreated`).
fn report_created(m: &mut Monitor, pool: i64, n: u32) {
    for s in 0..n {
        m.handle(
            OsdId(0),
            MonMessage::PgCreated(PgCreatedMsg {
                pgid: PgId::new(pool, s),
            }),
            Timespan(0),
        );
    }
}

#[test]
fn nothing_pending_proposes_nothing() {
    let mut m = mon(3);
    assert_eq!(m.propose(), Ok(None));
    assert_eq!(m.epoch(), 1);
    assert!(m.poll_output().is_none());
}

#[test]
fn alive_records_the_epoch_the_osd_had_not_the_one_it_wanted() {
    let mut m = mon(3);
    m.mark_out(OsdId(2)).unwrap();
    m.propose().unwrap();
    m.mark_in(OsdId(2)).unwrap();
    m.propose().unwrap();
    m.drain_outputs();
    // `prepare_alive`: new_up_thru = m->version.
    m.handle(
        OsdId(0),
        MonMessage::Alive(AliveMsg {
            version: 3,
            want: 2,
        }),
        Timespan(0),
    );
    assert_eq!(m.propose(), Ok(Some(4)));
    assert_eq!(m.map().up_thru(OsdId(0)), 3);
    // Satisfied already: no proposal, the maps the OSD lacks instead.
    m.drain_outputs();
    m.handle(
        OsdId(0),
        MonMessage::Alive(AliveMsg {
            version: 2,
            want: 3,
        }),
        Timespan(0),
    );
    assert!(!m.has_pending());
    let outs = m.drain_outputs();
    let [MonOutput::Maps { to, maps }] = outs.as_slice() else {
        panic!("{outs:?}")
    };
    assert_eq!(*to, OsdId(0));
    assert_eq!(maps.iter().map(|i| i.epoch).collect::<Vec<_>>(), [3, 4]);
    // A down OSD is not heard.
    m.mark_down(OsdId(1));
    m.propose().unwrap();
    m.handle(
        OsdId(1),
        MonMessage::Alive(AliveMsg {
            version: 5,
            want: 5,
        }),
        Timespan(0),
    );
    assert!(!m.has_pending());
}

#[test]
fn a_boot_while_still_up_marks_down_first_then_up() {
    let mut m = mon(3);
    m.handle(OsdId(1), MonMessage::Boot { epoch: 1 }, Timespan(0));
    // Epoch 2: osd.1 down (its old instance's interval ends).
    assert_eq!(m.propose(), Ok(Some(2)));
    assert!(!m.map().is_up(OsdId(1)));
    assert_eq!(m.map().down_at(OsdId(1)), 2);
    // Epoch 3: the retried boot marks it up, up_from 3.
    assert_eq!(m.propose(), Ok(Some(3)));
    assert!(m.map().is_up(OsdId(1)));
    assert_eq!(m.map().up_from(OsdId(1)), 3);
    assert_eq!(published(&mut m).len(), 2);
}

/// `preprocess_mark_me_dead` / `prepare_mark_me_dead`: only a down OSD that
/// exists is recorded dead, at the epoch it saw itself down; `is_dead` holds
/// until it comes up again.
#[test]
fn mark_me_dead_records_a_down_osd_dead_until_it_boots() {
    let mut m = mon(3);
    // Up: ignored. Unknown: ignored.
    m.handle(OsdId(1), MonMessage::MarkMeDead { epoch: 1 }, Timespan(0));
    m.handle(OsdId(7), MonMessage::MarkMeDead { epoch: 1 }, Timespan(0));
    assert!(!m.has_pending());
    m.mark_down(OsdId(1));
    assert_eq!(m.propose(), Ok(Some(2)));
    assert!(!m.map().is_dead(OsdId(1)), "down is not dead");
    m.handle(OsdId(1), MonMessage::MarkMeDead { epoch: 2 }, Timespan(0));
    assert_eq!(m.propose(), Ok(Some(3)));
    assert_eq!(m.map().dead_epoch(OsdId(1)), 2);
    assert!(m.map().is_dead(OsdId(1)));
    // Its boot brings it up after the dead epoch: no longer dead.
    m.handle(OsdId(1), MonMessage::Boot { epoch: 3 }, Timespan(0));
    assert_eq!(m.propose(), Ok(Some(4)));
    assert!(m.map().is_up(OsdId(1)));
    assert!(!m.map().is_dead(OsdId(1)));
}

#[test]
fn failures_need_enough_reporters_and_the_grace() {
    let mut m = mon(4);
    m.report_failure(OsdId(3), OsdId(0), Timespan(0));
    m.tick(Timespan(60 * SEC));
    assert!(!m.has_pending(), "one reporter is not enough");
    m.report_failure(OsdId(3), OsdId(1), Timespan(50 * SEC));
    m.tick(Timespan(60 * SEC));
    // The earliest report is 60 s old: past the 20 s grace.
    assert!(m.has_pending());
    m.propose().unwrap();
    assert!(!m.map().is_up(OsdId(3)));

    // Within the grace, nothing; a withdrawn report stops it.
    let mut m = mon(4);
    m.report_failure(OsdId(3), OsdId(0), Timespan(10 * SEC));
    m.report_failure(OsdId(3), OsdId(1), Timespan(10 * SEC));
    m.tick(Timespan(25 * SEC));
    assert!(!m.has_pending());
    m.cancel_failure(OsdId(3), OsdId(0));
    m.tick(Timespan(40 * SEC));
    assert!(!m.has_pending());
}

#[test]
fn down_osds_go_out_after_the_interval_and_come_back_in_on_boot() {
    let mut m = mon(4);
    m.mark_down(OsdId(2));
    m.tick(Timespan(0));
    m.propose().unwrap();
    m.tick(Timespan(599 * SEC));
    assert!(!m.has_pending());
    m.tick(Timespan(600 * SEC));
    m.propose().unwrap();
    assert_eq!(m.map().weight(OsdId(2)), WEIGHT_OUT);
    assert_ne!(m.map().osd_state(OsdId(2)) & OSD_AUTOOUT, 0);
    m.handle(OsdId(2), MonMessage::Boot { epoch: 3 }, Timespan(601 * SEC));
    m.propose().unwrap();
    assert!(m.map().is_up(OsdId(2)));
    assert_eq!(m.map().weight(OsdId(2)), WEIGHT_IN);
    assert_eq!(m.map().osd_state(OsdId(2)) & OSD_AUTOOUT, 0);
}

#[test]
fn pg_temp_is_applied_with_up_thru_and_a_no_op_gets_maps() {
    let mut m = mon(4);
    let pg = PgId::new(1, 0);
    let want: peering_core::types::OsdVec = [OsdId(3), OsdId(0)].into_iter().collect();
    let msg = |w: &peering_core::types::OsdVec| {
        MonMessage::PgTemp(PgTempMsg {
            map_epoch: 1,
            pg_temp: [(pg, w.clone())].into_iter().collect(),
            forced: false,
        })
    };
    m.handle(OsdId(0), msg(&want), Timespan(0));
    m.propose().unwrap();
    assert_eq!(m.map().pg_temp().get(&pg), Some(&want));
    assert_eq!(m.map().up_thru(OsdId(0)), 1);
    m.drain_outputs();
    m.handle(OsdId(0), msg(&want), Timespan(0));
    assert!(!m.has_pending());
    assert!(matches!(
        m.drain_outputs().as_slice(),
        [MonOutput::Maps { .. }]
    ));
    // An empty vector clears it.
    m.handle(OsdId(0), msg(&Default::default()), Timespan(0));
    m.propose().unwrap();
    assert!(m.map().pg_temp().get(&pg).is_none());
}

#[test]
fn new_pools_are_created_on_their_primaries_until_created() {
    let mut m = mon(4);
    m.create_pool(PoolInfo::replicated(2, 3, 4)).unwrap();
    assert_eq!(
        m.create_pool(PoolInfo::replicated(2, 3, 4)),
        Err(MonError::PoolExists(2))
    );
    m.propose().unwrap();
    let outs = m.drain_outputs();
    let mut created = std::collections::BTreeSet::new();
    for o in &outs {
        if let MonOutput::Send {
            to,
            msg: Message::PgCreate2(c),
        } = o
        {
            for (spg, (epoch, _)) in &c.pgs {
                assert_eq!(*epoch, 2);
                assert_eq!(m.map().pg_to_up_acting_osds(spg.pgid).acting_primary, *to);
                created.insert(spg.pgid);
            }
        }
    }
    assert_eq!(created.len(), 4);
    // Sent once per primary: a new epoch resends nothing.
    m.mark_out(OsdId(3)).unwrap();
    report_created(&mut m, 2, 4);
    m.propose().unwrap();
    assert!(m.creating_pgs().next().is_none());
    assert!(
        !m.drain_outputs()
            .iter()
            .any(|o| matches!(o, MonOutput::Send { .. }))
    );
}

#[test]
fn a_create_follows_a_primary_that_changed() {
    let mut m = mon(4);
    m.create_pool(PoolInfo::replicated(2, 3, 1)).unwrap();
    m.propose().unwrap();
    let pg = PgId::new(2, 0);
    let first = m.map().pg_to_up_acting_osds(pg).acting_primary;
    m.drain_outputs();
    m.mark_down(first);
    m.propose().unwrap();
    let second = m.map().pg_to_up_acting_osds(pg).acting_primary;
    assert_ne!(first, second);
    let outs = m.drain_outputs();
    assert!(
        outs.iter()
            .any(|o| matches!(o, MonOutput::Send { to, .. } if *to == second)),
        "{outs:?}"
    );
}

#[test]
fn pg_num_jumps_and_pgp_num_walks_while_little_is_misplaced() {
    let mut m = Monitor::new(simple_map(4, 1, 3, 8).unwrap(), MonConfig::default());
    assert!(matches!(
        m.set_pg_num(1, 70_000),
        Err(MonError::OutOfRange { .. })
    ));
    m.set_pg_num(1, 64).unwrap();
    m.mgr_tick(0.0);
    m.propose().unwrap();
    let p = *m.map().pg_pool(1).unwrap();
    assert_eq!((p.pg_num, p.pgp_num), (64, 8));
    // Steps of ceil(64 * 0.05) = 4, only while misplaced < 5 %.
    m.mgr_tick(0.0);
    m.propose().unwrap();
    assert_eq!(m.map().pg_pool(1).unwrap().pgp_num, 12);
    m.mgr_tick(0.2);
    assert!(!m.has_pending());
    for _ in 0..20 {
        m.mgr_tick(0.0);
        m.propose().unwrap();
    }
    assert_eq!(m.map().pg_pool(1).unwrap().pgp_num, 64);
}

/// A merge (`DaemonServer::adjust_pgs`, `prepare_pg_ready_to_merge`):
/// `pgp_num` goes down first; then `pg_num_pending` drops by one for the last
/// PG; a "not ready" backs it off, a "ready" lowers `pg_num` and records what
/// was reported (`dec_pg_num`); a stale report is ignored.
#[test]
fn pg_num_merges_down_one_pg_at_a_time_on_readiness() {
    let mut m = Monitor::new(simple_map(4, 1, 3, 4).unwrap(), MonConfig::default());
    m.set_pg_num(1, 3).unwrap();
    let pool = |m: &Monitor| *m.map().pg_pool(1).unwrap();
    // pgp_num 4 == pg_num 4 blocks the merge: pgp_num steps down first.
    m.mgr_tick(0.0);
    m.propose().unwrap();
    let p = pool(&m);
    assert_eq!((p.pg_num, p.pg_num_pending, p.pgp_num), (4, 4, 3));
    m.mgr_tick(0.0);
    m.propose().unwrap();
    let p = pool(&m);
    assert_eq!((p.pg_num, p.pg_num_pending, p.pgp_num), (4, 3, 3));
    // Nothing more until the PGs answer.
    m.mgr_tick(0.0);
    assert!(!m.has_pending());
    let report = |ready| ReadyToMergeMsg {
        pgid: PgId::new(1, 3),
        source_version: EVersion::new(5, 9),
        target_version: EVersion::new(5, 7),
        last_epoch_started: 6,
        last_epoch_clean: 6,
        ready,
        map_epoch: 7,
    };
    let primary = m.map().pg_to_up_acting_osds(PgId::new(1, 3)).acting_primary;
    let now = Timespan::ZERO;
    m.handle(primary, MonMessage::ReadyToMerge(report(false)), now);
    m.propose().unwrap();
    let p = pool(&m);
    assert_eq!((p.pg_num, p.pg_num_pending), (4, 4), "backed off");
    // The manager asks again; this time both are ready.
    m.mgr_tick(0.0);
    m.propose().unwrap();
    assert_eq!(pool(&m).pg_num_pending, 3);
    m.handle(primary, MonMessage::ReadyToMerge(report(true)), now);
    let merge_epoch = m.map().epoch() + 1;
    m.propose().unwrap();
    let p = pool(&m);
    assert_eq!((p.pg_num, p.pg_num_pending, p.pgp_num), (3, 3, 3));
    let meta = m.map().last_pg_merge_meta(1);
    assert_eq!(meta.source_pgid, PgId::new(1, 3));
    assert_eq!(meta.ready_epoch, merge_epoch);
    assert_eq!(meta.source_version, EVersion::new(5, 9));
    assert_eq!(meta.target_version, EVersion::new(5, 7));
    assert_eq!((meta.last_epoch_started, meta.last_epoch_clean), (6, 6));
    // A late report for a PG that already merged changes nothing.
    m.handle(primary, MonMessage::ReadyToMerge(report(true)), now);
    assert!(!m.has_pending());
    m.mgr_tick(0.0);
    assert!(!m.has_pending(), "target reached");
}

#[test]
fn pg_num_waits_until_the_initial_pgs_are_created() {
    let mut m = mon(4);
    m.create_pool(PoolInfo::replicated(2, 3, 4)).unwrap();
    m.propose().unwrap();
    m.set_pg_num(2, 8).unwrap();
    // `adjust_pgs` leaves a pool that is still creating alone: a split
    // needs its parents to exist.
    m.mgr_tick(0.0);
    assert!(!m.has_pending());
    report_created(&mut m, 2, 4);
    m.propose().unwrap();
    assert!(
        !m.map()
            .pg_pool(2)
            .unwrap()
            .flags
            .contains(PoolFlags::CREATING)
    );
    m.mgr_tick(0.0);
    m.propose().unwrap();
    assert_eq!(m.map().pg_pool(2).unwrap().pg_num, 8);
    // And pgp_num follows all the way.
    for _ in 0..10 {
        m.mgr_tick(0.0);
        m.propose().unwrap();
    }
    assert_eq!(m.map().pg_pool(2).unwrap().pgp_num, 8);
}

#[test]
fn a_subscription_is_answered_from_the_epoch_it_starts_at() {
    let mut m = mon(3);
    for o in 0..3 {
        m.reweight(OsdId(o), 0x8000).unwrap();
        m.propose().unwrap();
    }
    m.drain_outputs();
    m.handle(OsdId(1), MonMessage::Subscribe { start: 3 }, Timespan(0));
    let sent: Vec<Epoch> = m
        .drain_outputs()
        .into_iter()
        .flat_map(|o| match o {
            MonOutput::Maps { to: OsdId(1), maps } => maps,
            _ => Vec::new(),
        })
        .map(|i| i.epoch)
        .collect();
    assert_eq!(sent, [3, 4]);
}

#[test]
fn maps_are_served_by_range() {
    let mut m = mon(3);
    for o in 0..3 {
        m.reweight(OsdId(o), 0x8000).unwrap();
        m.propose().unwrap();
    }
    let e = |v: Vec<Incremental>| v.iter().map(|i| i.epoch).collect::<Vec<_>>();
    assert_eq!(e(m.maps_range(2, 3)), [2, 3]);
    assert_eq!(e(m.maps_since(3)), [3, 4]);
    assert!(m.maps_range(4, 2).is_empty());
    assert!(matches!(
        m.reweight(OsdId(0), 0x20000),
        Err(MonError::OutOfRange { .. })
    ));
    assert_eq!(m.mark_out(OsdId(9)), Err(MonError::NoOsd(OsdId(9))));
}
