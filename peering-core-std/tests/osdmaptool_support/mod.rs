//! Test-side loader for the osdmaptool fixtures (`fixtures/osdmaptool/`, made by
//! its `regen.sh` with Ceph 16.2's osdmaptool and crushtool).
//!
//! A map NAME is rebuilt from two of Ceph's own outputs:
//! - `NAME.crushmap.txt`: `crushtool -d` of the map's CRUSH map, read by our parser;
//! - `NAME.print.txt`: `osdmaptool --print`: pools (`pool ID 'name' replicated|erasure
//!   ... size S min_size M crush_rule R ... pg_num P pgp_num Q ... flags hashpspool`),
//!   `max_osd`, one `osd.N up|down in|out weight W [primary_affinity A] ...
//!   STATE,NAMES` line per existing OSD, and the `pg_upmap`, `pg_upmap_items`,
//!   `pg_temp` and `primary_temp` tables;
//! - `NAME.slots.txt`: every OSD slot's state bits and 16.16 weight, read from the
//!   binary map by regen.sh's `patch_osdmap.py --slots`. `--print` omits OSDs that
//!   do not exist, but Ceph keeps a destroyed OSD's weight and CRUSH still reads it
//!   (`_remove_nonexistent_osds` then drops or holes the pick), so the loader takes
//!   those weights from here and checks the others against `--print`.
//!
//! and the expected placements from `NAME.pgs.txt` (`--test-map-pgs-dump-all`,
//! with regen.sh's `=` abbreviation), `NAME.rawpgs.txt` (`--test-map-pg` of raw
//! PG ids) and
//! `NAME.objects.txt` (`--test-map-object`).

#![allow(dead_code)]

use peering_core::map::PoolFlags;
use std::fs;
use std::path::PathBuf;

use peering_core::map::{PoolInfo, PoolKind};
use peering_core::types::{OsdId, OsdVec, PgId};
use peering_core_std::crush::parse_crush_text;
use peering_core_std::osdmap::{
    CrushHandle, Incremental, OSD_AUTOOUT, OSD_DESTROYED, OSD_EXISTS, OSD_NEW, OsdMap,
};

/// The maps regen.sh builds, in its order.
pub const MAPS: [&str; 11] = [
    "replicated",
    "erasure",
    "uneven",
    "reweighted",
    "classes",
    "racks",
    "temps",
    "ec_temps",
    "weightset_pool",
    "weightset_default",
    "weightset_zero",
];

/// The maps regen.sh also maps object names on.
pub const OBJECT_MAPS: [&str; 4] = ["replicated", "erasure", "racks", "temps"];

/// A fixture's bytes (the binary `NAME.osdmap` maps).
pub fn fixture_bytes(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/osdmaptool")
        .join(file);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn fixture(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/osdmaptool")
        .join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `pg_t::parse`: `POOL.SEEDHEX`.
pub fn parse_pgid(s: &str) -> PgId {
    let (pool, seed) = s.split_once('.').unwrap_or_else(|| panic!("pgid {s}"));
    PgId::new(
        pool.parse().unwrap(),
        u32::from_str_radix(seed, 16).unwrap(),
    )
}

/// A `vector<int>` as Ceph prints it: `[a,b,c]`.
pub fn parse_osds(s: &str) -> OsdVec {
    let inner = s.trim().trim_start_matches('[').trim_end_matches(']');
    if inner.is_empty() {
        return OsdVec::new();
    }
    inner
        .split(',')
        .map(|o| OsdId(o.trim().parse().unwrap()))
        .collect()
}

/// `get_weightf()` printed with six significant digits, back to 16.16.
fn weight_16_16(s: &str) -> u32 {
    (s.parse::<f64>().unwrap() * 65536.0).round() as u32
}

/// The value following `key` in a whitespace-split line.
fn field<'a>(words: &[&'a str], key: &str) -> &'a str {
    let i = words
        .iter()
        .position(|w| *w == key)
        .unwrap_or_else(|| panic!("no {key} in {words:?}"));
    words[i + 1]
}

/// One `pool` line of `OSDMap::print`.
fn parse_pool(line: &str) -> PoolInfo {
    let w: Vec<&str> = line.split_whitespace().collect();
    let id: i64 = w[1].parse().unwrap();
    let size: u32 = field(&w, "size").parse().unwrap();
    let min_size: u32 = field(&w, "min_size").parse().unwrap();
    let pg_num: u32 = field(&w, "pg_num").parse().unwrap();
    let mut pool = match w[3] {
        "replicated" => PoolInfo::replicated(id, size, pg_num),
        // The pool line names the EC profile, not k and m; placement does not read
        // them. Take Ceph's default min_size = k + 1 to recover k.
        "erasure" => {
            let k = min_size - 1;
            PoolInfo::erasure(id, k, size - k, pg_num)
        }
        other => panic!("pool type {other}"),
    };
    pool.min_size = min_size;
    pool.pgp_num = field(&w, "pgp_num").parse().unwrap();
    pool.crush_rule = field(&w, "crush_rule").parse().unwrap();
    if let Some(i) = w.iter().position(|x| *x == "flags")
        && w[i + 1].split(',').any(|f| f == "hashpspool")
    {
        pool.flags |= PoolFlags::HASHPSPOOL;
    }
    pool
}

/// The `CEPH_OSD_*` bits from `ceph_osd_state_name`s (`exists,up,...`).
fn state_bits(names: &str) -> u32 {
    names
        .split(',')
        .map(|n| match n {
            "exists" => OSD_EXISTS,
            "up" => 0, // set through new_up_client, which also records up_from
            "autoout" => OSD_AUTOOUT,
            "new" => OSD_NEW,
            "destroyed" => OSD_DESTROYED,
            other => panic!("state {other}"),
        })
        .fold(0, |a, b| a | b)
}

/// What the loader read, kept for the tests' own sanity checks.
pub struct Loaded {
    pub map: OsdMap,
    pub pools: Vec<PoolInfo>,
    pub osd_lines: usize,
    /// Count of `pg_upmap`, `pg_upmap_items`, `pg_temp`, `primary_temp` lines,
    /// and OSDs with a primary affinity, in that order.
    pub overrides: [usize; 5],
}

/// Rebuilds map `name` from its `--print` dump and decompiled CRUSH map: one
/// incremental from the empty map, as the monitor's first epoch would be.
pub fn load(name: &str) -> Loaded {
    let crush = parse_crush_text(&fixture(&format!("{name}.crushmap.txt")))
        .unwrap_or_else(|e| panic!("{name}.crushmap.txt: {e}"));
    let print = fixture(&format!("{name}.print.txt"));
    let mut inc = Incremental::new(1);
    inc.new_crush = Some(CrushHandle::new(crush));
    let mut pools = Vec::new();
    let mut osd_lines = 0;
    let mut overrides = [0; 5];
    for line in print.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = w.first() else { continue };
        match *first {
            "pool" => {
                let pool = parse_pool(line);
                pools.push(pool);
                inc.set_pool(pool);
            }
            "max_osd" => inc.new_max_osd = Some(w[1].parse().unwrap()),
            "pg_upmap" => {
                inc.new_pg_upmap.insert(parse_pgid(w[1]), parse_osds(w[2]));
                overrides[0] += 1;
            }
            "pg_upmap_items" => {
                let flat = parse_osds(w[2]);
                let pairs = flat.chunks(2).map(|p| (p[0], p[1])).collect();
                inc.new_pg_upmap_items.insert(parse_pgid(w[1]), pairs);
                overrides[1] += 1;
            }
            "pg_temp" => {
                inc.new_pg_temp.insert(parse_pgid(w[1]), parse_osds(w[2]));
                overrides[2] += 1;
            }
            "primary_temp" => {
                inc.new_primary_temp
                    .insert(parse_pgid(w[1]), OsdId(w[2].parse().unwrap()));
                overrides[3] += 1;
            }
            osd if osd.starts_with("osd.") => {
                let id = OsdId(osd[4..].parse().unwrap());
                osd_lines += 1;
                // A nonzero weight makes the OSD exist (`set_weight`); the
                // state mask, applied after it, carries the other bits.
                let weight = weight_16_16(field(&w, "weight"));
                let mut bits = state_bits(w[w.len() - 1]);
                if weight != 0 {
                    bits &= !OSD_EXISTS;
                }
                if bits != 0 {
                    inc.new_state.insert(id, bits);
                }
                match w[1] {
                    "up" => {
                        inc.new_up_client.insert(id);
                    }
                    "down" => {}
                    other => panic!("{osd}: {other}"),
                }
                inc.new_weight.insert(id, weight_16_16(field(&w, "weight")));
                if let Some(i) = w.iter().position(|x| *x == "primary_affinity") {
                    inc.new_primary_affinity.insert(id, weight_16_16(w[i + 1]));
                    overrides[4] += 1;
                }
            }
            _ => {}
        }
    }
    assert!(!pools.is_empty(), "{name}: no pools in --print");
    // Slots --print left out: a destroyed OSD, created with its weight in epoch 1
    // and destroyed (EXISTS toggled) in epoch 2, which keeps the weight as Ceph does.
    let mut destroy = Incremental::new(2);
    for line in fixture(&format!("{name}.slots.txt")).lines().skip(1) {
        let w: Vec<&str> = line.split_whitespace().collect();
        let id = OsdId(w[0][4..].parse().unwrap());
        let state: u32 = field(&w, "state").parse().unwrap();
        let weight: u32 = field(&w, "weight").parse().unwrap();
        if let Some(printed) = inc.new_weight.get(&id) {
            assert_eq!(*printed, weight, "{name}: osd.{} weight", id.0);
            assert_ne!(state & OSD_EXISTS, 0, "{name}: osd.{} printed", id.0);
        } else {
            assert_eq!(state, 0, "{name}: osd.{} exists but was not printed", id.0);
            if weight != 0 {
                // The weight creates it; toggling EXISTS destroys it.
                inc.new_weight.insert(id, weight);
                destroy.new_state.insert(id, OSD_EXISTS);
            }
        }
    }
    let mut map = OsdMap::new().with_incremental(&inc).unwrap();
    map.apply_incremental(&destroy).unwrap();
    Loaded {
        map,
        pools,
        osd_lines,
        overrides,
    }
}

/// One line of `--test-map-pgs-dump-all`:
/// `1.1f raw ([a,b], pA) up ([..], pU) acting ([..], pX)` (`up =` / `acting =`
/// when equal to the part before).
#[derive(Debug)]
pub struct PgLine {
    pub pg: PgId,
    pub raw: OsdVec,
    pub raw_primary: OsdId,
    pub up: OsdVec,
    pub up_primary: OsdId,
    pub acting: OsdVec,
    pub acting_primary: OsdId,
}

/// `(SET, pP)` → the set and its primary.
fn parse_set_primary(s: &str) -> (OsdVec, OsdId) {
    let inner = s.trim().trim_start_matches('(').trim_end_matches(')');
    let (set, primary) = inner.rsplit_once(", p").unwrap();
    (parse_osds(set), OsdId(primary.parse().unwrap()))
}

/// The PG lines of `NAME.pgs.txt` (the per-OSD summary after them is skipped),
/// and the `pool P pg_num N` header's pg_num.
pub fn pg_lines(name: &str) -> (u32, Vec<PgLine>) {
    pg_lines_in(&format!("{name}.pgs.txt"))
}

/// The lines of `NAME.rawpgs.txt` (`--test-map-pg` of raw PG ids, same format).
pub fn raw_pg_lines(name: &str) -> Vec<PgLine> {
    pg_lines_in(&format!("{name}.rawpgs.txt")).1
}

fn pg_lines_in(file: &str) -> (u32, Vec<PgLine>) {
    parse_pg_lines(&fixture(file))
}

/// `--test-map-pgs-dump-all` output (any pool headers, PG lines, and the
/// per-OSD summary, which is skipped): the last `pool P pg_num N` header's
/// pg_num and every PG line.
pub fn parse_pg_lines(text: &str) -> (u32, Vec<PgLine>) {
    let mut pg_num = 0;
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("pool ") {
            pg_num = rest.split_whitespace().nth(2).unwrap().parse().unwrap();
            continue;
        }
        let Some((pgid, rest)) = line.split_once(" raw ") else {
            continue;
        };
        let (raw, rest) = rest.split_once(" up ").unwrap();
        let (up, acting) = rest.split_once(" acting ").unwrap();
        // regen.sh writes an up part equal to the raw part, or an acting part
        // equal to the up part, as `=`.
        let up = if up == "=" { raw } else { up };
        let acting = if acting == "=" { up } else { acting };
        let (raw, raw_primary) = parse_set_primary(raw);
        let (up, up_primary) = parse_set_primary(up);
        let (acting, acting_primary) = parse_set_primary(acting);
        out.push(PgLine {
            pg: parse_pgid(pgid),
            raw,
            raw_primary,
            up,
            up_primary,
            acting,
            acting_primary,
        });
    }
    (pg_num, out)
}

/// One line of `--test-map-object`: ` object 'NAME' -> PGID -> [acting]`.
/// regen.sh passes an object NAME in namespace NS as `NS\x1fNAME`, which hashes
/// the same (`pg_pool_t::hash_key`); it is split back here.
#[derive(Debug)]
pub struct ObjectLine {
    pub nspace: String,
    pub name: String,
    pub pg: PgId,
    pub acting: OsdVec,
}

pub fn object_lines(name: &str) -> Vec<ObjectLine> {
    fixture(&format!("{name}.objects.txt"))
        .lines()
        .map(|line| {
            let rest = line.strip_prefix(" object '").unwrap();
            let (full, rest) = rest.rsplit_once("' -> ").unwrap();
            let (pg, acting) = rest.split_once(" -> ").unwrap();
            let (nspace, obj) = match full.split_once('\x1f') {
                Some((ns, obj)) => (ns.to_string(), obj.to_string()),
                None => (String::new(), full.to_string()),
            };
            ObjectLine {
                nspace,
                name: obj,
                pg: parse_pgid(pg),
                acting: parse_osds(acting),
            }
        })
        .collect()
}

/// The object list regen.sh feeds osdmaptool: `(namespace, name)`.
pub fn object_names() -> Vec<(String, String)> {
    fixture("objects.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (ns, name) = l.split_once(' ').unwrap();
            let ns = if ns == "-" { "" } else { ns };
            (ns.to_string(), name.to_string())
        })
        .collect()
}

/// Whether a pool keeps positions (EC) — for messages.
pub fn kind(pool: &PoolInfo) -> &'static str {
    match pool.kind {
        PoolKind::Replicated => "replicated",
        PoolKind::Erasure { .. } => "erasure",
    }
}

/// Checks every PG line against `map`: the raw CRUSH set, then up and acting
/// with their primaries, as `--test-map-pgs-dump-all` printed them.
pub fn assert_places(map: &OsdMap, lines: Vec<PgLine>, label: &str) {
    for want in lines {
        let pool = map
            .pg_pool(want.pg.pool)
            .unwrap_or_else(|| panic!("{label}: no pool {}", want.pg.pool));
        let (raw, _) = map.pg_to_raw_osds(pool, want.pg);
        assert_eq!(raw, want.raw, "{label} {} raw", want.pg);
        let got = map.pg_to_up_acting_osds(want.pg);
        assert_eq!(
            (got.up, got.up_primary, got.acting, got.acting_primary),
            (want.up, want.up_primary, want.acting, want.acting_primary),
            "{label} {}",
            want.pg
        );
    }
}
