//! `peering pg query|history`: one PG instance, inside a scenario file (after
//! the block at a line) or a simulation (after an event).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use peering::core::machine::PgStatus;
use peering::core::types::OsdId;
use peering::osd::sim::{Sim, SimConfig};
use peering::scenario;

use crate::Outcome;

/// `peering pg` options.
#[derive(Args)]
pub struct PgArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// `ceph pg <pgid> query`: the instance's peering state as JSON.
    Query(Target),
    /// `dump_pgstate_history`: every state entered and left, with epochs.
    History(Target),
}

/// Which PG instance, and where.
#[derive(Args)]
struct Target {
    /// A scenario file: the PG after its blocks up to `--at` (a line).
    #[arg(conflicts_with = "seed", required_unless_present = "seed")]
    file: Option<PathBuf>,
    /// A simulation's seed (the default cluster of `peering sim`): the PG
    /// after event `--at`.
    #[arg(long)]
    seed: Option<u64>,
    /// The scenario line (blocks whose command is on or before it run), or
    /// the simulation's event number; the end when not given.
    #[arg(long)]
    at: Option<u64>,
    /// The PG, as Ceph prints it (`1.3s2`: shard 2 of an erasure-coded PG;
    /// without a shard, the lowest one the OSD holds).
    #[arg(long, default_value = "1.0")]
    pg: String,
    /// The OSD whose instance to show (the first that has one when not given).
    #[arg(long)]
    osd: Option<i32>,
    /// OSDs of the simulated cluster.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=4096))]
    osds: u32,
    /// PGs of the simulated pool.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pgs: u32,
}

/// Prints the instance.
pub fn main(a: &PgArgs) -> Outcome {
    let (history, t) = match &a.what {
        What::Query(t) => (false, t),
        What::History(t) => (true, t),
    };
    match (&t.file, t.seed) {
        (Some(file), _) => in_file(history, t, file),
        (None, Some(seed)) => in_sim(history, t, seed),
        (None, None) => Outcome::UserError("give a scenario file or --seed".into()),
    }
}

/// The file's blocks up to `--at`, then a `query`/`history` block.
fn in_file(history: bool, t: &Target, file: &PathBuf) -> Outcome {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return Outcome::UserError(format!("{}: {e}", file.display())),
    };
    let at =
        t.at.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let kept: Vec<&str> = text.lines().take(at).collect();
    let Some(osd) = t.osd else {
        return Outcome::UserError("a scenario needs --osd".into());
    };
    let command = if history { "history" } else { "query" };
    let script = format!("{}\n\n{command} pg={} osd={osd}\n", kept.join("\n"), t.pg);
    match scenario::run_text(&file.display().to_string(), &script) {
        Ok(run) => {
            for line in run.actual.last().into_iter().flatten() {
                outln!("{line}");
            }
            Outcome::Passed
        }
        Err(e) => Outcome::UserError(e.to_string()),
    }
}

/// The simulation of `seed` stopped after event `--at`.
fn in_sim(history: bool, t: &Target, seed: u64) -> Outcome {
    let run = |stop_at: Option<u64>| {
        let mut cfg = SimConfig::new(seed, t.osds, t.pgs);
        cfg.stop_at = stop_at;
        Sim::new(cfg).map(Sim::run).map_err(|e| e.to_string())
    };
    // The end of the run is its last event: a first run counts them (the
    // same seed runs the same way twice).
    let at = match t.at {
        Some(at) => at,
        None => match run(None) {
            Ok(r) => r.events,
            Err(e) => return Outcome::UserError(e),
        },
    };
    let report = match run(Some(at)) {
        Ok(r) => r,
        Err(e) => return Outcome::UserError(e),
    };
    if report.snapshot.is_empty() {
        return Outcome::UserError(format!(
            "the run of seed {seed} ended after {} events, before event {}",
            report.events, at
        ));
    }
    // `1.3s2` names one shard of an erasure-coded PG; `1.3` any instance
    // (on an EC pool, the lowest shard first).
    let found: Vec<&(OsdId, PgStatus)> = report
        .snapshot
        .iter()
        .filter(|(o, s)| {
            (s.pgid.to_string() == t.pg || s.pgid.pgid.to_string() == t.pg)
                && t.osd.is_none_or(|w| o.0 == w)
        })
        .collect();
    let Some((osd, status)) = found.first() else {
        return Outcome::UserError(format!(
            "no instance of pg {} at event {}",
            t.pg, report.events
        ));
    };
    outln!(
        "# pg {} on {osd} after event {} of seed {seed}",
        t.pg,
        report.events
    );
    print_status(history, status)
}

fn print_status(history: bool, status: &PgStatus) -> Outcome {
    if history {
        for s in &status.state_history {
            let enter = s.enter.map_or("?".to_string(), |(e, _)| format!("e{e}"));
            let exit = s.exit.map_or("now".to_string(), |(e, _)| format!("e{e}"));
            outln!("{enter} .. {exit} {}", s.state);
        }
        return Outcome::Passed;
    }
    match serde_json::to_string_pretty(status) {
        Ok(j) => {
            outln!("{j}");
            Outcome::Passed
        }
        Err(e) => Outcome::UserError(format!("pg query does not encode: {e}")),
    }
}
