//! `pg_log_t::filter_log`: the entries of a log that belong to a PG under a
//! map, as `ceph-objectstore-tool --op import` keeps them when a PG exported
//! before a split (or a pool change) is imported.

use peering_core::log::PgLogT;
use peering_core::types::SpgId;

use super::map::OsdMap;
use super::object::ObjectLocator;

/// `POOL_TEMP_START`: pools at or below it hold temporary objects.
const POOL_TEMP_START: i64 = -2;

impl OsdMap {
    /// `pg_log_t::filter_log(import_pgid, curmap, hit_set_namespace, in, out,
    /// reject)`: splits `log`'s entries into those of objects that map to
    /// `import`'s PG under this map (`out`) and the others (`reject`).
    /// Temporary objects are rejected; objects in `hit_set_namespace` (the
    /// cache tier's hit sets, which live wherever they were made) are kept.
    /// Both results keep `log`'s bounds and dups, as Ceph's copy does.
    ///
    /// Work: one object-to-PG mapping per entry.
    pub fn filter_log(
        &self,
        import: SpgId,
        hit_set_namespace: &str,
        log: &PgLogT,
    ) -> (PgLogT, PgLogT) {
        let mut out = PgLogT {
            entries: Vec::new(),
            ..log.clone()
        };
        let mut reject = out.clone();
        for e in &log.entries {
            let o = &e.soid;
            let temp = o.pool <= POOL_TEMP_START && o.pool != i64::MIN;
            let keep = !temp
                && (o.namespace == hit_set_namespace || {
                    let loc = ObjectLocator {
                        nspace: o.namespace.clone(),
                        ..ObjectLocator::new(o.pool)
                    };
                    self.object_to_pg(&o.name, &loc)
                        .is_ok_and(|pg| pg == import.pgid)
                });
            if keep {
                out.entries.push(e.clone());
            } else {
                reject.entries.push(e.clone());
            }
        }
        (out, reject)
    }
}

#[cfg(test)]
mod tests {
    use peering_core::log::{LogEntry, LogOp, PgLogT};
    use peering_core::map::OsdMapView;
    use peering_core::types::{EVersion, ObjectId, PgId, SpgId};

    use crate::osd::local::simple_map;
    use crate::osdmap::{Incremental, ObjectLocator, hash_key};

    /// An entry at `40'i` modifying object `name` in `nspace`, hashed as
    /// placement hashes it.
    fn entry(i: u64, name: &str, nspace: &str) -> LogEntry {
        let mut o = ObjectId::new(1, hash_key(name, nspace), name);
        o.namespace = nspace.to_string();
        let mut e = LogEntry::new(LogOp::Modify, o, EVersion::new(40, i), EVersion::ZERO);
        e.mod_desc.mark_unrollbackable();
        e
    }

    // Ceph's `PGLogTest.filter_log_1`, re-derived: 1000 entries (the first
    // without a namespace, ten in the hit-set namespace, the rest each in
    // its own), pool 1 of 16 PGs on 4 OSDs, imported into PG 1.2.
    #[test]
    fn filter_log_keeps_what_maps_to_the_pg_and_every_hit_set_entry() {
        let mut map = simple_map(4, 1, 3, 16).unwrap();
        let internal = "internal";
        let mut log = PgLogT::new(EVersion::new(40, 1), EVersion::new(40, 1000));
        for i in 1..=1000u64 {
            let nspace = match i {
                1 => String::new(),
                2..=11 => internal.to_string(),
                _ => format!("ns{i}"),
            };
            log.entries.push(entry(
                i,
                &format!("obj-{i:04x}-{}", i * 2654435761 % 1000),
                &nspace,
            ));
        }
        let pgid = SpgId::replicated(PgId::new(1, 2));
        let (kept, rejected) = map.filter_log(pgid, internal, &log);
        assert_eq!(kept.entries.len() + rejected.entries.len(), 1000);
        assert!(kept.entries.len() < 1000 && !rejected.entries.is_empty());
        assert_eq!((kept.head, kept.tail), (log.head, log.tail));
        for e in &kept.entries {
            let loc = ObjectLocator {
                nspace: e.soid.namespace.clone(),
                ..ObjectLocator::new(1)
            };
            let pg = map.object_to_pg(&e.soid.name, &loc).unwrap();
            assert!(
                e.soid.namespace == internal || pg == pgid.pgid,
                "{:?}",
                e.soid
            );
        }
        // Filtering again changes nothing.
        let (again, none) = map.filter_log(pgid, internal, &kept);
        assert_eq!(again.entries, kept.entries);
        assert!(none.entries.is_empty());
        // After a split (pg_num × 16) some of them belong to the children.
        let mut pool = *map.pg_pool(1).unwrap();
        pool.pg_num = 256;
        pool.pgp_num = 256;
        pool.pg_num_pending = 256;
        let mut inc = Incremental::new(map.epoch() + 1);
        inc.set_pool(pool);
        map.apply_incremental(&inc).unwrap();
        let (split, moved) = map.filter_log(pgid, internal, &kept);
        assert!(split.entries.len() < kept.entries.len() && !moved.entries.is_empty());
        // Every hit-set entry stays.
        let hit_sets = split
            .entries
            .iter()
            .filter(|e| e.soid.namespace == internal)
            .count();
        assert_eq!(hit_sets, 10);
    }

    #[test]
    fn temporary_objects_are_rejected() {
        let map = simple_map(4, 1, 3, 1).unwrap();
        let mut log = PgLogT::new(EVersion::ZERO, EVersion::new(40, 2));
        log.entries.push(entry(1, "a", ""));
        let mut temp = entry(2, "temp_a", "");
        temp.soid.pool = -3;
        log.entries.push(temp);
        let (kept, rejected) = map.filter_log(SpgId::replicated(PgId::new(1, 0)), "", &log);
        assert_eq!(kept.entries.len(), 1);
        assert_eq!(rejected.entries.len(), 1);
        assert_eq!(rejected.entries[0].soid.pool, -3);
    }
}
