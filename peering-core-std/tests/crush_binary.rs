//! The binary CRUSH map against `crushtool -c` (Ceph 16.2): every fixture
//! map in `fixtures/crush/` compiled by crushtool (`binary/*.bin`, made by
//! `fixtures/crush/regen.sh`) decodes to the map our text compiler builds
//! from the same text, re-encodes to the same bytes, and no damaged copy of
//! it makes the decoder panic.

mod fuzz_support;

use std::fs;
use std::path::PathBuf;

use peering_core_std::crush::{CrushDecodeErrorKind, decode_crush, encode_crush, parse_crush_text};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crush")
}

/// Every (name, binary, text) fixture.
fn fixtures() -> Vec<(String, Vec<u8>, String)> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir().join("binary")).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let bin = fs::read(&path).unwrap();
        let text = fs::read_to_string(dir().join(format!("{name}.txt"))).unwrap();
        out.push((name, bin, text));
    }
    out.sort();
    assert!(out.len() >= 15, "{} fixtures", out.len());
    out
}

#[test]
fn crushtool_binaries_decode_to_the_map_the_text_compiles_to() {
    for (name, bin, text) in fixtures() {
        let decoded = decode_crush(&bin).unwrap_or_else(|e| panic!("{name}: {e}"));
        let parsed = parse_crush_text(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded, parsed, "{name}");
    }
}

#[test]
fn decoded_maps_map_as_crushtool_does() {
    // Equal maps map equally; this pins it on the decoded map itself, for
    // every rule, against crushtool's own mappings of `replicated` and `racks`.
    for (name, rule_count) in [("replicated", 1), ("racks", 3)] {
        let bin = fs::read(dir().join(format!("binary/{name}.bin"))).unwrap();
        let map = decode_crush(&bin).unwrap();
        assert_eq!(map.rules().count(), rule_count, "{name}");
        let weights = vec![0x10000u32; map.max_devices() as usize];
        let parsed =
            parse_crush_text(&fs::read_to_string(dir().join(format!("{name}.txt"))).unwrap())
                .unwrap();
        for rule in map.rules() {
            for x in 0..1024 {
                assert_eq!(
                    map.do_rule(rule.id, x, 3, &weights).unwrap(),
                    parsed.do_rule(rule.id, x, 3, &weights).unwrap(),
                    "{name} rule {} x {x}",
                    rule.id
                );
            }
        }
    }
}

#[test]
fn decoded_maps_re_encode_byte_for_byte() {
    for (name, bin, _) in fixtures() {
        let map = decode_crush(&bin).unwrap();
        let again = encode_crush(&map).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, bin, "{name}");
        // And the text compiler's map encodes as crushtool's does.
        let parsed =
            parse_crush_text(&fs::read_to_string(dir().join(format!("{name}.txt"))).unwrap())
                .unwrap();
        assert_eq!(encode_crush(&parsed).unwrap(), bin, "{name} from text");
    }
}

#[test]
fn every_truncation_is_a_typed_error() {
    for (name, bin, _) in fixtures() {
        for len in 0..bin.len() {
            match decode_crush(&bin[..len]) {
                // Older encodings end early: a map cut right after a
                // complete section may still decode (tunables stay legacy).
                Ok(_) => {}
                Err(e) => assert!(e.offset <= len, "{name} cut at {len}: {e}"),
            }
        }
    }
}

/// Damaged copies per fixture: 1,500 by default (22,500 in all);
/// `CRUSH_FUZZ_ROUNDS=7000` makes a run of more than 100,000.
fn rounds() -> usize {
    fuzz_support::rounds("CRUSH_FUZZ_ROUNDS", 1500)
}

#[test]
fn damaged_maps_never_panic_and_every_error_names_its_byte() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut decoded = 0;
    let mut refused = 0;
    for (_, bin, _) in fixtures() {
        for _ in 0..rounds() {
            let mut b = bin.clone();
            fuzz_support::damage(&mut b, &mut seed);
            // (Not mapped: a damaged tunable such as `choose_total_tries`
            // 2^32 - 1 is a legal map whose every mapping retries that often,
            // in Ceph too.)
            match decode_crush(&b) {
                Ok(map) => {
                    decoded += 1;
                    assert!(map.validate().is_ok());
                }
                Err(e) => {
                    refused += 1;
                    assert!(e.offset <= b.len(), "{e}");
                }
            }
        }
    }
    assert!(
        refused > 0 && decoded > 0,
        "{decoded} decoded, {refused} refused"
    );
}

#[test]
fn hostile_headers_are_refused_without_allocating_for_them() {
    let mut b = 0x0001_0000u32.to_le_bytes().to_vec();
    // max_buckets 2^31 - 1 with nothing after it.
    b.extend_from_slice(&i32::MAX.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&0i32.to_le_bytes());
    let e = decode_crush(&b).unwrap_err();
    assert!(
        matches!(
            e.kind,
            CrushDecodeErrorKind::CountTooLarge {
                what: "bucket slot",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.offset, 4);

    let e = decode_crush(&[0, 0, 2, 0]).unwrap_err();
    assert_eq!(e.kind, CrushDecodeErrorKind::BadMagic(0x0002_0000));

    // Bytes after the choose_args: a newer encoding.
    let mut bin = fs::read(dir().join("binary/replicated.bin")).unwrap();
    bin.extend_from_slice(&[1, 0, 0, 0, 2, 0, 0, 0]);
    let e = decode_crush(&bin).unwrap_err();
    assert_eq!(e.kind, CrushDecodeErrorKind::TrailingData(8));
}
