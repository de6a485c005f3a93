//! `ToDelete`, `WaitDeleteReserved` and `Deleting`:
//! Mimic moved PG removal into the
//! machine.
//!
//! This file holds `ToDelete` and the delete priority; `WaitDeleteReserved` and
//! `Deleting` are each in their own file.
//!
//! A non-primary told to go away (`MOSDPGRemove` from a clean primary's
//! `purge_strays`) or whose pool is gone enters `ToDelete`, asks the local
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
//!    (boost's `terminate()`); the host drops the PG.

use crate::ctx::ReservationOp;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::{Cx, Local};
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::Outcome;
use crate::map::{MapFlags, OsdMapView};
use crate::types::StateId;

/// `OSD_DELETE_PRIORITY_NORMAL`: deleting while the OSD is not filling up.
pub const DELETE_NORMAL: u32 = 179;
/// `OSD_DELETE_PRIORITY_FULLISH`: the OSD is near full.
pub const DELETE_FULLISH: u32 = 219;
/// `OSD_DELETE_PRIORITY_FULL`: the OSD is (backfill)full.
pub const DELETE_FULL: u32 = 255;

/// `get_delete_priority`: the fuller the OSD,
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

/// `ToDelete`'s local data.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ToDeleteLocal {
    /// `priority`: the delete priority the pending reservation was requested at.
    pub priority: u32,
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

impl Local for ToDeleteLocal {
    const ID: StateId = StateId::ToDelete;
}

/// `ToDelete`'s exit: give the local reservation back (a granted or pending one).
pub(crate) fn exit_to_delete(cx: &mut Cx<'_>, _: &mut ToDeleteLocal) -> Result<(), PeeringError> {
    cx.ctx.reservations.push(ReservationOp::CancelLocal);
    Ok(())
}

/// `PeeringState::ToDelete::react(const ActMap&)`: a new map may change how full this OSD is; if the
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
