//! `Activating`.

use crate::event::EventKind as E;
use crate::machine::def::{Reaction, Spec, StateDef, discard, no_action};
use crate::types::StateId;

/// `Activating`'s definition: the host's answer to `on_activate_complete`
/// picks the way on.
pub(crate) const ACTIVATING: Spec<()> = Spec {
    name: "Started/Primary/Active/Activating",
    short_name: "Activating",
    def: StateDef {
        id: StateId::Activating,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(E::AllReplicasRecovered, StateId::Recovered),
            Reaction::transition(E::DoRecovery, StateId::WaitLocalRecoveryReserved),
            Reaction::transition(E::RequestBackfill, StateId::WaitLocalBackfillReserved),
        ],
    },
    enter: no_action,
    exit: no_action,
    react: discard,
};
