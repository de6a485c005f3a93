//! `Started`; its default substate `Start` is in
//! `start.rs`.

use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::types::PgState;
use crate::types::StateId;

/// `Started`'s definition.
pub(crate) const STARTED: Spec<()> = Spec {
    name: "Started",
    short_name: "Started",
    def: StateDef {
        id: StateId::Started,
        parent: None,
        initial: Some(StateId::Start),
        reactions: &[
            Reaction::custom(E::AdvMap, &[StateId::Reset]),
            Reaction::custom(E::IntervalFlush, &[]),
            Reaction::discard(E::NullEvt),
            Reaction::discard(E::SetForceRecovery),
            Reaction::discard(E::UnsetForceRecovery),
            Reaction::discard(E::SetForceBackfill),
            Reaction::discard(E::UnsetForceBackfill),
            Reaction::discard(E::RequestScrub),
            Reaction::discard(E::CheckReadable),
            Reaction::any_crashes(),
        ],
    },
    enter: no_action,
    exit: exit_started,
    react,
};

/// `Started`'s exit: the lease states no longer apply.
pub(crate) fn exit_started(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::WAIT | PgState::LAGGY);
    Ok(())
}

/// `PeeringState::Started::react(const AdvMap&)` and `react(const IntervalFlush&)`.
pub(crate) fn react(cx: &mut Cx<'_>, _: &mut (), evt: &mut Event) -> Result<Outcome, PeeringError> {
    match evt {
        Event::AdvMap(new) => {
            if let Some(last) = cx.lastmap {
                cx.ps.check_full_transition(cx.map, last);
                if cx.ps.should_restart_peering(new, cx.map, last) {
                    // Reset runs start_peering_interval on the same AdvMap.
                    let again = Event::AdvMap(new.clone());
                    cx.post(again);
                    return Ok(Outcome::Transit(StateId::Reset));
                }
            }
            cx.ps.remove_down_peer_info(cx.map, cx.ctx);
            Ok(Outcome::Discard)
        }
        Event::IntervalFlush => {
            cx.ps.end_block_outgoing(cx.ctx);
            Ok(Outcome::Discard)
        }
        _ => Ok(Outcome::Discard),
    }
}
