//! The PG log: entries, the indexed log, the missing set, and merge / rewind /
//! divergence (reference §5.11–5.14, §6.8–6.10).

mod error;

pub use error::LogError;
