//! Reading an OSD's database back: the PG list, `PG::read_state` and
//! `PGLog::read_log_and_missing`, object listings, and a consistency check.
//! Every record is decoded with its format version checked; a bad one is a
//! [`StoreError`] naming the OSD, the PG and the key.

use std::collections::BTreeSet;

use peering_core::intervals::PastIntervals;
use peering_core::log::{LogDup, LogEntry, Missing, MissingItem, PgLogT};
use peering_core::types::{EVersion, Epoch, ObjectId, OsdId, PgInfo, SpgId};
use redb::{ReadableDatabase, ReadableTable};

use super::super::{LogBounds, PgMeta, StoreError};
use super::keys::{self, PREFIX_LEN, pg_end, pg_of, pg_prefix, printable};
use super::{OBJECTS, OMAP, OsdDb, PGS, PgKeys, STASHES, SUPERBLOCK, codec, db};

/// One omap record of a PG, classified by its key.
enum Record {
    InfoVer(u8),
    Info(Box<PgInfo>),
    Epoch(Epoch),
    BigInfo(PastIntervals),
    Entry(Box<LogEntry>),
    Dups(EVersion, Vec<LogDup>),
    Missing(ObjectId, MissingItem),
    Head(EVersion),
    Tail(EVersion),
    CanRollbackTo(EVersion),
    RollbackInfoTrimmedTo(EVersion),
    MayIncludeDeletes,
}

/// Decodes the record under `key` (the whole key, prefix included).
fn record(osd: OsdId, pgid: SpgId, key: &[u8], value: &[u8]) -> Result<Record, StoreError> {
    let name = key.get(PREFIX_LEN..).unwrap_or_default();
    macro_rules! dec {
        () => {
            codec::decode(osd, Some(pgid), key, value)?
        };
    }
    Ok(match name {
        n if n == keys::INFOVER.as_bytes() => Record::InfoVer(dec!()),
        n if n == keys::INFO.as_bytes() => Record::Info(Box::new(dec!())),
        n if n == keys::EPOCH.as_bytes() => Record::Epoch(dec!()),
        n if n == keys::BIGINFO.as_bytes() => Record::BigInfo(dec!()),
        n if n == keys::LOG_HEAD.as_bytes() => Record::Head(dec!()),
        n if n == keys::LOG_TAIL.as_bytes() => Record::Tail(dec!()),
        n if n == keys::CAN_ROLLBACK_TO.as_bytes() => Record::CanRollbackTo(dec!()),
        n if n == keys::ROLLBACK_INFO_TRIMMED_TO.as_bytes() => {
            Record::RollbackInfoTrimmedTo(dec!())
        }
        n if n == keys::MAY_INCLUDE_DELETES.as_bytes() => {
            let () = dec!();
            Record::MayIncludeDeletes
        }
        n if n.starts_with(keys::DUP_PREFIX.as_bytes()) => {
            let v = keys::parse_version(n.get(keys::DUP_PREFIX.len()..).unwrap_or_default())
                .ok_or_else(|| corrupt(osd, pgid, key, "not a dup key"))?;
            let dups: Vec<LogDup> = dec!();
            if dups.is_empty() || dups.iter().any(|d| d.version != v) {
                return Err(corrupt(osd, pgid, key, "dups of another version"));
            }
            Record::Dups(v, dups)
        }
        n if n.starts_with(keys::MISSING_PREFIX.as_bytes()) => {
            let (oid, item): (ObjectId, MissingItem) = dec!();
            if keys::missing_key(pgid, &oid) != key {
                return Err(corrupt(osd, pgid, key, "missing item of another object"));
            }
            Record::Missing(oid, item)
        }
        n => {
            let v = keys::parse_version(n).ok_or_else(|| corrupt(osd, pgid, key, "unknown key"))?;
            let e: LogEntry = dec!();
            if e.version != v {
                return Err(corrupt(osd, pgid, key, "entry of another version"));
            }
            Record::Entry(Box::new(e))
        }
    })
}

/// A [`StoreError::Corrupt`] for `key`.
fn corrupt(osd: OsdId, pgid: SpgId, key: &[u8], detail: &str) -> StoreError {
    StoreError::Corrupt {
        osd,
        pgid: Some(pgid),
        key: printable(key),
        detail: detail.into(),
    }
}

/// Calls `f` with every omap record of `pgid` in `table`, in key order.
fn for_each_record(
    osd: OsdId,
    pgid: SpgId,
    table: &impl ReadableTable<&'static [u8], &'static [u8]>,
    mut f: impl FnMut(Record),
) -> Result<(), StoreError> {
    let start = pg_prefix(pgid);
    let end = pg_end(pgid);
    for kv in db!(osd, table.range(start.as_slice()..end.as_slice()))? {
        let (k, v) = db!(osd, kv)?;
        f(record(osd, pgid, k.value(), v.value())?);
    }
    Ok(())
}

/// The keys a write needs of `pgid`'s stored log (see [`PgKeys`]).
pub(super) fn load_keys(
    osd: OsdId,
    pgid: SpgId,
    omap: &impl ReadableTable<&'static [u8], &'static [u8]>,
) -> Result<PgKeys, StoreError> {
    let mut k = PgKeys::default();
    let mut b = LogBounds::default();
    let mut any = false;
    for_each_record(osd, pgid, omap, |r| match r {
        Record::Entry(e) => k.entries.push(e.version),
        Record::Dups(v, _) => {
            k.dups.insert(v);
        }
        Record::Missing(oid, item) => {
            k.missing.insert(oid, item);
        }
        Record::Head(v) => {
            any = true;
            b.head = v;
        }
        Record::Tail(v) => b.tail = v,
        Record::CanRollbackTo(v) => b.can_rollback_to = v,
        Record::RollbackInfoTrimmedTo(v) => b.rollback_info_trimmed_to = v,
        Record::MayIncludeDeletes => b.may_include_deletes = true,
        _ => {}
    })?;
    k.bounds = any.then_some(b);
    Ok(k)
}

impl OsdDb {
    /// The PG instances held, in order.
    pub(super) fn list_pgs(&self) -> Result<Vec<SpgId>, StoreError> {
        let osd = self.osd;
        let r = db!(osd, self.db.begin_read())?;
        let t = db!(osd, r.open_table(PGS))?;
        let mut out = Vec::new();
        for kv in db!(osd, t.iter())? {
            let (k, v) = db!(osd, kv)?;
            let pgid: SpgId = codec::decode(osd, pg_of(k.value()), k.value(), v.value())?;
            if pg_prefix(pgid).as_slice() != k.value() {
                return Err(corrupt(osd, pgid, k.value(), "collection of another pg"));
            }
            out.push(pgid);
        }
        Ok(out)
    }

    /// `PG::read_state`: `None` when the PG has no `_info`.
    pub(super) fn read_pg(&self, pgid: SpgId) -> Result<Option<PgMeta>, StoreError> {
        let osd = self.osd;
        let r = db!(osd, self.db.begin_read())?;
        let omap = db!(osd, r.open_table(OMAP))?;
        let mut info = None;
        let mut epoch = 0;
        let mut past_intervals = PastIntervals::default();
        let mut log = PgLogT::default();
        let mut items = Vec::new();
        let mut may_include_deletes = false;
        let mut infover = None;
        for_each_record(osd, pgid, &omap, |r| match r {
            Record::InfoVer(v) => infover = Some(v),
            Record::Info(i) => info = Some(*i),
            Record::Epoch(e) => epoch = e,
            Record::BigInfo(pi) => past_intervals = pi,
            Record::Entry(e) => log.entries.push(*e),
            Record::Dups(_, d) => log.dups.extend(d),
            Record::Missing(oid, item) => items.push((oid, item)),
            Record::Head(v) => log.head = v,
            Record::Tail(v) => log.tail = v,
            Record::CanRollbackTo(v) => log.can_rollback_to = v,
            Record::RollbackInfoTrimmedTo(v) => log.rollback_info_trimmed_to = v,
            Record::MayIncludeDeletes => may_include_deletes = true,
        })?;
        // `_infover` names the info's format (`PG::peek_map_epoch` checks it
        // before anything else is read).
        if let Some(v) = infover.filter(|v| *v != codec::VALUE_FORMAT) {
            return Err(StoreError::UnknownValueVersion {
                osd,
                pgid: Some(pgid),
                key: printable(&keys::omap_key(pgid, keys::INFOVER)),
                found: v,
                supported: codec::VALUE_FORMAT,
            });
        }
        let Some(info) = info else {
            return Ok(None);
        };
        if info.pgid != pgid {
            let key = keys::omap_key(pgid, keys::INFO);
            return Err(corrupt(osd, pgid, &key, "info of another pg"));
        }
        let mut missing = Missing::new(may_include_deletes);
        for (oid, item) in items {
            missing.add(&oid, item.need, item.have, item.delete);
        }
        Ok(Some(PgMeta {
            info,
            epoch,
            past_intervals,
            log,
            missing,
        }))
    }

    /// At most `max` objects of `pgid` after `after`, ascending.
    pub(super) fn list_objects(
        &self,
        pgid: SpgId,
        after: Option<&ObjectId>,
        max: usize,
    ) -> Result<Vec<(ObjectId, EVersion)>, StoreError> {
        let osd = self.osd;
        let r = db!(osd, self.db.begin_read())?;
        let t = db!(osd, r.open_table(OBJECTS))?;
        let start = match after {
            Some(a) => keys::object_key(pgid, a),
            None => pg_prefix(pgid).to_vec(),
        };
        let end = pg_end(pgid);
        let mut out = Vec::new();
        for kv in db!(osd, t.range(start.as_slice()..end.as_slice()))? {
            if out.len() >= max {
                break;
            }
            let (k, v) = db!(osd, kv)?;
            if after.is_some() && k.value() == start.as_slice() {
                continue;
            }
            let (oid, version): (ObjectId, EVersion) =
                codec::decode(osd, Some(pgid), k.value(), v.value())?;
            out.push((oid, version));
        }
        Ok(out)
    }

    /// The version of `oid` in `pgid`'s collection.
    pub(super) fn object_version(
        &self,
        pgid: SpgId,
        oid: &ObjectId,
    ) -> Result<Option<EVersion>, StoreError> {
        let osd = self.osd;
        let r = db!(osd, self.db.begin_read())?;
        let t = db!(osd, r.open_table(OBJECTS))?;
        let key = keys::object_key(pgid, oid);
        let Some(v) = db!(osd, t.get(key.as_slice()))? else {
            return Ok(None);
        };
        let (_, version): (ObjectId, EVersion) = codec::decode(osd, Some(pgid), &key, v.value())?;
        Ok(Some(version))
    }

    /// Every record, by table then key.
    pub(super) fn dump(&self) -> Result<Vec<(String, String, Vec<u8>)>, StoreError> {
        let osd = self.osd;
        let r = db!(osd, self.db.begin_read())?;
        let mut out = Vec::new();
        let sb = db!(osd, r.open_table(SUPERBLOCK))?;
        for kv in db!(osd, sb.iter())? {
            let (k, v) = db!(osd, kv)?;
            out.push((
                "superblock".into(),
                k.value().to_string(),
                v.value().to_vec(),
            ));
        }
        for (name, def) in [
            ("pgs", PGS),
            ("omap", OMAP),
            ("objects", OBJECTS),
            ("stashes", STASHES),
        ] {
            let t = db!(osd, r.open_table(def))?;
            for kv in db!(osd, t.iter())? {
                let (k, v) = db!(osd, kv)?;
                out.push((name.into(), printable(k.value()), v.value().to_vec()));
            }
        }
        Ok(out)
    }

    /// Every unreadable record and every key of a PG not held.
    pub(super) fn check(&self) -> Vec<StoreError> {
        let mut errors = Vec::new();
        let held: BTreeSet<SpgId> = match self.list_pgs() {
            Ok(p) => p.into_iter().collect(),
            Err(e) => return vec![e],
        };
        for pgid in &held {
            if let Err(e) = self.read_pg(*pgid) {
                errors.push(e);
            }
        }
        if let Err(e) = self.orphans(&held, &mut errors) {
            errors.push(e);
        }
        errors
    }

    /// Pushes an error for each key of `omap`, `objects` or `stashes` whose PG
    /// is not in `held`.
    fn orphans(
        &self,
        held: &BTreeSet<SpgId>,
        errors: &mut Vec<StoreError>,
    ) -> Result<(), StoreError> {
        let osd = self.osd;
        let r = db!(osd, self.db.begin_read())?;
        for def in [OMAP, OBJECTS, STASHES] {
            let t = db!(osd, r.open_table(def))?;
            for kv in db!(osd, t.iter())? {
                let (k, _) = db!(osd, kv)?;
                match pg_of(k.value()) {
                    Some(pgid) if held.contains(&pgid) => {}
                    Some(pgid) => errors.push(StoreError::UnknownPg {
                        osd,
                        pgid,
                        key: printable(k.value()),
                    }),
                    None => errors.push(StoreError::Corrupt {
                        osd,
                        pgid: None,
                        key: printable(k.value()),
                        detail: "key shorter than a pg prefix".into(),
                    }),
                }
            }
        }
        Ok(())
    }
}
