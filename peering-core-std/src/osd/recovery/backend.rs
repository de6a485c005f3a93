//! [`ObjectBackend`]: the object layer the OSD recovers and backfills through
//! (Ceph's `PGBackend`: `objects_list_partial`, the read of `build_push_op`,
//! the write of `submit_push_data`), and [`VersionsOnly`], the default that
//! moves versions and no data.

use std::collections::BTreeMap;
use std::fmt::Debug;

use peering_core::types::{EVersion, ObjectId, SpgId};

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
}

/// The default object layer: which objects each PG holds and at which
/// version, no data. A host that writes objects itself tells it with
/// [`ObjectBackend::write_object`] (through [`super::super::Osd::backend_mut`]).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct VersionsOnly {
    objects: BTreeMap<SpgId, BTreeMap<ObjectId, EVersion>>,
}

impl VersionsOnly {
    /// `pgid`'s objects and versions, in order.
    pub fn objects(&self, pgid: SpgId) -> impl Iterator<Item = (&ObjectId, &EVersion)> + '_ {
        self.objects.get(&pgid).into_iter().flatten()
    }
}

impl ObjectBackend for VersionsOnly {
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
}
