//! `Primary`; `WaitActingChange` is in
//! `wait_acting_change.rs`.

use crate::ctx::HostNotification;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::DropReason;
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::PgState;
use crate::types::StateId;

/// `Primary`'s definition.
pub(crate) const PRIMARY: Spec<()> = Spec {
    name: "Started/Primary",
    short_name: "Primary",
    def: StateDef {
        id: StateId::Primary,
        parent: Some(StateId::Started),
        initial: Some(StateId::Peering),
        reactions: &[
            Reaction::custom(E::ActMap, &[]),
            Reaction::custom(E::MNotifyRec, &[]),
            Reaction::custom(E::SetForceRecovery, &[]),
            Reaction::custom(E::UnsetForceRecovery, &[]),
            Reaction::custom(E::RequestScrub, &[]),
            Reaction::custom(E::SetForceBackfill, &[]),
            Reaction::custom(E::UnsetForceBackfill, &[]),
        ],
    },
    enter,
    exit,
    react,
};

/// Entry: a PG that never went active is still being created.
pub(crate) fn enter(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    if cx.ps.info.history.last_epoch_started == 0 {
        cx.ps.state.set(PgState::CREATING);
    }
    Ok(())
}

/// Exit: forget the wanted acting set and the primary-only host state.
pub(crate) fn exit(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.want_acting.clear();
    cx.ctx
        .notifications
        .push(HostNotification::ClearPrimaryState);
    cx.ps.state.clear(PgState::CREATING);
    Ok(())
}

/// `PeeringState::Primary::react(const ActMap&)`, `react(const MNotifyRec&)`,
/// `react(const SetForceRecovery&)` / `UnsetForceRecovery`, `SetForceBackfill` /
/// `UnsetForceBackfill` and `react(const RequestScrub&)`.
pub(crate) fn react(cx: &mut Cx<'_>, _: &mut (), evt: &mut Event) -> Result<Outcome, PeeringError> {
    match evt {
        Event::ActMap => {
            PeeringState::publish(cx.ctx);
            Ok(Outcome::Discard)
        }
        Event::MNotifyRec(n) => {
            if cx
                .ps
                .proc_replica_info(n.from, &n.notify.info, n.notify.epoch_sent, cx.map, cx.ctx)
            {
                Ok(Outcome::Discard)
            } else {
                Ok(Outcome::Dropped(DropReason::InfoNotNew))
            }
        }
        Event::SetForceRecovery | Event::UnsetForceRecovery => {
            let b = matches!(evt, Event::SetForceRecovery);
            cx.ps.set_force_recovery(b, cx.ctx);
            Ok(Outcome::Discard)
        }
        Event::SetForceBackfill | Event::UnsetForceBackfill => {
            let b = matches!(evt, Event::SetForceBackfill);
            cx.ps.set_force_backfill(b, cx.ctx);
            Ok(Outcome::Discard)
        }
        Event::RequestScrub(r) => {
            if cx.ps.is_primary() {
                cx.ctx.notifications.push(HostNotification::ScrubRequested {
                    deep: r.deep,
                    repair: r.repair,
                });
            }
            Ok(Outcome::Discard)
        }
        _ => Ok(Outcome::Discard),
    }
}
