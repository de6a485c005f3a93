//! `Incomplete`: no usable authoritative
//! history among the peers we can reach.

use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::DropReason;
use crate::machine::outcome::Outcome;
use crate::types::PgState;
use crate::types::StateId;

/// `Incomplete`'s definition.
pub(crate) const INCOMPLETE: Spec<()> = Spec {
    name: "Started/Primary/Peering/Incomplete",
    short_name: "Incomplete",
    def: StateDef {
        id: StateId::Incomplete,
        parent: Some(StateId::Peering),
        initial: None,
        reactions: &[
            Reaction::custom(E::AdvMap, &[StateId::Reset]),
            Reaction::custom(E::MNotifyRec, &[StateId::GetLog]),
        ],
    },
    enter,
    exit,
    react,
};

/// Entry: `INCOMPLETE` instead of `PEERING`.
pub(crate) fn enter(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    super::peering::enter_blocked(cx, PgState::INCOMPLETE);
    Ok(())
}

/// Exit: clear `INCOMPLETE` and the blockers.
pub(crate) fn exit(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    super::peering::exit_blocked(cx, PgState::INCOMPLETE);
    Ok(())
}

/// `PeeringState::Incomplete::react(const AdvMap&)` and `react(const MNotifyRec&)`.
pub(crate) fn react(cx: &mut Cx<'_>, _: &mut (), evt: &mut Event) -> Result<Outcome, PeeringError> {
    match evt {
        Event::AdvMap(_) => {
            let pool = cx.ps.info.pgid.pgid.pool;
            let reset = match (cx.map.pool(pool), cx.lastmap.and_then(|l| l.pool(pool))) {
                (None, _) => true,
                // A smaller min_size may let the PG go active now.
                (Some(new), Some(old)) => old.min_size > new.min_size,
                (Some(_), None) => false,
            };
            if reset {
                cx.post(evt.clone());
                return Ok(Outcome::Transit(StateId::Reset));
            }
            Ok(Outcome::Forward)
        }
        Event::MNotifyRec(n) => {
            if cx
                .ps
                .proc_replica_info(n.from, &n.notify.info, n.notify.epoch_sent, cx.map, cx.ctx)
            {
                // Something new: try again.
                return Ok(Outcome::Transit(StateId::GetLog));
            }
            Ok(Outcome::Dropped(DropReason::InfoNotNew))
        }
        _ => Ok(Outcome::Discard),
    }
}
