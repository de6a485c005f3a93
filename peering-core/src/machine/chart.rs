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

/// One state of Ceph's peering statechart (§1.1).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StateId {
    /// `Initial`: a PG object before `Initialize`.
    Initial,
    /// `Reset`: between intervals; runs `start_peering_interval`.
    Reset,
    /// `Started`: the PG participates in the current interval.
    Started,
    /// `Start`: decides primary or stray.
    Start,
    /// `Started/Primary`.
    Primary,
    /// `Started/Primary/Peering`.
    Peering,
    /// `Started/Primary/Peering/GetInfo`.
    GetInfo,
    /// `Started/Primary/Peering/GetLog`.
    GetLog,
    /// `Started/Primary/Peering/GetMissing`.
    GetMissing,
    /// `Started/Primary/Peering/WaitUpThru`.
    WaitUpThru,
    /// `Started/Primary/Peering/Down`.
    Down,
    /// `Started/Primary/Peering/Incomplete`.
    Incomplete,
    /// `Started/Primary/WaitActingChange`.
    WaitActingChange,
    /// `Started/Primary/Active`.
    Active,
    /// `Started/Primary/Active/Activating`.
    Activating,
    /// `Started/Primary/Active/Clean`.
    Clean,
    /// `Started/Primary/Active/Recovered`.
    Recovered,
    /// `Started/ReplicaActive`.
    ReplicaActive,
    /// `Started/ReplicaActive/RepNotRecovering`.
    RepNotRecovering,
    /// `Started/Stray`.
    Stray,
    /// `Crashed`: an event nobody handled (Ceph aborts; we refuse every later event).
    Crashed,
}

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
    /// Every state, in tree order (§0.2).
    pub const ALL: &'static [StateId] = &[
        StateId::Initial,
        StateId::Reset,
        StateId::Started,
        StateId::Start,
        StateId::Primary,
        StateId::Peering,
        StateId::GetInfo,
        StateId::GetLog,
        StateId::GetMissing,
        StateId::WaitUpThru,
        StateId::Down,
        StateId::Incomplete,
        StateId::WaitActingChange,
        StateId::Active,
        StateId::Activating,
        StateId::Clean,
        StateId::Recovered,
        StateId::ReplicaActive,
        StateId::RepNotRecovering,
        StateId::Stray,
        StateId::Crashed,
    ];

    /// Ceph's state name, as `pg query` and the state history print it (§1.1).
    pub const fn name(self) -> &'static str {
        match self {
            StateId::Initial => "Initial",
            StateId::Reset => "Reset",
            StateId::Started => "Started",
            StateId::Start => "Start",
            StateId::Primary => "Started/Primary",
            StateId::Peering => "Started/Primary/Peering",
            StateId::GetInfo => "Started/Primary/Peering/GetInfo",
            StateId::GetLog => "Started/Primary/Peering/GetLog",
            StateId::GetMissing => "Started/Primary/Peering/GetMissing",
            StateId::WaitUpThru => "Started/Primary/Peering/WaitUpThru",
            StateId::Down => "Started/Primary/Peering/Down",
            StateId::Incomplete => "Started/Primary/Peering/Incomplete",
            StateId::WaitActingChange => "Started/Primary/WaitActingChange",
            StateId::Active => "Started/Primary/Active",
            StateId::Activating => "Started/Primary/Active/Activating",
            StateId::Clean => "Started/Primary/Active/Clean",
            StateId::Recovered => "Started/Primary/Active/Recovered",
            StateId::ReplicaActive => "Started/ReplicaActive",
            StateId::RepNotRecovering => "Started/ReplicaActive/RepNotRecovering",
            StateId::Stray => "Started/Stray",
            StateId::Crashed => "Crashed",
        }
    }

    /// The state's short name (its C++ class name) (§0.2).
    pub const fn short_name(self) -> &'static str {
        match self {
            StateId::Primary => "Primary",
            StateId::Peering => "Peering",
            StateId::GetInfo => "GetInfo",
            StateId::GetLog => "GetLog",
            StateId::GetMissing => "GetMissing",
            StateId::WaitUpThru => "WaitUpThru",
            StateId::Down => "Down",
            StateId::Incomplete => "Incomplete",
            StateId::WaitActingChange => "WaitActingChange",
            StateId::Active => "Active",
            StateId::Activating => "Activating",
            StateId::Clean => "Clean",
            StateId::Recovered => "Recovered",
            StateId::ReplicaActive => "ReplicaActive",
            StateId::RepNotRecovering => "RepNotRecovering",
            StateId::Stray => "Stray",
            other => other.name(),
        }
    }

    /// This state's definition in the chart (§0.2).
    pub const fn def(self) -> &'static StateDef {
        use super::states::*;
        match self {
            StateId::Initial => &initial::INITIAL,
            StateId::Reset => &reset::RESET,
            StateId::Started => &started::STARTED,
            StateId::Start => &started::START,
            StateId::Primary => &primary::PRIMARY,
            StateId::Peering => &peering::PEERING,
            StateId::GetInfo => &get_info::GET_INFO,
            StateId::GetLog => &get_log::GET_LOG,
            StateId::GetMissing => &get_missing::GET_MISSING,
            StateId::WaitUpThru => &wait_up_thru::WAIT_UP_THRU,
            StateId::Down => &down::DOWN,
            StateId::Incomplete => &incomplete::INCOMPLETE,
            StateId::WaitActingChange => &primary::WAIT_ACTING_CHANGE,
            StateId::Active => &active::ACTIVE,
            StateId::Activating => &active::ACTIVATING,
            StateId::Clean => &active::CLEAN,
            StateId::Recovered => &active::RECOVERED,
            StateId::ReplicaActive => &replica::REPLICA_ACTIVE,
            StateId::RepNotRecovering => &replica::REP_NOT_RECOVERING,
            StateId::Stray => &stray::STRAY,
            StateId::Crashed => &CRASHED,
        }
    }

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

/// One edge of the printed chart: from, event label, to, and whether it is a
/// custom reaction's possible target (rather than a plain transition).
struct Edge {
    from: StateId,
    label: &'static str,
    to: StateId,
    custom: bool,
}

/// Every edge of the chart, in table order.
fn edges() -> impl Iterator<Item = Edge> {
    chart().flat_map(|def| {
        def.reactions.iter().flat_map(move |r| {
            let label = match r.on {
                On::Event(k) => k.name(),
                On::Any => "*",
            };
            let (targets, custom): (&'static [StateId], bool) = match &r.kind {
                ReactionKind::Transition(t) => (core::slice::from_ref(t), false),
                ReactionKind::Custom(ts) => (ts, true),
                ReactionKind::Discard => (&[], false),
            };
            targets.iter().map(move |t| Edge {
                from: def.id,
                label,
                to: *t,
                custom,
            })
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

/// The chart in Graphviz DOT: composite states as clusters, transitions as edges
/// labelled with their event (custom reactions' possible targets dashed) (§0.2).
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
    };
    let close = |out: &mut String, d: usize| {
        let _ = writeln!(out, "{}}}", "  ".repeat(d));
    };
    for s in children(None) {
        write_tree(&mut out, s, 1, &leaf, &open, &close);
    }
    for e in edges() {
        let style = if e.custom { " style=dashed" } else { "" };
        let _ = writeln!(
            out,
            "  {} -> {} [label=\"{}\"{style}];",
            e.from.short_name(),
            e.to.short_name(),
            e.label
        );
    }
    out.push_str("}\n");
    out
}

/// The chart as a Mermaid `stateDiagram-v2` (§0.2).
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
        let _ = writeln!(
            out,
            "    {} --> {} : {}",
            e.from.short_name(),
            e.to.short_name(),
            e.label
        );
    }
    out
}
