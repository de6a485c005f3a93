//! The vocabulary of a state's definition: its reaction list
//! ([`Reaction`]), its place in the tree ([`StateDef`]), and [`Spec`], which adds
//! its name and its entry, exit and reaction handlers. Each state's `Spec` is in
//! its own file under `states/`; `super::chart` lists them.

use super::cx::Cx;
use super::outcome::Outcome;
use crate::error::PeeringError;
use crate::event::{Event, EventKind};
use crate::types::StateId;

/// Which events a reaction entry matches.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum On {
    /// One event kind.
    Event(EventKind),
    /// Any event (the catch-all `transition<event_base, Crashed>` of Initial, Reset,
    /// Started).
    Any,
}

impl On {
    /// True when this entry matches `kind`.
    pub fn matches(self, kind: EventKind) -> bool {
        match self {
            On::Event(k) => k == kind,
            On::Any => true,
        }
    }
}

/// What a reaction entry does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReactionKind {
    /// `transition<E, T>`: transit to the state, no handler.
    Transition(StateId),
    /// `custom_reaction<E>` with a handler; the handler discards, forwards or transits
    /// to one of the listed targets (any other target is refused).
    Custom(&'static [StateId]),
    /// `custom_reaction<E>` answered by the state's generic handler: discard.
    Discard,
    /// `custom_reaction<E>` whose handler may, besides discarding or transiting to
    /// one of the listed targets, return boost's `terminate()`: the machine exits
    /// every state and ends (only `Deleting` on `DeleteSome` does).
    CustomTerminate(&'static [StateId]),
}

/// One entry of a state's reaction list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Reaction {
    /// The events it matches.
    pub on: On,
    /// What it does.
    pub kind: ReactionKind,
}

impl Reaction {
    /// `transition<E, T>`.
    pub const fn transition(e: EventKind, to: StateId) -> Self {
        Reaction {
            on: On::Event(e),
            kind: ReactionKind::Transition(to),
        }
    }
    /// `custom_reaction<E>` with a handler that may transit to `targets`.
    pub const fn custom(e: EventKind, targets: &'static [StateId]) -> Self {
        Reaction {
            on: On::Event(e),
            kind: ReactionKind::Custom(targets),
        }
    }
    /// `custom_reaction<E>` with a handler that may also terminate the machine.
    pub const fn custom_terminate(e: EventKind, targets: &'static [StateId]) -> Self {
        Reaction {
            on: On::Event(e),
            kind: ReactionKind::CustomTerminate(targets),
        }
    }
    /// `custom_reaction<E>` answered by the generic handler (discard).
    pub const fn discard(e: EventKind) -> Self {
        Reaction {
            on: On::Event(e),
            kind: ReactionKind::Discard,
        }
    }
    /// The catch-all: any other event crashes the machine.
    pub const fn any_crashes() -> Self {
        Reaction {
            on: On::Any,
            kind: ReactionKind::Transition(StateId::Crashed),
        }
    }
}

/// A state's definition: its place in the tree and its reaction list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StateDef {
    /// The state.
    pub id: StateId,
    /// The enclosing state (`None` for the machine's direct children).
    pub parent: Option<StateId>,
    /// The default substate entered with it.
    pub initial: Option<StateId>,
    /// The reaction list, first match wins.
    pub reactions: &'static [Reaction],
}

impl StateDef {
    /// The first entry of this state's reaction list matching `kind`:
    /// what the dispatcher does with `kind` at this level, or `None` if the event
    /// goes to the enclosing state.
    pub fn reaction_for(&self, kind: EventKind) -> Option<&'static Reaction> {
        self.reactions.iter().find(|r| r.on.matches(kind))
    }
}

/// Everything about one state, in its own file: the chart entry, the names, and
/// the actions the dispatcher runs. `L` is the state's local data (the C++ state
/// object's members; `()` for none), which every handler receives as `&mut L`.
pub(crate) struct Spec<L: 'static> {
    /// Ceph's state name, as `pg query` and the state history print it.
    pub name: &'static str,
    /// The C++ class name.
    pub short_name: &'static str,
    /// Parent, default substate and reaction list.
    pub def: StateDef,
    /// The entry action (the C++ constructor body), run once the state's data is
    /// constructed.
    pub enter: fn(&mut Cx<'_>, &mut L) -> Result<(), PeeringError>,
    /// The exit action (`exit()`).
    pub exit: fn(&mut Cx<'_>, &mut L) -> Result<(), PeeringError>,
    /// The handler of the state's `custom` reactions; an event it does not name
    /// gets boost's generic reaction (discard).
    pub react: fn(&mut Cx<'_>, &mut L, &mut Event) -> Result<Outcome, PeeringError>,
}

/// An entry or exit action that does nothing.
pub(crate) fn no_action<L>(_: &mut Cx<'_>, _: &mut L) -> Result<(), PeeringError> {
    Ok(())
}

/// The handler of a state without custom reactions: discard.
pub(crate) fn discard<L>(
    _: &mut Cx<'_>,
    _: &mut L,
    _: &mut Event,
) -> Result<Outcome, PeeringError> {
    Ok(Outcome::Discard)
}
