//! What a run reports: [`SimReport`], and what broke: [`SimViolation`].

use peering_core::machine::PgStatus;
use peering_core::types::{Epoch, OsdId, SpgId};

use crate::harness::Rule;

/// Which invariant a [`SimViolation`] breaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SimRule {
    /// A safety invariant of the PG state machines (see [`Rule`]).
    Safety(Rule),
    /// An OSD saw a frame out of order or twice on one connection: the
    /// network broke the messenger's contract.
    TransportOrder,
    /// An OSD refused its own host's call (a host contract error).
    HostError,
    /// An acknowledged write is missing from a clean replica at the end.
    LostWrite,
}

/// One broken invariant: where and when, and the last transcript lines.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SimViolation {
    /// The run's seed.
    pub seed: u64,
    /// The step (event number) it was seen at.
    pub step: u64,
    /// The simulated time, in nanoseconds.
    pub time: i64,
    /// The invariant.
    pub rule: SimRule,
    /// The OSD observed.
    pub osd: OsdId,
    /// The PG instance, when one is concerned.
    pub pgid: Option<SpgId>,
    /// What was seen.
    pub detail: String,
    /// The transcript's last lines before it.
    pub last_lines: Vec<String>,
    /// Every running instance of the PG at that step, for people: its
    /// `pg query` (`Pg::status()`), its missing set and its `MissingLoc`.
    pub queries: Vec<(OsdId, String)>,
}

/// A PG that did not become active+clean before the liveness deadline.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StuckPg {
    /// The PG (its primary's instance).
    pub pgid: SpgId,
    /// Its acting primary in the monitor's map.
    pub primary: OsdId,
    /// The primary instance's state (`-` if it has none).
    pub state: String,
    /// The primary instance's map epoch, and the monitor's.
    pub epochs: (Epoch, Epoch),
    /// The primary instance's `pg query` (its `Pg::status()`), missing set
    /// and `MissingLoc`, for people.
    pub query: String,
}

/// What one run did.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct SimReport {
    /// The seed.
    pub seed: u64,
    /// Simulated time at the end, in nanoseconds.
    pub sim_time: i64,
    /// Events processed.
    pub events: u64,
    /// Frames delivered between OSDs.
    pub messages: u64,
    /// Faults injected.
    pub faults: u64,
    /// The fault kinds this seed had on (swarm testing), by name.
    pub fault_kinds: Vec<&'static str>,
    /// Client writes issued, and acknowledged.
    pub writes: (u64, u64),
    /// Client writes a primary held for its read lease (`check_laggy`:
    /// `wait` after a failover, `laggy` when its peers stopped acknowledging);
    /// the client tries again later.
    pub writes_held: u64,
    /// PG merges carried out, one per OSD instance of a merge source.
    pub merges: u64,
    /// The monitor's final epoch.
    pub epoch: Epoch,
    /// Every violation (the run stops at the first).
    pub violations: Vec<SimViolation>,
    /// PGs not clean at the liveness deadline (liveness mode).
    pub stuck: Vec<StuckPg>,
    /// Whether the cluster became clean (liveness mode).
    pub clean: bool,
    /// Liveness mode, not clean: what the cluster still waited on besides
    /// the stuck PGs (OSDs down or behind, the monitor's pending work).
    pub waiting_on: Vec<String>,
    /// The run was a liveness run.
    pub liveness: bool,
    /// FNV-1a over every transcript line: the same seed gives the same hash.
    pub transcript_hash: u64,
    /// The transcript, when asked for.
    pub transcript: Vec<String>,
    /// The run stopped at [`super::SimConfig::stop_at`]: every running PG
    /// instance's `pg query` there, by OSD then PG.
    pub snapshot: Vec<(OsdId, PgStatus)>,
}

impl SimReport {
    /// No violation and, in liveness mode, a clean cluster at the end.
    pub fn passed(&self) -> bool {
        self.violations.is_empty() && (!self.liveness || self.clean)
    }

    /// The run's verdict in one line: `passed`, the first violation (rule,
    /// where, when, what), or the PGs still not clean at the deadline and
    /// what the cluster waited on.
    pub fn verdict(&self) -> String {
        if self.passed() {
            return "passed".into();
        }
        if let Some(v) = self.violations.first() {
            let pg = v.pgid.map_or(String::new(), |p| format!(" pg {p}"));
            return format!(
                "{:?} on {}{pg} at event {} ({:.3} s): {}",
                v.rule,
                v.osd,
                v.step,
                v.time as f64 / 1e9,
                v.detail
            );
        }
        let stuck: Vec<String> = self
            .stuck
            .iter()
            .map(|s| format!("{} on {}: {}", s.pgid, s.primary, s.state))
            .collect();
        format!(
            "not clean at the deadline: {}; waiting on {:?}",
            stuck.join("; "),
            self.waiting_on
        )
    }
}
