//! `peering sim`: seeded simulations with a progress bar, a summary table,
//! and the command that replays each failing seed.

use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use peering::core::types::Timespan;
use peering::osd::sim::{FaultKind, Mode, Sim, SimConfig};

use crate::Outcome;
use crate::summary::Totals;

pub const SEC: i64 = 1_000_000_000;

/// `peering sim` options. Every value is checked before anything runs.
#[derive(Args, Clone)]
pub struct SimArgs {
    /// Run only this seed (and print its verdict in full).
    #[arg(long, conflicts_with_all = ["seeds", "first"])]
    seed: Option<u64>,
    /// How many seeds to run.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    first: u64,
    /// OSDs.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=4096))]
    osds: u32,
    /// OSDs per CRUSH host (replicas go to distinct hosts).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=4096))]
    per_host: u32,
    /// The pool's pg_num.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pgs: u32,
    /// Replicas per PG.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=16))]
    size: u32,
    /// min_size (default: size - size/2, Ceph's; for `--ec K+M`, K + min(1, M - 1)).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=16))]
    min_size: Option<u32>,
    /// An erasure-coded pool of K data and M coding shards, as `K+M`.
    #[arg(long, value_parser = parse_ec)]
    ec: Option<(u32, u32)>,
    /// The fault kinds, comma-separated: all, none, or some of reset,
    /// partition, slow-link, crash, slow-disk, mark-down, out-in, pg-num, pg-merge.
    #[arg(long, default_value = "all", value_parser = parse_faults)]
    faults: FaultList,
    /// Probability of a fault per simulated second, 0..=1.
    #[arg(long, default_value_t = 0.2, value_parser = parse_rate)]
    fault_rate: f64,
    /// Every seed runs all the chosen fault kinds (default: each seed draws
    /// a subset, swarm testing).
    #[arg(long)]
    no_swarm: bool,
    /// Client writes per simulated second.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(0..=10000))]
    writes: u32,
    /// Keep about N log entries per PG, so writes trim the logs and an OSD
    /// that was away comes back behind the tail and is backfilled (default:
    /// Ceph's budget, which short runs never reach).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    log_entries: Option<u64>,
    /// Simulated seconds of faults and client writes; liveness is judged
    /// after them (hence its other name, `--liveness-after`).
    #[arg(long, visible_alias = "liveness-after", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86400))]
    duration: u64,
    /// Liveness: after the faults the cluster heals and every PG must be
    /// active+clean within this many simulated seconds (the default mode).
    #[arg(long, default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..=86400))]
    until_clean: u64,
    /// Safety only: faults never stop, no liveness check.
    #[arg(long)]
    safety: bool,
    /// Write the transcript of the run (with --seed) to this file.
    #[arg(long, requires = "seed")]
    transcript: Option<PathBuf>,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// The chosen fault kinds.
#[derive(Clone, Debug)]
pub struct FaultList(Vec<FaultKind>);

fn parse_faults(s: &str) -> Result<FaultList, String> {
    match s {
        "all" => return Ok(FaultList(FaultKind::ALL.to_vec())),
        "none" => return Ok(FaultList(Vec::new())),
        _ => {}
    }
    let mut kinds = Vec::new();
    for name in s.split(',') {
        let k = FaultKind::ALL
            .iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "unknown fault `{name}`; expected all, none or some of {}",
                    names.join(",")
                )
            })?;
        if !kinds.contains(k) {
            kinds.push(*k);
        }
    }
    Ok(FaultList(kinds))
}

fn parse_ec(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}`: expected K+M, such as 2+1");
    let (k, m) = s.split_once('+').ok_or_else(bad)?;
    let k: u32 = k.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if k == 0 || m == 0 {
        return Err(format!("`{s}`: K and M must both be at least 1"));
    }
    Ok((k, m))
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let r: f64 = s.parse().map_err(|_| format!("`{s}`: expected a number"))?;
    if !(0.0..=1.0).contains(&r) {
        return Err(format!("{r} is outside 0..=1"));
    }
    Ok(r)
}

impl SimArgs {
    fn config(&self, seed: u64) -> SimConfig {
        let mut c = SimConfig::new(seed, self.osds, self.pgs);
        c.osds_per_host = self.per_host;
        c.size = self.size;
        c.min_size = self.min_size.unwrap_or(self.size - self.size / 2);
        c.ec = self.ec;
        if let Some((k, m)) = self.ec {
            c.size = k + m;
            c.min_size = self
                .min_size
                .unwrap_or_else(|| peering::core::map::PoolInfo::erasure(0, k, m, 1).min_size);
        }
        c.faults = self.faults.0.clone();
        c.fault_rate = self.fault_rate;
        c.swarm = !self.no_swarm;
        c.writes_per_sec = self.writes;
        c.pg_log_entries = self.log_entries;
        c.duration = Timespan(i64::try_from(self.duration).unwrap_or(i64::MAX / SEC) * SEC);
        c.mode = if self.safety {
            Mode::Safety
        } else {
            Mode::Liveness {
                deadline: Timespan(i64::try_from(self.until_clean).unwrap_or(i64::MAX / SEC) * SEC),
            }
        };
        c
    }

    /// The command that replays `seed` with these options.
    fn replay(&self, seed: u64) -> String {
        // The program as it was called (`target/release/peering` under
        // `cargo run`), so the line runs as printed.
        let program = std::env::args().next().unwrap_or_else(|| "peering".into());
        let mut cmd = format!(
            "{program} sim --seed {seed} --osds {} --pgs {}",
            self.osds, self.pgs
        );
        // Each option that differs from its default (all of them, should
        // the defaults not parse).
        let d = SimArgs::defaults();
        let mut opt = |name: &str, value: String, default: Option<String>| {
            if Some(&value) != default.as_ref() {
                cmd.push_str(&format!(" --{name} {value}"));
            }
        };
        let of = |f: fn(&SimArgs) -> String| d.as_ref().map(f);
        opt(
            "per-host",
            self.per_host.to_string(),
            of(|d| d.per_host.to_string()),
        );
        opt("size", self.size.to_string(), of(|d| d.size.to_string()));
        if let Some(m) = self.min_size {
            opt("min-size", m.to_string(), None);
        }
        if let Some((k, m)) = self.ec {
            opt("ec", format!("{k}+{m}"), None);
        }
        if let Some(n) = self.log_entries {
            opt("log-entries", n.to_string(), None);
        }
        opt(
            "faults",
            fault_names(&self.faults.0),
            of(|d| fault_names(&d.faults.0)),
        );
        opt(
            "fault-rate",
            self.fault_rate.to_string(),
            of(|d| d.fault_rate.to_string()),
        );
        opt(
            "writes",
            self.writes.to_string(),
            of(|d| d.writes.to_string()),
        );
        opt(
            "duration",
            self.duration.to_string(),
            of(|d| d.duration.to_string()),
        );
        opt(
            "until-clean",
            self.until_clean.to_string(),
            of(|d| d.until_clean.to_string()),
        );
        if self.no_swarm {
            cmd.push_str(" --no-swarm");
        }
        if self.safety {
            cmd.push_str(" --safety");
        }
        cmd
    }

    /// The defaults: what clap makes of no flag at all (one source of
    /// truth, the attributes above).
    fn defaults() -> Option<SimArgs> {
        #[derive(clap::Parser)]
        struct NoFlags {
            #[command(flatten)]
            args: SimArgs,
        }
        <NoFlags as clap::Parser>::try_parse_from(["peering"])
            .ok()
            .map(|n| n.args)
    }
}

fn fault_names(kinds: &[FaultKind]) -> String {
    if kinds == FaultKind::ALL {
        return "all".into();
    }
    if kinds.is_empty() {
        return "none".into();
    }
    kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(",")
}

/// Runs the seeds.
pub fn main(a: &SimArgs) -> Outcome {
    // Refuse what cannot run before running anything.
    let first = a.seed.unwrap_or(a.first);
    if let Err(e) = a.config(first).validate() {
        return Outcome::UserError(e.to_string());
    }
    if let Some(seed) = a.seed {
        return one(a, seed);
    }
    many(a)
}

/// One seed, its verdict in full, its transcript if asked.
fn one(a: &SimArgs, seed: u64) -> Outcome {
    let mut cfg = a.config(seed);
    cfg.transcript = a.transcript.is_some();
    let r = match Sim::new(cfg) {
        Ok(sim) => sim.run(),
        Err(e) => return Outcome::UserError(e.to_string()),
    };
    if let Some(path) = &a.transcript {
        let mut text = r.transcript.join("\n");
        text.push('\n');
        if let Err(e) = std::fs::write(path, text) {
            return Outcome::UserError(format!("{}: {e}", path.display()));
        }
    }
    let mut totals = Totals::default();
    totals.add(&r);
    if !r.passed() {
        totals.failures.push((seed, r.verdict(), a.replay(seed)));
        if !a.json {
            // What each stuck PG's primary and each instance of a broken PG say.
            for s in &r.stuck {
                outln!("{} on {}: {}", s.pgid, s.primary, s.query);
            }
            for v in &r.violations {
                for line in &v.last_lines {
                    outln!("  {line}");
                }
                for (osd, q) in &v.queries {
                    outln!("{:?} on {osd} at the violation: {q}", v.pgid);
                }
            }
        }
    }
    if !a.json {
        outln!(
            "seed {seed}: {}; transcript hash {:016x}",
            r.verdict(),
            r.transcript_hash
        );
    }
    totals.print(a.json)
}

/// Many seeds under a progress bar.
fn many(a: &SimArgs) -> Outcome {
    let bar = ProgressBar::new(a.seeds);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} seeds, {msg} [{elapsed} < {eta}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if !a.json {
        outln!(
            "Simulating seeds {}..{} on {} OSDs ({} per host), one pool of {} PGs ({}), {} mode: \
             {} s of faults and client writes{}.",
            a.first,
            a.first.saturating_add(a.seeds),
            a.osds,
            a.per_host,
            a.pgs,
            a.ec.map_or(format!("size {}", a.size), |(k, m)| format!("EC {k}+{m}")),
            if a.safety { "safety" } else { "liveness" },
            a.duration,
            if a.safety {
                String::new()
            } else {
                format!(", then every PG active+clean within {} s", a.until_clean)
            }
        );
    }
    let mut totals = Totals::default();
    for seed in a.first..a.first.saturating_add(a.seeds) {
        let r = match Sim::new(a.config(seed)) {
            Ok(sim) => sim.run(),
            Err(e) => {
                bar.abandon();
                return Outcome::UserError(e.to_string());
            }
        };
        totals.add(&r);
        if !r.passed() {
            let line = (seed, r.verdict(), a.replay(seed));
            if !a.json {
                let msg = format!("seed {seed} FAILED: {}\n  replay: {}", line.1, line.2);
                // A hidden bar (output not a terminal) prints nothing.
                if bar.is_hidden() {
                    outln!("{msg}");
                } else {
                    bar.println(msg);
                }
            }
            totals.failures.push(line);
        }
        bar.set_message(format!("{} failed", totals.failures.len()));
        bar.inc(1);
    }
    bar.finish_and_clear();
    totals.print(a.json)
}
