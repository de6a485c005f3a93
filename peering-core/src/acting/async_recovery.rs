//! Async recovery targets: `choose_async_recovery_replicated` and
//! `choose_async_recovery_ec`.
//!
//! A shard far behind the authoritative log leaves the acting set and is recovered in
//! the background, so the PG can go active without waiting for it. Ceph collects the
//! candidates in a `set<pair<cost, pg_shard_t>>` and walks it backwards: highest cost
//! first, ties by the greater `pg_shard_t` first. A `BTreeSet` of the same
//! pairs walked in reverse gives exactly that order.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::cost::{PeerMissingCounts, approx_missing_objects};
use super::error::ActingError;
use super::options::ActingOptions;
use super::placement::{PgPlacement, pg_shard_at};
use super::replicated::info_of;
use super::stretch::{StretchBuckets, stretch_set_can_peer};
use super::want_recoverable::recoverable;
use crate::map::PoolInfo;
use crate::types::{OsdId, OsdVec, PgInfo, PgShard};

/// Ceph's `choose_async_recovery_replicated`: moves costly
/// members of `want` to async recovery and returns them.
///
/// Candidates are `want` members in the up set (Ceph also skips strays, which are never
/// up, so the up test covers both) whose cost — missing objects plus the version
/// distance to `auth_info.last_update` either way — exceeds `async_recovery_min_cost`.
/// Walking them costliest first, each is removed from `want` while `want` is still
/// larger than `min_size` and, for a stretch pool, the rest still satisfies
/// [`stretch_set_can_peer`] (`buckets` answers where each OSD sits).
#[allow(clippy::too_many_arguments)]
pub fn choose_async_recovery_replicated(
    all_info: &BTreeMap<PgShard, PgInfo>,
    auth_info: &PgInfo,
    want: &mut OsdVec,
    up_acting: &PgPlacement,
    pool: &PoolInfo,
    options: &ActingOptions,
    peer_missing: &PeerMissingCounts,
    buckets: &StretchBuckets,
) -> Result<BTreeSet<PgShard>, ActingError> {
    let costs = CostContext::new(all_info, auth_info, up_acting, pool, options, peer_missing);
    let shards = want.iter().map(|&osd| PgShard::replica(osd.0));
    let candidates = costs.candidates(shards, true)?;
    let min_size = usize::try_from(pool.min_size).unwrap_or(usize::MAX);
    let mut async_recovery = BTreeSet::new();
    for &(_, shard) in candidates.iter().rev() {
        if want.len() <= min_size {
            break;
        }
        if let Some(pos) = want.iter().position(|&o| o == shard.osd) {
            let mut candidate_want = want.clone();
            candidate_want.remove(pos);
            if stretch_set_can_peer(pool, &candidate_want, |o| buckets.bucket_of(o)) {
                *want = candidate_want;
                async_recovery.insert(shard);
            }
        }
    }
    Ok(async_recovery)
}

/// Ceph's `choose_async_recovery_ec`: replaces costly shards of `want`
/// with holes and returns them as async recovery targets.
///
/// Candidates are filled positions held by an up shard whose cost exceeds
/// `async_recovery_min_cost`; the version distance counts only when the shard is
/// behind the authority, as rolling back entries past it is local and cheap. Walking
/// them costliest first, a shard is taken out when the remaining count is at least
/// `min_size` and the vector stays [`recoverable`].
///
/// Upstream quirk reproduced for ordinary pools: the remaining count is
/// decremented for every candidate examined, including ones that stay. With the
/// `k`-of-`k+m` recoverability rule used here a rejected candidate implies every
/// later one is rejected too, so the quirk has no visible effect; it would with
/// plugins whose decoding depends on which shards remain.
///
/// Stretch pools follow the erasure-coded stretch branch of Ceph instead
/// (mainline's EC choice knows no stretch rule): a shard also stays when the
/// rest would no longer satisfy [`stretch_set_can_peer`], and the count drops
/// only for shards taken out, since a shard kept for its site leaves the count
/// as it was. That branch also requires every zone to keep `min_size`
/// (`stretch_ec_num_acting_below_min_size`); that rule is not ported — its
/// per-zone reading of `min_size` is not settled in the sources we have.
#[allow(clippy::too_many_arguments)]
pub fn choose_async_recovery_ec(
    all_info: &BTreeMap<PgShard, PgInfo>,
    auth_info: &PgInfo,
    want: &mut OsdVec,
    up_acting: &PgPlacement,
    pool: &PoolInfo,
    options: &ActingOptions,
    peer_missing: &PeerMissingCounts,
    buckets: &StretchBuckets,
) -> Result<BTreeSet<PgShard>, ActingError> {
    let filled: Vec<PgShard> = want
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.is_none())
        .map(|(i, &o)| pg_shard_at(o, i, true))
        .collect();
    let mut want_acting_size = u32::try_from(filled.len()).unwrap_or(u32::MAX);
    let costs = CostContext::new(all_info, auth_info, up_acting, pool, options, peer_missing);
    let candidates = costs.candidates(filled.into_iter(), false)?;
    let mut async_recovery = BTreeSet::new();
    let stretch = pool.is_stretch_pool();
    for &(_, shard) in candidates.iter().rev() {
        let mut candidate_want = want.clone();
        let position = usize::try_from(shard.shard.0).ok();
        if let Some(slot) = position.and_then(|i| candidate_want.get_mut(i)) {
            *slot = OsdId::NONE;
        }
        let remaining = want_acting_size.saturating_sub(1);
        if !stretch {
            want_acting_size = remaining;
        }
        if remaining >= pool.min_size
            && stretch_set_can_peer(pool, &candidate_want, |o| buckets.bucket_of(o))
            && recoverable(&candidate_want, pool, options)
        {
            want_acting_size = remaining;
            *want = candidate_want;
            async_recovery.insert(shard);
        }
    }
    Ok(async_recovery)
}

/// What the cost of a candidate is measured against.
struct CostContext<'a> {
    all_info: &'a BTreeMap<PgShard, PgInfo>,
    auth_version: crate::types::Version,
    up_acting: &'a PgPlacement,
    pool: &'a PoolInfo,
    min_cost: u64,
    peer_missing: &'a PeerMissingCounts,
}

impl<'a> CostContext<'a> {
    fn new(
        all_info: &'a BTreeMap<PgShard, PgInfo>,
        auth_info: &PgInfo,
        up_acting: &'a PgPlacement,
        pool: &'a PoolInfo,
        options: &ActingOptions,
        peer_missing: &'a PeerMissingCounts,
    ) -> Self {
        CostContext {
            all_info,
            auth_version: auth_info.last_update.version,
            up_acting,
            pool,
            min_cost: options.async_recovery_min_cost,
            peer_missing,
        }
    }

    /// Ceph's `candidates_by_cost`: up shards whose cost exceeds the minimum. A shard
    /// not up would turn into a stray once out of the acting set, so it never
    /// qualifies (Ceph's separate stray test is implied: strays are never up).
    fn candidates(
        &self,
        shards: impl Iterator<Item = PgShard>,
        count_ahead: bool,
    ) -> Result<BTreeSet<(u64, PgShard)>, ActingError> {
        let mut candidates = BTreeSet::new();
        for shard in shards.filter(|&s| self.up_acting.is_up(s, self.pool)) {
            let info = info_of(self.all_info, shard)?;
            let cost = approx_missing_objects(
                shard,
                info,
                self.auth_version,
                count_ahead,
                self.peer_missing,
            );
            if cost > self.min_cost {
                candidates.insert((cost, shard));
            }
        }
        Ok(candidates)
    }
}
