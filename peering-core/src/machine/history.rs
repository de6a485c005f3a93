//! [`StateHistory`]: which states the PG entered and left, in order, and at which map
//! epoch (Ceph's `PGStateHistory` and `log_enter`/`log_exit`).

use alloc::collections::VecDeque;

use crate::types::StateId;
use crate::types::{Epoch, UTime};

/// Whether a [`StateRecord`] is an entry or an exit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Transit {
    /// The state was entered (its entry action ran).
    Enter,
    /// The state was left (its exit action ran).
    Exit,
}

/// One entry or exit of one state, at a map epoch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StateRecord {
    /// Entry or exit.
    pub transit: Transit,
    /// The state.
    pub state: StateId,
    /// The PG's map epoch at the time.
    pub epoch: Epoch,
    /// The host's clock at the time ([`crate::machine::Pg::set_clock`]; zero
    /// if the host never set it). The core reads no clock of its own.
    pub time: UTime,
}

/// A bounded, ordered log of state entries and exits, oldest first.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StateHistory {
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    records: VecDeque<StateRecord>,
    /// The bound (`u32`, with `recorded` beside it, keeps `Pg` as small as it was).
    cap: u32,
    /// Records ever made, dropped ones included, wrapping: a host reading the
    /// history incrementally remembers this ([`StateHistory::since`]).
    recorded: u32,
    /// The host's clock, stamped on every record.
    now: UTime,
}

impl StateHistory {
    /// An empty history keeping at most `cap` records.
    pub fn new(cap: usize) -> Self {
        StateHistory {
            records: VecDeque::new(),
            cap: u32::try_from(cap).unwrap_or(u32::MAX),
            recorded: 0,
            now: UTime::default(),
        }
    }

    /// Sets the time stamped on the records from now on (the host's clock).
    pub(crate) fn set_now(&mut self, now: UTime) {
        self.now = now;
    }

    pub(crate) fn record(&mut self, transit: Transit, state: StateId, epoch: Epoch) {
        if self.cap == 0 {
            return;
        }
        while self.records.len() >= usize::try_from(self.cap).unwrap_or(usize::MAX) {
            self.records.pop_front();
        }
        self.records.push_back(StateRecord {
            transit,
            state,
            epoch,
            time: self.now,
        });
        self.recorded = self.recorded.wrapping_add(1);
    }

    /// How many records were ever made, modulo 2^32 (the bound drops the
    /// oldest, this count keeps going).
    pub fn recorded(&self) -> u32 {
        self.recorded
    }

    /// The records made after [`StateHistory::recorded`] was `mark`, oldest
    /// first (those the bound dropped since are gone): how a host reports
    /// each state once (`log_enter`) and leaves the history whole for
    /// `dump_pgstate_history`. Right across the count's wrap as long as
    /// fewer than 2^32 records were made in between.
    pub fn since(&self, mark: u32) -> impl DoubleEndedIterator<Item = &StateRecord> {
        let new = usize::try_from(self.recorded.wrapping_sub(mark)).unwrap_or(usize::MAX);
        self.records
            .iter()
            .skip(self.records.len().saturating_sub(new))
    }

    /// Every record, oldest first.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &StateRecord> {
        self.records.iter()
    }

    /// The states entered, oldest first.
    pub fn entered(&self) -> impl DoubleEndedIterator<Item = StateId> + '_ {
        self.records
            .iter()
            .filter(|r| r.transit == Transit::Enter)
            .map(|r| r.state)
    }

    /// Forgets every record (e.g. between the steps of a test).
    pub fn clear(&mut self) {
        self.records.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn since_returns_each_record_once_and_survives_the_bound_and_the_wrap() {
        let mut h = StateHistory::new(3);
        h.record(Transit::Enter, StateId::Initial, 1);
        let mark = h.recorded();
        assert_eq!(h.since(mark).count(), 0);
        h.record(Transit::Exit, StateId::Initial, 1);
        h.record(Transit::Enter, StateId::Reset, 1);
        let new: Vec<StateId> = h.since(mark).map(|r| r.state).collect();
        assert_eq!(new, [StateId::Initial, StateId::Reset]);
        // Five more: the bound keeps three, `since` returns only those.
        let mark = h.recorded();
        for _ in 0..5 {
            h.record(Transit::Enter, StateId::Start, 2);
        }
        assert_eq!(h.since(mark).count(), 3);
        assert_eq!(h.records().count(), 3);
        // The count wraps; what came after the mark is still found.
        h.recorded = u32::MAX;
        let mark = h.recorded();
        h.record(Transit::Enter, StateId::Started, 3);
        assert_eq!(h.recorded(), 0);
        let new: Vec<StateId> = h.since(mark).map(|r| r.state).collect();
        assert_eq!(new, [StateId::Started]);
    }
}
