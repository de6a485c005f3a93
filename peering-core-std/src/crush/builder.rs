//! Building a CRUSH map in code, the way `CrushWrapper` and `crushtool -c` assemble
//! one: types, devices with classes, buckets, rules, then
//! shadow trees for classes and `crush_finalize`.

use std::collections::{BTreeMap, BTreeSet};

use super::bucket::{Bucket, BucketAlg};
use super::choose_args::ChooseArg;
use super::classes::ClassBuckets;
use super::error::CrushError;
use super::hash::CRUSH_HASH_RJENKINS1;
use super::map::{CrushMap, is_valid_crush_name};
use super::rule::{RULE_TYPE_ERASURE, RULE_TYPE_REPLICATED, Rule, RuleStep};
use super::tunables::Tunables;

/// `CRUSH_MAX_DEVICE_WEIGHT`: 100.0 in 16.16.
const MAX_DEVICE_WEIGHT: u32 = 100 * 0x10000;
/// `CRUSH_MAX_BUCKET_WEIGHT`: 65535.0 in 16.16.
const MAX_BUCKET_WEIGHT: u32 = 65535 * 0x10000;

/// Ceph's default type hierarchy (`crushtool --build` / a fresh cluster).
pub const DEFAULT_TYPES: [(i32, &str); 12] = [
    (0, "osd"),
    (1, "host"),
    (2, "chassis"),
    (3, "rack"),
    (4, "row"),
    (5, "pdu"),
    (6, "pod"),
    (7, "room"),
    (8, "datacenter"),
    (9, "zone"),
    (10, "region"),
    (11, "root"),
];

/// A rule step naming items and types by name, resolved when the map is built
/// (after shadow trees exist, so `take ... class` can find them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepSpec {
    /// `step take <item> [class <class>]`.
    Take {
        /// Bucket (or device) name.
        item: String,
        /// Optional device class.
        class: Option<String>,
    },
    /// `step choose|chooseleaf firstn|indep <num> type <type>`.
    Choose {
        /// `chooseleaf` rather than `choose`.
        leaf: bool,
        /// `firstn` rather than `indep`.
        firstn: bool,
        /// Count (0 or negative = relative to the pool size).
        num: i32,
        /// Failure-domain type name.
        type_name: String,
    },
    /// `step emit`.
    Emit,
    /// A `step set_*` or `noop` step, already numeric.
    Raw(RuleStep),
}

/// A rule to add: header fields and symbolic steps (`rule <name> { id, type,
/// min_size, max_size, step ... }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// Rule id; `None` takes the lowest free id, as `crush_add_rule` does.
    pub id: Option<i32>,
    /// Rule name (may be empty).
    pub name: String,
    /// [`RULE_TYPE_REPLICATED`] or [`RULE_TYPE_ERASURE`].
    pub rule_type: u8,
    /// `min_size`.
    pub min_size: u32,
    /// `max_size`.
    pub max_size: u32,
    /// Steps, resolved when the map is built.
    pub steps: Vec<StepSpec>,
}

#[derive(Debug, Clone)]
struct PendingRule {
    id: i32,
    name: String,
    rule_type: u8,
    min_size: u32,
    max_size: u32,
    steps: Vec<StepSpec>,
    /// Source line of each step (0 when built in code).
    lines: Vec<usize>,
}

/// Incremental CRUSH map construction with the checks `crushtool -c` performs.
#[derive(Debug, Clone, Default)]
pub struct CrushBuilder {
    map: CrushMap,
    /// Bucket ids reserved before their bucket is defined (`find_used_bucket_ids`).
    reserved: BTreeSet<i32>,
    /// Shadow ids named explicitly (`id -5 class ssd`): original → class → id.
    explicit_shadows: ClassBuckets,
    /// Item weights of defined items, used when a bucket item has no weight.
    item_weight: BTreeMap<i32, u32>,
    rules: Vec<PendingRule>,
    choose_args: Vec<(i64, i32, ChooseArg, usize)>,
}

/// `weight * 0x10000` the way the compiler converts text weights: `f32` arithmetic,
/// then truncation to an unsigned 16.16 value.
pub fn weight_from_f32(w: f32) -> u32 {
    (w * 65536.0f32) as u32
}

impl CrushBuilder {
    /// A builder with optimal tunables and no types.
    pub fn new() -> CrushBuilder {
        CrushBuilder::default()
    }

    /// A builder with Ceph's default types (osd, host, chassis, rack, ... root).
    pub fn with_default_types() -> CrushBuilder {
        let mut b = CrushBuilder::new();
        for (id, name) in DEFAULT_TYPES {
            b.map.type_names.insert(id, name.to_string());
        }
        b
    }

    /// Replace the tunables. Set them before adding straw buckets: straw lengths
    /// depend on `straw_calc_version` when the bucket is created, as in Ceph.
    pub fn set_tunables(&mut self, t: Tunables) -> &mut Self {
        self.map.tunables = t;
        self
    }

    /// Mutable access to the tunables (for `tunable <name> <value>` lines).
    pub fn tunables_mut(&mut self) -> &mut Tunables {
        &mut self.map.tunables
    }

    /// `type <id> <name>`.
    pub fn add_type(&mut self, id: i32, name: &str) -> &mut Self {
        self.map.type_names.insert(id, name.to_string());
        self
    }

    fn name_taken(&self, name: &str) -> bool {
        self.map.item_id(name).is_some()
    }

    /// `device <id> <name> [class <class>]`.
    pub fn add_device(
        &mut self,
        id: i32,
        name: &str,
        class: Option<&str>,
    ) -> Result<&mut Self, CrushError> {
        if id < 0 {
            return Err(CrushError::InvalidId(id));
        }
        if self.map.item_names.contains_key(&id) {
            return Err(CrushError::Duplicate {
                what: "item id",
                name: id.to_string(),
            });
        }
        if self.name_taken(name) {
            return Err(CrushError::Duplicate {
                what: "name",
                name: name.to_string(),
            });
        }
        self.map.item_names.insert(id, name.to_string());
        if let Some(c) = class {
            let cid = self.map.get_or_create_class_id(c);
            self.map.class_map.insert(id, cid);
        }
        Ok(self)
    }

    /// Reserve a bucket id so automatic ids avoid it (the compiler pre-scans ids).
    pub fn reserve_bucket_id(&mut self, id: i32) -> &mut Self {
        self.reserved.insert(id);
        self
    }

    /// Record the id a bucket's shadow for `class` must get (`id <n> class <c>`).
    pub fn set_shadow_id(
        &mut self,
        original: i32,
        class: &str,
        shadow: i32,
    ) -> Result<&mut Self, CrushError> {
        let cid = self.map.get_or_create_class_id(class);
        let slot = self.explicit_shadows.entry(original).or_default();
        if slot.insert(cid, shadow).is_some() {
            return Err(CrushError::Duplicate {
                what: "device class id",
                name: class.to_string(),
            });
        }
        self.reserved.insert(shadow);
        Ok(self)
    }

    /// Add a straw2 bucket with rjenkins1 hash and an automatic id; see
    /// [`CrushBuilder::add_bucket_full`].
    pub fn add_bucket(
        &mut self,
        name: &str,
        type_name: &str,
        items: &[(&str, Option<u32>)],
    ) -> Result<i32, CrushError> {
        self.add_bucket_full(
            None,
            name,
            type_name,
            BucketAlg::Straw2,
            CRUSH_HASH_RJENKINS1,
            items,
        )
    }

    /// Add a bucket (`<type> <name> { id, alg, hash, item <name> weight <w> ... }`).
    ///
    /// Items are named and must already exist; a missing weight means the child's own
    /// weight (1.0 for a device), as the compiler does. Without an id the first free id
    /// counting down from -1 is used. Uniform buckets need equal item weights.
    pub fn add_bucket_full(
        &mut self,
        id: Option<i32>,
        name: &str,
        type_name: &str,
        alg: BucketAlg,
        hash: u8,
        items: &[(&str, Option<u32>)],
    ) -> Result<i32, CrushError> {
        let type_id = self
            .map
            .type_id(type_name)
            .ok_or_else(|| CrushError::UnknownType(type_name.to_string()))?;
        if self.name_taken(name) {
            return Err(CrushError::Duplicate {
                what: "name",
                name: name.to_string(),
            });
        }
        let bad = |reason: String| CrushError::BadBucket {
            name: name.to_string(),
            reason,
        };
        if !is_valid_crush_name(name) {
            // `set_item_name` refuses it, so the compiler fails the bucket.
            return Err(bad(format!("invalid name '{name}'")));
        }
        let mut ids = Vec::with_capacity(items.len());
        let mut weights = Vec::with_capacity(items.len());
        let mut total: u32 = 0;
        for &(iname, w) in items {
            let iid = self
                .map
                .item_id(iname)
                .ok_or_else(|| CrushError::UnknownItem(iname.to_string()))?;
            let weight =
                w.unwrap_or_else(|| self.item_weight.get(&iid).copied().unwrap_or(0x10000));
            if iid >= 0 && weight > MAX_DEVICE_WEIGHT {
                return Err(bad(format!("device weight of {iname} above 100")));
            }
            if iid < 0 && weight > MAX_BUCKET_WEIGHT {
                return Err(bad(format!("bucket weight of {iname} above 65535")));
            }
            if alg == BucketAlg::Uniform && weights.first().is_some_and(|&f| f != weight) {
                return Err(bad(
                    "uniform bucket items must have identical weights".to_string()
                ));
            }
            total = total
                .checked_add(weight)
                .ok_or_else(|| bad("bucket weight overflows".to_string()))?;
            ids.push(iid);
            weights.push(weight);
        }
        let id = match id {
            Some(i) if i >= 0 => return Err(CrushError::InvalidId(i)),
            Some(i) => i,
            None => {
                let mut i = -1;
                while self.reserved.contains(&i) || self.map.item_names.contains_key(&i) {
                    i -= 1;
                }
                i
            }
        };
        if self.map.item_names.contains_key(&id) {
            return Err(CrushError::Duplicate {
                what: "item id",
                name: id.to_string(),
            });
        }
        let bucket = Bucket::new(
            id,
            type_id,
            alg,
            hash,
            ids,
            weights,
            self.map.tunables.straw_calc_version,
        );
        self.map.insert_bucket(bucket)?;
        self.map.item_names.insert(id, name.to_string());
        self.item_weight.insert(id, total);
        Ok(id)
    }

    /// `ceph osd crush link`: append an existing item to another bucket too. A missing
    /// weight means the item's own weight. Linking a bucket under its own descendant
    /// makes a cycle, which [`CrushBuilder::build`] rejects.
    pub fn link(
        &mut self,
        bucket: &str,
        item: &str,
        weight: Option<u32>,
    ) -> Result<&mut Self, CrushError> {
        let bid = self
            .map
            .item_id(bucket)
            .ok_or_else(|| CrushError::UnknownItem(bucket.to_string()))?;
        let iid = self
            .map
            .item_id(item)
            .ok_or_else(|| CrushError::UnknownItem(item.to_string()))?;
        let w = weight.unwrap_or_else(|| self.item_weight.get(&iid).copied().unwrap_or(0x10000));
        let scv = self.map.tunables.straw_calc_version;
        let b = self
            .map
            .bucket_mut(bid)
            .ok_or_else(|| CrushError::UnknownItem(bucket.to_string()))?;
        if b.items.contains(&iid) {
            return Err(CrushError::Duplicate {
                what: "item in bucket",
                name: item.to_string(),
            });
        }
        b.add_item(iid, w, scv);
        let total = b.weight;
        self.item_weight.insert(bid, total);
        Ok(self)
    }

    /// Add a rule from symbolic steps; `spec.id` None takes the lowest free rule id.
    /// Names are resolved by [`CrushBuilder::build`].
    pub fn add_rule(&mut self, spec: RuleSpec) -> Result<i32, CrushError> {
        let lines = vec![0; spec.steps.len()];
        self.add_rule_at_line(spec, lines)
    }

    pub(crate) fn add_rule_at_line(
        &mut self,
        spec: RuleSpec,
        lines: Vec<usize>,
    ) -> Result<i32, CrushError> {
        let RuleSpec {
            id,
            name,
            rule_type,
            min_size,
            max_size,
            steps,
        } = spec;
        let name = name.as_str();
        let taken: BTreeSet<i32> = self.rules.iter().map(|r| r.id).collect();
        let id = match id {
            Some(i) if i < 0 => return Err(CrushError::InvalidId(i)),
            Some(i) if taken.contains(&i) => {
                return Err(CrushError::Duplicate {
                    what: "rule id",
                    name: i.to_string(),
                });
            }
            Some(i) => i,
            None => (0..).find(|i| !taken.contains(i)).unwrap_or(0),
        };
        if !name.is_empty() && self.rules.iter().any(|r| r.name == name) {
            return Err(CrushError::Duplicate {
                what: "rule name",
                name: name.to_string(),
            });
        }
        self.rules.push(PendingRule {
            id,
            name: name.to_string(),
            rule_type,
            min_size,
            max_size,
            steps,
            lines,
        });
        Ok(id)
    }

    /// Ceph's replicated rule (`add_simple_rule` with mode firstn):
    /// `take <root> [class C]; chooseleaf firstn 0 type <failure_domain>; emit`.
    pub fn add_replicated_rule(
        &mut self,
        name: &str,
        root: &str,
        failure_domain: &str,
        class: Option<&str>,
    ) -> Result<i32, CrushError> {
        self.add_simple_rule(name, root, failure_domain, class, true)
    }

    /// Ceph's erasure-code rule (`add_simple_rule` with mode indep):
    /// `set_chooseleaf_tries 5; set_choose_tries 100; take <root> [class C];
    /// chooseleaf indep 0 type <failure_domain>; emit`.
    pub fn add_erasure_rule(
        &mut self,
        name: &str,
        root: &str,
        failure_domain: &str,
        class: Option<&str>,
    ) -> Result<i32, CrushError> {
        self.add_simple_rule(name, root, failure_domain, class, false)
    }

    /// `CrushWrapper::add_simple_rule_at`: firstn rules serve sizes 1..=10, indep
    /// rules 3..=20 and first raise the retry limits as EC profiles do.
    fn add_simple_rule(
        &mut self,
        name: &str,
        root: &str,
        failure_domain: &str,
        class: Option<&str>,
        firstn: bool,
    ) -> Result<i32, CrushError> {
        let mut steps = Vec::with_capacity(5);
        if !firstn {
            steps.push(StepSpec::Raw(RuleStep::SetChooseLeafTries(5)));
            steps.push(StepSpec::Raw(RuleStep::SetChooseTries(100)));
        }
        steps.push(StepSpec::Take {
            item: root.to_string(),
            class: class.map(str::to_string),
        });
        steps.push(StepSpec::Choose {
            leaf: true,
            firstn,
            num: 0,
            type_name: failure_domain.to_string(),
        });
        steps.push(StepSpec::Emit);
        let (rule_type, min_size, max_size) = if firstn {
            (RULE_TYPE_REPLICATED, 1, 10)
        } else {
            (RULE_TYPE_ERASURE, 3, 20)
        };
        self.add_rule(RuleSpec {
            id: None,
            name: name.to_string(),
            rule_type,
            min_size,
            max_size,
            steps,
        })
    }

    /// Register a choose_args entry for a bucket under `index` (-1 = default). It is
    /// checked against the bucket (which may be a shadow bucket) when the map is built.
    pub fn add_choose_arg(&mut self, index: i64, bucket: i32, arg: ChooseArg) -> &mut Self {
        self.add_choose_arg_at_line(index, bucket, arg, 0)
    }

    pub(crate) fn add_choose_arg_at_line(
        &mut self,
        index: i64,
        bucket: i32,
        arg: ChooseArg,
        line: usize,
    ) -> &mut Self {
        self.choose_args.push((index, bucket, arg, line));
        self
    }

    /// Finish: check the hierarchy, create the class shadow trees (when there is a
    /// rule, as `crushtool -c` does), resolve rules and compute `max_devices`.
    pub fn build(self) -> Result<CrushMap, CrushError> {
        let CrushBuilder {
            mut map,
            explicit_shadows,
            rules,
            choose_args,
            ..
        } = self;
        map.validate()?;
        // The compiler builds the shadow trees when it meets the first rule, so a map
        // without rules has none.
        if !rules.is_empty() {
            map.populate_classes(&explicit_shadows)?;
        }
        for pr in rules {
            let mut steps = Vec::with_capacity(pr.steps.len());
            for (i, spec) in pr.steps.iter().enumerate() {
                let line = pr.lines.get(i).copied().unwrap_or(0);
                let step = resolve_step(&map, spec).map_err(|e| e.at_line(line))?;
                steps.push(step);
            }
            map.insert_rule(Rule {
                id: pr.id,
                name: pr.name,
                rule_type: pr.rule_type,
                min_size: pr.min_size,
                max_size: pr.max_size,
                steps,
            })?;
        }
        for (index, bucket, arg, line) in choose_args {
            check_choose_arg(&map, bucket, &arg).map_err(|e| e.at_line(line))?;
            map.choose_args
                .entry(index)
                .or_default()
                .insert(bucket, arg);
        }
        map.finalize();
        Ok(map)
    }
}

/// Turn a symbolic step into the numeric one, with the compiler's errors.
fn resolve_step(map: &CrushMap, s: &StepSpec) -> Result<RuleStep, CrushError> {
    Ok(match s {
        StepSpec::Take { item, class } => {
            let id = map
                .item_id(item)
                .ok_or_else(|| CrushError::UnknownItem(item.clone()))?;
            match class {
                None => RuleStep::Take(id),
                Some(c) => {
                    let shadow =
                        map.class_shadow(id, c)
                            .ok_or_else(|| CrushError::UnknownClass {
                                item: item.clone(),
                                class: c.clone(),
                            })?;
                    RuleStep::Take(shadow)
                }
            }
        }
        StepSpec::Choose {
            leaf,
            firstn,
            num,
            type_name,
        } => {
            let type_id = map
                .type_id(type_name)
                .ok_or_else(|| CrushError::UnknownType(type_name.clone()))?;
            let num = *num;
            match (leaf, firstn) {
                (false, true) => RuleStep::ChooseFirstN { num, type_id },
                (false, false) => RuleStep::ChooseIndep { num, type_id },
                (true, true) => RuleStep::ChooseLeafFirstN { num, type_id },
                (true, false) => RuleStep::ChooseLeafIndep { num, type_id },
            }
        }
        StepSpec::Emit => RuleStep::Emit,
        StepSpec::Raw(step) => *step,
    })
}

/// A choose_args entry must name an existing bucket and match its size.
fn check_choose_arg(map: &CrushMap, bucket: i32, arg: &ChooseArg) -> Result<(), CrushError> {
    let b = map
        .bucket(bucket)
        .ok_or_else(|| CrushError::UnknownItem(bucket.to_string()))?;
    let size = b.items.len();
    if arg.ids.as_ref().is_some_and(|v| v.len() != size)
        || arg.weight_set.iter().any(|v| v.len() != size)
    {
        return Err(CrushError::BadBucket {
            name: bucket.to_string(),
            reason: format!("choose_args need exactly {size} entries"),
        });
    }
    Ok(())
}
