//! `peering osdmap` against `osdmaptool` (Ceph 16.2): for every line of
//! `peering-core-std/tests/fixtures/osdmaptool/cli_cases.txt`, the same flags
//! on the same binary map print the same text as osdmaptool did (its output
//! is committed in `expected_cli/`, made by that directory's `regen.sh`).
//! osdmaptool writes a map it changed back to the file and says so in a last
//! line; `peering osdmap` never writes, and that line is the one difference.

mod cli_support;

use std::fs;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peering-core-std/tests/fixtures/osdmaptool")
}

fn peering(args: &[&str]) -> (Option<i32>, String, String) {
    cli_support::peering_in(&fixtures(), args)
}

#[test]
fn peering_osdmap_prints_what_osdmaptool_prints() {
    let cases = fs::read_to_string(fixtures().join("cli_cases.txt")).unwrap();
    let mut n = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (name, status, map, flags) = (words[0], words[1], words[2], &words[3..]);
        let file = format!("{map}.osdmap");
        let before = fs::read(fixtures().join(&file)).unwrap();
        let mut args = vec!["osdmap", file.as_str()];
        args.extend_from_slice(flags);
        let (code, out, err) = peering(&args);
        let want = fs::read_to_string(fixtures().join(format!("expected_cli/{name}.txt"))).unwrap();
        assert_eq!(out, want, "{name}: peering {}", args.join(" "));
        assert!(
            err.starts_with(&format!("osdmaptool: osdmap file '{file}'\n")),
            "{name}: {err}"
        );
        // A pool that is not there fails as osdmaptool does; the rest pass.
        assert_eq!(code, status.parse().ok(), "{name}: {err}");
        // The map file is never written.
        assert_eq!(fs::read(fixtures().join(&file)).unwrap(), before, "{name}");
        n += 1;
    }
    assert!(n >= 18, "{n} cases");
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    let (code, out, err) = peering(&["osdmap", "../crush/binary/racks.bin", "--print"]);
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(
        err.contains("error decoding osdmap '../crush/binary/racks.bin': at byte"),
        "{err}"
    );
    let (code, _, err) = peering(&["osdmap", "replicated.osdmap"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no action specified?"), "{err}");
    // A CRUSH map with more devices than the OSD map has slots.
    let (code, out, err) = peering(&[
        "osdmap",
        "replicated.osdmap",
        "--import-crush",
        "../crush/binary/mixed_legacy.bin",
        "--print",
    ]);
    assert_eq!((code, out.as_str()), (Some(1), ""), "{err}");
    assert!(err.contains("crushmap max_devices"), "{err}");
}
