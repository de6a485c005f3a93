//! The PG state bits (`PG_STATE_*`) and Ceph's printed form.

use core::fmt;

/// Ceph's PG state: a `u64` of `PG_STATE_*` bits, printed as Ceph's
/// `pg_state_string` does (`active+clean`, `peering`, `unknown` when empty).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgState(pub u64);

macro_rules! pg_state_bits {
    ($($(#[$doc:meta])* $name:ident = $bit:expr;)*) => {
        impl PgState {
            $($(#[$doc])* pub const $name: PgState = PgState(1 << $bit);)*
        }
    };
}

pg_state_bits! {
    /// Bit 0: the PG is being created.
    CREATING = 0;
    /// Bit 1: the PG serves IO.
    ACTIVE = 1;
    /// Bit 2: every acting shard holds every object.
    CLEAN = 2;
    /// Bit 4: an interval that may have gone read-write cannot be probed.
    DOWN = 4;
    /// Bit 5: recovery is blocked on unfound objects.
    RECOVERY_UNFOUND = 5;
    /// Bit 6: backfill is blocked on unfound objects.
    BACKFILL_UNFOUND = 6;
    /// Bit 7: about to be merged.
    PREMERGE = 7;
    /// Bit 8: scrubbing.
    SCRUBBING = 8;
    /// Bit 10: some objects have fewer copies than they should.
    DEGRADED = 10;
    /// Bit 11: scrub found inconsistencies.
    INCONSISTENT = 11;
    /// Bit 12: peering.
    PEERING = 12;
    /// Bit 13: scrub is repairing.
    REPAIR = 13;
    /// Bit 14: recovery is running.
    RECOVERING = 14;
    /// Bit 15: waiting for backfill reservations.
    BACKFILL_WAIT = 15;
    /// Bit 16: peering found no complete authoritative history.
    INCOMPLETE = 16;
    /// Bit 17: the monitor has not heard from the primary (monitor side).
    STALE = 17;
    /// Bit 18: acting differs from up (a pg_temp is in force).
    REMAPPED = 18;
    /// Bit 19: the scrub is deep.
    DEEP_SCRUB = 19;
    /// Bit 20: backfill is running.
    BACKFILLING = 20;
    /// Bit 21: a backfill target is too full.
    BACKFILL_TOOFULL = 21;
    /// Bit 22: waiting for recovery reservations.
    RECOVERY_WAIT = 22;
    /// Bit 23: fewer acting shards than the pool size.
    UNDERSIZED = 23;
    /// Bit 24: activation is waiting for the replicas.
    ACTIVATING = 24;
    /// Bit 25: peered but below min_size, so not serving IO.
    PEERED = 25;
    /// Bit 26: trimming snapshots.
    SNAPTRIM = 26;
    /// Bit 27: waiting to trim snapshots.
    SNAPTRIM_WAIT = 27;
    /// Bit 28: a recovery target is too full.
    RECOVERY_TOOFULL = 28;
    /// Bit 29: snapshot trimming failed.
    SNAPTRIM_ERROR = 29;
    /// Bit 30: recovery was forced by the operator.
    FORCED_RECOVERY = 30;
    /// Bit 31: backfill was forced by the operator.
    FORCED_BACKFILL = 31;
    /// Bit 32: a repair failed.
    FAILED_REPAIR = 32;
    /// Bit 33: the read lease has lapsed (Octopus).
    LAGGY = 33;
    /// Bit 34: waiting for prior intervals' leases to expire (Octopus).
    WAIT = 34;
}

/// `pg_state_string`'s order: the printed name of each bit, in the order Ceph
/// prints them (not bit order).
const NAMES: [(PgState, &str); 33] = [
    (PgState::STALE, "stale"),
    (PgState::CREATING, "creating"),
    (PgState::ACTIVE, "active"),
    (PgState::ACTIVATING, "activating"),
    (PgState::CLEAN, "clean"),
    (PgState::RECOVERY_WAIT, "recovery_wait"),
    (PgState::RECOVERY_TOOFULL, "recovery_toofull"),
    (PgState::RECOVERING, "recovering"),
    (PgState::FORCED_RECOVERY, "forced_recovery"),
    (PgState::DOWN, "down"),
    (PgState::RECOVERY_UNFOUND, "recovery_unfound"),
    (PgState::BACKFILL_UNFOUND, "backfill_unfound"),
    (PgState::UNDERSIZED, "undersized"),
    (PgState::DEGRADED, "degraded"),
    (PgState::REMAPPED, "remapped"),
    (PgState::PREMERGE, "premerge"),
    (PgState::SCRUBBING, "scrubbing"),
    (PgState::DEEP_SCRUB, "deep"),
    (PgState::INCONSISTENT, "inconsistent"),
    (PgState::PEERING, "peering"),
    (PgState::REPAIR, "repair"),
    (PgState::BACKFILL_WAIT, "backfill_wait"),
    (PgState::BACKFILLING, "backfilling"),
    (PgState::FORCED_BACKFILL, "forced_backfill"),
    (PgState::BACKFILL_TOOFULL, "backfill_toofull"),
    (PgState::INCOMPLETE, "incomplete"),
    (PgState::PEERED, "peered"),
    (PgState::SNAPTRIM, "snaptrim"),
    (PgState::SNAPTRIM_WAIT, "snaptrim_wait"),
    (PgState::SNAPTRIM_ERROR, "snaptrim_error"),
    (PgState::FAILED_REPAIR, "failed_repair"),
    (PgState::LAGGY, "laggy"),
    (PgState::WAIT, "wait"),
];

impl PgState {
    /// No bits set.
    pub const EMPTY: PgState = PgState(0);

    /// True when every bit of `bits` is set (`state_test`).
    pub const fn contains(self, bits: PgState) -> bool {
        self.0 & bits.0 == bits.0
    }

    /// Sets `bits` (`state_set`).
    pub fn set(&mut self, bits: PgState) {
        self.0 |= bits.0;
    }

    /// Clears `bits` (`state_clear`).
    pub fn clear(&mut self, bits: PgState) {
        self.0 &= !bits.0;
    }

    /// `pg_string_state`: the bit named `name`, as Ceph prints it.
    pub fn from_name(name: &str) -> Option<PgState> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(s, _)| *s)
    }

    /// The printed names of the set bits, in Ceph's order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        NAMES
            .iter()
            .filter(move |(bit, _)| self.contains(*bit))
            .map(|(_, name)| *name)
    }
}

impl core::ops::BitOr for PgState {
    type Output = PgState;
    fn bitor(self, rhs: PgState) -> PgState {
        PgState(self.0 | rhs.0)
    }
}

impl fmt::Debug for PgState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for PgState {
    /// `pg_state_string`: set bits joined by `+`, or `unknown` when none is set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for name in self.names() {
            if !first {
                f.write_str("+")?;
            }
            f.write_str(name)?;
            first = false;
        }
        if first {
            f.write_str("unknown")?;
        }
        Ok(())
    }
}
