//! `PriorSet`, `build_prior` and `affected_by_map`: whom the primary must
//! hear from before it may trust that it has seen every completed write.

use alloc::collections::{BTreeMap, BTreeSet};

use super::shards::{extend_shard_set, validate_vector};
use super::{IntervalError, IsPgRecoverable, PastIntervals, RecoverablePredicate, UpActing};
use crate::map::{OsdMapView, PoolInfo};
use crate::types::{Epoch, OsdId, PgShard};

/// Ceph's `PastIntervals::osd_state_t`: what the current map says of a past
/// interval's member, as `build_prior` classifies it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PriorOsdState {
    /// Up now: it can be asked.
    Up,
    /// Down, and not declared lost since the interval began: it may hold writes
    /// nobody else has, so the PG may have to wait for it.
    Down,
    /// No longer exists: gone for good, its data with it.
    Dne,
    /// Declared lost after the interval began: the operator gave up its data, so it
    /// counts as heard from.
    Lost,
}

/// `build_prior`'s classifier over a map: `Up` if up; `Dne` if the OSD does
/// not exist; `Lost` if its `lost_at` is after `start` (the interval's first
/// epoch); else `Down`. Also returns the OSD's current `lost_at` (0 when it does not
/// exist), which `blocked_by` remembers.
pub fn classify_osd<M: OsdMapView + ?Sized>(
    map: &M,
    start: Epoch,
    osd: OsdId,
) -> (PriorOsdState, Epoch) {
    let exists = map.exists(osd);
    let lost_at = if exists { map.lost_at(osd) } else { 0 };
    let state = if map.is_up(osd) {
        PriorOsdState::Up
    } else if !exists {
        PriorOsdState::Dne
    } else if lost_at > start {
        PriorOsdState::Lost
    } else {
        PriorOsdState::Down
    };
    (state, lost_at)
}

/// Ceph's `PastIntervals::PriorSet`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PriorSet {
    /// The pool is erasure-coded (shards carry their position).
    pub ec_pool: bool,
    /// Shards to query: the current up and acting shards, and every past participant
    /// that is up now.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub probe: BTreeSet<PgShard>,
    /// Past participants that are down, lost or gone now.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub down: BTreeSet<OsdId>,
    /// Down OSDs the PG waits for, with their `lost_at` when this was computed:
    /// marking one lost (or its disappearance) changes the outcome.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub blocked_by: BTreeMap<OsdId, Epoch>,
    /// Some interval that may have gone read-write has too few reachable members to
    /// recover, and some of its members are down: the PG is `DOWN`.
    pub pg_down: bool,
}

impl PriorSet {
    /// The `PriorSet` constructor (`get_prior_set`) with any classifier, as
    /// Ceph's own tests drive it.
    ///
    /// `classify(start, osd)` answers for `osd` relative to an interval starting at
    /// `start` (0 for the participant pass), with the OSD's current `lost_at`.
    /// Probing always includes the current `up` and `acting` shards (their infos
    /// inform the acting-set choice), then every participant that is up. Each
    /// interval from [`PastIntervals::iterate_mayberw_back_to`]`(les)` whose up (or
    /// lost) members are not `recoverable` while some member is down makes the PG
    /// down and blocks it on those down members; members that no longer exist are
    /// ignored.
    pub fn new<R, C>(
        past_intervals: &PastIntervals,
        ec_pool: bool,
        last_epoch_started: Epoch,
        recoverable: &R,
        mut classify: C,
        up: &[OsdId],
        acting: &[OsdId],
    ) -> Result<Self, IntervalError>
    where
        R: IsPgRecoverable + ?Sized,
        C: FnMut(Epoch, OsdId) -> (PriorOsdState, Epoch),
    {
        let mut prior = PriorSet {
            ec_pool,
            ..PriorSet::default()
        };
        extend_shard_set(&mut prior.probe, ec_pool, acting)?;
        extend_shard_set(&mut prior.probe, ec_pool, up)?;

        for &shard in past_intervals.all_participants() {
            match classify(0, shard.osd).0 {
                PriorOsdState::Up => {
                    prior.probe.insert(shard);
                }
                PriorOsdState::Down | PriorOsdState::Dne | PriorOsdState::Lost => {
                    prior.down.insert(shard.osd);
                }
            }
        }

        for interval in past_intervals.iterate_mayberw_back_to(last_epoch_started) {
            let mut up_now = BTreeSet::new();
            let mut candidate_blocked_by = BTreeMap::new();
            for &shard in &interval.acting {
                match classify(interval.first, shard.osd) {
                    // A lost member is treated as heard from: its writes are given up.
                    (PriorOsdState::Up | PriorOsdState::Lost, _) => {
                        up_now.insert(shard);
                    }
                    (PriorOsdState::Dne, _) => {}
                    (PriorOsdState::Down, lost_at) => {
                        candidate_blocked_by.insert(shard.osd, lost_at);
                    }
                }
            }
            let any_down_now = !candidate_blocked_by.is_empty();
            if any_down_now && !recoverable.is_recoverable(&up_now) {
                prior.pg_down = true;
                prior.blocked_by.extend(candidate_blocked_by);
            }
        }
        Ok(prior)
    }

    /// `PriorSet::affected_by_map`: whether `map` can change this prior set,
    /// so peering must start over: a probed OSD went down (and was not already
    /// down), a blocking OSD vanished or had its `lost_at` changed, or a down OSD came
    /// up or vanished.
    ///
    /// Upstream behaviour, kept: `build_prior` puts OSDs that no longer exist into
    /// `down`, and a vanished `down` OSD always counts as a change, so a PG whose
    /// past intervals name a deleted OSD re-peers on every map until those intervals
    /// are trimmed (Ceph's `!exists` test on `down` is unconditional too).
    pub fn affected_by_map<M: OsdMapView + ?Sized>(&self, map: &M) -> bool {
        let lost_changed = |osd: OsdId| {
            self.blocked_by
                .get(&osd)
                .is_some_and(|&lost_at| map.lost_at(osd) != lost_at)
        };
        let probe_affected = self.probe.iter().any(|shard| {
            let o = shard.osd;
            (map.is_down(o) && !self.down.contains(&o))
                || (self.blocked_by.contains_key(&o) && (!map.exists(o) || lost_changed(o)))
        });
        probe_affected
            || self
                .down
                .iter()
                .any(|&o| map.is_up(o) || !map.exists(o) || lost_changed(o))
    }
}

/// What `build_prior` hands the state machine.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BuiltPrior {
    /// The prior set (`pg_down` means: set `PG_STATE_DOWN`; `probe` are the probe
    /// targets).
    pub prior: PriorSet,
    /// This OSD's up_thru is behind the current interval's start: it must ask the
    /// monitor before going active.
    pub need_up_thru: bool,
}

/// `PeeringState::build_prior` for the primary `whoami` of a PG of `pool`,
/// whose mapping is `current`, classifying every OSD against the current `map`,
/// with the pool backend's recoverable predicate.
///
/// `last_epoch_started` and `same_interval_since` are the primary's
/// `info.history`'s. `peer_les` lists each peer's `history.last_epoch_started`
/// already known; Ceph asserts none is newer than ours.
///
/// Refused: a peer ahead of us ([`IntervalError::PeerLesAhead`]); an up or acting
/// vector that means nothing for the pool (size zero, invalid entries, a replica
/// twice, an EC vector not `size` long).
pub fn build_prior<M, I>(
    past_intervals: &PastIntervals,
    pool: &PoolInfo,
    map: &M,
    whoami: OsdId,
    current: &UpActing,
    history: (Epoch, Epoch),
    peer_les: I,
) -> Result<BuiltPrior, IntervalError>
where
    M: OsdMapView + ?Sized,
    I: IntoIterator<Item = (PgShard, Epoch)>,
{
    let (last_epoch_started, same_interval_since) = history;
    // The lowest offending shard is reported, whatever order the peers came in.
    if let Some((peer, peer_les)) = peer_les
        .into_iter()
        .filter(|&(_, peer_les)| peer_les > last_epoch_started)
        .min()
    {
        return Err(IntervalError::PeerLesAhead {
            peer,
            peer_les,
            les: last_epoch_started,
        });
    }
    validate_vector(pool, &current.up)?;
    validate_vector(pool, &current.acting)?;
    let prior = PriorSet::new(
        past_intervals,
        pool.is_erasure(),
        last_epoch_started,
        &RecoverablePredicate::for_pool(pool),
        |start, osd| classify_osd(map, start, osd),
        &current.up,
        &current.acting,
    )?;
    Ok(BuiltPrior {
        prior,
        need_up_thru: super::need_up_thru(map, whoami, same_interval_since),
    })
}
