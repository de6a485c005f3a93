//! Log trimming in the write path, end to end on a [`LocalCluster`]: the
//! primary's `pg_trim_to` travels in every `MOSDRepOp`, every shard's log
//! stays near the target, and an OSD that comes back behind the trimmed
//! tail is backfilled.

use peering_core::log::{LogOp, ReqId};
use peering_core::types::{EVersion, ObjectId, OsdId, PgId};

use super::local::LocalCluster;
use super::test_support::{POOL, peered, spg};
use super::{Osd, OsdConfig};

/// Ceph's defaults, except a log target of 4 entries per PG
/// (`osd_min_pg_log_entries` 4 with no per-OSD budget) and trims of a
/// single entry allowed (`osd_pg_log_trim_min` 1).
fn small_logs(o: i32) -> OsdConfig {
    let mut c = OsdConfig::new(o);
    c.min_pg_log_entries = 4;
    c.target_pg_log_entries_per_osd = 0;
    c.peering.pg_log_trim_min = 1;
    c
}

fn primary(c: &LocalCluster) -> OsdId {
    c.mon_map
        .pg_to_up_acting_osds(PgId::new(POOL, 0))
        .acting_primary
}

/// `n` writes of distinct objects on PG 0's primary, each run to its ack.
fn writes(c: &mut LocalCluster, first: u64, n: u64) -> Vec<ObjectId> {
    let p = primary(c);
    let mut out = Vec::new();
    for i in first..first + n {
        let oid = ObjectId::new(POOL, 0, format!("o{i}"));
        c.osds
            .get_mut(&p)
            .unwrap()
            .submit_write(spg(0), oid.clone(), LogOp::Modify, ReqId::client(4100, i))
            .unwrap();
        c.run(100);
        out.push(oid);
    }
    out
}

fn tail_and_len(osd: &Osd) -> (EVersion, usize) {
    let log = osd.pg(spg(0)).unwrap().pg_log().log();
    (log.tail(), log.entries().len())
}

#[test]
fn the_target_is_the_osds_budget_over_its_pgs_within_the_bounds() {
    let c = peered(OsdConfig::new);
    let osd = c.osds.values().next().unwrap();
    let pgs = osd.slots.values().filter(|s| s.pg.is_some()).count() as u64;
    assert!(pgs > 0);
    // 300,000 entries over a handful of PGs: capped at osd_max_pg_log_entries.
    assert_eq!(osd.target_pg_log_entries(), 10_000);
    let c = peered(small_logs);
    assert_eq!(c.osds[&OsdId(0)].target_pg_log_entries(), 4);
}

#[test]
fn writes_trim_every_shards_log_to_the_target() {
    let mut c = peered(small_logs);
    let p = primary(&c);
    writes(&mut c, 1, 12);
    let (tail, len) = tail_and_len(&c.osds[&p]);
    assert!(tail > EVersion::ZERO, "the primary trimmed");
    // The target, plus the write made after the trim point was chosen.
    assert!(len <= 5, "{len} entries on the primary");
    for (o, osd) in &c.osds {
        let pg = osd.pg(spg(0)).unwrap();
        let (t, n) = tail_and_len(osd);
        // Replicas trim to the pg_trim_to of the last MOSDRepOp, which is
        // the primary's own.
        assert_eq!(t, tail, "{o:?}");
        assert_eq!(n, len, "{o:?}");
        assert_eq!(pg.info().log_tail, t, "{o:?}");
        assert_eq!(pg.info().last_update, pg.pg_log().log().head(), "{o:?}");
    }
    // Trimmed entries are still recognised as dups.
    let log = c.osds[&p].pg(spg(0)).unwrap().pg_log().log();
    assert!(!log.log().dups.is_empty());
    assert!(c.osds[&p].pg(spg(0)).unwrap().min_last_complete_ondisk() > EVersion::ZERO);
}

#[test]
fn with_ceph_defaults_a_short_log_is_never_trimmed() {
    let mut c = peered(OsdConfig::new);
    writes(&mut c, 1, 30);
    for osd in c.osds.values() {
        let (tail, len) = tail_and_len(osd);
        assert_eq!((tail, len), (EVersion::ZERO, 30));
    }
}

#[test]
fn an_osd_behind_the_trimmed_tail_is_backfilled() {
    let mut c = peered(small_logs);
    let p = primary(&c);
    let down = (0..3).map(OsdId).find(|o| *o != p).unwrap();
    let mut objects = writes(&mut c, 1, 3);
    let down_head = c.osds[&down].pg(spg(0)).unwrap().info().last_update;
    // Its process is gone: down and dead (nobody waits for its read lease).
    c.stop(down.0);
    c.publish(|i| {
        i.mark_down_dead(down.0);
    })
    .unwrap();
    c.run(500);
    objects.extend(writes(&mut c, 4, 12));
    // The survivors' logs no longer reach back to what the stopped OSD has.
    let tail = c.osds[&p].pg(spg(0)).unwrap().pg_log().log().tail();
    assert!(
        tail > down_head,
        "tail {tail:?}, the stopped OSD's head {down_head:?}"
    );
    c.start(small_logs(down.0));
    c.run(2000);
    // No log overlaps what it has: the primary backfilled it.
    let entered: Vec<_> = c.osds[&p]
        .pg(spg(0))
        .unwrap()
        .state_history()
        .entered()
        .collect();
    assert!(
        entered.contains(&peering_core::machine::StateId::Backfilling),
        "{entered:?}"
    );
    for (o, osd) in &c.osds {
        let pg = osd.pg(spg(0)).unwrap();
        let want = if *o == p {
            "Started/Primary/Active/Clean"
        } else {
            "Started/ReplicaActive/RepNotRecovering"
        };
        assert_eq!(pg.state_name(), want, "{o:?}");
    }
    let want = c.osds[&p].backend().objects_list(spg(0), None, 100);
    assert_eq!(want.len(), objects.len());
    for (o, osd) in &c.osds {
        assert_eq!(osd.backend().objects_list(spg(0), None, 100), want, "{o:?}");
    }
}

#[test]
fn a_write_after_its_objects_entry_was_trimmed_names_the_stored_version() {
    let mut c = peered(small_logs);
    let p = primary(&c);
    let first = writes(&mut c, 1, 1).remove(0);
    let v1 = c.osds[&p].backend().object_version(spg(0), &first).unwrap();
    writes(&mut c, 2, 10);
    let log = c.osds[&p].pg(spg(0)).unwrap().pg_log().log();
    assert!(log.object_entry(&first).is_none(), "its entry was trimmed");
    // The prior version comes from the object layer (the object info), not
    // from the log: the rewrite is not mistaken for a creation.
    let e = c
        .osds
        .get_mut(&p)
        .unwrap()
        .submit_write(
            spg(0),
            first.clone(),
            LogOp::Modify,
            ReqId::client(4100, 99),
        )
        .unwrap();
    assert_eq!(e.prior_version, v1);
}
