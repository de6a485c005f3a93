//! The binary OSDMap decoder against Ceph 16.2's own maps and tools: every
//! map `fixtures/osdmaptool/regen.sh` built with osdmaptool (`NAME.osdmap`)
//! decodes, prints exactly as `osdmaptool --print` does, places every PG as
//! `--test-map-pgs-dump-all` says and every object as `--test-map-object`
//! says, and no damaged copy of it makes the decoder panic.

mod fuzz_support;
mod osdmaptool_support;

use peering_core::map::OsdMapView;
use peering_core::types::PgId;
use peering_core_std::crush::hash::ceph_str_hash;
use peering_core_std::osdmap::binary::{
    DecodedOsdMap, OsdMapDecodeErrorKind, ceph_crc32c, decode_incremental, decode_osdmap,
};
use peering_core_std::osdmap::hash_key;

use osdmaptool_support::{
    MAPS, OBJECT_MAPS, assert_places, fixture, fixture_bytes, load, object_lines, pg_lines,
};

fn decode(name: &str) -> DecodedOsdMap {
    decode_osdmap(&fixture_bytes(&format!("{name}.osdmap")))
        .unwrap_or_else(|e| panic!("{name}.osdmap: {e}"))
}

#[test]
fn every_fixture_prints_as_osdmaptool_does() {
    for name in MAPS {
        let m = decode(name);
        let want = fixture(&format!("{name}.print.txt"));
        assert_eq!(m.print(), want, "{name}");
    }
}

#[test]
fn every_pg_maps_as_osdmaptool_says() {
    let mut pgs = 0;
    for name in MAPS {
        let m = decode(name);
        let (pg_num, lines) = pg_lines(name);
        assert_eq!(lines.len(), pg_num as usize, "{name}");
        pgs += lines.len();
        assert_places(&m.map, lines, name);
    }
    assert!(pgs > 10_000, "{pgs} PGs");
}

#[test]
fn the_decoded_map_is_the_one_the_text_fixtures_describe() {
    // The older loader rebuilds each map from osdmaptool's printed form and
    // the decompiled CRUSH map; the binary decoder must agree with it on
    // everything placement reads.
    for name in MAPS {
        let m = decode(name);
        let text = load(name).map;
        assert_eq!(m.map.max_osd(), text.max_osd(), "{name}");
        assert_eq!(m.map.weights(), text.weights(), "{name}");
        // The loader's incremental stamps last_change with its own epoch.
        let strip = |pools: &std::collections::BTreeMap<i64, peering_core::map::PoolInfo>| {
            let mut pools = pools.clone();
            pools.values_mut().for_each(|p| p.last_change = 0);
            pools
        };
        assert_eq!(strip(m.map.pools()), strip(text.pools()), "{name}");
        assert_eq!(m.map.pg_temp(), text.pg_temp(), "{name}");
        assert_eq!(m.map.primary_temp(), text.primary_temp(), "{name}");
        assert_eq!(m.map.pg_upmap(), text.pg_upmap(), "{name}");
        assert_eq!(m.map.pg_upmap_items(), text.pg_upmap_items(), "{name}");
        for o in 0..m.map.max_osd() {
            let o = peering_core::types::OsdId(o);
            assert_eq!(m.map.is_up(o), text.is_up(o), "{name} {o:?}");
            assert_eq!(m.map.exists(o), text.exists(o), "{name} {o:?}");
            assert_eq!(
                m.map.primary_affinity(o),
                text.primary_affinity(o),
                "{name} {o:?}"
            );
        }
        // osdmaptool maps predate Quincy: placement checks rule masks.
        assert!(m.map.checks_rule_mask(), "{name}");
    }
}

#[test]
fn objects_map_as_osdmaptool_says() {
    for name in OBJECT_MAPS {
        let m = decode(name);
        for want in object_lines(name) {
            let record = &m.pools[&want.pg.pool];
            // The pool's own hash, as pg_pool_t::hash_key picks it.
            let key = if want.nspace.is_empty() {
                want.name.clone()
            } else {
                format!("{}\u{1f}{}", want.nspace, want.name)
            };
            let seed = ceph_str_hash(record.object_hash, key.as_bytes());
            assert_eq!(seed, hash_key(&want.name, &want.nspace), "{name}");
            let pg = PgId::new(want.pg.pool, seed).raw_to_pg(record.pg_num);
            assert_eq!(pg, want.pg, "{name} {}", want.name);
            let got = m.map.pg_to_up_acting_osds(pg).acting;
            assert_eq!(got, want.acting, "{name} {}", want.name);
        }
    }
}

#[test]
fn fields_placement_ignores_are_read_too() {
    let m = decode("ec_temps");
    assert_eq!(m.pool_names[&1], "rbd");
    assert_eq!(m.pools[&1].type_name(), "erasure");
    assert_eq!(m.pools[&1].stripe_width, 0);
    assert!(m.pools[&1].application_metadata.contains_key("rbd"));
    // createsimple names the default profile and the pool none; k comes from
    // min_size (5 = k + 1), m from the size.
    assert!(m.erasure_code_profiles.contains_key("default"));
    assert_eq!(
        m.map.pg_pool(1).unwrap().kind,
        peering_core::map::PoolKind::Erasure { k: 4, m: 2 }
    );
    assert_eq!(m.crc, {
        let b = fixture_bytes("ec_temps.osdmap");
        u32::from_le_bytes(b[b.len() - 4..].try_into().unwrap())
    });
}

/// Rewrites a full map's trailing CRC so that damage elsewhere reaches the
/// field decoders instead of the CRC check.
fn fix_full_crc(b: &mut [u8]) {
    if b.len() >= 4 {
        let at = b.len() - 4;
        let crc = ceph_crc32c(u32::MAX, &b[..at]);
        b[at..].copy_from_slice(&crc.to_le_bytes());
    }
}

#[test]
fn every_truncation_is_a_typed_error_at_or_before_the_cut() {
    for name in ["replicated", "temps", "ec_temps", "weightset_pool"] {
        let bin = fixture_bytes(&format!("{name}.osdmap"));
        for len in 0..bin.len() {
            let e = decode_osdmap(&bin[..len]).unwrap_err();
            assert!(e.offset <= len, "{name} cut at {len}: {e}");
        }
    }
}

#[test]
fn a_flipped_bit_is_caught_by_the_crc() {
    let mut bin = fixture_bytes("temps.osdmap");
    bin[200] ^= 0x10;
    let e = decode_osdmap(&bin).unwrap_err();
    assert!(
        matches!(e.kind, OsdMapDecodeErrorKind::BadCrc { .. }),
        "{e}"
    );
    assert_eq!(e.offset, bin.len() - 4);
}

#[test]
fn encodings_this_decoder_does_not_know_are_named() {
    let bin = fixture_bytes("replicated.osdmap");
    // The wrapper's struct_v 6: the pre-Giant single-version layout.
    let mut old = bin.clone();
    old[0] = 6;
    let e = decode_osdmap(&old).unwrap_err();
    assert_eq!(
        e.kind,
        OsdMapDecodeErrorKind::UnsupportedVersion {
            what: "OSDMap",
            version: 6,
            compat: 0,
            known: 8
        }
    );
    // A client section whose compat version is newer than any known.
    let mut new = bin.clone();
    new[7] = 11;
    fix_full_crc(&mut new);
    let e = decode_osdmap(&new).unwrap_err();
    assert!(
        matches!(
            e.kind,
            OsdMapDecodeErrorKind::UnsupportedVersion {
                what: "OSDMap client data",
                compat: 11,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.offset, 6);
    // Bytes after the map.
    let mut long = bin.clone();
    long.extend_from_slice(&[0; 3]);
    let e = decode_osdmap(&long).unwrap_err();
    assert_eq!(e.kind, OsdMapDecodeErrorKind::TrailingData(3));
}

#[test]
fn hostile_counts_are_refused_before_allocating() {
    let bin = fixture_bytes("replicated.osdmap");
    // The pool count sits after the headers (12 bytes), fsid, epoch and two
    // timestamps: 12 + 16 + 4 + 8 + 8.
    let at = 48;
    assert_eq!(u32::from_le_bytes(bin[at..at + 4].try_into().unwrap()), 1);
    let mut b = bin.clone();
    b[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    fix_full_crc(&mut b);
    let e = decode_osdmap(&b).unwrap_err();
    assert!(
        matches!(
            e.kind,
            OsdMapDecodeErrorKind::CountTooLarge {
                what: "pools",
                count: 4_294_967_295,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.offset, at);
}

/// Damaged copies per fixture: 1,000 by default (11,000 in all);
/// `OSDMAP_FUZZ_ROUNDS=10000` makes a run of more than 100,000.
fn rounds() -> usize {
    fuzz_support::rounds("OSDMAP_FUZZ_ROUNDS", 1000)
}

#[test]
fn damaged_maps_never_panic_and_every_error_names_its_byte() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let (mut decoded, mut refused) = (0, 0);
    for name in MAPS {
        let bin = fixture_bytes(&format!("{name}.osdmap"));
        for _ in 0..rounds() {
            let mut b = bin.clone();
            fuzz_support::damage(&mut b, &mut seed);
            fix_full_crc(&mut b);
            match decode_osdmap(&b) {
                Ok(m) => {
                    decoded += 1;
                    // A map that decodes can be printed. (Not mapped: a
                    // damaged tunable such as `choose_total_tries` 2^32 - 1
                    // is a legal map whose every mapping retries that often,
                    // in Ceph too.)
                    assert!(m.print().starts_with("epoch "));
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
    eprintln!("{decoded} decoded, {refused} refused");
}

#[test]
fn a_full_map_is_refused_as_an_incremental() {
    // An incremental made from nothing but Ceph's layout is in the monitor
    // fixtures; here, a map's bytes fed to the incremental decoder (and the
    // reverse) must be refused with a typed error.
    for name in MAPS {
        let bin = fixture_bytes(&format!("{name}.osdmap"));
        let e = decode_incremental(&bin).unwrap_err();
        assert!(e.offset <= bin.len(), "{name}: {e}");
    }
}

#[test]
fn a_map_with_reef_primary_upmaps_is_refused() {
    // Reef's client section v10 appends pg_upmap_primaries; placement does
    // not model them, so such a map must not be placed with.
    let bin = fixture_bytes("replicated.osdmap");
    let len = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let client_end = 12 + len(&bin, 8) as usize;
    let mut primaries = 1u32.to_le_bytes().to_vec();
    primaries.push(1); // pg_t v1
    primaries.extend_from_slice(&1i64.to_le_bytes());
    primaries.extend_from_slice(&0u32.to_le_bytes());
    primaries.extend_from_slice(&(-1i32).to_le_bytes());
    primaries.extend_from_slice(&2i32.to_le_bytes());
    let mut b = bin[..client_end].to_vec();
    b.extend_from_slice(&primaries);
    b.extend_from_slice(&bin[client_end..]);
    b[6] = 10;
    let grow = primaries.len() as u32;
    let (w, c) = (len(&b, 2) + grow, len(&b, 8) + grow);
    b[2..6].copy_from_slice(&w.to_le_bytes());
    b[8..12].copy_from_slice(&c.to_le_bytes());
    fix_full_crc(&mut b);
    let e = decode_osdmap(&b).unwrap_err();
    assert_eq!(e.offset, client_end, "{e}");
    assert!(e.to_string().contains("pg_upmap_primaries"), "{e}");
    // Without entries, the same v10 layout decodes.
    let mut empty = bin[..client_end].to_vec();
    empty.extend_from_slice(&0u32.to_le_bytes());
    empty.extend_from_slice(&bin[client_end..]);
    empty[6] = 10;
    let (w, c) = (len(&empty, 2) + 4, len(&empty, 8) + 4);
    empty[2..6].copy_from_slice(&w.to_le_bytes());
    empty[8..12].copy_from_slice(&c.to_le_bytes());
    fix_full_crc(&mut empty);
    assert_eq!(
        decode_osdmap(&empty).unwrap().print(),
        decode("replicated").print()
    );
}
