//! `Deleting`.

use crate::ctx::{HostNotification, OnCommit, ReservationOp, TxOp};
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::log::LogEffects;
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::DropReason;
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::ObjectId;
use crate::types::StateId;

/// `Deleting`'s definition.
pub(crate) const DELETING: Spec<DeletingLocal> = Spec {
    name: "Started/ToDelete/Deleting",
    short_name: "Deleting",
    def: StateDef {
        id: StateId::Deleting,
        parent: Some(StateId::ToDelete),
        initial: None,
        reactions: &[
            Reaction::custom_terminate(E::DeleteSome, &[]),
            Reaction::transition(E::DeleteInterrupted, StateId::WaitDeleteReserved),
        ],
    },
    enter: enter_deleting,
    exit: exit_deleting,
    react: react_deleting,
};

/// `Deleting`'s local data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeletingLocal {
    /// `next`: the deletion cursor, the last object removed (`None` before the
    /// first step).
    pub next: Option<ObjectId>,
    /// Objects removed so far in this `Deleting` visit.
    pub removed: u64,
}

/// `Deleting`'s entry: the log is rolled forward (nothing will be rolled back
/// now), the info claims nothing (`last_backfill = MIN`, missing cleared) so a
/// crash mid-deletion leaves a copy nobody trusts, and `on_removal` schedules the
/// first step for when this transaction commits.
pub(crate) fn enter_deleting(cx: &mut Cx<'_>, _: &mut DeletingLocal) -> Result<(), PeeringError> {
    let mut effects = LogEffects::new();
    cx.ps.pg_log.roll_forward(&mut effects);
    PeeringState::apply_effects(cx.ctx, effects);
    cx.ps.info.last_backfill = ObjectId::MIN;
    cx.ps.pg_log.reset_backfill();
    cx.ps.dirty_info = true;
    cx.ctx.notifications.push(HostNotification::Removal);
    cx.ctx.on_commit.push(OnCommit::DeleteMore {
        epoch: cx.ps.epoch,
        after: None,
        max: cx.ps.cfg.delete_max_objects,
    });
    Ok(())
}

/// `Deleting`'s exit: the reservation goes back.
pub(crate) fn exit_deleting(cx: &mut Cx<'_>, _: &mut DeletingLocal) -> Result<(), PeeringError> {
    cx.ctx.reservations.push(ReservationOp::CancelLocal);
    Ok(())
}

/// `PeeringState::Deleting::react(const DeleteSome&)`: `do_delete_work` on the host's listing (see the
/// module docs). More objects: remove them and ask again. None after the cursor:
/// ask again from the beginning. None at all: remove the PG and terminate.
pub(crate) fn react_deleting(
    cx: &mut Cx<'_>,
    data: &mut DeletingLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    let Event::DeleteSome(chunk) = evt else {
        return Ok(Outcome::Discard);
    };
    let max = cx.ps.cfg.delete_max_objects;
    let epoch = cx.ps.epoch;
    let pgid = cx.ps.info.pgid;
    let local = data;
    if !valid_chunk(&chunk.objects, max, local.next.as_ref()) {
        return Ok(Outcome::Dropped(DropReason::BadDeleteChunk));
    }
    let objects = core::mem::take(&mut chunk.objects);
    let Some(last) = objects.last().cloned() else {
        if local.next.take().is_some() {
            // Nothing after the cursor: list once more from the beginning, for
            // objects that appeared behind it since the removal started.
            cx.ctx.on_commit.push(OnCommit::DeleteMore {
                epoch,
                after: None,
                max,
            });
            return Ok(Outcome::Discard);
        }
        // Nothing at all: the metadata and the collection go, and the machine ends.
        cx.ctx.transaction.push(TxOp::RemovePg { pgid });
        cx.ctx.notifications.push(HostNotification::Deleted);
        cx.ps.dirty_info = false;
        cx.ps.dirty_big_info = false;
        cx.ps.pg_log.mark_clean();
        return Ok(Outcome::Terminate);
    };
    local.removed = local.removed.saturating_add(objects.len() as u64);
    local.next = Some(last.clone());
    for o in objects {
        cx.ctx.transaction.push(TxOp::RemoveObject(o));
    }
    cx.ctx.on_commit.push(OnCommit::DeleteMore {
        epoch,
        after: Some(last),
        max,
    });
    Ok(Outcome::Discard)
}

/// Whether `objects` is a listing the host may answer the request with: at most
/// `max`, strictly ascending, and after the cursor.
fn valid_chunk(objects: &[ObjectId], max: u32, after: Option<&ObjectId>) -> bool {
    let within = u32::try_from(objects.len()).is_ok_and(|n| n <= max);
    let ascending = objects.windows(2).all(|w| match w {
        [a, b] => a < b,
        _ => true,
    });
    let past_cursor = match (after, objects.first()) {
        (Some(c), Some(first)) => first > c,
        _ => true,
    };
    within && ascending && past_cursor
}
