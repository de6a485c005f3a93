//! Log-based recovery under reservation, primary side: `WaitLocalRecoveryReserved`,
//! `WaitRemoteRecoveryReserved`, `Recovering`, `NotRecovering` (reference §1.2, §2.3,
//! §3 of those names, §5.24).
//!
//! The primary first takes a slot from its own OSD's local reserver, then one from
//! every other OSD of acting_recovery_backfill (`remote_shards_to_reserve_recovery`,
//! one shard per OSD), one at a time in the set's order (ascending osd, then shard):
//! the next request goes out only when the previous one was granted. Every primary
//! asking in the same global order is what keeps two primaries from each holding a
//! slot the other waits for.

use crate::ctx::{HostNotification, Message, RecoveryReserveOp, ReservationOp, Timer};
use crate::error::Crash;
use crate::error::PeeringError;
use crate::event::{Defer, Event, EventKind as E, PeeringEvt};
use crate::machine::choose::ActingRequest;
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::invariant::Invariant;
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::machine::state_id::StateId;
use crate::types::{Epoch, PgShard, PgState, SpgId, Timespan};

use super::active::ActiveLocal;

/// `WaitRemoteRecoveryReserved`'s local data (§1.2): Ceph's
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

/// `WaitLocalRecoveryReserved`'s definition (§3).
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

/// `WaitRemoteRecoveryReserved`'s definition (§3).
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

/// `Recovering`'s definition (§3).
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

/// `NotRecovering`'s definition (§3). `DeferRecovery` and `UnfoundRecovery` are
/// Ceph's no-op custom reactions: recovery is already stopped.
pub(crate) const NOT_RECOVERING: Spec<()> = Spec {
    name: "Started/Primary/Active/NotRecovering",
    short_name: "NotRecovering",
    def: StateDef {
        id: StateId::NotRecovering,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::transition(E::DoRecovery, StateId::WaitLocalRecoveryReserved),
            Reaction::custom(E::DeferRecovery, &[]),
            Reaction::custom(E::UnfoundRecovery, &[]),
        ],
    },
    enter: enter_not_recovering,
    exit: exit_not_recovering,
    react: react_not_recovering,
};

/// Schedules `event` after `delay` at the current epoch (`schedule_event_after`):
/// a peering reset in between makes the host drop it (§8.2).
pub(crate) fn schedule(cx: &mut Cx<'_>, event: Event, delay: Timespan) {
    let event = PeeringEvt::new(cx.ps.epoch, event);
    cx.ctx.timers.push(Timer { delay, event });
}

/// `MRecoveryReserve{op}` addressed to `pgid` (a direct send, §2.3): the one
/// builder for the primary's requests and releases and the replica's answers.
pub(super) fn recovery_reserve(
    pgid: SpgId,
    epoch: Epoch,
    op: RecoveryReserveOp,
    priority: u32,
) -> Message {
    Message::RecoveryReserve {
        pgid,
        epoch,
        op,
        priority,
    }
}

fn send_recovery_reserve(cx: &mut Cx<'_>, to: PgShard, op: RecoveryReserveOp, priority: u32) {
    let pgid = SpgId::new(cx.ps.info.pgid.pgid, to.shard);
    let msg = recovery_reserve(pgid, cx.ps.epoch, op, priority);
    cx.ctx.send_direct(to.osd, msg);
}

/// `WaitLocalRecoveryReserved`'s entry: recovery into a full OSD would fail, so a
/// full participant sends the PG to `NotRecovering` to retry later; otherwise ask
/// the local reserver for a slot at the recovery priority (§5.24), preemption
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

/// `request_local_background_io_reservation(priority, on_grant, on_preempt)`, both
/// events at the current epoch (a reset in between makes the host drop them).
pub(crate) fn request_local(cx: &mut Cx<'_>, priority: u32, on_grant: Event, on_preempt: Event) {
    let e = cx.ps.epoch;
    cx.ctx.reservations.push(ReservationOp::RequestLocal {
        priority,
        on_grant: PeeringEvt::new(e, on_grant),
        on_preempt: Some(PeeringEvt::new(e, on_preempt)),
    });
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

/// `NotRecovering`'s entry: a repair that was under way is over.
pub(crate) fn enter_not_recovering(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::REPAIR);
    PeeringState::publish(cx.ctx);
    Ok(())
}

/// `NotRecovering`'s exit: whether objects are unfound is decided afresh.
pub(crate) fn exit_not_recovering(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.state.clear(PgState::RECOVERY_UNFOUND);
    Ok(())
}

/// `PeeringState::WaitLocalRecoveryReserved::react(const RecoveryTooFull&)` (§3
/// "WaitLocalRecoveryReserved"): a full participant would fail recovery, so mark
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

/// `PeeringState::WaitRemoteRecoveryReserved::react(const RemoteRecoveryReserved&)`
/// (§3 "WaitRemoteRecoveryReserved"): each grant (and the entry's self-kick) sends
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

/// `PeeringState::Recovering::react(const AllReplicasRecovered&)`,
/// `react(const DeferRecovery&)`, `react(const UnfoundRecovery&)` and
/// `react(const RequestBackfill&)` (§3 "Recovering"): every way out gives back the
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
                    cx.ctx,
                )?;
            }
            Ok(Outcome::Transit(StateId::WaitLocalBackfillReserved))
        }
        _ => Ok(Outcome::Discard),
    }
}

/// `PeeringState::NotRecovering::react(const DeferRecovery&)` and
/// `react(const UnfoundRecovery&)` (§3 "NotRecovering"): recovery is not running.
pub(crate) fn react_not_recovering(
    cx: &mut Cx<'_>,
    _: &mut (),
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::DeferRecovery(_) | Event::UnfoundRecovery => Ok(cx.raced()),
        _ => Ok(Outcome::Discard),
    }
}
