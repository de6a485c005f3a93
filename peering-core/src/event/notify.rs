//! Ceph's `pg_notify_t`.

use crate::intervals::PastIntervals;
use crate::types::{Epoch, PgInfo, ShardId};

/// Ceph's `pg_notify_t`: a non-primary instance telling the primary what it has
/// (the reply to an INFO query, or unsolicited after a map change).
///
/// Invariant (checked where notifies are received): `from == info.pgid.shard`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgNotify {
    /// The epoch of the query this answers (or the sender's epoch if unsolicited).
    pub query_epoch: Epoch,
    /// The sender's map epoch when it sent this.
    pub epoch_sent: Epoch,
    /// The sender's info.
    pub info: PgInfo,
    /// The shard this is addressed to.
    pub to: ShardId,
    /// The shard it comes from.
    pub from: ShardId,
    /// The sender's past intervals (inside the notify since Luminous).
    pub past_intervals: PastIntervals,
}
