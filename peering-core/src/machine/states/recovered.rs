//! `Recovered`.

use crate::error::Crash;

use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::choose::ActingRequest;
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::PgState;
use crate::types::StateId;

/// `Recovered`'s definition.
pub(crate) const RECOVERED: Spec<()> = Spec {
    name: "Started/Primary/Active/Recovered",
    short_name: "Recovered",
    def: StateDef {
        id: StateId::Recovered,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(E::GoClean, StateId::Clean),
            Reaction::transition(E::DoRecovery, StateId::WaitLocalRecoveryReserved),
            Reaction::custom(E::AllReplicasActivated, &[]),
        ],
    },
    enter: enter_recovered,
    exit: no_action,
    react: react_recovered,
};

use super::active::ActiveLocal;

/// `Recovered`'s entry.
pub(crate) fn enter_recovered(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    if cx.ps.needs_recovery() {
        return Err(PeeringError::Crashed(Crash::Invariant {
            state: StateId::Recovered,
            what: Invariant::RecoveredNeedsRecovery,
        }));
    }
    if u32::try_from(cx.ps.acting_recovery_backfill.len()).is_ok_and(|n| cx.ps.pool.size <= n) {
        cx.ps
            .state
            .clear(PgState::FORCED_BACKFILL | PgState::FORCED_RECOVERY);
        PeeringState::publish(cx.ctx);
    }
    let req = ActingRequest {
        restrict_to_up_acting: true,
        request_pg_temp_change_only: false,
        // Ceph's Recovered passes no bound (Peering, which holds it, is not an
        // ancestor of Recovered).
        history_les_bound: false,
    };
    if cx.ps.mapping.acting != cx.ps.mapping.up {
        let (choice, _) = cx.ps.choose_acting(req, cx.map, cx.ctx)?;
        let proceeded = matches!(choice.outcome, crate::acting::ActingOutcome::Proceed);
        if !proceeded && cx.ps.want_acting.is_empty() {
            return Err(PeeringError::Crashed(Crash::Invariant {
                state: StateId::Recovered,
                what: Invariant::NoWantActing,
            }));
        }
    } else if !cx.ps.async_recovery_targets.is_empty() {
        cx.ps.choose_acting(req, cx.map, cx.ctx)?;
    }
    let all = cx
        .outer
        .get::<ActiveLocal>()
        .is_some_and(|a| a.all_replicas_activated);
    if all && cx.ps.async_recovery_targets.is_empty() {
        cx.post(Event::GoClean);
    }
    Ok(())
}

/// `PeeringState::Recovered::react(const AllReplicasActivated&)`:
/// go clean, and let `Active` record it.
pub(crate) fn react_recovered(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    if let Event::AllReplicasActivated = evt {
        cx.post(Event::GoClean);
        return Ok(Outcome::Forward);
    }
    Ok(Outcome::Discard)
}
