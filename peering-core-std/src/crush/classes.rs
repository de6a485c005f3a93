//! Device classes: shadow hierarchies per class (`CrushWrapper::populate_classes` and
//! `device_class_clone`), so `step take default class ssd` walks only ssd devices.

use std::collections::{BTreeMap, BTreeSet};

use super::bucket::Bucket;
use super::error::CrushError;
use super::map::CrushMap;

/// Original bucket → class id → shadow bucket id.
pub(crate) type ClassBuckets = BTreeMap<i32, BTreeMap<i32, i32>>;

impl CrushMap {
    /// `get_or_create_class_id`: classes are numbered in order of first use, each new
    /// one taking the highest id so far plus one.
    pub(crate) fn get_or_create_class_id(&mut self, name: &str) -> i32 {
        if let Some(id) = self.class_id(name) {
            return id;
        }
        let id = self
            .class_names
            .keys()
            .next_back()
            .map_or(0, |&k| k.saturating_add(1));
        self.class_names.insert(id, name.to_string());
        id
    }

    /// `populate_classes(old_class_bucket)`: for every non-shadow root (ascending id)
    /// and every class (ascending class id), clone the root's subtree keeping only the
    /// devices of that class. Shadow ids come from `old` when given (a decompiled map
    /// names them), otherwise the first free id counting down from -1 that neither an
    /// existing bucket nor `old` uses, as Ceph allocates them.
    pub(crate) fn populate_classes(&mut self, old: &ClassBuckets) -> Result<(), CrushError> {
        let used: BTreeSet<i32> = old.values().flat_map(|m| m.values().copied()).collect();
        let roots = self.nonshadow_roots();
        let classes: Vec<i32> = self.class_names.keys().copied().collect();
        for &root in &roots {
            for &class in &classes {
                self.device_class_clone(root, class, old, &used, 0)?;
            }
        }
        Ok(())
    }

    /// `device_class_clone`: the shadow copy of `original` for `class`, created
    /// depth-first so children get their ids before their parent.
    fn device_class_clone(
        &mut self,
        original: i32,
        class: i32,
        old: &ClassBuckets,
        used: &BTreeSet<i32>,
        depth: usize,
    ) -> Result<i32, CrushError> {
        if depth > self.buckets.len() {
            return Err(CrushError::Cycle(original));
        }
        let name = self
            .item_name(original)
            .ok_or_else(|| CrushError::UnknownItem(original.to_string()))?;
        let class_name = self.class_names.get(&class).cloned().unwrap_or_default();
        let copy_name = format!("{name}~{class_name}");
        if let Some(id) = self.item_id(&copy_name) {
            return Ok(id);
        }
        let orig = self
            .bucket(original)
            .cloned()
            .ok_or_else(|| CrushError::UnknownItem(original.to_string()))?;
        let scv = self.tunables.straw_calc_version;
        let mut copy = Bucket::new(
            0,
            orig.type_id,
            orig.alg,
            orig.hash,
            Vec::new(),
            Vec::new(),
            scv,
        );
        for (pos, &item) in orig.items.iter().enumerate() {
            if item >= 0 {
                if self.class_map.get(&item) == Some(&class) {
                    copy.add_item(item, orig.item_weight(pos), scv);
                }
            } else {
                let child = self.device_class_clone(item, class, old, used, depth + 1)?;
                let w = self.bucket(child).map_or(0, |b| b.weight);
                copy.add_item(child, w, scv);
            }
        }
        let bno = match old.get(&original).and_then(|m| m.get(&class)) {
            Some(&id) => id,
            None => {
                let mut id = -1i32;
                while self.bucket(id).is_some() || used.contains(&id) {
                    id -= 1;
                }
                id
            }
        };
        copy.id = bno;
        self.insert_bucket(copy)?;
        self.class_map.insert(bno, class);
        self.item_names.insert(bno, copy_name);
        self.class_bucket
            .entry(original)
            .or_default()
            .insert(class, bno);
        Ok(bno)
    }
}
