//! The write path's share of the peering state (`PeeringListener`):
//! Ceph's `PeeringState::append_log`, `add_log_entry` and
//! `pre_submit_op`, as the primary calls them for a client write and a replica for
//! the primary's `MOSDRepOp`.
//!
//! Object data stays out of scope: an entry's version is the write. The host
//! replicates the primary's entries to its acting replicas and applies the
//! transaction each call leaves in the [`RecoveryCtx`].
//!
//! Deviations from Ceph: the log is not trimmed here (`update_trim_to` /
//! `PGLog::trim` stay with the caller), and the on-commit bookkeeping
//! (`last_update_ondisk`, `complete_write`) is not modelled.

use super::peering_state::PeeringState;
use super::pg::Pg;
use crate::ctx::RecoveryCtx;
use crate::error::PeeringError;
use crate::error::{BadInput, Crash, HostMisuse};
use crate::log::{LogEntry, LogOp, ReqId};
use crate::types::StateId;
use crate::types::{EVersion, ObjectId, PgState, UTime};

impl Pg {
    /// `append_log(entries, ...)`: appends new log entries and
    /// persists the info and log through `ctx`'s transaction.
    ///
    /// On the primary (`Active`, `PG_STATE_ACTIVE` set) these are the entries of a
    /// write it just made (see [`Pg::submit_write`]): each is added to the log
    /// (`add_log_entry`), and `pre_submit_op` advances the `peer_info` of every
    /// other shard of `acting_recovery_backfill`, which receives them. On a
    /// replica (`ReplicaActive`) they are the primary's `MOSDRepOp` entries
    /// (`do_repop` → `log_operation` → `append_log`), added the same way; an
    /// object the replica still misses stays missing at the newer need
    /// (`merge_new_log_entries`' `add_next_event`).
    /// Either way `last_update`, `last_complete` (when it was complete),
    /// `last_user_version` and the stats advance, and `history` takes
    /// `last_epoch_started`/`last_interval_started` (Ceph's first step).
    ///
    /// Refused, PG unchanged: a crashed or deleted PG; a PG not taking writes
    /// ([`crate::HostMisuse::WriteNotActive`]); an entry for an object outside this PG
    /// ([`crate::BadInput::ObjectNotInPg`]); versions not strictly increasing from
    /// `last_update` ([`crate::BadInput::VersionBackwards`]); on the primary, an
    /// object missing on itself or on a shard it writes to
    /// ([`crate::HostMisuse::ObjectMissing`]: recover it first).
    pub fn append_log(
        &mut self,
        entries: &[LogEntry],
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        self.check_writable()?;
        let ps = &self.ps;
        check_entries(ps, entries)?;
        let primary = ps.is_primary();
        if primary {
            check_not_missing(ps, entries)?;
        }
        ps.pg_log
            .log()
            .check_append(entries)
            .map_err(BadInput::Log)?;
        let ps = &mut self.ps;
        if ps.info.last_epoch_started != ps.info.history.last_epoch_started {
            ps.info.history.last_epoch_started = ps.info.last_epoch_started;
        }
        if ps.info.last_interval_started != ps.info.history.last_interval_started {
            ps.info.history.last_interval_started = ps.info.last_interval_started;
        }
        if primary {
            if let Some(last) = entries.last() {
                pre_submit_op(ps, last.version);
            }
        }
        for e in entries {
            // A replica still missing the object keeps missing it, at the newer
            // need (`merge_new_log_entries`' `add_next_event`).
            if !primary && ps.pg_log.missing().is_missing(&e.soid) {
                ps.pg_log.missing_add_next_entry(e);
            }
            ps.pg_log.add(e.clone()).map_err(BadInput::Log)?;
            add_log_entry(ps, e);
        }
        ps.info.stats.version = ps.info.last_update;
        ps.info.stats.log_size = i64::try_from(ps.pg_log.log().entries().len()).unwrap_or(i64::MAX);
        ps.info.stats.num_objects_missing =
            i64::try_from(ps.pg_log.missing().num_missing()).unwrap_or(i64::MAX);
        ps.dirty_info = true;
        ps.write_if_dirty(ctx);
        Ok(())
    }

    /// A client write on the primary (`PrimaryLogPG::execute_ctx` reduced to its
    /// log entry): one entry `op` on `oid` at the next version
    /// (`epoch` of the current map, `last_update.version + 1`), whose
    /// `prior_version` is the object's newest logged version, appended through
    /// [`Pg::append_log`]. Returns the entry, for the host to replicate to the
    /// acting replicas (`MOSDRepOp`).
    ///
    /// Refused, PG unchanged: a non-primary ([`crate::HostMisuse::WriteNotActive`]),
    /// and everything [`Pg::append_log`] refuses.
    pub fn submit_write(
        &mut self,
        oid: ObjectId,
        op: LogOp,
        reqid: ReqId,
        mtime: UTime,
        ctx: &mut RecoveryCtx,
    ) -> Result<LogEntry, PeeringError> {
        self.check_writable()?;
        let ps = &self.ps;
        if !ps.is_primary() {
            return Err(PeeringError::HostMisuse(HostMisuse::WriteNotActive {
                state: self.state_id(),
            }));
        }
        let last = ps.info.last_update;
        let version = EVersion::new(ps.epoch, last.version.saturating_add(1));
        let prior = ps
            .pg_log
            .log()
            .object_entry(&oid)
            .map_or(EVersion::ZERO, |e| e.version);
        let mut e = LogEntry::new(op, oid, version, prior);
        e.reqid = reqid;
        e.mtime = mtime;
        e.user_version = version
            .version
            .max(ps.info.last_user_version.saturating_add(1));
        self.append_log(core::slice::from_ref(&e), ctx)?;
        Ok(e)
    }

    /// A live PG in a state that takes writes: the primary in `Active` with
    /// `PG_STATE_ACTIVE`, a replica in `ReplicaActive`.
    fn check_writable(&self) -> Result<(), PeeringError> {
        if self.is_terminated() {
            return Err(PeeringError::HostMisuse(HostMisuse::Terminated));
        }
        if self.is_crashed() {
            return Err(PeeringError::Crashed(Crash::AlreadyCrashed));
        }
        let ok = if self.ps.is_primary() {
            self.in_state(StateId::Active) && self.ps.state.contains(PgState::ACTIVE)
        } else {
            self.in_state(StateId::ReplicaActive)
        };
        if ok {
            Ok(())
        } else {
            Err(PeeringError::HostMisuse(HostMisuse::WriteNotActive {
                state: self.state_id(),
            }))
        }
    }
}

/// Every entry names an object of this PG (pool, and the low `split_bits` of the
/// hash equal to the seed) and versions grow strictly from `last_update`.
fn check_entries(ps: &PeeringState, entries: &[LogEntry]) -> Result<(), PeeringError> {
    let pgid = ps.info.pgid.pgid;
    let bits = pgid.split_bits(ps.pool.pg_num);
    let mask = u32::MAX.checked_shl(bits).map_or(u32::MAX, |m| !m);
    let mut prev = ps.info.last_update;
    for e in entries {
        let o = &e.soid;
        if o.is_max() || o.is_min() || o.pool != pgid.pool || o.hash & mask != pgid.seed & mask {
            return Err(PeeringError::BadInput(BadInput::ObjectNotInPg {
                object: o.clone(),
            }));
        }
        if e.version <= prev {
            return Err(PeeringError::BadInput(BadInput::VersionBackwards {
                prev,
                new: e.version,
            }));
        }
        prev = e.version;
    }
    Ok(())
}

/// The primary writes no object that it or a shard it writes to misses
/// (`is_missing_object`, `is_degraded_or_backfilling_object`).
fn check_not_missing(ps: &PeeringState, entries: &[LogEntry]) -> Result<(), PeeringError> {
    for e in entries {
        if ps.pg_log.missing().is_missing(&e.soid) {
            return Err(PeeringError::HostMisuse(HostMisuse::ObjectMissing {
                object: e.soid.clone(),
                shard: ps.whoami,
            }));
        }
        let degraded = ps
            .acting_recovery_backfill
            .iter()
            .filter(|s| **s != ps.whoami)
            .find(|s| {
                ps.peer_missing
                    .get(s)
                    .is_some_and(|m| m.is_missing(&e.soid))
            });
        if let Some(shard) = degraded {
            return Err(PeeringError::HostMisuse(HostMisuse::ObjectMissing {
                object: e.soid.clone(),
                shard: *shard,
            }));
        }
    }
    Ok(())
}

/// `pre_submit_op(hoid, logv, at_version)` (primary): keeps `peer_info` of the
/// other shards of `acting_recovery_backfill` up to date with the write they
/// receive.
fn pre_submit_op(ps: &mut PeeringState, at_version: EVersion) {
    let whoami = ps.whoami;
    for shard in ps.acting_recovery_backfill.iter().filter(|s| **s != whoami) {
        if let Some(pi) = ps.peer_info.get_mut(shard) {
            if pi.last_complete == pi.last_update {
                pi.last_complete = at_version;
            }
            pi.last_update = at_version;
        }
    }
}

/// `add_log_entry(e)`'s info share: `last_complete` advances only if we
/// were complete, `last_update` and `last_user_version` take the entry's, and the
/// object count follows creations and deletions.
fn add_log_entry(ps: &mut PeeringState, e: &LogEntry) {
    let info = &mut ps.info;
    if info.last_complete == info.last_update {
        info.last_complete = e.version;
    }
    info.last_update = e.version;
    if e.user_version > info.last_user_version {
        info.last_user_version = e.user_version;
    }
    if e.is_delete() && !e.prior_version.is_zero() {
        info.stats.num_objects = info.stats.num_objects.saturating_sub(1);
    } else if e.is_update() && e.prior_version.is_zero() {
        info.stats.num_objects = info.stats.num_objects.saturating_add(1);
    }
}
