//! Every state's reactions and entry/exit actions, one file per region; this file
//! routes the engine's calls by [`StateId`].

pub(crate) mod active;
pub(crate) mod backfill;
pub(crate) mod delete;
pub(crate) mod down;
pub(crate) mod get_info;
pub(crate) mod get_log;
pub(crate) mod get_missing;
pub(crate) mod incomplete;
pub(crate) mod initial;
pub(crate) mod peering;
pub(crate) mod primary;
pub(crate) mod recovery;
pub(crate) mod rep_reservation;
pub(crate) mod replica;
pub(crate) mod reset;
pub(crate) mod started;
pub(crate) mod stray;
pub(crate) mod wait_up_thru;

use super::chart::StateId;
use super::engine::{Cx, Outcome};
use crate::error::PeeringError;
use crate::event::Event;

/// The entry action (the C++ constructor body).
pub(crate) fn enter(id: StateId, cx: &mut Cx<'_>) -> Result<(), PeeringError> {
    match id {
        StateId::Reset => reset::enter(cx),
        StateId::Start => started::enter_start(cx),
        StateId::Primary => primary::enter(cx),
        StateId::Peering => peering::enter(cx),
        StateId::GetInfo => get_info::enter(cx),
        StateId::GetLog => get_log::enter(cx),
        StateId::GetMissing => get_missing::enter(cx),
        StateId::Down => down::enter(cx),
        StateId::Incomplete => incomplete::enter(cx),
        StateId::Active => active::enter(cx),
        StateId::Recovered => active::enter_recovered(cx),
        StateId::Clean => active::enter_clean(cx),
        StateId::ReplicaActive => replica::enter(cx),
        StateId::Stray => stray::enter(cx),
        StateId::WaitLocalRecoveryReserved => recovery::enter_wait_local(cx),
        StateId::WaitRemoteRecoveryReserved => recovery::enter_wait_remote(cx),
        StateId::Recovering => recovery::enter_recovering(cx),
        StateId::NotRecovering => recovery::enter_not_recovering(cx),
        StateId::WaitLocalBackfillReserved => backfill::enter_wait_local(cx),
        StateId::WaitRemoteBackfillReserved => backfill::enter_wait_remote(cx),
        StateId::Backfilling => backfill::enter_backfilling(cx),
        StateId::NotBackfilling => backfill::enter_not_backfilling(cx),
        StateId::WaitDeleteReserved => delete::enter_wait_delete_reserved(cx),
        StateId::Deleting => delete::enter_deleting(cx),
        StateId::ToDelete => Ok(()),
        StateId::Initial
        | StateId::Started
        | StateId::WaitUpThru
        | StateId::WaitActingChange
        | StateId::Activating
        | StateId::RepNotRecovering
        | StateId::RepWaitRecoveryReserved
        | StateId::RepWaitBackfillReserved
        | StateId::RepRecovering
        | StateId::Crashed => Ok(()),
    }
}

/// The exit action (`exit()`).
pub(crate) fn exit(id: StateId, cx: &mut Cx<'_>) -> Result<(), PeeringError> {
    match id {
        StateId::Started => started::exit_started(cx),
        StateId::Primary => primary::exit(cx),
        StateId::Peering => peering::exit(cx),
        StateId::GetInfo | StateId::GetLog | StateId::GetMissing => peering::exit_waiting(cx),
        StateId::Down => down::exit(cx),
        StateId::Incomplete => incomplete::exit(cx),
        StateId::Active => active::exit(cx),
        StateId::Clean => active::exit_clean(cx),
        StateId::ReplicaActive => replica::exit(cx),
        StateId::Recovering => recovery::exit_recovering(cx),
        StateId::NotRecovering => recovery::exit_not_recovering(cx),
        StateId::Backfilling => backfill::exit_backfilling(cx),
        StateId::NotBackfilling => backfill::exit_not_backfilling(cx),
        StateId::RepRecovering => rep_reservation::exit_rep_recovering(cx),
        StateId::ToDelete => delete::exit_to_delete(cx),
        StateId::Deleting => delete::exit_deleting(cx),
        StateId::WaitDeleteReserved => Ok(()),
        StateId::Initial
        | StateId::Reset
        | StateId::Start
        | StateId::WaitUpThru
        | StateId::WaitActingChange
        | StateId::Activating
        | StateId::Recovered
        | StateId::RepNotRecovering
        | StateId::Stray
        | StateId::WaitLocalRecoveryReserved
        | StateId::WaitRemoteRecoveryReserved
        | StateId::WaitLocalBackfillReserved
        | StateId::WaitRemoteBackfillReserved
        | StateId::RepWaitRecoveryReserved
        | StateId::RepWaitBackfillReserved
        | StateId::Crashed => Ok(()),
    }
}

/// The handler of a `custom` reaction. States without custom reactions have none;
/// an event a handler does not name gets boost's generic reaction (discard).
pub(crate) fn react(
    id: StateId,
    cx: &mut Cx<'_>,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match id {
        StateId::Reset => reset::react(cx, evt),
        StateId::Started => started::react(cx, evt),
        StateId::Primary => primary::react(cx, evt),
        StateId::WaitActingChange => primary::react_wait_acting_change(cx, evt),
        StateId::Peering => peering::react(cx, evt),
        StateId::GetInfo => get_info::react(cx, evt),
        StateId::GetLog => get_log::react(cx, evt),
        StateId::GetMissing => get_missing::react(cx, evt),
        StateId::WaitUpThru => wait_up_thru::react(cx, evt),
        StateId::Down => down::react(cx, evt),
        StateId::Incomplete => incomplete::react(cx, evt),
        StateId::Active => active::react(cx, evt),
        StateId::Recovered => active::react_recovered(cx, evt),
        StateId::ReplicaActive => replica::react(cx, evt),
        StateId::RepNotRecovering => rep_reservation::react_rep_not_recovering(cx, evt),
        StateId::RepWaitRecoveryReserved => rep_reservation::react_rep_wait_recovery(cx, evt),
        StateId::RepWaitBackfillReserved => rep_reservation::react_rep_wait_backfill(cx, evt),
        StateId::RepRecovering => rep_reservation::react_rep_recovering(cx, evt),
        StateId::WaitLocalRecoveryReserved => recovery::react_wait_local(cx, evt),
        StateId::WaitRemoteRecoveryReserved => recovery::react_wait_remote(cx, evt),
        StateId::Recovering => recovery::react_recovering(cx, evt),
        StateId::NotRecovering => recovery::react_not_recovering(cx, evt),
        StateId::WaitLocalBackfillReserved => backfill::react_wait_local(cx, evt),
        StateId::WaitRemoteBackfillReserved => backfill::react_wait_remote(cx, evt),
        StateId::Backfilling => backfill::react_backfilling(cx, evt),
        StateId::NotBackfilling => backfill::react_not_backfilling(cx, evt),
        StateId::Stray => stray::react(cx, evt),
        StateId::ToDelete => delete::react_to_delete(cx, evt),
        StateId::Deleting => delete::react_deleting(cx, evt),
        StateId::WaitDeleteReserved => Ok(Outcome::Discard),
        StateId::Initial
        | StateId::Start
        | StateId::Activating
        | StateId::Clean
        | StateId::Crashed => Ok(Outcome::Discard),
    }
}
