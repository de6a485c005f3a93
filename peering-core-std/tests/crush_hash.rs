//! Hash vectors: object-name hashes against Ceph, and crush_ln against the
//! mathematics it approximates.

use peering_core_std::crush::crush_ln;
use peering_core_std::crush::hash::{
    CEPH_STR_HASH_LINUX, CEPH_STR_HASH_RJENKINS, ceph_str_hash, ceph_str_hash_linux,
    ceph_str_hash_rjenkins, crush_hash32_2, crush_hash32_3, crush_hash32_4, crush_hash32_5,
};

/// Low 24 bits of `ceph_str_hash_rjenkins`, read from Ceph 16.2:
/// `osdmaptool --createsimple 16 --pg_bits 20 --with-default-pool` gives pool 1 a
/// pg_num of 2^24, and `--test-map-object NAME --pool 1` prints `1.<hash & 0xffffff>`.
const OSDMAPTOOL_VECTORS: [(&str, u32); 7] = [
    ("foo", 0xc1f406),
    ("bar", 0xe6384b),
    ("rbd_data.1234", 0x4f9e4c),
    ("a", 0xeec818),
    ("abcdefghijkl", 0x1b3ea5),
    ("abcdefghijklmnopqrstuvwxyz0123", 0x561acf),
    ("hello_world_object", 0xac9c4a),
];

#[test]
fn rjenkins_string_hash_matches_osdmaptool() {
    for (name, low24) in OSDMAPTOOL_VECTORS {
        assert_eq!(
            ceph_str_hash_rjenkins(name.as_bytes()) & 0xff_ffff,
            low24,
            "{name}"
        );
        assert_eq!(
            ceph_str_hash(CEPH_STR_HASH_RJENKINS, name.as_bytes()),
            ceph_str_hash_rjenkins(name.as_bytes())
        );
    }
}

#[test]
fn linux_string_hash_follows_its_definition() {
    // hash = (hash + (c << 4) + (c >> 4)) * 11, worked by hand for "a" (0x61) and "ab".
    let a = (0x61u32 << 4) + (0x61 >> 4);
    assert_eq!(ceph_str_hash_linux(b"a"), a * 11);
    let ab = (a * 11 + (0x62 << 4) + (0x62 >> 4)) * 11;
    assert_eq!(ceph_str_hash_linux(b"ab"), ab);
    assert_eq!(ceph_str_hash_linux(b""), 0);
    assert_eq!(ceph_str_hash(CEPH_STR_HASH_LINUX, b"ab"), ab);
    assert_eq!(ceph_str_hash(9, b"ab"), u32::MAX);
}

#[test]
fn string_hash_handles_every_tail_length() {
    // Each tail length 0..=11 takes a different path; all must differ from their
    // neighbours and never panic.
    let s = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let hashes: Vec<u32> = (0..s.len())
        .map(|n| ceph_str_hash_rjenkins(&s[..n]))
        .collect();
    for w in hashes.windows(2) {
        assert_ne!(w[0], w[1]);
    }
}

#[test]
fn crush_hashes_depend_on_every_argument() {
    let base2 = crush_hash32_2(1, 2);
    assert_ne!(base2, crush_hash32_2(2, 1));
    let base3 = crush_hash32_3(1, 2, 3);
    assert_ne!(base3, crush_hash32_3(1, 2, 4));
    let base4 = crush_hash32_4(1, 2, 3, 4);
    assert_ne!(base4, crush_hash32_4(1, 2, 3, 5));
    let base5 = crush_hash32_5(1, 2, 3, 4, 5);
    assert_ne!(base5, crush_hash32_5(1, 2, 3, 4, 6));
}

#[test]
fn crush_ln_tracks_log2_and_never_decreases() {
    // crush_ln(u) ≈ 2^44 · log2(u + 1); the table method is accurate to far better
    // than one part in 10^4 of the full scale (2^48). The last input is a Ceph quirk:
    // its table entry holds 0xffff00000000 instead of 2^48, so crush_ln(0xffff) comes
    // out just below crush_ln(0xfffe); the monotonicity check stops before it.
    let mut prev = 0u64;
    let mut worst = 0f64;
    assert!(crush_ln(0xffff) < crush_ln(0xfffe));
    for u in 0..0xffffu32 {
        let got = crush_ln(u);
        assert!(got >= prev, "crush_ln not monotone at {u}");
        prev = got;
        let exact = (f64::from(u) + 1.0).log2() * 2f64.powi(44);
        worst = worst.max((got as f64 - exact).abs());
    }
    assert!(worst < 2f64.powi(48) * 1e-4, "worst error {worst}");
}
