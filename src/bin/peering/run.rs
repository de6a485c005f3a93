//! `peering run FILE...`: scenario files, checked or rewritten.

use std::path::PathBuf;

use clap::Args;
use peering::scenario;

use crate::Outcome;

/// `peering run` options.
#[derive(Args)]
pub struct RunArgs {
    /// Scenario files (see `scenarios/`).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write what each command printed back into its file as the expected
    /// output (review the change with `git diff`).
    #[arg(long, conflicts_with = "print")]
    rewrite: bool,
    /// Print every command and what it printed, as the story goes.
    #[arg(long)]
    print: bool,
}

/// Runs each file; a mismatch prints its diff.
pub fn main(a: &RunArgs) -> Outcome {
    let mut failed = 0;
    for path in &a.files {
        let run = match scenario::run_file(path) {
            Ok(r) => r,
            Err(e) => return Outcome::UserError(e.to_string()),
        };
        let blocks = run.blocks.len();
        if a.print {
            for (b, got) in run.blocks.iter().zip(&run.actual) {
                let command = run
                    .text
                    .lines()
                    .nth(b.line.saturating_sub(1))
                    .unwrap_or_default();
                outln!("> {}", command.trim());
                for line in got {
                    outln!("  {line}");
                }
            }
        }
        if a.rewrite {
            let text = run.rewritten();
            if text != run.text {
                if let Err(e) = std::fs::write(path, &text) {
                    return Outcome::UserError(format!("{}: {e}", path.display()));
                }
                outln!(
                    "{}: rewritten ({} blocks changed)",
                    path.display(),
                    run.mismatches().len()
                );
            } else {
                outln!("{}: up to date ({blocks} blocks)", path.display());
            }
            continue;
        }
        if run.passed() {
            outln!("{}: ok ({blocks} blocks)", path.display());
        } else {
            failed += 1;
            crate::out(format_args!("{}", run.diff()));
            outln!(
                "{}: {} of {blocks} blocks differ (`peering run --rewrite {}` accepts the new output)",
                path.display(),
                run.mismatches().len(),
                path.display()
            );
        }
    }
    if failed > 0 {
        outln!("{failed} of {} files failed", a.files.len());
        return Outcome::Failed;
    }
    Outcome::Passed
}
