//! [`ActingOptions`]: the configuration knobs Ceph reads while choosing the acting set.

/// The `osd_*` options `find_best_info`, `choose_acting` and the async-recovery choice
/// read, with Ceph's defaults.
///
/// Ceph reads them from its global configuration; the core takes them as a plain value
/// so that tests can turn each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ActingOptions {
    /// `osd_find_best_info_ignore_history_les` (default `false`): ignore the
    /// `history.last_epoch_started` bound, the operator's escape hatch from
    /// `peering_blocked_by_history_les_bound`.
    pub find_best_info_ignore_history_les: bool,
    /// `osd_force_auth_primary_missing_objects` (default `100`): above this approximate
    /// missing count the up primary yields to the authoritative shard.
    pub force_auth_primary_missing_objects: u64,
    /// `osd_async_recovery_min_cost` (default `100`): shards whose approximate recovery
    /// cost exceeds it become async recovery targets.
    pub async_recovery_min_cost: u64,
    /// `osd_allow_recovery_below_min_size` (default `true`): whether a `want` smaller
    /// than the pool's `min_size` may still recover.
    pub allow_recovery_below_min_size: bool,
    /// `osd_debug_no_acting_change` (default `false`): compute `want_acting` but never
    /// ask the monitor for `pg_temp`.
    pub debug_no_acting_change: bool,
    /// Whether every up OSD has the `SERVER_MIMIC` feature, Ceph's gate for async
    /// recovery. Default `true`: every supported release has it.
    pub async_recovery_supported: bool,
}

impl Default for ActingOptions {
    fn default() -> Self {
        ActingOptions {
            find_best_info_ignore_history_les: false,
            force_auth_primary_missing_objects: 100,
            async_recovery_min_cost: 100,
            allow_recovery_below_min_size: true,
            debug_no_acting_change: false,
            async_recovery_supported: true,
        }
    }
}
