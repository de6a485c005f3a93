//! `Recovering`.

use crate::ctx::{HostNotification, RecoveryReserveOp, ReservationOp};
use crate::error::Crash;
use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::choose::ActingRequest;
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::StateId;
use crate::types::{PgState, SpgId};

use super::active::ActiveLocal;

/// `Recovering`'s definition.
pub(crate) const RECOVERING: Spec<()> = Spec {
    name: "Started/Primary/Active/Recovering",
    short_name: "Recovering",
    def: StateDef {
        id: StateId::Recovering,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::custom(E::AllReplicasRecovered, &[StateId::Recovered]),
            Reaction::custom(E::DeferRecovery, &[StateId::NotRecovering]),
            Reaction::custom(E::UnfoundRecovery, &[StateId::NotRecovering]),
            Reaction::custom(E::RequestBackfill, &[StateId::WaitLocalBackfillReserved]),
        ],
    },
    enter: enter_recovering,
    exit: exit_recovering,
    react: react_recovering,
};

use super::recovery::{recovery_reserve, schedule};

/// `Recovering`'s entry: every reservation is held; the host starts recovery.
pub(crate) fn enter_recovering(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps
        .state
        .clear(PgState::RECOVERY_WAIT | PgState::RECOVERY_TOOFULL);
    cx.ps.state.set(PgState::RECOVERING);
    cx.ctx
        .notifications
        .push(HostNotification::RecoveryReserved);
    if cx.ps.state.contains(PgState::ACTIVATING) {
        return Err(PeeringError::Crashed(Crash::Invariant {
            state: StateId::Recovering,
            what: Invariant::RecoveringWhileActivating,
        }));
    }
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// `Recovering`'s exit.
pub(crate) fn exit_recovering(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::RECOVERING);
    Ok(())
}

/// `PeeringState::Recovering::react(const AllReplicasRecovered&)`,
/// `react(const DeferRecovery&)`, `react(const UnfoundRecovery&)` and
/// `react(const RequestBackfill&)`: every way out gives back the
/// local slot and the remote ones (`release_reservations`).
pub(crate) fn react_recovering(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::AllReplicasRecovered => {
            cx.ps.state.clear(PgState::FORCED_RECOVERY);
            release_reservations(cx, false)?;
            cx.ctx.reservations.push(ReservationOp::CancelLocal);
            Ok(Outcome::Transit(StateId::Recovered))
        }
        Event::DeferRecovery(d) => {
            if !cx.ps.state.contains(PgState::RECOVERING) {
                // Recovery already finished; an AllReplicasRecovered is on its way.
                return Ok(cx.raced());
            }
            let delay = d.delay;
            cx.ps.state.set(PgState::RECOVERY_WAIT);
            cx.ctx.reservations.push(ReservationOp::CancelLocal);
            release_reservations(cx, true)?;
            schedule(cx, Event::DoRecovery, delay);
            Ok(Outcome::Transit(StateId::NotRecovering))
        }
        Event::UnfoundRecovery => {
            cx.ps.state.set(PgState::RECOVERY_UNFOUND);
            cx.ctx.reservations.push(ReservationOp::CancelLocal);
            release_reservations(cx, true)?;
            Ok(Outcome::Transit(StateId::NotRecovering))
        }
        Event::RequestBackfill => {
            release_reservations(cx, false)?;
            cx.ps.state.clear(PgState::FORCED_RECOVERY);
            cx.ctx.reservations.push(ReservationOp::CancelLocal);
            PeeringState::publish(cx.ctx);
            if !cx.ps.async_recovery_targets.is_empty() {
                // Pull the async targets back into acting so the PG does not stay
                // undersized for the whole backfill; Ceph ignores the result.
                cx.ps.choose_acting(
                    ActingRequest {
                        restrict_to_up_acting: true,
                        request_pg_temp_change_only: false,
                        history_les_bound: false,
                    },
                    cx.map,
                    cx.ctx,
                )?;
            }
            Ok(Outcome::Transit(StateId::WaitLocalBackfillReserved))
        }
        _ => Ok(Outcome::Discard),
    }
}

/// `Recovering::release_reservations(cancel)`: tell every remote holder to release
/// its slot. Releasing as finished (`cancel == false`) while we still miss objects
/// is an assertion in Ceph.
fn release_reservations(cx: &mut Cx<'_>, cancel: bool) -> Result<(), PeeringError> {
    if !cancel && cx.ps.pg_log.missing().have_missing() {
        return Err(PeeringError::Crashed(Crash::Invariant {
            state: StateId::Recovering,
            what: Invariant::ReleaseWithMissing,
        }));
    }
    let me = cx.ps.whoami;
    let Some(active) = cx.outer.get::<ActiveLocal>() else {
        return Ok(());
    };
    let pgid = cx.ps.info.pgid.pgid;
    let epoch = cx.ps.epoch;
    for s in active
        .remote_shards_to_reserve_recovery
        .iter()
        .filter(|s| **s != me)
    {
        let msg = recovery_reserve(
            SpgId::new(pgid, s.shard),
            epoch,
            RecoveryReserveOp::Release,
            0,
        );
        cx.ctx.send_direct(s.osd, msg);
    }
    Ok(())
}
