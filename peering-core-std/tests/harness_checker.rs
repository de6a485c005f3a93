//! The harness's safety checker (DESIGN.md §7) flags what it claims to, and the
//! harness's scriptable host behaves as its policy says.

use peering_core::ctx::MonRequest;
use peering_core::machine::StateId;
use peering_core::types::{OsdId, PgId, SpgId};
use peering_core_std::harness::osd_cluster::OsdHarness as Harness;
use peering_core_std::harness::{Checker, Entry, Rule};
use peering_core_std::osd::OsdConfig;
use peering_core_std::osdmap::{Incremental, OsdMap};

/// The newest map changed by `change` (a map the monitor never published,
/// for the checker alone).
fn changed(h: &Harness, change: impl FnOnce(&mut Incremental)) -> OsdMap {
    let mut inc = Incremental::new(h.epoch() + 1);
    change(&mut inc);
    h.map().with_incremental(&inc).unwrap()
}

fn pgid() -> PgId {
    PgId::new(1, 0)
}

fn spg() -> SpgId {
    SpgId::replicated(pgid())
}

fn clean_cluster() -> Harness {
    let mut h = Harness::replicated(&[0, 1, 2], 1, 3).unwrap();
    h.place(pgid(), &[0, 1, 2]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    h
}

#[test]
fn checker_flags_an_activation_before_up_thru() {
    let h = clean_cluster();
    let pg = h.pg(0, spg()).unwrap();
    let map = changed(&h, |inc| {
        inc.new_up_thru.insert(OsdId(0), 0);
    });
    let mut c = Checker::default();
    c.observe(OsdId(0), pg, &[StateId::Active], &map, None);
    let rules: Vec<Rule> = c.violations().iter().map(|v| v.rule).collect();
    assert_eq!(rules, [Rule::ActiveBeforeUpThru]);
    // With the up_thru recorded there is nothing to say.
    let mut c = Checker::default();
    c.observe(OsdId(0), pg, &[StateId::Active], h.map(), None);
    assert!(c.violations().is_empty());
}

#[test]
fn checker_flags_two_active_primaries_in_one_interval() {
    let h = clean_cluster();
    let pg = h.pg(0, spg()).unwrap();
    let mut c = Checker::default();
    c.observe(OsdId(0), pg, &[], h.map(), None);
    c.observe(OsdId(5), pg, &[], h.map(), None);
    let rules: Vec<Rule> = c.violations().iter().map(|v| v.rule).collect();
    assert_eq!(rules, [Rule::TwoPrimariesInInterval]);
}

#[test]
fn checker_flags_epochs_and_les_going_backwards() {
    let mut h = clean_cluster();
    let old = h.pg(0, spg()).unwrap().clone();
    h.publish("quiet", |_| {}).unwrap();
    h.osd_down(2).unwrap();
    h.run().unwrap();
    let new = h.pg(0, spg()).unwrap();
    let mut c = Checker::default();
    c.observe(OsdId(0), new, &[], h.map(), None);
    c.observe(OsdId(0), &old, &[], h.map(), None);
    let rules: Vec<Rule> = c.violations().iter().map(|v| v.rule).collect();
    assert!(rules.contains(&Rule::EpochBackwards), "{rules:?}");
    assert!(rules.contains(&Rule::LesBackwards), "{rules:?}");
}

/// A copy of `pg` loaded with its info's and history's `last_epoch_started`
/// set to `info_les` and `history_les`.
fn with_les(
    h: &Harness,
    pg: &peering_core::machine::Pg,
    info_les: u32,
    history_les: u32,
) -> peering_core::machine::Pg {
    use peering_core::machine::{Pg, PgLoad};
    let mut info = pg.info().clone();
    info.last_epoch_started = info_les;
    info.history.last_epoch_started = history_les;
    let args = PgLoad {
        whoami: peering_core::types::PgShard::replica(1),
        info,
        past_intervals: pg.past_intervals().clone(),
        log: pg.pg_log().clone(),
        mapping: h.mapping_at(h.epoch(), pgid()).unwrap().clone(),
        config: Default::default(),
    };
    let mut ctx = peering_core::ctx::RecoveryCtx::new();
    Pg::load(args, h.map(), &mut ctx).unwrap()
}

#[test]
fn history_les_may_step_back_only_to_the_instances_own_les() {
    let h = clean_cluster();
    let pg = h.pg(1, spg()).unwrap();
    // A backfill target outside the acting set: its info lags at 3, the
    // primary's history said 6; a logged write pulls history back to 3
    // (`append_log`).
    let mut c = Checker::default();
    c.observe(OsdId(1), &with_les(&h, pg, 3, 6), &[], h.map(), None);
    c.observe(OsdId(1), &with_les(&h, pg, 3, 3), &[], h.map(), None);
    assert!(c.violations().is_empty(), "{:?}", c.violations());
    // Anywhere else is history lost.
    c.observe(OsdId(1), &with_les(&h, pg, 3, 6), &[], h.map(), None);
    c.observe(OsdId(1), &with_les(&h, pg, 3, 5), &[], h.map(), None);
    let rules: Vec<Rule> = c.violations().iter().map(|v| v.rule).collect();
    assert_eq!(rules, [Rule::LesBackwards]);
}

#[test]
fn checker_flags_a_replica_that_disagrees_with_its_primary_at_activation() {
    use peering_core::log::{Missing, PgLog, PgLogT};
    use peering_core::machine::{Pg, PgLoad};
    use peering_core::types::{EVersion, PgShard};
    let h = clean_cluster();
    let primary = h.pg(0, spg()).unwrap();
    let replica = h.pg(1, spg()).unwrap();
    let mut c = Checker::default();
    c.observe(
        OsdId(1),
        replica,
        &[StateId::ReplicaActive],
        h.map(),
        Some(primary),
    );
    assert!(c.violations().is_empty());
    // A replica instance claiming 1'3 in the primary's interval (the primary has 0'0).
    let mut info = replica.info().clone();
    info.last_update = EVersion::new(1, 3);
    info.last_complete = info.last_update;
    let log = PgLogT::new(EVersion::ZERO, EVersion::new(1, 3));
    let args = PgLoad {
        whoami: PgShard::replica(1),
        info,
        past_intervals: Default::default(),
        log: PgLog::from_parts(log, Missing::new(true)).unwrap(),
        mapping: h.mapping_at(h.epoch(), pgid()).unwrap().clone(),
        config: Default::default(),
    };
    let mut ctx = peering_core::ctx::RecoveryCtx::new();
    let mut ahead = Pg::load(args, h.map(), &mut ctx).unwrap();
    ahead.activate_map(h.map(), &mut ctx).unwrap();
    c.observe(
        OsdId(1),
        &ahead,
        &[StateId::ReplicaActive],
        h.map(),
        Some(primary),
    );
    let rules: Vec<Rule> = c.violations().iter().map(|v| v.rule).collect();
    assert_eq!(rules, [Rule::ReplicaDisagrees]);
}

#[test]
fn held_commits_hold_replica_acks_until_released() {
    let mut h = Harness::replicated(&[0, 1, 2], 1, 3).unwrap();
    h.policy_mut().hold_commits = true;
    h.place(pgid(), &[0, 1, 2]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    // Activation's commit callbacks are held: nobody acked, the primary waits.
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Activating");
    assert!(h.held_commits() > 0);
    let acks = |h: &Harness| {
        h.transcript()
            .sent(1, 0)
            .filter(|m| matches!(m, peering_core_std::msg::Message::PgInfo2(_)))
            .count()
    };
    assert_eq!(acks(&h), 0);
    h.policy_mut().hold_commits = false;
    h.release_commits();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    assert!(acks(&h) > 0);
    assert!(h.violations().is_empty(), "{:?}", h.violations());
}

#[test]
fn up_thru_waits_for_the_monitor_when_not_granted() {
    let mut h = Harness::replicated(&[0, 1, 2], 1, 3).unwrap();
    h.policy_mut().grant_up_thru = false;
    h.place(pgid(), &[0, 1, 2]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Peering/WaitUpThru");
    assert_eq!(h.pending_up_thru().get(&OsdId(0)), Some(&1));
    assert!(h.transcript().entries().iter().any(|e| matches!(
        e,
        Entry::Mon {
            osd: OsdId(0),
            request: MonRequest::UpThru { want: 1 }
        }
    )));
    h.grant_mon_requests(true, false).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
}

#[test]
fn a_query_for_a_pg_an_osd_does_not_hold_gets_an_empty_notify() {
    let mut h = Harness::replicated(&[0, 1, 2], 1, 3).unwrap();
    h.place(pgid(), &[0, 1, 2]).unwrap();
    h.create(
        0,
        pgid(),
        peering_core::types::PgHistory::new(1, Default::default()),
        Default::default(),
    )
    .unwrap();
    // Rounds until osd.1 answered (each round is one pass of every OSD).
    for _ in 0..10 {
        h.step();
        if h.transcript().sent(1, 0).next().is_some() {
            break;
        }
    }
    let notify = h.transcript().sent(1, 0).find_map(|m| match m {
        peering_core_std::msg::Message::PgNotify2(n) => Some(n.info.clone()),
        _ => None,
    });
    let info = notify.expect("osd.1 answered for the PG it does not hold");
    assert!(info.is_empty());
    assert_eq!(h.state(1, spg()), "-");
}

#[test]
fn the_transcript_prints_one_line_per_entry() {
    let h = clean_cluster();
    let lines: Vec<String> = h.transcript().lines().collect();
    assert_eq!(lines.len(), h.transcript().len());
    assert!(lines.contains(&"e1 osd.0 -> osd.1 MOSDPGQuery2(INFO) pg 1.0".to_string()));
    assert!(lines.contains(&"e2 map: osd.0 up_thru 1".to_string()));
    assert!(lines.contains(&"e2 osd.0 pg 1.0 enters Started/Primary/Active/Clean".to_string()));
}

#[test]
fn checker_flags_an_activation_with_an_unprobed_read_write_interval() {
    // Size 2 on [0, 1] with strays on 2 and 3; both members of the read-write
    // interval fail; osd.2 becomes primary and is (rightly) Down.
    // osd.2 and osd.3 have no deletion slots: their stray copies stay (Ceph
    // purges strays once the primary is clean).
    let mut h = Harness::replicated(&[0, 1, 2, 3], 1, 2).unwrap();
    h.set_osd_config(|o| {
        let mut cfg = OsdConfig::new(o);
        if o >= 2 {
            cfg.osd_max_backfills = 0;
        }
        cfg
    });
    h.place(pgid(), &[0, 1, 2, 3]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    h.osds_down(&[0, 1]).unwrap();
    h.run().unwrap();
    let pg = h.pg(2, spg()).unwrap();
    assert_eq!(pg.state_id(), StateId::Down);
    assert!(h.violations().is_empty(), "{:?}", h.violations());
    // Had it activated now, nobody of the interval [0, 1] would have been heard.
    let mut c = Checker::default();
    c.observe(OsdId(2), pg, &[StateId::Active], h.map(), None);
    let rules: Vec<Rule> = c.violations().iter().map(|v| v.rule).collect();
    assert_eq!(rules, [Rule::UnprobedInterval]);
    // With osd.0 declared lost the interval is given up on: no violation.
    let lost = changed(&h, |inc| {
        inc.new_lost.insert(OsdId(0), inc.epoch);
    });
    let mut c = Checker::default();
    c.observe(OsdId(2), pg, &[StateId::Active], &lost, None);
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}
