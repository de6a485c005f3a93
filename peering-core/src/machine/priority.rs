//! Recovery and backfill priorities and the operator's force flags:
//! what the local reserver is asked for, and `set_force_recovery` /
//! `set_force_backfill`.

use super::peering_state::PeeringState;
use crate::ctx::{RecoveryCtx, ReservationOp};
use crate::types::PgState;

/// `OSD_POOL_PRIORITY_MIN` / `MAX`: a pool's `recovery_priority` option range.
const POOL_PRIORITY_MIN: i64 = -10;
const POOL_PRIORITY_MAX: i64 = 10;
/// `OSD_RECOVERY_PRIORITY_MIN` / `MAX`.
const RECOVERY_PRIORITY_MIN: i64 = 0;
const RECOVERY_PRIORITY_MAX: i64 = 253;
/// `OSD_BACKFILL_PRIORITY_BASE`.
pub const BACKFILL_BASE: u32 = 100;
/// `OSD_BACKFILL_DEGRADED_PRIORITY_BASE`.
pub const BACKFILL_DEGRADED_BASE: u32 = 140;
/// `OSD_RECOVERY_PRIORITY_BASE`.
pub const RECOVERY_BASE: u32 = 180;
/// `OSD_BACKFILL_INACTIVE_PRIORITY_BASE` and `OSD_RECOVERY_INACTIVE_PRIORITY_BASE`.
pub const INACTIVE_BASE: u32 = 220;
/// `OSD_BACKFILL_PRIORITY_FORCED`.
pub const BACKFILL_FORCED: u32 = 254;
/// `OSD_RECOVERY_PRIORITY_FORCED`.
pub const RECOVERY_FORCED: u32 = 255;

/// `max_prio_map`: the highest priority each base may reach.
fn max_for_base(base: u32) -> i64 {
    match base {
        BACKFILL_BASE => 139,
        BACKFILL_DEGRADED_BASE => 179,
        RECOVERY_BASE => 219,
        _ => RECOVERY_PRIORITY_MAX,
    }
}

/// `clamp_recovery_priority`: shift the pool's option into `[0, 20]`, add it, clamp
/// to `[0, max]`.
fn clamp(priority: u32, pool_priority: i64, max: i64) -> u32 {
    let pool = pool_priority.clamp(POOL_PRIORITY_MIN, POOL_PRIORITY_MAX) - POOL_PRIORITY_MIN;
    let p = (i64::from(priority) + pool).clamp(RECOVERY_PRIORITY_MIN, max);
    u32::try_from(p).unwrap_or(0)
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl PeeringState {
    /// `info.stats.avail_no_missing`: acting shards missing nothing (derived from the
    /// missing sets, as the stats machinery is not modelled).
    fn avail_no_missing(&self) -> usize {
        self.actingset
            .iter()
            .filter(|s| {
                if **s == self.whoami {
                    !self.pg_log.missing().have_missing()
                } else {
                    self.peer_missing.get(s).is_none_or(|m| !m.have_missing())
                }
            })
            .count()
    }

    /// `get_recovery_priority`. The pool's `recovery_priority` option is not
    /// modelled (taken as 0).
    pub fn recovery_priority(&self) -> u32 {
        if self.state.contains(PgState::FORCED_RECOVERY) {
            return RECOVERY_FORCED;
        }
        let mut base = RECOVERY_BASE;
        let mut ret = RECOVERY_BASE;
        let avail = len_u32(self.avail_no_missing());
        if self.state.contains(PgState::DEGRADED) && avail < self.pool.min_size {
            // Data at risk: fewer clean copies than min_size blocks IO.
            base = INACTIVE_BASE;
            ret = base.saturating_add(self.pool.min_size - avail);
        }
        clamp(ret, 0, max_for_base(base))
    }

    /// `get_backfill_priority`.
    pub fn backfill_priority(&self) -> u32 {
        if self.state.contains(PgState::FORCED_BACKFILL) {
            return BACKFILL_FORCED;
        }
        let acting = len_u32(self.actingset.len());
        let mut base = BACKFILL_BASE;
        let mut ret = BACKFILL_BASE;
        if acting < self.pool.min_size {
            base = INACTIVE_BASE;
            ret = base.saturating_add(self.pool.min_size - acting);
        } else if self.state.contains(PgState::UNDERSIZED) {
            base = BACKFILL_DEGRADED_BASE;
            ret = base.saturating_add(self.pool.size.saturating_sub(acting));
        } else if self.state.contains(PgState::DEGRADED) {
            base = BACKFILL_DEGRADED_BASE;
            ret = base;
        }
        clamp(ret, 0, max_for_base(base))
    }

    /// `set_force_recovery(b)`: only a PG that is degraded or waiting for or doing
    /// recovery can be forced; a change re-prioritises the pending reservation.
    pub(crate) fn set_force_recovery(&mut self, b: bool, ctx: &mut RecoveryCtx) -> bool {
        let active = PgState::DEGRADED | PgState::RECOVERY_WAIT | PgState::RECOVERING;
        let did = self.set_force(PgState::FORCED_RECOVERY, active, b, ctx);
        if did {
            let priority = self.recovery_priority();
            ctx.reservations
                .push(ReservationOp::UpdateLocalPriority { priority });
        }
        did
    }

    /// `set_force_backfill(b)`, the same for backfill.
    pub(crate) fn set_force_backfill(&mut self, b: bool, ctx: &mut RecoveryCtx) -> bool {
        let active = PgState::DEGRADED | PgState::BACKFILL_WAIT | PgState::BACKFILLING;
        let did = self.set_force(PgState::FORCED_BACKFILL, active, b, ctx);
        if did {
            let priority = self.backfill_priority();
            ctx.reservations
                .push(ReservationOp::UpdateLocalPriority { priority });
        }
        did
    }

    fn set_force(
        &mut self,
        flag: PgState,
        active: PgState,
        b: bool,
        ctx: &mut RecoveryCtx,
    ) -> bool {
        let any_active = self.state.0 & active.0 != 0;
        if b {
            if !self.state.contains(flag) && any_active {
                self.state.set(flag);
                Self::publish(ctx);
                return true;
            }
        } else if self.state.contains(flag) {
            self.state.clear(flag);
            Self::publish(ctx);
            return true;
        }
        false
    }
}
