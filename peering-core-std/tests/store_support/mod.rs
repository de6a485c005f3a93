//! Shared by the store's integration tests: deterministic transactions and a
//! temporary directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use peering_core::ctx::{Transaction, TxOp};
use peering_core::intervals::{PastIntervals, PgInterval};
use peering_core::log::{LogDup, LogEffect, LogEntry, LogOp, Missing, PgLogT, ReqId};
use peering_core::types::OsdId;
use peering_core::types::{EVersion, ObjectId, PgId, PgInfo, SpgId};
use peering_core_std::store::{MemStore, Store};

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("peering-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn obj(pg: SpgId, name: &str) -> ObjectId {
    let hash = pg.pgid.seed + 64 * u32::from(name.bytes().fold(0u8, |a, b| a.wrapping_add(b)));
    ObjectId::new(pg.pgid.pool, hash, name)
}

pub fn entry(pg: SpgId, op: LogOp, name: &str, v: EVersion, prior: EVersion) -> LogEntry {
    let mut e = LogEntry::new(op, obj(pg, name), v, prior);
    e.reqid = ReqId::client(4100, v.version);
    e.user_version = v.version;
    e
}

pub fn info(pg: SpgId, log: &PgLogT, les: u32) -> PgInfo {
    let mut i = PgInfo::new(pg);
    i.last_update = log.head;
    i.last_complete = log.head;
    i.log_tail = log.tail;
    i.last_epoch_started = les;
    i.history.last_epoch_started = les;
    i.history.same_interval_since = les;
    i
}

pub fn past_intervals() -> PastIntervals {
    let mut pi = PastIntervals::new();
    pi.add_interval(
        false,
        &PgInterval::new(&[0, 1, 2], &[0, 1, 2], 3, 4, true, 0, 0),
    )
    .unwrap();
    pi
}

/// A deterministic history of `len` transactions over two PGs: appends of
/// client writes (modifies and deletes), trims into dups, divergent rewinds
/// with their removals, missing items added and recovered, stashes.
pub fn history(seed: u64, len: usize) -> Vec<(SpgId, Transaction)> {
    let pgs = [
        SpgId::replicated(PgId::new(1, 0)),
        SpgId::replicated(PgId::new(1, 1)),
    ];
    let mut state: Vec<(PgLogT, Missing, u32, u64)> = pgs
        .iter()
        .map(|_| {
            (
                PgLogT::new(EVersion::ZERO, EVersion::ZERO),
                Missing::new(true),
                5,
                0,
            )
        })
        .collect();
    let mut rng = seed;
    let mut next = move |n: u64| {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (rng >> 33) % n.max(1)
    };
    let mut out = Vec::new();
    for _ in 0..len {
        let which = next(2) as usize;
        let pg = pgs[which];
        let (log, missing, epoch, version) = &mut state[which];
        let mut effects = Vec::new();
        match next(8) {
            0..=3 => {
                *version += 1;
                let name = format!("o{}", next(10));
                let prior = log
                    .entries
                    .iter()
                    .rev()
                    .find(|e| e.soid.name == name)
                    .map_or(EVersion::ZERO, |e| e.version);
                let op = if next(6) == 0 && !prior.is_zero() {
                    LogOp::Delete
                } else {
                    LogOp::Modify
                };
                let e = entry(pg, op, &name, EVersion::new(*epoch, *version), prior);
                log.head = e.version;
                log.entries.push(e);
            }
            4 => {
                let n = next(log.entries.len() as u64 + 1) as usize;
                let gone: Vec<LogEntry> = log.entries.drain(..n).collect();
                if let Some(last) = gone.last() {
                    log.tail = last.version;
                }
                log.dups.extend(gone.iter().map(LogDup::from_entry));
                let keep = log.dups.len().saturating_sub(8);
                log.dups.drain(..keep);
                effects.extend(gone.into_iter().map(LogEffect::Trim));
            }
            5 => {
                for _ in 0..next(3) {
                    if let Some(e) = log.entries.pop() {
                        effects.push(LogEffect::Remove(e.soid.clone()));
                    }
                }
                log.head = log.entries.last().map_or(log.tail, |e| e.version);
                *epoch += 1;
            }
            6 => {
                let o = obj(pg, &format!("o{}", next(10)));
                missing.add(&o, EVersion::new(*epoch, *version), EVersion::ZERO, false);
            }
            _ => {
                let o = obj(pg, &format!("o{}", next(10)));
                missing.rm_item(&o);
                effects.push(LogEffect::TryStash {
                    soid: o,
                    version: *version,
                });
            }
        }
        log.can_rollback_to = log.head;
        let mut t = Transaction {
            ops: vec![
                TxOp::WriteInfo {
                    info: info(pg, log, *epoch),
                    epoch: *epoch,
                    past_intervals: (next(4) == 0).then(past_intervals),
                },
                TxOp::WriteLog {
                    log: log.clone(),
                    missing: missing.clone(),
                },
            ],
        };
        if !effects.is_empty() {
            t.push(TxOp::LogEffects(effects));
        }
        out.push((pg, t));
    }
    out
}

/// Everything readable of `osd` in `store`: each PG's meta and objects.
pub fn snapshot(store: &impl Store, osd: OsdId) -> String {
    let mut s = String::new();
    for pg in store.list_pgs(osd).unwrap() {
        let meta = store.read_pg(osd, pg).unwrap();
        let objects = store.list_objects(osd, pg, None, usize::MAX).unwrap();
        s.push_str(&format!("{pg}: {meta:?}\n{objects:?}\n"));
    }
    s
}

/// The model: `txns` applied to a memory store.
pub fn model(osd: OsdId, txns: &[(SpgId, Transaction)]) -> MemStore {
    let mut m = MemStore::new();
    for (pg, t) in txns {
        m.apply(osd, *pg, t);
    }
    m
}
