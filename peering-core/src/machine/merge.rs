//! PG merge (Nautilus+): when a map lowers a pool's `pg_num`, each source PG
//! folds into its parent, the target ([`Pg::merge_from`]).
//!
//! Host order, as Ceph's `OSD::advance_pg` does it: every instance is advanced
//! to the epoch before the one that lowers `pg_num`; the sources stop there; the
//! target absorbs them with [`Pg::merge_from`] (the host moves the sources'
//! objects into the target's collection in the same transaction, Ceph's
//! `merge_collection`) and then takes the merge epoch's `AdvMap`, which starts a
//! new interval. Before that, while `pg_num_pending` is below `pg_num`, the
//! primaries of sources and targets peer without serving writes
//! (`PREMERGE`) and report their readiness through
//! [`HostNotification::ReadyToMergeSource`](crate::ctx::HostNotification::ReadyToMergeSource)
//! and its siblings, which the host forwards to the monitor
//! (`MOSDPGReadyToMerge`).

use alloc::vec::Vec;

use super::pg::Pg;
use crate::ctx::{RecoveryCtx, TxOp};
use crate::error::{HostMisuse, PeeringError};
use crate::log::{LogEffects, PgLog};
use crate::machine::peering_state::PeeringState;
use crate::types::{EVersion, Epoch, ObjectId, PgId};

/// `pg_merge_meta_t`: what the monitor recorded of a pool's last merge (the
/// readiness reports it acted on), read from the merge epoch's pool
/// (`last_pg_merge_meta`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MergeMeta {
    /// `source_pgid`: the PG that merged away; the default `0.0` when the
    /// monitor recorded nothing (then nothing is checked against it).
    pub source_pgid: PgId,
    /// `ready_epoch`: the epoch the monitor saw both sides ready.
    pub ready_epoch: Epoch,
    /// `last_epoch_started` the target reported.
    pub last_epoch_started: Epoch,
    /// `last_epoch_clean` the target reported.
    pub last_epoch_clean: Epoch,
    /// `source_version`: the source's `last_update` when it reported ready.
    pub source_version: EVersion,
    /// `target_version`: the target's `last_update` when it reported ready.
    pub target_version: EVersion,
}

impl MergeMeta {
    /// Whether the monitor recorded a merge (`source_pgid != pg_t()`).
    fn recorded(&self) -> bool {
        self.source_pgid != PgId::default()
    }
}

impl Pg {
    /// `PG::merge_from` / `PeeringState::merge_from`: this target absorbs
    /// `sources`, the instances of the PGs folding into it at the next epoch,
    /// at the same epoch as this one. `meta` is the merge epoch's
    /// `last_pg_merge_meta`.
    ///
    /// Both sides' logs are rolled forward and trimmed to their heads (their
    /// entries become dups); the target's `last_update` is the newest of all,
    /// its log empty at it, its stats the sum. The merged PG is *incomplete*
    /// (`last_backfill` reset, to be backfilled by its peers) when any side
    /// was not complete or does not match what the monitor recorded as ready
    /// (`meta`'s pgid and versions). A target that never existed here (a
    /// placeholder, `last_epoch_started == 0`) takes the first source's
    /// history with `meta`'s epochs, pulling its past-interval start and
    /// `same_interval_since` back so later bound checks hold. Past intervals
    /// are the first source's if the target has none: `pgp_num` was lowered
    /// before the merge, so both were mapped alike.
    ///
    /// Refused, with nothing changed: a crashed or deleted target or source, a
    /// source of another pool or shard, one whose parent is not this PG, or one
    /// at another epoch ([`HostMisuse::NotMergeSource`]).
    pub fn merge_from(
        &mut self,
        sources: &mut [Pg],
        meta: &MergeMeta,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        self.check_running()?;
        let target = self.ps.info.pgid;
        for s in sources.iter() {
            s.check_running()?;
            let pg = s.ps.info.pgid;
            let sibling = pg.pgid.pool == target.pgid.pool
                && pg.shard == target.shard
                && pg.pgid != target.pgid
                && pg.pgid.parent() == target.pgid;
            if !sibling || s.ps.epoch != self.ps.epoch {
                return Err(PeeringError::HostMisuse(HostMisuse::NotMergeSource {
                    pg,
                    into: target,
                }));
            }
        }
        // The collections first: what follows finds the sources' objects in
        // the target's.
        for s in sources.iter() {
            ctx.transaction.push(TxOp::MergeCollection {
                source: s.ps.info.pgid,
            });
        }
        let dups_tracked = self.ps.cfg.pg_log_dups_tracked;
        let mut effects = LogEffects::new();
        let ps = &mut self.ps;

        let mut incomplete = !complete(ps);
        if meta.recorded()
            && (target.pgid != meta.source_pgid.parent()
                || ps.info.last_update != meta.target_version)
        {
            incomplete = true;
        }
        trim_to_head(ps, &mut effects, dups_tracked)?;

        for s in sources.iter_mut() {
            let src = &mut s.ps;
            if !complete(src) {
                incomplete = true;
            }
            if meta.recorded()
                && (src.info.pgid.pgid != meta.source_pgid
                    || src.info.last_update != meta.source_version)
            {
                incomplete = true;
            }
            trim_to_head(src, &mut effects, dups_tracked)?;
            ps.info.stats.add(&src.info.stats);
            ps.info.last_update = ps.info.last_update.max(src.info.last_update);
            if ps.past_intervals.is_empty() && !src.past_intervals.is_empty() {
                ps.past_intervals = src.past_intervals.clone();
            }
        }

        ps.info.last_complete = ps.info.last_update;
        ps.info.log_tail = ps.info.last_update;
        if incomplete {
            ps.info.last_backfill = ObjectId::MIN;
        }
        let logs: Vec<&PgLog> = sources.iter().map(|s| &s.ps.pg_log).collect();
        ps.pg_log.merge_from(&logs, ps.info.last_update);

        if ps.info.last_epoch_started == 0 {
            if let Some(first) = sources.first() {
                adopt_source_history(ps, &first.ps, meta);
            }
        }
        PeeringState::apply_effects(ctx, effects);
        ps.dirty_info = true;
        ps.dirty_big_info = true;
        ps.write_if_dirty(ctx);
        Ok(())
    }
}

/// Complete and existing: nothing missing, not backfilling, created.
fn complete(ps: &PeeringState) -> bool {
    ps.info.last_complete == ps.info.last_update && !ps.info.is_incomplete() && !ps.info.dne()
}

/// The preparation each side gets: roll everything forward, then trim the
/// whole log into dups (`last_complete` raised to the head so the trim is
/// allowed, as Ceph fakes it out). After the roll-forward nothing is above
/// `can_rollback_to` and `last_complete` is the head, so the trim's refusals
/// cannot apply to a log the PG built itself.
fn trim_to_head(
    ps: &mut PeeringState,
    effects: &mut LogEffects,
    dups_tracked: u64,
) -> Result<(), PeeringError> {
    ps.pg_log.roll_forward(effects);
    ps.info.last_complete = ps.info.last_update;
    ps.pg_log.log.reset_recovery_pointers();
    let head = ps.pg_log.log().head();
    ps.pg_log.trim(head, &mut ps.info, dups_tracked)?;
    Ok(())
}

/// A placeholder target's history: the first source's, with the epochs the
/// target reported when the monitor found it ready.
fn adopt_source_history(ps: &mut PeeringState, source: &PeeringState, meta: &MergeMeta) {
    ps.info.history = source.info.history.clone();
    ps.info.history.last_epoch_clean = meta.last_epoch_clean;
    ps.info.history.last_epoch_started = meta.last_epoch_started;
    ps.info.last_epoch_started = meta.last_epoch_started;
    let h = &mut ps.info.history;
    if h.last_epoch_clean < ps.past_intervals.first() {
        ps.past_intervals.adjust_start_backwards(h.last_epoch_clean);
    }
    if h.last_epoch_started < h.same_interval_since {
        h.same_interval_since = h.last_epoch_clean;
        h.same_up_since = h.same_up_since.min(h.same_interval_since);
        h.same_primary_since = h.same_primary_since.min(h.same_interval_since);
    }
}
