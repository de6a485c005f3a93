//! Where an item sits in the hierarchy: `CrushWrapper::get_parent_of_type` and
//! the helpers it walks with (`find_takes_by_rule`, `get_children_of_type`,
//! `subtree_contains`). Stretch pools ask it for each OSD's site.

use std::collections::BTreeSet;

use super::map::CrushMap;
use super::rule::RuleStep;

impl CrushMap {
    /// `CrushWrapper::get_parent_of_type(item, type_id, rule)`: the bucket of
    /// type `type_id` holding `item`.
    ///
    /// With a rule (`rule >= 0`), the buckets of that type below the rule's
    /// `take` roots are searched in Ceph's order (roots by id, children in
    /// bucket order) for one whose subtree holds `item`; without one, the
    /// non-shadow parents are walked upwards. `None` where Ceph answers 0.
    ///
    /// A device-class rule takes shadow buckets (`dc1~hdd`): the shadow found is
    /// reported as the bucket it shadows (`dc1`), as newer Ceph's
    /// `OSDMap::get_osd_zone` does, so callers compare it with the ids the
    /// monitor writes into a pool (`peering_crush_mandatory_member`).
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
            self.children_of_type(root, type_id, &mut candidates, self.buckets.len());
            if let Some(found) = candidates
                .into_iter()
                .find(|&c| self.subtree_contains(c, item, self.buckets.len()))
            {
                return Some(self.shadowed_bucket(found).unwrap_or(found));
            }
        }
        None
    }

    /// `get_children_of_type(id, type, children, exclude_shadow = false)`: the
    /// buckets of `type_id` at or below `id`, stopping at any bucket of a lower
    /// type. `depth` bounds the recursion on a corrupted (cyclic) map.
    fn children_of_type(&self, id: i32, type_id: i32, out: &mut Vec<i32>, depth: usize) {
        if id >= 0 {
            if type_id == 0 {
                out.push(id);
            }
            return;
        }
        let Some(b) = self.bucket(id) else {
            return;
        };
        if b.type_id < type_id || depth == 0 {
            return;
        }
        if b.type_id == type_id {
            out.push(b.id);
            return;
        }
        for &child in &b.items {
            self.children_of_type(child, type_id, out, depth - 1);
        }
    }

    /// `subtree_contains(root, item)`.
    pub fn subtree_contains(&self, root: i32, item: i32, depth: usize) -> bool {
        if root == item {
            return true;
        }
        if root >= 0 || depth == 0 {
            return false;
        }
        self.bucket(root).is_some_and(|b| {
            b.items
                .iter()
                .any(|&child| self.subtree_contains(child, item, depth - 1))
        })
    }

    /// The bucket `shadow` stands for, when it is a device-class shadow
    /// (`class_bucket` read backwards).
    fn shadowed_bucket(&self, shadow: i32) -> Option<i32> {
        self.class_bucket
            .iter()
            .find(|(_, by_class)| by_class.values().any(|&s| s == shadow))
            .map(|(&original, _)| original)
    }
}
