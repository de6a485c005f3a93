//! `peering osdmap FILE`: `osdmaptool`'s test and print modes, spelled as
//! osdmaptool spells them and printing what it prints (Ceph 16.2's
//! `osdmaptool.cc`): `--print`, `--mark-up-in`, `--mark-out N`,
//! `--import-crush MAP`, `--test-map-object NAME [--pool N]`,
//! `--test-map-pg PGID`, `--test-map-pgs`, `--test-map-pgs-dump`,
//! `--test-map-pgs-dump-all [--pool N]`.
//!
//! Messages keep osdmaptool's `osdmaptool:` prefix, so a script written
//! against osdmaptool's output reads ours unchanged. One difference, on
//! purpose: the map file is never written. osdmaptool saves a map it changed
//! (`--import-crush`) and says `osdmaptool: writing epoch N to FILE`; this
//! command works on a copy in memory and prints everything else the same.

use std::path::PathBuf;

use clap::Args;
use peering::core::map::OsdMapView;
use peering::core::types::{OsdId, PgId};
use peering::osd::crush::CRUSH_ITEM_NONE;
use peering::osd::crush::hash::ceph_str_hash;
use peering::osd::osdmap::binary::{DecodedOsdMap, decode_osdmap, div_x86, fmt_g};

use crate::Outcome;

/// `peering osdmap` options (osdmaptool's names; `_` works for `-` too).
#[derive(Args)]
pub struct OsdmapArgs {
    /// The binary OSDMap (`ceph osd getmap`, `osdmaptool --createsimple`).
    file: PathBuf,
    /// Print the map as `osdmaptool --print` does.
    #[arg(long)]
    print: bool,
    /// Mark every OSD up and in (in memory).
    #[arg(long, alias = "mark_up_in")]
    mark_up_in: bool,
    /// Mark one OSD out (in memory).
    #[arg(long, alias = "mark_out", value_name = "OSD")]
    mark_out: Option<i32>,
    /// Replace the map's CRUSH map with this one (binary or text), as the next epoch.
    #[arg(long, alias = "import_crush", value_name = "MAP")]
    import_crush: Option<PathBuf>,
    /// Map an object name to its PG and acting set.
    #[arg(long, alias = "test_map_object", value_name = "NAME")]
    test_map_object: Option<String>,
    /// Map one PG id (`POOL.SEEDHEX`, seeds past pg_num allowed).
    #[arg(long, alias = "test_map_pg", value_name = "PGID")]
    test_map_pg: Option<String>,
    /// Map every PG and print per-OSD counts.
    #[arg(long, alias = "test_map_pgs")]
    test_map_pgs: bool,
    /// Also print each PG's acting set and primary.
    #[arg(long, alias = "test_map_pgs_dump")]
    test_map_pgs_dump: bool,
    /// Also print each PG's raw, up and acting sets.
    #[arg(long, alias = "test_map_pgs_dump_all")]
    test_map_pgs_dump_all: bool,
    /// The pool for `--test-map-object` and the `--test-map-pgs` modes.
    #[arg(long, allow_negative_numbers = true)]
    pool: Option<i64>,
}

const ME: &str = "osdmaptool";

/// `vector<int>`'s `operator<<`: `[a,b,c]`.
fn osds(v: &[OsdId]) -> String {
    let s: Vec<String> = v.iter().map(|o| o.0.to_string()).collect();
    format!("[{}]", s.join(","))
}

/// `pg_t::parse`: `POOL.SEEDHEX`.
fn parse_pgid(s: &str) -> Option<PgId> {
    let (pool, seed) = s.split_once('.')?;
    Some(PgId::new(
        pool.parse().ok()?,
        u32::from_str_radix(seed, 16).ok()?,
    ))
}

/// Runs the tool.
pub fn main(a: &OsdmapArgs) -> Outcome {
    eprintln!("{ME}: osdmap file '{}'", a.file.display());
    let bytes = match std::fs::read(&a.file) {
        Ok(b) => b,
        Err(e) => return Outcome::UserError(format!("couldn't open {}: {e}", a.file.display())),
    };
    let mut m = match decode_osdmap(&bytes) {
        Ok(m) => m,
        Err(e) => {
            return Outcome::UserError(format!(
                "error decoding osdmap '{}': {e}",
                a.file.display()
            ));
        }
    };
    let mut modified = false;
    if a.mark_up_in {
        outln!("marking all OSDs up and in");
        m.mark_up_in();
    }
    if let Some(osd) = a.mark_out
        && m.mark_out(osd)
    {
        outln!("marking OSD@{osd} as out");
    }
    if let Some(path) = &a.import_crush {
        let (crush, len) = match crate::crush::load(path) {
            Ok(c) => c,
            Err(e) => return Outcome::UserError(format!("error reading crush map from {e}")),
        };
        if let Err(e) = m.import_crush(crush) {
            eprintln!("{ME}: {}", e.kind);
            return Outcome::Failed;
        }
        outln!(
            "{ME}: imported {len} byte crush map from {}",
            path.display()
        );
        modified = true;
    }
    if let Some(name) = &a.test_map_object {
        let pool = match a.pool {
            Some(p) => p,
            None => {
                outln!("{ME}: assuming pool 1 (use --pool to override)");
                1
            }
        };
        let Some(record) = m.pools.get(&pool) else {
            eprintln!("There is no pool {pool}");
            return Outcome::Failed;
        };
        let raw = PgId::new(pool, ceph_str_hash(record.object_hash, name.as_bytes()));
        let pg = raw.raw_to_pg(record.pg_num);
        let acting = m.map.pg_to_up_acting_osds(pg).acting;
        outln!(" object '{name}' -> {pg} -> {}", osds(&acting));
    }
    if let Some(text) = &a.test_map_pg {
        let Some(pg) = parse_pgid(text) else {
            return Outcome::UserError(format!("failed to parse pg '{text}"));
        };
        outln!(" parsed '{text}' -> {pg}");
        outln!("{}", pg_line(&m, pg));
    }
    if a.test_map_pgs || a.test_map_pgs_dump || a.test_map_pgs_dump_all {
        if let Some(pool) = a.pool
            && !m.pools.contains_key(&pool)
        {
            eprintln!("There is no pool {pool}");
            return Outcome::Failed;
        }
        test_map_pgs(&m, a);
    }
    let acted = a.print
        || modified
        || a.test_map_object.is_some()
        || a.test_map_pg.is_some()
        || a.test_map_pgs
        || a.test_map_pgs_dump
        || a.test_map_pgs_dump_all;
    if !acted {
        return Outcome::UserError("no action specified?".into());
    }
    if modified {
        m.inc_epoch();
    }
    if a.print {
        crate::out(format_args!("{}", m.print()));
    }
    Outcome::Passed
}

/// `PG raw ([..], pR) up ([..], pU) acting ([..], pA)`.
fn pg_line(m: &DecodedOsdMap, pg: PgId) -> String {
    let (raw, raw_primary) = match m.map.pg_pool(pg.pool) {
        Some(pool) => {
            let (raw, _) = m.map.pg_to_raw_osds(pool, pg);
            let primary = raw
                .iter()
                .copied()
                .find(|o| !o.is_none())
                .unwrap_or(OsdId::UNDEF);
            (raw, primary)
        }
        None => (Default::default(), OsdId::UNDEF),
    };
    let ua = m.map.pg_to_up_acting_osds(pg);
    format!(
        "{pg} raw ({}, p{}) up ({}, p{}) acting ({}, p{})",
        osds(&raw),
        raw_primary.0,
        osds(&ua.up),
        ua.up_primary.0,
        osds(&ua.acting),
        ua.acting_primary.0
    )
}

/// The `--test-map-pgs` family: every PG of the chosen pools, then the
/// per-OSD table and the spread statistics.
fn test_map_pgs(m: &DecodedOsdMap, a: &OsdmapArgs) {
    let n = usize::try_from(m.map.max_osd()).unwrap_or(0);
    let mut count = vec![0u64; n];
    let mut first = vec![0u64; n];
    let mut primary_count = vec![0u64; n];
    let mut size = vec![0u64; 30];
    let mut max_size = 0usize;
    for (id, record) in &m.pools {
        if a.pool.is_some_and(|p| p != *id) {
            continue;
        }
        outln!("pool {id} pg_num {}", record.pg_num);
        for seed in 0..record.pg_num {
            let pg = PgId::new(*id, seed);
            let ua = m.map.pg_to_up_acting_osds(pg);
            let (set, primary) = (ua.acting.clone(), ua.acting_primary);
            if let Some(s) = size.get_mut(set.len()) {
                *s += 1;
            }
            max_size = max_size.max(set.len());
            if a.test_map_pgs_dump {
                outln!("{pg}\t{}\t{}", osds(&set), primary.0);
            } else if a.test_map_pgs_dump_all {
                outln!("{}", pg_line(m, pg));
            }
            for o in &set {
                if o.0 != CRUSH_ITEM_NONE
                    && let Some(c) = usize::try_from(o.0).ok().and_then(|i| count.get_mut(i))
                {
                    *c += 1;
                }
            }
            if let Some(o) = set.first()
                && o.0 != CRUSH_ITEM_NONE
                && let Some(c) = usize::try_from(o.0).ok().and_then(|i| first.get_mut(i))
            {
                *c += 1;
            }
            if let Some(c) = usize::try_from(primary.0)
                .ok()
                .and_then(|i| primary_count.get_mut(i))
            {
                *c += 1;
            }
        }
    }
    // Only OSDs that are in and hold CRUSH weight count.
    let counted: Vec<usize> = (0..n)
        .filter(|i| {
            let id = i32::try_from(*i).unwrap_or(i32::MAX);
            m.map.is_in(OsdId(id))
                && m.crush
                    .item_weight(id)
                    .is_some_and(|w| w > 0 && w <= i32::MAX as u32)
        })
        .collect();
    outln!("#osd\tcount\tfirst\tprimary\tc wt\twt");
    let mut total = 0u64;
    let (mut min_osd, mut max_osd): (Option<usize>, Option<usize>) = (None, None);
    for &i in &counted {
        let id = i32::try_from(i).unwrap_or(i32::MAX);
        let cwt = f64::from(m.crush.item_weight(id).unwrap_or(0) as f32 / 65536.0);
        let wt = f64::from(m.map.weight(OsdId(id)) as f32 / 65536.0);
        outln!(
            "osd.{i}\t{}\t{}\t{}\t{}\t{}",
            count[i],
            first[i],
            primary_count[i],
            fmt_g(cwt),
            fmt_g(wt)
        );
        total += count[i];
        if count[i] > 0 && min_osd.is_none_or(|o| count[i] < count[o]) {
            min_osd = Some(i);
        }
        if count[i] > 0 && max_osd.is_none_or(|o| count[i] > count[o]) {
            max_osd = Some(i);
        }
    }
    let inn = counted.len() as u64;
    let avg = total.checked_div(inn).unwrap_or(0);
    let mut dev = 0.0f64;
    for &i in &counted {
        let d = avg.wrapping_sub(count[i]);
        dev += d.wrapping_mul(d) as f64;
    }
    // The tool divides by zero when nothing is in; print what it prints then.
    let innf = inn as f64;
    dev = div_x86(dev, innf).sqrt();
    let edev = (div_x86(total as f64, innf) * (1.0 - div_x86(1.0, innf))).sqrt();
    let avgf = avg as f64;
    outln!(" in {inn}");
    outln!(
        " avg {avg} stddev {} ({}x) (expected {} {}x))",
        fmt_g(dev),
        fmt_g(div_x86(dev, avgf)),
        fmt_g(edev),
        fmt_g(div_x86(edev, avgf))
    );
    if let Some(o) = min_osd {
        outln!(" min osd.{o} {}", count[o]);
    }
    if let Some(o) = max_osd {
        outln!(" max osd.{o} {}", count[o]);
    }
    for (i, s) in size.iter().enumerate().take(max_size + 1) {
        if *s > 0 {
            outln!("size {i}\t{s}");
        }
    }
}
