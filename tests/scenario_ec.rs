//! Erasure-coded PGs end to end on [`OsdHarness`]: shards `(osd, shard)`,
//! positional up/acting sets with `CRUSH_ITEM_NONE` holes.

mod scenario_support;

use peering::core::ctx::MonRequest;
use peering::core::log::{LogEffect, RollbackStep};
use peering::core::machine::{Config, StateId};
use peering::core::types::{EVersion, OsdId, PgState, ShardId, SpgId};
use peering::osd::harness::Entry;
use peering::osd::harness::osd_cluster::OsdHarness;
use scenario_support::{POOL, assert_safe, pgid};

const ACTIVE_CLEAN: &str = "Started/Primary/Active/Clean";
const REPLICA: &str = "Started/ReplicaActive/RepNotRecovering";

fn shard(s: i8) -> SpgId {
    SpgId::new(pgid(), ShardId(s))
}

fn ec(osds: &[i32], k: u32, m: u32, prefs: &[i32]) -> OsdHarness {
    ec_with(osds, k, m, prefs, |_| {})
}

/// [`ec`], with the PG options `configure` sets.
fn ec_with(
    osds: &[i32],
    k: u32,
    m: u32,
    prefs: &[i32],
    configure: impl FnOnce(&mut Config),
) -> OsdHarness {
    let mut h = OsdHarness::erasure(osds, POOL, k, m).unwrap();
    configure(h.config_mut());
    h.place(pgid(), prefs).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    h
}

#[test]
fn ec_2_1_peers_to_active_clean() {
    let h = ec(&[0, 1, 2, 3], 2, 1, &[0, 1, 2, 3]);
    let up: Vec<i32> = h.mapping(pgid()).up.iter().map(|o| o.0).collect();
    assert_eq!(up, [0, 1, 2]);
    assert_eq!(h.state(0, shard(0)), ACTIVE_CLEAN);
    assert_eq!(h.state(1, shard(1)), REPLICA);
    assert_eq!(h.state(2, shard(2)), REPLICA);
    assert_safe(&h);
}

/// The log head, `can_rollback_to` and stored objects of `osd`'s shard `s`.
fn shard_state(
    h: &OsdHarness,
    osd: i32,
    s: i8,
) -> (EVersion, EVersion, Vec<(String, EVersion)>, usize) {
    let pg = h.pg(osd, shard(s)).unwrap();
    let log = pg.pg_log().log();
    let stored = h.store().get(OsdId(osd), shard(s)).unwrap();
    let objects = stored
        .objects
        .iter()
        .map(|(o, v)| (o.name.clone(), *v))
        .collect();
    (
        log.head(),
        log.can_rollback_to(),
        objects,
        stored.stashes.len(),
    )
}

#[test]
fn ec_writes_reach_every_shard_and_roll_forward_once_all_have_them() {
    let mut h = ec(&[0, 1, 2, 3], 2, 1, &[0, 1, 2, 3]);
    let v1 = h.write(shard(0), "a").unwrap();
    let v2 = h.write(shard(0), "a").unwrap();
    h.run().unwrap();
    // Each write went to the two other shards as MOSDECSubOpWrite.
    let subs = h
        .transcript()
        .entries()
        .iter()
        .filter(|e| e.name() == Some("MOSDECSubOpWrite"))
        .count();
    assert_eq!(subs, 4);
    for (osd, s) in [(0, 0), (1, 1), (2, 2)] {
        let (head, crt, objects, stashes) = shard_state(&h, osd, s);
        assert_eq!(head, v2, "osd.{osd}");
        // The second write carried roll_forward_to = v1 (committed
        // everywhere); the op that only rolls forward took v2.
        assert_eq!(crt, v2, "osd.{osd}");
        assert_eq!(objects, [("a".to_string(), v2)], "osd.{osd}");
        // The stash of v1's object made by v2 was dropped on roll forward.
        assert_eq!(stashes, 0, "osd.{osd}");
    }
    // The entries record how to undo them: v1 created the object, v2
    // moved v1's object aside (ECTransaction's rmobject).
    let log = h.pg(1, shard(1)).unwrap().pg_log().log();
    let steps: Vec<_> = log
        .entries()
        .iter()
        .map(|e| e.mod_desc.steps().to_vec())
        .collect();
    assert_eq!(
        steps,
        [
            vec![RollbackStep::Create],
            vec![RollbackStep::Delete {
                old_version: v2.version
            }]
        ]
    );
    let versions: Vec<EVersion> = log.entries().iter().map(|e| e.version).collect();
    assert_eq!(versions, [v1, v2]);
    assert_eq!(h.state(0, shard(0)), ACTIVE_CLEAN);
    assert_safe(&h);
}

/// True when `osd`'s instances entered `state` at some point.
fn entered(h: &OsdHarness, osd: i32, state: StateId) -> bool {
    h.transcript().states_entered(osd).any(|s| s == state)
}

/// The names and versions of the objects `osd` stores for shard `s`.
fn objects(h: &OsdHarness, osd: i32, s: i8) -> Vec<(String, EVersion)> {
    shard_state(h, osd, s).2
}

#[test]
fn writes_on_only_some_shards_are_undone_when_the_primary_fails() {
    // `PeeringState::find_best_info` prefers the oldest last_update on an
    // EC pool, so entries not every shard has are divergent and the shard
    // that has them undoes them (`PGLog::_merge_object_divergent_entries`):
    // an object the divergent entries created is removed (its case 2), an
    // object they changed is rolled back from its stash (case 5, the entry
    // being newer than `can_rollback_to`).
    let mut h = ec(&[0, 1, 2, 3], 2, 1, &[0, 1, 2, 3]);
    let v1 = h.write(shard(0), "a").unwrap();
    h.run().unwrap();
    // The sub-writes to shard 2 are held back; shard 1 logs and stores them.
    h.partition(&[0], &[2]);
    let v2 = h.write(shard(0), "b").unwrap();
    let v3 = h.write(shard(0), "a").unwrap();
    h.run().unwrap();
    assert_eq!(shard_state(&h, 1, 1).0, v3);
    assert_eq!(shard_state(&h, 2, 2).0, v1);
    assert_eq!(
        objects(&h, 1, 1),
        [("a".to_string(), v3), ("b".to_string(), v2)]
    );
    // The primary dies before shard 2 gets the writes: never acknowledged.
    h.osd_down(0).unwrap();
    h.heal();
    h.run().unwrap();
    let acting: Vec<i32> = h.mapping(pgid()).acting.iter().map(|o| o.0).collect();
    assert_eq!(acting, [3, 1, 2], "osd.3 takes shard 0's position");
    for (osd, s) in [(3, 0), (1, 1), (2, 2)] {
        let (head, _, objects, stashes) = shard_state(&h, osd, s);
        assert_eq!(head, v1, "osd.{osd} shard {s}");
        assert_eq!(objects, [("a".to_string(), v1)], "osd.{osd} shard {s}");
        assert_eq!(stashes, 0, "osd.{osd} shard {s}");
    }
    let effects = &h.store().get(OsdId(1), shard(1)).unwrap().effects;
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, LogEffect::Rollback(x) if x.version == v3)),
        "{effects:?}"
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, LogEffect::Remove(o) if o.name == "b")),
        "{effects:?}"
    );
    assert_eq!(h.state(3, shard(0)), ACTIVE_CLEAN);
    assert_safe(&h);
}

#[test]
fn a_write_every_surviving_shard_has_is_kept_when_the_primary_fails() {
    // The primary fails after every other shard logged the write but before
    // it acknowledged it: the oldest last_update among the survivors
    // includes it, so peering keeps it and activation rolls it forward.
    let mut h = ec(&[0, 1, 2, 3], 2, 1, &[0, 1, 2, 3]);
    let v1 = h.write(shard(0), "a").unwrap();
    h.run().unwrap();
    h.policy_mut().hold_commits = true;
    let v2 = h.write(shard(0), "b").unwrap();
    h.run().unwrap();
    h.policy_mut().hold_commits = false;
    h.osd_down(0).unwrap();
    h.release_commits();
    h.run().unwrap();
    for (osd, s) in [(3, 0), (1, 1), (2, 2)] {
        let (head, crt, objects, _) = shard_state(&h, osd, s);
        assert_eq!(head, v2, "osd.{osd} shard {s}");
        assert_eq!(crt, v2, "osd.{osd} shard {s}");
        assert_eq!(
            objects,
            [("a".to_string(), v1), ("b".to_string(), v2)],
            "osd.{osd} shard {s}"
        );
    }
    assert_eq!(h.state(3, shard(0)), ACTIVE_CLEAN);
    assert_safe(&h);
}

/// OSD options keeping about two log entries per PG (the log trims as
/// writes go, so a shard that misses more than that needs backfill).
fn short_logs(osd: i32) -> peering::osd::osd::OsdConfig {
    let mut cfg = peering::osd::osd::OsdConfig::new(osd);
    cfg.min_pg_log_entries = 2;
    cfg.target_pg_log_entries_per_osd = 0;
    cfg.peering.pg_log_trim_min = 1;
    cfg
}

fn acting(h: &OsdHarness) -> Vec<i32> {
    h.mapping(pgid()).acting.iter().map(|o| o.0).collect()
}

#[test]
fn ec_4_2_peers_to_active_clean_with_one_shard_per_osd() {
    let h = ec(&[0, 1, 2, 3, 4, 5, 6], 4, 2, &[0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(acting(&h), [0, 1, 2, 3, 4, 5]);
    assert_eq!(h.state(0, shard(0)), ACTIVE_CLEAN);
    for s in 1..6 {
        assert_eq!(h.state(i32::from(s), shard(s)), REPLICA, "shard {s}");
        // No OSD holds another position's shard.
        assert_eq!(h.state(i32::from(s), shard(0)), "-");
    }
    assert_eq!(h.state(6, shard(0)), "-");
    assert_safe(&h);
}

#[test]
fn an_ec_shard_down_then_back_is_recovered_from_the_log() {
    // 4+2 with min_size 5: with one shard's OSD down the PG stays active,
    // undersized and degraded, with a hole at that position; when the OSD
    // returns its shard is behind by the writes it missed, which log-based
    // recovery brings back (the log still covers them).
    let mut h = ec(&[0, 1, 2, 3, 4, 5], 4, 2, &[0, 1, 2, 3, 4, 5]);
    let v1 = h.write(shard(0), "a").unwrap();
    h.run().unwrap();
    h.osd_down(3).unwrap();
    h.run().unwrap();
    let mapping = h.mapping(pgid());
    assert_eq!(mapping.acting[3], OsdId::NONE);
    let bits = h.pg(0, shard(0)).unwrap().state_bits();
    assert!(
        bits.contains(PgState::ACTIVE | PgState::UNDERSIZED | PgState::DEGRADED),
        "{bits}"
    );
    let v2 = h.write(shard(0), "a").unwrap();
    let v3 = h.write(shard(0), "b").unwrap();
    h.run().unwrap();
    let stored = h.store().get(OsdId(3), shard(3)).unwrap();
    assert_eq!(
        stored.info.as_ref().unwrap().last_update,
        v1,
        "osd.3's shard missed v2 and v3"
    );
    h.osd_up(3).unwrap();
    h.run().unwrap();
    assert_eq!(acting(&h), [0, 1, 2, 3, 4, 5]);
    // Recovered by log, not backfill.
    let engine: Vec<String> = h
        .transcript()
        .entries()
        .iter()
        .map(ToString::to_string)
        .filter(|l| l.contains("recovery:") || l.contains("backfill"))
        .collect();
    assert!(
        engine
            .iter()
            .any(|l| l.contains("pushed") && l.contains(":::a:")),
        "{engine:#?}"
    );
    assert!(!entered(&h, 0, StateId::Backfilling));
    for s in 0..6 {
        let (head, _, objects, _) = shard_state(&h, i32::from(s), s);
        assert_eq!(head, v3, "shard {s}");
        assert_eq!(
            objects,
            [("a".to_string(), v2), ("b".to_string(), v3)],
            "shard {s}"
        );
    }
    assert_eq!(h.state(0, shard(0)), ACTIVE_CLEAN);
    assert_safe(&h);
}

#[test]
fn a_replaced_ec_shard_is_backfilled_on_its_new_osd() {
    // osd.2 goes out for good: CRUSH (here the preference list's spare)
    // puts shard 2 on osd.6, which has nothing and whose gap the trimmed
    // log no longer covers, so the primary backfills that one shard
    // (`PeeringState::choose_acting` keeps osd.2's position in a pg_temp
    // while osd.6 is backfilled, then the up set becomes acting).
    let mut h = OsdHarness::erasure(&[0, 1, 2, 3, 4, 5, 6], POOL, 4, 2).unwrap();
    h.set_osd_config(short_logs);
    h.config_mut().pg_log_trim_min = 1;
    h.place(pgid(), &[0, 1, 2, 3, 4, 5, 6]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    let mut last = EVersion::ZERO;
    for i in 0..6 {
        last = h.write(shard(0), &format!("o{i}")).unwrap();
        h.run().unwrap();
    }
    let tail = h.pg(0, shard(0)).unwrap().pg_log().log().tail();
    assert!(tail > EVersion::ZERO, "the log was trimmed: {tail}");
    h.publish("osd.2 out", |inc| {
        inc.mark_out(2);
    })
    .unwrap();
    h.run().unwrap();
    assert_eq!(acting(&h), [0, 1, 6, 3, 4, 5]);
    assert!(
        entered(&h, 0, StateId::Backfilling),
        "shard 2 was backfilled"
    );
    let (head, _, objects, _) = shard_state(&h, 6, 2);
    assert_eq!(head, last);
    assert_eq!(objects.len(), 6, "{objects:?}");
    assert!(h.pg(6, shard(2)).unwrap().info().last_backfill.is_max());
    assert_eq!(h.state(0, shard(0)), ACTIVE_CLEAN);
    assert_safe(&h);
}

#[test]
fn an_ec_pg_missing_more_than_m_shards_waits_and_recovers_when_they_return() {
    // 2+1: with two of three shards gone, fewer than k shards remain, so
    // the prior interval cannot be recovered (`PriorSet::pg_down`, the EC
    // predicate needs k shards): the PG is Down. It peers again when one
    // returns, and the last one is recovered when it comes back.
    let mut h = ec(&[0, 1, 2], 2, 1, &[0, 1, 2]);
    let v1 = h.write(shard(0), "a").unwrap();
    h.run().unwrap();
    h.osds_down(&[1, 2]).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, shard(0)), "Started/Primary/Peering/Down");
    h.osd_up(1).unwrap();
    h.run().unwrap();
    // Two shards of three: k shards, min_size for m = 1 (k): active,
    // undersized and degraded, and it takes writes.
    let bits = h.pg(0, shard(0)).unwrap().state_bits();
    assert!(
        bits.contains(PgState::ACTIVE | PgState::UNDERSIZED | PgState::DEGRADED),
        "{bits}"
    );
    let v2 = h.write(shard(0), "b").unwrap();
    h.run().unwrap();
    h.osd_up(2).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, shard(0)), ACTIVE_CLEAN);
    for s in 0..3 {
        let (head, _, objects, _) = shard_state(&h, i32::from(s), s);
        assert_eq!(head, v2, "shard {s}");
        assert_eq!(
            objects,
            [("a".to_string(), v1), ("b".to_string(), v2)],
            "shard {s}"
        );
    }
    assert_safe(&h);
}

// Ceph's `src/test/osd/TestPeeringState.cc` drives several `PeeringState`s
// of a 2+2 EC pool; its classic (full-stripe) cases, re-derived here through
// the OSD host (the partial-write cases need Tentacle's EC optimisations,
// which are not modelled: see the crate docs).

/// 2+2 on osd.0..3 (osd.9 a spare for position 1 once osd.1 is out), with
/// `osd_async_recovery_min_cost` 2 as TestPeeringState sets it.
fn two_plus_two() -> OsdHarness {
    ec_with(&[0, 1, 2, 3, 9], 2, 2, &[0, 1, 2, 3, 9], |c| {
        c.async_recovery_min_cost = 2;
    })
}

/// Every shard of `pairs` is active (primary Clean, others replicas) at
/// `head`, with `last_complete == head` and nothing missing.
fn all_clean_at(h: &OsdHarness, pairs: &[(i32, i8)], head: EVersion) {
    for &(osd, s) in pairs {
        let pg = h.pg(osd, shard(s)).unwrap();
        let want = if s == 0 { ACTIVE_CLEAN } else { REPLICA };
        assert_eq!(h.state(osd, shard(s)), want, "osd.{osd} shard {s}");
        assert_eq!(pg.info().last_update, head, "osd.{osd} shard {s}");
        assert_eq!(pg.info().last_complete, head, "osd.{osd} shard {s}");
        assert_eq!(pg.pg_log().log().head(), head, "osd.{osd} shard {s}");
        assert!(pg.pg_log().missing().items().is_empty(), "osd.{osd}");
    }
}

#[test]
fn test_peering_state_simple_and_full_write_peering_to_active_clean() {
    // SimplePeeringToActiveClean, FullWritePeeringToActiveClean.
    let mut h = two_plus_two();
    let shards = [(0, 0), (1, 1), (2, 2), (3, 3)];
    all_clean_at(&h, &shards, EVersion::ZERO);
    let v = h.write(shard(0), "foo").unwrap();
    h.run().unwrap();
    all_clean_at(&h, &shards, v);
    assert_safe(&h);
}

#[test]
fn test_peering_state_incomplete_write_is_rolled_back() {
    // IncompleteWritePeeringToActiveClean: one write reached shards 0 and 1,
    // a second only shard 0; find_best_info takes the oldest last_update
    // (0'0, on shards 2 and 3), so both are undone and every shard ends
    // clean at 0'0.
    let mut h = two_plus_two();
    h.partition(&[0], &[2, 3]);
    h.write(shard(0), "foo").unwrap();
    h.run().unwrap();
    h.partition(&[0], &[1]);
    h.write(shard(0), "bar").unwrap();
    h.run().unwrap();
    h.osd_down(0).unwrap();
    h.heal();
    h.run().unwrap();
    h.osd_up(0).unwrap();
    h.run().unwrap();
    all_clean_at(&h, &[(0, 0), (1, 1), (2, 2), (3, 3)], EVersion::ZERO);
    for (osd, s) in [(0, 0), (1, 1), (2, 2), (3, 3)] {
        assert!(objects(&h, osd, s).is_empty(), "osd.{osd} shard {s}");
    }
    assert_safe(&h);
}

#[test]
fn test_peering_state_sync_recovery_of_a_replaced_shard() {
    // SyncRecovery: one write; position 1 moves from osd.1 to osd.9, which
    // has nothing. One missing object costs less than
    // `osd_async_recovery_min_cost`, so osd.9 joins the acting set at once
    // and is recovered from the log (active+recovering, then clean).
    let mut h = two_plus_two();
    let v = h.write(shard(0), "foo").unwrap();
    h.run().unwrap();
    h.publish("osd.1 out", |inc| {
        inc.mark_out(1);
    })
    .unwrap();
    h.run().unwrap();
    assert_eq!(acting(&h), [0, 9, 2, 3]);
    assert!(entered(&h, 0, StateId::Recovering));
    all_clean_at(&h, &[(0, 0), (9, 1), (2, 2), (3, 3)], v);
    assert_eq!(objects(&h, 9, 1), [("foo".to_string(), v)]);
    assert_safe(&h);
}

#[test]
fn test_peering_state_async_recovery_of_a_replaced_shard() {
    // AsyncRecovery: three writes; osd.9 replacing osd.1 at position 1 would
    // cost three objects, above `osd_async_recovery_min_cost` (2), so
    // `choose_async_recovery_ec` leaves it out of the acting set (a
    // `CRUSH_ITEM_NONE` hole kept by pg_temp) and recovers it while the PG
    // is active; then acting becomes up and the PG is clean.
    let mut h = two_plus_two();
    let mut v = EVersion::ZERO;
    for name in ["foo", "bar", "baz"] {
        v = h.write(shard(0), name).unwrap();
        h.run().unwrap();
    }
    let from = h.transcript().len();
    h.publish("osd.1 out", |inc| {
        inc.mark_out(1);
    })
    .unwrap();
    h.run().unwrap();
    let async_acting = h.transcript().since(from).iter().any(|e| {
        matches!(
            e,
            Entry::Mon {
                request: MonRequest::PgTemp { want, .. },
                ..
            } if want.as_slice() == [OsdId(0), OsdId::NONE, OsdId(2), OsdId(3)]
        )
    });
    assert!(async_acting, "osd.9 was an async recovery target");
    assert_eq!(acting(&h), [0, 9, 2, 3]);
    all_clean_at(&h, &[(0, 0), (9, 1), (2, 2), (3, 3)], v);
    assert_eq!(objects(&h, 9, 1).len(), 3);
    assert_safe(&h);
}

#[test]
fn an_osd_holding_two_shards_gets_the_sub_write_for_its_other_shard() {
    // `calc_ec_acting` picks by shard, so one OSD may hold two positions
    // (a pg_temp built from strays; here an explicit mapping). The primary's
    // sub-write to its own OSD's other shard goes through the loopback
    // connection; skipping it (as "not a peer") acknowledged writes that
    // shard never had, which the simulator caught as unfound objects.
    let mut h = ec(&[0, 1, 2], 2, 1, &[0, 0, 1]);
    assert_eq!(acting(&h), [0, 0, 1]);
    assert_eq!(h.state(0, shard(0)), ACTIVE_CLEAN);
    assert_eq!(h.state(0, shard(1)), REPLICA);
    let v = h.write(shard(0), "a").unwrap();
    h.run().unwrap();
    for (osd, s) in [(0, 0), (0, 1), (1, 2)] {
        let (head, crt, objects, _) = shard_state(&h, osd, s);
        assert_eq!(head, v, "osd.{osd} shard {s}");
        assert_eq!(crt, v, "osd.{osd} shard {s}");
        assert_eq!(objects, [("a".to_string(), v)], "osd.{osd} shard {s}");
    }
    // Nothing went over the wire from osd.0 to itself.
    assert!(!h.transcript().entries().iter().any(|e| matches!(
        e,
        Entry::Sent { from, to, .. } if from == to
    )));
    assert_safe(&h);
}
