//! The write path's share of the peering state (`PeeringListener`):
//! Ceph's `PeeringState::append_log`, `add_log_entry` and
//! `pre_submit_op`, as the primary calls them for a client write and a replica for
//! the primary's `MOSDRepOp`.
//!
//! Object data stays out of scope: an entry's version is the write. The host
//! replicates the primary's entries to its acting replicas and applies the
//! transaction each call leaves in the [`RecoveryCtx`].
//!
//! Each append carries Ceph's [`LogAppend`] bounds: the primary's
//! `pg_trim_to` (computed before the write by [`Pg::update_trim_to`]), the
//! roll-forward point (on a replicated pool the write's own version: its
//! entries cannot be rolled back; an erasure-coded host passes the newest
//! version every shard has, so newer entries stay rollbackable) and the
//! primary's `min_last_complete_ondisk`. The on-commit
//! bookkeeping is in `trim.rs` ([`Pg::complete_write`] and friends).

use super::peering_state::PeeringState;
use super::pg::Pg;
use crate::ctx::RecoveryCtx;
use crate::error::PeeringError;
use crate::error::{BadInput, Crash, HostMisuse};
use crate::log::{LogEffects, LogEntry, LogError, LogOp, ReqId, RollbackStep};
use crate::types::StateId;
use crate::types::{EVersion, ObjectId, PgState, UTime};

/// What an `append_log` does to the log besides adding the entries (Ceph's
/// `append_log` arguments): trim it to `trim_to`, roll it forward to
/// `roll_forward_to`, and, on a replica, take the primary's
/// `min_last_complete_ondisk`. The primary's [`Pg::submit_write`] fills it
/// in itself; a replica takes it from the `MOSDRepOp` (`pg_trim_to`, the
/// op's `version`, `min_last_complete_ondisk`); an EC shard from the
/// `MOSDECSubOpWrite` (`trim_to`, and `roll_forward_to` for both the other
/// fields, as `ECBackend::handle_sub_write` calls `log_operation`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LogAppend {
    /// Trim the log up to here (`0'0`: no trim).
    pub trim_to: EVersion,
    /// Entries up to here can no longer be rolled back (`0'0`: none).
    pub roll_forward_to: EVersion,
    /// The primary's `min_last_complete_ondisk`, which a replica records.
    pub min_last_complete_ondisk: EVersion,
}

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
    /// Then, as `bounds` says: the log rolls forward to `roll_forward_to`
    /// (and past `last_backfill`, entry by entry), trims to `trim_to`
    /// (`PGLog::trim`), and a replica records the primary's
    /// `min_last_complete_ondisk`.
    ///
    /// Refused, PG unchanged: a crashed or deleted PG; a PG not taking writes
    /// ([`crate::HostMisuse::WriteNotActive`]); an entry for an object outside this PG
    /// ([`crate::BadInput::ObjectNotInPg`]); versions not strictly increasing from
    /// `last_update` ([`crate::BadInput::VersionBackwards`]); on the primary, an
    /// object missing on itself or on a shard it writes to
    /// ([`crate::HostMisuse::ObjectMissing`]: recover it first); bounds the
    /// entries cannot meet (a roll-forward or trim point past the new head, a
    /// trim past the rollback boundary or, with nothing missing, past the new
    /// `last_complete`: [`crate::BadInput::Log`]).
    pub fn append_log(
        &mut self,
        entries: &[LogEntry],
        bounds: LogAppend,
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
        check_bounds(ps, entries, bounds)?;
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
        // A shard still missing a written object takes the write "async"
        // (`do_repop`'s `is_missing`): its log may then trim past what it has.
        let is_async = !primary
            && entries
                .iter()
                .any(|e| ps.pg_log.missing().is_missing(&e.soid));
        let mut effects = LogEffects::new();
        for e in entries {
            // A replica still missing the object keeps missing it, at the newer
            // need (`merge_new_log_entries`' `add_next_event`).
            if !primary && ps.pg_log.missing().is_missing(&e.soid) {
                ps.pg_log.missing_add_next_entry(e);
            }
            ps.pg_log.add(e.clone()).map_err(BadInput::Log)?;
            add_log_entry(ps, e);
            // No rollforward artifacts past last_backfill.
            if e.soid > ps.info.last_backfill {
                ps.pg_log.roll_forward(&mut effects);
            }
        }
        if bounds.roll_forward_to > ps.pg_log.log().can_rollback_to() {
            ps.pg_log
                .roll_forward_to(bounds.roll_forward_to, &mut effects);
        }
        PeeringState::apply_effects(ctx, effects);
        let mut info = ps.info.clone();
        ps.pg_log
            .trim_after_write(
                bounds.trim_to,
                &mut info,
                ps.cfg.pg_log_dups_tracked,
                is_async,
            )
            .map_err(BadInput::Log)?;
        ps.info = info;
        if !primary {
            ps.min_last_complete_ondisk = bounds.min_last_complete_ondisk;
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
    /// log entry): the entry [`Pg::make_write_entry`] makes, appended
    /// through [`Pg::append_log`] as `ReplicatedBackend::submit_transaction`
    /// logs it: trimmed to `pg_trim_to`, rolled forward to the write itself
    /// (a replicated entry is never rolled back). Returns the entry, for the
    /// host to replicate to the acting replicas (`MOSDRepOp`). An
    /// erasure-coded pool's host makes the entry with
    /// [`Pg::make_write_entry`] and logs it with its own roll-forward point
    /// (`ECBackend::submit_transaction`).
    ///
    /// Refused, PG unchanged: everything [`Pg::make_write_entry`] and
    /// [`Pg::append_log`] refuse.
    pub fn submit_write(
        &mut self,
        oid: ObjectId,
        op: LogOp,
        prior_version: EVersion,
        reqid: ReqId,
        mtime: UTime,
        ctx: &mut RecoveryCtx,
    ) -> Result<LogEntry, PeeringError> {
        let e = self.make_write_entry(oid, op, prior_version, reqid, mtime)?;
        // `log_operation` on the primary: trim to `pg_trim_to`, roll forward to
        // the write itself.
        let bounds = LogAppend {
            trim_to: self.ps.pg_trim_to,
            roll_forward_to: e.version,
            min_last_complete_ondisk: self.ps.min_last_complete_ondisk,
        };
        self.append_log(core::slice::from_ref(&e), bounds, ctx)?;
        Ok(e)
    }

    /// The log entry of a client write on the primary (`execute_ctx` →
    /// `finish_ctx`): `op` on `oid` at the next version (`epoch` of the
    /// current map, `last_update.version + 1`), with the next user version.
    /// Nothing changes until the host appends it ([`Pg::append_log`]).
    ///
    /// `prior_version` is the object's version as the host stores it (its
    /// object info, `obs.oi.version`; `0'0` when it does not exist): once the
    /// log is trimmed, the log alone no longer knows it, and a wrong one
    /// would make a divergent write look like a creation.
    ///
    /// On an erasure-coded pool the entry says how each shard undoes it
    /// (`ECTransaction::generate_transactions`): a write to an object that
    /// does not exist creates it (`mod_desc.create()`); a delete, or a whole
    /// write over an existing object (`delete_first`), first moves the old
    /// object aside under the entry's version (`mod_desc.rmobject(version)`,
    /// the `collection_move_rename` to a generation object), which the shard
    /// restores if the entry is rolled back and removes once it rolls forward.
    ///
    /// Refused: a PG not taking writes or a non-primary
    /// ([`crate::HostMisuse::WriteNotActive`]), a `prior_version` other than
    /// what the object's newest log entry makes it (its version, or `0'0`
    /// after a delete) when the log has one
    /// ([`crate::HostMisuse::PriorVersionMismatch`]).
    pub fn make_write_entry(
        &self,
        oid: ObjectId,
        op: LogOp,
        prior_version: EVersion,
        reqid: ReqId,
        mtime: UTime,
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
        // The newest logged entry says what the object is now: at its
        // version, or gone after a delete (a new write then creates it).
        let logged = ps.pg_log.log().object_entry(&oid).map(|e| {
            if e.is_delete() {
                EVersion::ZERO
            } else {
                e.version
            }
        });
        if let Some(logged) = logged.filter(|l| *l != prior_version) {
            return Err(PeeringError::HostMisuse(HostMisuse::PriorVersionMismatch {
                object: oid,
                logged,
                given: prior_version,
            }));
        }
        let mut e = LogEntry::new(op, oid, version, prior_version);
        e.reqid = reqid;
        e.mtime = mtime;
        e.user_version = version
            .version
            .max(ps.info.last_user_version.saturating_add(1));
        if ps.is_ec() {
            if !prior_version.is_zero() {
                e.mod_desc.push(RollbackStep::Delete {
                    old_version: version.version,
                });
            } else if e.is_update() {
                e.mod_desc.push(RollbackStep::Create);
            }
        }
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

/// The bounds must fit the log the entries make (each a `ceph_assert` in
/// Ceph, so a bad `MOSDRepOp` is refused here with the PG unchanged): the
/// roll-forward point not past the new head, and the trim point not past
/// the new head, nor the rollback boundary after the roll forward, nor (with
/// nothing missing) the new `last_complete`.
fn check_bounds(
    ps: &PeeringState,
    entries: &[LogEntry],
    bounds: LogAppend,
) -> Result<(), PeeringError> {
    let log = ps.pg_log.log();
    let head = entries.last().map_or(log.head(), |e| e.version);
    if bounds.roll_forward_to > head {
        return Err(PeeringError::BadInput(BadInput::Log(
            LogError::RollForwardPastHead {
                roll_forward_to: bounds.roll_forward_to,
                head,
            },
        )));
    }
    if bounds.trim_to <= log.tail() {
        return Ok(());
    }
    // Entries past last_backfill roll the whole log forward as they go in.
    let past_backfill = entries.iter().any(|e| e.soid > ps.info.last_backfill);
    let crt = if past_backfill {
        head
    } else {
        log.can_rollback_to().max(bounds.roll_forward_to)
    };
    let complete = ps.info.last_complete == ps.info.last_update;
    let last_complete = if complete {
        head
    } else {
        ps.info.last_complete
    };
    let missing = ps.pg_log.missing().num_missing() > 0
        || entries
            .iter()
            .any(|e| ps.pg_log.missing().is_missing(&e.soid));
    let err = if bounds.trim_to > head {
        Some(LogError::TrimPastHead {
            trim_to: bounds.trim_to,
            head,
        })
    } else if bounds.trim_to > crt {
        Some(LogError::TrimPastCanRollbackTo {
            trim_to: bounds.trim_to,
            can_rollback_to: crt,
        })
    } else if !missing && bounds.trim_to > last_complete {
        Some(LogError::TrimPastLastComplete {
            trim_to: bounds.trim_to,
            last_complete,
        })
    } else {
        None
    };
    match err {
        Some(e) => Err(PeeringError::BadInput(BadInput::Log(e))),
        None => Ok(()),
    }
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
