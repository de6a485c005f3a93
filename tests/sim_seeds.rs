//! The simulator over many seeds: safety and liveness runs of replicated
//! and erasure-coded pools with every fault kind (swarm testing), a run over
//! the on-disk store,
//! and the checker catching damage injected through the simulated world.

use std::collections::BTreeSet;

use peering::core::ctx::{Transaction, TxOp};
use peering::core::map::PoolInfo;
use peering::core::types::{EVersion, ObjectId, OsdId, SpgId, Timespan};
use peering::osd::harness::Rule;
use peering::osd::osdmap::Incremental;
use peering::osd::sim::{Faithful, FaultKind, Mode, Sim, SimConfig, SimReport, SimRule, Wire};
use peering::osd::store::{MemStore, PgMeta, RedbStore, Store, StoreError, TxnId};

const SEC: i64 = 1_000_000_000;

fn liveness(seed: u64) -> SimConfig {
    // 5 to 8 OSDs, 8 or 16 PGs: the seed picks.
    let osds = 5 + u32::try_from(seed % 4).unwrap();
    let pg_num = if seed.is_multiple_of(3) { 16 } else { 8 };
    let mut c = SimConfig::new(seed, osds, pg_num);
    c.duration = Timespan(90 * SEC);
    c
}

fn failures(reports: &[SimReport]) -> Vec<String> {
    reports
        .iter()
        .filter(|r| !r.passed())
        .map(|r| {
            format!(
                "seed {}: {:?} stuck {:?} waiting {:?}",
                r.seed,
                r.violations.first().map(|v| (v.rule, v.pgid, &v.detail)),
                r.stuck
                    .iter()
                    .map(|s| (s.pgid, &s.state))
                    .collect::<Vec<_>>(),
                r.waiting_on
            )
        })
        .collect()
}

#[test]
fn liveness_runs_heal_to_clean_and_lose_no_acknowledged_write() {
    let reports: Vec<SimReport> = (0..160)
        .map(|seed| Sim::new(liveness(seed)).unwrap().run())
        .collect();
    assert_eq!(failures(&reports), Vec::<String>::new());
    // The runs did what they are for: faults, splits, writes.
    let faults: u64 = reports.iter().map(|r| r.faults).sum();
    let acked: u64 = reports.iter().map(|r| r.writes.1).sum();
    assert!(faults > 500, "{faults} faults");
    assert!(acked > 10_000, "{acked} writes acknowledged");
    // Failovers and partitions make primaries wait for, or lose, their read
    // lease: some writes are held.
    let held: u64 = reports.iter().map(|r| r.writes_held).sum();
    assert!(held > 0, "no write was held by a read lease");
    let kinds: BTreeSet<&str> = reports
        .iter()
        .flat_map(|r| r.fault_kinds.iter().copied())
        .collect();
    assert_eq!(kinds.len(), FaultKind::ALL.len());
}

/// Seeds of `cargo run --release --example thrash` (6 OSDs, 16 PGs, 120 s)
/// that each found a bug, kept so it stays fixed.
#[test]
fn thrash_seeds_that_found_bugs_stay_fixed() {
    let found = [
        // history les stepped back to info les by append_log on a backfill
        // target (Ceph does that; the checker had called it a violation).
        116,
        // a peer learning late that an OSD's old instance died closed the
        // new instance's connection, losing a query in flight.
        98,
        // pg_num raised while the pool's initial PGs were being created: the
        // children of a PG not created yet never existed.
        627,
        // pulls in flight forgotten when recovery was deferred: their
        // answers cleared the primary's missing set but not MissingLoc, and
        // a later search_for_missing sent an info to a stray being deleted.
        995,
        // client writes never reached the object layer, so backfill pushed
        // stale versions (an acknowledged write lost on the target).
        365, 400,
        // the pgp_num target was dropped while pg_num waited for the pool's
        // creation, so pgp_num never walked.
        974,
        // the monitor answered a subscription from one epoch past its
        // start: a restarted OSD behind a gap never caught up.
        1636,
        // a rewind that only moved a split child's log head was not
        // persisted: after a restart the head and the info disagreed.
        3909,
        // a peer's divergent entries older than its own les, invisible to a
        // log asked for since that les (the FULLLOG deviation in GetMissing).
        4981,
        // the clean transaction's purge_strays ran on a slow disk's commit,
        // after a new interval: it removed a stray of the new interval, which
        // then got an info while deleting.
        8788,
    ];
    let reports: Vec<SimReport> = found
        .iter()
        .map(|&seed| {
            let mut c = SimConfig::new(seed, 6, 16);
            c.duration = Timespan(120 * SEC);
            Sim::new(c).unwrap().run()
        })
        .collect();
    assert_eq!(failures(&reports), Vec::<String>::new());
}

/// An erasure-coded run of `seed`: 2+1 on 5 OSDs, 2+2 on 6 or 4+2 on 8,
/// 8 PGs, the monitor's default `min_size`.
fn erasure_coded(seed: u64) -> SimConfig {
    let ((k, m), osds) = match seed % 3 {
        0 => ((2, 1), 5),
        1 => ((2, 2), 6),
        _ => ((4, 2), 8),
    };
    let mut c = SimConfig::new(seed, osds, 8);
    c.ec = Some((k, m));
    c.size = k + m;
    c.min_size = PoolInfo::erasure(1, k, m, 8).min_size;
    c.duration = Timespan(90 * SEC);
    c
}

#[test]
fn erasure_coded_runs_heal_to_clean_and_lose_no_acknowledged_write() {
    let reports: Vec<SimReport> = (0..90)
        .map(|seed| Sim::new(erasure_coded(seed)).unwrap().run())
        .collect();
    assert_eq!(failures(&reports), Vec::<String>::new());
    let faults: u64 = reports.iter().map(|r| r.faults).sum();
    let acked: u64 = reports.iter().map(|r| r.writes.1).sum();
    assert!(faults > 300, "{faults} faults");
    assert!(acked > 5_000, "{acked} writes acknowledged");
}

/// EC 2+1 seeds (5 OSDs, 8 PGs, 120 s) that each found a bug, kept so it
/// stays fixed.
#[test]
fn erasure_coded_seeds_that_found_bugs_stay_fixed() {
    let found = [
        // an EC primary queried another shard on its own OSD over the wire:
        // that session's sequence restarted on a rebind while the sender's
        // did not (Ceph uses the loopback connection).
        1, 3, 4, 6, 7,
        // the EC sub-write skipped a shard held by the primary's own OSD
        // (a pg_temp from strays gave one OSD two positions): acknowledged
        // writes that shard never had were rolled back, and lost.
        17, 23, 24,
    ];
    let reports: Vec<SimReport> = found
        .iter()
        .map(|&seed| {
            let mut c = SimConfig::new(seed, 5, 8);
            c.ec = Some((2, 1));
            c.size = 3;
            c.min_size = 2;
            Sim::new(c).unwrap().run()
        })
        .collect();
    assert_eq!(failures(&reports), Vec::<String>::new());
}

#[test]
fn safety_runs_never_break_an_invariant() {
    let reports: Vec<SimReport> = (1000..1060)
        .map(|seed| {
            let mut c = liveness(seed);
            c.mode = Mode::Safety;
            c.fault_rate = 0.5;
            c.duration = Timespan(120 * SEC);
            Sim::new(c).unwrap().run()
        })
        .collect();
    assert_eq!(failures(&reports), Vec::<String>::new());
}

#[test]
fn runs_on_the_redb_store_survive_crashes() {
    let (mut faults, mut acked) = (0, 0);
    for seed in 0..4u64 {
        let dir =
            std::env::temp_dir().join(format!("peering-sim-redb-{seed}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = RedbStore::open(&dir).unwrap();
        let mut c = SimConfig::new(100 + seed, 5, 8);
        c.duration = Timespan(60 * SEC);
        c.faults = vec![FaultKind::Crash];
        c.swarm = false;
        c.fault_rate = 0.3;
        if seed == 3 {
            // Short logs: trims go through the store's log deltas, and
            // restarted OSDs behind the tail are backfilled.
            c.pg_log_entries = Some(2);
            c.writes_per_sec = 10;
        }
        let r = Sim::with_store(c, store).unwrap().run();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(r.passed(), "{:?}", failures(std::slice::from_ref(&r)));
        faults += r.faults;
        acked += r.writes.1;
    }
    // The runs crashed OSDs and acknowledged writes (a seed that crashes
    // often may acknowledge none of its own).
    assert!(
        faults > 0 && acked > 0,
        "{faults} faults, {acked} writes acknowledged"
    );
}

/// A store that, after its `after`-th transaction of OSD `victim`, keeps
/// reporting that OSD's transactions durable without writing them.
#[derive(Debug)]
struct LosingStore {
    inner: MemStore,
    victim: OsdId,
    after: usize,
    seen: usize,
    lost: Vec<(OsdId, TxnId)>,
}

impl Store for LosingStore {
    fn queue_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        txn: TxnId,
        t: &Transaction,
    ) -> Result<(), StoreError> {
        if osd == self.victim && t.ops.iter().any(|op| matches!(op, TxOp::WriteLog { .. })) {
            self.seen += 1;
            if self.seen > self.after {
                self.lost.push((osd, txn));
                return Ok(());
            }
        }
        self.inner.queue_transaction(osd, pgid, txn, t)
    }
    fn apply_transaction(
        &mut self,
        osd: OsdId,
        pgid: SpgId,
        t: &Transaction,
    ) -> Result<(), StoreError> {
        self.inner.apply_transaction(osd, pgid, t)
    }
    fn drain_committed(&mut self) -> Vec<(OsdId, TxnId)> {
        let mut done = self.inner.drain_committed();
        done.append(&mut self.lost);
        done
    }
    fn list_pgs(&self, osd: OsdId) -> Result<Vec<SpgId>, StoreError> {
        self.inner.list_pgs(osd)
    }
    fn read_pg(&self, osd: OsdId, pgid: SpgId) -> Result<Option<PgMeta>, StoreError> {
        self.inner.read_pg(osd, pgid)
    }
    fn remove_pg(&mut self, osd: OsdId, pgid: SpgId) -> Result<(), StoreError> {
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
        self.inner.write_object(osd, pgid, oid, version, delete)
    }
}

#[test]
fn a_store_that_loses_durable_transactions_is_caught_as_a_lost_write() {
    let caught = (0..10u64).find(|&seed| {
        let store = LosingStore {
            inner: MemStore::new(),
            victim: OsdId(0),
            after: 40,
            seen: 0,
            lost: Vec::new(),
        };
        let mut c = SimConfig::new(seed, 5, 8);
        c.duration = Timespan(60 * SEC);
        c.fault_rate = 0.0;
        let r = Sim::with_store(c, store).unwrap().run();
        r.violations
            .first()
            .is_some_and(|v| v.rule == SimRule::LostWrite)
    });
    assert!(
        caught.is_some(),
        "no seed of ten caught the lost transactions"
    );
}

/// A network whose frames overtake each other within one connection.
#[derive(Debug)]
struct Reordering;

impl Wire for Reordering {
    fn frame_arrival(&mut self, _: OsdId, _: OsdId, earliest: i64, _previous: i64) -> i64 {
        earliest
    }
}

#[test]
fn a_network_that_reorders_within_a_connection_is_caught() {
    let caught = (0..10u64).find(|&seed| {
        let mut c = SimConfig::new(seed, 5, 8);
        c.duration = Timespan(30 * SEC);
        c.fault_rate = 0.0;
        let r = Sim::new(c).unwrap().with_wire(Reordering).run();
        r.violations
            .first()
            .is_some_and(|v| v.rule == SimRule::TransportOrder)
    });
    assert!(caught.is_some(), "no seed of ten caught the reordering");
    // The faithful world, same seeds: nothing to catch.
    let mut c = SimConfig::new(caught.unwrap_or(0), 5, 8);
    c.duration = Timespan(30 * SEC);
    c.fault_rate = 0.0;
    let r = Sim::new(c).unwrap().with_wire(Faithful).run();
    assert!(r.passed(), "{:?}", failures(std::slice::from_ref(&r)));
}

/// A monitor whose maps tell each OSD it was granted `up_thru` at every
/// epoch, though the monitor never granted it.
#[derive(Debug)]
struct ForgedUpThru;

impl Wire for ForgedUpThru {
    fn maps_to_osd(&mut self, to: OsdId, maps: &mut Vec<Incremental>) {
        for inc in maps {
            inc.new_up_thru.insert(to, inc.epoch);
        }
    }
}

#[test]
fn a_monitor_publishing_an_up_thru_it_never_granted_is_caught() {
    let caught = (0..10u64).find(|&seed| {
        let mut c = SimConfig::new(seed, 5, 8);
        c.duration = Timespan(60 * SEC);
        c.faults = vec![FaultKind::Crash, FaultKind::OutIn];
        c.swarm = false;
        let r = Sim::new(c).unwrap().with_wire(ForgedUpThru).run();
        // The report carries what the PG's instances said of themselves.
        r.violations.first().is_some_and(|v| {
            v.rule == SimRule::Safety(Rule::ActiveBeforeUpThru)
                && v.queries
                    .iter()
                    .any(|(o, q)| *o == v.osd && q.contains("Active"))
        })
    });
    assert!(caught.is_some(), "no seed of ten caught the forged up_thru");
}
