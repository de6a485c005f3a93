//! The PG log: entries, the indexed log, the missing set, and merge / rewind /
//! divergence.
//!
//! * [`LogEntry`] (`pg_log_entry_t`), [`LogDup`] (`pg_log_dup_t`), [`ModDesc`]
//!   (`ObjectModDesc`).
//! * [`PgLogT`] (`pg_log_t`): the plain log peers exchange.
//! * [`IndexedLog`] (`IndexedLog`): the log with its object and request indexes.
//! * [`Missing`] (`pg_missing_t`): the objects an instance is behind on.
//! * [`PgLog`] (`PGLog`): log and missing set together, with `merge_log`,
//!   `rewind_divergent_log` and `proc_replica_log`.
//! * [`LogEffect`] / [`LogEffects`]: the object side effects (`LogEntryHandler`
//!   calls) the host applies; the log itself never does IO.

mod divergent;
mod effects;
mod entry;
mod error;
mod indexed;
mod merge;
mod missing;
mod mod_desc;
mod pg_log;
mod pg_log_t;
mod rebuild;
mod replica;
mod trim;

pub use divergent::{
    DivergentCase, append_log_entries_update_missing, merge_divergent_entries,
    merge_object_divergent_entries, split_by_object,
};
pub use effects::{LogEffect, LogEffects};
pub use entry::{LogDup, LogEntry, LogOp, ReqId};
pub use error::LogError;
pub use indexed::{IndexedLog, LoggedRequest};
pub use missing::{Missing, MissingItem};
pub use mod_desc::{ModDesc, RollbackStep};
pub use pg_log::PgLog;
pub use pg_log_t::PgLogT;
