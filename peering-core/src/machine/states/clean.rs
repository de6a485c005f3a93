//! `Clean`.

use crate::error::Crash;

use crate::ctx::{HostNotification, OnCommit};
use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::EventKind as E;
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, discard};
use crate::types::PgState;
use crate::types::StateId;

/// `Clean`'s definition.
pub(crate) const CLEAN: Spec<()> = Spec {
    name: "Started/Primary/Active/Clean",
    short_name: "Clean",
    def: StateDef {
        id: StateId::Clean,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(E::DoRecovery, StateId::WaitLocalRecoveryReserved),
            Reaction::discard(E::SetForceRecovery),
            Reaction::discard(E::SetForceBackfill),
        ],
    },
    enter: enter_clean,
    exit: exit_clean,
    react: discard,
};

/// `Clean`'s entry: mark clean; once that is durable, purge the strays.
pub(crate) fn enter_clean(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    if cx.ps.info.last_complete != cx.ps.info.last_update {
        return Err(PeeringError::Crashed(Crash::Invariant {
            state: StateId::Clean,
            what: Invariant::CleanWithMissing,
        }));
    }
    cx.ps.try_mark_clean(cx.ctx);
    cx.ctx.on_commit.push(OnCommit::PurgeStrays);
    cx.ctx.notifications.push(HostNotification::Clean);
    Ok(())
}

/// `Clean`'s exit.
pub(crate) fn exit_clean(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::CLEAN);
    Ok(())
}
