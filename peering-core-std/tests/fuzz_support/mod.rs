//! Deterministic damage for the decoders' mutation tests (the binary CRUSH
//! map, OSDMap and incremental): the same seed damages the same bytes on
//! every run and every machine.

#![allow(dead_code)]

/// A small deterministic PRNG (xorshift64).
pub fn next(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// One to four bytes set to random values and, one time in eight, a four-byte
/// field set to `u32::MAX` (a huge count or length).
pub fn damage(b: &mut [u8], seed: &mut u64) {
    if b.len() < 4 {
        return;
    }
    for _ in 0..=(next(seed) % 4) {
        let at = (next(seed) % b.len() as u64) as usize;
        b[at] = next(seed) as u8;
    }
    if next(seed).is_multiple_of(8) {
        let at = (next(seed) % (b.len() as u64 - 4)) as usize;
        b[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    }
}

/// Damaged copies per fixture: `default`, or what the named environment
/// variable says (the long runs noted in the tests).
pub fn rounds(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
