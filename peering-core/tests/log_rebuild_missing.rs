//! `PGLog::rebuild_missing_set_with_deletes` (reference §5.25), with the cases
//! of Ceph's `PGLogTestRebuildMissing` (`src/test/osd/TestPGLog.cc`)
//! re-derived: object 0 exists on disk at 6'2, object 1 does not exist,
//! `last_backfill` is MAX and `last_complete` 0'0.

mod log_common;

use log_common::{delete, ev, info, items, missing, modify, obj, plain};
use peering_core::log::{Missing, MissingItem, PgLog};
use peering_core::types::{EVersion, ObjectId};

/// What the store holds: object 0 at 6'2, nothing else.
fn on_disk(o: &ObjectId) -> Option<EVersion> {
    (*o == obj(0)).then(|| ev(6, 2))
}

fn rebuild(entries: Vec<peering_core::log::LogEntry>, m: Missing) -> Vec<(ObjectId, MissingItem)> {
    let head = entries.last().map_or(EVersion::ZERO, |e| e.version);
    let mut log = PgLog::from_parts(plain(EVersion::ZERO, head, entries), m).unwrap();
    log.rebuild_missing_set_with_deletes(&info(), on_disk);
    assert!(log.missing().may_include_deletes);
    assert!(log.is_dirty());
    items(log.missing())
}

fn item(need: EVersion, have: EVersion, delete: bool) -> MissingItem {
    MissingItem { need, have, delete }
}

#[test]
fn an_empty_log_keeps_the_missing_set() {
    let m = missing(
        &[
            (obj(0), ev(6, 2), ev(6, 3), false),
            (obj(1), ev(7, 4), ev(0, 0), false),
        ],
        false,
    );
    let want = items(&m);
    assert_eq!(rebuild(Vec::new(), m), want);
}

#[test]
fn an_object_on_disk_at_the_logged_version_is_not_missing() {
    let m = missing(&[(obj(0), ev(6, 2), ev(6, 1), false)], false);
    assert_eq!(rebuild(vec![modify(&obj(0), ev(6, 2), ev(6, 1))], m), []);
}

#[test]
fn a_logged_delete_of_an_existing_object_is_missing_as_a_delete() {
    let m = missing(&[(obj(0), ev(6, 3), ev(6, 2), false)], false);
    assert_eq!(
        rebuild(vec![delete(&obj(0), ev(7, 5), ev(7, 4))], m),
        [(obj(0), item(ev(7, 5), ev(6, 2), true))]
    );
}

#[test]
fn a_logged_delete_of_an_absent_object_is_missing_from_nothing() {
    assert_eq!(
        rebuild(
            vec![delete(&obj(1), ev(7, 5), ev(7, 4))],
            Missing::new(false)
        ),
        [(obj(1), item(ev(7, 5), ev(0, 0), true))]
    );
}

#[test]
fn missing_items_the_log_does_not_explain_are_kept() {
    let m = missing(&[(obj(10), ev(8, 12), ev(8, 10), false)], false);
    assert_eq!(
        rebuild(vec![delete(&obj(1), ev(7, 5), ev(7, 4))], m),
        // In object order (by hash): object 10 sorts first.
        [
            (obj(10), item(ev(8, 12), ev(8, 10), false)),
            (obj(1), item(ev(7, 5), ev(0, 0), true)),
        ]
    );
}

#[test]
fn only_the_newest_entry_of_an_object_after_last_complete_counts() {
    // Two writes of object 1 (absent on disk) and one of object 0 at or
    // below last_complete: object 1 is missing at its newest version only,
    // object 0 is not looked at.
    let entries = vec![
        modify(&obj(0), ev(6, 3), ev(6, 2)),
        modify(&obj(1), ev(7, 4), ev(0, 0)),
        modify(&obj(1), ev(7, 5), ev(7, 4)),
    ];
    let mut log = PgLog::from_parts(
        plain(EVersion::ZERO, ev(7, 5), entries),
        Missing::new(false),
    )
    .unwrap();
    let mut i = info();
    i.last_complete = ev(6, 3);
    log.rebuild_missing_set_with_deletes(&i, on_disk);
    assert_eq!(
        items(log.missing()),
        [(obj(1), item(ev(7, 5), ev(0, 0), false))]
    );
}

#[test]
fn objects_past_last_backfill_are_not_looked_at() {
    // A backfilling PG has only the objects up to last_backfill; the log's
    // entries for objects beyond it say nothing about what is missing. Object 1
    // (absent on disk) sorts after object 0, the backfill boundary.
    let entries = vec![
        modify(&obj(0), ev(7, 4), ev(6, 2)),
        modify(&obj(1), ev(7, 5), ev(0, 0)),
    ];
    let mut log = PgLog::from_parts(
        plain(EVersion::ZERO, ev(7, 5), entries),
        Missing::new(false),
    )
    .unwrap();
    let mut i = info();
    i.last_backfill = obj(0);
    log.rebuild_missing_set_with_deletes(&i, on_disk);
    // Object 0 (at the boundary, on disk at 6'2) is behind its 7'4 entry.
    assert_eq!(
        items(log.missing()),
        [(obj(0), item(ev(7, 4), ev(6, 2), false))]
    );
}
