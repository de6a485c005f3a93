//! Crash consistency of `RedbStore` with real processes: a child process
//! applies a deterministic history of PG transactions to a database and is
//! killed with SIGKILL at a point drawn from a seed; the parent reopens the
//! file and checks that the store holds exactly the state after some prefix of
//! the history, that every transaction the child reported committed is in it
//! (no acknowledged write lost), and that at most the one in flight beyond
//! it is. Then the next child goes on from there, on the same file.
//!
//! Kill points, by seed: right after a commit returned and before it was
//! reported (the messages that depend on it were not sent); right after the
//! report, between two transactions; and a seeded delay after a transaction
//! started (inside redb's commit, most of the time). The child says when it
//! reached its point (and waits there, for the first two); the parent sends
//! the SIGKILL (`Child::kill`). Which transaction was in flight is not
//! asserted, only that the outcome is one of the legal ones: nothing depends
//! on timing.
//!
//! Runs without libtest (`harness = false`): the same binary is the child
//! when `PEERING_CRASH_CHILD` is set.

mod store_support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use peering_core::types::OsdId;
use peering_core_std::store::{MemStore, RedbStore, Store, TxnId};
use store_support::{TempDir, history, snapshot};

const OSD: OsdId = OsdId(0);
const SEED: u64 = 0x5eed_c0de;
const KILLS: u64 = 60;
const HISTORY: usize = 700;

/// A small seeded generator (the kill points of round `r` depend on `r` only).
fn draw(seed: u64, n: u64) -> u64 {
    let x = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(29)
        .wrapping_mul(0xbf58_476d_1ce4_e5b9);
    (x >> 17) % n.max(1)
}

/// Tells the parent to kill this process now, and waits for it.
fn kill_me(out: &mut impl Write) -> ! {
    let _ = writeln!(out, "kill");
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}

/// The child: applies transactions `start..` and dies at the seeded point.
fn child(dir: &str, start: usize, round: u64) {
    let txns = history(SEED, HISTORY);
    let mut store = RedbStore::open(dir).unwrap();
    let count = 1 + draw(round, 6) as usize;
    let mode = draw(round ^ 0xabc, 3);
    let die_at = start + count;
    let mut out = std::io::stdout().lock();
    for (i, (pg, t)) in txns.iter().enumerate().skip(start) {
        if i + 1 == die_at && mode == 2 {
            writeln!(out, "kill-after {}", draw(round ^ 0x77, 4000)).unwrap();
            out.flush().unwrap();
        }
        store
            .queue_transaction(OSD, *pg, TxnId(i as u64), t)
            .unwrap();
        let committed = store.drain_committed();
        assert_eq!(committed, vec![(OSD, TxnId(i as u64))]);
        if i + 1 == die_at && mode == 0 {
            kill_me(&mut out);
        }
        writeln!(out, "committed {}", i + 1).unwrap();
        out.flush().unwrap();
        if i + 1 == die_at && mode == 1 {
            kill_me(&mut out);
        }
    }
    // The history ran out before the kill point.
    writeln!(out, "done").unwrap();
}

fn parent() {
    let txns = history(SEED, HISTORY);
    let tmp = TempDir::new("crash");
    let dir = tmp.path().to_str().unwrap().to_string();
    let exe = std::env::current_exe().unwrap();
    let mut model = MemStore::new();
    let mut applied = 0usize;
    let mut kills = 0;
    let mut landed_unreported = 0;
    for round in 0..KILLS {
        let mut c = Command::new(&exe)
            .env("PEERING_CRASH_CHILD", format!("{dir},{applied},{round}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut reported = applied;
        let mut finished = false;
        for line in BufReader::new(c.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(n) = line.strip_prefix("committed ") {
                reported = n.parse().unwrap();
            } else if line == "done" {
                finished = true;
            } else if line == "kill" {
                c.kill().unwrap();
            } else if let Some(us) = line.strip_prefix("kill-after ") {
                std::thread::sleep(std::time::Duration::from_micros(us.parse().unwrap()));
                // The child may have finished its whole history meanwhile.
                let _ = c.kill();
            }
        }
        let status = c.wait().unwrap();
        if !finished {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(
                status.signal(),
                Some(9),
                "round {round}: child ended with {status}"
            );
            kills += 1;
        }
        // Reopen and find which prefix of the history is on disk.
        let store = RedbStore::open(&dir).unwrap();
        assert!(
            store.check(OSD).is_empty(),
            "round {round}: {:?}",
            store.check(OSD)
        );
        let on_disk = snapshot(&store, OSD);
        for (pg, t) in &txns[applied..reported] {
            model.apply(OSD, *pg, t);
        }
        applied = reported;
        if on_disk != snapshot(&model, OSD) {
            // Only the transaction in flight may have landed beyond the
            // reported ones, and then whole.
            let (pg, t) = &txns[applied];
            model.apply(OSD, *pg, t);
            applied += 1;
            landed_unreported += 1;
            assert_eq!(
                on_disk,
                snapshot(&model, OSD),
                "round {round}: the store is neither at {reported} nor at {applied} transactions"
            );
        }
        drop(store);
    }
    assert!(kills >= 50, "only {kills} kills");
    assert!(
        applied > KILLS as usize,
        "the history hardly advanced: {applied}"
    );
    // Killing right after a commit returned lands there every time its seed
    // picks it: the branch above is exercised.
    assert!(landed_unreported > 0);
    println!(
        "store_crash: {kills} kills, {applied} transactions survived, every reported commit kept, \
         {landed_unreported} committed but unreported"
    );
    println!("1 passed, 0 failed");
}

fn main() {
    match std::env::var("PEERING_CRASH_CHILD") {
        Ok(arg) => {
            let mut parts = arg.split(',');
            let dir = parts.next().unwrap().to_string();
            let start = parts.next().unwrap().parse().unwrap();
            let round = parts.next().unwrap().parse().unwrap();
            child(&dir, start, round);
        }
        Err(_) => parent(),
    }
}
