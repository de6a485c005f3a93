//! Running the `peering` binary from the tests that compare it with Ceph's
//! tools (`cli_crush`, `cli_osdmap`).

use std::path::Path;
use std::process::Command;

/// `peering ARGS...` run in `dir`: its exit status, stdout and stderr.
pub fn peering_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_peering"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the peering binary runs");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
