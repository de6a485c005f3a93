//! [`Config`]: the Ceph options the peering machine reads.

use crate::types::Timespan;

/// Ceph's default for both retry intervals: 30 seconds, in nanoseconds.
const RETRY_INTERVAL: Timespan = Timespan(30_000_000_000);

/// The `osd_*` options peering consults, with Ceph's defaults.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// `osd_pg_epoch_persisted_max_stale` (40): re-persist the info on `ActMap` once
    /// the stored epoch is this far behind.
    pub pg_epoch_persisted_max_stale: u32,
    /// `osd_max_pg_log_entries` (10000): entries sent with a backfill restart for dup
    /// detection.
    pub max_pg_log_entries: usize,
    /// `osd_pg_log_dups_tracked` (3000): dups kept when copying a log for a peer
    /// (activation and query replies) and when trimming.
    pub pg_log_dups_tracked: u64,
    /// `osd_pg_log_trim_min` (100): a write-path trim of fewer entries than
    /// this waits for more ([`crate::machine::Pg::update_trim_to`]).
    pub pg_log_trim_min: u32,
    /// `osd_pg_log_trim_max` (10000): the most entries one write-path trim
    /// removes.
    pub pg_log_trim_max: u32,
    /// `osd_pg_stat_report_interval_max` (500): an active primary republishes its
    /// stats at least this often (in epochs; Active's `AdvMap`).
    pub pg_stat_report_interval_max: u32,
    /// `osd_find_best_info_ignore_history_les` (false): passed to
    /// [`crate::acting::ActingOptions`].
    pub find_best_info_ignore_history_les: bool,
    /// `osd_allow_recovery_below_min_size` (true): passed to
    /// [`crate::acting::ActingOptions`].
    pub allow_recovery_below_min_size: bool,
    /// `osd_force_auth_primary_missing_objects` (100): passed to
    /// [`crate::acting::ActingOptions`] (`select_replicated_primary`).
    pub force_auth_primary_missing_objects: u64,
    /// `osd_async_recovery_min_cost` (100): passed to
    /// [`crate::acting::ActingOptions`].
    pub async_recovery_min_cost: u64,
    /// Bound on the events one call may process, the delivered one included: a
    /// chain of posted events longer than this is an error, not a spin. The longest legal chain is about a dozen.
    pub max_posted_events: usize,
    /// Number of state-history records kept (oldest dropped first): the bound of
    /// [`super::StateHistory`], this crate's record of `log_enter`/`log_exit`.
    pub state_history_len: usize,
    /// `osd_recovery_retry_interval` (30 s): how long `NotRecovering` waits before
    /// retrying after a participant was full.
    pub recovery_retry_interval: Timespan,
    /// `osd_backfill_retry_interval` (30 s): how long `NotBackfilling` waits before
    /// retrying after a target rejected or revoked its reservation.
    pub backfill_retry_interval: Timespan,
    /// `osd_heartbeat_grace` (20 s) × `osd_pool_default_read_lease_ratio`
    /// (0.8): the read lease of a pool without its own `read_lease_interval`
    /// (`PGPool::get_readable_interval`).
    pub default_read_lease_interval: Timespan,
    /// `osd_target_transaction_size` (30): the most objects one deletion step
    /// removes in one transaction.
    pub delete_max_objects: u32,
    /// Ceph's answer to a peer message no state handles: the OSD aborts
    /// (`Started`'s catch-all `transition<event_base, Crashed>`). Ceph can afford it
    /// because its messenger never duplicates or replays a message within a
    /// session, so such a message means a bug. Hosts with weaker transports would
    /// crash a healthy PG on a duplicated grant, so by default (`false`) such a
    /// message is dropped with [`super::DropReason::Unhandled`] and the PG is
    /// unchanged; `true` crashes the PG as Ceph does (the simulator runs strict to
    /// catch protocol bugs). Events the host itself injects where no state takes
    /// them are refused with [`crate::HostMisuse::EventOutOfPlace`] (PG unchanged)
    /// unless this is set, when they crash the PG as in Ceph.
    pub strict_ceph_aborts: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            pg_epoch_persisted_max_stale: 40,
            max_pg_log_entries: 10_000,
            pg_log_dups_tracked: 3000,
            pg_log_trim_min: 100,
            pg_log_trim_max: 10_000,
            pg_stat_report_interval_max: 500,
            find_best_info_ignore_history_les: false,
            allow_recovery_below_min_size: true,
            force_auth_primary_missing_objects: 100,
            async_recovery_min_cost: 100,
            max_posted_events: 64,
            state_history_len: 64,
            recovery_retry_interval: RETRY_INTERVAL,
            backfill_retry_interval: RETRY_INTERVAL,
            default_read_lease_interval: Timespan::from_secs(16),
            delete_max_objects: 30,
            strict_ceph_aborts: false,
        }
    }
}
