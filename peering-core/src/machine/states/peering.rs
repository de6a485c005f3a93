//! `Peering`.

use crate::ctx::HostNotification;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::intervals::{PriorSet, adjust_need_up_thru};
use crate::machine::cx::{Cx, Local};
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::PgState;
use crate::types::StateId;

/// `Peering`'s local data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeeringLocal {
    /// `prior_set`: whom to probe, who is down, whether the PG is down.
    pub prior_set: PriorSet,
    /// `history_les_bound`: `find_best_info` found the newest les only in some
    /// history; shown as `peering_blocked_by_history_les_bound`.
    pub history_les_bound: bool,
}

impl Local for PeeringLocal {
    const ID: StateId = StateId::Peering;
}

/// `Peering`'s definition.
pub(crate) const PEERING: Spec<PeeringLocal> = Spec {
    name: "Started/Primary/Peering",
    short_name: "Peering",
    def: StateDef {
        id: StateId::Peering,
        parent: Some(StateId::Primary),
        initial: Some(StateId::GetInfo),
        reactions: &[
            Reaction::transition(E::Activate, StateId::Active),
            Reaction::custom(E::AdvMap, &[StateId::Reset]),
        ],
    },
    enter,
    exit,
    react,
};

/// Entry: the `PEERING` bit.
pub(crate) fn enter(cx: &mut Cx<'_>, _: &mut PeeringLocal) -> Result<(), PeeringError> {
    cx.ps.state.set(PgState::PEERING);
    Ok(())
}

/// Exit: clear `PEERING` and the probe targets.
pub(crate) fn exit(cx: &mut Cx<'_>, _: &mut PeeringLocal) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::PEERING);
    cx.ctx
        .notifications
        .push(HostNotification::ClearProbeTargets);
    Ok(())
}

/// `PeeringState::Peering::react(const AdvMap&)`: a map
/// that affects the prior set restarts peering; otherwise `adjust_need_up_thru`,
/// `check_prior_readable_down_osds` and forward.
pub(crate) fn react(
    cx: &mut Cx<'_>,
    data: &mut PeeringLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    if let Event::AdvMap(_) = evt {
        let affected = data.prior_set.affected_by_map(cx.map);
        if affected {
            cx.post(evt.clone());
            return Ok(Outcome::Transit(StateId::Reset));
        }
        let sis = cx.ps.info.history.same_interval_since;
        let whoami = cx.ps.whoami.osd;
        adjust_need_up_thru(&mut cx.ps.need_up_thru, cx.map, whoami, sis);
        cx.ps.check_prior_readable_down_osds(cx.map);
        return Ok(Outcome::Forward);
    }
    Ok(Outcome::Discard)
}

/// Entry of `Down` and `Incomplete`: `bit` instead of `PEERING`, blocked by the down
/// OSDs of the prior set.
pub(crate) fn enter_blocked(cx: &mut Cx<'_>, bit: PgState) {
    cx.ps.state.clear(PgState::PEERING);
    cx.ps.state.set(bit);
    // Refilled in place from the prior set: no intermediate buffer.
    cx.ps.blocked_by.clear();
    if let Some(p) = cx.outer.get::<PeeringLocal>() {
        cx.ps
            .blocked_by
            .extend(p.prior_set.down.iter().map(|o| o.0));
    }
    PeeringState::publish(cx.ctx);
}

/// Exit of `Down` and `Incomplete`: clear `bit` and the blockers (`PEERING` is not
/// restored, as in Ceph).
pub(crate) fn exit_blocked(cx: &mut Cx<'_>, bit: PgState) {
    cx.ps.state.clear(bit);
    cx.ps.blocked_by.clear();
}

/// Exit of `GetInfo`, `GetLog` and `GetMissing`: whatever they were waiting on no
/// longer blocks peering.
pub(crate) fn exit_waiting<L>(cx: &mut Cx<'_>, _: &mut L) -> Result<(), PeeringError> {
    cx.ps.blocked_by.clear();
    Ok(())
}
