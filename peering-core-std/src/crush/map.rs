//! The CRUSH map (`struct crush_map` plus `CrushWrapper`'s names and device
//! classes;.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::bucket::Bucket;
use super::choose_args::ChooseArg;
use super::error::CrushError;
use super::rule::Rule;
use super::tunables::Tunables;

/// A complete CRUSH map: hierarchy, rules, tunables, names and device classes.
///
/// Buckets live at index `-1 - id` like Ceph's `buckets[]`, so the mapper's lookups
/// and its bounds checks (`max_buckets`) are the same as in C. Shadow buckets for
/// device classes (`host~ssd`) are ordinary buckets whose name contains `~`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrushMap {
    /// Map-wide tunables.
    pub tunables: Tunables,
    pub(crate) buckets: Vec<Option<Bucket>>,
    pub(crate) rules: Vec<Option<Rule>>,
    pub(crate) max_devices: i32,
    /// Type id → name (`type 1 host`).
    pub(crate) type_names: BTreeMap<i32, String>,
    /// Item id (device or bucket) → name.
    pub(crate) item_names: BTreeMap<i32, String>,
    /// Item id → device class id (devices and shadow buckets).
    pub(crate) class_map: BTreeMap<i32, i32>,
    /// Class id → class name.
    pub(crate) class_names: BTreeMap<i32, String>,
    /// Original bucket → class id → shadow bucket.
    pub(crate) class_bucket: BTreeMap<i32, BTreeMap<i32, i32>>,
    /// choose_args index (pool id, or -1 for the default) → bucket id → args.
    pub(crate) choose_args: BTreeMap<i64, BTreeMap<i32, ChooseArg>>,
}

/// `is_valid_crush_name`: non-empty, only ASCII letters, digits, `-`, `_` and `.`.
pub fn is_valid_crush_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Index of bucket `id` in the bucket array (`-1 - id`), if `id` is a bucket id.
pub(crate) fn bucket_index(id: i32) -> Option<usize> {
    if id < 0 {
        usize::try_from(-1i64 - i64::from(id)).ok()
    } else {
        None
    }
}

impl CrushMap {
    /// An empty map with default (optimal) tunables.
    pub fn new() -> CrushMap {
        CrushMap::default()
    }

    /// `max_devices`: one past the highest device id found in any bucket (computed
    /// by `crush_finalize`); also the size a weight vector should have.
    pub fn max_devices(&self) -> i32 {
        self.max_devices
    }

    /// `max_buckets`: length of the bucket array.
    pub fn max_buckets(&self) -> i32 {
        i32::try_from(self.buckets.len()).unwrap_or(i32::MAX)
    }

    /// `CrushWrapper::get_bucket(id)`: the bucket with id `id`, if it exists (the
    /// mapper's `map->buckets[-1-id]` with its bounds and null checks).
    pub fn bucket(&self, id: i32) -> Option<&Bucket> {
        bucket_index(id)
            .and_then(|i| self.buckets.get(i))
            .and_then(Option::as_ref)
    }

    pub(crate) fn bucket_mut(&mut self, id: i32) -> Option<&mut Bucket> {
        bucket_index(id)
            .and_then(|i| self.buckets.get_mut(i))
            .and_then(Option::as_mut)
    }

    /// All buckets in id order from -1 downwards.
    pub fn buckets(&self) -> impl Iterator<Item = &Bucket> {
        self.buckets.iter().flatten()
    }

    /// `CrushWrapper::get_rule(id)`: the rule with id `id`, if it exists.
    pub fn rule(&self, id: i32) -> Option<&Rule> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.rules.get(i))
            .and_then(Option::as_ref)
    }

    /// All rules in id order.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().flatten()
    }

    /// `CrushWrapper::get_item_name`: name of an item (device `osd.3`, bucket
    /// `host1`, shadow `host1~ssd`).
    pub fn item_name(&self, id: i32) -> Option<&str> {
        self.item_names.get(&id).map(String::as_str)
    }

    /// `CrushWrapper::get_item_id`: id of a named item.
    pub fn item_id(&self, name: &str) -> Option<i32> {
        self.item_names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(&id, _)| id)
    }

    /// `CrushWrapper::get_type_id`: id of a named type.
    pub fn type_id(&self, name: &str) -> Option<i32> {
        self.type_names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(&id, _)| id)
    }

    /// `CrushWrapper::get_type_name`: name of a type id.
    pub fn type_name(&self, id: i32) -> Option<&str> {
        self.type_names.get(&id).map(String::as_str)
    }

    /// `CrushWrapper::get_item_class`: device class name of an item, if it has one.
    pub fn item_class(&self, id: i32) -> Option<&str> {
        self.class_map
            .get(&id)
            .and_then(|c| self.class_names.get(c))
            .map(String::as_str)
    }

    /// `CrushWrapper::get_class_id`: id of a device class name.
    pub fn class_id(&self, name: &str) -> Option<i32> {
        self.class_names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(&id, _)| id)
    }

    /// The shadow bucket of `bucket` for class `class` (`class_bucket`), as used by
    /// `step take <bucket> class <class>`.
    pub fn class_shadow(&self, bucket: i32, class: &str) -> Option<i32> {
        let cid = self.class_id(class)?;
        self.class_bucket
            .get(&bucket)
            .and_then(|m| m.get(&cid))
            .copied()
    }

    /// `is_shadow_item`: an item whose name is not a valid CRUSH name; shadow
    /// buckets are named `<original>~<class>`, which no user name can be.
    pub fn is_shadow(&self, id: i32) -> bool {
        self.item_name(id).is_some_and(|n| !is_valid_crush_name(n))
    }

    /// `CrushWrapper::choose_args_get(index)`: the choose_args set registered under
    /// `index` (a pool id, or [`DEFAULT_CHOOSE_ARGS`](super::DEFAULT_CHOOSE_ARGS)), if any.
    pub fn choose_args(&self, index: i64) -> Option<&BTreeMap<i32, ChooseArg>> {
        self.choose_args.get(&index)
    }

    /// `get_immediate_parent_id`: the first non-shadow bucket (in id order from -1)
    /// that contains `item`.
    pub fn parent_of(&self, item: i32) -> Option<i32> {
        self.buckets()
            .filter(|b| !self.is_shadow(b.id))
            .find(|b| b.items.contains(&item))
            .map(|b| b.id)
    }

    /// The ancestor of `osd` whose type is `type_name` (e.g. its host), walking up the
    /// non-shadow hierarchy. Used to check that replicas sit in distinct failure
    /// domains.
    pub fn parent_of_type(&self, osd: i32, type_name: &str) -> Option<i32> {
        let want = self.type_id(type_name)?;
        let mut cur = osd;
        // A valid map is acyclic; the bound keeps a corrupted one from looping.
        for _ in 0..=self.buckets.len() {
            let parent = self.parent_of(cur)?;
            if self.bucket(parent).is_some_and(|b| b.type_id == want) {
                return Some(parent);
            }
            cur = parent;
        }
        None
    }

    /// `CrushWrapper::find_rule(ruleset, type, size)` as Luminous to Pacific
    /// have it: every rule's ruleset equals its id (`have_uniform_rules`), and
    /// the rule serves the pool only when its type matches and `size` lies in
    /// its `min_size..=max_size` mask. Quincy dropped the mask and maps with
    /// the pool's rule directly.
    pub fn find_rule(&self, ruleset: i32, rule_type: u8, size: u32) -> Option<i32> {
        self.rule(ruleset)
            .filter(|r| r.rule_type == rule_type && r.min_size <= size && size <= r.max_size)
            .map(|r| r.id)
    }

    /// `CrushWrapper::get_rule_id`: rule id for a rule name.
    pub fn rule_id(&self, name: &str) -> Option<i32> {
        self.rules().find(|r| r.name == name).map(|r| r.id)
    }

    /// `crush_finalize`: recompute `max_devices` from the bucket contents.
    pub(crate) fn finalize(&mut self) {
        let max_item = self
            .buckets()
            .flat_map(|b| b.items.iter().copied())
            .filter(|&i| i >= 0)
            .max();
        self.max_devices = max_item.map_or(0, |m| m.saturating_add(1));
    }

    /// Insert a bucket at its id's slot, growing the array as
    /// `crush_add_bucket` does (to 8 slots, then doubling), so `max_buckets`
    /// and the encoded map are crushtool's.
    pub(crate) fn insert_bucket(&mut self, bucket: Bucket) -> Result<(), CrushError> {
        let id = bucket.id;
        let idx = bucket_index(id).ok_or(CrushError::InvalidId(id))?;
        let mut len = self.buckets.len();
        while idx >= len {
            len = if len == 0 { 8 } else { len.saturating_mul(2) };
        }
        if len > self.buckets.len() {
            self.buckets.resize(len, None);
        }
        put_slot(&mut self.buckets, idx, bucket, "bucket id", id)
    }

    /// Insert a rule at its id's slot.
    pub(crate) fn insert_rule(&mut self, rule: Rule) -> Result<(), CrushError> {
        let id = rule.id;
        let idx = usize::try_from(id).map_err(|_| CrushError::InvalidId(id))?;
        put_slot(&mut self.rules, idx, rule, "rule id", id)
    }

    /// Reject hierarchies Ceph cannot evaluate: a bucket naming a missing bucket, or a
    /// cycle (the C mapper would recurse forever). Maps from the builder and the parser
    /// are checked already; call this on maps obtained by deserialization.
    pub fn validate(&self) -> Result<(), CrushError> {
        for b in self.buckets() {
            for &it in &b.items {
                if it < 0 && self.bucket(it).is_none() {
                    return Err(CrushError::UnknownItem(it.to_string()));
                }
            }
        }
        // Depth-first search with colours: 1 = on the stack, 2 = done.
        let mut colour: BTreeMap<i32, u8> = BTreeMap::new();
        for root in self.buckets().map(|b| b.id) {
            if colour.contains_key(&root) {
                continue;
            }
            let mut stack: Vec<(i32, usize)> = vec![(root, 0)];
            colour.insert(root, 1);
            while let Some((id, pos)) = stack.pop() {
                let child = self.bucket(id).and_then(|b| b.items.get(pos).copied());
                match child {
                    Some(c) => {
                        stack.push((id, pos + 1));
                        if c < 0 {
                            match colour.get(&c) {
                                Some(1) => return Err(CrushError::Cycle(c)),
                                Some(_) => {}
                                None => {
                                    colour.insert(c, 1);
                                    stack.push((c, 0));
                                }
                            }
                        }
                    }
                    None => {
                        colour.insert(id, 2);
                    }
                }
            }
        }
        Ok(())
    }

    /// Buckets that no other bucket contains and that are not shadows
    /// (`find_nonshadow_roots`), in ascending id order as Ceph's `set<int>` yields.
    pub(crate) fn nonshadow_roots(&self) -> BTreeSet<i32> {
        let contained: BTreeSet<i32> = self
            .buckets()
            .flat_map(|b| b.items.iter().copied())
            .collect();
        self.buckets()
            .map(|b| b.id)
            .filter(|id| !contained.contains(id) && !self.is_shadow(*id))
            .collect()
    }
}

/// Store `value` in the empty slot `idx` of a C-style sparse array, growing it;
/// an occupied slot is a duplicate id.
fn put_slot<T: Clone>(
    v: &mut Vec<Option<T>>,
    idx: usize,
    value: T,
    what: &'static str,
    id: i32,
) -> Result<(), CrushError> {
    if v.len() <= idx {
        v.resize(idx + 1, None);
    }
    match v.get_mut(idx) {
        Some(slot @ None) => {
            *slot = Some(value);
            Ok(())
        }
        _ => Err(CrushError::Duplicate {
            what,
            name: id.to_string(),
        }),
    }
}
