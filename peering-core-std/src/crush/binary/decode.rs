//! [`decode_crush`]: `CrushWrapper::decode` on untrusted bytes.

use std::collections::BTreeMap;

use super::super::bucket::tree_node;
use super::super::{Bucket, BucketAlg, ChooseArg, CrushMap, Rule, RuleStep, Tunables};
use super::CRUSH_MAGIC;
use super::reader::{CrushDecodeError, CrushDecodeErrorKind as Kind, Reader};

/// Decodes a binary CRUSH map (`crushtool -c`, `ceph osd getcrushmap`).
///
/// Work and memory are linear in the input: every count is checked against
/// the bytes left before anything is allocated for it.
pub fn decode_crush(bytes: &[u8]) -> Result<CrushMap, CrushDecodeError> {
    let mut r = Reader::new(bytes);
    let magic = r.u32("magic")?;
    if magic != CRUSH_MAGIC {
        return Err(CrushDecodeError {
            offset: 0,
            kind: Kind::BadMagic(magic),
        });
    }
    let at = r.offset();
    let max_buckets = r.i32("max_buckets")?;
    let max_buckets = usize::try_from(max_buckets)
        .map_err(|_| r.error(Kind::Inconsistent(format!("max_buckets {max_buckets} < 0"))))?;
    let max_rules = r.u32("max_rules")?;
    let max_devices = r.i32("max_devices")?;
    // Every bucket and rule slot takes at least its four-byte tag.
    for (what, n) in [
        ("bucket slot", max_buckets),
        ("rule slot", max_rules as usize),
    ] {
        if n.saturating_mul(4) > r.remaining() {
            return Err(CrushDecodeError {
                offset: at,
                kind: Kind::CountTooLarge {
                    what,
                    count: n as u64,
                    remaining: r.remaining(),
                },
            });
        }
    }

    let mut map = CrushMap::new();
    map.tunables = Tunables::legacy();
    map.buckets = Vec::with_capacity(max_buckets);
    for slot in 0..max_buckets {
        let b = bucket(&mut r, slot)?;
        map.buckets.push(b);
    }
    map.rules = Vec::with_capacity(max_rules as usize);
    for id in 0..max_rules {
        let rule = rule(&mut r, id)?;
        map.rules.push(rule);
    }

    // Names. Rule names go onto their rules.
    map.type_names = string_map(&mut r, "type name")?;
    map.item_names = string_map(&mut r, "item name")?;
    let at = r.offset();
    for (id, name) in string_map(&mut r, "rule name")? {
        let slot = usize::try_from(id).ok().and_then(|i| map.rules.get_mut(i));
        match slot {
            Some(Some(rule)) => rule.name = name,
            _ => {
                return Err(CrushDecodeError {
                    offset: at,
                    kind: Kind::Inconsistent(format!("rule name {name:?} for missing rule {id}")),
                });
            }
        }
    }

    tunables(&mut r, &mut map.tunables)?;
    if r.remaining() > 0 {
        map.class_map = int_map(&mut r, "class map")?;
        map.class_names = string_map(&mut r, "class name")?;
        let n = r.count("class bucket", 8)?;
        for _ in 0..n {
            let bucket = r.i32("class bucket id")?;
            let shadows = int_map(&mut r, "class bucket shadow")?;
            map.class_bucket.insert(bucket, shadows);
        }
    }
    if r.remaining() > 0 {
        choose_args(&mut r, &mut map)?;
    }
    if r.remaining() > 0 {
        return Err(r.error(Kind::TrailingData(r.remaining())));
    }

    map.max_devices = max_devices;
    map.validate().map_err(|e| CrushDecodeError {
        offset: bytes.len(),
        kind: Kind::Invalid(e),
    })?;
    // Ceph's `decode` ends with `finalize`.
    map.finalize();
    Ok(map)
}

/// `decode_crush_bucket`: one bucket slot (`alg` 0: empty).
fn bucket(r: &mut Reader<'_>, slot: usize) -> Result<Option<Bucket>, CrushDecodeError> {
    let at = r.offset();
    let alg_tag = r.u32("bucket algorithm")?;
    if alg_tag == 0 {
        return Ok(None);
    }
    let alg = match alg_tag {
        1 => BucketAlg::Uniform,
        2 => BucketAlg::List,
        3 => BucketAlg::Tree,
        4 => BucketAlg::Straw,
        5 => BucketAlg::Straw2,
        other => {
            return Err(CrushDecodeError {
                offset: at,
                kind: Kind::UnknownBucketAlg(other),
            });
        }
    };
    let id_at = r.offset();
    let id = r.i32("bucket id")?;
    let type_id = i32::from(r.u16("bucket type")?);
    let alg_again = r.u8("bucket algorithm")?;
    let hash = r.u8("bucket hash")?;
    let weight = r.u32("bucket weight")?;
    let size = r.count("bucket item", 4)?;
    let expected = i32::try_from(slot)
        .ok()
        .and_then(|s| (-1i32).checked_sub(s));
    if expected != Some(id) || u32::from(alg_again) != alg_tag {
        return Err(CrushDecodeError {
            offset: id_at,
            kind: Kind::Inconsistent(format!(
                "bucket in slot {slot} says id {id}, algorithm {alg_again} (expected {expected:?}, {alg_tag})"
            )),
        });
    }
    let mut items = Vec::with_capacity(size);
    for _ in 0..size {
        items.push(r.i32("bucket item")?);
    }
    let mut b = Bucket {
        id,
        type_id,
        alg,
        hash,
        weight,
        items,
        item_weights: Vec::new(),
        sum_weights: Vec::new(),
        node_weights: Vec::new(),
        straws: Vec::new(),
    };
    match alg {
        BucketAlg::Uniform => {
            let w = r.u32("uniform item weight")?;
            b.item_weights = vec![w; size];
        }
        BucketAlg::List => {
            (b.item_weights, b.sum_weights) =
                weight_pairs(r, size, ["list item weight", "list sum weight"])?;
        }
        BucketAlg::Tree => {
            let nodes = usize::from(r.u8("tree node count")?);
            r.count_fits("tree node weights", nodes, 4)?;
            for _ in 0..nodes {
                b.node_weights.push(r.u32("tree node weight")?);
            }
            // The leaves' weights are the items' (`crush_calc_tree_node`).
            b.item_weights = (0..size)
                .map(|i| b.node_weights.get(tree_node(i)).copied())
                .collect::<Option<Vec<u32>>>()
                .ok_or_else(|| {
                    r.error(Kind::Inconsistent(format!(
                        "tree bucket {id}: {nodes} nodes cannot hold {size} items"
                    )))
                })?;
        }
        BucketAlg::Straw => {
            (b.item_weights, b.straws) =
                weight_pairs(r, size, ["straw item weight", "straw length"])?;
        }
        BucketAlg::Straw2 => {
            r.count_fits("straw2 weights", size, 4)?;
            for _ in 0..size {
                b.item_weights.push(r.u32("straw2 item weight")?);
            }
        }
    }
    Ok(Some(b))
}

/// `size` interleaved pairs: a list bucket's item weights and running sums,
/// a straw bucket's item weights and straw lengths.
fn weight_pairs(
    r: &mut Reader<'_>,
    size: usize,
    what: [&'static str; 2],
) -> Result<(Vec<u32>, Vec<u32>), CrushDecodeError> {
    r.count_fits(what[0], size, 8)?;
    let (mut a, mut b) = (Vec::with_capacity(size), Vec::with_capacity(size));
    for _ in 0..size {
        a.push(r.u32(what[0])?);
        b.push(r.u32(what[1])?);
    }
    Ok((a, b))
}

/// One rule slot (`yes` 0: empty): the legacy mask, then the steps.
fn rule(r: &mut Reader<'_>, id: u32) -> Result<Option<Rule>, CrushDecodeError> {
    if r.u32("rule present")? == 0 {
        return Ok(None);
    }
    let len = r.count("rule step", 12)?;
    let at = r.offset();
    let ruleset = r.u8("rule ruleset")?;
    if u32::from(ruleset) != id {
        return Err(CrushDecodeError {
            offset: at,
            kind: Kind::Inconsistent(format!(
                "rule {id} has ruleset {ruleset}: an encoding older than Luminous"
            )),
        });
    }
    let rule_type = r.u8("rule type")?;
    let min_size = u32::from(r.u8("rule min_size")?);
    let max_size = u32::from(r.u8("rule max_size")?);
    let mut steps = Vec::with_capacity(len);
    for _ in 0..len {
        let at = r.offset();
        let op = r.u32("step op")?;
        let a1 = r.i32("step arg1")?;
        let a2 = r.i32("step arg2")?;
        let (num, type_id) = (a1, a2);
        let step = match op {
            0 => RuleStep::Noop,
            1 => RuleStep::Take(a1),
            2 => RuleStep::ChooseFirstN { num, type_id },
            3 => RuleStep::ChooseIndep { num, type_id },
            4 => RuleStep::Emit,
            6 => RuleStep::ChooseLeafFirstN { num, type_id },
            7 => RuleStep::ChooseLeafIndep { num, type_id },
            8 => RuleStep::SetChooseTries(a1),
            9 => RuleStep::SetChooseLeafTries(a1),
            10 => RuleStep::SetChooseLocalTries(a1),
            11 => RuleStep::SetChooseLocalFallbackTries(a1),
            12 => RuleStep::SetChooseLeafVaryR(a1),
            13 => RuleStep::SetChooseLeafStable(a1),
            other => {
                return Err(CrushDecodeError {
                    offset: at,
                    kind: Kind::UnknownStepOp(other),
                });
            }
        };
        steps.push(step);
    }
    Ok(Some(Rule {
        id: i32::try_from(id).unwrap_or(i32::MAX),
        name: String::new(),
        rule_type,
        min_size,
        max_size,
        steps,
    }))
}

/// `decode_32_or_64_string_map`: a 32-bit key, then the length; a zero
/// length means the key was 64 bits wide (an old encoding bug Ceph
/// tolerates), and the length follows.
fn string_map(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<BTreeMap<i32, String>, CrushDecodeError> {
    let n = r.count(what, 8)?;
    let mut m = BTreeMap::new();
    for _ in 0..n {
        let key = r.i32(what)?;
        let mut len = r.count(what, 1)?;
        if len == 0 {
            len = r.count(what, 1)?;
        }
        let name = r.string(len, what)?;
        m.insert(key, name);
    }
    Ok(m)
}

/// A `map<int32_t, int32_t>`.
fn int_map(r: &mut Reader<'_>, what: &'static str) -> Result<BTreeMap<i32, i32>, CrushDecodeError> {
    let n = r.count(what, 8)?;
    let mut m = BTreeMap::new();
    for _ in 0..n {
        let k = r.i32(what)?;
        let v = r.i32(what)?;
        m.insert(k, v);
    }
    Ok(m)
}

/// The tunables, each group only if bytes are left (older maps stop early
/// and keep the legacy values).
fn tunables(r: &mut Reader<'_>, t: &mut Tunables) -> Result<(), CrushDecodeError> {
    if r.remaining() > 0 {
        t.choose_local_tries = r.u32("choose_local_tries")?;
        t.choose_local_fallback_tries = r.u32("choose_local_fallback_tries")?;
        t.choose_total_tries = r.u32("choose_total_tries")?;
    }
    if r.remaining() > 0 {
        t.chooseleaf_descend_once = r.u32("chooseleaf_descend_once")?;
    }
    if r.remaining() > 0 {
        t.chooseleaf_vary_r = r.u8("chooseleaf_vary_r")?;
    }
    if r.remaining() > 0 {
        t.straw_calc_version = r.u8("straw_calc_version")?;
    }
    if r.remaining() > 0 {
        t.allowed_bucket_algs = r.u32("allowed_bucket_algs")?;
    }
    if r.remaining() > 0 {
        t.chooseleaf_stable = r.u8("chooseleaf_stable")?;
    }
    Ok(())
}

/// The choose_args: per index, the buckets (by slot) with their weight sets
/// and ids, each of the bucket's size.
fn choose_args(r: &mut Reader<'_>, map: &mut CrushMap) -> Result<(), CrushDecodeError> {
    let n = r.count("choose_args", 12)?;
    for _ in 0..n {
        let index = r.i64("choose_args index")?;
        let args = r.count("choose_arg", 12)?;
        let mut per_bucket = BTreeMap::new();
        for _ in 0..args {
            let at = r.offset();
            let slot = r.u32("choose_arg bucket")?;
            let size = usize::try_from(slot)
                .ok()
                .and_then(|s| map.buckets.get(s))
                .and_then(Option::as_ref)
                .map(|b| b.items.len())
                .ok_or_else(|| CrushDecodeError {
                    offset: at,
                    kind: Kind::Inconsistent(format!("choose_arg for missing bucket slot {slot}")),
                })?;
            let positions = r.count("weight_set position", 4)?;
            let mut weight_set = Vec::with_capacity(positions);
            for _ in 0..positions {
                let len = r.count("weight_set weight", 4)?;
                let mut ws = Vec::with_capacity(len);
                for _ in 0..len {
                    ws.push(r.u32("weight_set weight")?);
                }
                weight_set.push(ws);
            }
            let ids_len = r.count("choose_arg id", 4)?;
            let mut ids = Vec::with_capacity(ids_len);
            for _ in 0..ids_len {
                ids.push(r.i32("choose_arg id")?);
            }
            if weight_set.iter().any(|w| w.len() != size) || (ids_len != 0 && ids_len != size) {
                return Err(CrushDecodeError {
                    offset: at,
                    kind: Kind::Inconsistent(format!(
                        "choose_arg of bucket slot {slot} does not have its {size} entries"
                    )),
                });
            }
            if positions == 0 && ids_len == 0 {
                continue;
            }
            let Some(id) = i32::try_from(slot)
                .ok()
                .and_then(|s| (-1i32).checked_sub(s))
            else {
                return Err(CrushDecodeError {
                    offset: at,
                    kind: Kind::Inconsistent(format!("bucket slot {slot} has no id")),
                });
            };
            per_bucket.insert(
                id,
                ChooseArg {
                    ids: (ids_len > 0).then_some(ids),
                    weight_set,
                },
            );
        }
        map.choose_args.insert(index, per_bucket);
    }
    Ok(())
}
