//! The core's logging (`pg_log!`) through the `log` back end: state transitions
//! as Ceph's `log_enter` lines, dropped events with their reason, and crashes,
//! each naming the PG.

mod machine_support;

use std::sync::Mutex;

use machine_support::{Cluster, ceph_config};
use peering_core::ctx::RecoveryCtx;
use peering_core::event::{Event, PeeringEvt};

/// Every line logged under the `peering` target, in order.
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target() == "peering"
    }

    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            LINES
                .lock()
                .unwrap()
                .push(format!("{} {}", r.level(), r.args()));
        }
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

fn lines() -> Vec<String> {
    LINES.lock().unwrap().clone()
}

#[test]
fn transitions_drops_and_crashes_are_logged_with_the_pg() {
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    let l = lines();
    assert!(l.contains(&"TRACE pg 1.0 enter Started/Primary/Peering/GetInfo".to_string()));
    assert!(
        l.contains(&"TRACE pg 1.0 enter Started/Primary/Peering/WaitUpThru".to_string()),
        "{l:#?}"
    );
    assert!(l.contains(&"TRACE pg 1.0 exit Started/Primary/Peering/GetInfo".to_string()));

    // A stale event is dropped with its reason.
    c.next_map(&[0, 1], |m| m.mark_down(2));
    let mut pg = c.pg(1).clone();
    let mut ctx = RecoveryCtx::new();
    let stale = machine_support::notify_evt(0, 1, c.pg(0).info().clone());
    let _ = pg.handle_event(stale, c.map(), &mut ctx);
    let notify = machine_support::info_evt(2, 2, c.pg(0).info().clone());
    let _ = pg.handle_event(notify, c.map(), &mut ctx);
    assert!(
        lines().contains(&"DEBUG pg 1.0 dropped MInfoRec: NotFromPrimary".to_string()),
        "{:#?}",
        lines()
    );

    // Under strict Ceph aborts an event no state takes crashes the PG.
    assert_eq!(pg.peer_infos().count(), 0, "a stray records no peers");
    let mut strict = c.pg(1).clone();
    assert!(ceph_config().strict_ceph_aborts, "the cluster runs strict");
    let e = strict.epoch();
    let _ = strict.handle_event(PeeringEvt::new(e, Event::GotLog), c.map(), &mut ctx);
    assert!(strict.is_crashed());
    assert!(
        lines().contains(&"ERROR pg 1.0 crashed: GotLog unhandled in Started/Stray".to_string()),
        "{:#?}",
        lines()
    );
}
