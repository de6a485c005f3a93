//! Every scenario file in `scenarios/` runs, and each command prints exactly
//! the output checked in below it. A mismatch fails with a diff; when the new
//! output is right, `cargo run -- run --rewrite scenarios/FILE.txt` takes it
//! (review it with `git diff`).

use std::path::PathBuf;

use peering::scenario;

fn files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_scenario_file_prints_what_it_expects() {
    let files = files();
    assert!(files.len() >= 9, "{files:?}");
    let mut failed = Vec::new();
    for f in &files {
        let run = scenario::run_file(f).unwrap_or_else(|e| panic!("{e}"));
        if !run.passed() {
            failed.push(run.diff());
        }
        // The checker saw nothing wrong in any checked-in story.
        for line in run.actual.iter().flatten() {
            assert!(
                !line.starts_with("VIOLATION") && !line.starts_with("FAILED"),
                "{}: {line}",
                f.display()
            );
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn scenario_files_are_already_in_their_rewritten_form() {
    // What `--rewrite` would write is what is checked in: the files are the
    // tool's own output, so a rewrite after a change shows only that change.
    for f in files() {
        let run = scenario::run_file(&f).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run.rewritten(), run.text, "{}", f.display());
    }
}
