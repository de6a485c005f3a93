//! An OSD on `RedbStore` crashing at the three points of a transaction's
//! life (issue 12), in process: the transaction handed to the store and not
//! committed; committed and not reported (the work waiting on it never ran,
//! the messages depending on it never left); between two transactions. The
//! OSD restarts from its database file: every PG loads to its last committed
//! state, peering completes, and no acknowledged write (persisted by every
//! acting OSD) is lost.

use peering_core::ctx::Transaction;
use peering_core::log::{LogOp, ReqId};
use peering_core::types::{EVersion, ObjectId, OsdId, SpgId};

use super::super::suite::redb::RedbFixture;
use super::super::{MemStore, PgMeta, Store, StoreError, TxnId};
use super::RedbStore;
use crate::osd::OsdConfig;
use crate::osd::local::LocalCluster;
use crate::osd::test_support::{POOL, map3, spg};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Point {
    /// Handed to the store, not committed: nothing of it is on disk.
    BeforeCommit,
    /// Committed, the process died before the commit was reported.
    AfterCommit,
    /// Committed and reported; the process died before the next one.
    Between,
}

/// A store whose OSD `victim` "crashes" at its `after`-th transaction: from
/// then on nothing of that OSD reaches the disk. `model` keeps exactly what
/// was committed, per OSD.
#[derive(Debug)]
struct Crashing {
    inner: RedbStore,
    model: MemStore,
    armed: Option<(OsdId, usize, Point)>,
    seen: usize,
    crashed: Option<OsdId>,
}

impl Crashing {
    fn dead(&self, osd: OsdId) -> bool {
        self.crashed == Some(osd)
    }
}

impl Store for Crashing {
    fn queue_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        txn: TxnId,
        t: &Transaction,
    ) -> Result<(), StoreError> {
        if self.dead(osd) {
            return Ok(());
        }
        if let Some((victim, after, point)) = self.armed.filter(|(v, _, _)| *v == osd) {
            self.seen += 1;
            if self.seen == after {
                self.crashed = Some(victim);
                match point {
                    Point::BeforeCommit => return Ok(()),
                    Point::AfterCommit => {
                        self.model.apply(osd, pgid, t);
                        return self.inner.apply_transaction(osd, pgid, t);
                    }
                    Point::Between => {}
                }
            }
        }
        self.model.apply(osd, pgid, t);
        self.inner.queue_transaction(osd, pgid, txn, t)
    }
    fn apply_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        t: &Transaction,
    ) -> Result<(), StoreError> {
        self.model.apply(osd, pgid, t);
        self.inner.apply_transaction(osd, pgid, t)
    }
    fn drain_committed(&mut self) -> Vec<(OsdId, TxnId)> {
        self.inner.drain_committed()
    }
    fn list_pgs(&self, osd: OsdId) -> Result<Vec<SpgId>, StoreError> {
        self.inner.list_pgs(osd)
    }
    fn read_pg(&self, osd: OsdId, pgid: SpgId) -> Result<Option<PgMeta>, StoreError> {
        self.inner.read_pg(osd, pgid)
    }
    fn remove_pg(&mut self, osd: OsdId, pgid: SpgId) -> Result<(), StoreError> {
        if self.dead(osd) {
            return Ok(());
        }
        self.model.remove_pg(osd, pgid)?;
        self.inner.remove_pg(osd, pgid)
    }
    fn list_objects(
        &self,
        osd: OsdId,
        pgid: SpgId,
        after: Option<&ObjectId>,
        max: usize,
    ) -> Result<Vec<(ObjectId, EVersion)>, StoreError> {
        self.inner.list_objects(osd, pgid, after, max)
    }
    fn object_version(
        &self,
        osd: OsdId,
        pgid: SpgId,
        oid: &ObjectId,
    ) -> Result<Option<EVersion>, StoreError> {
        self.inner.object_version(osd, pgid, oid)
    }
    fn write_object(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        oid: &ObjectId,
        version: EVersion,
        delete: bool,
    ) -> Result<(), StoreError> {
        if self.dead(osd) {
            return Ok(());
        }
        self.model.write_object(osd, pgid, oid, version, delete)?;
        self.inner.write_object(osd, pgid, oid, version, delete)
    }
}

/// One PG as read back: its meta and its objects.
type PgSnapshot = (SpgId, Option<PgMeta>, Vec<(ObjectId, EVersion)>);

/// Everything of `osd` a store can read back.
fn snapshot(s: &impl Store, osd: OsdId) -> Vec<PgSnapshot> {
    s.list_pgs(osd)
        .unwrap()
        .into_iter()
        .map(|p| {
            (
                p,
                s.read_pg(osd, p).unwrap(),
                s.list_objects(osd, p, None, usize::MAX).unwrap(),
            )
        })
        .collect()
}

fn settled(state: &str) -> bool {
    state == "Started/Primary/Active/Clean" || state.starts_with("Started/ReplicaActive")
}

/// Runs one crash: `victim` (the PG's primary or a replica) dies at its
/// `after`-th transaction once writes start, at `point`.
fn crash_once(victim_is_primary: bool, after: usize, point: Point) {
    let f = RedbFixture::new("points");
    let store = Crashing {
        inner: RedbStore::open(f.dir()).unwrap(),
        model: MemStore::new(),
        armed: None,
        seen: 0,
        crashed: None,
    };
    let mut c = LocalCluster::with_store(store, map3(), &[0, 1, 2], OsdConfig::new);
    c.create_pgs(POOL);
    c.run(500);
    let pg = spg(0);
    let primary = c.mon_map.pg_to_up_acting_osds(pg.pgid).acting_primary;
    let victim = if victim_is_primary {
        primary
    } else {
        OsdId((0..3).find(|o| OsdId(*o) != primary).unwrap())
    };
    c.store.armed = Some((victim, after, point));
    let mut writes: Vec<(ObjectId, EVersion)> = Vec::new();
    let mut acked: Vec<(ObjectId, EVersion)> = Vec::new();
    let mut restarted = false;
    for n in 0..8u64 {
        let primary = c.mon_map.pg_to_up_acting_osds(pg.pgid).acting_primary;
        let oid = ObjectId::new(POOL, 0x100 * (n as u32 + 1), format!("w{n}"));
        if let Some(osd) = c.osds.get_mut(&primary)
            && let Ok(e) = osd.submit_write(pg, oid.clone(), LogOp::Modify, ReqId::client(9, n + 1))
        {
            writes.push((oid, e.version));
        }
        for _ in 0..50 {
            let (moved, _) = c.round();
            if c.store.crashed.is_some() || !moved {
                break;
            }
        }
        if let (Some(dead), false) = (c.store.crashed, restarted) {
            restarted = true;
            // Acknowledged: persisted by every OSD of the acting set.
            acked = writes
                .iter()
                .filter(|(o, v)| {
                    (0..3)
                        .all(|x| c.store.inner.object_version(OsdId(x), pg, o).unwrap() == Some(*v))
                })
                .cloned()
                .collect();
            c.stop(dead.0);
            c.publish(|i| {
                i.mark_down(dead.0);
            })
            .unwrap();
            c.run(500);
            // The process restarts: its database file, read again, holds
            // exactly what was committed.
            c.store.inner.reopen().unwrap();
            assert_eq!(
                snapshot(&c.store.inner, dead),
                snapshot(&c.store.model, dead),
                "{point:?} after {after}: osd.{} reloads its last committed state",
                dead.0
            );
            c.store.crashed = None;
            c.store.armed = None;
            c.start(OsdConfig::new(dead.0));
            c.run(500);
        }
    }
    c.run(500);
    assert!(
        restarted,
        "{point:?} after {after}: the victim never wrote that much"
    );
    assert!(c.store_errors.is_empty(), "{:?}", c.store_errors);
    for o in 0..3 {
        for (p, pgi) in c.osd(o).unwrap().pgs() {
            assert!(
                settled(pgi.state_name()),
                "{point:?} after {after}: osd.{o} {p} {}",
                pgi.state_name()
            );
        }
    }
    let primary = c.mon_map.pg_to_up_acting_osds(pg.pgid).acting_primary;
    let head = c.osd(primary.0).unwrap().pg(pg).unwrap().info().last_update;
    // Writes after the restart and the unacknowledged ones the new primary
    // kept are on every OSD too: the replicas agree with it.
    for (oid, v) in &writes {
        let kept = c.store.inner.object_version(primary, pg, oid).unwrap();
        if kept == Some(*v) {
            for o in 0..3 {
                assert_eq!(
                    c.store.inner.object_version(OsdId(o), pg, oid).unwrap(),
                    kept
                );
            }
        }
    }
    let last = writes.last().unwrap();
    assert_eq!(
        c.store.inner.object_version(primary, pg, &last.0).unwrap(),
        Some(last.1)
    );
    for (oid, v) in &acked {
        assert!(head >= *v);
        for o in 0..3 {
            assert_eq!(
                c.store.inner.object_version(OsdId(o), pg, oid).unwrap(),
                Some(*v),
                "{point:?} after {after}: acknowledged {oid} lost on osd.{o}"
            );
        }
    }
}

#[test]
fn redb_osd_crash_points_reload_and_peer_without_losing_acknowledged_writes() {
    for point in [Point::BeforeCommit, Point::AfterCommit, Point::Between] {
        for after in 1..=4 {
            crash_once(false, after, point);
            crash_once(true, after, point);
        }
    }
}
