//! Log-based recovery under reservation, primary side: `WaitLocalRecoveryReserved`,
//! `WaitRemoteRecoveryReserved`, `Recovering`, `NotRecovering`.
//!
//! Each of these states is in its own file; this one holds what they share.
//!
//! The primary first takes a slot from its own OSD's local reserver, then one from
//! every other OSD of acting_recovery_backfill (`remote_shards_to_reserve_recovery`,
//! one shard per OSD), one at a time in the set's order (ascending osd, then shard):
//! the next request goes out only when the previous one was granted. Every primary
//! asking in the same global order is what keeps two primaries from each holding a
//! slot the other waits for.

use crate::ctx::{DirectMessage, RecoveryReserveMsg, RecoveryReserveOp, ReservationOp, Timer};
use crate::event::{Event, PeeringEvt};
use crate::machine::cx::Cx;
use crate::types::{Epoch, PgShard, SpgId, Timespan};

/// Schedules `event` after `delay` at the current epoch (`schedule_event_after`):
/// a peering reset in between makes the host drop it.
pub(crate) fn schedule(cx: &mut Cx<'_>, event: Event, delay: Timespan) {
    let event = PeeringEvt::new(cx.ps.epoch, event);
    cx.ctx.timers.push(Timer { delay, event });
}

/// `MRecoveryReserve{op}` addressed to `pgid` (a direct send): the one
/// builder for the primary's requests and releases and the replica's answers.
pub(super) fn recovery_reserve(
    pgid: SpgId,
    epoch: Epoch,
    op: RecoveryReserveOp,
    priority: u32,
) -> DirectMessage {
    DirectMessage::RecoveryReserve(RecoveryReserveMsg {
        pgid,
        epoch,
        op,
        priority,
    })
}

pub(super) fn send_recovery_reserve(
    cx: &mut Cx<'_>,
    to: PgShard,
    op: RecoveryReserveOp,
    priority: u32,
) {
    let pgid = SpgId::new(cx.ps.info.pgid.pgid, to.shard);
    let msg = recovery_reserve(pgid, cx.ps.epoch, op, priority);
    cx.ctx.send_direct(to.osd, msg);
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
