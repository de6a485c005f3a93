//! `peering chart`: the statechart the dispatcher runs, as text, DOT or
//! Mermaid (`peering_core::machine::chart`: nothing is drawn by hand).

use clap::Args;
use peering::core::machine::StateId;
use peering::core::machine::chart::{self, On, ReactionKind};

use crate::Outcome;

/// `peering chart` options.
#[derive(Args)]
pub struct ChartArgs {
    /// Only Graphviz DOT: `peering chart --dot | dot -Tsvg > chart.svg`.
    #[arg(long, conflicts_with = "mermaid")]
    dot: bool,
    /// Only a Mermaid state diagram.
    #[arg(long)]
    mermaid: bool,
}

/// Prints the chart.
pub fn main(a: &ChartArgs) -> Outcome {
    if a.dot {
        crate::out(format_args!("{}", chart::to_dot()));
        return Outcome::Passed;
    }
    if a.mermaid {
        crate::out(format_args!("{}", chart::to_mermaid()));
        return Outcome::Passed;
    }
    // The tree of states, each with its default substate and reactions.
    for def in chart::chart() {
        let depth = def.id.depth();
        let initial = def
            .initial
            .map_or(String::new(), |i| format!(" (enters {})", i.short_name()));
        outln!("{}{}{initial}", "  ".repeat(depth), def.id.short_name());
        for r in def.reactions {
            let on = match r.on {
                On::Any => "any event",
                On::Event(kind) => kind.name(),
            };
            let what = match r.kind {
                ReactionKind::Transition(to) => format!("-> {}", to.short_name()),
                ReactionKind::Custom(_) => "custom reaction".to_string(),
                ReactionKind::CustomTerminate(_) => "custom reaction (may terminate)".to_string(),
                ReactionKind::Discard => "discarded".to_string(),
            };
            outln!("{}  on {on}: {what}", "  ".repeat(depth));
        }
    }
    let composite = chart::chart().filter(|d| d.initial.is_some()).count();
    outln!(
        "{} states ({composite} composite), {} reactions. `peering chart --dot | dot -Tsvg > chart.svg` draws it.",
        StateId::ALL.len(),
        chart::reaction_count()
    );
    Outcome::Passed
}
