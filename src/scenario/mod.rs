//! Scenario files: Ceph peering stories as plain text, each command followed
//! by its expected output, checked in and rewritten on demand (the
//! data-driven style of CockroachDB's `datadriven` and raft-rs's interaction
//! tests).
//!
//! A file is a list of blocks. A block is a command line, a `----` line, and
//! the output the command is expected to print, up to the first blank line.
//! Lines starting with `#` between blocks are comments. Every command drives
//! [`OsdHarness`](peering_core_std::harness::osd_cluster::OsdHarness): real
//! `Osd` hosts exchanging encoded frames, a monitor publishing maps, a store,
//! and the safety checker after every round; any violation the checker sees
//! is printed in the output of the block where it happened.
//!
//! ```text
//! cluster osds=0,1,2 size=3
//! ----
//! e1: osd.0 osd.1 osd.2 up and in; pool 1 replicated size 3 min_size 2 pg_num 1
//! ```
//!
//! The commands (`pg=` defaults to `1.0`; a scenario has one pool, pool 1):
//!
//! | command | what it does |
//! |---|---|
//! | `cluster osds=0,1,2 [size=3 \| ec=K+M] [min-size=N] [epoch=E]` | OSDs up and in on a CRUSH map of one host each, a replicated pool (or an erasure-coded `K+M` one) of one PG, maps published up to epoch `E` |
//! | `place [pg=] osds=...` | the PG's CRUSH answer, in order (a `pg_upmap`): its up set is the first `size` of them that are up and in; on an EC pool positions stay, a spare from the list's tail takes a failed position, else it is a hole |
//! | `remap [pg=] osds=...` | CRUSH's answer changes: a new list, in a new map |
//! | `create [pg=]` | the PG created on every running OSD of its list, or of CRUSH's up set when it has none (`Pg::create`, persisted); on an EC pool, each up position's shard |
//! | `disk osd=N [pg=] head=H [tail=T] [les=E] [history-les=E] [epoch=E]` | the PG as left on `osd`'s disk: entries `E'(T+1)..=E'H`, one object `o{n}` each; history active and clean at `E` (default 10) |
//! | `write [pg=] [count=N \| name=X]`, `delete [pg=] name=X` | client operations to the acting primary (`MOSDOp`, then `MOSDRepOp`, or `MOSDECSubOpWrite` on an EC pool); the PG must be active; one the PG holds (`wait`, `laggy`) is said so. Names hash as the harness hashes them, so `name=o7` is not the object `o7` a `disk` log holds |
//! | `down osds=1,2`, `up osd=N` | OSDs fail (process stopped, one map marks them down and dead, as Ceph's monitor does when their connections are refused); an OSD restarts from its store and boots |
//! | `crash osd=N`, `start osd=N` | the process stops or starts; the map does not change (this monitor does not mark down and up an OSD that boots while the map says it is up, as Ceph's `prepare_boot` does: follow `crash` with `down`, or `mark-down`) |
//! | `partition osds=0 from=1,2`, `heal` | frames between the two sides wait (no heartbeats here: the monitor is not told); then cross, in order |
//! | `mark-down osd=N` | the monitor marks an OSD down, not dead (as after failed heartbeats); a running one sees itself down, tells the monitor (`MOSDMarkMeDead`), rebinds and boots again |
//! | `out osd=N`, `in osd=N`, `lost osd=N`, `up-thru osd=N` | a map with that change |
//! | `epochs to=E`, `pg-num to=N`, `min-size to=N` | maps with nothing, with `pg_num` and `pgp_num` raised (a split) or `pg_num_pending` one below `pg_num` (a merge, done on the next `run`), with `min_size` |
//! | `policy key=on\|off...` | what the harness does by itself: `grant-up-thru`, `grant-pg-temp`, `hold-commits`, `grant-reservations`, `recovery-engine`, `fire-timers` |
//! | `grant [up-thru] [pg-temp]`, `release-commits`, `fire-timers` | the monitor answers now; held transactions become durable; timers fire (not the read lease's) |
//! | `clock secs=N` | time passes: every timer due fires at its time (lease renewals, readable checks), the cluster running between them; then the states |
//! | `backfills osd=N slots=K`, `too-full osd=N [off]` | `osd_max_backfills` (0: nothing is granted, a stray waits for its deletion slot); the backfill space check fails |
//! | `run`, `step [rounds=N]` | until quiet (granting as the policy says), or N rounds; then the states |
//! | `states [pg=]`, `query [pg=] osd=N`, `history [pg=] osd=N` | every instance's state; `ceph pg query`'s JSON; `dump_pgstate_history` (on an EC pool, of shard `pg=1.0s2`, or of the lowest shard `osd` holds) |
//! | `lease [pg=] osd=N` | the instance's read lease, in seconds on its OSD's clock |
//! | `messages [osd=N]`, `transcript`, `objects osd=N [pg=]` | what the last command that acted (not a look) sent, to or from `osd`; everything it recorded; the stored objects |
//!
//! A file that cannot run (an unknown command or argument, a bad value, an
//! OSD that does not exist, a pool larger than the cluster) stops with a
//! [`ScenarioError`] naming the file and line.

mod args;
mod change;
mod disk;
mod error;
mod exec;
mod look;
mod parse;

use std::fmt::Write as _;
use std::path::Path;

pub use error::{ErrorKind, ScenarioError};
pub use exec::COMMANDS;
pub use parse::{Arg, Block, SEPARATOR, parse};

/// One file run: its blocks with what each printed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FileRun {
    /// The file's name, as given.
    pub name: String,
    /// Its text.
    pub text: String,
    /// Its blocks.
    pub blocks: Vec<Block>,
    /// What each block printed, in order.
    pub actual: Vec<Vec<String>>,
}

/// A block whose output differs from the expected one.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Mismatch {
    /// The command's line.
    pub line: usize,
    /// The command line, as written.
    pub command: String,
    /// What the file expects.
    pub expected: Vec<String>,
    /// What it printed.
    pub actual: Vec<String>,
}

/// Runs the file at `path`.
pub fn run_file(path: &Path) -> Result<FileRun, ScenarioError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: name.clone(),
        line: 0,
        kind: ErrorKind::Io(e.to_string()),
    })?;
    run_text(&name, &text)
}

/// Runs a scenario's `text`; `name` is what errors call the file.
pub fn run_text(name: &str, text: &str) -> Result<FileRun, ScenarioError> {
    let blocks = parse(text);
    let mut runner = exec::Runner::default();
    let mut actual = Vec::with_capacity(blocks.len());
    for b in &blocks {
        let out = runner.exec(b).map_err(|kind| ScenarioError {
            file: name.to_string(),
            line: b.line,
            kind,
        })?;
        // An output ends at a blank line, so it has none.
        actual.push(
            out.into_iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.trim_end().to_string())
                .collect(),
        );
    }
    Ok(FileRun {
        name: name.to_string(),
        text: text.to_string(),
        blocks,
        actual,
    })
}

impl FileRun {
    /// The blocks whose output differs from the file's.
    pub fn mismatches(&self) -> Vec<Mismatch> {
        self.blocks
            .iter()
            .zip(&self.actual)
            .filter(|(b, got)| b.expected != **got)
            .map(|(b, got)| Mismatch {
                line: b.line,
                command: command_line(b),
                expected: b.expected.clone(),
                actual: got.clone(),
            })
            .collect()
    }

    /// Whether every block printed what the file expects.
    pub fn passed(&self) -> bool {
        self.mismatches().is_empty()
    }

    /// The file with every expected output replaced by what was printed
    /// (`peering run --rewrite`).
    pub fn rewritten(&self) -> String {
        parse::rewrite(&self.text, &self.blocks, &self.actual)
    }

    /// Each mismatch as a diff: `-` lines expected and not printed, `+`
    /// lines printed and not expected, in order.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for m in self.mismatches() {
            let _ = writeln!(out, "{}:{}: {}", self.name, m.line, m.command);
            for l in line_diff(&m.expected, &m.actual) {
                let _ = writeln!(out, "{l}");
            }
        }
        out
    }
}

/// The command line of `b`, rebuilt from its parts.
fn command_line(b: &Block) -> String {
    let mut s = b.command.clone();
    for a in &b.args {
        s.push(' ');
        s.push_str(&a.key);
        if let Some(v) = &a.value {
            s.push('=');
            s.push_str(v);
        }
    }
    s
}

/// A line diff by longest common subsequence: common lines with two
/// spaces, removed ones with `- `, added ones with `+ `. The table is
/// `(a+1)·(b+1)` cells; past [`DIFF_CELLS`] the diff is every expected line
/// removed, then every printed line added.
fn line_diff(a: &[String], b: &[String]) -> Vec<String> {
    let w = b.len() + 1;
    let cells = (a.len() + 1).saturating_mul(w);
    if cells > DIFF_CELLS {
        let removed = a.iter().map(|l| format!("- {l}"));
        return removed.chain(b.iter().map(|l| format!("+ {l}"))).collect();
    }
    // lcs[i·w + j]: the common subsequence's length of a[i..] and b[j..].
    let mut lcs = vec![0usize; cells];
    let at = |t: &[usize], i: usize, j: usize| t.get(i * w + j).copied().unwrap_or(0);
    for (i, x) in a.iter().enumerate().rev() {
        for (j, y) in b.iter().enumerate().rev() {
            let v = if x == y {
                at(&lcs, i + 1, j + 1) + 1
            } else {
                at(&lcs, i + 1, j).max(at(&lcs, i, j + 1))
            };
            if let Some(c) = lcs.get_mut(i * w + j) {
                *c = v;
            }
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    loop {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                out.push(format!("  {x}"));
                i += 1;
                j += 1;
            }
            (Some(x), None) => {
                out.push(format!("- {x}"));
                i += 1;
            }
            (Some(x), Some(_)) if at(&lcs, i + 1, j) >= at(&lcs, i, j + 1) => {
                out.push(format!("- {x}"));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(format!("+ {y}"));
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// The largest table [`line_diff`] builds (a million cells, 8 MB).
const DIFF_CELLS: usize = 1 << 20;

#[cfg(test)]
mod tests;
