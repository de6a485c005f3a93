//! Differential tests: object → PG → acting set (`object_locator_to_pg`,
//! `raw_pg_to_pg`, `pg_to_acting_osds`; `ceph-osd-side.md` §5.3) against Ceph
//! 16.2's `osdmaptool --test-map-object NAME --pool ID` for the 306 names of
//! `fixtures/osdmaptool/objects.txt` on four of the fixture maps (replicated, EC with holes, 1536 PGs over racks in pool 7,
//! and the map with every override) (regenerated
//! by `fixtures/osdmaptool/regen.sh`).
//!
//! osdmaptool has no namespace option; 60 of the names sit in a namespace, which
//! regen.sh expresses as the name `NS\x1fNAME` in the default namespace. Ceph's
//! `pg_pool_t::hash_key` hashes both the same, so osdmaptool's answer is the
//! namespaced object's placement, and ours is computed with a real namespace.

mod osdmaptool_support;

use osdmaptool_support::{OBJECT_MAPS, load, object_lines, object_names};
use peering_core_std::osdmap::ObjectLocator;

fn check_map(name: &str) -> (usize, usize) {
    let loaded = load(name);
    let m = &loaded.map;
    let pool = loaded.pools[0].id;
    let lines = object_lines(name);
    let names = object_names();
    assert_eq!(lines.len(), names.len(), "{name}: one line per object");
    let mut in_ns = 0;
    for (want, (ns, obj)) in lines.iter().zip(&names) {
        // The printed name is the one fed in (no quoting accident in regen.sh).
        assert_eq!((&want.nspace, &want.name), (ns, obj), "{name}");
        let loc = ObjectLocator {
            nspace: want.nspace.clone(),
            ..ObjectLocator::new(pool)
        };
        let pg = m.object_to_pg(&want.name, &loc).unwrap();
        assert_eq!(
            pg, want.pg,
            "{name}: object {:?} in namespace {:?}",
            want.name, want.nspace
        );
        let acting = m.pg_to_up_acting_osds(pg).acting;
        assert_eq!(
            acting, want.acting,
            "{name}: object {:?} in namespace {:?} (pg {}.{:x})",
            want.name, want.nspace, pg.pool, pg.seed
        );
        if !want.nspace.is_empty() {
            in_ns += 1;
        }
    }
    (lines.len(), in_ns)
}

#[test]
fn objects_map_like_osdmaptool() {
    for name in OBJECT_MAPS {
        assert_eq!(check_map(name), (306, 60), "{name}");
    }
}

/// The namespace changes the hash: the same names outside their namespace land
/// elsewhere for most of them (so the namespaced cases above test something).
#[test]
fn namespaced_names_differ_from_plain_ones() {
    let m = load("replicated").map;
    let moved = object_lines("replicated")
        .iter()
        .filter(|o| !o.nspace.is_empty())
        .filter(|o| m.object_to_pg(&o.name, &ObjectLocator::new(1)).unwrap() != o.pg)
        .count();
    assert!(moved > 50, "only {moved} of 60 moved");
}
