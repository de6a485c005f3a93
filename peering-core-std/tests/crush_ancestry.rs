//! `CrushWrapper::get_parent_of_type`, the question stretch pools ask of
//! CRUSH: which bucket of a type (a site) holds an OSD, searched below a
//! rule's `take` roots or, without a rule, up the hierarchy.

use peering_core::map::OsdMapView;
use peering_core::types::OsdId;
use peering_core_std::crush::{CrushMap, parse_crush_text};
use peering_core_std::osdmap::{CrushHandle, Incremental, OsdMap};

/// Two datacenters of two hosts each; osd.3 and osd.7 are SSDs, the rest
/// HDDs. Rule 0 takes the root, rule 1 the HDD shadow of the root, rule 2
/// only dc0.
const TWO_SITES: &str = "\
tunable choose_total_tries 50
tunable chooseleaf_descend_once 1
tunable chooseleaf_vary_r 1
tunable chooseleaf_stable 1
tunable straw_calc_version 1
tunable allowed_bucket_algs 54
device 0 osd.0 class hdd
device 1 osd.1 class hdd
device 2 osd.2 class hdd
device 3 osd.3 class ssd
device 4 osd.4 class hdd
device 5 osd.5 class hdd
device 6 osd.6 class hdd
device 7 osd.7 class ssd
type 0 osd
type 1 host
type 8 datacenter
type 10 root
host h0 {
\tid -2
\talg straw2
\thash 0
\titem osd.0 weight 1.00000
\titem osd.1 weight 1.00000
}
host h1 {
\tid -3
\talg straw2
\thash 0
\titem osd.2 weight 1.00000
\titem osd.3 weight 1.00000
}
host h2 {
\tid -4
\talg straw2
\thash 0
\titem osd.4 weight 1.00000
\titem osd.5 weight 1.00000
}
host h3 {
\tid -5
\talg straw2
\thash 0
\titem osd.6 weight 1.00000
\titem osd.7 weight 1.00000
}
datacenter dc0 {
\tid -6
\talg straw2
\thash 0
\titem h0 weight 2.00000
\titem h1 weight 2.00000
}
datacenter dc1 {
\tid -7
\talg straw2
\thash 0
\titem h2 weight 2.00000
\titem h3 weight 2.00000
}
root default {
\tid -1
\talg straw2
\thash 0
\titem dc0 weight 4.00000
\titem dc1 weight 4.00000
}
rule stretch_rule {
\tid 0
\ttype replicated
\tstep take default
\tstep choose firstn 2 type datacenter
\tstep chooseleaf firstn 2 type host
\tstep emit
}
rule stretch_hdd {
\tid 1
\ttype replicated
\tstep take default class hdd
\tstep choose firstn 2 type datacenter
\tstep chooseleaf firstn 2 type host
\tstep emit
}
rule dc0_only {
\tid 2
\ttype replicated
\tstep take dc0
\tstep chooseleaf firstn 0 type host
\tstep emit
}
";

const DC0: i32 = -6;
const DC1: i32 = -7;
const DATACENTER: i32 = 8;

fn crush() -> CrushMap {
    parse_crush_text(TWO_SITES).unwrap()
}

#[test]
fn rule_roots_find_each_osds_datacenter_and_host() {
    let c = crush();
    for osd in 0..4 {
        assert_eq!(
            c.get_parent_of_type(osd, DATACENTER, 0),
            Some(DC0),
            "osd.{osd}"
        );
    }
    for osd in 4..8 {
        assert_eq!(
            c.get_parent_of_type(osd, DATACENTER, 0),
            Some(DC1),
            "osd.{osd}"
        );
    }
    assert_eq!(c.get_parent_of_type(2, 1, 0), Some(-3));
    // Ceph answers 0 ("not found") for an unknown item, an unknown rule, and
    // a type the rule's tree does not have.
    assert_eq!(c.get_parent_of_type(99, DATACENTER, 0), None);
    assert_eq!(c.get_parent_of_type(0, DATACENTER, 9), None);
    assert_eq!(c.get_parent_of_type(0, 5, 0), None);
}

#[test]
fn without_a_rule_the_parents_are_walked_upwards() {
    let c = crush();
    assert_eq!(c.get_parent_of_type(5, DATACENTER, -1), Some(DC1));
    assert_eq!(c.get_parent_of_type(5, 1, -1), Some(-4));
    assert_eq!(c.get_parent_of_type(5, 10, -1), Some(-1));
    assert_eq!(c.get_parent_of_type(5, 5, -1), None);
}

#[test]
fn a_rule_searches_only_below_its_take_roots() {
    let c = crush();
    assert_eq!(c.get_parent_of_type(1, 1, 2), Some(-2));
    // The root itself counts when it is of the type asked for
    // (`get_children_of_type` stops at it); osd.4 is outside it altogether.
    assert_eq!(c.get_parent_of_type(1, DATACENTER, 2), Some(DC0));
    assert_eq!(c.get_parent_of_type(4, DATACENTER, 2), None);
    assert_eq!(c.get_parent_of_type(4, 1, 2), None);
}

/// A device-class rule takes the shadow tree (`default~hdd`): Ceph's
/// `get_parent_of_type` answers the shadow datacenter, and `get_osd_zone`
/// (what stretch pools ask) the datacenter it shadows, so a pool's mandatory
/// member (a real bucket id) compares equal. An SSD is in no HDD shadow
/// bucket.
#[test]
fn device_class_rules_find_shadows_and_zones_the_shadowed_bucket() {
    let c = crush();
    let dc0_hdd = c.class_shadow(DC0, "hdd").unwrap();
    let dc1_hdd = c.class_shadow(DC1, "hdd").unwrap();
    assert_ne!(dc0_hdd, DC0);
    assert_eq!(c.get_parent_of_type(0, DATACENTER, 1), Some(dc0_hdd));
    assert_eq!(c.get_parent_of_type(6, DATACENTER, 1), Some(dc1_hdd));
    assert_eq!(c.shadowed_bucket(dc0_hdd), Some(DC0));
    assert_eq!(c.shadowed_bucket(DC0), None);
    assert_eq!(c.osd_zone(0, DATACENTER, 1), Some(DC0));
    assert_eq!(c.osd_zone(6, DATACENTER, 1), Some(DC1));
    assert_eq!(c.osd_zone(0, DATACENTER, 0), Some(DC0));
    for ssd in [3, 7] {
        assert_eq!(c.get_parent_of_type(ssd, DATACENTER, 1), None);
        assert_eq!(c.osd_zone(ssd, DATACENTER, 1), None);
    }
}

/// Buckets shared between parents (a DAG, which a valid map may be): forty
/// levels of two buckets, each holding both buckets of the level below,
/// give 2^40 paths to the one OSD at the bottom. Each walk enters a bucket
/// once, so the answer comes at once instead of never.
#[test]
fn shared_buckets_are_walked_once() {
    let levels = 40;
    let mut text = String::from(
        "device 0 osd.0\ntype 0 osd\ntype 1 host\ntype 2 rack\ntype 3 root\n\
         host h {\n\tid -1\n\talg straw2\n\thash 0\n\titem osd.0 weight 1.00000\n}\n",
    );
    // Level 0 is the host; level n has buckets -2n and -2n-1 of type rack.
    let name = |level: i32, side: i32| format!("r{level}_{side}");
    for level in 1..=levels {
        for side in 0..2 {
            let id = -2 * level - side;
            let items = if level == 1 {
                "\titem h weight 1.00000\n".to_string()
            } else {
                format!(
                    "\titem {} weight 1.00000\n\titem {} weight 1.00000\n",
                    name(level - 1, 0),
                    name(level - 1, 1)
                )
            };
            text.push_str(&format!(
                "rack {} {{\n\tid {id}\n\talg straw2\n\thash 0\n{items}}}\n",
                name(level, side)
            ));
        }
    }
    text.push_str(&format!(
        "root top {{\n\tid -{}\n\talg straw2\n\thash 0\n\titem {} weight 1.00000\n\titem {} weight 1.00000\n}}\n",
        2 * levels + 2,
        name(levels, 0),
        name(levels, 1)
    ));
    text.push_str(
        "rule r {\n\tid 0\n\ttype replicated\n\tstep take top\n\tstep chooseleaf firstn 0 type host\n\tstep emit\n}\n",
    );
    let c = parse_crush_text(&text).unwrap();
    assert_eq!(c.get_parent_of_type(0, 1, 0), Some(-1));
    assert_eq!(c.get_parent_of_type(0, 2, 0), Some(-2 * levels));
    assert!(c.subtree_contains(-2 * levels - 1, 0));
    assert!(!c.subtree_contains(-2, 7));
}

/// The map answers the core's `OsdMapView::parent_of_type` from its CRUSH
/// map; a hole or a negative id is in no bucket.
#[test]
fn the_osdmap_answers_through_its_crush_map() {
    let mut inc = Incremental::new(1);
    inc.new_max_osd = Some(8);
    for o in 0..8 {
        inc.add_osd(o, 8);
    }
    inc.new_crush = Some(CrushHandle::new(crush()));
    let map = OsdMap::new().with_incremental(&inc).unwrap();
    assert_eq!(map.parent_of_type(OsdId(4), 8, 0), Some(DC1));
    assert_eq!(map.parent_of_type(OsdId::NONE, 8, 0), None);
    assert_eq!(map.parent_of_type(OsdId(-2), 8, 0), None);
    let no_crush = OsdMap::new();
    assert_eq!(no_crush.parent_of_type(OsdId(4), 8, 0), None);
}
