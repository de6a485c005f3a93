//! The map's CRUSH field: what placement asks of a CRUSH map (`crush_do_rule`.
//!
//! The map holds its CRUSH map behind a trait so that a test can place PGs with a
//! fixed table while the real mapper ([`CrushMap`]) does the work everywhere else,
//! and behind an `Arc` so that a new epoch shares it instead of copying it.

use std::fmt;
use std::sync::Arc;

use crate::crush::CrushMap;

/// The one question placement asks of a CRUSH map: `CrushWrapper::do_rule`.
pub trait CrushRules: Send + Sync {
    /// Runs rule `rule` for input `x`, wanting `result_max` items, with the map's
    /// 16.16 OSD weights (`0x10000` = fully in) and the choose_args weight set
    /// registered for `choose_args_index` (the pool id; modern Ceph passes
    /// `pg.pool()`). Returns OSD ids in order, with `CRUSH_ITEM_NONE` holes for
    /// indep rules. An unknown rule or a failed mapping yields an empty vector,
    /// which is what `crush_do_rule` leaves in the result when it cannot map
    /// (Ceph's `_pg_to_raw_osds` ignores the error).
    fn map_rule(
        &self,
        rule: i32,
        x: u32,
        result_max: usize,
        weights: &[u32],
        choose_args_index: i64,
    ) -> Vec<i32>;

    /// Whether rule `rule` serves a pool of this CRUSH rule type (1
    /// replicated, 3 erasure) and `size`: Pacific's `find_rule` mask check,
    /// which placement applies only to maps that ask for it
    /// ([`OsdMap::checks_rule_mask`](super::OsdMap::checks_rule_mask)). Rules
    /// without a mask accept every pool.
    fn rule_mask_matches(&self, rule: i32, rule_type: u8, size: u32) -> bool {
        let _ = (rule, rule_type, size);
        true
    }

    /// The bucket of type `type_id` holding `item` below rule `rule`'s roots,
    /// as newer Ceph's `OSDMap::get_osd_zone` answers it
    /// (`CrushWrapper::get_parent_of_type`, device-class shadows reported as
    /// the buckets they shadow): stretch pools ask it for each OSD's site.
    /// Rules without a hierarchy answer `None`.
    fn parent_of_type(&self, item: i32, type_id: i32, rule: i32) -> Option<i32> {
        let _ = (item, type_id, rule);
        None
    }
}

impl CrushRules for CrushMap {
    fn map_rule(
        &self,
        rule: i32,
        x: u32,
        result_max: usize,
        weights: &[u32],
        choose_args_index: i64,
    ) -> Vec<i32> {
        self.do_rule_with_choose_args(rule, x, result_max, weights, choose_args_index)
            .unwrap_or_default()
    }

    fn rule_mask_matches(&self, rule: i32, rule_type: u8, size: u32) -> bool {
        self.find_rule(rule, rule_type, size).is_some()
    }

    fn parent_of_type(&self, item: i32, type_id: i32, rule: i32) -> Option<i32> {
        self.osd_zone(item, type_id, rule)
    }
}

/// The CRUSH map an `OsdMap` carries, shared between epochs.
///
/// Two handles are equal when they point at the same CRUSH map: a new CRUSH map
/// only ever arrives whole (`Incremental::new_crush`), so identity is what tells
/// whether placement rules changed.
#[derive(Clone)]
pub struct CrushHandle(pub Arc<dyn CrushRules>);

impl CrushHandle {
    /// Wraps a CRUSH map for use in a map or an incremental.
    pub fn new(rules: impl CrushRules + 'static) -> Self {
        CrushHandle(Arc::new(rules))
    }

    /// The rules.
    pub fn rules(&self) -> &dyn CrushRules {
        self.0.as_ref()
    }
}

impl PartialEq for CrushHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CrushHandle {}

impl fmt::Debug for CrushHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CrushHandle(..)")
    }
}
