//! `crush_choose_indep` (`src/crush/mapper.c`): breadth-first, positionally
//! stable choice for erasure-coded rules; a position that cannot be filled becomes
//! `CRUSH_ITEM_NONE` instead of shifting the others.

use super::super::bucket::{Bucket, BucketAlg};
use super::choose::is_out;
use super::ctx::{Ctx, Next};
use super::{CRUSH_ITEM_NONE, CRUSH_ITEM_UNDEF};

fn put(v: &mut [i32], i: usize, val: i32) {
    if let Some(s) = v.get_mut(i) {
        *s = val;
    }
}

fn get(v: &[i32], i: usize) -> i32 {
    v.get(i).copied().unwrap_or(CRUSH_ITEM_NONE)
}

/// Fill positions `outpos..outpos+left` of `out` with distinct items of `type_id`
/// below `bucket` (and, for chooseleaf, `out2` with one leaf under each).
///
/// Every round `ftotal` visits the still-undefined positions; position `rep` uses
/// `r = rep + parent_r + numrep·ftotal` (`(numrep+1)·ftotal` for uniform buckets
/// whose size is a multiple of `numrep`, so the permutation does not repeat).
#[allow(clippy::too_many_arguments)]
pub(crate) fn choose_indep(
    ctx: &Ctx<'_>,
    bucket: &Bucket,
    left: i32,
    numrep: i32,
    type_id: i32,
    out: &mut [i32],
    outpos: usize,
    tries: u32,
    recurse_tries: u32,
    recurse_to_leaf: bool,
    mut out2: Option<&mut [i32]>,
    parent_r: i32,
) {
    let mut left = left;
    let endpos = outpos + usize::try_from(left).unwrap_or(0);
    for rep in outpos..endpos {
        put(out, rep, CRUSH_ITEM_UNDEF);
        if let Some(o2) = out2.as_deref_mut() {
            put(o2, rep, CRUSH_ITEM_UNDEF);
        }
    }
    let mut ftotal: u32 = 0;
    while left > 0 && ftotal < tries {
        for rep in outpos..endpos {
            if get(out, rep) != CRUSH_ITEM_UNDEF {
                continue;
            }
            let mut inb = bucket;
            let mut depth: i32 = 0;
            loop {
                let mut r = (rep as i32).wrapping_add(parent_r);
                let size = inb.items.len() as i32;
                let step = if inb.alg == BucketAlg::Uniform && numrep != 0 && size % numrep == 0 {
                    numrep.wrapping_add(1)
                } else {
                    numrep
                };
                r = r.wrapping_add(step.wrapping_mul(ftotal as i32));
                if inb.items.is_empty() {
                    break;
                }
                let item = ctx.choose(inb, r, outpos);
                let child = match ctx.classify(item, type_id, depth) {
                    Next::Target(child) => child,
                    Next::Descend(b) => {
                        inb = b;
                        depth += 1;
                        continue;
                    }
                    Next::Bad => {
                        put(out, rep, CRUSH_ITEM_NONE);
                        if let Some(o2) = out2.as_deref_mut() {
                            put(o2, rep, CRUSH_ITEM_NONE);
                        }
                        left -= 1;
                        break;
                    }
                };
                let collide = (outpos..endpos).any(|i| get(out, i) == item);
                if collide {
                    break;
                }
                if recurse_to_leaf {
                    match child {
                        Some(b) => {
                            if let Some(o2) = out2.as_deref_mut() {
                                choose_indep(
                                    ctx,
                                    b,
                                    1,
                                    numrep,
                                    0,
                                    o2,
                                    rep,
                                    recurse_tries,
                                    0,
                                    false,
                                    None,
                                    r,
                                );
                                if get(o2, rep) == CRUSH_ITEM_NONE {
                                    break;
                                }
                            }
                        }
                        None => {
                            if let Some(o2) = out2.as_deref_mut() {
                                put(o2, rep, item);
                            }
                        }
                    }
                }
                if child.is_none() && is_out(ctx.weights, item, ctx.x) {
                    break;
                }
                put(out, rep, item);
                left -= 1;
                break;
            }
        }
        ftotal += 1;
    }
    for rep in outpos..endpos {
        if get(out, rep) == CRUSH_ITEM_UNDEF {
            put(out, rep, CRUSH_ITEM_NONE);
        }
        if let Some(o2) = out2.as_deref_mut()
            && get(o2, rep) == CRUSH_ITEM_UNDEF
        {
            put(o2, rep, CRUSH_ITEM_NONE);
        }
    }
}
