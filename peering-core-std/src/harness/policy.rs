//! [`Policy`]: what the harness does on its own with the requests a PG makes of
//! its host, so a scenario scripts only what it is
//! about.

/// The harness's scriptable answers to host requests. Every field
/// can be changed between steps ([`super::OsdHarness::policy_mut`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Policy {
    /// Hold on-commit callbacks until [`super::OsdHarness::release_commits`] instead of
    /// delivering them as soon as the transaction is applied.
    pub hold_commits: bool,
    /// When the cluster is quiet, grant pending up_thru requests by publishing a map
    /// with each asking OSD's `up_thru` set to what it wants (`MOSDAlive`).
    pub grant_up_thru: bool,
    /// When the cluster is quiet, apply pending pg_temp requests by publishing a map
    /// whose acting set is the wanted one.
    pub grant_pg_temp: bool,
    /// Answer `on_activate_complete` as the recovery engine would: exactly one
    /// of `DoRecovery`, `RequestBackfill`, `AllReplicasRecovered`.
    pub answer_activate_complete: bool,
    /// Hand reservation requests to the OSDs' reservers; when off, nothing
    /// is ever granted.
    pub grant_reservations: bool,
    /// Slots of every reserver not sized by
    /// [`super::OsdHarness::set_reserver_slots`] (`osd_max_backfills`); 0 grants every
    /// request at once.
    pub reserver_slots: usize,
    /// Run the recovery engine when a PG holds its recovery or backfill
    /// reservations (`on_recovery_reserved`/`on_backfill_reserved`).
    pub recovery_engine: bool,
    /// When the cluster is quiet, fire the scheduled timers (retries after a
    /// too-full rejection or a preemption) and go on.
    pub fire_timers: bool,
    /// Deliver `IntervalFlush` as soon as a PG asks for a flush (no writes are in
    /// flight in the harness).
    pub flush_at_once: bool,
    /// How many deliveries [`super::OsdHarness::run`] makes before giving up (the
    /// harness's own bound, as bounds posted events).
    pub max_steps: usize,
}

impl Default for Policy {
    /// Everything automatic: commits immediate, the monitor grants up_thru and
    /// pg_temp, the recovery engine answers and
    /// runs, reservations are granted at once, timers wait to be fired.
    fn default() -> Self {
        Policy {
            hold_commits: false,
            grant_up_thru: true,
            grant_pg_temp: true,
            answer_activate_complete: true,
            grant_reservations: true,
            reserver_slots: 0,
            recovery_engine: true,
            fire_timers: false,
            flush_at_once: true,
            max_steps: 100_000,
        }
    }
}
