//! `WaitDeleteReserved`.

use crate::ctx::ReservationOp;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E, PeeringEvt};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, discard, no_action};
use crate::types::StateId;

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

use super::delete::{ToDeleteLocal, delete_priority};

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
