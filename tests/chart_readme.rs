//! The README's "The state chart" section shows the Mermaid picture of the chart
//! (reference §1.1, §3); this test keeps it equal to what `chart::to_mermaid()`
//! prints from the table the dispatcher runs, so the picture cannot drift.

use peering::core::machine::chart;

const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));

/// The body of the README's one Mermaid block.
fn readme_mermaid() -> &'static str {
    let open = "```mermaid\n";
    let start = README.find(open).expect("README has a mermaid block") + open.len();
    let len = README[start..].find("```").expect("the block is closed");
    &README[start..start + len]
}

#[test]
fn readme_mermaid_block_is_the_chart() {
    assert_eq!(README.matches("```mermaid").count(), 1);
    assert!(README.contains("## The state chart"));
    assert_eq!(
        readme_mermaid(),
        chart::to_mermaid(),
        "regenerate with `cargo run -q -- chart --mermaid` and paste it between the fences"
    );
}

#[test]
fn the_picture_shows_deletion_and_termination() {
    let m = chart::to_mermaid();
    assert!(m.contains("    Stray --> ToDelete : DeleteStart\n"));
    assert!(m.contains("    ReplicaActive --> ToDelete : DeleteStart\n"));
    assert!(m.contains("[*] --> WaitDeleteReserved"));
    assert!(m.contains("    Deleting --> [*] : DeleteSome\n"));
    let dot = chart::to_dot();
    assert!(dot.contains("  Deleting -> terminate [label=\"DeleteSome\" style=dashed];\n"));
    assert!(dot.contains("ToDelete -> WaitDeleteReserved [style=bold label=\"initial\"];"));
    assert!(dot.contains("  start -> Initial;\n"));
}
