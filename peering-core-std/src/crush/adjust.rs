//! Reading and changing one item's CRUSH weight, as `CrushWrapper` does it:
//! `get_item_weight` and `adjust_item_weight` (with the weight sets kept
//! summing, `choose_args_adjust_item_weight`). `osdmaptool --mark-up-in` uses
//! them to give zero-weight devices a weight of one.

use super::bucket::Bucket;
use super::{BucketAlg, CrushMap};

impl CrushMap {
    /// `CrushWrapper::get_item_weight`: a bucket's own weight, or a device's
    /// weight in the first bucket (lowest index) that holds it; `None` when no
    /// bucket does (Ceph returns `-ENOENT`).
    pub fn item_weight(&self, id: i32) -> Option<u32> {
        for b in self.buckets.iter().flatten() {
            if b.id == id {
                return Some(b.weight);
            }
            if let Some(pos) = b.items.iter().position(|i| *i == id) {
                return Some(b.item_weight(pos));
            }
        }
        None
    }

    /// `CrushWrapper::adjust_item_weight(id, weight, update_weight_sets)`:
    /// sets `id`'s weight (16.16) in every bucket that holds it, carries each
    /// bucket's new total up to its parents, and keeps every weight set
    /// summing to its children. Returns how many buckets held the item (0:
    /// none, Ceph's `-ENOENT`).
    ///
    /// Work: each level rescans the buckets, so the cost is O(buckets ×
    /// depth) per call, as in Ceph.
    pub fn adjust_item_weight(&mut self, id: i32, weight: u32, update_weight_sets: bool) -> usize {
        let mut changed = 0;
        for bucket_id in self.bucket_ids() {
            if self.adjust_item_weight_in_bucket(id, weight, bucket_id, update_weight_sets) > 0 {
                changed += 1;
            }
        }
        changed
    }

    /// `CrushWrapper::adjust_item_weight_in_bucket`.
    fn adjust_item_weight_in_bucket(
        &mut self,
        id: i32,
        weight: u32,
        bucket_id: i32,
        update_weight_sets: bool,
    ) -> usize {
        let straw_calc_version = self.tunables.straw_calc_version;
        let Some(index) = bucket_index(bucket_id) else {
            return 0;
        };
        let positions: Vec<usize> = match self.buckets.get(index).and_then(|b| b.as_ref()) {
            Some(b) => b
                .items
                .iter()
                .enumerate()
                .filter(|(_, i)| **i == id)
                .map(|(p, _)| p)
                .collect(),
            None => return 0,
        };
        let mut changed = 0;
        for pos in positions {
            if update_weight_sets {
                for args in self.choose_args.values_mut() {
                    if let Some(arg) = args.get_mut(&bucket_id) {
                        for set in &mut arg.weight_set {
                            if let Some(w) = set.get_mut(pos) {
                                *w = weight;
                            }
                        }
                    }
                }
            }
            let Some(b) = self.buckets.get_mut(index).and_then(|b| b.as_mut()) else {
                return changed;
            };
            bucket_adjust_item_weight(b, pos, weight, straw_calc_version);
            let total = b.weight;
            self.adjust_item_weight(bucket_id, total, false);
            changed += 1;
        }
        // Keep the weight sets summing: this bucket's entry in its parents
        // becomes the sum of its own weight-set entries, position by position.
        let size = self
            .buckets
            .get(index)
            .and_then(|b| b.as_ref())
            .map_or(0, |b| b.items.len());
        let indexes: Vec<i64> = self.choose_args.keys().copied().collect();
        for ci in indexes {
            let sums = match self.choose_args.get(&ci).and_then(|a| a.get(&bucket_id)) {
                Some(arg) if !arg.weight_set.is_empty() => arg
                    .weight_set
                    .iter()
                    .map(|set| set.iter().take(size).fold(0u32, |a, w| a.wrapping_add(*w)))
                    .collect::<Vec<u32>>(),
                _ => continue,
            };
            self.choose_args_adjust_item_weight(ci, bucket_id, &sums);
        }
        changed
    }

    /// `CrushWrapper::choose_args_adjust_item_weight`: in weight set `ci`,
    /// sets `id`'s per-position weights in every bucket holding it. As in
    /// Ceph, a bucket without a weight set gets one (its item weights, in as
    /// many positions as the other buckets use) on the way.
    fn choose_args_adjust_item_weight(&mut self, ci: i64, id: i32, weights: &[u32]) -> usize {
        let mut changed = 0;
        for bucket_id in self.bucket_ids() {
            changed += self.choose_args_adjust_in_bucket(ci, bucket_id, id, weights);
        }
        changed
    }

    /// `CrushWrapper::_choose_args_adjust_item_weight_in_bucket`.
    fn choose_args_adjust_in_bucket(
        &mut self,
        ci: i64,
        bucket_id: i32,
        id: i32,
        weights: &[u32],
    ) -> usize {
        let Some(index) = bucket_index(bucket_id) else {
            return 0;
        };
        let Some(b) = self.buckets.get(index).and_then(|b| b.as_ref()) else {
            return 0;
        };
        let items = b.items.clone();
        let item_weights: Vec<u32> = (0..items.len()).map(|p| b.item_weight(p)).collect();
        let Some(args) = self.choose_args.get_mut(&ci) else {
            return 0;
        };
        let positions = args
            .values()
            .map(|a| a.weight_set.len())
            .find(|n| *n > 0)
            .unwrap_or(1);
        let mut changed = 0;
        let arg = args.entry(bucket_id).or_default();
        if arg.weight_set.is_empty() {
            arg.weight_set = vec![item_weights; positions];
            changed += 1;
        }
        if arg.weight_set.len() != weights.len() {
            return 0;
        }
        for (pos, item) in items.iter().enumerate() {
            if *item == id {
                for (set, w) in arg.weight_set.iter_mut().zip(weights) {
                    if let Some(slot) = set.get_mut(pos) {
                        *slot = *w;
                    }
                }
                changed += 1;
            }
        }
        if changed > 0 {
            let sums: Vec<u32> = arg
                .weight_set
                .iter()
                .map(|set| set.iter().fold(0u32, |a, w| a.wrapping_add(*w)))
                .collect();
            self.choose_args_adjust_item_weight(ci, bucket_id, &sums);
        }
        changed
    }
}

impl CrushMap {
    /// Every bucket's id, in slot order (the order Ceph's loops over
    /// `crush->buckets` visit them), taken up front: the loops change buckets.
    fn bucket_ids(&self) -> Vec<i32> {
        self.buckets.iter().flatten().map(|b| b.id).collect()
    }
}

/// A bucket id's slot (`-1 - id`).
fn bucket_index(id: i32) -> Option<usize> {
    usize::try_from(-1i64 - i64::from(id)).ok()
}

/// `crush_bucket_adjust_item_weight`: the item's new weight, the bucket's total
/// moved by the difference (wrapping, as Ceph's `__u32`), derived arrays
/// rebuilt. A uniform bucket has one item weight, so every item takes it.
fn bucket_adjust_item_weight(b: &mut Bucket, pos: usize, weight: u32, straw_calc_version: u8) {
    let old_total = b.weight;
    let old = b.item_weight(pos);
    let diff = weight.wrapping_sub(old);
    let diff = if b.alg == BucketAlg::Uniform {
        b.item_weights.iter_mut().for_each(|w| *w = weight);
        diff.wrapping_mul(b.items.len() as u32)
    } else {
        if let Some(w) = b.item_weights.get_mut(pos) {
            *w = weight;
        }
        diff
    };
    b.recompute(straw_calc_version);
    b.weight = old_total.wrapping_add(diff);
}
