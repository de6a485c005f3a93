//! [`Cx`]: what an entry, exit or reaction handler may touch besides its own state's
//! data: the PG's peering state, the maps of this call, the output context, the
//! posted-event queue, and the enclosing states' data (Ceph's `context<S>()`).

use alloc::collections::VecDeque;
use core::any::Any;

use super::outcome::{DropReason, Outcome};
use super::peering_state::PeeringState;
use crate::ctx::RecoveryCtx;
use crate::event::Event;
use crate::map::OsdMapView;
use crate::types::StateId;

/// A handler's context. The handler's own state's data is its second argument;
/// the enclosing states' data is reached through [`Cx::outer`].
pub(crate) struct Cx<'a> {
    /// `PeeringState`.
    pub ps: &'a mut PeeringState,
    /// The PG's current map (the new map during `AdvMap`).
    pub map: &'a dyn OsdMapView,
    /// The previous map, during `AdvMap` only.
    pub lastmap: Option<&'a dyn OsdMapView>,
    /// Output.
    pub ctx: &'a mut RecoveryCtx,
    /// `post_event` queue.
    pub posted: &'a mut PostQueue,
    /// The states enclosing the one whose handler runs (`context<S>()`).
    pub outer: &'a mut dyn Outer,
    /// The innermost active state (the one the event was first offered to).
    pub innermost: StateId,
    /// True while the event being handled is a posted one, not the one delivered.
    pub handling_posted: bool,
}

impl Cx<'_> {
    /// `post_event`.
    pub fn post(&mut self, evt: Event) {
        self.posted.push_back(evt);
    }

    /// The outcome of an event Ceph discards here because it raced with a state
    /// change ([`DropReason::Raced`]); a posted event leaves the delivered one's
    /// outcome alone.
    pub fn raced(&self) -> Outcome {
        if self.handling_posted {
            return Outcome::Discard;
        }
        Outcome::Dropped(DropReason::Raced {
            state: self.innermost,
        })
    }
}

/// A state's local data that an inner state may read (`context<S>()`).
pub(crate) trait Local: Any {
    /// The state owning it.
    const ID: StateId;
}

/// The enclosing states of a handler's state, outermost first.
pub(crate) trait Outer {
    /// The local data of the enclosing state `id`, if it is active.
    fn local_mut(&mut self, id: StateId) -> Option<&mut dyn Any>;
}

impl dyn Outer + '_ {
    /// `context<S>()`: the data of the enclosing state owning an `L`, if active.
    pub(crate) fn get<L: Local>(&mut self) -> Option<&mut L> {
        self.local_mut(L::ID)?.downcast_mut::<L>()
    }
}

/// The `post_event` queue of one call into the machine. It is always empty between
/// calls (the run loop drains it, and clears it on an error or termination), so it
/// lives on the stack of the call rather than in the PG: a queue kept in the PG
/// would hold its buffer (several events of several hundred bytes each) for the
/// PG's whole life (B11). One reaction rarely has more than one event pending, so
/// the first waits inline and only a second one spills to the heap (B1).
#[derive(Default)]
pub(crate) struct PostQueue {
    /// The oldest pending event, when `rest` is empty or older than all of it.
    first: Option<Event>,
    /// The pending events after `first`, in posting order.
    rest: VecDeque<Event>,
}

impl PostQueue {
    /// Appends `evt` (FIFO).
    pub(crate) fn push_back(&mut self, evt: Event) {
        if self.first.is_none() && self.rest.is_empty() {
            self.first = Some(evt);
        } else {
            self.rest.push_back(evt);
        }
    }

    /// Takes the oldest pending event.
    pub(crate) fn pop_front(&mut self) -> Option<Event> {
        self.first.take().or_else(|| self.rest.pop_front())
    }

    /// Drops every pending event.
    pub(crate) fn clear(&mut self) {
        self.first = None;
        self.rest.clear();
    }
}
