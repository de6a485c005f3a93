//! `crush_choose_firstn` (`src/crush/mapper.c`): depth-first choice for
//! replicated rules, where later replicas shift up to fill a failed slot.

use super::super::bucket::Bucket;
use super::choose::{is_out, perm_choose};
use super::ctx::{Ctx, Next};

/// Retry knobs of one firstn call.
#[derive(Clone, Copy)]
pub(crate) struct FirstnTries {
    /// Total descents per replica (`tries`).
    pub(crate) tries: u32,
    /// Tries handed to the chooseleaf recursion.
    pub(crate) recurse_tries: u32,
    /// `choose_local_retries`.
    pub(crate) local_retries: u32,
    /// `choose_local_fallback_retries`.
    pub(crate) local_fallback_retries: u32,
    /// `chooseleaf_vary_r`.
    pub(crate) vary_r: u32,
    /// `chooseleaf_stable`.
    pub(crate) stable: bool,
}

/// Output of a firstn call: the chosen items, and for chooseleaf the leaves.
pub(crate) struct FirstnOut<'o> {
    pub(crate) out: &'o mut [i32],
    pub(crate) out2: Option<&'o mut [i32]>,
}

/// Choose up to `numrep` distinct items of `type_id` below `bucket`, writing them at
/// `out[outpos..]`, at most `out_size` of them; returns the new `outpos`.
///
/// Per replica `rep`, `r = rep + parent_r + ftotal`; a collision or an out device
/// retries in the same bucket while local retries remain, else redescends from the
/// top until `ftotal` reaches `tries`, else the replica is skipped (which is why
/// firstn results can come back short).
#[allow(clippy::too_many_arguments)]
pub(crate) fn choose_firstn(
    ctx: &Ctx<'_>,
    bucket: &Bucket,
    numrep: i32,
    type_id: i32,
    dst: &mut FirstnOut<'_>,
    mut outpos: usize,
    out_size: i32,
    t: FirstnTries,
    recurse_to_leaf: bool,
    parent_r: i32,
) -> usize {
    let mut count = out_size;
    let mut rep: i32 = if t.stable { 0 } else { outpos as i32 };
    while rep < numrep && count > 0 {
        let mut ftotal: u32 = 0;
        let mut skip_rep = false;
        let mut item: i32 = 0;
        'descent: loop {
            let mut inb = bucket;
            let mut flocal: u32 = 0;
            let mut depth: i32 = 0;
            loop {
                let r = rep.wrapping_add(parent_r).wrapping_add(ftotal as i32);
                let mut collide = false;
                let reject;
                if inb.items.is_empty() {
                    reject = true;
                } else {
                    let size = inb.items.len() as u32;
                    item = if t.local_fallback_retries > 0
                        && flocal >= (size >> 1)
                        && flocal > t.local_fallback_retries
                    {
                        ctx.with_perm(|perm| perm_choose(inb, ctx.x, r, perm))
                    } else {
                        ctx.choose(inb, r, outpos)
                    };
                    let child = match ctx.classify(item, type_id, depth) {
                        Next::Target(child) => child,
                        Next::Descend(b) => {
                            inb = b;
                            depth += 1;
                            continue;
                        }
                        Next::Bad => {
                            skip_rep = true;
                            break 'descent;
                        }
                    };
                    collide = dst.out.iter().take(outpos).any(|&o| o == item);
                    let mut rej = false;
                    if !collide && recurse_to_leaf {
                        match child {
                            Some(b) => {
                                let sub_r = if t.vary_r > 0 {
                                    r.checked_shr(t.vary_r - 1).unwrap_or(0)
                                } else {
                                    0
                                };
                                let sub_numrep = if t.stable { 1 } else { outpos as i32 + 1 };
                                let sub_t = FirstnTries {
                                    tries: t.recurse_tries,
                                    recurse_tries: 0,
                                    ..t
                                };
                                let got = match dst.out2.as_deref_mut() {
                                    Some(out2) => {
                                        let mut sub = FirstnOut {
                                            out: out2,
                                            out2: None,
                                        };
                                        choose_firstn(
                                            ctx, b, sub_numrep, 0, &mut sub, outpos, count, sub_t,
                                            false, sub_r,
                                        )
                                    }
                                    None => outpos,
                                };
                                rej = got <= outpos;
                            }
                            None => {
                                if let Some(slot) =
                                    dst.out2.as_deref_mut().and_then(|o| o.get_mut(outpos))
                                {
                                    *slot = item;
                                }
                            }
                        }
                    }
                    if !rej && !collide && child.is_none() {
                        rej = is_out(ctx.weights, item, ctx.x);
                    }
                    reject = rej;
                }
                if reject || collide {
                    ftotal += 1;
                    flocal += 1;
                    let size = inb.items.len() as u32;
                    // Retry in the same bucket: a few local retries on collision,
                    // then (legacy tunables) an exhaustive permutation search.
                    let local = collide && flocal <= t.local_retries;
                    let fallback = t.local_fallback_retries > 0
                        && flocal <= size.wrapping_add(t.local_fallback_retries);
                    if local || fallback {
                        depth = 0;
                        continue;
                    } else if ftotal < t.tries {
                        continue 'descent;
                    } else {
                        skip_rep = true;
                        break 'descent;
                    }
                }
                break 'descent;
            }
        }
        if !skip_rep {
            if let Some(slot) = dst.out.get_mut(outpos) {
                *slot = item;
            }
            outpos += 1;
            count -= 1;
        }
        rep += 1;
    }
    outpos
}
