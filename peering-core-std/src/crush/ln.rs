//! CRUSH's fixed-point logarithm `crush_ln` (`src/crush/mapper.c`), the heart of the
//! straw2 draw.

use super::ln_table::{LL, RH_LH};

/// `crush_ln(xin)`: `2^44 · log2(xin + 1)` in fixed point, for `xin` in `0..=0xffff`.
///
/// Follows Ceph step for step: normalise `xin + 1` into `[2^15, 2^17)` counting the
/// exponent, take a coarse reciprocal/log pair from `RH_LH` by the top bits, refine the
/// mantissa with one 64-bit multiply, and add the fine correction from `LL`. All
/// arithmetic is unsigned 64-bit with wraparound, as in C.
pub fn crush_ln(xin: u32) -> u64 {
    let mut x = xin.wrapping_add(1);
    let mut iexpon: i64 = 15;
    // Inputs above 0xffff are outside Ceph's domain; the loop guard keeps a zero input
    // (xin = u32::MAX) from spinning.
    while x != 0 && x & 0x18000 == 0 {
        x <<= 1;
        iexpon -= 1;
    }
    let index1 = ((x >> 8) << 1) as usize;
    let rh = RH_LH.get(index1.wrapping_sub(256)).copied().unwrap_or(0);
    let lh = RH_LH.get(index1.wrapping_sub(255)).copied().unwrap_or(0);
    let xl64 = u64::from(x).wrapping_mul(rh) >> 48;
    let mut result = (iexpon as u64) << (12 + 32);
    let index2 = (xl64 & 0xff) as usize;
    let ll = LL.get(index2).copied().unwrap_or(0);
    let lh = lh.wrapping_add(ll) >> (48 - 12 - 32);
    result = result.wrapping_add(lh);
    result
}
