//! Ceph's `ceph_crc32c`: CRC-32C (Castagnoli), reflected, seeded with `-1` and
//! with no final XOR, over the bytes of a map before its `crc` field (and any
//! bytes after it).

use super::error::{OsdMapDecodeError, OsdMapDecodeErrorKind as Kind};
use super::reader::Reader;

/// CRC-32C as `ceph_crc32c(-1, ...)` computes it: the standard Castagnoli
/// parameters without the final inversion.
const CEPH_CRC32C: crc::Algorithm<u32> = crc::Algorithm {
    width: 32,
    poly: 0x1edc_6f41,
    init: 0xffff_ffff,
    refin: true,
    refout: true,
    xorout: 0,
    check: 0x1cf9_6d7c,
    residue: 0,
};

/// The CRC of `parts` in order, as one buffer, seeded with `-1`.
pub(super) fn crc32c(parts: &[&[u8]]) -> u32 {
    let crc = crc::Crc::<u32>::new(&CEPH_CRC32C);
    let mut digest = crc.digest();
    for p in parts {
        digest.update(p);
    }
    digest.finalize()
}

/// Ceph's `ceph_crc32c(seed, data)`: CRC-32C continued from `seed` (the raw,
/// reflected register; `u32::MAX` to start), with no final XOR, so that
/// `ceph_crc32c(ceph_crc32c(s, a), b) == ceph_crc32c(s, a ++ b)`. Maps and
/// incrementals store `ceph_crc32c(u32::MAX, bytes before the crc)`.
pub fn ceph_crc32c(seed: u32, data: &[u8]) -> u32 {
    let crc = crc::Crc::<u32>::new(&CEPH_CRC32C);
    // The crate reflects the initial value of a reflected algorithm; Ceph's
    // seed is the register itself.
    let mut digest = crc.digest_with_initial(seed.reverse_bits());
    digest.update(data);
    digest.finalize()
}

/// Refuses a map whose stored CRC (read at `at`) is not the computed one.
pub(super) fn check_crc(
    r: &Reader<'_>,
    at: usize,
    stored: u32,
    computed: u32,
) -> Result<(), OsdMapDecodeError> {
    if stored != computed {
        return Err(r.error_at(at, Kind::BadCrc { stored, computed }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_value_is_the_uninverted_standard() {
        // CRC-32C("123456789") = 0xe3069283; Ceph's variant skips the final XOR.
        assert_eq!(super::crc32c(&[b"123456789"]), !0xe306_9283);
        assert_eq!(super::crc32c(&[b"1234", b"56789"]), !0xe306_9283);
        assert_eq!(super::ceph_crc32c(u32::MAX, b"123456789"), !0xe306_9283);
        let head = super::ceph_crc32c(u32::MAX, b"1234");
        assert_eq!(super::ceph_crc32c(head, b"56789"), !0xe306_9283);
    }
}
