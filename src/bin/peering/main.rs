//! `peering`: Ceph's PG peering from the command line.
//!
//! - `peering sim`: seeded simulations of a cluster under faults, checked
//!   for safety and liveness (a progress bar, a summary table, the command
//!   that replays each failing seed);
//! - `peering run FILE...`: scenario files, each command checked against
//!   its expected output (`--rewrite` updates them);
//! - `peering chart`: the peering statechart (`--dot`, `--mermaid`);
//! - `peering crush -i MAP --test ...`: crushtool's test mode, same flags and
//!   output;
//! - `peering osdmap FILE ...`: osdmaptool's print and test modes on a
//!   binary OSDMap, same flags and output;
//! - `peering pg query|history`: a PG instance's `ceph pg query` JSON or its
//!   `dump_pgstate_history`, inside a scenario file or a simulation.
//!
//! User errors (a bad flag, a file that does not parse) print one message
//! and exit with status 2; a failing check exits with status 1.

/// `println!` to stdout that ends the program quietly when stdout is a
/// closed pipe (`peering chart --dot | head`), as a Unix filter does, rather
/// than panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod chart;
mod crush;
mod osdmap;
mod pg;
mod run;
mod sim;
mod summary;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Ceph's placement-group peering: simulate, run scenario files, print the chart.
#[derive(Parser)]
#[command(name = "peering", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Seeded simulations: real OSD hosts and a monitor under faults.
    Sim(sim::SimArgs),
    /// Run scenario files and compare every output with the expected one.
    Run(run::RunArgs),
    /// Print the peering statechart.
    Chart(chart::ChartArgs),
    /// crushtool's test mode, with crushtool's flags and output.
    Crush(crush::CrushArgs),
    /// osdmaptool's test and print modes on a binary OSDMap, same flags and output.
    Osdmap(osdmap::OsdmapArgs),
    /// Look at one PG: `ceph pg query` or `dump_pgstate_history`.
    Pg(pg::PgArgs),
}

/// How a command ended: every check passed, one failed, or the user's
/// request could not be run.
pub enum Outcome {
    /// Everything passed.
    Passed,
    /// A check failed (a seed, a scenario file).
    Failed,
    /// The request was wrong; the message says how.
    UserError(String),
}

/// Writes to stdout; on a write error (the reader went away) exits with
/// status 0: nothing is left to say to anyone.
pub fn out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if o.write_fmt(args).and_then(|()| o.flush()).is_err() {
        std::process::exit(0);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Sim(a) => sim::main(&a),
        Command::Run(a) => run::main(&a),
        Command::Chart(a) => chart::main(&a),
        Command::Crush(a) => crush::main(&a),
        Command::Osdmap(a) => osdmap::main(&a),
        Command::Pg(a) => pg::main(&a),
    };
    match outcome {
        Outcome::Passed => ExitCode::SUCCESS,
        Outcome::Failed => ExitCode::from(1),
        Outcome::UserError(e) => {
            eprintln!("peering: {e}");
            ExitCode::from(2)
        }
    }
}
