//! What every choose call of one `crush_do_rule` evaluation shares.

use std::collections::BTreeMap;

use super::super::bucket::Bucket;
use super::super::choose_args::ChooseArg;
use super::super::map::CrushMap;
use super::choose::bucket_choose;

/// The map, input and weight vector of one mapping, plus the choose_args in force.
pub(crate) struct Ctx<'a> {
    pub(crate) map: &'a CrushMap,
    pub(crate) x: u32,
    pub(crate) weights: &'a [u32],
    pub(crate) args: Option<&'a BTreeMap<i32, ChooseArg>>,
}

/// What a descent step found: a device, a bucket of some type, or an id the map
/// cannot resolve (C would read past its arrays; Ceph's checks treat it as bad).
pub(crate) enum Found<'a> {
    Device,
    Bucket(&'a Bucket),
    Bad,
}

impl<'a> Ctx<'a> {
    /// `crush_bucket_choose` with this bucket's choose_args.
    pub(crate) fn choose(&self, b: &Bucket, r: i32, position: usize) -> i32 {
        let arg = self.args.and_then(|a| a.get(&b.id));
        bucket_choose(b, self.x, r, arg, position)
    }

    /// Classify a chosen item: devices must be below `max_devices` and buckets must
    /// exist, as the mapper's "bad item" checks require.
    pub(crate) fn resolve(&self, item: i32) -> Found<'a> {
        if item >= 0 {
            if item >= self.map.max_devices() {
                Found::Bad
            } else {
                Found::Device
            }
        } else {
            self.map.bucket(item).map_or(Found::Bad, Found::Bucket)
        }
    }
}
