//! `Start`.

use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, discard, no_action};
use crate::types::StateId;

/// `Start`'s definition.
pub(crate) const START: Spec<()> = Spec {
    name: "Start",
    short_name: "Start",
    def: StateDef {
        id: StateId::Start,
        parent: Some(StateId::Started),
        initial: None,
        reactions: &[
            Reaction::transition(E::MakePrimary, StateId::Primary),
            Reaction::transition(E::MakeStray, StateId::Stray),
        ],
    },
    enter: enter_start,
    exit: no_action,
    react: discard,
};

/// `Start`'s entry: primary or stray.
pub(crate) fn enter_start(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    if cx.ps.is_primary() {
        cx.post(Event::MakePrimary);
    } else {
        cx.post(Event::MakeStray);
    }
    Ok(())
}
