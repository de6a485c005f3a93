//! [`WantSets`]: what `calc_replicated_acting` and `calc_ec_acting` compute.

use alloc::collections::BTreeSet;

use crate::types::{EVersion, OsdVec, PgInfo, PgShard};

/// The three outputs of Ceph's `calc_*_acting`: `want`,
/// `want_backfill` and `want_acting_backfill`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WantSets {
    /// The wanted acting vector: replicated — primary first, then replicas, possibly
    /// longer than the pool size (trimmed by `choose_acting`); EC — one position per
    /// shard, holes `OsdId::NONE`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub want: OsdVec,
    /// Up shards that cannot be log-recovered and must be backfilled.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub backfill: BTreeSet<PgShard>,
    /// Every shard of `want` plus the backfill targets (`acting_recovery_backfill`).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting_backfill: BTreeSet<PgShard>,
}

/// Whether a shard can join the acting set and be recovered from the log rather than
/// backfilled: complete, and its `last_update` at or past `oldest`, the oldest
/// entry the authoritative log will reach.
pub(crate) fn is_usable(info: &PgInfo, oldest: EVersion) -> bool {
    !info.is_incomplete() && info.last_update >= oldest
}
