//! Object → PG (`object_locator_to_pg`, `pg_pool_t::hash_key`, `raw_pg_to_pg`;
//! `ceph-osd-side.md` §5.3).

use peering_core::map::PoolInfo;
use peering_core::types::PgId;
use peering_core_std::crush::hash::ceph_str_hash_rjenkins;
use peering_core_std::osdmap::{ObjectLocator, OsdMap, OsdMapError, hash_key};

fn map() -> OsdMap {
    OsdMap::build_simple(3, [PoolInfo::replicated(1, 3, 12)], None).unwrap()
}

#[test]
fn name_hash_becomes_the_raw_seed() {
    let m = map();
    let loc = ObjectLocator::new(1);
    let raw = m.object_locator_to_pg("rbd_data.1234", &loc).unwrap();
    assert_eq!(raw, PgId::new(1, ceph_str_hash_rjenkins(b"rbd_data.1234")));
    // The storing PG is the raw seed folded by pg_num (12 → mask 15).
    let pg = m.object_to_pg("rbd_data.1234", &loc).unwrap();
    assert_eq!(pg, raw.raw_to_pg(12));
    assert!(pg.seed < 12);
}

#[test]
fn namespace_prefixes_the_key_with_a_unit_separator() {
    assert_eq!(hash_key("obj", ""), ceph_str_hash_rjenkins(b"obj"));
    assert_eq!(hash_key("obj", "ns"), ceph_str_hash_rjenkins(b"ns\x1fobj"));
    assert_ne!(hash_key("obj", "ns"), hash_key("obj", ""));
}

#[test]
fn locator_key_and_explicit_hash_take_precedence() {
    let m = map();
    let keyed = ObjectLocator {
        key: "shared".into(),
        ..ObjectLocator::new(1)
    };
    assert_eq!(
        m.object_locator_to_pg("a", &keyed).unwrap(),
        m.object_locator_to_pg("b", &keyed).unwrap()
    );
    assert_eq!(
        m.object_locator_to_pg("a", &keyed).unwrap().seed,
        ceph_str_hash_rjenkins(b"shared")
    );
    let hashed = ObjectLocator {
        hash: Some(0xdead_beef),
        ..keyed
    };
    assert_eq!(
        m.object_locator_to_pg("a", &hashed).unwrap(),
        PgId::new(1, 0xdead_beef)
    );
}

#[test]
fn unknown_pool_is_refused() {
    let m = map();
    assert_eq!(
        m.object_to_pg("x", &ObjectLocator::new(7)),
        Err(OsdMapError::UnknownPool(7))
    );
    assert_eq!(
        m.raw_pg_to_pg(PgId::new(7, 1)),
        Err(OsdMapError::UnknownPool(7))
    );
}
