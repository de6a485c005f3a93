//! `PGLog::rebuild_missing_set_with_deletes`: the missing set recomputed from
//! the log and the objects on disk, with deletes in it (the conversion an OSD
//! runs once on a PG whose missing set predates deletes in missing sets).

use alloc::collections::{BTreeMap, BTreeSet};

use super::missing::{Missing, MissingItem};
use super::pg_log::PgLog;
use crate::types::{EVersion, ObjectId, PgInfo};

impl PgLog {
    /// `rebuild_missing_set_with_deletes(store, ch, info)`: walks the log from
    /// the newest entry down to `info.last_complete` and, for the newest
    /// entry of each object up to `info.last_backfill` (errors skipped),
    /// marks the object missing when the object on disk is older than the
    /// entry or absent — a delete included, which is the point. Items the
    /// log does not explain (repairs, EIO handling) are kept. `on_disk` is
    /// the host's answer for an object's stored version (its object info's
    /// `version`), `None` when it does not exist. The missing set then may
    /// include deletes.
    ///
    /// Work: O(entries after `last_complete`) lookups.
    pub fn rebuild_missing_set_with_deletes(
        &mut self,
        info: &PgInfo,
        on_disk: impl Fn(&ObjectId) -> Option<EVersion>,
    ) {
        let extra: BTreeMap<ObjectId, MissingItem> = self
            .missing
            .items()
            .iter()
            .filter(|(oid, _)| !self.log.logged_object(oid))
            .map(|(oid, item)| (oid.clone(), *item))
            .collect();
        let mut missing = Missing::new(true);
        let mut done: BTreeSet<&ObjectId> = BTreeSet::new();
        for e in self.log.entries().iter().rev() {
            if e.version <= info.last_complete {
                break;
            }
            if e.soid > info.last_backfill || e.is_error() || !done.insert(&e.soid) {
                continue;
            }
            match on_disk(&e.soid) {
                Some(v) if v >= e.version => {}
                Some(v) => missing.add(&e.soid, e.version, v, e.is_delete()),
                None => missing.add(&e.soid, e.version, EVersion::ZERO, e.is_delete()),
            }
        }
        for (oid, item) in &extra {
            missing.add(oid, item.need, item.have, item.is_delete());
        }
        self.missing = missing;
        self.dirty = true;
    }
}
