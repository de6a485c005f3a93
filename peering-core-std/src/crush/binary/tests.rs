//! The codec on maps built in code: a round trip through the bytes, and the
//! maps the layout cannot carry.

use super::super::{CrushBuilder, CrushMap};
use super::*;

fn small() -> CrushMap {
    let mut b = CrushBuilder::with_default_types();
    for o in 0..4 {
        b.add_device(
            o,
            &format!("osd.{o}"),
            Some(if o % 2 == 0 { "hdd" } else { "ssd" }),
        )
        .unwrap();
    }
    b.add_bucket("h0", "host", &[("osd.0", None), ("osd.1", None)])
        .unwrap();
    b.add_bucket("h1", "host", &[("osd.2", None), ("osd.3", None)])
        .unwrap();
    b.add_bucket("default", "root", &[("h0", None), ("h1", None)])
        .unwrap();
    b.add_replicated_rule("r", "default", "host", Some("ssd"))
        .unwrap();
    b.build().unwrap()
}

#[test]
fn a_built_map_survives_the_bytes() {
    let map = small();
    let bytes = encode_crush(&map).unwrap();
    assert_eq!(&bytes[..4], &CRUSH_MAGIC.to_le_bytes());
    let back = decode_crush(&bytes).unwrap();
    assert_eq!(back, map);
    assert_eq!(encode_crush(&back).unwrap(), bytes);
    // Ceph's array growth (`crush_add_bucket`): 8 slots, then doubling.
    let slots = map.max_buckets();
    assert!(slots >= 8 && slots.count_ones() == 1, "{slots}");
}

#[test]
fn what_the_layout_cannot_carry_is_refused() {
    let mut map = small();
    if let Some(Some(b)) = map.buckets.first_mut() {
        b.type_id = 70_000;
    }
    assert_eq!(
        encode_crush(&map),
        Err(CrushEncodeError::OutOfRange {
            what: "bucket type",
            value: 70_000
        })
    );
    let mut map = small();
    map.type_names.insert(9, String::new());
    assert_eq!(encode_crush(&map), Err(CrushEncodeError::EmptyName("type")));
}

#[test]
fn a_bucket_out_of_its_slot_and_an_unknown_algorithm_are_refused_where_they_are() {
    let bytes = encode_crush(&small()).unwrap();
    // The first bucket's id (after magic, three header fields and the tag).
    let mut b = bytes.clone();
    b[20..24].copy_from_slice(&(-5i32).to_le_bytes());
    let e = decode_crush(&b).unwrap_err();
    assert_eq!(e.offset, 20);
    assert!(
        matches!(e.kind, CrushDecodeErrorKind::Inconsistent(_)),
        "{e}"
    );
    let mut b = bytes;
    b[16..20].copy_from_slice(&9u32.to_le_bytes());
    let e = decode_crush(&b).unwrap_err();
    assert_eq!(
        (e.offset, e.kind),
        (16, CrushDecodeErrorKind::UnknownBucketAlg(9))
    );
}
