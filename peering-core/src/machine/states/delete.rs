//! `ToDelete`, `WaitDeleteReserved` and `Deleting` (reference §1.2, §3 "ToDelete",
//! "WaitDeleteReserved", "Deleting", §7.1 item 5): Mimic moved PG removal into the
//! machine.
//!
//! A non-primary told to go away (`MOSDPGRemove` from a clean primary's
//! `purge_strays`, §5.19) or whose pool is gone enters `ToDelete`, asks the local
//! reserver for a background-io slot at the delete priority, and once granted
//! removes its objects a bounded chunk per transaction.
//!
//! # Chunking, sans-IO
//!
//! Ceph's `do_delete_work` lists the next `osd_target_transaction_size` objects of
//! the PG's collection itself, removes them, and requeues `DeleteSome` when the
//! transaction commits (`C_DeleteMore`). Here the store is the host's:
//!
//! 1. `Deleting`'s entry (and every step) asks, in [`OnCommit::DeleteMore`], for at
//!    most [`crate::machine::Config::delete_max_objects`] objects after the
//!    deletion cursor (`Deleting`'s local data, Ceph's `next`);
//! 2. the host lists them and delivers `DeleteSome` carrying the listing;
//! 3. `Deleting` emits one [`TxOp::RemoveObject`] per object, moves the cursor to
//!    the last one and asks again; a listing that is too long, unordered or not
//!    after the cursor is dropped ([`DropReason::BadDeleteChunk`]), so every
//!    accepted step makes progress and work per event stays bounded;
//! 4. an empty listing after the cursor asks once more from the beginning (Ceph
//!    re-lists so that objects created behind the cursor are not left over); an
//!    empty listing from the beginning ends it: [`TxOp::RemovePg`] (metadata,
//!    then collection), [`HostNotification::Deleted`], and the machine terminates
//!    (boost's `terminate()`, §0.2 rule 8); the host drops the PG.

use crate::ctx::{HostNotification, OnCommit, ReservationOp, TxOp};
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E, PeeringEvt};
use crate::log::LogEffects;
use crate::machine::cx::{Cx, Local};
use crate::machine::def::{Reaction, Spec, StateDef, discard, no_action};
use crate::machine::outcome::DropReason;
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::machine::state_id::StateId;
use crate::map::{MapFlags, OsdMapView};
use crate::types::ObjectId;

/// `OSD_DELETE_PRIORITY_NORMAL` (§5.24): deleting while the OSD is not filling up.
pub const DELETE_NORMAL: u32 = 179;
/// `OSD_DELETE_PRIORITY_FULLISH` (§5.24): the OSD is near full.
pub const DELETE_FULLISH: u32 = 219;
/// `OSD_DELETE_PRIORITY_FULL` (§5.24): the OSD is (backfill)full.
pub const DELETE_FULL: u32 = 255;

/// `get_delete_priority` (§3 "WaitDeleteReserved", §5.24): the fuller the OSD,
/// the sooner space is given back. Ceph reads this OSD's own state bits
/// (`FULL`/`BACKFILLFULL`, `NEARFULL`); the map view offers the map's `FULL` and
/// `NEARFULL` flags, which the monitor raises when some OSD is in that state.
pub fn delete_priority(map: &dyn OsdMapView) -> u32 {
    let flags = map.flags();
    if flags.contains(MapFlags::FULL) {
        DELETE_FULL
    } else if flags.contains(MapFlags::NEARFULL) {
        DELETE_FULLISH
    } else {
        DELETE_NORMAL
    }
}

/// `ToDelete`'s local data (§1.2).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ToDeleteLocal {
    /// `priority`: the delete priority the pending reservation was requested at.
    pub priority: u32,
}

/// `Deleting`'s local data (§1.2).
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

/// `ToDelete`'s definition.
pub(crate) const TO_DELETE: Spec<ToDeleteLocal> = Spec {
    name: "Started/ToDelete",
    short_name: "ToDelete",
    def: StateDef {
        id: StateId::ToDelete,
        parent: Some(StateId::Started),
        initial: Some(StateId::WaitDeleteReserved),
        reactions: &[
            Reaction::custom(E::ActMap, &[StateId::ToDelete]),
            Reaction::discard(E::ActivateCommitted),
            Reaction::discard(E::DeleteSome),
        ],
    },
    enter: no_action,
    exit: exit_to_delete,
    react: react_to_delete,
};

/// `WaitDeleteReserved`'s definition.
pub(crate) const WAIT_DELETE_RESERVED: Spec<()> = Spec {
    name: "Started/ToDelete/WaitDeleteReseved",
    short_name: "WaitDeleteReserved",
    def: StateDef {
        id: StateId::WaitDeleteReserved,
        parent: Some(StateId::ToDelete),
        initial: None,
        reactions: &[Reaction::transition(E::DeleteReserved, StateId::Deleting)],
    },
    enter: enter_wait_delete_reserved,
    exit: no_action,
    react: discard,
};

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

impl Local for ToDeleteLocal {
    const ID: StateId = StateId::ToDelete;
}

/// `ToDelete`'s exit: give the local reservation back (a granted or pending one).
pub(crate) fn exit_to_delete(cx: &mut Cx<'_>, _: &mut ToDeleteLocal) -> Result<(), PeeringError> {
    cx.ctx.reservations.push(ReservationOp::CancelLocal);
    Ok(())
}

/// `PeeringState::ToDelete::react(const ActMap&)` (§3 "ToDelete"): a new map may change how full this OSD is; if the
/// delete priority moved, start over (re-enter, re-request the reservation).
pub(crate) fn react_to_delete(
    cx: &mut Cx<'_>,
    data: &mut ToDeleteLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    if let Event::ActMap = evt {
        let now = delete_priority(cx.map);
        if data.priority != now {
            return Ok(Outcome::Transit(StateId::ToDelete));
        }
    }
    Ok(Outcome::Discard)
}

/// `WaitDeleteReserved`'s entry: record the priority, drop any older local
/// reservation, and request one that grants `DeleteReserved` and, if preempted,
/// delivers `DeleteInterrupted`.
pub(crate) fn enter_wait_delete_reserved(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    let priority = delete_priority(cx.map);
    if let Some(l) = cx.outer.get::<ToDeleteLocal>() {
        l.priority = priority;
    }
    let epoch = cx.ps.epoch;
    cx.ctx.reservations.push(ReservationOp::CancelLocal);
    cx.ctx.reservations.push(ReservationOp::RequestLocal {
        priority,
        on_grant: PeeringEvt::new(epoch, Event::DeleteReserved),
        on_preempt: Some(PeeringEvt::new(epoch, Event::DeleteInterrupted)),
    });
    Ok(())
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

/// `PeeringState::Deleting::react(const DeleteSome&)` (§3 "Deleting"): `do_delete_work` on the host's listing (see the
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
