//! `WaitLocalBackfillReserved`.

use crate::error::PeeringError;
use crate::event::{Defer, Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::StateId;
use crate::types::{PgState, Timespan};

use super::recovery::request_local;

/// `WaitLocalBackfillReserved`'s definition.
pub(crate) const WAIT_LOCAL_BACKFILL_RESERVED: Spec<()> = Spec {
    name: "Started/Primary/Active/WaitLocalBackfillReserved",
    short_name: "WaitLocalBackfillReserved",
    def: StateDef {
        id: StateId::WaitLocalBackfillReserved,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(
                E::LocalBackfillReserved,
                StateId::WaitRemoteBackfillReserved,
            ),
            Reaction::custom(E::RemoteBackfillReserved, &[]),
        ],
    },
    enter: enter_wait_local,
    exit: no_action,
    react: react_wait_local,
};

/// `WaitLocalBackfillReserved`'s entry: ask the local reserver for a slot at the
/// backfill priority; preemption defers backfill.
pub(crate) fn enter_wait_local(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.set(PgState::BACKFILL_WAIT);
    let priority = cx.ps.backfill_priority();
    let defer = Event::DeferBackfill(Defer { delay: Timespan(0) });
    request_local(cx, priority, Event::LocalBackfillReserved, defer);
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// `PeeringState::WaitLocalBackfillReserved::react(const RemoteBackfillReserved&)`
/// nothing was asked of a remote yet (Ceph's
/// no-op).
pub(crate) fn react_wait_local(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::RemoteBackfillReserved => Ok(cx.raced()),
        _ => Ok(Outcome::Discard),
    }
}
