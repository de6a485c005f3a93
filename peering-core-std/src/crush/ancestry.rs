//! Where an item sits in the hierarchy: `CrushWrapper::get_parent_of_type` and
//! the helpers it walks with (`find_takes_by_rule`, `get_children_of_type`,
//! `subtree_contains`). Stretch pools ask it for each OSD's site.
//!
//! A valid map is acyclic but may share buckets between parents (a DAG), where
//! Ceph's recursive walks can revisit a subtree exponentially often. Each walk
//! here remembers the buckets it has entered, so a decoded map costs at most
//! one visit per bucket and item per candidate, with the same answers.

use std::collections::BTreeSet;

use super::map::CrushMap;
use super::rule::RuleStep;

impl CrushMap {
    /// `CrushWrapper::get_parent_of_type(item, type_id, rule)`: the bucket of
    /// type `type_id` holding `item`, as Ceph answers it.
    ///
    /// With a rule (`rule >= 0`), the buckets of that type below the rule's
    /// `take` roots are searched in Ceph's order (roots by id, children in
    /// bucket order) for one whose subtree holds `item`; a device-class rule
    /// takes shadow trees, so the answer is then a shadow bucket
    /// (see [`CrushMap::shadowed_bucket`]). Without one, the non-shadow
    /// parents are walked upwards. `None` where Ceph answers 0.
    pub fn get_parent_of_type(&self, item: i32, type_id: i32, rule: i32) -> Option<i32> {
        if rule < 0 {
            let mut cur = item;
            // A valid map is acyclic; the bound keeps a corrupted one from looping.
            for _ in 0..=self.buckets.len() {
                cur = self.parent_of(cur)?;
                if self.bucket(cur).is_some_and(|b| b.type_id == type_id) {
                    return Some(cur);
                }
            }
            return None;
        }
        let roots: BTreeSet<i32> = self
            .rule(rule)?
            .steps
            .iter()
            .filter_map(|s| match s {
                RuleStep::Take(root) => Some(*root),
                _ => None,
            })
            .collect();
        for root in roots {
            let mut candidates = Vec::new();
            self.children_of_type(root, type_id, &mut candidates, &mut BTreeSet::new());
            if let Some(found) = candidates
                .into_iter()
                .find(|&c| self.subtree_contains(c, item))
            {
                return Some(found);
            }
        }
        None
    }

    /// `get_children_of_type(id, type, children, exclude_shadow = false)`: the
    /// buckets of `type_id` at or below `id`, stopping at any bucket of a lower
    /// type; a bucket reached twice is listed once.
    fn children_of_type(
        &self,
        id: i32,
        type_id: i32,
        out: &mut Vec<i32>,
        seen: &mut BTreeSet<i32>,
    ) {
        if id >= 0 {
            if type_id == 0 && !out.contains(&id) {
                out.push(id);
            }
            return;
        }
        if !seen.insert(id) {
            return;
        }
        let Some(b) = self.bucket(id) else {
            return;
        };
        if b.type_id < type_id {
            return;
        }
        if b.type_id == type_id {
            out.push(b.id);
            return;
        }
        for &child in &b.items {
            self.children_of_type(child, type_id, out, seen);
        }
    }

    /// `subtree_contains(root, item)`: `item` is `root` or lies below it.
    pub fn subtree_contains(&self, root: i32, item: i32) -> bool {
        self.subtree_contains_seen(root, item, &mut BTreeSet::new())
    }

    fn subtree_contains_seen(&self, root: i32, item: i32, seen: &mut BTreeSet<i32>) -> bool {
        if root == item {
            return true;
        }
        if root >= 0 || !seen.insert(root) {
            return false;
        }
        self.bucket(root).is_some_and(|b| {
            b.items
                .iter()
                .any(|&child| self.subtree_contains_seen(child, item, seen))
        })
    }

    /// The bucket `shadow` stands for, when it is a device-class shadow
    /// (`dc1~hdd` → `dc1`, `class_bucket` read backwards); `None` for a bucket
    /// that shadows nothing.
    pub fn shadowed_bucket(&self, shadow: i32) -> Option<i32> {
        self.class_bucket
            .iter()
            .find(|(_, by_class)| by_class.values().any(|&s| s == shadow))
            .map(|(&original, _)| original)
    }

    /// Newer Ceph's `OSDMap::get_osd_zone`: [`CrushMap::get_parent_of_type`]
    /// with a device-class shadow answered as the bucket it shadows, so that it
    /// compares equal to the ids the monitor writes into a pool
    /// (`peering_crush_mandatory_member`). What stretch pools ask.
    pub fn osd_zone(&self, osd: i32, type_id: i32, rule: i32) -> Option<i32> {
        let found = self.get_parent_of_type(osd, type_id, rule)?;
        Some(self.shadowed_bucket(found).unwrap_or(found))
    }
}
