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
    cap: usize,
    /// The host's clock, stamped on every record.
    now: UTime,
}

impl StateHistory {
    /// An empty history keeping at most `cap` records.
    pub fn new(cap: usize) -> Self {
        StateHistory {
            records: VecDeque::new(),
            cap,
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
        while self.records.len() >= self.cap {
            self.records.pop_front();
        }
        self.records.push_back(StateRecord {
            transit,
            state,
            epoch,
            time: self.now,
        });
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
