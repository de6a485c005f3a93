//! The binary OSDMap and incremental decoders against a real Ceph 16.2
//! monitor: `fixtures/osdmap_mon/regen.sh` ran a monitor and four OSDs,
//! drove 55 epochs of commands (`epochs.txt`: OSDs created and booted, CRUSH
//! buckets moved, pools created and deleted, pg_temp, primary_temp, upmaps,
//! primary affinity, reweights, out/in/down/lost, `pg_num` raised, device
//! classes) and kept every full map and every incremental the monitor stored.
//! Every full map decodes and prints as `osdmaptool --print` prints it; and
//! applying each incremental to the map before it gives, field for field and
//! PG for PG, the monitor's own next map.

mod fuzz_support;
mod osdmaptool_support;

use std::fs;
use std::path::PathBuf;

use peering_core::map::OsdMapView;
use peering_core::types::PgId;
use peering_core_std::osdmap::binary::{
    DecodedOsdMap, OsdMapDecodeErrorKind, ceph_crc32c, decode_incremental, decode_osdmap,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osdmap_mon")
}

/// The epochs regen.sh kept, ascending.
fn epochs() -> Vec<u32> {
    let mut out: Vec<u32> = fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let n = name.strip_prefix("full.")?.strip_suffix(".bin")?;
            n.parse().ok()
        })
        .collect();
    out.sort_unstable();
    assert!(out.len() >= 40, "{} epochs", out.len());
    out
}

fn bytes(kind: &str, epoch: u32) -> Vec<u8> {
    fs::read(dir().join(format!("{kind}.{epoch:03}.bin"))).unwrap()
}

fn full(epoch: u32) -> DecodedOsdMap {
    decode_osdmap(&bytes("full", epoch)).unwrap_or_else(|e| panic!("full.{epoch:03}: {e}"))
}

#[test]
fn every_monitor_map_prints_as_osdmaptool_does() {
    for e in epochs() {
        let m = full(e);
        assert_eq!(m.map.epoch(), e);
        let want = fs::read_to_string(dir().join(format!("full.{e:03}.print.txt"))).unwrap();
        assert_eq!(m.print(), want, "epoch {e}");
        // Up to Pacific (release 16; Quincy is 17) OSDs check rule masks.
        assert_eq!(
            m.map.checks_rule_mask(),
            m.require_osd_release < 17,
            "epoch {e}"
        );
    }
}

#[test]
fn monitor_maps_place_every_pg_as_osdmaptool_says() {
    let mut checked = 0;
    for e in epochs() {
        let Ok(text) = fs::read_to_string(dir().join(format!("full.{e:03}.pgs.txt"))) else {
            continue;
        };
        let m = full(e);
        let (_, lines) = osdmaptool_support::parse_pg_lines(&text);
        let total: u32 = m.map.pools().values().map(|p| p.pg_num).sum();
        assert_eq!(lines.len(), total as usize, "epoch {e}");
        osdmaptool_support::assert_places(&m.map, lines, &format!("epoch {e}"));
        checked += 1;
    }
    assert!(checked >= 3, "{checked} epochs with osdmaptool placements");
}

/// Everything `DecodedOsdMap` holds, as text: its print, every pool and
/// profile, every OSD's record and every PG's placement.
fn fingerprint(m: &DecodedOsdMap) -> String {
    let mut s = m.print();
    s.push_str(&format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{}\n{:?}\n",
        m.pools,
        m.erasure_code_profiles,
        m.osds,
        m.removed_snaps_queue,
        m.crush_version,
        m.map.checks_rule_mask()
    ));
    s.push_str(&format!("{:?}\n", m.crush));
    for (id, p) in m.map.pools() {
        for seed in 0..p.pg_num {
            let ua = m.map.pg_to_up_acting_osds(PgId::new(*id, seed));
            s.push_str(&format!("{id}.{seed:x} {ua:?}\n"));
        }
    }
    s
}

#[test]
fn each_incremental_builds_the_monitors_next_map() {
    let epochs = epochs();
    let mut applied = 0;
    // Epoch 1's incremental carries the whole first map.
    let first = decode_incremental(&bytes("inc", epochs[0])).unwrap();
    assert!(!first.fullmap.is_empty());
    let mut m = full(epochs[0]);
    for pair in epochs.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        let inc = decode_incremental(&bytes("inc", next))
            .unwrap_or_else(|e| panic!("inc.{next:03}: {e}"));
        assert_eq!(inc.epoch, next);
        m.apply_incremental(&inc)
            .unwrap_or_else(|e| panic!("inc.{next:03} on epoch {prev}: {e}"));
        let want = full(next);
        assert_eq!(fingerprint(&m), fingerprint(&want), "epoch {next}");
        // The incremental names the CRC of the map it builds.
        assert_eq!(inc.full_crc, want.crc, "epoch {next}");
        applied += 1;
    }
    assert!(applied >= 40);
}

#[test]
fn an_incremental_for_the_wrong_epoch_changes_nothing() {
    let mut m = full(20);
    let before = fingerprint(&m);
    let inc = decode_incremental(&bytes("inc", 22)).unwrap();
    assert!(m.apply_incremental(&inc).is_err());
    assert_eq!(fingerprint(&m), before);
}

#[test]
fn incremental_truncations_and_damage_are_typed_errors() {
    let bin = bytes("inc", 37);
    for len in 0..bin.len() {
        let e = decode_incremental(&bin[..len]).unwrap_err();
        assert!(e.offset <= len, "cut at {len}: {e}");
    }
    let mut b = bin.clone();
    b[40] ^= 1;
    let e = decode_incremental(&b).unwrap_err();
    assert!(
        matches!(e.kind, OsdMapDecodeErrorKind::BadCrc { .. }),
        "{e}"
    );
}

/// Rewrites an incremental's `inc_crc` (the 8 bytes before the end hold it and
/// `full_crc`; the CRC covers everything else).
fn fix_inc_crc(b: &mut [u8]) {
    if b.len() >= 8 {
        let at = b.len() - 8;
        let head = ceph_crc32c(u32::MAX, &b[..at]);
        let crc = ceph_crc32c(head, &b[at + 4..]);
        b[at..at + 4].copy_from_slice(&crc.to_le_bytes());
    }
}

/// Damaged copies per incremental: 200 by default (about 11,000 in all);
/// `OSDMAP_FUZZ_ROUNDS=2000` makes a run of more than 100,000.
fn rounds() -> usize {
    fuzz_support::rounds("OSDMAP_FUZZ_ROUNDS", 1000) / 5
}

#[test]
fn damaged_incrementals_never_panic_and_leave_the_map_alone_when_refused() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let (mut decoded, mut refused) = (0, 0);
    let epochs = epochs();
    for pair in epochs.windows(2) {
        let (prev, e) = (pair[0], pair[1]);
        let bin = bytes("inc", e);
        let base = full(prev);
        let base_print = base.print();
        for _ in 0..rounds() {
            let mut b = bin.clone();
            fuzz_support::damage(&mut b, &mut seed);
            fix_inc_crc(&mut b);
            match decode_incremental(&b) {
                Ok(inc) => {
                    decoded += 1;
                    let mut m = base.clone();
                    if m.apply_incremental(&inc).is_err() {
                        assert_eq!(
                            m.print(),
                            base_print,
                            "a refused incremental changed the map"
                        );
                    }
                }
                Err(err) => {
                    refused += 1;
                    assert!(err.offset <= b.len(), "{err}");
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

/// `osd_xinfo_t::dead_epoch` (v4): at epoch 35 `ceph osd down 0` marked a
/// running osd.0 down; it saw itself down and sent `MOSDMarkMeDead`, so the
/// monitor's epoch 36 records it dead at 35 (`new_xinfo`); its boot at 37
/// brings it up after that: `OSDMap::is_dead` no longer holds.
#[test]
fn a_wrongly_marked_down_osd_is_recorded_dead_until_it_boots() {
    let osd0 = peering_core::types::OsdId(0);
    let inc = decode_incremental(&bytes("inc", 36)).unwrap();
    assert_eq!(inc.new_xinfo.get(&0).map(|x| x.dead_epoch), Some(35));
    let (m35, m36, m37) = (full(35), full(36), full(37));
    assert!(!m35.map.is_up(osd0));
    assert!(!m35.map.is_dead(osd0), "down, not yet known dead");
    assert_eq!(m36.map.dead_epoch(osd0), 35);
    assert!(m36.map.is_dead(osd0));
    assert!(m37.map.is_up(osd0));
    assert!(!m37.map.is_dead(osd0));
    // Applying the incremental gives it too.
    let mut applied = m35;
    applied.apply_incremental(&inc).unwrap();
    assert_eq!(applied.map.dead_epoch(osd0), 35);
}
