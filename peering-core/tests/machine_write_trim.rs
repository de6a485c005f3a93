//! Log trimming in the write path (reference §5.25): the primary's
//! `update_trim_to` (`calc_trim_to`, and `calc_trim_to_aggressive` under the
//! map's `PGLOG_HARDLIMIT`), the bounds each `append_log` applies, the
//! on-commit pointers they depend on, and the bounds a replica refuses.

mod machine_support;

use machine_support::{Cluster, POOL, loaded_pg, mapping};
use peering_core::ctx::RecoveryCtx;
use peering_core::log::{LogEntry, LogOp, ReqId};
use peering_core::machine::{LogAppend, Pg, StateId};
use peering_core::map::{PoolInfo, SimpleOsdMap};
use peering_core::types::{EVersion, ObjectId, PgShard, UTime};
use peering_core::{BadInput, PeeringError};

/// osd.0..2 active and clean at epoch 10 with the log `10'1..=10'3`, trims
/// of one entry allowed (`osd_pg_log_trim_min` 1).
fn clean() -> Cluster {
    let mut map = SimpleOsdMap::new(10).with_pool(PoolInfo::replicated(POOL, 3, 1));
    for o in 0..3 {
        map = map.with_up_osd(o, 1);
    }
    map.set_up_thru(0, 10);
    let loads = (0..3)
        .map(|o| {
            let (o, mut load) = loaded_pg(o, 3, 10);
            load.config.pg_log_trim_min = 1;
            (o, load)
        })
        .collect();
    let mut c = Cluster::loaded(map, mapping(&[0, 1, 2]), loads);
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    c
}

/// One client write as the host makes it: `update_trim_to`, the primary's
/// write, the `MOSDRepOp` bounds applied on both replicas, and (with
/// `commit`) the commits: each replica's `last_complete_ondisk` and reply,
/// then `complete_write` on the primary.
fn write(c: &mut Cluster, n: u64, target: u64, hard: bool, commit: bool) -> LogEntry {
    let p = c.pgs.get_mut(&0).unwrap();
    p.update_trim_to(target, hard);
    let local_lc = p.info().last_complete;
    let oid = ObjectId::new(POOL, n as u32, format!("w{n}"));
    let e = p
        .submit_write(
            oid,
            LogOp::Modify,
            EVersion::ZERO,
            ReqId::client(4100, n),
            UTime::default(),
            &mut RecoveryCtx::new(),
        )
        .unwrap();
    let bounds = LogAppend {
        trim_to: p.pg_trim_to(),
        roll_forward_to: e.version,
        min_last_complete_ondisk: p.min_last_complete_ondisk(),
    };
    let mut lcs = Vec::new();
    for r in [1, 2] {
        let rep = c.pgs.get_mut(&r).unwrap();
        lcs.push((r, rep.info().last_complete));
        rep.append_log(std::slice::from_ref(&e), bounds, &mut RecoveryCtx::new())
            .unwrap();
    }
    if commit {
        for (r, lc) in lcs {
            c.pgs.get_mut(&r).unwrap().update_last_complete_ondisk(lc);
            c.pgs
                .get_mut(&0)
                .unwrap()
                .update_peer_last_complete_ondisk(PgShard::replica(r), lc);
        }
        c.pgs
            .get_mut(&0)
            .unwrap()
            .complete_write(e.version, local_lc);
    }
    e
}

fn tail(pg: &Pg) -> EVersion {
    pg.pg_log().log().tail()
}

#[test]
fn calc_trim_to_waits_for_every_shard_then_keeps_the_target() {
    let mut c = clean();
    // Right after activation min_last_complete_ondisk is unknown (0'0): no trim.
    assert_eq!(c.pg(0).min_last_complete_ondisk(), EVersion::ZERO);
    write(&mut c, 4, 2, false, true);
    assert_eq!(c.pg(0).pg_trim_to(), EVersion::ZERO);
    // Every shard reported 10'3 as complete before write 4, so 10'3 bounds
    // the trim: the log spans 4 versions, the target is 2, two may go.
    assert_eq!(c.pg(0).min_last_complete_ondisk(), EVersion::new(10, 3));
    write(&mut c, 5, 2, false, true);
    assert_eq!(c.pg(0).pg_trim_to(), EVersion::new(10, 2));
    for o in 0..3 {
        assert_eq!(tail(c.pg(o)), EVersion::new(10, 2), "osd.{o}");
        assert_eq!(c.pg(o).info().log_tail, EVersion::new(10, 2), "osd.{o}");
    }
    // The next write trims one more, three entries stay (target + 1).
    write(&mut c, 6, 2, false, true);
    assert_eq!(c.pg(0).pg_trim_to(), EVersion::new(10, 3));
    assert_eq!(c.pg(0).pg_log().log().entries().len(), 3);
}

#[test]
fn calc_trim_to_never_passes_a_shard_that_has_not_committed() {
    let mut c = clean();
    write(&mut c, 4, 2, false, true);
    // Writes nobody reports committed: min_last_complete_ondisk stays at
    // 10'3, and so does the trim point, however long the log grows.
    for n in 5..12 {
        write(&mut c, n, 2, false, false);
        assert!(c.pg(0).pg_trim_to() <= EVersion::new(10, 3));
    }
    assert_eq!(c.pg(0).pg_trim_to(), EVersion::new(10, 3));
    // 10'4..=10'11 stay: everything after the last version every shard had.
    assert_eq!(c.pg(0).pg_log().log().entries().len(), 8);
    assert_eq!(tail(c.pg(1)), EVersion::new(10, 3));
}

#[test]
fn calc_trim_to_aggressive_is_bounded_by_the_primarys_own_commit() {
    let mut c = clean();
    // Under PGLOG_HARDLIMIT replicas' reports do not matter; the primary's
    // last_update_ondisk (10'3, from activation) does.
    write(&mut c, 4, 2, true, false);
    // Span 3 > target 2: one entry, the oldest of those beyond the newest two.
    assert_eq!(c.pg(0).pg_trim_to(), EVersion::new(10, 1));
    // Nothing commits: last_update_ondisk stays 10'3, the trim point with it.
    for n in 5..10 {
        write(&mut c, n, 2, true, false);
    }
    assert_eq!(c.pg(0).pg_trim_to(), EVersion::new(10, 3));
    // Once the primary commits, it keeps the newest two entries plus the
    // write being made.
    c.pgs
        .get_mut(&0)
        .unwrap()
        .complete_write(EVersion::new(10, 9), EVersion::new(10, 9));
    write(&mut c, 10, 2, true, true);
    assert_eq!(c.pg(0).pg_trim_to(), EVersion::new(10, 7));
    for o in 0..3 {
        assert_eq!(c.pg(o).pg_log().log().entries().len(), 3, "osd.{o}");
    }
}

#[test]
fn a_trim_smaller_than_trim_min_waits() {
    let mut c = clean();
    // The same cluster with the default osd_pg_log_trim_min (100).
    let mut c2 = {
        let mut map = SimpleOsdMap::new(10).with_pool(PoolInfo::replicated(POOL, 3, 1));
        for o in 0..3 {
            map = map.with_up_osd(o, 1);
        }
        map.set_up_thru(0, 10);
        let loads = (0..3).map(|o| loaded_pg(o, 3, 10)).collect();
        Cluster::loaded(map, mapping(&[0, 1, 2]), loads)
    };
    c2.run();
    for n in 4..40 {
        write(&mut c2, n, 2, true, true);
    }
    // 38 entries beyond a target of 2, but fewer than osd_pg_log_trim_min.
    assert_eq!(c2.pg(0).pg_trim_to(), EVersion::ZERO);
    assert_eq!(tail(c2.pg(0)), EVersion::ZERO);
    // With trim_min 1 the same writes trim.
    for n in 4..40 {
        write(&mut c, n, 2, true, true);
    }
    assert!(tail(c.pg(0)) > EVersion::ZERO);
}

#[test]
fn a_replica_refuses_bounds_past_its_log_and_stays_unchanged() {
    let mut c = clean();
    let p = c.pgs.get_mut(&0).unwrap();
    let e = p
        .submit_write(
            ObjectId::new(POOL, 9, "x"),
            LogOp::Modify,
            EVersion::ZERO,
            ReqId::client(4100, 9),
            UTime::default(),
            &mut RecoveryCtx::new(),
        )
        .unwrap();
    let rep = c.pgs.get_mut(&1).unwrap();
    let before = rep.clone();
    let past_head = EVersion::new(10, 9);
    let cases = [
        LogAppend {
            roll_forward_to: past_head,
            ..LogAppend::default()
        },
        LogAppend {
            trim_to: past_head,
            roll_forward_to: e.version,
            ..LogAppend::default()
        },
        // Past the rollback boundary: nothing rolled forward to it.
        LogAppend {
            trim_to: e.version,
            ..LogAppend::default()
        },
    ];
    for bounds in cases {
        let r = rep.append_log(std::slice::from_ref(&e), bounds, &mut RecoveryCtx::new());
        assert!(
            matches!(r, Err(PeeringError::BadInput(BadInput::Log(_)))),
            "{bounds:?}: {r:?}"
        );
        assert_eq!(format!("{rep:?}"), format!("{before:?}"), "{bounds:?}");
    }
    // The same entry with the primary's bounds goes in, trimmed as asked.
    let bounds = LogAppend {
        trim_to: EVersion::new(10, 2),
        roll_forward_to: e.version,
        min_last_complete_ondisk: EVersion::new(10, 3),
    };
    rep.append_log(std::slice::from_ref(&e), bounds, &mut RecoveryCtx::new())
        .unwrap();
    assert_eq!(tail(rep), EVersion::new(10, 2));
    assert_eq!(rep.min_last_complete_ondisk(), EVersion::new(10, 3));
    assert_eq!(rep.pg_log().log().can_rollback_to(), e.version);
}
