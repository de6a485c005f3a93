//! `WaitUpThru`: peering is done; activation waits
//! for the monitor to record our up_thru.

use crate::error::PeeringError;
use crate::event::{Activate, Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::types::StateId;

/// `WaitUpThru`'s definition.
pub(crate) const WAIT_UP_THRU: Spec<()> = Spec {
    name: "Started/Primary/Peering/WaitUpThru",
    short_name: "WaitUpThru",
    def: StateDef {
        id: StateId::WaitUpThru,
        parent: Some(StateId::Peering),
        initial: None,
        reactions: &[
            Reaction::custom(E::ActMap, &[]),
            Reaction::custom(E::MLogRec, &[]),
        ],
    },
    enter: no_action,
    exit: no_action,
    react,
};

/// `PeeringState::WaitUpThru::react(const ActMap&)` and `react(const MLogRec&)`.
pub(crate) fn react(cx: &mut Cx<'_>, _: &mut (), evt: &mut Event) -> Result<Outcome, PeeringError> {
    match evt {
        Event::ActMap => {
            // Peering's AdvMap cleared need_up_thru once the map recorded it.
            if !cx.ps.need_up_thru {
                let e = cx.ps.epoch;
                cx.post(Event::Activate(Activate {
                    activation_epoch: e,
                }));
            }
            Ok(Outcome::Forward)
        }
        Event::MLogRec(m) => {
            // A late answer: keep what it says.
            let m = core::mem::take(m);
            cx.ps.peer_missing.insert(m.from, m.msg.missing);
            cx.ps.peer_info.insert(m.from, m.msg.info);
            Ok(Outcome::Discard)
        }
        _ => Ok(Outcome::Discard),
    }
}
