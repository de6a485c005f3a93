//! # Backfill: a new OSD joins a placement group (reference §9 E)
//!
//! Run with `cargo run --example backfill`.
//!
//! A PG of a size-3 pool is Active+Clean on osd.0, osd.1 and osd.2, its log
//! trimmed to `(10'5, 10'18]`. CRUSH now maps it to [0, 1, 3]: osd.3 is new and
//! holds nothing. Its history is older than the log's tail, so it cannot be brought
//! up to date by replaying log entries (*recovery*); every object must be copied
//! (*backfill*). Meanwhile the PG must keep serving writes from OSDs that hold the
//! data, so:
//!
//! 1. the primary asks the monitor for a *pg_temp* [0, 1, 2]: the acting set stays
//!    the old one while the up set is [0, 1, 3], and osd.3 joins as a backfill
//!    target (the PG is *remapped*);
//! 2. it takes a slot of its own OSD's *local* reserver, then of osd.3's *remote*
//!    reserver (`MBackfillReserve` REQUEST/GRANT), so backfill never overloads an
//!    OSD;
//! 3. the recovery engine copies the objects in order, `last_backfill` advancing on
//!    both sides, and reports `Backfilled`; the reservations are released;
//! 4. the primary asks for the pg_temp to go; in the next interval acting == up
//!    == [0, 1, 3], osd.2 is a stray and is told to delete its copy.
//!
//! Four `Osd` hosts play it (`OsdHarness`): every message between them is an
//! encoded frame, the monitor publishes maps with CRUSH (the PG's placement is a
//! `pg_upmap`), and each OSD's reservers and recovery engine do the work.

use peering::core::ctx::{HostNotification, MonRequest, ReservationOp};
use peering::core::intervals::UpActing;
use peering::core::log::{LogEntry, LogOp, Missing, PgLog, PgLogT};
use peering::core::machine::{PgLoad, StateId};
use peering::core::types::{
    EVersion, ObjectId, OsdId, PgHistory, PgId, PgInfo, PgShard, SpgId, UTime,
};
use peering::osd::harness::Entry;
use peering::osd::harness::osd_cluster::OsdHarness as Harness;

/// One object per version `10'1..=10'18`.
fn object(v: u64) -> ObjectId {
    ObjectId::new(1, v as u32, format!("o{v}"))
}

/// What osd.`osd` has on disk: the PG active and clean at epoch 10 on [0, 1, 2],
/// log `(10'5, 10'18]`.
fn disk_state(osd: i32, pgid: SpgId) -> PgLoad {
    let (tail, head) = (EVersion::new(10, 5), EVersion::new(10, 18));
    let mut log = PgLogT::new(tail, head);
    log.entries = (6..=18)
        .map(|v| {
            LogEntry::new(
                LogOp::Modify,
                object(v),
                EVersion::new(10, v),
                EVersion::ZERO,
            )
        })
        .collect();
    // Started, clean, and in the same interval since epoch 10.
    let mut history = PgHistory::new(1, UTime::default());
    for e in [
        &mut history.last_epoch_started,
        &mut history.last_interval_started,
        &mut history.last_epoch_clean,
        &mut history.last_interval_clean,
        &mut history.same_interval_since,
        &mut history.same_up_since,
        &mut history.same_primary_since,
    ] {
        *e = 10;
    }
    let mut info = PgInfo::new(pgid);
    info.last_update = head;
    info.last_complete = head;
    info.log_tail = tail;
    info.last_epoch_started = 10;
    info.last_interval_started = 10;
    info.history = history;
    info.stats.num_objects = 18;
    PgLoad {
        whoami: PgShard::replica(osd),
        info,
        past_intervals: Default::default(),
        log: PgLog::from_parts(log, Missing::new(true)).expect("a consistent log"),
        mapping: UpActing::new(&[0, 1, 2], 0, &[0, 1, 2], 0),
        config: Default::default(),
    }
}

/// The sets as `[0,1,3]`.
fn fmt_set(osds: impl IntoIterator<Item = OsdId>) -> String {
    let v: Vec<String> = osds.into_iter().map(|o| o.0.to_string()).collect();
    format!("[{}]", v.join(","))
}

/// The primary's view of up and acting.
fn sets(h: &Harness, spg: SpgId) -> (String, String) {
    let m = h.pg(0, spg).expect("primary runs").mapping();
    (
        fmt_set(m.up.iter().copied()),
        fmt_set(m.acting.iter().copied()),
    )
}

/// One line: the primary's up and acting sets, state and PG state bits, and the
/// pg_temp requests the monitor has not applied yet.
fn status(h: &Harness, spg: SpgId) {
    let (up, acting) = sets(h, spg);
    let bits = h
        .pg(0, spg)
        .map(|p| p.state_bits().to_string())
        .unwrap_or_default();
    let pending: Vec<String> = h
        .pending_pg_temp()
        .values()
        .map(|w| fmt_set(w.iter().copied()))
        .collect();
    println!(
        "  -> up={up} acting={acting} {} [{bits}] pending pg_temp: {}",
        h.state(0, spg),
        if pending.is_empty() {
            "none".to_string()
        } else {
            pending.join(" ")
        }
    );
}

/// Prints what a newcomer to backfill cares about from transcript position `from`.
fn narrate(h: &Harness, from: usize) {
    for e in h.transcript().since(from) {
        let line = match e {
            Entry::Map { .. } => Some(e.to_string()),
            Entry::Mon { request, .. } if !matches!(request, MonRequest::ClearPgTemp { .. }) => {
                Some(e.to_string())
            }
            Entry::Entered { state, .. } if state.def().initial.is_none() => Some(e.to_string()),
            Entry::Sent { .. } => {
                let s = e.to_string();
                (s.contains("MBackfillReserve")
                    || s.contains("MOSDPGLog")
                    || s.contains("MOSDPGRemove"))
                .then_some(s)
            }
            Entry::Reservation { osd, op, .. } => match op {
                ReservationOp::RequestLocal { priority, .. } => Some(format!(
                    "{osd} local reserver: request, priority {priority}"
                )),
                ReservationOp::RequestRemoteBackfill { priority, .. } => Some(format!(
                    "{osd} remote reserver: space check passed, request, priority {priority}"
                )),
                _ => None,
            },
            Entry::Notified {
                note: HostNotification::BackfillReserved,
                osd,
                ..
            } => Some(format!(
                "{osd} holds every backfill reservation: backfill starts"
            )),
            Entry::Engine { .. } => Some(e.to_string()),
            _ => None,
        };
        if let Some(l) = line {
            println!("  {l}");
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pgid = PgId::new(1, 0);
    let spg = SpgId::replicated(pgid);
    // Epoch 10 (nine maps in which nothing changed, then osd.0's up_thru 10),
    // four OSDs on a CRUSH map of four hosts; the PG placed on [0, 1, 2].
    let mut h = Harness::replicated(&[0, 1, 2, 3], 1, 3)?;
    while h.epoch() < 9 {
        h.publish("", |_| {})?;
    }
    h.publish("osd.0 up_thru 10", |inc| {
        inc.new_up_thru.insert(OsdId(0), 10);
    })?;
    h.place(pgid, &[0, 1, 2])?;
    for o in 0..3 {
        h.load(o, disk_state(o, spg))?;
        for v in 1..=18 {
            h.seed_object(o, spg, &object(v))?;
        }
    }
    h.start_osd(3)?;
    h.run()?;
    let (up, acting) = sets(&h, spg);
    println!(
        "== 1. PG {spg} is {} on up={up} acting={acting}; osd.3 is up and empty",
        h.state(0, spg)
    );

    println!("\n== 2. CRUSH maps the PG to [0,1,3]: osd.3 is new in the up set");
    println!("   osd.3's empty history is older than the log tail 10'5: it needs backfill,");
    println!("   so the primary asks the monitor to keep the old acting set (pg_temp)");
    h.policy_mut().grant_pg_temp = false;
    let mut from = h.transcript().len();
    h.place(pgid, &[0, 1, 3])?;
    h.publish("crush: pg 1.0 -> [0,1,3]", |_| {})?;
    h.run()?;
    narrate(&h, from);
    status(&h, spg);

    println!("\n== 3. The monitor sets pg_temp [0,1,2]: the PG is active on the old set,");
    println!("   remapped, osd.3 a backfill target; reservations, then backfill");
    from = h.transcript().len();
    h.grant_mon_requests(false, true)?;
    h.run()?;
    narrate(&h, from);
    status(&h, spg);

    println!("\n== 4. Backfill is complete: the primary asked for the pg_temp to go ([]);");
    println!("   the monitor clears it, a new interval starts on [0,1,3] and osd.2, now a");
    println!("   stray, deletes its copy");
    h.policy_mut().grant_pg_temp = true;
    from = h.transcript().len();
    h.run()?;
    narrate(&h, from);
    status(&h, spg);

    println!("\n== 5. What osd.3 persisted");
    if let Some(s) = h.store().get(OsdId(3), spg) {
        let info = s.info.as_ref().expect("info written");
        println!(
            "  last_update {} last_backfill {} objects {}",
            info.last_update,
            if info.last_backfill.is_max() {
                "MAX"
            } else {
                "partial"
            },
            s.objects.len()
        );
    }
    println!(
        "  osd.2 still stores the PG: {}",
        h.store().get(OsdId(2), spg).is_some()
    );
    println!(
        "  safety violations (DESIGN.md §7): {}",
        h.violations().len()
    );

    let (up, acting) = sets(&h, spg);
    let state = h.state(0, spg);
    assert_eq!(up, acting, "backfill ends with acting == up");
    assert_eq!(h.pg(0, spg).map(|p| p.state_id()), Some(StateId::Clean));
    println!("final: up={up} acting={acting} state={state}");
    Ok(())
}
