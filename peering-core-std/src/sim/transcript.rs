//! The run's transcript: one compact record per thing that happened, hashed
//! as it goes (the same seed gives the same hash), kept only when asked for;
//! the last few are always kept for a violation's report.

use std::collections::VecDeque;
use std::fmt;

use peering_core::types::PgId;

/// How many records a violation report shows.
const LAST: usize = 24;

/// One record: when, what, who, and one number (a sequence, an epoch...).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Rec {
    pub t: i64,
    pub what: &'static str,
    pub a: i32,
    pub b: i32,
    pub x: u64,
    /// For a state entered: the PG (then `b` is its seed), printed instead of
    /// a second OSD. Not hashed: `b` already says it.
    pub pg: Option<PgId>,
    /// For a frame, when the transcript is kept: the message's class name.
    /// Not hashed, so keeping the transcript does not change the hash.
    pub detail: &'static str,
}

impl Rec {
    /// A record naming one or two OSDs.
    pub fn osds(t: i64, what: &'static str, a: i32, b: i32, x: u64) -> Self {
        Rec {
            t,
            what,
            a,
            b,
            x,
            pg: None,
            detail: "",
        }
    }
}

impl fmt::Display for Rec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.t / 1_000_000;
        write!(f, "{}.{:03}s ", ms / 1000, ms % 1000)?;
        match self.pg {
            Some(pg) => write!(f, "{} {pg} on osd.{} epoch {}", self.what, self.a, self.x),
            None => write!(
                f,
                "{} osd.{} osd.{} {}{}{}",
                self.what,
                self.a,
                self.b,
                self.x,
                if self.detail.is_empty() { "" } else { " " },
                self.detail
            ),
        }
    }
}

/// The transcript (see the module docs).
#[derive(Clone, Debug)]
pub(super) struct Transcript {
    hash: u64,
    keep: bool,
    lines: Vec<String>,
    last: VecDeque<Rec>,
}

impl Transcript {
    pub fn new(keep: bool) -> Self {
        Transcript {
            hash: 0xcbf2_9ce4_8422_2325,
            keep,
            lines: Vec::new(),
            last: VecDeque::with_capacity(LAST),
        }
    }

    pub fn record(&mut self, r: Rec) {
        for chunk in [
            &r.t.to_le_bytes()[..],
            r.what.as_bytes(),
            &r.a.to_le_bytes(),
            &r.b.to_le_bytes(),
            &r.x.to_le_bytes(),
        ] {
            for b in chunk {
                self.hash = (self.hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        if self.keep {
            self.lines.push(r.to_string());
        }
        if self.last.len() == LAST {
            self.last.pop_front();
        }
        self.last.push_back(r);
    }

    /// Whether every record is kept (then frames are worth naming).
    pub fn keeps(&self) -> bool {
        self.keep
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }

    pub fn last_lines(&self) -> Vec<String> {
        self.last.iter().map(ToString::to_string).collect()
    }

    pub fn take_lines(&mut self) -> Vec<String> {
        std::mem::take(&mut self.lines)
    }
}
