//! `choose_acting`: the whole acting-set decision as one plain result.

use alloc::collections::{BTreeMap, BTreeSet};

use super::async_recovery::{choose_async_recovery_ec, choose_async_recovery_replicated};
use super::cost::PeerMissingCounts;
use super::ec::calc_ec_acting;
use super::ec_stretch::calc_ec_acting_stretch;
use super::error::ActingError;
use super::find_best_info::find_best_info;
use super::options::ActingOptions;
use super::placement::PgPlacement;
use super::replicated::{calc_replicated_acting, info_of, select_replicated_primary};
use super::replicated_stretch::calc_replicated_acting_stretch;
use super::stretch::StretchBuckets;
use super::validate::{validate_keys, validate_pool, validate_vectors};
use super::want::WantSets;
use super::want_recoverable::recoverable;
use crate::map::PoolInfo;
use crate::types::{OsdVec, PgInfo, PgShard};

/// What `choose_acting` reads besides the infos and the placement: the flags
/// its callers pass, the Peering state's `history_les_bound`, the configuration, and
/// the targets already recorded in this interval (for Ceph's step-9 consistency rules).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ChooseActingRequest {
    /// Consider only shards in up or acting (Active's recheck after recovery).
    pub restrict_to_up_acting: bool,
    /// Only ask whether a `pg_temp` change is needed; record nothing.
    pub request_pg_temp_change_only: bool,
    /// Peering's `history_les_bound` before the call (`find_best_info` only writes it
    /// when the les bound moves).
    pub history_les_bound: bool,
    /// The configuration knobs.
    pub options: ActingOptions,
    /// `backfill_targets` already recorded this interval (empty when called from GetLog).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub backfill_targets: BTreeSet<PgShard>,
    /// `async_recovery_targets` already recorded this interval.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub async_recovery_targets: BTreeSet<PgShard>,
    /// `needs_recovery()`: our own or an acting_recovery_backfill peer's missing set is
    /// non-empty.
    pub needs_recovery: bool,
    /// Stretch pools: the barrier bucket of every OSD in up, acting and the infos
    /// (what Ceph asks `get_parent_of_type` of the PG's map). Unread otherwise.
    pub stretch_buckets: StretchBuckets,
}

/// The `pg_temp` request `choose_acting` queues with `queue_want_pg_temp`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PgTempRequest {
    /// Nothing to ask the monitor.
    #[default]
    None,
    /// `queue_want_pg_temp([])`: drop the `pg_temp`, revert to the CRUSH up set.
    Clear,
    /// `queue_want_pg_temp(want)`: make `want` the acting set.
    Set(#[cfg_attr(feature = "defmt", defmt(Debug2Format))] OsdVec),
}

/// Why `choose_acting` returned, in Ceph's terms (its `bool` plus the `want_acting`
/// member GetLog inspects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ActingOutcome {
    /// `true`: acting is what we want; the sets in the choice are to be recorded.
    Proceed,
    /// `true` with `request_pg_temp_change_only`: acting is what we want; nothing is
    /// to be recorded.
    ActingUnchanged,
    /// `false`: `find_best_info` found no authoritative log. With `up != acting`
    /// the choice asks to revert to up (`want_acting = up`, WaitActingChange);
    /// otherwise Incomplete.
    NoAuthoritativeLog,
    /// `false`: the wanted set is not `recoverable()` (Incomplete).
    NotRecoverable,
    /// `false`: `want != acting`; `want_acting` is set and a `pg_temp` requested
    /// (WaitActingChange).
    NeedActingChange,
}

/// Everything `choose_acting` decides, as one plain value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ActingChoice {
    /// Why it returned.
    pub outcome: ActingOutcome,
    /// The authoritative log's shard (`auth_log_shard`), when one was found.
    pub auth_log_shard: Option<PgShard>,
    /// Peering's `history_les_bound` after the call.
    pub history_les_bound: bool,
    /// The primary `select_replicated_primary` chose (replicated pools only).
    pub primary: Option<PgShard>,
    /// The wanted acting vector after async recovery and trimming to the pool size
    /// (empty when no authoritative log was found).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub want: OsdVec,
    /// Ceph's `want_acting` member after the call: non-empty exactly when the PG must
    /// wait for an acting change.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub want_acting: OsdVec,
    /// `want_backfill`: up shards to backfill.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub want_backfill: BTreeSet<PgShard>,
    /// `acting_recovery_backfill`: every chosen shard (including async recovery targets)
    /// and the backfill targets.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting_recovery_backfill: BTreeSet<PgShard>,
    /// `backfill_targets` to record (on [`ActingOutcome::Proceed`]).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub backfill_targets: BTreeSet<PgShard>,
    /// `async_recovery_targets` to record (on [`ActingOutcome::Proceed`]); otherwise
    /// the targets this computation chose (`want_async_recovery`).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub async_recovery_targets: BTreeSet<PgShard>,
    /// What to ask the monitor.
    pub pg_temp: PgTempRequest,
}

impl ActingChoice {
    fn new(outcome: ActingOutcome, history_les_bound: bool) -> Self {
        ActingChoice {
            outcome,
            auth_log_shard: None,
            history_les_bound,
            primary: None,
            want: OsdVec::new(),
            want_acting: OsdVec::new(),
            want_backfill: BTreeSet::new(),
            acting_recovery_backfill: BTreeSet::new(),
            backfill_targets: BTreeSet::new(),
            async_recovery_targets: BTreeSet::new(),
            pg_temp: PgTempRequest::None,
        }
    }
}

/// Ceph's `PeeringState::choose_acting` as a pure function.
///
/// `all_info` is `peer_info` plus our own info under `whoami` (build it with
/// [`collect_infos`](super::collect_infos) to refuse duplicates). Steps:
/// 1. the pool, the vectors and the info keys are validated (typed
///    [`ActingError`]); the infos themselves are taken as they are, as Ceph takes
///    the PG's records of its peers (check untrusted infos on arrival with
///    [`validate_peer_info`](super::validate_peer_info));
/// 2. [`find_best_info`] picks the authoritative shard, or the result is
///    [`ActingOutcome::NoAuthoritativeLog`] (asking to revert to up when
///    `up != acting`);
/// 3. replicated: [`select_replicated_primary`] then [`calc_replicated_acting`]
///    ([`calc_replicated_acting_stretch`] for stretch pools); EC: [`calc_ec_acting`]
///    ([`calc_ec_acting_stretch`] for stretch pools, as Ceph's EC stretch
///    branch does; mainline Ceph still calls `calc_ec_acting` there);
/// 4. [`recoverable`] or [`ActingOutcome::NotRecoverable`];
/// 5. async recovery targets move out of `want` (when supported);
/// 6. `want` is trimmed from the back to the pool size;
/// 7. `want != acting` gives [`ActingOutcome::NeedActingChange`] with a `pg_temp`
///    request (cleared when `want == up`), unless `debug_no_acting_change`;
/// 8. `request_pg_temp_change_only` stops with [`ActingOutcome::ActingUnchanged`];
/// 9. otherwise [`ActingOutcome::Proceed`] with the sets to record; recorded targets
///    that disagree where Ceph asserts give an error instead.
pub fn choose_acting(
    whoami: PgShard,
    all_info: &BTreeMap<PgShard, PgInfo>,
    up_acting: &PgPlacement,
    pool: &PoolInfo,
    request: &ChooseActingRequest,
    peer_missing: &PeerMissingCounts,
) -> Result<ActingChoice, ActingError> {
    validate_pool(pool)?;
    validate_vectors(up_acting, pool)?;
    validate_keys(all_info, pool)?;
    info_of(all_info, whoami)?;
    let options = &request.options;

    let mut les_bound = request.history_les_bound;
    let auth = find_best_info(
        all_info,
        whoami,
        up_acting,
        request.restrict_to_up_acting,
        pool,
        options,
        &mut les_bound,
    );
    let Some(auth) = auth else {
        let mut choice = ActingChoice::new(ActingOutcome::NoAuthoritativeLog, les_bound);
        if up_acting.up != up_acting.acting {
            choice.want_acting = up_acting.up.clone();
            choice.pg_temp = PgTempRequest::Clear;
        }
        return Ok(choice);
    };
    let auth_info = info_of(all_info, auth)?;

    let (primary, sets) = calc_want(
        auth,
        auth_info,
        all_info,
        up_acting,
        pool,
        request,
        peer_missing,
    )?;
    let WantSets {
        mut want,
        backfill,
        acting_backfill,
    } = sets;
    let mut choice = ActingChoice::new(ActingOutcome::Proceed, les_bound);
    choice.auth_log_shard = Some(auth);
    choice.primary = primary;
    choice.want_backfill = backfill;
    choice.acting_recovery_backfill = acting_backfill;

    if !recoverable(&want, pool, options) {
        choice.outcome = ActingOutcome::NotRecoverable;
        choice.want = want;
        return Ok(choice);
    }

    let want_async_recovery = if options.async_recovery_supported {
        let choose_async = if pool.is_erasure() {
            choose_async_recovery_ec
        } else {
            choose_async_recovery_replicated
        };
        choose_async(
            all_info,
            auth_info,
            &mut want,
            up_acting,
            pool,
            options,
            peer_missing,
            &request.stretch_buckets,
        )?
    } else {
        BTreeSet::new()
    };
    // Anything async recovery left beyond the pool size is evicted from the back; it
    // will be recovered synchronously later.
    want.truncate(usize::try_from(pool.size).unwrap_or(usize::MAX));
    choice.want = want;

    if choice.want != up_acting.acting {
        choice.outcome = ActingOutcome::NeedActingChange;
        choice.want_acting = choice.want.clone();
        choice.async_recovery_targets = want_async_recovery;
        if !options.debug_no_acting_change {
            choice.pg_temp = if choice.want == up_acting.up {
                if !choice.want_backfill.is_empty() {
                    return Err(ActingError::BackfillWhileWantIsUp);
                }
                PgTempRequest::Clear
            } else {
                PgTempRequest::Set(choice.want.clone())
            };
        }
        return Ok(choice);
    }
    if request.request_pg_temp_change_only {
        choice.outcome = ActingOutcome::ActingUnchanged;
        choice.async_recovery_targets = want_async_recovery;
        return Ok(choice);
    }

    choice.backfill_targets = if request.backfill_targets.is_empty() {
        choice.want_backfill.clone()
    } else if request.backfill_targets == choice.want_backfill {
        request.backfill_targets.clone()
    } else {
        return Err(ActingError::BackfillTargetsChanged);
    };
    // Ceph resets the async targets when none are recorded or recovery is done, and
    // asserts that they did not change otherwise.
    let keep_recorded = !request.async_recovery_targets.is_empty() && request.needs_recovery;
    if keep_recorded && request.async_recovery_targets != want_async_recovery {
        return Err(ActingError::AsyncRecoveryTargetsChanged);
    }
    choice.async_recovery_targets = want_async_recovery;
    Ok(choice)
}

/// the primary (replicated only) and the wanted sets.
fn calc_want(
    auth: PgShard,
    auth_info: &PgInfo,
    all_info: &BTreeMap<PgShard, PgInfo>,
    up_acting: &PgPlacement,
    pool: &PoolInfo,
    request: &ChooseActingRequest,
    peer_missing: &PeerMissingCounts,
) -> Result<(Option<PgShard>, WantSets), ActingError> {
    if pool.is_erasure() {
        let sets = if pool.is_stretch_pool() {
            calc_ec_acting_stretch(
                auth_info.log_tail,
                pool,
                &up_acting.acting,
                &up_acting.up,
                all_info,
                request.restrict_to_up_acting,
                &request.stretch_buckets,
            )?
        } else {
            calc_ec_acting(
                auth_info.log_tail,
                pool.size,
                &up_acting.acting,
                &up_acting.up,
                all_info,
                request.restrict_to_up_acting,
            )?
        };
        return Ok((None, sets));
    }
    let (primary, oldest_auth_log_entry) = select_replicated_primary(
        auth,
        request.options.force_auth_primary_missing_objects,
        &up_acting.up,
        up_acting.up_primary,
        all_info,
        peer_missing,
    )?;
    let sets = if pool.is_stretch_pool() {
        calc_replicated_acting_stretch(
            primary,
            oldest_auth_log_entry,
            pool,
            &up_acting.acting,
            &up_acting.up,
            all_info,
            request.restrict_to_up_acting,
            &request.stretch_buckets,
        )?
    } else {
        calc_replicated_acting(
            primary,
            oldest_auth_log_entry,
            pool.size,
            &up_acting.acting,
            &up_acting.up,
            all_info,
            request.restrict_to_up_acting,
        )?
    };
    Ok((Some(primary), sets))
}
