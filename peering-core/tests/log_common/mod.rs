//! Helpers shared by the PG log tests: Ceph's `PGLogTestBase` builders and the
//! table-driven `TestCase` of TestPGLog.cc, re-derived.
#![allow(dead_code)]

use std::collections::BTreeSet;

use peering_core::log::{
    IndexedLog, LogEffect, LogEffects, LogEntry, LogOp, Missing, MissingItem, PgLog, PgLogT,
};
use peering_core::types::{EVersion, ObjectId, OsdId, PgId, PgInfo, PgShard, ShardId, SpgId};

/// `mk_obj(id)`: object `obj_<id>` with hash `id` in pool 1.
pub fn obj(id: u32) -> ObjectId {
    ObjectId::new(1, id, format!("obj_{id}"))
}

/// An object known only by its hash: a default `hobject_t` (pool `INT64_MIN`,
/// empty name, snap 0) with `set_hash`, as Ceph's tests build them.
pub fn hobj(hash: u32) -> ObjectId {
    ObjectId {
        hash,
        ..ObjectId::MIN
    }
}

/// `mk_evt(epoch, version)`.
pub fn ev(epoch: u32, version: u64) -> EVersion {
    EVersion::new(epoch, version)
}

fn entry(op: LogOp, o: &ObjectId, v: EVersion, pv: EVersion, rollbackable: bool) -> LogEntry {
    let mut e = LogEntry::new(op, o.clone(), v, pv);
    if !rollbackable {
        e.mark_unrollbackable();
    }
    e
}

/// `mk_ple_mod`: an unrollbackable MODIFY.
pub fn modify(o: &ObjectId, v: EVersion, pv: EVersion) -> LogEntry {
    entry(LogOp::Modify, o, v, pv, false)
}
/// `mk_ple_dt`: an unrollbackable DELETE.
pub fn delete(o: &ObjectId, v: EVersion, pv: EVersion) -> LogEntry {
    entry(LogOp::Delete, o, v, pv, false)
}
/// `mk_ple_ldt`: an unrollbackable LOST_DELETE.
pub fn lost_delete(o: &ObjectId, v: EVersion, pv: EVersion) -> LogEntry {
    entry(LogOp::LostDelete, o, v, pv, false)
}
/// `mk_ple_mod_rb`: a rollbackable MODIFY.
pub fn modify_rb(o: &ObjectId, v: EVersion, pv: EVersion) -> LogEntry {
    entry(LogOp::Modify, o, v, pv, true)
}
/// `mk_ple_dt_rb`: a rollbackable DELETE.
pub fn delete_rb(o: &ObjectId, v: EVersion, pv: EVersion) -> LogEntry {
    entry(LogOp::Delete, o, v, pv, true)
}
/// `mk_ple_err`: an ERROR entry.
pub fn error(o: &ObjectId, v: EVersion) -> LogEntry {
    entry(LogOp::Error, o, v, EVersion::ZERO, true)
}

/// A plain log `(tail, head]` holding `entries`, with Ceph's default (zero)
/// rollback boundaries, as the tests build them.
pub fn plain(tail: EVersion, head: EVersion, entries: Vec<LogEntry>) -> PgLogT {
    PgLogT {
        head,
        tail,
        entries,
        ..PgLogT::default()
    }
}

/// An indexed log (panics on an invalid one: tests build valid logs).
pub fn indexed(tail: EVersion, head: EVersion, entries: Vec<LogEntry>) -> IndexedLog {
    IndexedLog::from_log(plain(tail, head, entries)).expect("valid test log")
}

/// A missing set from `(object, need, have, delete)` items.
pub fn missing(
    items: &[(ObjectId, EVersion, EVersion, bool)],
    may_include_deletes: bool,
) -> Missing {
    let mut m = Missing::new(may_include_deletes);
    for (o, need, have, del) in items {
        m.add(o, *need, *have, *del);
    }
    m
}

/// `pg_info_t()` with `last_backfill = MAX`.
pub fn info() -> PgInfo {
    PgInfo::default()
}

/// `pg_info_t` of PG 1.0 at `head` (`last_update` and `last_complete`).
pub fn info_at(head: EVersion) -> PgInfo {
    PgInfo {
        last_update: head,
        last_complete: head,
        ..PgInfo::new(SpgId::replicated(PgId::new(1, 0)))
    }
}

/// The logs of B2 (DESIGN.md §7): `shared` entries at epoch 1 (objects
/// `common*`), then `d` writes of a divergent replica (epoch 2, objects `div*`)
/// and `d` others of the authoritative log (epoch 3, objects `auth*`), each on
/// its own object, created by it; the `i`-th object of a run has hash `hash(i)`.
/// Returns (divergent, authoritative).
pub fn b2_logs(shared: u64, d: u64, hash: impl Fn(u64) -> u32) -> (PgLogT, PgLogT) {
    let log = |epoch: u32, tag: &str| {
        let entries: Vec<LogEntry> = (1..=shared + d)
            .map(|v| {
                let (e, i, name) = match v.checked_sub(shared).filter(|i| *i > 0) {
                    None => (1, v, format!("common{v}")),
                    Some(i) => (epoch, i, format!("{tag}{i}")),
                };
                let oid = ObjectId::new(1, hash(i), name);
                LogEntry::new(LogOp::Modify, oid, EVersion::new(e, v), EVersion::ZERO)
            })
            .collect();
        let head = entries.last().map_or(EVersion::ZERO, |e| e.version);
        PgLogT {
            entries,
            ..PgLogT::new(EVersion::ZERO, head)
        }
    };
    (log(2, "div"), log(3, "auth"))
}

/// The peer the tests merge from (`pg_shard_t(1, shard_id_t(0))`).
pub fn peer() -> PgShard {
    PgShard::new(OsdId(1), ShardId(0))
}

/// The versions of a slice of entries.
pub fn versions(entries: &[LogEntry]) -> Vec<EVersion> {
    entries.iter().map(|e| e.version).collect()
}

/// Missing items as comparable tuples.
pub fn items(m: &Missing) -> Vec<(ObjectId, MissingItem)> {
    m.items().iter().map(|(o, i)| (o.clone(), *i)).collect()
}

/// The objects removed by `effects`.
pub fn removed(effects: &LogEffects) -> BTreeSet<ObjectId> {
    effects.removed().cloned().collect()
}

/// The versions rolled back by `effects`, in order.
pub fn rolled_back(effects: &LogEffects) -> Vec<EVersion> {
    effects.rolled_back().map(|e| e.version).collect()
}

/// The versions whose rollback information `effects` trims, in order.
pub fn trimmed(effects: &LogEffects) -> Vec<EVersion> {
    effects
        .as_slice()
        .iter()
        .filter_map(|op| match op {
            LogEffect::Trim(e) => Some(e.version),
            _ => None,
        })
        .collect()
}

/// Ceph's table-driven `TestCase`: a shared `base`, the authoritative `auth`
/// continuation and the divergent `div` continuation; the divergent side's
/// missing set before (`init`) and after (`fin`); the objects to remove and
/// the entries to roll back when the divergent side merges the authoritative log.
#[derive(Default, Clone)]
pub struct TestCase {
    pub base: Vec<LogEntry>,
    pub auth: Vec<LogEntry>,
    pub div: Vec<LogEntry>,
    pub init: Vec<(ObjectId, EVersion, EVersion, bool)>,
    pub fin: Vec<(ObjectId, EVersion, EVersion, bool)>,
    pub toremove: BTreeSet<ObjectId>,
    pub torollback: Vec<EVersion>,
    pub deletes_during_peering: bool,
    /// `set_div_bounds(head, tail)`.
    pub div_bounds: Option<(EVersion, EVersion)>,
    /// `set_auth_bounds(head, tail)`.
    pub auth_bounds: Option<(EVersion, EVersion)>,
}

fn bounds(entries: &[LogEntry]) -> (EVersion, EVersion) {
    match (entries.first(), entries.last()) {
        (Some(f), Some(l)) => {
            let mut tail = f.version;
            tail.version -= 1;
            (l.version, tail)
        }
        _ => (EVersion::ZERO, EVersion::ZERO),
    }
}

impl TestCase {
    fn init_missing(&self) -> Missing {
        missing(&self.init, !self.deletes_during_peering)
    }

    fn final_missing(&self) -> Missing {
        missing(&self.fin, !self.deletes_during_peering)
    }

    /// `fullauth` and `authinfo`.
    pub fn auth_side(&self) -> (PgLogT, PgInfo) {
        let entries: Vec<LogEntry> = self.base.iter().chain(&self.auth).cloned().collect();
        let (head, tail) = self.auth_bounds.unwrap_or_else(|| bounds(&entries));
        let mut i = info();
        i.last_update = head;
        i.last_complete = head;
        i.log_tail = tail;
        (plain(tail, head, entries), i)
    }

    /// `fulldiv` and `divinfo` (`last_complete` just before the oldest need).
    pub fn div_side(&self) -> (PgLogT, PgInfo) {
        let entries: Vec<LogEntry> = self.base.iter().chain(&self.div).cloned().collect();
        let (head, tail) = self.div_bounds.unwrap_or_else(|| bounds(&entries));
        let mut i = info();
        i.last_update = head;
        i.log_tail = tail;
        let init = self.init_missing();
        i.last_complete = if init.have_missing() {
            let need = init.get_oldest_need();
            entries
                .iter()
                .take_while(|e| e.version < need)
                .last()
                .map_or(EVersion::ZERO, |e| e.version)
        } else {
            head
        };
        (plain(tail, head, entries), i)
    }

    /// `test_merge_log`: the divergent side merges the authoritative log.
    pub fn test_merge_log(&self) {
        let (div, mut info) = self.div_side();
        let (auth, mut oinfo) = self.auth_side();
        let mut pg = PgLog::from_parts(div.clone(), self.init_missing()).unwrap();
        let mut effects = LogEffects::new();
        pg.merge_log(&mut oinfo, auth.clone(), peer(), &mut info, &mut effects)
            .unwrap();

        assert_eq!(info.last_update, oinfo.last_update);
        assert_eq!(pg.log().head(), auth.head);
        assert_eq!(pg.log().tail(), auth.tail.min(div.tail));
        // Past both tails the merged log is the authoritative one.
        let shared = auth.tail.max(div.tail);
        assert_eq!(
            versions(pg.log().entries_after(shared)),
            versions(
                &auth
                    .entries
                    .iter()
                    .filter(|e| e.version > shared)
                    .cloned()
                    .collect::<Vec<_>>()
            )
        );
        assert_eq!(items(pg.missing()), items(&self.final_missing()));
        assert_eq!(removed(&effects), self.toremove);
        assert_eq!(rolled_back(&effects), self.torollback);
        assert!(
            !effects
                .as_slice()
                .iter()
                .any(|op| matches!(op, LogEffect::TryStash { .. }))
        );
    }

    /// `test_proc_replica_log`: the authoritative side processes the divergent
    /// log, then (as activation would) advances the peer's missing set over the
    /// entries the peer lacks.
    pub fn test_proc_replica_log(&self) {
        let (auth, _authinfo) = self.auth_side();
        let (div, mut oinfo) = self.div_side();
        let pg = PgLog::from_parts(auth.clone(), Missing::new(true)).unwrap();
        let mut omissing = self.init_missing();
        pg.proc_replica_log(&mut oinfo, &div, &mut omissing, peer())
            .unwrap();

        assert!(oinfo.last_update >= pg.log().tail());
        if let Some(last) = self.base.last() {
            assert_eq!(last.version, oinfo.last_update);
        }
        for e in &self.auth {
            if e.version > oinfo.last_update {
                if e.is_delete() && self.deletes_during_peering {
                    omissing.rm(&e.soid, e.version);
                } else {
                    omissing.add_next_event(e);
                }
            }
        }
        assert_eq!(items(&omissing), items(&self.final_missing()));
    }

    /// `run_test_case`: both directions.
    pub fn run(&self) {
        self.test_merge_log();
        self.test_proc_replica_log();
    }
}
