//! PG split: when a map raises a pool's `pg_num`, a parent hands
//! each child what it needs to exist ([`ChildSeed`]), and the host creates the
//! child from it ([`Pg::from_split`]).
//!
//! Host order per epoch: deliver the epoch's `AdvMap` to the parent
//! ([`Pg::advance_map`], which records `last_epoch_split`), then
//! [`Pg::split`] with the previous `pg_num`, then [`Pg::from_split`] for each seed
//! (Ceph's `init` + `Initialize` + `ActMap` of the child, whose own `ActMap` takes
//! it to `Started`), and the parent's batch ends with its `ActMap`.
//!
//! A map lowering `pg_num` is a merge ([`Pg::merge_from`]); [`Pg::split`]
//! refuses it with [`crate::HostMisuse::SplitNotGrowing`].

use crate::error::{BadInput, HostMisuse};
use alloc::vec::Vec;

use super::config::Config;
use super::pg::Pg;
use crate::ctx::RecoveryCtx;
use crate::error::PeeringError;
use crate::intervals::{PastIntervals, UpActing};
use crate::log::PgLog;
use crate::map::OsdMapView;
use crate::types::{Epoch, ObjectId, PgInfo, PgShard, PgStats, SpgId};

/// What a split parent hands one child (Ceph's `split_into` writing into the
/// child PG object): the child's info, history, past intervals, log and missing
/// set. A plain value; [`Pg::from_split`] turns it into the child [`Pg`].
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ChildSeed {
    /// The parent PG instance that split.
    pub parent: SpgId,
    /// The parent's primary when it split (the child's `same_primary_since` moves
    /// if its own primary differs).
    pub parent_primary: PgShard,
    /// This OSD's instance of the child (same OSD and shard as the parent's).
    pub whoami: PgShard,
    /// `pg_num` before the split.
    pub old_pg_num: u32,
    /// `pg_num` after it.
    pub new_pg_num: u32,
    /// `split_bits`: the low hash bits that select the child under `new_pg_num`.
    pub split_bits: u32,
    /// The map epoch of the split.
    pub epoch: Epoch,
    /// The child's info: versions from its share of the log, the parent's history
    /// with `epoch_created` at the split, its share of the stats.
    pub info: PgInfo,
    /// The parent's past intervals (the child shares its whole history).
    pub past_intervals: PastIntervals,
    /// The log entries and missing items of objects that now map to the child.
    pub log: PgLog,
    /// The parent's options.
    pub config: Config,
}

/// `object_stat_sum_t::split` (modern `start_split_stats`): each count is
/// shared out evenly among `n` PGs, the remainder going one each to the first ones.
fn split_count(v: i64, n: i64, i: i64) -> i64 {
    if n <= 0 {
        return v;
    }
    let base = v / n;
    if i < v % n { base + 1 } else { base }
}

/// Share `stats` among `n` PGs; `i` is this PG's place (children first, in id
/// order, the parent last, as Ceph's `split_pgs` hands them out).
fn split_stats(stats: &PgStats, n: i64, i: i64) -> PgStats {
    let mut s = stats.clone();
    s.num_bytes = split_count(stats.num_bytes, n, i);
    s.num_objects = split_count(stats.num_objects, n, i);
    s.num_objects_missing_on_primary = split_count(stats.num_objects_missing_on_primary, n, i);
    s.num_objects_missing = split_count(stats.num_objects_missing, n, i);
    s.num_objects_degraded = split_count(stats.num_objects_degraded, n, i);
    s.num_objects_misplaced = split_count(stats.num_objects_misplaced, n, i);
    s.num_objects_unfound = split_count(stats.num_objects_unfound, n, i);
    s
}

impl Pg {
    /// `OSD::split_pgs` for this parent: `map` (the PG's current map, just
    /// advanced) raised the pool's `pg_num` from `old_pg_num`; every child this PG
    /// splits into gets a [`ChildSeed`], and this PG keeps the rest of its log,
    /// missing set and stats (persisted through `ctx`). A PG that does not split
    /// under the change returns no seeds and is unchanged.
    ///
    /// Work and memory: one step and one [`ChildSeed`] per child, each child's
    /// share found by a pass over the parent's log and missing set (as Ceph's
    /// `split_into`), so O(children × (log + missing)); the children are at most
    /// [`MAX_POOL_PG_NUM`](crate::map::MAX_POOL_PG_NUM) − 1.
    ///
    /// Refused, PG unchanged: a crashed or terminated PG, a map other than the
    /// PG's, a pool gone from the map or with more PGs than the core accepts
    /// ([`crate::BadInput::PgNumTooLarge`]), `pg_num` not raised
    /// ([`crate::HostMisuse::SplitNotGrowing`]; a merge is [`Pg::merge_from`]).
    pub fn split(
        &mut self,
        old_pg_num: u32,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<Vec<ChildSeed>, PeeringError> {
        self.check_callable(map)?;
        let parent = self.ps.info.pgid;
        let Some(pool) = super::pg::admit_pool(map, parent.pgid.pool)? else {
            return Err(PeeringError::HostMisuse(HostMisuse::NoSuchPool {
                pool: parent.pgid.pool,
            }));
        };
        let new_pg_num = pool.pg_num;
        if old_pg_num == 0 || new_pg_num <= old_pg_num {
            return Err(PeeringError::HostMisuse(HostMisuse::SplitNotGrowing {
                old: old_pg_num,
                new: new_pg_num,
            }));
        }
        let children = parent.pgid.split_children_iter(old_pg_num, new_pg_num);
        if children.len() == 0 {
            return Ok(Vec::new());
        }
        let epoch = self.ps.epoch;
        let n = i64::try_from(children.len())
            .unwrap_or(i64::MAX)
            .saturating_add(1);
        let complete = self.ps.info.last_backfill == ObjectId::MAX;
        let mut seeds = Vec::with_capacity(children.len());
        for (i, child) in (0i64..).zip(children) {
            let split_bits = child.split_bits(new_pg_num);
            let mut log = PgLog::default();
            self.ps.pg_log.split_into(child, split_bits, &mut log);
            let mut info = PgInfo::new(SpgId::new(child, parent.shard));
            info.last_complete = self.ps.info.last_complete;
            info.last_update = log.log().head();
            info.log_tail = log.log().tail();
            info.last_user_version = self.ps.info.last_user_version;
            info.last_epoch_started = self.ps.info.last_epoch_started;
            info.last_interval_started = self.ps.info.last_interval_started;
            info.history = self.ps.info.history.clone();
            info.history.epoch_created = epoch;
            info.stats = split_stats(&self.ps.info.stats, n, i);
            log.reset_complete_to(Some(&mut info))
                .map_err(BadInput::Log)?;
            if complete {
                info.last_backfill = ObjectId::MAX;
            } else {
                // Mid-backfill: neither side can say what it holds; both restart.
                info.last_backfill = ObjectId::MIN;
                log.reset_backfill();
            }
            seeds.push(ChildSeed {
                parent,
                parent_primary: self.ps.primary,
                whoami: self.ps.whoami,
                old_pg_num,
                new_pg_num,
                split_bits,
                epoch,
                info,
                past_intervals: self.ps.past_intervals.clone(),
                log,
                config: self.ps.cfg,
            });
        }
        let info = &mut self.ps.info;
        info.last_update = self.ps.pg_log.log().head();
        info.log_tail = self.ps.pg_log.log().tail();
        info.stats = split_stats(&info.stats, n, n.saturating_sub(1));
        self.ps
            .pg_log
            .reset_complete_to(Some(info))
            .map_err(BadInput::Log)?;
        if !complete {
            info.last_backfill = ObjectId::MIN;
            self.ps.pg_log.reset_backfill();
        }
        self.ps.dirty_all();
        self.ps.write_if_dirty(ctx);
        Ok(seeds)
    }

    /// Creates a split child from its seed: Ceph's `split_into`
    /// second half on the child (mapping from `map`, role, `same_primary_since`
    /// when the primary moved, `send_notify` for a non-primary, everything dirty
    /// and written), then `Initialize` and `ActMap` at `map`'s epoch. `mapping` is
    /// the child's up/acting in `map`.
    ///
    /// Refused: a seed this parent's split did not produce or that does not fit
    /// `map` ([`crate::HostMisuse::NotSplitChild`]: the child is not a split child of
    /// the parent for the seed's `pg_num` change, the info names another PG, a log
    /// entry or missing object hashes elsewhere, or the map is another epoch or
    /// has another `pg_num`).
    pub fn from_split(
        seed: ChildSeed,
        mapping: UpActing,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<Pg, PeeringError> {
        let child = seed.info.pgid;
        let not_child = PeeringError::HostMisuse(HostMisuse::NotSplitChild {
            child: child.pgid,
            parent: seed.parent.pgid,
        });
        let ours = seed
            .parent
            .pgid
            .split_children_iter(seed.old_pg_num, seed.new_pg_num)
            .contains(&child.pgid)
            && child.shard == seed.parent.shard
            && seed.split_bits == child.pgid.split_bits(seed.new_pg_num)
            && seed.whoami.shard == child.shard;
        let hashes_ours = |oid: &ObjectId| oid.matches(seed.split_bits, child.pgid.seed);
        let log_ours = seed
            .log
            .log()
            .entries()
            .iter()
            .all(|e| hashes_ours(&e.soid))
            && seed.log.missing().items().keys().all(hashes_ours);
        if !ours || !log_ours || map.epoch() != seed.epoch {
            return Err(not_child);
        }
        match map.pool(child.pgid.pool) {
            Some(p) if p.pg_num == seed.new_pg_num => {}
            Some(p) => {
                return Err(PeeringError::HostMisuse(HostMisuse::SplitPgNumMismatch {
                    expected: seed.new_pg_num,
                    got: p.pg_num,
                }));
            }
            None => {
                return Err(PeeringError::HostMisuse(HostMisuse::NoSuchPool {
                    pool: child.pgid.pool,
                }));
            }
        }
        let mut pg = Pg::new(seed.config, seed.whoami, child, map)?;
        Pg::check_mapping(&pg.ps.pool, &mapping)?;
        let ps = &mut pg.ps;
        ps.info = seed.info;
        ps.pg_log = seed.log;
        ps.past_intervals = seed.past_intervals;
        ps.init_primary_up_acting(&mapping);
        ps.role = ps.calc_role();
        if ps.primary != seed.parent_primary {
            ps.info.history.same_primary_since = seed.epoch;
        }
        ps.send_notify = !ps.is_primary();
        pg.persist_and_start(map, ctx)
    }
}
