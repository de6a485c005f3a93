//! One store test suite, run against every [`Store`]: `MemStore` always,
//! `RedbStore` with the `redb` feature (each case also reopens the database,
//! so what it checks is what is on disk).

use std::collections::BTreeMap;

use peering_core::ctx::{Transaction, TxOp};
use peering_core::intervals::{PastIntervals, PgInterval};
use peering_core::log::{
    LogDup, LogEffect, LogEntry, LogOp, Missing, ModDesc, PgLogT, ReqId, RollbackStep,
};
use peering_core::types::{EVersion, ObjectId, OsdId, PgId, PgInfo, ShardId, SpgId};

use super::{MemStore, PgMeta, Store, TxnId};

/// A store under test, with a way to "restart the process" on it.
pub(super) trait Fixture {
    /// The store.
    type S: Store;
    /// The store as it is.
    fn store(&mut self) -> &mut Self::S;
    /// Closes the store and opens it again from what it persisted.
    fn reopen(&mut self);
}

impl Fixture for MemStore {
    type S = MemStore;
    fn store(&mut self) -> &mut MemStore {
        self
    }
    fn reopen(&mut self) {}
}

const OSD: OsdId = OsdId(3);

fn pg() -> SpgId {
    SpgId::replicated(PgId::new(2, 5))
}

fn obj(name: &str) -> ObjectId {
    ObjectId::new(2, 5 + 32 * u32::from(name.as_bytes()[0]), name)
}

fn entry(op: LogOp, name: &str, e: u32, v: u64, prior: EVersion) -> LogEntry {
    let mut le = LogEntry::new(op, obj(name), EVersion::new(e, v), prior);
    le.reqid = ReqId::client(4100, v);
    le.user_version = v;
    le
}

fn info(last_update: EVersion, tail: EVersion) -> PgInfo {
    let mut i = PgInfo::new(pg());
    i.last_update = last_update;
    i.last_complete = last_update;
    i.log_tail = tail;
    i.last_epoch_started = 7;
    i
}

fn past_intervals() -> PastIntervals {
    let mut pi = PastIntervals::new();
    pi.add_interval(
        false,
        &PgInterval::new(&[0, 1, 2], &[0, 1, 2], 5, 9, true, 0, 0),
    )
    .unwrap();
    pi
}

fn write(log: &PgLogT, missing: &Missing, epoch: u32) -> Transaction {
    Transaction {
        ops: vec![
            TxOp::WriteInfo {
                info: info(log.head, log.tail),
                epoch,
                past_intervals: Some(past_intervals()),
            },
            TxOp::WriteLog {
                log: log.clone(),
                missing: missing.clone(),
            },
        ],
    }
}

fn apply<F: Fixture>(f: &mut F, t: &Transaction) {
    f.store().apply_transaction(OSD, pg(), t).unwrap();
}

fn read<F: Fixture>(f: &mut F) -> PgMeta {
    f.store().read_pg(OSD, pg()).unwrap().unwrap()
}

fn objects<F: Fixture>(f: &mut F) -> Vec<(String, EVersion)> {
    f.store()
        .list_objects(OSD, pg(), None, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(o, v)| (o.name, v))
        .collect()
}

fn named(v: &[(&str, EVersion)]) -> Vec<(String, EVersion)> {
    let mut out: Vec<(String, EVersion)> = v.iter().map(|(n, e)| (n.to_string(), *e)).collect();
    out.sort_by_key(|(n, _)| obj(n));
    out
}

/// Writes, appends, trims and rewinds read back exactly, across a restart.
pub(super) fn log_deltas_read_back<F: Fixture>(f: &mut F) {
    assert!(f.store().list_pgs(OSD).unwrap().is_empty());
    assert!(f.store().read_pg(OSD, pg()).unwrap().is_none());
    let mut log = PgLogT::new(EVersion::ZERO, EVersion::ZERO);
    let mut missing = Missing::new(true);
    for v in 1..=4 {
        log.entries
            .push(entry(LogOp::Modify, &format!("o{v}"), 5, v, EVersion::ZERO));
        log.head = EVersion::new(5, v);
    }
    apply(f, &write(&log, &missing, 9));
    let m = read(f);
    assert_eq!(
        (m.log.clone(), m.missing.clone()),
        (log.clone(), missing.clone())
    );
    assert_eq!(m.epoch, 9);
    assert_eq!(m.past_intervals, past_intervals());
    assert_eq!(m.info, info(log.head, log.tail));
    assert_eq!(f.store().list_pgs(OSD).unwrap(), vec![pg()]);

    // Trim two entries into dups (one extra request shares a version), add
    // a missing item, append one.
    let trimmed: Vec<LogEntry> = log.entries.drain(..2).collect();
    log.tail = trimmed[1].version;
    log.dups = trimmed.iter().map(LogDup::from_entry).collect();
    log.dups.push(LogDup {
        reqid: ReqId::client(4200, 9),
        version: trimmed[1].version,
        user_version: 2,
        return_code: 0,
    });
    log.entries
        .push(entry(LogOp::Modify, "o1", 6, 5, EVersion::new(5, 1)));
    log.head = EVersion::new(6, 5);
    missing.add(&obj("o9"), EVersion::new(5, 3), EVersion::ZERO, false);
    apply(f, &write(&log, &missing, 10));
    f.reopen();
    let m = read(f);
    assert_eq!(
        (m.log.clone(), m.missing.clone()),
        (log.clone(), missing.clone())
    );

    // Rewind the divergent head, roll the bounds, drop the missing item.
    log.entries.pop();
    log.head = EVersion::new(5, 4);
    log.can_rollback_to = EVersion::new(5, 3);
    log.rollback_info_trimmed_to = EVersion::new(5, 2);
    missing.rm_item(&obj("o9"));
    missing.may_include_deletes = false;
    apply(f, &write(&log, &missing, 11));
    assert_eq!(read(f).log, log);
    f.reopen();
    let m = read(f);
    assert_eq!((m.log, m.missing), (log, missing));
    assert_eq!(m.epoch, 11);
}

/// The collection follows the log: new entries write their objects (not the
/// ones still missing), deletes remove them, and every effect applies, the
/// removal after a rewind included.
pub(super) fn objects_follow_log_and_effects<F: Fixture>(f: &mut F) {
    let mut log = PgLogT::new(EVersion::ZERO, EVersion::ZERO);
    let mut missing = Missing::new(true);
    let push = |log: &mut PgLogT, e: LogEntry| {
        log.head = e.version;
        log.entries.push(e);
    };
    push(&mut log, entry(LogOp::Modify, "a", 5, 1, EVersion::ZERO));
    push(&mut log, entry(LogOp::Modify, "b", 5, 2, EVersion::ZERO));
    push(&mut log, entry(LogOp::Modify, "c", 5, 3, EVersion::ZERO));
    push(
        &mut log,
        entry(LogOp::Delete, "a", 5, 4, EVersion::new(5, 1)),
    );
    // `d` came from the authoritative log: it is missing, not here.
    push(&mut log, entry(LogOp::Modify, "d", 5, 5, EVersion::ZERO));
    missing.add(&obj("d"), EVersion::new(5, 5), EVersion::ZERO, false);
    apply(f, &write(&log, &missing, 9));
    let want = named(&[("b", EVersion::new(5, 2)), ("c", EVersion::new(5, 3))]);
    assert_eq!(objects(f), want);

    // A divergent write to `e` is rewound: the log drops it and the
    // rewind's `remove` deletes the object it created.
    push(&mut log, entry(LogOp::Modify, "e", 5, 6, EVersion::ZERO));
    apply(f, &write(&log, &missing, 9));
    assert!(objects(f).iter().any(|(n, _)| n == "e"));
    let divergent = log.entries.pop().unwrap();
    log.head = EVersion::new(5, 5);
    let mut t = write(&log, &missing, 10);
    t.push(TxOp::LogEffects(vec![LogEffect::Remove(divergent.soid)]));
    apply(f, &t);
    assert_eq!(objects(f), want);

    // Recovery pushes `d`; `c` is stashed then restored by a rollback whose
    // step is `DELETE`; `b` is rolled back to before its creation.
    f.store()
        .write_object(OSD, pg(), &obj("d"), EVersion::new(5, 5), false)
        .unwrap();
    let mut del_c = entry(LogOp::Delete, "c", 6, 7, EVersion::new(5, 3));
    let mut md = ModDesc::default();
    md.push(RollbackStep::Delete { old_version: 7 });
    del_c.mod_desc = md;
    let mut create_b = entry(LogOp::Modify, "b", 5, 2, EVersion::ZERO);
    let mut md = ModDesc::default();
    md.push(RollbackStep::Create);
    create_b.mod_desc = md;
    let stash = Transaction {
        ops: vec![TxOp::LogEffects(vec![LogEffect::TryStash {
            soid: obj("c"),
            version: 7,
        }])],
    };
    apply(f, &stash);
    assert!(!objects(f).iter().any(|(n, _)| n == "c"));
    f.reopen();
    let rollback = Transaction {
        ops: vec![TxOp::LogEffects(vec![
            LogEffect::Rollback(del_c),
            LogEffect::Rollback(create_b),
        ])],
    };
    apply(f, &rollback);
    let want = named(&[("c", EVersion::new(5, 3)), ("d", EVersion::new(5, 5))]);
    assert_eq!(objects(f), want);
    assert_eq!(
        f.store().object_version(OSD, pg(), &obj("c")).unwrap(),
        Some(EVersion::new(5, 3))
    );
    assert_eq!(
        f.store().object_version(OSD, pg(), &obj("b")).unwrap(),
        None
    );

    // Deletion: objects one by one, then the PG.
    apply(
        f,
        &Transaction {
            ops: vec![TxOp::RemoveObject(obj("c"))],
        },
    );
    assert_eq!(objects(f), named(&[("d", EVersion::new(5, 5))]));
    apply(
        f,
        &Transaction {
            ops: vec![TxOp::RemovePg { pgid: pg() }],
        },
    );
    f.reopen();
    assert!(f.store().list_pgs(OSD).unwrap().is_empty());
    assert!(f.store().read_pg(OSD, pg()).unwrap().is_none());
    assert!(objects(f).is_empty());
}

/// Listing pages in `hobject_t` order after a cursor; other OSDs and PGs are
/// separate; writes to a PG the store does not hold are ignored.
pub(super) fn listing_pages_and_separates_osds<F: Fixture>(f: &mut F) {
    let mut log = PgLogT::new(EVersion::ZERO, EVersion::ZERO);
    for (v, name) in ["k", "b", "x", "a", "q"].iter().enumerate() {
        let v = v as u64 + 1;
        log.entries
            .push(entry(LogOp::Modify, name, 5, v, EVersion::ZERO));
        log.head = EVersion::new(5, v);
    }
    apply(f, &write(&log, &Missing::new(true), 9));
    let all = f.store().list_objects(OSD, pg(), None, 100).unwrap();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(all.len(), 5);
    let mut paged = Vec::new();
    let mut after: Option<ObjectId> = None;
    loop {
        let page = f
            .store()
            .list_objects(OSD, pg(), after.as_ref(), 2)
            .unwrap();
        assert!(page.len() <= 2);
        let Some((last, _)) = page.last().cloned() else {
            break;
        };
        paged.extend(page);
        after = Some(last);
    }
    assert_eq!(paged, all);
    let other = SpgId::new(PgId::new(2, 5), ShardId(1));
    assert!(f.store().read_pg(OsdId(4), pg()).unwrap().is_none());
    assert!(
        f.store()
            .list_objects(OSD, other, None, 10)
            .unwrap()
            .is_empty()
    );
    f.store()
        .write_object(OSD, other, &obj("z"), EVersion::new(1, 1), false)
        .unwrap();
    f.store()
        .write_object(OsdId(4), pg(), &obj("z"), EVersion::new(1, 1), false)
        .unwrap();
    f.reopen();
    assert!(f.store().list_pgs(OsdId(4)).unwrap().is_empty());
    assert_eq!(f.store().list_pgs(OSD).unwrap(), vec![pg()]);
    f.store().remove_pg(OSD, pg()).unwrap();
    assert!(f.store().list_pgs(OSD).unwrap().is_empty());
}

/// `queue_transaction` reports each id once it applied, in order, once.
pub(super) fn commits_are_reported_after_apply_in_order<F: Fixture>(f: &mut F) {
    let mut log = PgLogT::new(EVersion::ZERO, EVersion::ZERO);
    log.entries
        .push(entry(LogOp::Modify, "a", 5, 1, EVersion::ZERO));
    log.head = EVersion::new(5, 1);
    let t = write(&log, &Missing::new(true), 9);
    assert!(f.store().drain_committed().is_empty());
    f.store()
        .queue_transaction(OSD, pg(), TxnId(7), &t)
        .unwrap();
    f.store()
        .queue_transaction(OsdId(4), pg(), TxnId(8), &t)
        .unwrap();
    assert_eq!(
        f.store().drain_committed(),
        vec![(OSD, TxnId(7)), (OsdId(4), TxnId(8))]
    );
    assert!(f.store().drain_committed().is_empty());
    // What was reported is durable.
    f.reopen();
    assert_eq!(read(f).log, log);
    assert_eq!(f.store().list_pgs(OsdId(4)).unwrap(), vec![pg()]);
}

/// A long random history applied to the store reads back as the memory model
/// after every transaction (and after restarts).
pub(super) fn random_histories_match_the_model<F: Fixture>(f: &mut F, seed: u64, steps: usize) {
    let mut model = MemStore::new();
    let mut rng = seed;
    let mut next = move |n: u64| {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (rng >> 33) % n.max(1)
    };
    let mut log = PgLogT::new(EVersion::ZERO, EVersion::ZERO);
    let mut missing = Missing::new(true);
    let mut epoch = 5;
    let mut version = 0;
    let mut heads: BTreeMap<String, EVersion> = BTreeMap::new();
    for step in 0..steps {
        let mut t = Transaction::default();
        match next(6) {
            0..=2 => {
                for _ in 0..=next(3) {
                    version += 1;
                    let name = format!("o{}", next(12));
                    let prior = heads.get(&name).copied().unwrap_or_default();
                    let op = if next(5) == 0 && !prior.is_zero() {
                        LogOp::Delete
                    } else {
                        LogOp::Modify
                    };
                    let e = entry(op, &name, epoch, version, prior);
                    heads.insert(name, e.version);
                    log.head = e.version;
                    log.entries.push(e);
                }
            }
            3 => {
                let n = next(log.entries.len() as u64 + 1) as usize;
                let gone: Vec<LogEntry> = log.entries.drain(..n).collect();
                if let Some(last) = gone.last() {
                    log.tail = last.version;
                }
                log.dups.extend(gone.iter().map(LogDup::from_entry));
                let keep = log.dups.len().saturating_sub(6);
                log.dups.drain(..keep);
                t.push(TxOp::LogEffects(
                    gone.into_iter().map(LogEffect::Trim).collect(),
                ));
            }
            4 => {
                let n = next(3) as usize;
                let mut effects = Vec::new();
                for _ in 0..n {
                    if let Some(e) = log.entries.pop() {
                        effects.push(LogEffect::Remove(e.soid.clone()));
                        heads.remove(&e.soid.name);
                    }
                }
                log.head = log.entries.last().map_or(log.tail, |e| e.version);
                epoch += 1;
                t.push(TxOp::LogEffects(effects));
            }
            _ => {
                let name = obj(&format!("o{}", next(12)));
                if next(2) == 0 {
                    missing.add(&name, EVersion::new(epoch, version), EVersion::ZERO, false);
                } else {
                    missing.rm_item(&name);
                }
            }
        }
        log.can_rollback_to = log.head;
        let mut w = write(&log, &missing, epoch);
        w.ops.append(&mut t.ops);
        model.apply(OSD, pg(), &w);
        apply(f, &w);
        if next(7) == 0 {
            f.reopen();
        }
        let want = model.read_pg(OSD, pg()).unwrap();
        assert_eq!(f.store().read_pg(OSD, pg()).unwrap(), want, "step {step}");
        assert_eq!(
            f.store().list_objects(OSD, pg(), None, usize::MAX).unwrap(),
            model.list_objects(OSD, pg(), None, usize::MAX).unwrap(),
            "step {step}"
        );
    }
}

/// A split's `split_collection` in the parent's transaction: the objects and
/// stashes that hash to the child move to its collection (created if need
/// be), the rest stay, and a reopened store says the same.
pub(super) fn split_moves_the_childs_objects_and_stashes<F: Fixture>(f: &mut F) {
    let mut log = PgLogT::new(EVersion::ZERO, EVersion::ZERO);
    for (v, name) in ["a", "b", "c", "d"].iter().enumerate() {
        let v = v as u64 + 1;
        log.entries
            .push(entry(LogOp::Modify, name, 5, v, EVersion::ZERO));
        log.head = EVersion::new(5, v);
    }
    apply(f, &write(&log, &Missing::new(true), 9));
    // `c` stashed at 7 (a delete that may be rolled back).
    apply(
        f,
        &Transaction {
            ops: vec![TxOp::LogEffects(vec![LogEffect::TryStash {
                soid: obj("c"),
                version: 7,
            }])],
        },
    );
    // Which objects the child takes at 2 more split bits: its seed is one
    // that `a` (and maybe others) match and the parent's does not.
    let bits = 8;
    let seed_of = |name: &str| obj(name).hash & ((1 << bits) - 1);
    let child = SpgId::replicated(PgId::new(2, seed_of("a")));
    assert_ne!(child.pgid.seed, pg().pgid.seed);
    let goes = |name: &str| seed_of(name) == child.pgid.seed;
    assert!(goes("a") && !goes("b") && !goes("d"));
    apply(
        f,
        &Transaction {
            ops: vec![TxOp::SplitCollection {
                child,
                split_bits: bits,
            }],
        },
    );
    f.reopen();
    let listed = |f: &mut F, pgid| -> Vec<String> {
        let mut names: Vec<String> = f
            .store()
            .list_objects(OSD, pgid, None, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|(o, _)| o.name)
            .collect();
        names.sort();
        names
    };
    let stays: Vec<String> = ["b", "d"].iter().map(|n| n.to_string()).collect();
    assert_eq!(listed(f, pg()), stays);
    assert_eq!(listed(f, child), ["a"]);
    assert_eq!(
        f.store().object_version(OSD, child, &obj("a")).unwrap(),
        Some(EVersion::new(5, 1))
    );
    assert!(f.store().list_pgs(OSD).unwrap().contains(&child));
    // The stash of `c` went wherever `c` belongs: a rollback in that
    // collection restores it.
    let owner = if goes("c") { child } else { pg() };
    let mut del_c = entry(LogOp::Delete, "c", 6, 7, EVersion::new(5, 3));
    let mut md = ModDesc::default();
    md.push(RollbackStep::Delete { old_version: 7 });
    del_c.mod_desc = md;
    f.store()
        .apply_transaction(
            OSD,
            owner,
            &Transaction {
                ops: vec![TxOp::LogEffects(vec![LogEffect::Rollback(del_c)])],
            },
        )
        .unwrap();
    assert_eq!(
        f.store().object_version(OSD, owner, &obj("c")).unwrap(),
        Some(EVersion::new(5, 3))
    );
}

/// A merge's `merge_collection` in the target's transaction: the source's
/// objects and stashes join the target's collection, and the source is gone
/// (its collection, info and log), also after a reopen.
pub(super) fn merge_takes_the_sources_objects_and_removes_it<F: Fixture>(f: &mut F) {
    let source = SpgId::replicated(PgId::new(2, 5 + 8));
    let log_of = |names: &[&str]| {
        let mut log = PgLogT::new(EVersion::ZERO, EVersion::ZERO);
        for (v, name) in names.iter().enumerate() {
            let v = v as u64 + 1;
            log.entries
                .push(entry(LogOp::Modify, name, 5, v, EVersion::ZERO));
            log.head = EVersion::new(5, v);
        }
        log
    };
    apply(f, &write(&log_of(&["a", "b"]), &Missing::new(true), 9));
    let src_t = write(&log_of(&["c", "d"]), &Missing::new(true), 9);
    f.store().apply_transaction(OSD, source, &src_t).unwrap();
    // `d` stashed at 7 in the source.
    let stash = Transaction {
        ops: vec![TxOp::LogEffects(vec![LogEffect::TryStash {
            soid: obj("d"),
            version: 7,
        }])],
    };
    f.store().apply_transaction(OSD, source, &stash).unwrap();
    assert!(f.store().list_pgs(OSD).unwrap().contains(&source));
    apply(
        f,
        &Transaction {
            ops: vec![TxOp::MergeCollection { source }],
        },
    );
    f.reopen();
    let mut names: Vec<String> = objects(f).into_iter().map(|(n, _)| n).collect();
    names.sort();
    // `d` is stashed (a delete that may be rolled back), not an object.
    assert_eq!(names, ["a", "b", "c"]);
    assert!(!f.store().list_pgs(OSD).unwrap().contains(&source));
    assert!(f.store().read_pg(OSD, source).unwrap().is_none());
    assert!(
        f.store()
            .list_objects(OSD, source, None, usize::MAX)
            .unwrap_or_default()
            .is_empty()
    );
    // The stash of `d` came along: a rollback in the target restores it.
    let mut del_d = entry(LogOp::Delete, "d", 6, 7, EVersion::new(5, 2));
    let mut md = ModDesc::default();
    md.push(RollbackStep::Delete { old_version: 7 });
    del_d.mod_desc = md;
    apply(
        f,
        &Transaction {
            ops: vec![TxOp::LogEffects(vec![LogEffect::Rollback(del_d)])],
        },
    );
    assert_eq!(
        f.store().object_version(OSD, pg(), &obj("d")).unwrap(),
        Some(EVersion::new(5, 2))
    );
}

/// Runs every case on stores made by `make`.
pub(super) fn run_all<F: Fixture>(mut make: impl FnMut() -> F) {
    log_deltas_read_back(&mut make());
    objects_follow_log_and_effects(&mut make());
    listing_pages_and_separates_osds(&mut make());
    split_moves_the_childs_objects_and_stashes(&mut make());
    merge_takes_the_sources_objects_and_removes_it(&mut make());
    commits_are_reported_after_apply_in_order(&mut make());
    for seed in 1..=3 {
        random_histories_match_the_model(&mut make(), seed, 120);
    }
}

#[test]
fn store_suite_mem_store() {
    run_all(MemStore::new);
}

#[cfg(feature = "redb")]
pub(super) mod redb {
    use std::path::PathBuf;

    use super::super::RedbStore;
    use super::{Fixture, run_all};

    /// A `RedbStore` in a fresh directory, removed at the end.
    pub(in crate::store) struct RedbFixture {
        dir: PathBuf,
        store: Option<RedbStore>,
    }

    impl RedbFixture {
        pub(in crate::store) fn new(name: &str) -> Self {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "peering-store-{name}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            let store = RedbStore::open(&dir).unwrap();
            RedbFixture {
                dir,
                store: Some(store),
            }
        }
    }

    impl RedbFixture {
        /// The store's directory.
        pub(in crate::store) fn dir(&self) -> &std::path::Path {
            &self.dir
        }
    }

    impl Drop for RedbFixture {
        fn drop(&mut self) {
            self.store = None;
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    impl Fixture for RedbFixture {
        type S = RedbStore;
        fn store(&mut self) -> &mut RedbStore {
            self.store.as_mut().unwrap()
        }
        fn reopen(&mut self) {
            self.store = None;
            self.store = Some(RedbStore::open(&self.dir).unwrap());
        }
    }

    #[test]
    fn store_suite_redb_store() {
        run_all(|| RedbFixture::new("suite"));
    }
}
