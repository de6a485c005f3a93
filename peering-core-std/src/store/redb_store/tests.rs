//! `RedbStore` under the OSD host: peering on disk, restarts, and bad input
//! (a corrupted value, an unknown format, a truncated or foreign file, a key
//! of a PG the OSD does not hold): typed errors, never a panic, and the OSD
//! starts its other PGs.

use peering_core::types::OsdId;
use redb::{Database, TableDefinition};

use super::super::suite::redb::RedbFixture;
use super::super::{Store, StoreError};
use super::keys;
use super::{OMAP, RedbStore, SUPERBLOCK};
use crate::osd::local::LocalCluster;
use crate::osd::test_support::{POOL, map3, spg};
use crate::osd::{Osd, OsdConfig, OsdError};

impl RedbStore {
    /// Writes raw bytes under `key` of `table` in `osd`'s database.
    fn raw_put<K: redb::Key + 'static>(
        &mut self,
        osd: OsdId,
        table: TableDefinition<K, &'static [u8]>,
        key: K::SelfType<'_>,
        value: &[u8],
    ) {
        let db = self.write_db(osd).unwrap();
        let w = db.db.begin_write().unwrap();
        {
            let mut t = w.open_table(table).unwrap();
            t.insert(key, value).unwrap();
        }
        w.commit().unwrap();
    }
}

/// A primary Active+Clean or a replica active.
fn settled(state: &str) -> bool {
    state == "Started/Primary/Active/Clean" || state.starts_with("Started/ReplicaActive")
}

/// Three OSDs peered on a `RedbStore`.
fn peered_on_redb(f: &mut RedbFixture) -> LocalCluster<RedbStore> {
    let store = RedbStore::open(f.dir()).unwrap();
    let mut c = LocalCluster::with_store(store, map3(), &[0, 1, 2], OsdConfig::new);
    c.create_pgs(POOL);
    c.run(500);
    assert!(c.store_errors.is_empty(), "{:?}", c.store_errors);
    for o in 0..3 {
        for (p, pg) in c.osd(o).unwrap().pgs() {
            assert!(settled(pg.state_name()), "osd.{o} {p} {}", pg.state_name());
        }
    }
    c
}

/// An OSD process for `osd` on `c`'s maps, its PGs loaded from `c`'s store.
fn boot(
    c: &LocalCluster<RedbStore>,
    osd: i32,
) -> (Osd, Vec<(peering_core::types::SpgId, OsdError)>) {
    let mut o = Osd::new(OsdConfig::new(osd));
    o.handle_osd_map(c.history()).unwrap();
    let failed = o.load_pgs(&c.store).unwrap();
    (o, failed)
}

#[test]
fn redb_cluster_restarts_from_disk_and_peers_again() {
    let mut f = RedbFixture::new("restart");
    let mut c = peered_on_redb(&mut f);
    c.stop(1);
    c.publish(|i| {
        i.mark_down(1);
    })
    .unwrap();
    c.run(200);
    c.store.reopen().unwrap();
    assert_eq!(c.store.list_pgs(OsdId(1)).unwrap().len(), 4);
    c.start(OsdConfig::new(1));
    assert_eq!(c.osd(1).unwrap().pgs().count(), 4);
    c.run(500);
    assert!(c.store_errors.is_empty(), "{:?}", c.store_errors);
    for o in 0..3 {
        for (p, pg) in c.osd(o).unwrap().pgs() {
            assert!(settled(pg.state_name()), "osd.{o} {p} {}", pg.state_name());
        }
    }
    assert!(c.store.check(OsdId(1)).is_empty());
}

#[test]
fn redb_corrupt_or_unknown_values_fail_one_pg_and_the_others_load() {
    let mut f = RedbFixture::new("corrupt");
    let mut c = peered_on_redb(&mut f);
    c.stop(1);
    let info = keys::omap_key(spg(0), keys::INFO);
    c.store
        .raw_put(OsdId(1), OMAP, info.as_slice(), &[1, 0xff, 0xff, 0xff]);
    let epoch = keys::omap_key(spg(2), keys::EPOCH);
    c.store.raw_put(OsdId(1), OMAP, epoch.as_slice(), &[9, 1]);
    c.store.reopen().unwrap();
    let (osd, failed) = boot(&c, 1);
    assert_eq!(failed.len(), 2, "{failed:?}");
    match &failed[0] {
        (p, OsdError::Store(StoreError::Corrupt { osd, pgid, key, .. })) => {
            assert_eq!((*p, *osd, *pgid), (spg(0), OsdId(1), Some(spg(0))));
            assert_eq!(key, "1.0/_info");
        }
        other => panic!("{other:?}"),
    }
    match &failed[1] {
        (
            p,
            OsdError::Store(StoreError::UnknownValueVersion {
                osd,
                pgid,
                key,
                found,
                supported,
            }),
        ) => {
            assert_eq!((*p, *osd, *pgid), (spg(2), OsdId(1), Some(spg(2))));
            assert_eq!((key.as_str(), *found, *supported), ("1.2/_epoch", 9, 1));
        }
        other => panic!("{other:?}"),
    }
    let loaded: Vec<_> = osd.pgs().map(|(p, _)| p).collect();
    assert_eq!(loaded, vec![spg(1), spg(3)]);
    assert_eq!(c.store.check(OsdId(1)).len(), 2);
}

#[test]
fn redb_unknown_store_version_truncated_and_foreign_files_are_refused() {
    let mut f = RedbFixture::new("files");
    let mut c = peered_on_redb(&mut f);
    for o in 0..3 {
        c.stop(o);
    }
    c.store.raw_put(
        OsdId(0),
        SUPERBLOCK,
        super::STORE_VERSION_KEY,
        &2u32.to_le_bytes(),
    );
    // Another OSD's orphan key: a PG osd.2 does not hold.
    let orphan = keys::omap_key(
        peering_core::types::SpgId::replicated(peering_core::types::PgId::new(9, 9)),
        keys::INFO,
    );
    c.store.raw_put(OsdId(2), OMAP, orphan.as_slice(), &[1]);
    let dir = f.dir().to_path_buf();
    c.store.osds.clear();
    // osd.1's file truncated; osd.5's is osd.2's copied.
    let p1 = dir.join("osd.1.redb");
    let len = std::fs::metadata(&p1).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p1)
        .unwrap()
        .set_len(len / 3)
        .unwrap();
    std::fs::copy(dir.join("osd.2.redb"), dir.join("osd.5.redb")).unwrap();
    c.store.reopen().unwrap();
    assert_eq!(
        c.store.list_pgs(OsdId(0)),
        Err(StoreError::UnknownStoreVersion {
            osd: OsdId(0),
            found: 2,
            supported: 1
        })
    );
    match c.store.list_pgs(OsdId(1)) {
        Err(StoreError::Database { osd, .. }) | Err(StoreError::Corrupt { osd, .. }) => {
            assert_eq!(osd, OsdId(1))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.store.list_pgs(OsdId(5)),
        Err(StoreError::WrongOsd {
            osd: OsdId(5),
            found: OsdId(2)
        })
    );
    assert_eq!(c.store.list_pgs(OsdId(2)).unwrap().len(), 4);
    let errors = c.store.check(OsdId(2));
    assert_eq!(
        errors,
        vec![StoreError::UnknownPg {
            osd: OsdId(2),
            pgid: peering_core::types::SpgId::replicated(peering_core::types::PgId::new(9, 9)),
            key: "9.9/_info".into()
        }]
    );
    // The OSD with the unreadable store reports it; the healthy one boots.
    let mut o = Osd::new(OsdConfig::new(0));
    o.handle_osd_map(c.history()).unwrap();
    assert!(matches!(
        o.load_pgs(&c.store),
        Err(OsdError::Store(StoreError::UnknownStoreVersion { .. }))
    ));
    let (o2, failed) = boot(&c, 2);
    assert!(failed.is_empty());
    assert_eq!(o2.pgs().count(), 4);
    drop(Database::builder());
}
