//! `peering crush` against `crushtool --test` (Ceph 16.2): the same flags
//! print the same text, checked against crushtool's output committed in
//! `peering-core-std/tests/fixtures/crush/expected/cli/` (made by that
//! directory's `regen.sh`).

mod cli_support;

use std::path::PathBuf;
use std::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peering-core-std/tests/fixtures/crush")
}

fn peering(args: &[&str]) -> (Option<i32>, String, String) {
    cli_support::peering_in(&fixtures(), args)
}

#[test]
fn peering_crush_prints_what_crushtool_prints() {
    let cases: [(&str, &[&str]); 4] = [
        (
            "racks_all_rules",
            &[
                "-i",
                "binary/racks.bin",
                "--test",
                "--show-mappings",
                "--show-statistics",
                "--min-x",
                "0",
                "--max-x",
                "2",
            ],
        ),
        (
            "replicated_reweighted",
            &[
                "-i",
                "binary/replicated.bin",
                "--test",
                "--show-mappings",
                "--num-rep",
                "3",
                "--min-x",
                "1",
                "--max-x",
                "20",
                "--weight",
                "1",
                "0",
                "--weight",
                "3",
                "0.5",
            ],
        ),
        (
            "choose_args_ec",
            &[
                "-i",
                "binary/choose_args.bin",
                "--test",
                "--show-mappings",
                "--show-statistics",
                "--rule",
                "1",
                "--num-rep",
                "4",
            ],
        ),
        (
            "classes_statistics",
            &["-i", "binary/classes.bin", "--test", "--show-statistics"],
        ),
    ];
    for (name, args) in cases {
        let want =
            std::fs::read_to_string(fixtures().join(format!("expected/cli/{name}.txt"))).unwrap();
        let (code, out, err) = peering(&["crush"].iter().chain(args).copied().collect::<Vec<_>>());
        assert_eq!(code, Some(0), "{name}: {err}");
        assert_eq!(out, want, "{name}");
    }
}

#[test]
fn a_text_map_maps_as_its_binary_does() {
    let args = |map: &str| {
        vec![
            "crush",
            "-i",
            map,
            "--test",
            "--show-statistics",
            "--show-mappings",
            "--min-x",
            "0",
            "--max-x",
            "99",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    };
    let bin = args("binary/racks.bin");
    let text = args("racks.txt");
    let run = |a: &Vec<String>| peering(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let (b, t) = (run(&bin), run(&text));
    assert_eq!(b.0, Some(0));
    assert_eq!(b.1, t.1);
}

#[test]
fn bad_maps_and_flags_are_user_errors() {
    // A truncated binary map: a typed error with its byte, exit status 2.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let cut = dir.join("cut.bin");
    let bin = std::fs::read(fixtures().join("binary/racks.bin")).unwrap();
    std::fs::write(&cut, &bin[..100]).unwrap();
    let (code, _, err) = peering(&[
        "crush",
        "-i",
        cut.to_str().unwrap(),
        "--test",
        "--show-statistics",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("at byte"), "{err}");
    let (code, _, err) = peering(&[
        "crush",
        "-i",
        "binary/racks.bin",
        "--test",
        "--show-mappings",
        "--weight",
        "99",
        "1",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--weight 99"), "{err}");
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // Thousands of lines, far more than a pipe holds: `peering crush ... | head`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_peering"))
        .current_dir(fixtures())
        .args([
            "crush",
            "-i",
            "binary/racks.bin",
            "--test",
            "--show-mappings",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // The read end is closed here.
    let out = child.wait_with_output().unwrap();
    assert!(head.starts_with(b"CRUSH rule 0 x 0 ["));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0));
}
