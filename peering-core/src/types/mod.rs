//! The vocabulary of peering: epochs and versions, OSDs and shards,
//! PG identifiers, objects, the PG history and info, notifies and queries, and the
//! PG state bits.
//!
//! Orderings follow Ceph's exactly, because peering iterates over sets and maps of
//! these values and the order decides outcomes.

mod eversion;
mod history;
mod info;
mod lease;
mod object;
mod osd;
mod pg;
pub mod pg_math;
mod query;
mod state;
mod state_id;
mod time;

pub use eversion::{EVersion, Epoch, Version};
pub use history::PgHistory;
pub use info::{PgInfo, PgStats};
pub use lease::{PeerClockDelta, PgLease, PgLeaseAck};
pub use object::{ObjectId, SnapId};
pub use osd::{OsdId, OsdVec, PgShard, ShardId};
pub use pg::{PgId, PoolId, SpgId};
pub use query::{PgQuery, QueryKind};
pub use state::PgState;
pub use state_id::StateId;
pub use time::{Timespan, UTime};
