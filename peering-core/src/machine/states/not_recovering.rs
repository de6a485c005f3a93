//! `NotRecovering`.

use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::PgState;
use crate::types::StateId;

/// `NotRecovering`'s definition. `DeferRecovery` and `UnfoundRecovery` are
/// Ceph's no-op custom reactions: recovery is already stopped.
pub(crate) const NOT_RECOVERING: Spec<()> = Spec {
    name: "Started/Primary/Active/NotRecovering",
    short_name: "NotRecovering",
    def: StateDef {
        id: StateId::NotRecovering,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(E::DoRecovery, StateId::WaitLocalRecoveryReserved),
            Reaction::custom(E::DeferRecovery, &[]),
            Reaction::custom(E::UnfoundRecovery, &[]),
        ],
    },
    enter: enter_not_recovering,
    exit: exit_not_recovering,
    react: react_not_recovering,
};

/// `NotRecovering`'s entry: a repair that was under way is over.
pub(crate) fn enter_not_recovering(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::REPAIR);
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// `NotRecovering`'s exit: whether objects are unfound is decided afresh.
pub(crate) fn exit_not_recovering(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::RECOVERY_UNFOUND);
    Ok(())
}

/// `PeeringState::NotRecovering::react(const DeferRecovery&)` and
/// `react(const UnfoundRecovery&)`: recovery is not running.
pub(crate) fn react_not_recovering(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::DeferRecovery(_) | Event::UnfoundRecovery => Ok(cx.raced()),
        _ => Ok(Outcome::Discard),
    }
}
