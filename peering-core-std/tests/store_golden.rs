//! The redb store's format, pinned: `tests/golden/store-v1/` holds a database
//! written by this format version (`osd.0.redb`) and its records as text
//! (`osd.0.dump`: table, key, value in hex). This build must read the
//! database back to the state its transactions describe, and must write the
//! very same records; a format change that forgets to bump
//! `VALUE_FORMAT`/`STORE_FORMAT` (and add new golden files) fails here.
//!
//! `PEERING_BLESS_GOLDEN=1 cargo test -p peering-core-std --features redb
//! --test store_golden -- --test-threads 1` rewrites the files (only for a
//! deliberate format change, with the format versions bumped and the old
//! files kept for a reader of the old format).

mod store_support;

use std::path::PathBuf;

use peering_core::types::OsdId;
use peering_core_std::store::{RedbStore, STORE_FORMAT, Store, VALUE_FORMAT};
use store_support::{TempDir, history, model, snapshot};

const OSD: OsdId = OsdId(0);

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/store-v1")
}

fn dump_text(store: &RedbStore) -> String {
    let mut s = String::new();
    for (table, key, value) in store.dump(OSD).unwrap() {
        let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
        s.push_str(&format!("{table}\t{key}\t{hex}\n"));
    }
    s
}

/// The golden history: a few transactions, small enough to read, then a
/// stash of the first object (so the `stashes` table has a record too).
fn golden_history() -> Vec<(peering_core::types::SpgId, peering_core::ctx::Transaction)> {
    use peering_core::ctx::{Transaction, TxOp};
    use peering_core::log::LogEffect;
    let mut h = history(7, 24);
    let m = model(OSD, &h);
    let pg = m.list_pgs(OSD).unwrap()[0];
    let (soid, _) = m.list_objects(OSD, pg, None, 1).unwrap().remove(0);
    let stash = LogEffect::TryStash { soid, version: 99 };
    h.push((
        pg,
        Transaction {
            ops: vec![TxOp::LogEffects(vec![stash])],
        },
    ));
    h
}

fn write_fresh(dir: &std::path::Path) -> RedbStore {
    let mut store = RedbStore::open(dir).unwrap();
    for (pg, t) in golden_history() {
        store.apply_transaction(OSD, pg, &t).unwrap();
    }
    store
}

#[test]
fn golden_store_v1_reads_back() {
    assert_eq!(
        (STORE_FORMAT, VALUE_FORMAT),
        (1, 1),
        "a new format needs new golden files"
    );
    if std::env::var_os("PEERING_BLESS_GOLDEN").is_some() {
        let dir = golden_dir();
        let _ = std::fs::remove_dir_all(&dir);
        let store = write_fresh(&dir);
        std::fs::write(dir.join("osd.0.dump"), dump_text(&store)).unwrap();
    }
    // Opened on a copy: opening may write (redb's recovery bookkeeping).
    let tmp = TempDir::new("golden-read");
    std::fs::copy(
        golden_dir().join("osd.0.redb"),
        tmp.path().join("osd.0.redb"),
    )
    .unwrap();
    let store = RedbStore::open(tmp.path()).unwrap();
    assert!(store.check(OSD).is_empty(), "{:?}", store.check(OSD));
    let want = model(OSD, &golden_history());
    assert_eq!(snapshot(&store, OSD), snapshot(&want, OSD));
    assert_eq!(store.list_pgs(OSD).unwrap().len(), 2);
    let golden_dump = std::fs::read_to_string(golden_dir().join("osd.0.dump")).unwrap();
    assert_eq!(dump_text(&store), golden_dump);
}

#[test]
fn this_build_writes_the_golden_records() {
    let tmp = TempDir::new("golden-write");
    let store = write_fresh(tmp.path());
    let golden_dump = std::fs::read_to_string(golden_dir().join("osd.0.dump")).unwrap();
    assert_eq!(dump_text(&store), golden_dump);
}
