//! `Initial`: a PG object before `Initialize`.

use crate::event::EventKind as E;
use crate::machine::def::{Reaction, Spec, StateDef, discard, no_action};
use crate::types::StateId;

/// `Initial`'s definition. The handlers Ceph has for `MNotifyRec`/`MInfoRec`/
/// `MLogRec` are not listed there, hence unreachable, and not here.
pub(crate) const INITIAL: Spec<()> = Spec {
    name: "Initial",
    short_name: "Initial",
    def: StateDef {
        id: StateId::Initial,
        parent: None,
        initial: None,
        reactions: &[
            Reaction::transition(E::Initialize, StateId::Reset),
            Reaction::discard(E::NullEvt),
            Reaction::any_crashes(),
        ],
    },
    enter: no_action,
    exit: no_action,
    react: discard,
};
