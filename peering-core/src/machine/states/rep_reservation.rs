//! The replica's side of recovery and backfill reservations, children of
//! `ReplicaActive`: `RepNotRecovering`, `RepWaitRecoveryReserved`,
//! `RepWaitBackfillReserved`, `RepRecovering` ( of those
//! names).
//!
//! Each of these states is in its own file; this one holds what they share.
//!
//! A primary's `REQUEST` asks this OSD's remote reserver for a slot; the grant
//! callback answers the primary with `GRANT`. For backfill the host first checks
//! (and accounts) the space the backfill will take: that answer is the host's, not
//! ours, so it comes back as an event
//! ([`crate::ctx::ReservationOp::RequestRemoteBackfill`]).

use crate::ctx::{BackfillReserveOp, RecoveryReserveOp, ReservationOp};
use crate::machine::cx::Cx;
use crate::types::SpgId;

use super::backfill::backfill_reserve;
use super::recovery::recovery_reserve;

/// The primary's shard of this PG, where replies go.
fn primary_pgid(cx: &Cx<'_>) -> SpgId {
    SpgId::new(cx.ps.info.pgid.pgid, cx.ps.primary.shard)
}

/// Direct send of `MRecoveryReserve{op}` to the primary.
pub(super) fn send_recovery_reserve(cx: &mut Cx<'_>, op: RecoveryReserveOp) {
    let msg = recovery_reserve(primary_pgid(cx), cx.ps.epoch, op, 0);
    cx.ctx.send_direct(cx.ps.primary.osd, msg);
}

/// Direct send of `MBackfillReserve{op}` to the primary.
pub(super) fn send_backfill_reserve(cx: &mut Cx<'_>, op: BackfillReserveOp) {
    let msg = backfill_reserve(primary_pgid(cx), cx.ps.epoch, op);
    cx.ctx.send_direct(cx.ps.primary.osd, msg);
}

/// `reject_reservation()`: give back the space and tell the primary we are too
/// full.
pub(super) fn reject_reservation(cx: &mut Cx<'_>) {
    cx.ctx.reservations.push(ReservationOp::UnreserveSpace);
    send_backfill_reserve(cx, BackfillReserveOp::RejectTooFull);
}

/// Gives back the space and the remote slot (held or still queued):
/// `unreserve_recovery_space()` + `cancel_remote_recovery_reservation()`.
pub(super) fn release_slot(cx: &mut Cx<'_>) {
    cx.ctx.reservations.push(ReservationOp::UnreserveSpace);
    cx.ctx.reservations.push(ReservationOp::CancelRemote);
}
