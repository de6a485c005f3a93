//! Failure reports and the monitor's tick: marking OSDs down and out.

use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, Timespan};

use super::{FailureInfo, Monitor};
use crate::osdmap::{OSD_AUTOOUT, OSD_UP, WEIGHT_OUT};

impl Monitor {
    /// `MOSDFailure` from the heartbeat layer: `reporter` has not heard from
    /// `target` since `failed_since` (`prepare_failure`). Reports about an OSD
    /// that is not up, or from one that is not up, are ignored
    /// (`preprocess_failure`). The OSD is marked down by [`Monitor::tick`]
    /// once enough reporters agree.
    pub fn report_failure(&mut self, target: OsdId, reporter: OsdId, failed_since: Timespan) {
        if !self.map.is_up(target) || !self.map.is_up(reporter) || target == reporter {
            return;
        }
        self.failures
            .entry(target)
            .or_insert_with(|| FailureInfo {
                reporters: Default::default(),
            })
            .reporters
            .insert(reporter, failed_since);
    }

    /// `MOSDFailure` with the `FLAG_ALIVE` flag: `reporter` hears `target`
    /// again and withdraws its report (`cancel_report`).
    pub fn cancel_failure(&mut self, target: OsdId, reporter: OsdId) {
        if let Some(f) = self.failures.get_mut(&target) {
            f.reporters.remove(&reporter);
            if f.reporters.is_empty() {
                self.failures.remove(&target);
            }
        }
    }

    /// `OSDMonitor::tick` at the host's time `now`:
    ///
    /// - `check_failures`: an OSD with reports from at least
    ///   `min_down_reporters` distinct reporters, failing for at least
    ///   `heartbeat_grace` since the earliest report, is marked down;
    /// - an OSD down for `down_out_interval` is marked out, with the
    ///   `AUTOOUT` flag, so that it is marked in again when it boots.
    ///
    /// The changes go into the pending incremental.
    pub fn tick(&mut self, now: Timespan) {
        self.now = self.now.max(now);
        let now = self.now;
        let grace = self.cfg.heartbeat_grace;
        let min = self.cfg.min_down_reporters.max(1);
        let mut down = Vec::new();
        for (target, f) in &self.failures {
            let Some(since) = f.reporters.values().min() else {
                continue;
            };
            if f.reporters.len() >= min && now.0.saturating_sub(since.0) >= grace.0 {
                down.push(*target);
            }
        }
        for target in down {
            self.failures.remove(&target);
            self.mark_down(target);
        }
        // Down → out after `mon_osd_down_out_interval`.
        let down: Vec<OsdId> = self.down_since.keys().copied().collect();
        for osd in down {
            let Some(&since) = self.down_since.get(&osd) else {
                continue;
            };
            let interval = self.cfg.down_out_interval;
            if interval.0 > 0
                && now.0.saturating_sub(since.0) >= interval.0
                && self.map.weight(osd) != WEIGHT_OUT
                && !self.pending.new_weight.contains_key(&osd)
            {
                self.pending.mark_out(osd.0);
                // The OSD is down, so only the AUTOOUT bit toggles (a mask of
                // zero would mean "toggle UP").
                if let std::collections::btree_map::Entry::Vacant(e) =
                    self.pending.new_state.entry(osd)
                {
                    e.insert(OSD_AUTOOUT);
                }
            }
        }
    }

    /// `osd down N` (or a failure that reached the threshold): mark `osd`
    /// down in the pending incremental. Does nothing if the map has it down.
    pub fn mark_down(&mut self, osd: OsdId) {
        if !self.map.is_up(osd) || self.pending.new_state.contains_key(&osd) {
            return;
        }
        self.pending.new_state.insert(osd, OSD_UP);
    }

    /// After a commit: OSDs the map now has down start their down-out clock
    /// (`down_pending_out`), OSDs it has up stop it.
    pub(super) fn note_down_osds(&mut self) {
        for osd in self.map.existing_osds() {
            if self.map.is_up(osd) {
                self.down_since.remove(&osd);
            } else {
                self.down_since.entry(osd).or_insert(self.now);
            }
        }
    }
}
