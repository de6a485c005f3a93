//! [`MonConfig`]: the monitor's options, with Ceph's names and defaults.

use peering_core::types::Timespan;

/// The monitor's options (Ceph's `mon_osd_*` and the manager's
/// `target_max_misplaced_ratio`). Times are the host's clock, in nanoseconds.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct MonConfig {
    /// `osd_heartbeat_grace` (20 s): how long an OSD must have been failing
    /// before reports mark it down. Ceph also scales the grace by the OSD's
    /// laggy history (`mon_osd_adjust_heartbeat_grace`); this monitor does not.
    pub heartbeat_grace: Timespan,
    /// `mon_osd_min_down_reporters` (2): distinct reporters needed.
    pub min_down_reporters: usize,
    /// `mon_osd_down_out_interval` (600 s): a down OSD is marked out after
    /// this long (0: never).
    pub down_out_interval: Timespan,
    /// `mon_osd_auto_mark_auto_out_in` (true): an OSD the monitor marked out
    /// on its own is marked in again when it boots.
    pub auto_mark_auto_out_in: bool,
    /// `target_max_misplaced_ratio` (0.05): the manager's step for walking
    /// `pgp_num` towards `pg_num`.
    pub target_max_misplaced_ratio: f64,
}

const SEC: i64 = 1_000_000_000;

impl Default for MonConfig {
    fn default() -> Self {
        MonConfig {
            heartbeat_grace: Timespan(20 * SEC),
            min_down_reporters: 2,
            down_out_interval: Timespan(600 * SEC),
            auto_mark_auto_out_in: true,
            target_max_misplaced_ratio: 0.05,
        }
    }
}
