//! Writing one transaction to an OSD's database, as deltas: `PG::prepare_write`
//! (`_infover`, `_info`, `_epoch`, `_biginfo`) and
//! `PGLog::_write_log_and_missing` (only the entry, dup and missing keys that
//! changed), with the log's effects on the collection.

use peering_core::ctx::{Transaction, TxOp};
use peering_core::log::{Missing, PgLogT};
use peering_core::types::{EVersion, ObjectId, OsdId, SpgId, Version};
use redb::{ReadableTable, Table, WriteTransaction};
use serde::Serialize;

use super::super::StoreError;
use super::super::collection::{Collection, apply_effect, apply_new_entry};
use super::super::delta::{LogBounds, log_delta};
use super::keys::{self, pg_end, pg_prefix};
use super::{OBJECTS, OMAP, OsdDb, PGS, PgKeys, STASHES, WriteStats, codec, db};

/// A write table of the store.
type KvTable<'t> = Table<'t, &'static [u8], &'static [u8]>;

/// The tables one transaction writes, and what it wrote.
struct Tables<'t> {
    osd: OsdId,
    pgid: SpgId,
    omap: KvTable<'t>,
    objects: KvTable<'t>,
    stashes: KvTable<'t>,
    stats: WriteStats,
}

impl Tables<'_> {
    /// Puts `value` under `key` in `table`.
    fn put<T: Serialize + ?Sized>(
        osd: OsdId,
        stats: &mut WriteStats,
        table: &mut KvTable<'_>,
        key: &[u8],
        value: &T,
    ) -> Result<(), StoreError> {
        let v = codec::encode(osd, key, value)?;
        db!(osd, table.insert(key, v.as_slice()))?;
        stats.keys_put += 1;
        stats.bytes_put += (key.len() + v.len()) as u64;
        Ok(())
    }

    /// Puts an omap key of the PG.
    fn put_omap<T: Serialize + ?Sized>(&mut self, key: &[u8], value: &T) -> Result<(), StoreError> {
        Self::put(self.osd, &mut self.stats, &mut self.omap, key, value)
    }

    /// Removes an omap key of the PG.
    fn del_omap(&mut self, key: &[u8]) -> Result<(), StoreError> {
        db!(self.osd, self.omap.remove(key))?;
        self.stats.keys_removed += 1;
        Ok(())
    }
}

impl Collection for Tables<'_> {
    type Error = StoreError;

    fn get(&mut self, oid: &ObjectId) -> Result<Option<EVersion>, StoreError> {
        let key = keys::object_key(self.pgid, oid);
        let Some(v) = db!(self.osd, self.objects.get(key.as_slice()))? else {
            return Ok(None);
        };
        let (_, version): (ObjectId, EVersion) =
            codec::decode(self.osd, Some(self.pgid), &key, v.value())?;
        Ok(Some(version))
    }

    fn put(&mut self, oid: &ObjectId, v: EVersion) -> Result<(), StoreError> {
        let key = keys::object_key(self.pgid, oid);
        Self::put(
            self.osd,
            &mut self.stats,
            &mut self.objects,
            &key,
            &(oid, v),
        )
    }

    fn remove(&mut self, oid: &ObjectId) -> Result<(), StoreError> {
        let key = keys::object_key(self.pgid, oid);
        if db!(self.osd, self.objects.remove(key.as_slice()))?.is_some() {
            self.stats.keys_removed += 1;
        }
        Ok(())
    }

    fn put_stash(&mut self, oid: &ObjectId, at: Version, v: EVersion) -> Result<(), StoreError> {
        let key = keys::stash_key(self.pgid, oid, at);
        Self::put(
            self.osd,
            &mut self.stats,
            &mut self.stashes,
            &key,
            &(oid, at, v),
        )
    }

    fn take_stash(&mut self, oid: &ObjectId, at: Version) -> Result<Option<EVersion>, StoreError> {
        let key = keys::stash_key(self.pgid, oid, at);
        let Some(v) = db!(self.osd, self.stashes.remove(key.as_slice()))? else {
            return Ok(None);
        };
        self.stats.keys_removed += 1;
        let (_, _, version): (ObjectId, Version, EVersion) =
            codec::decode(self.osd, Some(self.pgid), &key, v.value())?;
        Ok(Some(version))
    }
}

impl OsdDb {
    /// Applies `t` to `pgid` in one redb write transaction, committed
    /// durably; the cached keys of the PG change only once it committed.
    pub(super) fn apply(&mut self, pgid: SpgId, t: &Transaction) -> Result<WriteStats, StoreError> {
        let osd = self.osd;
        let cached = self.cache.remove(&pgid);
        let w = db!(osd, self.db.begin_write())?;
        let outcome = write_ops(osd, &w, pgid, cached, t);
        let (keys, stats, merged) = match outcome {
            Ok(done) => done,
            Err(e) => {
                // Dropping the transaction aborts it: nothing was applied.
                drop(w);
                return Err(e);
            }
        };
        db!(osd, w.commit())?;
        if let Some(keys) = keys {
            self.cache.insert(pgid, keys);
        }
        for source in merged {
            self.cache.remove(&source);
        }
        Ok(stats)
    }

    /// Removes every key of `pgid` (meta, log, collection, stashes) in one
    /// durable transaction.
    pub(super) fn remove_pg(&mut self, pgid: SpgId) -> Result<(), StoreError> {
        let osd = self.osd;
        self.cache.remove(&pgid);
        let w = db!(osd, self.db.begin_write())?;
        remove_all(osd, &w, pgid)?;
        db!(osd, w.commit())
    }

    /// Stores or removes one object of a PG the OSD holds, durably; false when
    /// it does not hold `pgid` (nothing written).
    pub(super) fn write_object(
        &mut self,
        pgid: SpgId,
        oid: &ObjectId,
        version: EVersion,
        delete: bool,
    ) -> Result<bool, StoreError> {
        let osd = self.osd;
        let w = db!(osd, self.db.begin_write())?;
        {
            let pgs = db!(osd, w.open_table(PGS))?;
            if db!(osd, pgs.get(pg_prefix(pgid).as_slice()))?.is_none() {
                return Ok(false);
            }
            let mut t = Tables {
                osd,
                pgid,
                omap: db!(osd, w.open_table(OMAP))?,
                objects: db!(osd, w.open_table(OBJECTS))?,
                stashes: db!(osd, w.open_table(STASHES))?,
                stats: WriteStats::default(),
            };
            if delete {
                t.remove(oid)?;
            } else {
                Collection::put(&mut t, oid, version)?;
            }
        }
        db!(osd, w.commit())?;
        Ok(true)
    }
}

/// Deletes every key of `pgid` from every table.
fn remove_all(osd: OsdId, w: &WriteTransaction, pgid: SpgId) -> Result<(), StoreError> {
    let start = pg_prefix(pgid);
    let end = pg_end(pgid);
    for def in [OMAP, OBJECTS, STASHES] {
        let mut t = db!(osd, w.open_table(def))?;
        db!(
            osd,
            t.retain_in(start.as_slice()..end.as_slice(), |_, _| false)
        )?;
    }
    let mut pgs = db!(osd, w.open_table(PGS))?;
    db!(osd, pgs.remove(start.as_slice()))?;
    Ok(())
}

/// The body of [`OsdDb::apply`]: the PG's keys after `t` (`None` when it was
/// removed), what was written, and the merge sources it absorbed (their cached
/// keys are stale).
fn write_ops(
    osd: OsdId,
    w: &WriteTransaction,
    pgid: SpgId,
    cached: Option<PgKeys>,
    t: &Transaction,
) -> Result<(Option<PgKeys>, WriteStats, Vec<SpgId>), StoreError> {
    let mut merged = Vec::new();
    let mut t_ = Tables {
        osd,
        pgid,
        omap: db!(osd, w.open_table(OMAP))?,
        objects: db!(osd, w.open_table(OBJECTS))?,
        stashes: db!(osd, w.open_table(STASHES))?,
        stats: WriteStats::default(),
    };
    let mut keys = match cached {
        Some(k) => k,
        None => {
            // The collection is created with the PG's first transaction.
            let mut pgs = db!(osd, w.open_table(PGS))?;
            let prefix = pg_prefix(pgid);
            if db!(osd, pgs.get(prefix.as_slice()))?.is_none() {
                Tables::put(osd, &mut t_.stats, &mut pgs, &prefix, &pgid)?;
            }
            super::read::load_keys(osd, pgid, &t_.omap)?
        }
    };
    for op in &t.ops {
        match op {
            TxOp::WriteInfo {
                info,
                epoch,
                past_intervals,
            } => {
                t_.put_omap(&keys::omap_key(pgid, keys::INFOVER), &codec::VALUE_FORMAT)?;
                t_.put_omap(&keys::omap_key(pgid, keys::INFO), info)?;
                t_.put_omap(&keys::omap_key(pgid, keys::EPOCH), epoch)?;
                if let Some(pi) = past_intervals {
                    t_.put_omap(&keys::omap_key(pgid, keys::BIGINFO), pi)?;
                }
            }
            TxOp::WriteLog { log, missing } => write_log(&mut t_, &mut keys, log, missing)?,
            TxOp::LogEffects(effects) => {
                for e in effects {
                    apply_effect(&mut t_, e)?;
                }
            }
            TxOp::RemoveObject(oid) => t_.remove(oid)?,
            TxOp::RemovePg { .. } => {
                let stats = t_.stats;
                drop(t_);
                remove_all(osd, w, pgid)?;
                return Ok((None, stats, merged));
            }
            TxOp::SplitCollection { child, split_bits } => {
                split_collection(&mut t_, w, *child, *split_bits)?;
            }
            TxOp::MergeCollection { source } => {
                merged.push(*source);
                merge_collection(&mut t_, w, *source)?;
            }
        }
    }
    Ok((Some(keys), t_.stats, merged))
}

/// `merge_collection`: every object and stash of `source` moves under `t`'s
/// PG, then the source's keys (meta, log) and its collection are removed.
/// Reads the source's whole collection (memory linear in it), as Ceph's merge
/// walks it.
fn merge_collection(
    t: &mut Tables<'_>,
    w: &WriteTransaction,
    source: SpgId,
) -> Result<(), StoreError> {
    let osd = t.osd;
    let (start, end) = (pg_prefix(source), pg_end(source));
    let mut objects: Vec<(ObjectId, EVersion)> = Vec::new();
    for item in db!(osd, t.objects.range(start.as_slice()..end.as_slice()))? {
        let (k, v) = db!(osd, item)?;
        objects.push(codec::decode(osd, Some(source), k.value(), v.value())?);
    }
    let mut stashes: Vec<(ObjectId, Version, EVersion)> = Vec::new();
    for item in db!(osd, t.stashes.range(start.as_slice()..end.as_slice()))? {
        let (k, v) = db!(osd, item)?;
        stashes.push(codec::decode(osd, Some(source), k.value(), v.value())?);
    }
    for (oid, version) in objects {
        Collection::put(t, &oid, version)?;
    }
    for (oid, at, version) in stashes {
        t.put_stash(&oid, at, version)?;
    }
    for table in [&mut t.omap, &mut t.objects, &mut t.stashes] {
        db!(
            osd,
            table.retain_in(start.as_slice()..end.as_slice(), |_, _| false)
        )?;
    }
    let mut pgs = db!(osd, w.open_table(PGS))?;
    db!(osd, pgs.remove(start.as_slice()))?;
    Ok(())
}

/// `split_collection`: the objects and stashes of `t`'s PG that match the
/// child (`hobject_t::match`) move under the child's prefix, whose
/// collection is created if it does not exist yet. Reads the parent's whole
/// collection (memory linear in it), as Ceph's split walks it.
fn split_collection(
    t: &mut Tables<'_>,
    w: &WriteTransaction,
    child: SpgId,
    split_bits: u32,
) -> Result<(), StoreError> {
    let osd = t.osd;
    let goes = |o: &ObjectId| o.matches(split_bits, child.pgid.seed);
    {
        let mut pgs = db!(osd, w.open_table(PGS))?;
        let prefix = pg_prefix(child);
        if db!(osd, pgs.get(prefix.as_slice()))?.is_none() {
            Tables::put(osd, &mut t.stats, &mut pgs, &prefix, &child)?;
        }
    }
    let (start, end) = (pg_prefix(t.pgid), pg_end(t.pgid));
    let mut objects: Vec<(ObjectId, EVersion)> = Vec::new();
    for item in db!(osd, t.objects.range(start.as_slice()..end.as_slice()))? {
        let (k, v) = db!(osd, item)?;
        let (oid, version): (ObjectId, EVersion) =
            codec::decode(osd, Some(t.pgid), k.value(), v.value())?;
        if goes(&oid) {
            objects.push((oid, version));
        }
    }
    let mut stashes: Vec<(ObjectId, Version, EVersion)> = Vec::new();
    for item in db!(osd, t.stashes.range(start.as_slice()..end.as_slice()))? {
        let (k, v) = db!(osd, item)?;
        let (oid, at, version): (ObjectId, Version, EVersion) =
            codec::decode(osd, Some(t.pgid), k.value(), v.value())?;
        if goes(&oid) {
            stashes.push((oid, at, version));
        }
    }
    let parent = t.pgid;
    for (oid, version) in objects {
        t.remove(&oid)?;
        t.pgid = child;
        let put = Collection::put(t, &oid, version);
        t.pgid = parent;
        put?;
    }
    for (oid, at, version) in stashes {
        t.take_stash(&oid, at)?;
        t.pgid = child;
        let put = t.put_stash(&oid, at, version);
        t.pgid = parent;
        put?;
    }
    Ok(())
}

/// `_write_log_and_missing` as a delta against `keys`.
fn write_log(
    t: &mut Tables<'_>,
    keys: &mut PgKeys,
    log: &PgLogT,
    missing: &Missing,
) -> Result<(), StoreError> {
    let pgid = t.pgid;
    let delta = log_delta(
        keys.entries.iter().copied(),
        keys.dups.iter().copied(),
        &keys.missing,
        log,
        missing,
    );
    let old_head = keys.bounds.map_or(EVersion::ZERO, |b| b.head);
    for e in delta.put_entries.iter().filter(|e| e.version > old_head) {
        apply_new_entry(t, e, missing)?;
    }
    for v in &delta.del_entries {
        t.del_omap(&keys::entry_key(pgid, *v))?;
    }
    for e in &delta.put_entries {
        t.put_omap(&keys::entry_key(pgid, e.version), *e)?;
    }
    for v in &delta.del_dups {
        t.del_omap(&keys::dup_key(pgid, *v))?;
    }
    for (v, group) in &delta.put_dups {
        t.put_omap(&keys::dup_key(pgid, *v), *group)?;
    }
    for oid in &delta.del_missing {
        t.del_omap(&keys::missing_key(pgid, oid))?;
    }
    for (oid, item) in &delta.put_missing {
        t.put_omap(&keys::missing_key(pgid, oid), &(*oid, *item))?;
    }
    write_bounds(t, keys.bounds, delta.bounds)?;
    // The cached keys follow the delta.
    if !delta.del_entries.is_empty() {
        keys.entries
            .retain(|v| delta.del_entries.binary_search(v).is_err());
    }
    let append_only = match (keys.entries.last(), delta.put_entries.first()) {
        (Some(last), Some(first)) => first.version > *last,
        _ => true,
    };
    keys.entries
        .extend(delta.put_entries.iter().map(|e| e.version));
    if !append_only {
        keys.entries.sort_unstable();
    }
    for v in &delta.del_dups {
        keys.dups.remove(v);
    }
    keys.dups.extend(delta.put_dups.iter().map(|(v, _)| *v));
    for oid in &delta.del_missing {
        keys.missing.remove(oid);
    }
    for (oid, item) in &delta.put_missing {
        keys.missing.insert((*oid).clone(), *item);
    }
    keys.bounds = Some(delta.bounds);
    Ok(())
}

/// Writes the bound keys that changed from `old` to `new`.
fn write_bounds(
    t: &mut Tables<'_>,
    old: Option<LogBounds>,
    new: LogBounds,
) -> Result<(), StoreError> {
    let pgid = t.pgid;
    let changed = |f: fn(&LogBounds) -> EVersion| old.is_none_or(|o| f(&o) != f(&new));
    if changed(|b| b.head) {
        t.put_omap(&keys::omap_key(pgid, keys::LOG_HEAD), &new.head)?;
    }
    if changed(|b| b.tail) {
        t.put_omap(&keys::omap_key(pgid, keys::LOG_TAIL), &new.tail)?;
    }
    if changed(|b| b.can_rollback_to) {
        t.put_omap(
            &keys::omap_key(pgid, keys::CAN_ROLLBACK_TO),
            &new.can_rollback_to,
        )?;
    }
    if changed(|b| b.rollback_info_trimmed_to) {
        t.put_omap(
            &keys::omap_key(pgid, keys::ROLLBACK_INFO_TRIMMED_TO),
            &new.rollback_info_trimmed_to,
        )?;
    }
    if old.is_none_or(|o| o.may_include_deletes != new.may_include_deletes) {
        let key = keys::omap_key(pgid, keys::MAY_INCLUDE_DELETES);
        // Ceph writes the key only when set and removes it otherwise.
        if new.may_include_deletes {
            t.put_omap(&key, &())?;
        } else {
            t.del_omap(&key)?;
        }
    }
    Ok(())
}
