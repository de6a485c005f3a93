//! `Peering` (reference §1.2, §3 "Peering").

use crate::ctx::HostNotification;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::intervals::adjust_need_up_thru;
use crate::machine::chart::{Reaction, StateDef, StateId};
use crate::machine::engine::{Cx, Outcome};
use crate::machine::state::StackExt;
use crate::types::PgState;

/// `Peering`'s definition.
pub(crate) const PEERING: StateDef = StateDef {
    id: StateId::Peering,
    parent: Some(StateId::Primary),
    initial: Some(StateId::GetInfo),
    reactions: &[
        Reaction::transition(E::Activate, StateId::Active),
        Reaction::custom(E::AdvMap, &[StateId::Reset]),
    ],
};

/// Entry: the `PEERING` bit.
pub(crate) fn enter(cx: &mut Cx<'_>) -> Result<(), PeeringError> {
    cx.ps.state.set(PgState::PEERING);
    Ok(())
}

/// Exit: clear `PEERING` and the probe targets.
pub(crate) fn exit(cx: &mut Cx<'_>) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::PEERING);
    cx.ctx
        .notifications
        .push(HostNotification::ClearProbeTargets);
    Ok(())
}

pub(crate) fn react(cx: &mut Cx<'_>, evt: &mut Event) -> Result<Outcome, PeeringError> {
    if let Event::AdvMap(_) = evt {
        let affected = cx
            .stack
            .peering()
            .is_some_and(|p| p.prior_set.affected_by_map(cx.map));
        if affected {
            cx.post(evt.clone());
            return Ok(Outcome::Transit(StateId::Reset));
        }
        let sis = cx.ps.info.history.same_interval_since;
        let whoami = cx.ps.whoami.osd;
        adjust_need_up_thru(&mut cx.ps.need_up_thru, cx.map, whoami, sis);
        return Ok(Outcome::Forward);
    }
    Ok(Outcome::Discard)
}
