//! `NotBackfilling`.

use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::PgState;
use crate::types::StateId;

/// `NotBackfilling`'s definition. A grant or reject arriving here raced with
/// the release that brought us here.
pub(crate) const NOT_BACKFILLING: Spec<()> = Spec {
    name: "Started/Primary/Active/NotBackfilling",
    short_name: "NotBackfilling",
    def: StateDef {
        id: StateId::NotBackfilling,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(E::RequestBackfill, StateId::WaitLocalBackfillReserved),
            Reaction::custom(E::RemoteBackfillReserved, &[]),
            Reaction::custom(E::RemoteReservationRejectedTooFull, &[]),
        ],
    },
    enter: enter_not_backfilling,
    exit: exit_not_backfilling,
    react: react_not_backfilling,
};

/// `NotBackfilling`'s entry: a repair that was under way is over.
pub(crate) fn enter_not_backfilling(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::REPAIR);
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// `NotBackfilling`'s exit: whether objects are unfound is decided afresh.
pub(crate) fn exit_not_backfilling(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::BACKFILL_UNFOUND);
    Ok(())
}

/// `PeeringState::NotBackfilling::react(const RemoteBackfillReserved&)` and
/// `react(const RemoteReservationRejectedTooFull&)`: it
/// answers a request the retry already released.
pub(crate) fn react_not_backfilling(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::RemoteBackfillReserved | Event::RemoteReservationRejectedTooFull => Ok(cx.raced()),
        _ => Ok(Outcome::Discard),
    }
}
