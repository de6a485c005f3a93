//! `Reset`: between intervals. Its `AdvMap` runs
//! `start_peering_interval`; its `ActMap` notifies the primary and starts the PG.

use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::types::StateId;

/// `Reset`'s definition.
pub(crate) const RESET: Spec<()> = Spec {
    name: "Reset",
    short_name: "Reset",
    def: StateDef {
        id: StateId::Reset,
        parent: None,
        initial: None,
        reactions: &[
            Reaction::custom(E::AdvMap, &[]),
            Reaction::custom(E::ActMap, &[StateId::Started]),
            Reaction::discard(E::NullEvt),
            Reaction::custom(E::IntervalFlush, &[]),
            Reaction::any_crashes(),
        ],
    },
    enter,
    exit: no_action,
    react,
};

/// Entry: no flush is in progress any more; a new peering attempt starts.
pub(crate) fn enter(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.flushes_in_progress = 0;
    cx.ps.set_last_peering_reset(cx.ctx);
    Ok(())
}

/// `PeeringState::Reset::react(const AdvMap&)`, `react(const ActMap&)` and
/// `react(const IntervalFlush&)`.
pub(crate) fn react(cx: &mut Cx<'_>, _: &mut (), evt: &mut Event) -> Result<Outcome, PeeringError> {
    match evt {
        Event::AdvMap(new) => {
            if let Some(lastmap) = cx.lastmap {
                cx.ps.check_full_transition(cx.map, lastmap);
                if cx.ps.should_restart_peering(new, cx.map, lastmap) {
                    cx.ps.start_peering_interval(new, cx.map, lastmap, cx.ctx)?;
                }
            }
            cx.ps.remove_down_peer_info(cx.map, cx.ctx);
            cx.ps.check_past_interval_bounds(StateId::Reset)?;
            Ok(Outcome::Discard)
        }
        Event::ActMap => {
            cx.ps.notify_primary_if_needed(cx.ctx);
            cx.ps.update_heartbeat_peers(cx.ctx);
            Ok(Outcome::Transit(StateId::Started))
        }
        Event::IntervalFlush => {
            cx.ps.end_block_outgoing(cx.ctx);
            Ok(Outcome::Discard)
        }
        _ => Ok(Outcome::Discard),
    }
}
