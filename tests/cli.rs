//! The `peering` command as a user runs it: exit statuses, the rewrite round
//! trip, the chart pipeline's input, the simulation summary and replay line.

use std::path::PathBuf;
use std::process::{Command, Output};

fn peering(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peering"))
        .args(args)
        .output()
        .expect("the peering binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch copy of `scenarios/healthy_repeer.txt` with one expected output
/// made stale (the documented edit round trip).
fn stale_copy(name: &str) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/healthy_repeer.txt");
    let text = std::fs::read_to_string(src).unwrap();
    let stale = text.replacen("write obj1 in pg 1.0: 2'1", "write obj1 in pg 1.0: 9'9", 1);
    assert_ne!(stale, text);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(name);
    std::fs::write(&path, stale).unwrap();
    path
}

#[test]
fn run_shows_a_diff_and_rewrite_fixes_the_file() {
    let path = stale_copy("cli_round_trip.txt");
    let p = path.to_str().unwrap();

    let o = peering(&["run", p]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("- write obj1 in pg 1.0: 9'9"), "{out}");
    assert!(out.contains("+ write obj1 in pg 1.0: 2'1"), "{out}");
    assert!(out.contains("1 of 15 blocks differ"), "{out}");

    let o = peering(&["run", "--rewrite", p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("rewritten (1 blocks changed)"),
        "{}",
        stdout(&o)
    );

    let o = peering(&["run", p]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains(": ok (15 blocks)"));
}

#[test]
fn a_bad_scenario_line_is_a_user_error_with_file_and_line() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("cli_bad.txt");
    std::fs::write(&path, "cluster osds=0,1,2\n----\n\nplace osds=0,1,9\n").unwrap();
    let o = peering(&["run", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("cli_bad.txt:4: osd.9 does not exist"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn chart_dot_prints_only_dot() {
    let o = peering(&["chart", "--dot"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.first().unwrap().starts_with("digraph"), "{out}");
    assert_eq!(*lines.last().unwrap(), "}");
    assert!(out.contains("WaitUpThru"));
    // Braces balance: one graph, closed once.
    assert_eq!(out.matches('{').count(), out.matches('}').count());
}

#[test]
fn sim_summarises_and_refuses_bad_flags_before_running() {
    let o = peering(&[
        "sim",
        "--seeds",
        "2",
        "--osds",
        "4",
        "--pgs",
        "4",
        "--duration",
        "20",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("seeds                2 (2 passed, 0 failed)"),
        "{out}"
    );
    assert!(out.contains("violations           0"), "{out}");

    let o = peering(&["sim", "--osds", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let o = peering(&["sim", "--osds", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("3 replicas or shards need 3 OSDs"),
        "{}",
        stderr(&o)
    );
    let o = peering(&["sim", "--fault-rate", "2"]);
    assert_eq!(o.status.code(), Some(2));
    let o = peering(&["sim", "--faults", "crash,flood"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown fault `flood`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_failing_seed_prints_a_replay_command_that_fails_the_same_way() {
    // One simulated second to become clean after two minutes of faults at
    // the highest rate: seed 0 does not make it.
    let o = peering(&[
        "sim",
        "--seeds",
        "1",
        "--fault-rate",
        "1",
        "--until-clean",
        "1",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["failed"], 1);
    let failure = &summary["failures"][0];
    let replay = failure["replay"].as_str().unwrap();
    assert!(
        replay.contains("sim --seed 0 --osds 6 --pgs 16 --fault-rate 1 --until-clean 1"),
        "{replay}"
    );

    // The replay line, run as printed (its program is this binary).
    let mut words = replay.split_whitespace();
    let program = words.next().unwrap();
    assert_eq!(program, env!("CARGO_BIN_EXE_peering"));
    let mut args: Vec<&str> = words.collect();
    args.push("--json");
    let again = peering(&args);
    assert_eq!(again.status.code(), Some(1));
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["failures"][0]["verdict"], failure["verdict"]);
    assert_eq!(again["events"], summary["events"]);
}

#[test]
fn pg_query_and_history_look_inside_a_scenario() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/healthy_repeer.txt");
    let f = file.to_str().unwrap();
    // After the first `run` (line 18): active+clean at epoch 2.
    let o = peering(&["pg", "query", f, "--at", "18", "--osd", "0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let q: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(q["state"], "active+clean");
    assert_eq!(q["epoch"], 2);
    let o = peering(&["pg", "history", f, "--osd", "0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("e6 .. now Started/Primary/Active/Clean"),
        "{}",
        stdout(&o)
    );
    // A replicated PG's instance has no shard to name.
    let o = peering(&["pg", "query", f, "--osd", "0", "--pg", "1.0s1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("pg 1.0 is replicated"),
        "{}",
        stderr(&o)
    );
}

/// `--pg 1.0s1` names one shard of an erasure-coded PG, as Ceph prints an
/// `spg_t`; an OSD without that shard says so.
#[test]
fn pg_query_names_an_erasure_coded_shard() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/ec_shard_lost.txt");
    let f = file.to_str().unwrap();
    let o = peering(&[
        "pg", "query", f, "--at", "30", "--osd", "1", "--pg", "1.0s1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let q: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(q["pgid"]["shard"], 1);
    assert_eq!(q["machine_state"], "Started/ReplicaActive/RepNotRecovering");
    let o = peering(&[
        "pg", "query", f, "--at", "30", "--osd", "1", "--pg", "1.0s2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "osd.1 has no instance of pg 1.0s2");
    let o = peering(&["pg", "query", f, "--osd", "1", "--pg", "1.0sx"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}
