//! The cost of persisting one client write's log entry (issue 12): the
//! transaction a primary's `submit_write` hands the store (the info and the
//! log with one more entry; a steady-state log of 200 entries, so each write
//! also trims the oldest), applied by `MemStore` and by `RedbStore` (one redb
//! write transaction with `Durability::Immediate`: an fsync per write).
//!
//! Criterion reports the time per write. Before it, the bench prints the
//! bytes each write costs on `RedbStore`: the keys and values put (what the
//! delta writes) and what the process passed to `write(2)` (redb's pages,
//! from `/proc/self/io`).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use peering::core::ctx::{Transaction, TxOp};
use peering::core::log::{LogEntry, LogOp, Missing, PgLogT, ReqId};
use peering::core::types::{EVersion, ObjectId, OsdId, PgId, PgInfo, SpgId};
use peering::osd::store::{MemStore, RedbStore, Store};

const LOG_LEN: u64 = 200;
const OSD: OsdId = OsdId(0);

fn pg() -> SpgId {
    SpgId::replicated(PgId::new(1, 0))
}

/// A client write's log: the `LOG_LEN` entries up to version `head`.
struct Writer {
    log: PgLogT,
    missing: Missing,
    next: u64,
}

impl Writer {
    fn new() -> Writer {
        let mut w = Writer {
            log: PgLogT::new(EVersion::ZERO, EVersion::ZERO),
            missing: Missing::new(true),
            next: 1,
        };
        for _ in 0..LOG_LEN {
            w.append();
        }
        w
    }

    /// Appends the next write (trimming the oldest past `LOG_LEN`).
    fn append(&mut self) {
        let v = self.next;
        self.next += 1;
        let name = format!("rbd_data.{:x}", v % 1024);
        let mut e = LogEntry::new(
            LogOp::Modify,
            ObjectId::new(1, (v as u32).wrapping_mul(0x9e37_79b9) & !0xff, name),
            EVersion::new(7, v),
            EVersion::ZERO,
        );
        e.reqid = ReqId::client(4100, v);
        e.user_version = v;
        self.log.head = e.version;
        self.log.can_rollback_to = e.version;
        self.log.entries.push(e);
        if self.log.entries.len() as u64 > LOG_LEN {
            let gone = self.log.entries.remove(0);
            self.log.tail = gone.version;
        }
    }

    /// `write_if_dirty` after one write: the info and the log.
    fn transaction(&self) -> Transaction {
        let mut info = PgInfo::new(pg());
        info.last_update = self.log.head;
        info.last_complete = self.log.head;
        info.log_tail = self.log.tail;
        Transaction {
            ops: vec![
                TxOp::WriteInfo {
                    info,
                    epoch: 7,
                    past_intervals: None,
                },
                TxOp::WriteLog {
                    log: self.log.clone(),
                    missing: self.missing.clone(),
                },
            ],
        }
    }

    /// The next write's transaction.
    fn next_transaction(&mut self) -> Transaction {
        self.append();
        self.transaction()
    }
}

/// `wchar` of `/proc/self/io`: bytes this process passed to `write(2)`.
fn wchar() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("wchar: "))
        .and_then(|v| v.trim().parse().ok())
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("peering-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Prints the bytes per write on `RedbStore` over `n` writes.
fn report_bytes(n: u64) {
    let dir = temp_dir("bytes");
    let mut store = RedbStore::open(&dir).expect("open");
    let mut w = Writer::new();
    store
        .apply_transaction(OSD, pg(), &w.transaction())
        .expect("seed");
    let before = store.stats();
    let io_before = wchar();
    let start = std::time::Instant::now();
    for _ in 0..n {
        store
            .apply_transaction(OSD, pg(), &w.next_transaction())
            .expect("write");
    }
    let elapsed = start.elapsed();
    let after = store.stats();
    let io = io_before.zip(wchar()).map(|(a, b)| (b - a) / n);
    println!(
        "store/client_write RedbStore over {n} writes: {:.1} us/write, {} keys put + {} removed, \
         {} bytes of keys and values put, {} bytes written to the file per write",
        elapsed.as_secs_f64() * 1e6 / n as f64,
        (after.keys_put - before.keys_put) / n,
        (after.keys_removed - before.keys_removed) / n,
        (after.bytes_put - before.bytes_put) / n,
        io.map_or("?".to_string(), |b| b.to_string()),
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

fn client_write(c: &mut Criterion) {
    report_bytes(500);
    let mut g = c.benchmark_group("store/client_write");
    {
        let mut store = MemStore::new();
        let mut w = Writer::new();
        store.apply(OSD, pg(), &w.transaction());
        g.bench_function("MemStore", |b| {
            b.iter_batched(
                || w.next_transaction(),
                // The transaction is returned, so dropping it is not timed.
                |t| {
                    store.apply(OSD, pg(), &t);
                    t
                },
                BatchSize::SmallInput,
            )
        });
    }
    {
        let dir = temp_dir("time");
        let mut store = RedbStore::open(&dir).expect("open");
        let mut w = Writer::new();
        store
            .apply_transaction(OSD, pg(), &w.transaction())
            .expect("seed");
        g.bench_function("RedbStore", |b| {
            b.iter_batched(
                || w.next_transaction(),
                |t| {
                    store.apply_transaction(OSD, pg(), &t).expect("write");
                    t
                },
                BatchSize::SmallInput,
            )
        });
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
    g.finish();
}

criterion_group!(benches, client_write);
criterion_main!(benches);
