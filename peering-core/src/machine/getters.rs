//! The read-only questions a host's recovery engine asks of a PG on its hot
//! path, as Ceph's `PrimaryLogPG` asks `PeeringState` (`get_primary`,
//! `get_acting_recovery_backfill`, `get_backfill_targets`, `get_peer_info`,
//! `get_peer_missing`, `get_missing_loc`, `needs_recovery`, `needs_backfill`).
//! They borrow instead of copying; [`Pg::status`] has everything else.

use alloc::collections::BTreeSet;

use super::missing_loc::MissingLoc;
use super::pg::Pg;
use crate::intervals::UpActing;
use crate::log::Missing;
use crate::map::PoolInfo;
use crate::types::{PgInfo, PgShard};

impl Pg {
    /// `get_primary()`: the acting primary shard.
    pub fn primary(&self) -> PgShard {
        self.ps.primary
    }

    /// `get_pool()`: the pool as of the PG's current map.
    pub fn pool(&self) -> &PoolInfo {
        &self.ps.pool
    }

    /// The up and acting sets with their primaries, as the PG's current map
    /// gives them.
    pub fn mapping(&self) -> &UpActing {
        &self.ps.mapping
    }

    /// `get_acting_recovery_backfill()`: acting, async recovery and backfill
    /// shards (primary only; empty elsewhere).
    pub fn acting_recovery_backfill(&self) -> &BTreeSet<PgShard> {
        &self.ps.acting_recovery_backfill
    }

    /// `get_backfill_targets()`.
    pub fn backfill_targets(&self) -> &BTreeSet<PgShard> {
        &self.ps.backfill_targets
    }

    /// `get_peer_info()`: the infos the primary recorded, in shard order.
    pub fn peer_infos(&self) -> impl DoubleEndedIterator<Item = (&PgShard, &PgInfo)> + '_ {
        self.ps.peer_info.iter()
    }

    /// `get_peer_missing()`: the missing sets the primary holds for its peers, in
    /// shard order.
    pub fn peer_missing(&self) -> impl DoubleEndedIterator<Item = (&PgShard, &Missing)> + '_ {
        self.ps.peer_missing.iter()
    }

    /// `get_missing_loc()`: where each object the PG needs can be found.
    pub fn missing_loc(&self) -> &MissingLoc {
        &self.ps.missing_loc
    }

    /// `needs_recovery()`: some acting or async-recovery shard misses objects.
    pub fn needs_recovery(&self) -> bool {
        self.ps.needs_recovery()
    }

    /// `needs_backfill()`: some backfill target is not yet complete.
    pub fn needs_backfill(&self) -> bool {
        self.ps.needs_backfill()
    }
}
