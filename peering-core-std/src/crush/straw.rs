//! Straw lengths of legacy `straw` buckets (`crush_calc_straw` in
//! `src/crush/builder.c`), both `straw_calc_version` 0 and 1.

/// Compute each item's straw (16.16) from the item weights.
///
/// Items are visited from lightest to heaviest (a stable insertion sort, so equal
/// weights keep their bucket order). Each straw scales the previous one by
/// `(1 / pbelow)^(1 / numleft)`, where `pbelow` is the share of weight below the
/// current step. Version 0 is Ceph's original, which mishandles runs of equal weights
/// and zero weights; it is reproduced because existing maps were built with it.
/// Floating point is `f64` as in C's `double`, and the final conversion truncates.
pub(crate) fn calc_straws(weights: &[u32], version: u8) -> Vec<u32> {
    let size = weights.len();
    let w = |i: usize| -> u32 { weights.get(i).copied().unwrap_or(0) };
    // Indices sorted by ascending weight; ties keep their original order.
    let mut reverse: Vec<usize> = Vec::with_capacity(size);
    for i in 0..size {
        let pos = reverse
            .iter()
            .position(|&r| w(i) < w(r))
            .unwrap_or(reverse.len());
        reverse.insert(pos, i);
    }
    let rv = |i: usize| -> usize { reverse.get(i).copied().unwrap_or(0) };
    let mut straws = vec![0u32; size];
    let mut numleft = size as i64;
    let mut straw = 1.0f64;
    let mut wbelow = 0.0f64;
    let mut lastw = 0.0f64;
    let mut i = 0usize;
    while i < size {
        if version == 0 {
            if w(rv(i)) == 0 {
                set(&mut straws, rv(i), 0);
                i += 1;
                continue;
            }
            set(&mut straws, rv(i), (straw * 65536.0) as u32);
            i += 1;
            if i == size {
                break;
            }
            if w(rv(i)) == w(rv(i - 1)) {
                continue;
            }
            wbelow += (f64::from(w(rv(i - 1))) - lastw) * numleft as f64;
            for j in i..size {
                if w(rv(j)) == w(rv(i)) {
                    numleft -= 1;
                } else {
                    break;
                }
            }
            let wnext = wnext(numleft, w(rv(i)), w(rv(i - 1)));
            let pbelow = wbelow / (wbelow + wnext);
            straw *= (1.0 / pbelow).powf(1.0 / numleft as f64);
            lastw = f64::from(w(rv(i - 1)));
        } else {
            if w(rv(i)) == 0 {
                set(&mut straws, rv(i), 0);
                i += 1;
                numleft -= 1;
                continue;
            }
            set(&mut straws, rv(i), (straw * 65536.0) as u32);
            i += 1;
            if i == size {
                break;
            }
            wbelow += (f64::from(w(rv(i - 1))) - lastw) * numleft as f64;
            numleft -= 1;
            let wnext = wnext(numleft, w(rv(i)), w(rv(i - 1)));
            let pbelow = wbelow / (wbelow + wnext);
            straw *= (1.0 / pbelow).powf(1.0 / numleft as f64);
            lastw = f64::from(w(rv(i - 1)));
        }
    }
    straws
}

fn set(v: &mut [u32], i: usize, val: u32) {
    if let Some(s) = v.get_mut(i) {
        *s = val;
    }
}

/// `numleft * (w_i - w_prev)`: in C an `int` times a `__u32`, so the product is
/// unsigned 32-bit with wraparound before it becomes a `double`.
fn wnext(numleft: i64, w_cur: u32, w_prev: u32) -> f64 {
    f64::from((numleft as u32).wrapping_mul(w_cur.wrapping_sub(w_prev)))
}
