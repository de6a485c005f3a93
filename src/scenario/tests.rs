//! The interpreter's own tests: errors point at the line, a run prints what
//! the cluster did, and a rewrite round trip makes a stale file pass.

use super::*;

fn error(text: &str) -> ScenarioError {
    match run_text("t.txt", text) {
        Err(e) => e,
        Ok(r) => panic!("ran: {:?}", r.actual),
    }
}

#[test]
fn unknown_commands_and_arguments_name_the_file_line_and_what_was_expected() {
    let e = error("cluster osds=0,1,2\n----\n\n# x\nfrobnicate now\n");
    assert_eq!(e.line, 5);
    assert!(
        matches!(&e.kind, ErrorKind::UnknownCommand { command, .. } if command == "frobnicate")
    );
    assert!(
        e.to_string()
            .starts_with("t.txt:5: unknown command `frobnicate`; expected one of: cluster")
    );

    let e = error("cluster osds=0,1,2 colour=red\n");
    assert_eq!(e.line, 1);
    assert!(
        e.to_string()
            .contains("`cluster` takes no argument `colour`; it takes: osds size"),
        "{e}"
    );

    let e = error("cluster osds=0,x\n");
    assert!(matches!(e.kind, ErrorKind::BadValue { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("expected OSD ids separated by commas"),
        "{e}"
    );

    let e = error("cluster size=3\n");
    assert_eq!(
        e.kind,
        ErrorKind::MissingArgument {
            command: "cluster",
            arg: "osds"
        }
    );
}

#[test]
fn impossible_requests_are_refused_before_anything_runs() {
    // A pool larger than the cluster.
    let e = error("cluster osds=0,1 size=3\n");
    assert!(
        e.to_string()
            .contains("a pool of size 3 needs 3 OSDs; the cluster has 2"),
        "{e}"
    );
    // An OSD that does not exist.
    let e = error("cluster osds=0,1,2\n----\n\ndown osds=7\n");
    assert_eq!(e.line, 4);
    assert!(
        e.to_string()
            .contains("osd.7 does not exist; the cluster has osd.0 osd.1 osd.2"),
        "{e}"
    );
    // A PG that does not exist, and a command before the cluster.
    let e = error("cluster osds=0,1,2\nwrite pg=1.4\n");
    assert!(
        e.to_string()
            .contains("pg 1.4 does not exist: pool 1 has pg_num 1"),
        "{e}"
    );
    let e = error("run\n");
    assert!(e.to_string().contains("no cluster yet"), "{e}");
    // min_size out of range, a tail past the head, a shrinking pg_num.
    assert!(
        error("cluster osds=0,1,2 min-size=4\n")
            .to_string()
            .contains("min_size 4 outside 1..=3")
    );
    assert!(
        error("cluster osds=0,1,2 epoch=10\ndisk osd=0 head=3 tail=5\n")
            .to_string()
            .contains("tail 5 is past head 3")
    );
    for to in [0, 1] {
        let e = error(&format!("cluster osds=0,1,2\npg-num to={to}\n"));
        assert!(e.to_string().contains("merges one PG at a time"), "{e}");
    }
}

const HEALTHY: &str = "\
cluster osds=0,1,2 size=3
----
stale

place osds=0,1,2
----

create
----

run
----

write count=2
----

down osds=2
----

run
----

up osd=2
----

run
----
";

#[test]
fn a_healthy_pg_peers_and_a_rewrite_round_trip_makes_the_file_pass() {
    let first = run_text("healthy.txt", HEALTHY).unwrap();
    assert!(!first.passed());
    assert!(
        first.diff().contains(
            "healthy.txt:1: cluster osds=0,1,2 size=3\n- stale\n+ e1: osd.0 osd.1 osd.2 up and in"
        ),
        "{}",
        first.diff()
    );
    // What the cluster did: peered to active+clean, re-peered around osd.2.
    let last = first.actual.last().unwrap();
    assert_eq!(
        last.iter()
            .filter(|l| l.contains("Started/Primary/Active/Clean [active+clean]"))
            .count(),
        1,
        "{last:?}"
    );
    assert_eq!(
        last.iter()
            .filter(|l| l.contains("Started/ReplicaActive/RepNotRecovering"))
            .count(),
        2,
        "{last:?}"
    );
    // Nothing the checker flagged.
    assert!(
        !first
            .actual
            .iter()
            .flatten()
            .any(|l| l.contains("VIOLATION") || l.contains("FAILED"))
    );

    // The round trip: rewrite, run again, pass; the same output twice.
    let text = first.rewritten();
    let second = run_text("healthy.txt", &text).unwrap();
    assert!(second.passed(), "{}", second.diff());
    assert_eq!(second.actual, first.actual);
    assert_eq!(second.rewritten(), text);
}

#[test]
fn the_diff_keeps_common_lines_and_marks_the_rest() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        line_diff(&s(&["a", "b", "c"]), &s(&["a", "x", "c", "d"])),
        s(&["  a", "- b", "+ x", "  c", "+ d"])
    );
    assert_eq!(line_diff(&s(&[]), &s(&["n"])), s(&["+ n"]));
    assert_eq!(line_diff(&s(&["o"]), &s(&[])), s(&["- o"]));
}

#[test]
fn a_pg_without_a_list_is_created_where_crush_puts_it() {
    let text = "cluster osds=0,1,2,3\n----\n\ncreate\n----\n\nrun\n----\n";
    let run = run_text("crush.txt", text).unwrap();
    // CRUSH's answer for 1.0 on four one-OSD hosts (straw2, `chooseleaf
    // firstn 0 type host`): [2,1,3], osd.2 primary; osd.0 holds nothing.
    assert_eq!(run.actual[1], ["pg 1.0 created at e1 on osd.2 osd.1 osd.3"]);
    let states = &run.actual[2];
    assert!(
        states.contains(
            &"1.0 osd.2 Started/Primary/Active/Clean [active+clean] acting [2,1,3] last_update 0'0"
                .to_string()
        ),
        "{states:?}"
    );
    assert!(!states.iter().any(|l| l.contains("osd.0 ")), "{states:?}");
}
