//! `find_best_info`: the choice of the authoritative log.

use alloc::collections::BTreeMap;

use super::options::ActingOptions;
use super::placement::PgPlacement;
use crate::map::PoolInfo;
use crate::types::{EVersion, Epoch, PgInfo, PgShard};

/// Ceph's `PeeringState::find_best_info`: the shard whose log becomes
/// authoritative, or `None` when no info qualifies ("no authoritative log").
///
/// * The bound `max_les` is the greatest `last_epoch_started` known: from any info's
///   `history` (unless `find_best_info_ignore_history_les`), which sets
///   `*history_les_bound`, or from a complete info's own value, which clears it. The
///   flag is only written when the bound strictly grows, each info's history being
///   read before its own value, exactly as Ceph does: a history and an info reaching
///   the same les leave the flag set (harmless, as some info then qualifies), and the
///   caller's prior value survives when no info raises the bound (Peering keeps it
///   across calls).
/// * Acceptable infos have `last_epoch_started >= max_les`; the oldest `last_update`
///   among them is the floor every candidate must reach.
/// * Candidates: in `up` or `acting` when `restrict_to_up_acting`, at or above the
///   floor, `last_epoch_started >= max_les`, and complete (not being backfilled).
/// * Best: the newest `last_update` (the oldest for pools that `require_rollback`,
///   i.e. EC, whose divergent entries can be rolled back but whose missing entries
///   cannot be invented); then the older `log_tail` (the longer log); then a shard
///   without missing objects; then `whoami`, the current primary. Any remaining tie
///   keeps the first candidate in `pg_shard_t` order (osd, then shard), as Ceph's map
///   iteration does.
pub fn find_best_info(
    infos: &BTreeMap<PgShard, PgInfo>,
    whoami: PgShard,
    up_acting: &PgPlacement,
    restrict_to_up_acting: bool,
    pool: &PoolInfo,
    options: &ActingOptions,
    history_les_bound: &mut bool,
) -> Option<PgShard> {
    let max_les = max_last_epoch_started(infos, options, history_les_bound);
    let min_last_update_acceptable = infos
        .values()
        .filter(|i| i.last_epoch_started >= max_les)
        .map(|i| i.last_update)
        .min()?;

    let mut best: Option<(PgShard, &PgInfo)> = None;
    for (&shard, info) in infos {
        if restrict_to_up_acting
            && !up_acting.is_up(shard, pool)
            && !up_acting.is_acting(shard, pool)
        {
            continue;
        }
        if info.last_update < min_last_update_acceptable
            || info.last_epoch_started < max_les
            || info.is_incomplete()
        {
            continue;
        }
        best = match best {
            Some((b, binfo)) if !replaces_best(shard, info, binfo, whoami, pool) => {
                Some((b, binfo))
            }
            _ => Some((shard, info)),
        };
    }
    best.map(|(shard, _)| shard)
}

/// the les bound, and whether it came only from some history.
fn max_last_epoch_started(
    infos: &BTreeMap<PgShard, PgInfo>,
    options: &ActingOptions,
    history_les_bound: &mut bool,
) -> Epoch {
    let mut max_les: Epoch = 0;
    for info in infos.values() {
        if !options.find_best_info_ignore_history_les && max_les < info.history.last_epoch_started {
            *history_les_bound = true;
            max_les = info.history.last_epoch_started;
        }
        if !info.is_incomplete() && max_les < info.last_epoch_started {
            *history_les_bound = false;
            max_les = info.last_epoch_started;
        }
    }
    max_les
}

/// whether candidate `p` displaces the best so far.
fn replaces_best(
    shard: PgShard,
    p: &PgInfo,
    best: &PgInfo,
    whoami: PgShard,
    pool: &PoolInfo,
) -> bool {
    if p.last_update != best.last_update {
        return prefers_last_update(p.last_update, best.last_update, pool);
    }
    if p.log_tail != best.log_tail {
        return p.log_tail < best.log_tail;
    }
    if p.has_missing() != best.has_missing() {
        return !p.has_missing();
    }
    shard == whoami
}

/// Newest `last_update` wins, oldest for pools that must roll back (EC).
fn prefers_last_update(candidate: EVersion, best: EVersion, pool: &PoolInfo) -> bool {
    if pool.require_rollback() {
        candidate < best
    } else {
        candidate > best
    }
}
