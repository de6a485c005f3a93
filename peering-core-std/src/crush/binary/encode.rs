//! [`encode_crush`]: `CrushWrapper::encode` with Pacific's features.

use super::super::{BucketAlg, CrushMap, RuleStep};
use super::CRUSH_MAGIC;

/// A map that the binary layout cannot carry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CrushEncodeError {
    /// A field wider than its encoding (a type id past `u16`, a rule's
    /// `min_size` past `u8`, a tree of more than 255 nodes...).
    #[error("{what} {value} does not fit its encoding")]
    OutOfRange {
        /// The field.
        what: &'static str,
        /// Its value.
        value: i64,
    },
    /// An empty name: the decoder would read its zero length as the 64-bit
    /// key of an old encoding (`decode_32_or_64_string_map`).
    #[error("empty {0} name")]
    EmptyName(&'static str),
}

struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, what: &'static str, n: usize) -> Result<(), CrushEncodeError> {
        let n = u32::try_from(n).map_err(|_| CrushEncodeError::OutOfRange {
            what,
            value: i64::try_from(n).unwrap_or(i64::MAX),
        })?;
        self.u32(n);
        Ok(())
    }
    fn names<'a>(
        &mut self,
        what: &'static str,
        names: impl ExactSizeIterator<Item = (i32, &'a str)>,
    ) -> Result<(), CrushEncodeError> {
        self.len(what, names.len())?;
        for (k, name) in names {
            if name.is_empty() {
                return Err(CrushEncodeError::EmptyName(what));
            }
            self.i32(k);
            self.len(what, name.len())?;
            self.0.extend_from_slice(name.as_bytes());
        }
        Ok(())
    }
}

fn narrow<T: TryFrom<i64>>(what: &'static str, v: i64) -> Result<T, CrushEncodeError> {
    T::try_from(v).map_err(|_| CrushEncodeError::OutOfRange { what, value: v })
}

/// `(op, arg1, arg2)` of a step, zeros where the operation takes no argument.
fn raw_step(s: &RuleStep) -> (u32, i32, i32) {
    match *s {
        RuleStep::Noop => (0, 0, 0),
        RuleStep::Take(item) => (1, item, 0),
        RuleStep::ChooseFirstN { num, type_id } => (2, num, type_id),
        RuleStep::ChooseIndep { num, type_id } => (3, num, type_id),
        RuleStep::Emit => (4, 0, 0),
        RuleStep::ChooseLeafFirstN { num, type_id } => (6, num, type_id),
        RuleStep::ChooseLeafIndep { num, type_id } => (7, num, type_id),
        RuleStep::SetChooseTries(v) => (8, v, 0),
        RuleStep::SetChooseLeafTries(v) => (9, v, 0),
        RuleStep::SetChooseLocalTries(v) => (10, v, 0),
        RuleStep::SetChooseLocalFallbackTries(v) => (11, v, 0),
        RuleStep::SetChooseLeafVaryR(v) => (12, v, 0),
        RuleStep::SetChooseLeafStable(v) => (13, v, 0),
    }
}

/// Encodes `map` as Ceph 16.2 does (`CRUSH_TUNABLES5`, `SERVER_LUMINOUS`,
/// `CRUSH_CHOOSE_ARGS`; not Quincy's fixed rule sizes nor Squid's MSR).
pub fn encode_crush(map: &CrushMap) -> Result<Vec<u8>, CrushEncodeError> {
    let mut o = Out(Vec::new());
    o.u32(CRUSH_MAGIC);
    o.i32(narrow("max_buckets", map.buckets.len() as i64)?);
    o.len("max_rules", map.rules.len())?;
    o.i32(map.max_devices);

    for slot in &map.buckets {
        let Some(b) = slot else {
            o.u32(0);
            continue;
        };
        let alg = b.alg as u8;
        o.u32(u32::from(alg));
        o.i32(b.id);
        o.u16(narrow("bucket type", i64::from(b.type_id))?);
        o.u8(alg);
        o.u8(b.hash);
        o.u32(b.weight);
        o.len("bucket size", b.items.len())?;
        for &it in &b.items {
            o.i32(it);
        }
        let weight = |i: usize| b.item_weights.get(i).copied().unwrap_or(0);
        match b.alg {
            BucketAlg::Uniform => o.u32(weight(0)),
            BucketAlg::List => {
                for i in 0..b.items.len() {
                    o.u32(weight(i));
                    o.u32(b.sum_weights.get(i).copied().unwrap_or(0));
                }
            }
            BucketAlg::Tree => {
                o.u8(narrow("tree node count", b.node_weights.len() as i64)?);
                for w in &b.node_weights {
                    o.u32(*w);
                }
            }
            BucketAlg::Straw => {
                for i in 0..b.items.len() {
                    o.u32(weight(i));
                    o.u32(b.straws.get(i).copied().unwrap_or(0));
                }
            }
            BucketAlg::Straw2 => {
                for i in 0..b.items.len() {
                    o.u32(weight(i));
                }
            }
        }
    }

    for (id, slot) in map.rules.iter().enumerate() {
        let Some(rule) = slot else {
            o.u32(0);
            continue;
        };
        o.u32(1);
        o.len("rule steps", rule.steps.len())?;
        o.u8(narrow("rule id", id as i64)?);
        o.u8(rule.rule_type);
        o.u8(narrow("rule min_size", i64::from(rule.min_size))?);
        o.u8(narrow("rule max_size", i64::from(rule.max_size))?);
        for s in &rule.steps {
            let (op, a1, a2) = raw_step(s);
            o.u32(op);
            o.i32(a1);
            o.i32(a2);
        }
    }

    o.names("type", map.type_names.iter().map(|(k, v)| (*k, v.as_str())))?;
    o.names("item", map.item_names.iter().map(|(k, v)| (*k, v.as_str())))?;
    let rule_names: Vec<(i32, &str)> = map
        .rules()
        .filter(|r| !r.name.is_empty())
        .map(|r| (r.id, r.name.as_str()))
        .collect();
    o.names("rule", rule_names.into_iter())?;

    let t = &map.tunables;
    o.u32(t.choose_local_tries);
    o.u32(t.choose_local_fallback_tries);
    o.u32(t.choose_total_tries);
    o.u32(t.chooseleaf_descend_once);
    o.u8(t.chooseleaf_vary_r);
    o.u8(t.straw_calc_version);
    o.u32(t.allowed_bucket_algs);
    o.u8(t.chooseleaf_stable);

    o.len("class map", map.class_map.len())?;
    for (k, v) in &map.class_map {
        o.i32(*k);
        o.i32(*v);
    }
    o.names(
        "class",
        map.class_names.iter().map(|(k, v)| (*k, v.as_str())),
    )?;
    o.len("class bucket", map.class_bucket.len())?;
    for (bucket, shadows) in &map.class_bucket {
        o.i32(*bucket);
        o.len("class bucket shadows", shadows.len())?;
        for (class, shadow) in shadows {
            o.i32(*class);
            o.i32(*shadow);
        }
    }

    o.len("choose_args", map.choose_args.len())?;
    for (index, args) in &map.choose_args {
        o.i64(*index);
        // By bucket slot, ascending (`-1 - id`): the reverse of id order.
        let mut by_slot: Vec<(u32, &super::super::ChooseArg)> = Vec::with_capacity(args.len());
        for (id, arg) in args {
            if arg.weight_set.is_empty() && arg.ids.as_ref().is_none_or(Vec::is_empty) {
                continue;
            }
            let slot = narrow::<u32>("choose_arg bucket", -1i64 - i64::from(*id))?;
            by_slot.push((slot, arg));
        }
        by_slot.sort_by_key(|(s, _)| *s);
        o.len("choose_arg", by_slot.len())?;
        for (slot, arg) in by_slot {
            o.u32(slot);
            o.len("weight_set", arg.weight_set.len())?;
            for ws in &arg.weight_set {
                o.len("weight_set weights", ws.len())?;
                for w in ws {
                    o.u32(*w);
                }
            }
            let ids = arg.ids.as_deref().unwrap_or(&[]);
            o.len("choose_arg ids", ids.len())?;
            for id in ids {
                o.i32(*id);
            }
        }
    }
    Ok(o.0)
}
