//! Injecting faults and healing them.

use std::collections::BTreeSet;

use peering_core::map::OsdMapView;
use peering_core::types::OsdId;
use rand::Rng;

use super::config::SEC;
use super::{Ev, FaultKind, POOL, Sim};

/// The end of a fault.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Heal {
    /// The partition ends.
    Partition,
    /// Slow links deliver on time again.
    Links,
    /// The OSD's disk commits on time again.
    Disk(OsdId),
    /// The OSD is marked in again.
    MarkIn(OsdId),
}

impl<S: crate::store::Store> Sim<S> {
    /// A random OSD among `from`, if any.
    fn pick(&mut self, from: &[OsdId]) -> Option<OsdId> {
        if from.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..from.len());
        from.get(i).copied()
    }

    fn running(&self) -> Vec<OsdId> {
        self.procs.keys().copied().collect()
    }

    /// A random duration in `lo..hi` seconds.
    fn secs(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.random_range(lo * SEC..hi * SEC)
    }

    /// Injects one fault of `kind` (nothing when the world offers no target).
    pub(super) fn inject(&mut self, kind: FaultKind) {
        let running = self.running();
        let injected = match kind {
            FaultKind::ConnReset => {
                let a = self.pick(&running);
                let b = self.pick(&running);
                match (a, b) {
                    (Some(a), Some(b)) if a != b => {
                        // `lossless_peer`: the messenger reconnects and replays.
                        let delay = self.rng.random_range(SEC / 100..SEC);
                        self.net.reconnect(a, b, self.now, delay);
                        self.net.reconnect(b, a, self.now, delay);
                        self.record("fault-reset", a, b, 0);
                        true
                    }
                    _ => false,
                }
            }
            FaultKind::Partition => {
                if self.net.partitioned() {
                    false
                } else if let Some(o) = self.pick(&running) {
                    let until = self.now + self.secs(10, 60);
                    self.net.partition(BTreeSet::from([o]), until);
                    self.schedule(until, Ev::Heal(Heal::Partition));
                    self.record("fault-partition", o, o, 0);
                    true
                } else {
                    false
                }
            }
            FaultKind::SlowLink => {
                let a = self.pick(&running);
                let b = self.pick(&running);
                match (a, b) {
                    (Some(a), Some(b)) if a != b => {
                        let extra = self.rng.random_range(SEC / 10..SEC);
                        self.net.slow_link(a, b, extra);
                        let until = self.now + self.secs(5, 30);
                        self.schedule(until, Ev::Heal(Heal::Links));
                        self.record("fault-slow-link", a, b, 0);
                        true
                    }
                    _ => false,
                }
            }
            FaultKind::Crash => match self.pick(&running) {
                Some(o) => {
                    self.crash_osd(o);
                    let at = self.now + self.secs(5, 40);
                    self.schedule(at, Ev::Restart { osd: o });
                    true
                }
                None => false,
            },
            FaultKind::SlowDisk => match self.pick(&running) {
                Some(o) => {
                    let extra = self.rng.random_range(SEC / 10..2 * SEC);
                    self.slow_disks.insert(o, extra);
                    let until = self.now + self.secs(5, 30);
                    self.schedule(until, Ev::Heal(Heal::Disk(o)));
                    self.record("fault-slow-disk", o, o, 0);
                    true
                }
                None => false,
            },
            FaultKind::MarkDownAlive => {
                let up: Vec<OsdId> = running
                    .iter()
                    .copied()
                    .filter(|o| self.mon.map().is_up(*o))
                    .collect();
                match self.pick(&up) {
                    Some(o) => {
                        self.mon.mark_down(o);
                        self.record("fault-mark-down", o, o, 0);
                        true
                    }
                    None => false,
                }
            }
            FaultKind::OutIn => {
                let all: Vec<OsdId> = self
                    .mon
                    .map()
                    .existing_osds()
                    .filter(|o| !self.marked_out.contains(o))
                    .collect();
                match self.pick(&all) {
                    Some(o) if self.mon.mark_out(o).is_ok() => {
                        self.marked_out.insert(o);
                        let at = self.now + self.secs(10, 60);
                        self.schedule(at, Ev::Heal(Heal::MarkIn(o)));
                        self.record("fault-out", o, o, 0);
                        true
                    }
                    _ => false,
                }
            }
            FaultKind::PgNumRaise => {
                let pg_num = self.mon.map().pg_pool(POOL).map_or(0, |p| p.pg_num);
                let next = pg_num.saturating_mul(2);
                if pg_num > 0 && next <= self.max_pg_num && self.mon.set_pg_num(POOL, next).is_ok()
                {
                    self.record("fault-pg-num", OsdId(0), OsdId(0), u64::from(next));
                    true
                } else {
                    false
                }
            }
            FaultKind::PgNumLower => {
                let pg_num = self.mon.map().pg_pool(POOL).map_or(0, |p| p.pg_num);
                let next = pg_num / 2;
                if next >= 1 && self.mon.set_pg_num(POOL, next).is_ok() {
                    self.record("fault-pg-merge", OsdId(0), OsdId(0), u64::from(next));
                    true
                } else {
                    false
                }
            }
        };
        if injected {
            self.report.faults += 1;
        }
    }

    /// Ends one fault.
    pub(super) fn heal(&mut self, h: Heal) {
        match h {
            Heal::Partition => self.net.heal_partition(),
            Heal::Links => self.net.heal_links(),
            Heal::Disk(o) => {
                self.slow_disks.remove(&o);
            }
            Heal::MarkIn(o) => {
                if self.marked_out.remove(&o) {
                    let _ = self.mon.mark_in(o);
                }
            }
        }
    }

    /// The faults stop: partitions and slow parts heal, crashed OSDs restart,
    /// OSDs taken out come back in.
    pub(super) fn heal_all(&mut self) {
        self.record("heal", OsdId(0), OsdId(0), 0);
        self.net.heal_partition();
        self.net.heal_links();
        self.slow_disks.clear();
        for o in std::mem::take(&mut self.marked_out) {
            let _ = self.mon.mark_in(o);
        }
        let crashed: Vec<OsdId> = self.crashed.iter().copied().collect();
        for o in crashed {
            self.schedule(self.now, Ev::Restart { osd: o });
        }
    }
}
