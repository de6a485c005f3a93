//! `WaitActingChange`.

use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::types::StateId;

/// `WaitActingChange`'s definition.
pub(crate) const WAIT_ACTING_CHANGE: Spec<()> = Spec {
    name: "Started/Primary/WaitActingChange",
    short_name: "WaitActingChange",
    def: StateDef {
        id: StateId::WaitActingChange,
        parent: Some(StateId::Primary),
        initial: None,
        reactions: &[
            Reaction::custom(E::AdvMap, &[StateId::Reset]),
            Reaction::discard(E::MLogRec),
            Reaction::discard(E::MInfoRec),
            Reaction::discard(E::MNotifyRec),
        ],
    },
    enter: no_action,
    exit: no_action,
    react: react_wait_acting_change,
};

/// `PeeringState::WaitActingChange::react(const AdvMap&)`: a
/// wanted OSD going down means the pg_temp will never come.
pub(crate) fn react_wait_acting_change(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    if let Event::AdvMap(_) = evt {
        // Ceph tests every entry, so an EC hole (NONE is never up) resets too.
        if cx.ps.want_acting.iter().any(|o| !cx.map.is_up(*o)) {
            cx.post(evt.clone());
            return Ok(Outcome::Transit(StateId::Reset));
        }
        return Ok(Outcome::Forward);
    }
    Ok(Outcome::Discard)
}
