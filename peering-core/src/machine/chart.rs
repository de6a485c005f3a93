//! The statechart as data: every state, its parent, its default
//! substate, and its reaction list in Ceph's order.
//!
//! Each state is defined in its own file under `states/` (a `Spec`: its names,
//! its chart entry [`StateDef`], its entry, exit and reaction handlers, its local
//! data's type). The table below lists those definitions once, in tree order; from
//! it come [`StateId::ALL`], each state's names and [`StateId::def`], and the
//! data-carrying `State` whose methods run a state's handlers. The dispatcher (the
//! `engine` module) runs this table: it looks a state's reactions up here, performs
//! `transition` and `discard` entries itself and calls the state's handler only for
//! `custom` entries, refusing any transit the table does not declare. The DOT and
//! Mermaid renderings below read the same table, so the printed chart cannot drift
//! from the running one.

use alloc::boxed::Box;
use alloc::string::String;
use core::any::Any;
use core::borrow::BorrowMut;
use core::fmt::Write;

use super::cx::{Cx, Outer};
use super::def::Spec;
use super::outcome::Outcome;
use super::states;
use crate::error::PeeringError;
use crate::event::Event;

pub use super::def::{On, Reaction, ReactionKind, StateDef};
pub use crate::types::StateId;

/// The table: one row per state, `Id(payload) = its Spec`, in tree order. The
/// payload is the state's local data as the state stack holds it (boxed where it
/// is large, so one slot stays small, B11).
macro_rules! chart {
    ($( $id:ident($payload:ty) = $spec:path; )*) => {
        /// One active state with its local data: the variant is the state,
        /// its payload the C++ state object's members.
        #[derive(Clone, PartialEq, Eq, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub(crate) enum State {
            $( $id($payload), )*
        }

        impl StateId {
            /// Every state, in tree order.
            pub const ALL: &'static [StateId] = &[ $( StateId::$id, )* ];

            /// Ceph's state name, as `pg query` and the state history print it.
            pub const fn name(self) -> &'static str {
                match self { $( StateId::$id => $spec.name, )* }
            }

            /// The state's short name (its C++ class name).
            pub const fn short_name(self) -> &'static str {
                match self { $( StateId::$id => $spec.short_name, )* }
            }

            /// This state's definition in the chart.
            pub const fn def(self) -> &'static StateDef {
                match self { $( StateId::$id => &$spec.def, )* }
            }
        }

        impl State {
            /// A freshly constructed state (its local data before the entry action
            /// runs).
            pub(crate) fn new(id: StateId) -> State {
                match id { $( StateId::$id => State::$id(<$payload>::default()), )* }
            }

            /// Which state this is.
            pub(crate) fn id(&self) -> StateId {
                match self { $( State::$id(_) => StateId::$id, )* }
            }

            /// Runs the state's entry action on its own data.
            pub(crate) fn enter(&mut self, cx: &mut Cx<'_>) -> Result<(), PeeringError> {
                match self { $( State::$id(l) => ($spec.enter)(cx, l.borrow_mut()), )* }
            }

            /// Runs the state's exit action on its own data.
            pub(crate) fn exit(&mut self, cx: &mut Cx<'_>) -> Result<(), PeeringError> {
                match self { $( State::$id(l) => ($spec.exit)(cx, l.borrow_mut()), )* }
            }

            /// Runs the state's custom-reaction handler on its own data.
            pub(crate) fn react(
                &mut self,
                cx: &mut Cx<'_>,
                evt: &mut Event,
            ) -> Result<Outcome, PeeringError> {
                match self { $( State::$id(l) => ($spec.react)(cx, l.borrow_mut(), evt), )* }
            }

            /// The state's local data, for an inner state's `context<S>()`.
            fn local_any(&mut self) -> &mut dyn Any {
                match self { $( State::$id(l) => as_any(&$spec, l), )* }
            }
        }

        // Each row names the Spec of its own state.
        const _: () = { $( assert!($spec.def.id as u8 == StateId::$id as u8); )* };
    };
}

/// `payload` as its state's local data, type-erased.
fn as_any<'s, L: Any, P: BorrowMut<L>>(_: &Spec<L>, payload: &'s mut P) -> &'s mut dyn Any {
    payload.borrow_mut()
}

chart! {
    Initial(()) = states::initial::INITIAL;
    Reset(()) = states::reset::RESET;
    Started(()) = states::started::STARTED;
    Start(()) = states::start::START;
    Primary(()) = states::primary::PRIMARY;
    Peering(Box<states::peering::PeeringLocal>) = states::peering::PEERING;
    GetInfo(states::get_info::GetInfoLocal) = states::get_info::GET_INFO;
    GetLog(states::get_log::GetLogLocal) = states::get_log::GET_LOG;
    GetMissing(states::get_missing::GetMissingLocal) = states::get_missing::GET_MISSING;
    WaitUpThru(()) = states::wait_up_thru::WAIT_UP_THRU;
    Down(()) = states::down::DOWN;
    Incomplete(()) = states::incomplete::INCOMPLETE;
    WaitActingChange(()) = states::wait_acting_change::WAIT_ACTING_CHANGE;
    Active(Box<states::active::ActiveLocal>) = states::active::ACTIVE;
    Activating(()) = states::activating::ACTIVATING;
    Clean(()) = states::clean::CLEAN;
    Recovered(()) = states::recovered::RECOVERED;
    WaitLocalRecoveryReserved(()) = states::wait_local_recovery_reserved::WAIT_LOCAL_RECOVERY_RESERVED;
    WaitRemoteRecoveryReserved(states::wait_remote_recovery_reserved::WaitRemoteRecoveryReservedLocal) = states::wait_remote_recovery_reserved::WAIT_REMOTE_RECOVERY_RESERVED;
    Recovering(()) = states::recovering::RECOVERING;
    NotRecovering(()) = states::not_recovering::NOT_RECOVERING;
    WaitLocalBackfillReserved(()) = states::wait_local_backfill_reserved::WAIT_LOCAL_BACKFILL_RESERVED;
    WaitRemoteBackfillReserved(states::wait_remote_backfill_reserved::WaitRemoteBackfillReservedLocal) = states::wait_remote_backfill_reserved::WAIT_REMOTE_BACKFILL_RESERVED;
    Backfilling(()) = states::backfilling::BACKFILLING;
    NotBackfilling(()) = states::not_backfilling::NOT_BACKFILLING;
    ReplicaActive(()) = states::replica::REPLICA_ACTIVE;
    RepNotRecovering(()) = states::rep_not_recovering::REP_NOT_RECOVERING;
    RepWaitRecoveryReserved(()) = states::rep_wait_recovery_reserved::REP_WAIT_RECOVERY_RESERVED;
    RepWaitBackfillReserved(()) = states::rep_wait_backfill_reserved::REP_WAIT_BACKFILL_RESERVED;
    RepRecovering(()) = states::rep_recovering::REP_RECOVERING;
    Stray(()) = states::stray::STRAY;
    ToDelete(states::delete::ToDeleteLocal) = states::delete::TO_DELETE;
    WaitDeleteReserved(()) = states::wait_delete_reserved::WAIT_DELETE_RESERVED;
    Deleting(Box<states::deleting::DeletingLocal>) = states::deleting::DELETING;
    Crashed(()) = states::crashed::CRASHED;
}

/// The states enclosing a handler's state, as [`Cx::outer`] reads them.
pub(crate) struct Ancestors<'a>(pub &'a mut [State]);

impl Outer for Ancestors<'_> {
    fn local_mut(&mut self, id: StateId) -> Option<&mut dyn Any> {
        self.0
            .iter_mut()
            .find(|s| s.id() == id)
            .map(State::local_any)
    }
}

impl StateId {
    /// The enclosing state.
    pub const fn parent(self) -> Option<StateId> {
        self.def().parent
    }

    /// Depth in the tree (0 for the machine's direct children).
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

/// The whole chart: every state's definition, in tree order.
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
/// reactions, discards and catch-alls), as the dispatcher counts them.
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
/// (a filled circle) and end (`terminate`, a double circle). Reactions that
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
/// marks each default substate, `--> [*]` the machine's termination. As in
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
