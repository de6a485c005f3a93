//! The statechart as data (reference §1.1, §3): every state, its parent, its default
//! substate, and its reaction list in Ceph's order.
//!
//! This table is what the dispatcher (the `engine` module) runs: it looks a state's
//! reactions up here, performs `transition` and `discard` entries itself and calls the
//! state's handler only for `custom` entries, refusing any transit the table does not
//! declare. The DOT and Mermaid renderings below read the same table, so the printed
//! chart cannot drift from the running one.

use alloc::string::String;
use core::fmt::Write;

use crate::event::EventKind;

pub use super::state::StateId;

/// Which events a reaction entry matches (§0.2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum On {
    /// One event kind.
    Event(EventKind),
    /// Any event (the catch-all `transition<event_base, Crashed>` of Initial, Reset,
    /// Started, §0.2 rule 3).
    Any,
}

impl On {
    /// True when this entry matches `kind` (§0.2).
    pub fn matches(self, kind: EventKind) -> bool {
        match self {
            On::Event(k) => k == kind,
            On::Any => true,
        }
    }
}

/// What a reaction entry does (§0.2 rule 2).
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
    /// every state and ends (§0.2 rule 8; only `Deleting` on `DeleteSome` does).
    CustomTerminate(&'static [StateId]),
}

/// One entry of a state's reaction list (§0.2).
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
    /// `transition<E, T>` (§0.2).
    pub const fn transition(e: EventKind, to: StateId) -> Self {
        Reaction {
            on: On::Event(e),
            kind: ReactionKind::Transition(to),
        }
    }
    /// `custom_reaction<E>` with a handler that may transit to `targets` (§0.2).
    pub const fn custom(e: EventKind, targets: &'static [StateId]) -> Self {
        Reaction {
            on: On::Event(e),
            kind: ReactionKind::Custom(targets),
        }
    }
    /// `custom_reaction<E>` with a handler that may also terminate the machine
    /// (§0.2 rule 8).
    pub const fn custom_terminate(e: EventKind, targets: &'static [StateId]) -> Self {
        Reaction {
            on: On::Event(e),
            kind: ReactionKind::CustomTerminate(targets),
        }
    }
    /// `custom_reaction<E>` answered by the generic handler (discard) (§0.2).
    pub const fn discard(e: EventKind) -> Self {
        Reaction {
            on: On::Event(e),
            kind: ReactionKind::Discard,
        }
    }
    /// The catch-all: any other event crashes the machine (§0.2).
    pub const fn any_crashes() -> Self {
        Reaction {
            on: On::Any,
            kind: ReactionKind::Transition(StateId::Crashed),
        }
    }
}

/// A state's definition: its place in the tree and its reaction list (§0.2).
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
    /// The first entry of this state's reaction list matching `kind` (§0.2 rule 1):
    /// what the dispatcher does with `kind` at this level, or `None` if the event
    /// goes to the enclosing state.
    pub fn reaction_for(&self, kind: EventKind) -> Option<&'static Reaction> {
        self.reactions.iter().find(|r| r.on.matches(kind))
    }
}

impl StateId {
    /// The enclosing state (§0.2).
    pub const fn parent(self) -> Option<StateId> {
        self.def().parent
    }

    /// Depth in the tree (0 for the machine's direct children) (§0.2).
    pub fn depth(self) -> usize {
        let mut d = 0;
        let mut cur = self.parent();
        while let Some(p) = cur {
            d += 1;
            cur = p.parent();
        }
        d
    }
}

/// `Crashed`: no reactions; the dispatcher refuses every event once here.
pub(crate) const CRASHED: StateDef = StateDef {
    id: StateId::Crashed,
    parent: None,
    initial: None,
    reactions: &[],
};

/// The whole chart: every state's definition, in tree order (§0.2).
pub fn chart() -> impl Iterator<Item = &'static StateDef> {
    StateId::ALL.iter().map(|s| s.def())
}

/// Where an edge of the printed chart leads: a state, or the machine's end.
#[derive(Clone, Copy)]
enum To {
    State(StateId),
    Terminate,
}

/// One edge of the printed chart: from, event label, to, and whether it is a
/// custom reaction's possible target (rather than a plain transition).
struct Edge {
    from: StateId,
    label: &'static str,
    to: To,
    custom: bool,
}

/// The number of reaction entries in the whole chart (transitions, custom
/// reactions, discards and catch-alls), as the dispatcher counts them (§3).
pub fn reaction_count() -> usize {
    chart().map(|d| d.reactions.len()).sum()
}

/// Every edge of the chart, in table order.
fn edges() -> impl Iterator<Item = Edge> {
    chart().flat_map(|def| {
        def.reactions.iter().flat_map(move |r| {
            let label = match r.on {
                On::Event(k) => k.name(),
                On::Any => "*",
            };
            let (targets, custom, terminates): (&'static [StateId], bool, bool) = match &r.kind {
                ReactionKind::Transition(t) => (core::slice::from_ref(t), false, false),
                ReactionKind::Custom(ts) => (ts, true, false),
                ReactionKind::CustomTerminate(ts) => (ts, true, true),
                ReactionKind::Discard => (&[], false, false),
            };
            let ends = terminates.then_some(Edge {
                from: def.id,
                label,
                to: To::Terminate,
                custom: true,
            });
            targets
                .iter()
                .map(move |t| Edge {
                    from: def.id,
                    label,
                    to: To::State(*t),
                    custom,
                })
                .chain(ends)
        })
    })
}

/// The direct children of `s` (or the machine's, for `None`), in tree order.
fn children(s: Option<StateId>) -> impl Iterator<Item = StateId> {
    StateId::ALL
        .iter()
        .copied()
        .filter(move |c| c.parent() == s)
}

/// Writes the state tree: `leaf` for a state without children, `open`/`close`
/// around a composite one, recursively.
fn write_tree(
    out: &mut String,
    s: StateId,
    depth: usize,
    leaf: &dyn Fn(&mut String, StateId, usize),
    open: &dyn Fn(&mut String, StateId, usize),
    close: &dyn Fn(&mut String, usize),
) {
    if children(Some(s)).next().is_none() {
        leaf(out, s, depth);
        return;
    }
    open(out, s, depth);
    for c in children(Some(s)) {
        write_tree(out, c, depth + 1, leaf, open, close);
    }
    close(out, depth);
}

/// The chart in Graphviz DOT: composite states as clusters (each with a bold
/// `initial` edge to its default substate), transitions as edges labelled with
/// their event, custom reactions' possible targets dashed, the machine's start
/// (a filled circle) and end (`terminate`, a double circle) (§0.2). Reactions that
/// consume an event in place (discards, custom reactions without a target) have no
/// edge.
pub fn to_dot() -> String {
    let mut out = String::from("digraph peering {\n  compound=true;\n  node [shape=box];\n");
    let leaf = |out: &mut String, s: StateId, d: usize| {
        let pad = "  ".repeat(d);
        let _ = writeln!(out, "{pad}{0} [label=\"{0}\"];", s.short_name());
    };
    let open = |out: &mut String, s: StateId, d: usize| {
        let pad = "  ".repeat(d);
        let n = s.short_name();
        let _ = writeln!(out, "{pad}subgraph cluster_{n} {{");
        let _ = writeln!(out, "{pad}  label=\"{n}\";");
        let _ = writeln!(out, "{pad}  {n} [label=\"{n}\" shape=point];");
        if let Some(init) = s.def().initial {
            let _ = writeln!(
                out,
                "{pad}  {n} -> {} [style=bold label=\"initial\"];",
                init.short_name()
            );
        }
    };
    let close = |out: &mut String, d: usize| {
        let _ = writeln!(out, "{}}}", "  ".repeat(d));
    };
    let _ = writeln!(out, "  start [label=\"\" shape=circle style=filled];");
    let _ = writeln!(out, "  terminate [label=\"\" shape=doublecircle];");
    for s in children(None) {
        write_tree(&mut out, s, 1, &leaf, &open, &close);
    }
    let _ = writeln!(out, "  start -> {};", StateId::Initial.short_name());
    for e in edges() {
        let style = if e.custom { " style=dashed" } else { "" };
        let to = match e.to {
            To::State(t) => t.short_name(),
            To::Terminate => "terminate",
        };
        let _ = writeln!(
            out,
            "  {} -> {to} [label=\"{}\"{style}];",
            e.from.short_name(),
            e.label
        );
    }
    out.push_str("}\n");
    out
}

/// The chart as a Mermaid `stateDiagram-v2`: composite states nest, `[*] -->`
/// marks each default substate, `--> [*]` the machine's termination (§0.2). As in
/// [`to_dot`], in-place reactions have no edge.
pub fn to_mermaid() -> String {
    let mut out = String::from("stateDiagram-v2\n    [*] --> Initial\n");
    let leaf = |out: &mut String, s: StateId, d: usize| {
        let _ = writeln!(out, "{}{}", "    ".repeat(d), s.short_name());
    };
    let open = |out: &mut String, s: StateId, d: usize| {
        let pad = "    ".repeat(d);
        let _ = writeln!(out, "{pad}state {} {{", s.short_name());
        if let Some(init) = s.def().initial {
            let _ = writeln!(out, "{pad}    [*] --> {}", init.short_name());
        }
    };
    let close = |out: &mut String, d: usize| {
        let _ = writeln!(out, "{}}}", "    ".repeat(d));
    };
    for s in children(None) {
        write_tree(&mut out, s, 1, &leaf, &open, &close);
    }
    for e in edges() {
        let to = match e.to {
            To::State(t) => t.short_name(),
            To::Terminate => "[*]",
        };
        let _ = writeln!(out, "    {} --> {to} : {}", e.from.short_name(), e.label);
    }
    out
}
