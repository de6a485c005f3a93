//! The write path (reference §4.4 `PeeringListener`, §5.21, §5.25): Ceph's
//! `append_log` on the primary (`submit_write`) and on a replica (the primary's
//! `MOSDRepOp`), and what each refuses, leaving the PG unchanged.

mod machine_support;

use machine_support::{Cluster, POOL, loaded_cluster};
use peering_core::PeeringError;
use peering_core::ctx::{RecoveryCtx, TxOp};
use peering_core::log::{LogEntry, LogOp, ReqId};
use peering_core::machine::{LogAppend, Pg, StateId};
use peering_core::map::PoolInfo;
use peering_core::types::{EVersion, ObjectId, PgShard, UTime};
use peering_core::{BadInput, HostMisuse};

/// osd.0..2 active and clean at epoch 10 with the log `10'1..=10'3`.
fn clean() -> Cluster {
    let mut c = loaded_cluster([(3, 10), (3, 10), (3, 10)]);
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    assert_eq!(c.pg(1).state_id(), StateId::RepNotRecovering);
    c
}

fn obj(name: &str, hash: u32) -> ObjectId {
    ObjectId::new(POOL, hash, name)
}

fn write(pg: &mut Pg, o: &ObjectId, op: LogOp) -> Result<(LogEntry, RecoveryCtx), PeeringError> {
    let mut ctx = RecoveryCtx::new();
    let prior = logged_version(pg, o);
    let e = pg.submit_write(
        o.clone(),
        op,
        prior,
        ReqId::client(4100, 1),
        UTime::default(),
        &mut ctx,
    )?;
    Ok((e, ctx))
}

/// The object's version as the log knows it (the whole history is logged
/// here): its newest entry's, `0'0` after a delete or when never written.
fn logged_version(pg: &Pg, o: &ObjectId) -> EVersion {
    pg.pg_log()
        .log()
        .object_entry(o)
        .map_or(EVersion::ZERO, |e| {
            if e.is_delete() {
                EVersion::ZERO
            } else {
                e.version
            }
        })
}

/// A `MODIFY` entry of `o` at `v` creating it.
fn modify(o: ObjectId, v: EVersion) -> LogEntry {
    LogEntry::new(LogOp::Modify, o, v, EVersion::ZERO)
}

fn append(pg: &mut Pg, entries: &[LogEntry]) -> Result<(), PeeringError> {
    pg.append_log(entries, LogAppend::default(), &mut RecoveryCtx::new())
}

fn primary(c: &mut Cluster) -> &mut Pg {
    c.pgs.get_mut(&0).unwrap()
}

#[test]
fn primary_write_appends_updates_info_and_persists() {
    let mut c = clean();
    let epoch = c.pg(0).epoch();
    let objects = c.pg(0).info().stats.num_objects;
    let (e, ctx) = write(primary(&mut c), &obj("new", 7), LogOp::Modify).unwrap();
    assert_eq!(e.version, EVersion::new(epoch, 4));
    assert_eq!(e.prior_version, EVersion::ZERO);
    let pg = c.pg(0);
    assert_eq!(pg.info().last_update, e.version);
    assert_eq!(pg.info().last_complete, e.version);
    assert_eq!(pg.info().last_user_version, e.user_version);
    assert_eq!(pg.info().stats.num_objects, objects + 1);
    assert_eq!(pg.pg_log().log().head(), e.version);
    assert!(!pg.pg_log().is_dirty());
    // Every other acting shard's peer_info follows (pre_submit_op).
    for s in [1, 2] {
        let (_, pi) = pg
            .peer_infos()
            .find(|(p, _)| **p == PgShard::replica(s))
            .unwrap();
        assert_eq!(pi.last_update, e.version);
        assert_eq!(pi.last_complete, e.version);
    }
    let ops = &ctx.transaction().ops;
    assert!(
        ops.iter()
            .any(|op| matches!(op, TxOp::WriteInfo { info, .. } if info.last_update == e.version))
    );
    assert!(
        ops.iter()
            .any(|op| matches!(op, TxOp::WriteLog { log, .. } if log.head == e.version))
    );

    // A second write of the same object names the first as its prior version.
    let (e2, _) = write(primary(&mut c), &obj("new", 7), LogOp::Modify).unwrap();
    assert_eq!(e2.prior_version, e.version);
    assert_eq!(e2.version, EVersion::new(epoch, 5));
    // A delete removes it from the object count.
    let (e3, _) = write(primary(&mut c), &obj("new", 7), LogOp::Delete).unwrap();
    assert_eq!(e3.prior_version, e2.version);
    assert_eq!(c.pg(0).info().stats.num_objects, objects);
}

#[test]
fn replica_appends_the_primarys_entries() {
    let mut c = clean();
    let (e, _) = write(primary(&mut c), &obj("a", 1), LogOp::Modify).unwrap();
    let replica = c.pgs.get_mut(&1).unwrap();
    let mut ctx = RecoveryCtx::new();
    replica
        .append_log(std::slice::from_ref(&e), LogAppend::default(), &mut ctx)
        .unwrap();
    assert_eq!(replica.info().last_update, e.version);
    assert_eq!(replica.info().last_complete, e.version);
    assert_eq!(replica.pg_log().log().head(), e.version);
    assert!(
        ctx.transaction()
            .ops
            .iter()
            .any(|op| matches!(op, TxOp::WriteLog { log, .. } if log.head == e.version))
    );
    // The same entries again are not newer than last_update.
    let before = replica.clone();
    let r = append(replica, std::slice::from_ref(&e));
    assert!(matches!(
        r,
        Err(PeeringError::BadInput(BadInput::VersionBackwards { .. }))
    ));
    assert_eq!(*replica, before);
}

#[test]
fn refusals_leave_the_pg_unchanged() {
    let mut c = clean();
    let epoch = c.pg(0).epoch();
    let before = c.pg(0).clone();
    let pg = primary(&mut c);
    // Another pool's object.
    let r = write(pg, &ObjectId::new(POOL + 1, 0, "x"), LogOp::Modify);
    assert!(matches!(
        r,
        Err(PeeringError::BadInput(BadInput::ObjectNotInPg { .. }))
    ));
    // The MAX marker is no object.
    let r = append(pg, &[modify(ObjectId::MAX, EVersion::new(epoch, 9))]);
    assert!(matches!(
        r,
        Err(PeeringError::BadInput(BadInput::ObjectNotInPg { .. }))
    ));
    // Not newer than last_update.
    let r = append(pg, &[modify(obj("x", 0), EVersion::new(10, 3))]);
    assert!(matches!(
        r,
        Err(PeeringError::BadInput(BadInput::VersionBackwards { .. }))
    ));
    // Going backwards inside the batch.
    let r = append(
        pg,
        &[
            modify(obj("x", 0), EVersion::new(epoch, 6)),
            modify(obj("y", 0), EVersion::new(epoch, 5)),
        ],
    );
    assert_eq!(
        r,
        Err(PeeringError::BadInput(BadInput::VersionBackwards {
            prev: EVersion::new(epoch, 6),
            new: EVersion::new(epoch, 5)
        }))
    );
    assert_eq!(*c.pg(0), before);
    // A replica takes no client write.
    let replica = c.pgs.get_mut(&1).unwrap();
    let before = replica.clone();
    let r = write(replica, &obj("x", 0), LogOp::Modify);
    assert!(matches!(
        r,
        Err(PeeringError::HostMisuse(HostMisuse::WriteNotActive { .. }))
    ));
    assert_eq!(*replica, before);
}

#[test]
fn an_object_outside_the_pgs_hash_bits_is_refused() {
    // pg_num 2: PG 1.0 holds the objects whose low hash bit is 0.
    let mut c = Cluster::with_pgs(&[0, 1, 2], &[0, 1, 2], &[0, 1, 2], 3, |m| {
        *m = m.clone().with_pool(PoolInfo::replicated(POOL, 3, 2));
        m.set_up_thru(0, 1);
    });
    c.run();
    let pg = primary(&mut c);
    assert!(
        pg.state_bits()
            .contains(peering_core::types::PgState::ACTIVE),
        "{}",
        pg.state_name()
    );
    let before = pg.clone();
    let r = write(pg, &obj("odd", 3), LogOp::Modify);
    assert!(matches!(
        r,
        Err(PeeringError::BadInput(BadInput::ObjectNotInPg { .. }))
    ));
    assert_eq!(*pg, before);
    write(pg, &obj("even", 4), LogOp::Modify).unwrap();
}

#[test]
fn a_pg_not_active_takes_no_write() {
    // Created, still peering: GetInfo.
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    let pg = primary(&mut c);
    assert_eq!(pg.state_id(), StateId::GetInfo);
    let before = pg.clone();
    let r = write(pg, &obj("x", 0), LogOp::Modify);
    assert_eq!(
        r.map(|_| ()),
        Err(PeeringError::HostMisuse(HostMisuse::WriteNotActive {
            state: StateId::GetInfo
        }))
    );
    assert_eq!(*pg, before);
    let r = append(pg, &[modify(obj("x", 0), EVersion::new(1, 1))]);
    assert!(matches!(
        r,
        Err(PeeringError::HostMisuse(HostMisuse::WriteNotActive { .. }))
    ));
    assert_eq!(*pg, before);
}

#[test]
fn a_write_to_an_object_a_replica_misses_is_refused_until_recovered() {
    // osd.1 missed 10'4..10'5 (objects o4, o5): after peering the primary holds
    // its missing set and recovery has not run.
    let mut c = loaded_cluster([(5, 10), (3, 10), (5, 10)]);
    c.auto_recovered = false;
    c.run();
    let pg = primary(&mut c);
    assert!(pg.needs_recovery());
    let before = pg.clone();
    let o4 = ObjectId::new(POOL, 4, "o4");
    let r = write(pg, &o4, LogOp::Modify);
    assert_eq!(
        r.map(|_| ()),
        Err(PeeringError::HostMisuse(HostMisuse::ObjectMissing {
            object: o4.clone(),
            shard: PgShard::replica(1)
        }))
    );
    assert_eq!(*pg, before);
    // Another object is fine; osd.1, still missing o4 and o5, appends it and its
    // last_complete stays behind (it was not complete).
    let (e, _) = write(pg, &obj("o1", 1), LogOp::Modify).unwrap();
    let replica = c.pgs.get_mut(&1).unwrap();
    assert_eq!(replica.state_id(), StateId::RepNotRecovering);
    let lc = replica.info().last_complete;
    assert!(lc < replica.info().last_update);
    append(replica, std::slice::from_ref(&e)).unwrap();
    assert_eq!(replica.info().last_update, e.version);
    assert_eq!(replica.info().last_complete, lc);
    assert_eq!(replica.pg_log().missing().num_missing(), 2);
    let pg = primary(&mut c);
    // Once recovered on osd.1, the write goes through.
    let mut ctx = RecoveryCtx::new();
    pg.on_peer_recover(PgShard::replica(1), &o4, EVersion::new(10, 4), &mut ctx)
        .unwrap();
    write(pg, &o4, LogOp::Modify).unwrap();
}

#[test]
fn a_prior_version_the_log_contradicts_is_host_misuse() {
    let mut c = clean();
    let (e, _) = write(primary(&mut c), &obj("p", 3), LogOp::Modify).unwrap();
    let pg = primary(&mut c);
    let before = pg.clone();
    let r = pg.submit_write(
        obj("p", 3),
        LogOp::Modify,
        EVersion::ZERO,
        ReqId::client(4100, 2),
        UTime::default(),
        &mut RecoveryCtx::new(),
    );
    assert_eq!(
        r.unwrap_err(),
        PeeringError::HostMisuse(HostMisuse::PriorVersionMismatch {
            object: obj("p", 3),
            logged: e.version,
            given: EVersion::ZERO,
        })
    );
    assert_eq!(format!("{pg:?}"), format!("{before:?}"));
}
