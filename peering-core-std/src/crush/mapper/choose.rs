//! Bucket choose functions (`bucket_*_choose` in `src/crush/mapper.c`): given
//! the input `x` and replica rank `r`, pick one item of a bucket.

use super::super::bucket::{Bucket, BucketAlg, tree_height};
use super::super::choose_args::ChooseArg;
use super::super::hash::{CRUSH_HASH_RJENKINS1, crush_hash32_2, crush_hash32_3, crush_hash32_4};
use super::super::ln::crush_ln;
use super::CRUSH_ITEM_NONE;

/// `crush_hash32_3(type, ...)`: any hash type but rjenkins1 hashes to 0 in Ceph.
fn hash3(kind: u8, a: u32, b: u32, c: u32) -> u32 {
    if kind == CRUSH_HASH_RJENKINS1 {
        crush_hash32_3(a, b, c)
    } else {
        0
    }
}

/// `crush_hash32_4(type, ...)`, same convention.
fn hash4(kind: u8, a: u32, b: u32, c: u32, d: u32) -> u32 {
    if kind == CRUSH_HASH_RJENKINS1 {
        crush_hash32_4(a, b, c, d)
    } else {
        0
    }
}

/// Item at `pos`, or `CRUSH_ITEM_NONE` if the position is out of range (never for
/// a consistent bucket).
fn item_at(b: &Bucket, pos: usize) -> i32 {
    b.items.get(pos).copied().unwrap_or(CRUSH_ITEM_NONE)
}

/// `bucket_perm_choose`: the `r`-th element of a pseudo-random permutation of the
/// bucket seeded by `x`. Ceph caches the partial permutation per call; computing it
/// from scratch gives the same element (the cache only saves work), including the
/// `r % size == 0` shortcut, which equals the first swap of the full computation.
///
/// `scratch` holds the permutation (Ceph's `crush_work_bucket.perm`), so a
/// reused workspace allocates nothing once it has grown to the largest bucket.
pub(crate) fn perm_choose(b: &Bucket, x: u32, r: i32, scratch: &mut Vec<u32>) -> i32 {
    let size = b.items.len() as u32;
    if size == 0 {
        return CRUSH_ITEM_NONE;
    }
    let id = b.id as u32;
    let pr = (r as u32) % size;
    if pr == 0 {
        let s = hash3(b.hash, x, id, 0) % size;
        return item_at(b, s as usize);
    }
    scratch.clear();
    scratch.extend(0..size);
    for p in 0..=pr {
        if p < size - 1 {
            let i = hash3(b.hash, x, id, p) % (size - p);
            if i != 0 {
                scratch.swap(p as usize, (p + i) as usize);
            }
        }
    }
    let s = scratch.get(pr as usize).copied().unwrap_or(0);
    item_at(b, s as usize)
}

/// `bucket_list_choose`: walk from the tail; item i wins if its scaled draw falls
/// under its own weight within the cumulative weight.
fn list_choose(b: &Bucket, x: u32, r: i32) -> i32 {
    for i in (0..b.items.len()).rev() {
        let item = item_at(b, i);
        let mut w = u64::from(hash4(b.hash, x, item as u32, r as u32, b.id as u32)) & 0xffff;
        w = w.wrapping_mul(u64::from(b.sum_weights.get(i).copied().unwrap_or(0))) >> 16;
        if w < u64::from(b.item_weight(i)) {
            return item;
        }
    }
    item_at(b, 0)
}

/// `bucket_tree_choose`: descend the weight tree from the root label, going left
/// when the scaled hash falls under the left subtree's weight.
fn tree_choose(b: &Bucket, x: u32, r: i32) -> i32 {
    let nw = |n: usize| -> u64 { u64::from(b.node_weights.get(n).copied().unwrap_or(0)) };
    let mut n = b.num_nodes() >> 1;
    while n != 0 && n & 1 == 0 {
        let w = nw(n);
        let t =
            (u64::from(hash4(b.hash, x, n as u32, r as u32, b.id as u32)).wrapping_mul(w)) >> 32;
        let h = tree_height(n);
        let half = 1usize << (h - 1);
        let l = n - half;
        n = if t < nw(l) { l } else { n + half };
    }
    item_at(b, n >> 1)
}

/// `bucket_straw_choose`: longest scaled straw wins; ties keep the first.
fn straw_choose(b: &Bucket, x: u32, r: i32) -> i32 {
    let mut high = 0usize;
    let mut high_draw = 0u64;
    for (i, &item) in b.items.iter().enumerate() {
        let draw = (u64::from(hash3(b.hash, x, item as u32, r as u32)) & 0xffff)
            .wrapping_mul(u64::from(b.straws.get(i).copied().unwrap_or(0)));
        if i == 0 || draw > high_draw {
            high = i;
            high_draw = draw;
        }
    }
    item_at(b, high)
}

/// `generate_exponential_distribution`: `(crush_ln(u) - 2^48) / weight`, a negative
/// draw whose expected maximum favours heavier items proportionally. The weight is
/// passed as a C `int`, and the division truncates toward zero like `div64_s64`.
fn exponential_draw(kind: u8, x: u32, id: i32, r: i32, weight: u32) -> i64 {
    let u = hash3(kind, x, id as u32, r as u32) & 0xffff;
    let ln = (crush_ln(u) as i64).wrapping_sub(0x1_0000_0000_0000);
    let w = i64::from(weight as i32);
    if w == 0 { i64::MIN } else { ln.wrapping_div(w) }
}

/// `bucket_straw2_choose`: the largest exponential draw wins; zero-weight items
/// draw `S64_MIN`; ties keep the first. choose_args may replace the hashed ids and
/// the weights (per result position).
fn straw2_choose(b: &Bucket, x: u32, r: i32, arg: Option<&ChooseArg>, position: usize) -> i32 {
    let weights: &[u32] = match arg {
        Some(a) if !a.weight_set.is_empty() => {
            let pos = position.min(a.weight_set.len() - 1);
            a.weight_set
                .get(pos)
                .map_or(&b.item_weights, |v| v.as_slice())
        }
        _ => &b.item_weights,
    };
    let ids: &[i32] = arg.and_then(|a| a.ids.as_deref()).unwrap_or(&b.items);
    let mut high = 0usize;
    let mut high_draw = 0i64;
    for i in 0..b.items.len() {
        let w = weights.get(i).copied().unwrap_or(0);
        let draw = if w != 0 {
            exponential_draw(b.hash, x, ids.get(i).copied().unwrap_or(0), r, w)
        } else {
            i64::MIN
        };
        if i == 0 || draw > high_draw {
            high = i;
            high_draw = draw;
        }
    }
    item_at(b, high)
}

/// `crush_bucket_choose`: dispatch on the bucket algorithm.
pub(crate) fn bucket_choose(
    b: &Bucket,
    x: u32,
    r: i32,
    arg: Option<&ChooseArg>,
    position: usize,
    scratch: &mut Vec<u32>,
) -> i32 {
    match b.alg {
        BucketAlg::Uniform => perm_choose(b, x, r, scratch),
        BucketAlg::List => list_choose(b, x, r),
        BucketAlg::Tree => tree_choose(b, x, r),
        BucketAlg::Straw => straw_choose(b, x, r),
        BucketAlg::Straw2 => straw2_choose(b, x, r, arg, position),
    }
}

/// `is_out`: a device beyond the weight vector or with weight 0 is out; full weight
/// is in; a partial weight keeps the device for the fraction of inputs whose hash
/// falls under it.
pub(crate) fn is_out(weights: &[u32], item: i32, x: u32) -> bool {
    let Some(&w) = usize::try_from(item).ok().and_then(|i| weights.get(i)) else {
        return true;
    };
    if w >= 0x10000 {
        return false;
    }
    if w == 0 {
        return true;
    }
    (crush_hash32_2(x, item as u32) & 0xffff) >= w
}
