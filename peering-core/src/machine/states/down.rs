//! `Down`: a past interval that may have gone
//! read-write cannot be probed.

use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::PgState;
use crate::types::StateId;

/// `Down`'s definition (its `AdvMap` handling is `Peering`'s).
pub(crate) const DOWN: Spec<()> = Spec {
    name: "Started/Primary/Peering/Down",
    short_name: "Down",
    def: StateDef {
        id: StateId::Down,
        parent: Some(StateId::Peering),
        initial: None,
        reactions: &[Reaction::custom(E::MNotifyRec, &[StateId::GetInfo])],
    },
    enter,
    exit,
    react,
};

/// Entry: `DOWN` instead of `PEERING`, blocked by the down OSDs of the prior set.
pub(crate) fn enter(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    super::peering::enter_blocked(cx, PgState::DOWN);
    Ok(())
}

/// Exit: clear `DOWN` and the blockers.
pub(crate) fn exit(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    super::peering::exit_blocked(cx, PgState::DOWN);
    Ok(())
}

/// `PeeringState::Down::react(const MNotifyRec&)`: a notify from
/// an OSD up since it was sent may carry a newer history; if that raises
/// `last_epoch_started`, peering starts over from `GetInfo`.
pub(crate) fn react(cx: &mut Cx<'_>, _: &mut (), evt: &mut Event) -> Result<Outcome, PeeringError> {
    let Event::MNotifyRec(n) = evt else {
        return Ok(Outcome::Discard);
    };
    let old_les = cx.ps.info.history.last_epoch_started;
    if !cx.ps.peer_info.contains_key(&n.from)
        && PeeringState::has_been_up_since(cx.map, n.from.osd, n.notify.epoch_sent)
    {
        cx.ps.update_history(&n.notify.info.history);
    }
    // A later interval went active without us: the prior set was too pessimistic.
    if old_les < cx.ps.info.history.last_epoch_started {
        cx.ps.state.clear(PgState::DOWN);
        cx.ps.state.set(PgState::PEERING);
        return Ok(Outcome::Transit(StateId::GetInfo));
    }
    Ok(Outcome::Discard)
}
