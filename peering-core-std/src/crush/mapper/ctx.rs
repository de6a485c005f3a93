//! What every choose call of one `crush_do_rule` evaluation shares.

use std::cell::RefCell;
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
    /// The uniform buckets' permutation scratch, from the caller's workspace.
    pub(crate) perm: &'a RefCell<Vec<u32>>,
}

/// What the descent does with a chosen item.
pub(crate) enum Next<'a> {
    /// The item has the wanted type: a device (`None`) or a bucket.
    Target(Option<&'a Bucket>),
    /// A bucket of another type: keep descending into it.
    Descend(&'a Bucket),
    /// An id the map cannot resolve, a device when a bucket type is wanted, or a
    /// descent deeper than the map has buckets (only a cyclic, deserialized map gets
    /// there): Ceph's "bad item", which skips the replica (firstn) or leaves a hole
    /// (indep).
    Bad,
}

impl<'a> Ctx<'a> {
    /// `crush_bucket_choose` with this bucket's choose_args.
    pub(crate) fn choose(&self, b: &Bucket, r: i32, position: usize) -> i32 {
        let arg = self.args.and_then(|a| a.get(&b.id));
        self.with_perm(|perm| bucket_choose(b, self.x, r, arg, position, perm))
    }

    /// Runs `f` with the permutation scratch (a fresh one in the impossible case
    /// that it is already in use: choosing never nests).
    pub(crate) fn with_perm<T>(&self, f: impl FnOnce(&mut Vec<u32>) -> T) -> T {
        match self.perm.try_borrow_mut() {
            Ok(mut perm) => f(&mut perm),
            Err(_) => f(&mut Vec::new()),
        }
    }

    /// Classify a chosen item for a descent looking for `type_id` that has already
    /// gone `depth` buckets down: devices must be below `max_devices` and buckets must
    /// exist, as the mapper's checks require.
    pub(crate) fn classify(&self, item: i32, type_id: i32, depth: i32) -> Next<'a> {
        if item >= 0 {
            return if item < self.map.max_devices() && type_id == 0 {
                Next::Target(None)
            } else {
                Next::Bad
            };
        }
        match self.map.bucket(item) {
            Some(b) if b.type_id == type_id => Next::Target(Some(b)),
            Some(b) if depth < self.map.max_buckets() => Next::Descend(b),
            _ => Next::Bad,
        }
    }
}
