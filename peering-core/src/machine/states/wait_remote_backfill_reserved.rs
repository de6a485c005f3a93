//! `WaitRemoteBackfillReserved`.

use crate::ctx::{BackfillReserveMsg, BackfillReserveOp, DirectMessage, ReservationOp};
use crate::error::Crash;
use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::StateId;
use crate::types::{PgState, SpgId};

use super::active::ActiveLocal;
use super::recovery::schedule;

/// `WaitRemoteBackfillReserved`'s definition.
pub(crate) const WAIT_REMOTE_BACKFILL_RESERVED: Spec<WaitRemoteBackfillReservedLocal> = Spec {
    name: "Started/Primary/Active/WaitRemoteBackfillReserved",
    short_name: "WaitRemoteBackfillReserved",
    def: StateDef {
        id: StateId::WaitRemoteBackfillReserved,
        parent: Some(StateId::Active),
        initial: None,
        reactions: &[
            Reaction::custom(E::RemoteBackfillReserved, &[]),
            Reaction::custom(
                E::RemoteReservationRejectedTooFull,
                &[StateId::NotBackfilling],
            ),
            Reaction::custom(E::RemoteReservationRevoked, &[StateId::NotBackfilling]),
            Reaction::transition(E::AllBackfillsReserved, StateId::Backfilling),
        ],
    },
    enter: enter_wait_remote,
    exit: no_action,
    react: react_wait_remote,
};

use super::backfill::backfill_reserve;

/// `WaitRemoteBackfillReserved`'s local data: Ceph's `backfill_osd_it`, an
/// iterator into `Active`'s `remote_shards_to_reserve_backfill`, kept as the number
/// of targets already asked.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WaitRemoteBackfillReservedLocal {
    /// How many of `remote_shards_to_reserve_backfill` have been sent a `REQUEST`
    /// (the iterator's position).
    pub backfill_osd_it: usize,
}

/// `WaitRemoteBackfillReserved`'s entry: still waiting; a self-kick sends the
/// first request through the same reaction as every later one.
pub(crate) fn enter_wait_remote(
    cx: &mut Cx<'_>,
    _: &mut WaitRemoteBackfillReservedLocal,
) -> Result<(), PeeringError> {
    cx.ps.state.set(PgState::BACKFILL_WAIT);
    PeeringState::publish(cx.ctx);
    cx.post(Event::RemoteBackfillReserved);
    Ok(())
}

/// `PeeringState::WaitRemoteBackfillReserved::react(const RemoteBackfillReserved&)`,
/// `react(const RemoteReservationRejectedTooFull&)` and
/// `react(const RemoteReservationRevoked&)`: each
/// grant (and the entry's self-kick) sends the next `REQUEST` with the byte counts
/// the target checks its space against; a rejection or revocation gives up this
/// round (`retry()`).
pub(crate) fn react_wait_remote(
    cx: &mut Cx<'_>,
    data: &mut WaitRemoteBackfillReservedLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::RemoteBackfillReserved => {
            let it = data.backfill_osd_it;
            let next = cx
                .outer
                .get::<ActiveLocal>()
                .and_then(|a| a.remote_shards_to_reserve_backfill.iter().nth(it).copied());
            let Some(target) = next else {
                cx.ps.peer_bytes.clear();
                cx.post(Event::AllBackfillsReserved);
                return Ok(Outcome::Discard);
            };
            if target == cx.ps.whoami {
                return Err(PeeringError::Crashed(Crash::Invariant {
                    state: StateId::WaitRemoteBackfillReserved,
                    what: Invariant::ReserveSelf,
                }));
            }
            // Ceph reads the map with operator[], which records a zero for a
            // target it has no byte count for; the map is cleared once all are held.
            let shard_num_bytes = *cx.ps.peer_bytes.entry(target).or_insert(0);
            let msg = DirectMessage::BackfillReserve(BackfillReserveMsg {
                pgid: SpgId::new(cx.ps.info.pgid.pgid, target.shard),
                epoch: cx.ps.epoch,
                op: BackfillReserveOp::Request,
                priority: cx.ps.backfill_priority(),
                primary_num_bytes: cx.ps.info.stats.num_bytes,
                shard_num_bytes,
            });
            cx.ctx.send_direct(target.osd, msg);
            data.backfill_osd_it = it.saturating_add(1);
            Ok(Outcome::Discard)
        }
        Event::RemoteReservationRejectedTooFull => {
            cx.ps.state.set(PgState::BACKFILL_TOOFULL);
            retry(cx, data.backfill_osd_it)?;
            Ok(Outcome::Transit(StateId::NotBackfilling))
        }
        Event::RemoteReservationRevoked => {
            retry(cx, data.backfill_osd_it)?;
            Ok(Outcome::Transit(StateId::NotBackfilling))
        }
        _ => Ok(Outcome::Discard),
    }
}

/// `WaitRemoteBackfillReserved::retry()`: give up this round. Release the local
/// slot and every target asked so far (the one that just answered included: the
/// iterator is already past it), and try again after `osd_backfill_retry_interval`.
fn retry(cx: &mut Cx<'_>, it: usize) -> Result<(), PeeringError> {
    cx.ctx.reservations.push(ReservationOp::CancelLocal);
    let Some(active) = cx.outer.get::<ActiveLocal>() else {
        return Ok(());
    };
    if active.remote_shards_to_reserve_backfill.is_empty() {
        return Err(PeeringError::Crashed(Crash::Invariant {
            state: StateId::WaitRemoteBackfillReserved,
            what: Invariant::NoBackfillTargets,
        }));
    }
    let me = cx.ps.whoami;
    let pgid = cx.ps.info.pgid.pgid;
    let epoch = cx.ps.epoch;
    // Sent while iterating `Active`'s set in place: no snapshot to allocate.
    for s in active.remote_shards_to_reserve_backfill.iter().take(it) {
        if *s == me {
            return Err(PeeringError::Crashed(Crash::Invariant {
                state: StateId::WaitRemoteBackfillReserved,
                what: Invariant::ReserveSelf,
            }));
        }
        let msg = backfill_reserve(SpgId::new(pgid, s.shard), epoch, BackfillReserveOp::Release);
        cx.ctx.send_direct(s.osd, msg);
    }
    cx.ps.state.clear(PgState::BACKFILL_WAIT);
    PeeringState::publish(cx.ctx);
    let delay = cx.ps.cfg.backfill_retry_interval;
    schedule(cx, Event::RequestBackfill, delay);
    Ok(())
}
