//! Ceph's hashes for placement: the CRUSH rjenkins1
//! family `crush_hash32_2..5` (`src/crush/hash.c`) and the object-name hashes
//! `ceph_str_hash_rjenkins` / `ceph_str_hash_linux` (`src/common/ceph_hash.cc`).
//!
//! All arithmetic is `u32` with wraparound, exactly as the C code relies on.

/// `CRUSH_HASH_RJENKINS1`: the only hash type CRUSH defines (bucket `hash 0`).
pub const CRUSH_HASH_RJENKINS1: u8 = 0;

/// `CEPH_STR_HASH_LINUX`: pool `object_hash` value selecting the dcache hash.
pub const CEPH_STR_HASH_LINUX: u8 = 1;

/// `CEPH_STR_HASH_RJENKINS`: pool `object_hash` value selecting Jenkins' string hash.
pub const CEPH_STR_HASH_RJENKINS: u8 = 2;

/// Seed XORed into every CRUSH hash (`crush_hash_seed`).
const SEED: u32 = 1_315_423_911;
/// Fixed mixing constants the C code names `x` and `y`.
const XC: u32 = 231_232;
const YC: u32 = 1232;

/// Robert Jenkins' 96-bit mix, shared by the CRUSH hashes and the string hash.
#[inline]
fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 13);
    *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 8);
    *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 13);
    *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 12);
    *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 16);
    *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 5);
    *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 3);
    *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 10);
    *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 15);
}

/// `crush_hash32_2(RJENKINS1, a, b)`: used by `is_out` (reweight test) and by the
/// OSD map for `raw_pg_to_pps` and primary affinity.
pub fn crush_hash32_2(a: u32, b: u32) -> u32 {
    let (mut a, mut b) = (a, b);
    let mut h = SEED ^ a ^ b;
    let (mut x, mut y) = (XC, YC);
    mix(&mut a, &mut b, &mut h);
    mix(&mut x, &mut a, &mut h);
    mix(&mut b, &mut y, &mut h);
    h
}

/// `crush_hash32_3(RJENKINS1, a, b, c)`: the draw of straw/straw2 buckets and the
/// permutation of uniform buckets.
pub fn crush_hash32_3(a: u32, b: u32, c: u32) -> u32 {
    let (mut a, mut b, mut c) = (a, b, c);
    let mut h = SEED ^ a ^ b ^ c;
    let (mut x, mut y) = (XC, YC);
    mix(&mut a, &mut b, &mut h);
    mix(&mut c, &mut x, &mut h);
    mix(&mut y, &mut a, &mut h);
    mix(&mut b, &mut x, &mut h);
    mix(&mut y, &mut c, &mut h);
    h
}

/// `crush_hash32_4(RJENKINS1, a, b, c, d)`: the draw of list and tree buckets.
pub fn crush_hash32_4(a: u32, b: u32, c: u32, d: u32) -> u32 {
    let (mut a, mut b, mut c, mut d) = (a, b, c, d);
    let mut h = SEED ^ a ^ b ^ c ^ d;
    let (mut x, mut y) = (XC, YC);
    mix(&mut a, &mut b, &mut h);
    mix(&mut c, &mut d, &mut h);
    mix(&mut a, &mut x, &mut h);
    mix(&mut y, &mut b, &mut h);
    mix(&mut c, &mut x, &mut h);
    mix(&mut y, &mut d, &mut h);
    h
}

/// `crush_hash32_5(RJENKINS1, a, b, c, d, e)`: completes the family (unused by the
/// mapper today, kept for callers that port other Ceph code).
pub fn crush_hash32_5(a: u32, b: u32, c: u32, d: u32, e: u32) -> u32 {
    let (mut a, mut b, mut c, mut d, mut e) = (a, b, c, d, e);
    let mut h = SEED ^ a ^ b ^ c ^ d ^ e;
    let (mut x, mut y) = (XC, YC);
    mix(&mut a, &mut b, &mut h);
    mix(&mut c, &mut d, &mut h);
    mix(&mut e, &mut x, &mut h);
    mix(&mut y, &mut a, &mut h);
    mix(&mut b, &mut x, &mut h);
    mix(&mut y, &mut c, &mut h);
    mix(&mut d, &mut x, &mut h);
    mix(&mut y, &mut e, &mut h);
    h
}

/// Little-endian word from up to four bytes (missing bytes count as zero).
fn le_word(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .enumerate()
        .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (8 * i)))
}

/// `ceph_str_hash_rjenkins`: Jenkins' lookup2 hash of an object name, the default
/// pool `object_hash` (object → raw ps).
pub fn ceph_str_hash_rjenkins(data: &[u8]) -> u32 {
    let mut a: u32 = 0x9e37_79b9;
    let mut b: u32 = a;
    let mut c: u32 = 0;
    let mut chunks = data.chunks_exact(12);
    for chunk in &mut chunks {
        let (w0, rest) = chunk.split_at(4);
        let (w1, w2) = rest.split_at(4);
        a = a.wrapping_add(le_word(w0));
        b = b.wrapping_add(le_word(w1));
        c = c.wrapping_add(le_word(w2));
        mix(&mut a, &mut b, &mut c);
    }
    // The C code folds the total length (truncated to 32 bits) into c, then adds the
    // tail bytes; the tail's third word is shifted up one byte because the low byte
    // of c is reserved for the length.
    c = c.wrapping_add(data.len() as u32);
    let tail = chunks.remainder();
    let (t0, rest) = tail.split_at(tail.len().min(4));
    let (t1, t2) = rest.split_at(rest.len().min(4));
    a = a.wrapping_add(le_word(t0));
    b = b.wrapping_add(le_word(t1));
    c = c.wrapping_add(le_word(t2) << 8);
    mix(&mut a, &mut b, &mut c);
    c
}

/// `ceph_str_hash_linux`: the Linux dcache string hash, pool `object_hash` 1.
pub fn ceph_str_hash_linux(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |h, &ch| {
        let c = u32::from(ch);
        h.wrapping_add(c << 4).wrapping_add(c >> 4).wrapping_mul(11)
    })
}

/// `ceph_str_hash(type, name)`: dispatch on the pool's `object_hash`; an unknown type
/// yields `0xffffffff` as in Ceph (`return -1` from an unsigned function).
pub fn ceph_str_hash(hash_type: u8, data: &[u8]) -> u32 {
    match hash_type {
        CEPH_STR_HASH_LINUX => ceph_str_hash_linux(data),
        CEPH_STR_HASH_RJENKINS => ceph_str_hash_rjenkins(data),
        _ => u32::MAX,
    }
}
