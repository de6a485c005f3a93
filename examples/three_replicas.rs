//! # Three replicas, peering from creation to Active+Clean and through a failure
//!
//! Run with `cargo run --example three_replicas`. With `-- --redb [DIR]` the
//! three OSDs persist to a `RedbStore` instead of memory (one redb database
//! per OSD, `DIR/osd.N.redb`; a temporary directory, removed at the end, when
//! no `DIR` is given): osd.2 then comes back in step 5 by reading its PG from
//! its database file.
//!
//! A placement group (PG) is a shard of a pool stored on several OSDs. Whenever the
//! set of OSDs serving it changes (an *interval* starts), the PG's instances
//! *peer*: the primary asks every replica for its info (`MOSDPGQuery2(INFO)` →
//! `MOSDPGNotify2`), picks the authoritative log, asks the monitor to record that
//! it is alive (`up_thru`) so a later interval can tell this one may have accepted
//! writes, then activates the replicas (`MOSDPGInfo2`/`MOSDPGLog`) and, once
//! everyone is up to date, goes Clean.
//!
//! This example drives one PG of a size-3 pool on osd.0, osd.1, osd.2 through the
//! in-process harness (`peering::osd::harness::osd_cluster::OsdHarness`: three
//! `Osd` hosts exchanging encoded frames, a monitor publishing maps with CRUSH,
//! a store): creation and a few client writes
//! (the primary appends each to its log and replicates it, `MOSDRepOp`), osd.2
//! failing (the PG stays active on two replicas, *undersized*, and takes more
//! writes osd.2 misses), and osd.2 returning (the PG peers again on three, learns
//! from the logs what osd.2 is missing, and recovers it under reservation). Every
//! message and state change is printed as it happens.

use peering::core::ctx::MonRequest;
use peering::core::machine::{DropReason, StateId};
use peering::core::types::{OsdId, PgId, PgState, SpgId};
use peering::osd::harness::osd_cluster::OsdHarness as Harness;
use peering::osd::harness::{Entry, Outcome};
use peering::osd::store::{MemStore, RedbStore, Store};

/// Prints the transcript entries from `from` on a newcomer cares about: maps,
/// OSD restarts, messages, the innermost states entered, monitor requests, and
/// messages a PG dropped as stale (sent before its last peering reset); returns
/// the new position.
fn narrate<S: Store>(h: &Harness<S>, from: usize) -> usize {
    for e in h.transcript().since(from) {
        let show = match e {
            Entry::Entered { state, .. } => state.def().initial.is_none(),
            Entry::Delivered { outcome, .. } => {
                matches!(outcome, Outcome::Dropped(DropReason::Stale { .. }))
            }
            Entry::Mon { request, .. } => !matches!(request, MonRequest::ClearPgTemp { .. }),
            Entry::Map { .. }
            | Entry::OsdStopped { .. }
            | Entry::OsdStarted { .. }
            | Entry::Sent { .. }
            | Entry::ClientWrite { .. }
            | Entry::RepOp { .. }
            | Entry::Engine { .. } => true,
            _ => false,
        };
        if show {
            println!("  {e}");
        }
    }
    h.transcript().len()
}

/// One line per instance: its state and PG state bits.
fn summary<S: Store>(h: &Harness<S>, pgid: SpgId) {
    for o in 0..3 {
        match h.pg(o, pgid) {
            Some(pg) => println!("  osd.{o}: {} [{}]", pg.state_name(), pg.state_bits()),
            None => println!("  osd.{o}: (not running)"),
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None => run(MemStore::new()),
        Some("--redb") => {
            let (dir, temporary) = match args.next() {
                Some(d) => (std::path::PathBuf::from(d), false),
                None => (
                    std::env::temp_dir()
                        .join(format!("peering-three-replicas-{}", std::process::id())),
                    true,
                ),
            };
            println!("== The OSDs persist to RedbStore in {}", dir.display());
            let result = run(RedbStore::open(&dir)?);
            if temporary {
                let _ = std::fs::remove_dir_all(&dir);
            }
            result
        }
        Some(other) => Err(format!("unknown argument {other:?} (expected --redb [DIR])").into()),
    }
}

fn run<S: Store>(store: S) -> Result<(), Box<dyn std::error::Error>> {
    let pgid = PgId::new(1, 0);
    let spg = SpgId::replicated(pgid);
    let mut h = Harness::replicated_on(store, &[0, 1, 2], 1, 3)?;
    h.place(pgid, &[0, 1, 2])?;

    println!("== 1. The monitor creates PG {spg} on osd.0 (primary), osd.1 and osd.2");
    h.create_everywhere(pgid)?;
    h.run()?;
    let mut pos = narrate(&h, 0);
    summary(&h, spg);

    println!("\n== 2. A client writes a, b and c: the primary logs each and replicates it");
    for name in ["a", "b", "c"] {
        h.write(spg, name)?;
    }
    h.run()?;
    pos = narrate(&h, pos);

    println!(
        "\n== 3. osd.2 fails: a new interval on [0, 1]; two of three is min_size, so the PG stays active, undersized"
    );
    h.osd_down(2)?;
    h.run()?;
    pos = narrate(&h, pos);
    summary(&h, spg);
    let undersized = h
        .pg(0, spg)
        .is_some_and(|p| p.state_bits().contains(PgState::UNDERSIZED));
    println!("  undersized: {undersized}");

    println!("\n== 4. More writes (d, e, and a again) while osd.2 is down: it misses them");
    for name in ["d", "e", "a"] {
        h.write(spg, name)?;
    }
    h.run()?;
    pos = narrate(&h, pos);

    println!(
        "\n== 5. osd.2 returns: it reloads the PG from its store, the PG peers again on [0, 1, 2], and osd.2 is recovered"
    );
    h.osd_up(2)?;
    h.run()?;
    narrate(&h, pos);
    summary(&h, spg);

    println!("\n== What each OSD wrote to its store (the PG info every transaction persists)");
    for o in 0..3 {
        let Some(stored) = h.store().read_pg(OsdId(o), spg)? else {
            continue;
        };
        {
            let info = &stored.info;
            let hist = &info.history;
            let objects = h
                .store()
                .list_objects(OsdId(o), spg, None, usize::MAX)?
                .len();
            println!(
                "  osd.{o}: last_update {} last_epoch_started {} interval since {} clean at {}, {objects} objects",
                info.last_update,
                info.last_epoch_started,
                hist.same_interval_since,
                hist.last_epoch_clean
            );
        }
    }

    let clean = h.pg(0, spg).is_some_and(|p| p.state_id() == StateId::Clean);
    println!(
        "\nsafety invariants (DESIGN.md §7): {} violation(s); primary clean: {clean}",
        h.violations().len()
    );
    for v in h.violations() {
        println!("  {v:?}");
    }
    println!(
        "final: osd.0={} osd.1={} osd.2={}",
        h.state(0, spg),
        h.state(1, spg),
        h.state(2, spg)
    );
    Ok(())
}
