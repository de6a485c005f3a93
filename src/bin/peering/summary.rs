//! `peering sim`'s summary over every seed run: a table, or JSON.

use peering::osd::sim::SimReport;

use crate::Outcome;
use crate::sim::SEC;

/// The summary over every seed run.
#[derive(Default)]
pub struct Totals {
    seeds: u64,
    sim_ns: i64,
    events: u64,
    messages: u64,
    faults: u64,
    writes: (u64, u64),
    writes_held: u64,
    merges: u64,
    violations: usize,
    stuck: usize,
    /// Each failing seed: its verdict and the command that replays it.
    pub failures: Vec<(u64, String, String)>,
}

impl Totals {
    /// Counts one run.
    pub fn add(&mut self, r: &SimReport) {
        self.seeds += 1;
        self.sim_ns = self.sim_ns.saturating_add(r.sim_time);
        self.events += r.events;
        self.messages += r.messages;
        self.faults += r.faults;
        self.writes.0 += r.writes.0;
        self.writes.1 += r.writes.1;
        self.writes_held += r.writes_held;
        self.merges += r.merges;
        self.violations += r.violations.len();
        self.stuck += r.stuck.len();
    }

    /// Prints the table (or JSON) and the replay lines; `Failed` if any
    /// seed failed.
    pub fn print(&self, json: bool) -> Outcome {
        let failed = self.failures.len();
        if json {
            let failures: Vec<serde_json::Value> = self
                .failures
                .iter()
                .map(|(seed, what, replay)| {
                    serde_json::json!({ "seed": seed, "verdict": what, "replay": replay })
                })
                .collect();
            let summary = serde_json::json!({
                "seeds": self.seeds,
                "passed": self.seeds - failed as u64,
                "failed": failed,
                "simulated_seconds": self.sim_ns as f64 / SEC as f64,
                "events": self.events,
                "messages": self.messages,
                "faults": self.faults,
                "writes_issued": self.writes.0,
                "writes_acknowledged": self.writes.1,
                "writes_held_by_leases": self.writes_held,
                "pg_merges": self.merges,
                "violations": self.violations,
                "stuck_pgs": self.stuck,
                "failures": failures,
            });
            outln!("{summary:#}");
        } else {
            let rows = [
                (
                    "seeds",
                    format!(
                        "{} ({} passed, {failed} failed)",
                        self.seeds,
                        self.seeds - failed as u64
                    ),
                ),
                (
                    "simulated time",
                    format!("{:.1} min", self.sim_ns as f64 / SEC as f64 / 60.0),
                ),
                ("events", self.events.to_string()),
                ("messages", self.messages.to_string()),
                ("faults injected", self.faults.to_string()),
                (
                    "writes acknowledged",
                    format!("{} of {}", self.writes.1, self.writes.0),
                ),
                ("writes held (lease)", self.writes_held.to_string()),
                ("pg merges", self.merges.to_string()),
                ("violations", self.violations.to_string()),
                ("stuck PGs", self.stuck.to_string()),
            ];
            for (k, v) in rows {
                outln!("{k:<20} {v}");
            }
            for (seed, _, replay) in &self.failures {
                outln!("replay seed {seed}: {replay}");
            }
        }
        if failed > 0 {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }
}
