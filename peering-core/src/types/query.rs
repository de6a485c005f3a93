//! Ceph's `pg_query_t`.

use super::eversion::{EVersion, Epoch};
use super::history::PgHistory;
use super::osd::ShardId;

/// What a `pg_query_t` asks for. Ceph's numeric codes are kept (2 and 3 were the
/// BACKLOG era and are gone).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum QueryKind {
    /// `INFO` (0): answered with a notify carrying the info.
    Info,
    /// `LOG` (1): answered with the log after `since`, plus the missing set.
    Log {
        /// Entries newer than this are wanted.
        since: EVersion,
    },
    /// `MISSING` (4): answered with the missing set only.
    Missing,
    /// `FULLLOG` (5): answered with the whole log, plus the missing set.
    FullLog,
}

impl QueryKind {
    /// Ceph's wire code for this query type.
    pub const fn code(&self) -> i32 {
        match self {
            QueryKind::Info => 0,
            QueryKind::Log { .. } => 1,
            QueryKind::Missing => 4,
            QueryKind::FullLog => 5,
        }
    }

    /// Ceph's name for this query type (`pg_query_t::get_type_name`).
    pub const fn name(&self) -> &'static str {
        match self {
            QueryKind::Info => "info",
            QueryKind::Log { .. } => "log",
            QueryKind::Missing => "missing",
            QueryKind::FullLog => "fulllog",
        }
    }
}

/// Ceph's `pg_query_t`: the primary asking a peer for its info, log or missing set.
///
/// `since` lives inside [`QueryKind::Log`], so only a LOG query can carry one (Ceph's
/// constructors enforce the same).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgQuery {
    /// What is asked for.
    pub kind: QueryKind,
    /// The asker's history, so the peer can merge it before answering.
    pub history: PgHistory,
    /// The asker's map epoch when it sent the query.
    pub epoch_sent: Epoch,
    /// The shard asked.
    pub to: ShardId,
    /// The shard asking.
    pub from: ShardId,
}
