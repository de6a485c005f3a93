//! The active configuration.
//!
//! Ceph's states are objects whose constructor is the entry action and whose members
//! are the state-local data, destroyed on exit. Here each `State` variant owns that
//! data (GetInfo's outstanding requests, GetLog's received log, Peering's prior set,
//! Active's activation bookkeeping); each state's data type is defined in its own
//! file under `states/`. The active configuration is the path from the outermost
//! state to the innermost, `Started(Primary(Peering(GetInfo)))` laid out as a stack,
//! outermost first: that makes exit to and entry from the least common ancestor one
//! generic loop in [`super::engine`].

use super::chart::State;
use crate::types::StateId;

/// The deepest configuration is four levels (`Started/Primary/Peering/GetInfo`,
/// `Started/Primary/Active/Recovering`), plus one spare.
pub(crate) const MAX_DEPTH: usize = 5;

/// The active configuration, outermost first.
pub(crate) type StateStack = heapless::Vec<State, MAX_DEPTH>;

// One slot of the state stack stays small (B11): states with large local data
// box it (`Peering`'s prior set, `Deleting`'s cursor). Checked when compiling
// for 64-bit targets, where the figure was measured.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(core::mem::size_of::<State>() <= 32);

/// Questions about the active configuration.
pub(crate) trait StackExt {
    fn innermost(&self) -> StateId;
    fn contains_state(&self, id: StateId) -> bool;
}

impl StackExt for StateStack {
    fn innermost(&self) -> StateId {
        self.last().map_or(StateId::Crashed, State::id)
    }
    fn contains_state(&self, id: StateId) -> bool {
        self.iter().any(|s| s.id() == id)
    }
}
