//! # The peering statechart, printed
//!
//! Run with `cargo run --example chart` (Graphviz DOT), or
//! `cargo run --example chart -- --mermaid` to print the Mermaid diagram after it
//! (the one pasted into the README's "The state chart" section).
//!
//! Both pictures are rendered from `peering_core::machine::chart`, the very table
//! the dispatcher runs: every state with its parent and default substate, and
//! every reaction in Ceph's list order (reference §1.1, §3). Nothing here is drawn
//! by hand, so the picture cannot disagree with the machine.

use peering::core::machine::StateId;
use peering::core::machine::chart::{self, On, ReactionKind};

fn main() {
    let mermaid = std::env::args().any(|a| a == "--mermaid");

    println!("// Ceph's PG peering statechart (boost::statechart semantics, reference §0.2).");
    println!("// Clusters are composite states; a bold 'initial' edge enters the default");
    println!("// substate; solid edges are transition<> entries, dashed ones the possible");
    println!("// targets of custom reactions; 'terminate' is where a finished deletion ends");
    println!("// the machine. Reactions that consume an event in place have no edge.");
    println!(
        "// Render: cargo run --example chart | sed -n '/^digraph/,/^}}$/p' | dot -Tsvg > chart.svg"
    );
    print!("{}", chart::to_dot());

    if mermaid {
        println!();
        println!("```mermaid");
        print!("{}", chart::to_mermaid());
        println!("```");
    }

    let states = StateId::ALL.len();
    let reactions = chart::reaction_count();
    let mut transitions = 0;
    let mut custom = 0;
    let mut discards = 0;
    let mut catch_alls = 0;
    for def in chart::chart() {
        for r in def.reactions {
            match (r.on, r.kind) {
                (On::Any, _) => catch_alls += 1,
                (_, ReactionKind::Transition(_)) => transitions += 1,
                (_, ReactionKind::Custom(_) | ReactionKind::CustomTerminate(_)) => custom += 1,
                (_, ReactionKind::Discard) => discards += 1,
            }
        }
    }
    let composite = chart::chart().filter(|d| d.initial.is_some()).count();
    println!(
        "final: states={states} composite={composite} reactions={reactions} \
         (transitions={transitions} custom={custom} discards={discards} catch-alls={catch_alls})"
    );
}
