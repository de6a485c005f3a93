//! `Crashed`: an event nobody handled (Ceph aborts the OSD; here every later event
//! is refused).

use crate::machine::def::{Spec, StateDef, discard, no_action};
use crate::types::StateId;

/// `Crashed`'s definition: no reactions; the dispatcher refuses every event once
/// here.
pub(crate) const CRASHED: Spec<()> = Spec {
    name: "Crashed",
    short_name: "Crashed",
    def: StateDef {
        id: StateId::Crashed,
        parent: None,
        initial: None,
        reactions: &[],
    },
    enter: no_action,
    exit: no_action,
    react: discard,
};
