//! [`ObjectBackend`]: the object layer the OSD recovers and backfills through
//! (Ceph's `PGBackend`: `objects_list_partial`, the read of `build_push_op`,
//! the write of `submit_push_data`), and [`VersionsOnly`], the default that
//! moves versions and no data.

use std::collections::BTreeMap;
use std::fmt::Debug;

use peering_core::log::{LogEffect, LogEntry, Missing};
use peering_core::types::{EVersion, ObjectId, SpgId, Version};

use crate::store::collection::{InMemory, apply_effect, apply_new_entry};

/// The host's object layer, as recovery and backfill use it. Every call is
/// about this OSD's own instance of `pgid`.
pub trait ObjectBackend: Debug + Send {
    /// `objects_list_partial`: at most `max` objects of `pgid` sorting after
    /// `after` (from the first when `None`), ascending, each with its version.
    fn objects_list(
        &self,
        pgid: SpgId,
        after: Option<&ObjectId>,
        max: usize,
    ) -> Vec<(ObjectId, EVersion)>;

    /// The version `oid` is stored at in `pgid` (its object info's
    /// `version`), `None` when it does not exist: the `prior_version` of the
    /// next write to it.
    fn object_version(&self, pgid: SpgId, oid: &ObjectId) -> Option<EVersion> {
        // A provided default through the listing; implementations with an
        // index answer directly.
        let mut after: Option<ObjectId> = None;
        loop {
            let page = self.objects_list(pgid, after.as_ref(), 1024);
            let last = page.last().map(|(o, _)| o.clone());
            if let Some((_, v)) = page.iter().find(|(o, _)| o == oid) {
                return Some(*v);
            }
            match last {
                Some(l) if l < *oid => after = Some(l),
                _ => return None,
            }
        }
    }

    /// `build_push_op`'s read: the data to push for `oid` (empty when the
    /// object layer moves no data).
    fn read_object(&self, pgid: SpgId, oid: &ObjectId) -> Vec<u8>;

    /// `submit_push_data` / the removal of a delete: store `oid` at `version`
    /// with `data`, or remove it when `delete`.
    fn write_object(
        &mut self,
        pgid: SpgId,
        oid: &ObjectId,
        version: EVersion,
        delete: bool,
        data: &[u8],
    );

    /// The write a newly logged entry stands for
    /// (`ReplicatedBackend::submit_transaction` on the primary, `do_repop` on
    /// a replica): the object at the entry's version, or removed for a
    /// delete; nothing while `missing` says the object still needs that
    /// version (a backfill target beyond its `last_backfill`: recovery brings
    /// the data).
    fn apply_new_entry(&mut self, pgid: SpgId, entry: &LogEntry, missing: &Missing);

    /// The object side of a transaction the PG made, in order: a divergent
    /// entry rolled back, an object removed, a stash made or dropped
    /// (`PGBackend::rollback`, `remove`, `try_stash`, `trim`). The OSD applies
    /// each effect when it hands the transaction to the store, so what the
    /// object layer pushes always matches the log.
    fn apply_log_effect(&mut self, pgid: SpgId, effect: &LogEffect);

    /// `split_collection`: the objects of `parent` that hash to `child` under
    /// `split_bits` (their hash's low `split_bits` bits equal the child's
    /// seed) move to `child`, with their versions and data.
    fn split(&mut self, parent: SpgId, child: SpgId, split_bits: u32);

    /// `merge_collection`: every object of `source` (and its data) moves to
    /// `target`, and `source` holds nothing after.
    fn merge(&mut self, target: SpgId, source: SpgId);
}

/// The default object layer: which objects each PG holds and at which
/// version, no data. A host that writes objects itself tells it with
/// [`ObjectBackend::write_object`] (through [`super::super::Osd::backend_mut`]).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct VersionsOnly {
    objects: BTreeMap<SpgId, BTreeMap<ObjectId, EVersion>>,
    /// Stashed objects (`ghobject_t(oid, version)`) a rollback may restore.
    stashes: BTreeMap<SpgId, BTreeMap<(ObjectId, Version), EVersion>>,
}

impl VersionsOnly {
    /// `pgid`'s collection, for the object-side code the stores share.
    fn collection(&mut self, pgid: SpgId) -> InMemory<'_> {
        InMemory {
            objects: self.objects.entry(pgid).or_default(),
            stashes: self.stashes.entry(pgid).or_default(),
        }
    }

    /// `pgid`'s objects and versions, in order.
    pub fn objects(&self, pgid: SpgId) -> impl Iterator<Item = (&ObjectId, &EVersion)> + '_ {
        self.objects.get(&pgid).into_iter().flatten()
    }
}

impl ObjectBackend for VersionsOnly {
    fn object_version(&self, pgid: SpgId, oid: &ObjectId) -> Option<EVersion> {
        self.objects.get(&pgid)?.get(oid).copied()
    }

    fn objects_list(
        &self,
        pgid: SpgId,
        after: Option<&ObjectId>,
        max: usize,
    ) -> Vec<(ObjectId, EVersion)> {
        let Some(objs) = self.objects.get(&pgid) else {
            return Vec::new();
        };
        objs.iter()
            .filter(|(o, _)| after.is_none_or(|a| *o > a))
            .take(max)
            .map(|(o, v)| (o.clone(), *v))
            .collect()
    }

    fn read_object(&self, _pgid: SpgId, _oid: &ObjectId) -> Vec<u8> {
        Vec::new()
    }

    fn write_object(
        &mut self,
        pgid: SpgId,
        oid: &ObjectId,
        version: EVersion,
        delete: bool,
        _data: &[u8],
    ) {
        let objs = self.objects.entry(pgid).or_default();
        if delete {
            objs.remove(oid);
        } else {
            objs.insert(oid.clone(), version);
        }
    }

    fn apply_new_entry(&mut self, pgid: SpgId, entry: &LogEntry, missing: &Missing) {
        let Ok(()) = apply_new_entry(&mut self.collection(pgid), entry, missing);
    }

    fn apply_log_effect(&mut self, pgid: SpgId, effect: &LogEffect) {
        let Ok(()) = apply_effect(&mut self.collection(pgid), effect);
    }

    fn split(&mut self, parent: SpgId, child: SpgId, split_bits: u32) {
        let ours = |o: &ObjectId| o.matches(split_bits, child.pgid.seed);
        move_to_child(&mut self.objects, (parent, child), |o| ours(o));
        move_to_child(&mut self.stashes, (parent, child), |(o, _)| ours(o));
    }

    fn merge(&mut self, target: SpgId, source: SpgId) {
        if let Some(mut from) = self.objects.remove(&source) {
            self.objects.entry(target).or_default().append(&mut from);
        }
        if let Some(mut from) = self.stashes.remove(&source) {
            self.stashes.entry(target).or_default().append(&mut from);
        }
    }
}

/// Moves the entries of `parent`'s map whose key `goes` to `child`'s.
fn move_to_child<K: Ord + Clone, V>(
    maps: &mut BTreeMap<SpgId, BTreeMap<K, V>>,
    (parent, child): (SpgId, SpgId),
    goes: impl Fn(&K) -> bool,
) {
    let Some(mut from) = maps.remove(&parent) else {
        return;
    };
    let to = maps.entry(child).or_default();
    crate::store::collection::move_matching(&mut from, to, goes);
    if to.is_empty() {
        maps.remove(&child);
    }
    maps.insert(parent, from);
}

#[cfg(test)]
mod tests {
    use peering_core::types::PgId;

    use super::*;

    /// The version `be` holds of `oid` in `pg`.
    fn version(be: &VersionsOnly, pg: SpgId, oid: &ObjectId) -> Option<EVersion> {
        be.objects(pg).find(|(o, _)| *o == oid).map(|(_, v)| *v)
    }

    #[test]
    fn log_effects_roll_the_object_layer_back_as_the_store_does() {
        use peering_core::log::{LogOp, ModDesc, RollbackStep};
        let pg = SpgId::replicated(PgId::new(1, 0));
        let (b_obj, c_obj) = (ObjectId::new(1, 2, "b"), ObjectId::new(1, 3, "c"));
        let mut be = VersionsOnly::default();
        be.write_object(pg, &b_obj, EVersion::new(5, 2), false, &[]);
        be.write_object(pg, &c_obj, EVersion::new(5, 3), false, &[]);
        // `c` is stashed by its delete, `b` was created by a divergent write.
        be.apply_log_effect(
            pg,
            &LogEffect::TryStash {
                soid: c_obj.clone(),
                version: 7,
            },
        );
        assert_eq!(version(&be, pg, &c_obj), None);
        let mut del_c = LogEntry::new(
            LogOp::Delete,
            c_obj.clone(),
            EVersion::new(6, 7),
            EVersion::new(5, 3),
        );
        let mut md = ModDesc::default();
        md.push(RollbackStep::Delete { old_version: 7 });
        del_c.mod_desc = md;
        let mut create_b = LogEntry::new(
            LogOp::Modify,
            b_obj.clone(),
            EVersion::new(5, 2),
            EVersion::ZERO,
        );
        let mut md = ModDesc::default();
        md.push(RollbackStep::Create);
        create_b.mod_desc = md;
        be.apply_log_effect(pg, &LogEffect::Rollback(del_c));
        be.apply_log_effect(pg, &LogEffect::Rollback(create_b));
        assert_eq!(version(&be, pg, &c_obj), Some(EVersion::new(5, 3)));
        assert_eq!(version(&be, pg, &b_obj), None);
    }

    #[test]
    fn split_moves_the_objects_that_hash_to_the_child() {
        let parent = SpgId::replicated(PgId::new(1, 1));
        let child = SpgId::replicated(PgId::new(1, 5));
        let mut b = VersionsOnly::default();
        // Under 3 split bits, hashes ending in 0b101 belong to 1.5.
        for (name, hash) in [("a", 0x11), ("b", 0x15), ("c", 0x25), ("d", 0x09)] {
            let o = ObjectId::new(1, hash, name);
            b.write_object(parent, &o, EVersion::new(1, u64::from(hash)), false, &[]);
        }
        b.split(parent, child, 3);
        let names = |pg| -> std::collections::BTreeSet<String> {
            b.objects(pg).map(|(o, _)| o.name.to_string()).collect()
        };
        assert_eq!(names(child), ["b".to_string(), "c".to_string()].into());
        assert_eq!(names(parent), ["a".to_string(), "d".to_string()].into());
        let versions: Vec<EVersion> = b
            .objects_list(child, None, 10)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert!(versions.contains(&EVersion::new(1, 0x15)), "{versions:?}");
    }
}
