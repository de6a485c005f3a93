//! `Initial` (reference §3 "Initial"): a PG object before `Initialize`.

use crate::event::EventKind as E;
use crate::machine::chart::{Reaction, StateDef, StateId};

/// `Initial`'s definition. The handlers Ceph has for `MNotifyRec`/`MInfoRec`/
/// `MLogRec` are not listed there, hence unreachable (§0.2 rule 2), and not here.
pub(crate) const INITIAL: StateDef = StateDef {
    id: StateId::Initial,
    parent: None,
    initial: None,
    reactions: &[
        Reaction::transition(E::Initialize, StateId::Reset),
        Reaction::discard(E::NullEvt),
        Reaction::any_crashes(),
    ],
};
