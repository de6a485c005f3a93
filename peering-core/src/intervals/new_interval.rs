//! `is_new_interval` in both of Ceph's forms, and `should_restart_peering`.
//!
//! The state machine asks on every map, so neither form allocates: vectors are
//! compared in place and the split/merge predicates only count.

use super::UpActing;
use crate::map::{MapFlags, OsdMapView, PoolInfo, StretchRule};
use crate::types::{OsdId, PgId};

/// The pool and map values of one epoch that `is_new_interval` compares: the
/// plain-value inputs of Ceph's long-form `is_new_interval`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IntervalParams {
    /// `pg_pool_t::size`.
    pub size: u32,
    /// `pg_pool_t::min_size`.
    pub min_size: u32,
    /// `get_pg_num()`.
    pub pg_num: u32,
    /// `get_pg_num_pending()`.
    pub pg_num_pending: u32,
    /// The map's `SORTBITWISE` flag.
    pub sort_bitwise: bool,
    /// The map's `RECOVERY_DELETES` flag.
    pub recovery_deletes: bool,
    /// The stretch peering fields; all zero for a pool that is not a stretch pool,
    /// as Ceph's `pg_pool_t` leaves them.
    pub stretch: StretchRule,
}

impl IntervalParams {
    /// The values `is_new_interval` reads from one map and its copy of the
    /// pool.
    pub fn new(flags: MapFlags, pool: &PoolInfo) -> Self {
        IntervalParams {
            size: pool.size,
            min_size: pool.min_size,
            pg_num: pool.pg_num,
            pg_num_pending: pool.pg_num_pending,
            sort_bitwise: flags.contains(MapFlags::SORTBITWISE),
            recovery_deletes: flags.contains(MapFlags::RECOVERY_DELETES),
            // The four `peering_crush_*` fields, as Ceph compares them.
            stretch: StretchRule {
                num_zones: 0,
                ..pool.stretch.unwrap_or_default()
            },
        }
    }
}

/// Ceph's long-form `is_new_interval`: does the step from `old` to `new`
/// start a new interval for `pgid`?
///
/// True iff any of: acting primary, acting vector (order and holes matter), up
/// primary or up vector changed; the pool's size or min_size changed; the PG splits;
/// it is or was a pre-merge source or target (`pg_num_pending` moved), or a merge
/// source or target (`pg_num` shrank); `SORTBITWISE` or `RECOVERY_DELETES` flipped;
/// a stretch peering field changed.
///
/// Deviation: recent Ceph also compares the pool's "allows EC optimizations" flag;
/// `PoolInfo` does not carry it (a post-Reef feature the reference marks optional).
pub fn is_new_interval_params(
    old: &UpActing,
    new: &UpActing,
    old_params: &IntervalParams,
    new_params: &IntervalParams,
    pgid: PgId,
) -> bool {
    let (o, n) = (old_params, new_params);
    old.acting_primary != new.acting_primary
        || old.acting != new.acting
        || old.up_primary != new.up_primary
        || old.up != new.up
        || o.min_size != n.min_size
        || o.size != n.size
        || pgid.is_split(o.pg_num, n.pg_num)
        // Is, or was, a pre-merge source.
        || pgid.is_merge_source(o.pg_num_pending, n.pg_num_pending)
        || pgid.is_merge_source(n.pg_num_pending, o.pg_num_pending)
        // A merge source.
        || pgid.is_merge_source(o.pg_num, n.pg_num)
        // Is, or was, a pre-merge target.
        || pgid.is_merge_target(o.pg_num_pending, n.pg_num_pending)
        || pgid.is_merge_target(n.pg_num_pending, o.pg_num_pending)
        // A merge target.
        || pgid.is_merge_target(o.pg_num, n.pg_num)
        || o.sort_bitwise != n.sort_bitwise
        || o.recovery_deletes != n.recovery_deletes
        || o.stretch != n.stretch
}

/// Ceph's map-form `is_new_interval`: the long form with the pool values read
/// from `lastmap` (old) and `osdmap` (new).
///
/// Pool absent from `lastmap`: false, a deleted pool has no more intervals. Pool
/// absent from `osdmap`: true, its deletion is the final interval change.
pub fn is_new_interval<N: OsdMapView + ?Sized, L: OsdMapView + ?Sized>(
    old: &UpActing,
    new: &UpActing,
    osdmap: &N,
    lastmap: &L,
    pgid: PgId,
) -> bool {
    let Some(old_pool) = lastmap.pool(pgid.pool) else {
        return false;
    };
    let Some(new_pool) = osdmap.pool(pgid.pool) else {
        return true;
    };
    is_new_interval_params(
        old,
        new,
        &IntervalParams::new(lastmap.flags(), &old_pool),
        &IntervalParams::new(osdmap.flags(), &new_pool),
        pgid,
    )
}

/// `should_restart_peering`: a PG whose current mapping is `current` restarts
/// peering on the step `lastmap` → `osdmap` if that starts a new interval, or if
/// this OSD (`whoami`) was down in `lastmap` and is up in `osdmap` (it restarted or
/// was wrongly marked down, and its peers may have moved on without it).
pub fn should_restart_peering<N: OsdMapView + ?Sized, L: OsdMapView + ?Sized>(
    current: &UpActing,
    new: &UpActing,
    osdmap: &N,
    lastmap: &L,
    pgid: PgId,
    whoami: OsdId,
) -> bool {
    is_new_interval(current, new, osdmap, lastmap, pgid)
        || (!lastmap.is_up(whoami) && osdmap.is_up(whoami))
}
