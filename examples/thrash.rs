//! # Thrashing a simulated cluster
//!
//! Run with `cargo run --release --example thrash -- --seeds 2000`.
//!
//! Ceph tests its peering by thrashing real clusters for days (teuthology's
//! `thrashosds`). This example thrashes a simulated one instead: each seed
//! builds a cluster of real `Osd` hosts and a real monitor, writes objects,
//! injects faults (crashes, partitions, slow disks, OSDs marked down or out,
//! `pg_num` raised...), then heals and checks that every PG became
//! active+clean and that every acknowledged write reads back from every
//! replica's store. A failing seed prints the command that replays it: the
//! same seed gives the same run, byte for byte.
//!
//! Options: `--seeds N` (default 20), `--seed S` (run only seed S, with its
//! transcript), `--first S` (start at S), `--osds N`, `--pgs N`,
//! `--per-host N` (OSDs per CRUSH host), `--safety` (faults never stop; only
//! safety is checked).

use peering::core::types::Timespan;
use peering::osd::sim::{Mode, Sim, SimConfig};

const SEC: i64 = 1_000_000_000;

/// The command line, parsed by hand (the `peering` command has the full one).
struct Args {
    seeds: u64,
    first: u64,
    one: Option<u64>,
    osds: u32,
    per_host: u32,
    pgs: u32,
    safety: bool,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        seeds: 20,
        first: 0,
        one: None,
        osds: 6,
        per_host: 1,
        pgs: 16,
        safety: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value"))?
                .parse::<u64>()
                .map_err(|e| format!("{flag}: {e}"))
        };
        match flag.as_str() {
            "--seeds" => a.seeds = value()?,
            "--first" => a.first = value()?,
            "--seed" => a.one = Some(value()?),
            "--osds" => a.osds = u32::try_from(value()?).map_err(|e| e.to_string())?,
            "--pgs" => a.pgs = u32::try_from(value()?).map_err(|e| e.to_string())?,
            "--per-host" => a.per_host = u32::try_from(value()?).map_err(|e| e.to_string())?,
            "--safety" => a.safety = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

fn config(a: &Args, seed: u64) -> SimConfig {
    let mut c = SimConfig::new(seed, a.osds, a.pgs);
    c.osds_per_host = a.per_host;
    c.duration = Timespan(120 * SEC);
    if a.safety {
        c.mode = Mode::Safety;
        c.fault_rate = 0.5;
    }
    c
}

/// The command that replays `seed` with these options.
fn replay(a: &Args, seed: u64) -> String {
    let safety = if a.safety { " --safety" } else { "" };
    let hosts = if a.per_host > 1 {
        format!(" --per-host {}", a.per_host)
    } else {
        String::new()
    };
    format!(
        "cargo run --release --example thrash -- --seed {seed} --osds {} --pgs {}{hosts}{safety}",
        a.osds, a.pgs
    )
}

fn main() {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("thrash: {e}");
            std::process::exit(2);
        }
    };
    if let Some(seed) = a.one {
        let mut c = config(&a, seed);
        c.transcript = true;
        let r = match Sim::new(c) {
            Ok(sim) => sim.run(),
            Err(e) => {
                eprintln!("thrash: {e}");
                std::process::exit(2);
            }
        };
        for line in &r.transcript {
            println!("{line}");
        }
        // What each stuck PG's primary says of itself (`ceph pg query`), and
        // every instance of a PG that broke an invariant.
        for s in &r.stuck {
            println!("{} on {}: {}", s.pgid, s.primary, s.query);
        }
        for v in &r.violations {
            for (osd, q) in &v.queries {
                println!("{:?} on {osd} at the violation: {q}", v.pgid);
            }
        }
        let verdict = r.verdict();
        println!(
            "seed {seed}: {verdict}; {} events, {} faults ({}), {}/{} writes acknowledged, epoch {}, transcript hash {:016x}",
            r.events,
            r.faults,
            r.fault_kinds.join(","),
            r.writes.1,
            r.writes.0,
            r.epoch,
            r.transcript_hash
        );
        std::process::exit(i32::from(!r.passed()));
    }

    println!(
        "Thrashing {} seeds from {} on {} OSDs ({} per host), one pool of {} PGs (size 3, min_size 2), {} mode.",
        a.seeds,
        a.first,
        a.osds,
        a.per_host,
        a.pgs,
        if a.safety { "safety" } else { "liveness" }
    );
    println!("Each seed: 120 simulated seconds of faults and client writes, then heal and check.");
    let (mut faults, mut acked, mut violations, mut stuck, mut failed) = (0, 0, 0, 0, 0);
    let mut sim_time = 0i64;
    for seed in a.first..a.first.saturating_add(a.seeds) {
        let r = match Sim::new(config(&a, seed)) {
            Ok(sim) => sim.run(),
            Err(e) => {
                eprintln!("thrash: {e}");
                std::process::exit(2);
            }
        };
        faults += r.faults;
        acked += r.writes.1;
        violations += r.violations.len();
        stuck += r.stuck.len();
        sim_time += r.sim_time;
        if !r.passed() {
            failed += 1;
            println!("seed {seed} FAILED: {}", r.verdict());
            println!("  replay: {}", replay(&a, seed));
        }
    }
    println!(
        "{} seeds ({} failed), {:.0} simulated minutes, {faults} faults injected, {acked} writes acknowledged, {violations} violations, {stuck} stuck PGs",
        a.seeds,
        failed,
        sim_time as f64 / SEC as f64 / 60.0
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
