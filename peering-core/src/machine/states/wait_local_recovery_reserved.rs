//! `WaitLocalRecoveryReserved`.

use crate::error::PeeringError;
use crate::event::{Defer, Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::StateId;
use crate::types::{PgState, Timespan};

/// `WaitLocalRecoveryReserved`'s definition.
pub(crate) const WAIT_LOCAL_RECOVERY_RESERVED: Spec<()> = Spec {
    name: "Started/Primary/Active/WaitLocalRecoveryReserved",
    short_name: "WaitLocalRecoveryReserved",
    def: StateDef {
        id: StateId::WaitLocalRecoveryReserved,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(
                E::LocalRecoveryReserved,
                StateId::WaitRemoteRecoveryReserved,
            ),
            Reaction::custom(E::RecoveryTooFull, &[StateId::NotRecovering]),
        ],
    },
    enter: enter_wait_local,
    exit: no_action,
    react: react_wait_local,
};

use super::recovery::{request_local, schedule};

/// `WaitLocalRecoveryReserved`'s entry: recovery into a full OSD would fail, so a
/// full participant sends the PG to `NotRecovering` to retry later; otherwise ask
/// the local reserver for a slot at the recovery priority, preemption
/// deferring recovery.
pub(crate) fn enter_wait_local(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    let map = cx.map;
    if cx
        .ps
        .acting_recovery_backfill
        .iter()
        .any(|s| map.is_full(s.osd))
    {
        cx.post(Event::RecoveryTooFull);
        return Ok(());
    }
    cx.ps.state.clear(PgState::RECOVERY_TOOFULL);
    cx.ps.state.set(PgState::RECOVERY_WAIT);
    let priority = cx.ps.recovery_priority();
    let defer = Event::DeferRecovery(Defer { delay: Timespan(0) });
    request_local(cx, priority, Event::LocalRecoveryReserved, defer);
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// `PeeringState::WaitLocalRecoveryReserved::react(const RecoveryTooFull&)`:
/// a full participant would fail recovery, so mark
/// `RECOVERY_TOOFULL` and retry `DoRecovery` after `osd_recovery_retry_interval`.
pub(crate) fn react_wait_local(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    if let Event::RecoveryTooFull = evt {
        cx.ps.state.set(PgState::RECOVERY_TOOFULL);
        let delay = cx.ps.cfg.recovery_retry_interval;
        schedule(cx, Event::DoRecovery, delay);
        return Ok(Outcome::Transit(StateId::NotRecovering));
    }
    Ok(Outcome::Discard)
}
