//! Malformed CRUSH input gives typed errors, never a panic.

use peering_core_std::crush::{CrushBuilder, CrushError, parse_crush_text};
use proptest::prelude::*;

const GOOD: &str = "device 0 osd.0
device 1 osd.1
device 2 osd.2
device 3 osd.3
type 0 osd
type 1 host
type 2 root
host a {
	id -2
	alg straw2
	hash 0
	item osd.0 weight 1.000
	item osd.1 weight 1.000
}
host b {
	id -3
	alg straw2
	hash 0
	item osd.2 weight 1.000
	item osd.3 weight 1.000
}
root default {
	id -1
	alg straw2
	hash 0
	item a weight 2.000
	item b weight 2.000
}
rule r {
	id 0
	type replicated
	min_size 1
	max_size 10
	step take default
	step chooseleaf firstn 0 type host
	step emit
}
";

fn inner(e: CrushError) -> CrushError {
    match e {
        CrushError::AtLine { error, .. } => *error,
        other => other,
    }
}

#[test]
fn the_base_map_is_valid() {
    let map = parse_crush_text(GOOD).unwrap();
    assert_eq!(map.max_devices(), 4);
    assert_eq!(map.do_rule(0, 7, 2, &[0x10000; 4]).unwrap().len(), 2);
}

#[test]
fn syntax_error_reports_its_line() {
    let bad = GOOD.replace("device 2 osd.2", "device two osd.2");
    assert!(matches!(
        parse_crush_text(&bad),
        Err(CrushError::Parse { line: 3, .. })
    ));
    let bad = GOOD.replace(
        "\talg straw2\n\thash 0\n\titem osd.2",
        "\talg straw2\n\tbogus 0\n\titem osd.2",
    );
    assert!(matches!(
        parse_crush_text(&bad),
        Err(CrushError::Parse { line: 18, .. })
    ));
    let truncated = &GOOD[..GOOD.len() - 3];
    assert!(matches!(
        parse_crush_text(truncated),
        Err(CrushError::Parse { .. })
    ));
    let bad = format!("tunable frobnicate 1\n{GOOD}");
    assert!(matches!(
        parse_crush_text(&bad),
        Err(CrushError::Parse { line: 1, .. })
    ));
}

#[test]
fn unknown_bucket_type_and_class_are_typed() {
    let bad = GOOD.replace("step take default", "step take nowhere");
    let e = parse_crush_text(&bad).unwrap_err();
    assert!(matches!(e, CrushError::AtLine { line: 34, .. }), "{e:?}");
    assert_eq!(inner(e), CrushError::UnknownItem("nowhere".into()));
    let bad = GOOD.replace("type host\n", "type rack\n");
    assert_eq!(
        inner(parse_crush_text(&bad).unwrap_err()),
        CrushError::UnknownType("rack".into())
    );
    let bad = GOOD.replace("root default {", "datacenter default {");
    assert_eq!(
        inner(parse_crush_text(&bad).unwrap_err()),
        CrushError::UnknownType("datacenter".into())
    );
    let bad = GOOD.replace("step take default", "step take default class nvme");
    assert!(matches!(
        inner(parse_crush_text(&bad).unwrap_err()),
        CrushError::UnknownClass { .. }
    ));
    let bad = GOOD.replace("item osd.3 weight", "item osd.9 weight");
    assert_eq!(
        inner(parse_crush_text(&bad).unwrap_err()),
        CrushError::UnknownItem("osd.9".into())
    );
}

#[test]
fn colliding_ids_are_rejected() {
    let bad = GOOD.replace("device 3 osd.3", "device 2 osd.3");
    assert!(matches!(
        inner(parse_crush_text(&bad).unwrap_err()),
        CrushError::Duplicate { .. }
    ));
    let bad = GOOD.replace("\tid -3\n", "\tid -2\n");
    assert!(matches!(
        inner(parse_crush_text(&bad).unwrap_err()),
        CrushError::Duplicate { .. }
    ));
    let bad = GOOD.replace("host b {", "host a {");
    assert!(matches!(
        inner(parse_crush_text(&bad).unwrap_err()),
        CrushError::Duplicate { .. }
    ));
    let bad = format!("{GOOD}rule r2 {{\n\tid 0\n\ttype replicated\n\tstep emit\n}}\n");
    assert!(matches!(
        inner(parse_crush_text(&bad).unwrap_err()),
        CrushError::Duplicate { .. }
    ));
    let bad = GOOD.replace("\tid -3\n", "\tid 3\n");
    assert_eq!(
        inner(parse_crush_text(&bad).unwrap_err()),
        CrushError::InvalidId(3)
    );
}

#[test]
fn invalid_bucket_names_are_rejected() {
    let bad = GOOD
        .replace("host b {", "host b~x {")
        .replace("item b weight", "item b~x weight");
    let e = inner(parse_crush_text(&bad).unwrap_err());
    assert!(matches!(e, CrushError::BadBucket { .. }), "{e:?}");
}

#[test]
fn a_cycle_is_rejected() {
    let mut b = CrushBuilder::with_default_types();
    b.add_device(0, "osd.0", None).unwrap();
    b.add_bucket("h", "host", &[("osd.0", None)]).unwrap();
    b.add_bucket("r", "root", &[("h", None)]).unwrap();
    b.link("h", "r", None).unwrap();
    assert!(matches!(b.build(), Err(CrushError::Cycle(_))));
}

#[test]
fn missing_rule_and_short_weight_vector() {
    let map = parse_crush_text(GOOD).unwrap();
    assert_eq!(
        map.do_rule(5, 1, 3, &[0x10000; 4]),
        Err(CrushError::RuleNotFound(5))
    );
    assert_eq!(
        map.do_rule(-1, 1, 3, &[0x10000; 4]),
        Err(CrushError::RuleNotFound(-1))
    );
    // Devices at or past the end of the weight vector are out, as in Ceph's is_out:
    // only osd.0 and osd.1 (host a) can be chosen.
    for x in 0..200 {
        let got = map.do_rule(0, x, 2, &[0x10000; 2]).unwrap();
        assert!(got.iter().all(|&o| o < 2), "x {x}: {got:?}");
        assert!(
            got.len() <= 1,
            "host b has no in device, so one replica at most: {got:?}"
        );
    }
    assert!(map.do_rule(0, 1, 2, &[]).unwrap().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = parse_crush_text(&s);
    }

    #[test]
    fn mutated_maps_never_panic(cut in 0usize..GOOD.len(), junk in "[a-z0-9{}\\[\\] \\-\\n]{0,12}", x in any::<u32>()) {
        let mut s = GOOD.to_string();
        let cut = (0..=cut).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        s.insert_str(cut, &junk);
        if let Ok(map) = parse_crush_text(&s) {
            for rule in 0..2 {
                let _ = map.do_rule(rule, x, 3, &[0x10000, 0x8000, 0, 0x10000]);
            }
        }
    }
}
