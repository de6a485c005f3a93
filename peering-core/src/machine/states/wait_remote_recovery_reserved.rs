//! `WaitRemoteRecoveryReserved`.

use crate::ctx::RecoveryReserveOp;
use crate::error::Crash;
use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::types::StateId;

use super::active::ActiveLocal;

/// `WaitRemoteRecoveryReserved`'s definition.
pub(crate) const WAIT_REMOTE_RECOVERY_RESERVED: Spec<WaitRemoteRecoveryReservedLocal> = Spec {
    name: "Started/Primary/Active/WaitRemoteRecoveryReserved",
    short_name: "WaitRemoteRecoveryReserved",
    def: StateDef {
        id: StateId::WaitRemoteRecoveryReserved,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::custom(E::RemoteRecoveryReserved, &[]),
            Reaction::transition(E::AllRemotesReserved, StateId::Recovering),
        ],
    },
    enter: enter_wait_remote,
    exit: no_action,
    react: react_wait_remote,
};

use super::recovery::send_recovery_reserve;

/// `WaitRemoteRecoveryReserved`'s local data: Ceph's
/// `remote_recovery_reservation_it`, an iterator into `Active`'s
/// `remote_shards_to_reserve_recovery`, kept as the number of shards already asked.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WaitRemoteRecoveryReservedLocal {
    /// How many of `remote_shards_to_reserve_recovery` have been sent a `REQUEST`
    /// (the iterator's position).
    pub remote_recovery_reservation_it: usize,
}

/// `WaitRemoteRecoveryReserved`'s entry: a self-kick, so the first request goes
/// out through the same reaction as every later one.
pub(crate) fn enter_wait_remote(
    cx: &mut Cx<'_>,
    _: &mut WaitRemoteRecoveryReservedLocal,
) -> Result<(), PeeringError> {
    cx.post(Event::RemoteRecoveryReserved);
    Ok(())
}

/// `PeeringState::WaitRemoteRecoveryReserved::react(const RemoteRecoveryReserved&)`
/// each grant (and the entry's self-kick) sends
/// the next `REQUEST`, so remote slots are taken one at a time in set order; past
/// the last, post `AllRemotesReserved`.
pub(crate) fn react_wait_remote(
    cx: &mut Cx<'_>,
    data: &mut WaitRemoteRecoveryReservedLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    if !matches!(evt, Event::RemoteRecoveryReserved) {
        return Ok(Outcome::Discard);
    }
    let it = data.remote_recovery_reservation_it;
    let next = cx
        .outer
        .get::<ActiveLocal>()
        .and_then(|a| a.remote_shards_to_reserve_recovery.iter().nth(it).copied());
    let Some(target) = next else {
        cx.post(Event::AllRemotesReserved);
        return Ok(Outcome::Discard);
    };
    if target == cx.ps.whoami {
        return Err(PeeringError::Crashed(Crash::Invariant {
            state: StateId::WaitRemoteRecoveryReserved,
            what: Invariant::ReserveSelf,
        }));
    }
    let priority = cx.ps.recovery_priority();
    send_recovery_reserve(cx, target, RecoveryReserveOp::Request, priority);
    data.remote_recovery_reservation_it = it.saturating_add(1);
    Ok(Outcome::Discard)
}
