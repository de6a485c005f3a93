//! The statechart engine's semantics (reference §0.2), observed through the real
//! chart: innermost-first dispatch, forwarding, exit/entry order around the least
//! common ancestor, default substates, self-transitions, posted events, the posted
//! limit, and the catch-all to `Crashed`.

mod machine_support;

use machine_support::{Cluster, map1, mapping, pgid};
use peering_core::Crash;
use peering_core::PeeringError;
use peering_core::ctx::RecoveryCtx;
use peering_core::event::{Event, EventKind, PeeringEvt};
use peering_core::intervals::PastIntervals;
use peering_core::machine::{Config, Pg, PgCreate, StateId, StateRecord, Transit};
use peering_core::types::{PgHistory, PgShard, UTime};

fn records(pg: &Pg) -> Vec<(Transit, StateId)> {
    pg.state_history()
        .records()
        .map(|r: &StateRecord| (r.transit, r.state))
        .collect()
}

use Transit::{Enter, Exit};

#[test]
fn creation_enters_default_substates_outer_to_inner() {
    let c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    let seq = records(c.pg(0));
    // Initial → Reset (Initialize); ActMap → Started, whose default substate is
    // Start; Start posts MakePrimary → Primary, whose default is Peering, whose
    // default is GetInfo.
    assert_eq!(
        seq,
        vec![
            (Enter, StateId::Initial),
            (Exit, StateId::Initial),
            (Enter, StateId::Reset),
            (Exit, StateId::Reset),
            (Enter, StateId::Started),
            (Enter, StateId::Start),
            (Exit, StateId::Start),
            (Enter, StateId::Primary),
            (Enter, StateId::Peering),
            (Enter, StateId::GetInfo),
        ]
    );
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Peering/GetInfo");
    let names: Vec<_> = c.pg(0).active_states().map(|s| s.name()).collect();
    assert_eq!(
        names,
        [
            "Started",
            "Started/Primary",
            "Started/Primary/Peering",
            "Started/Primary/Peering/GetInfo"
        ]
    );
}

#[test]
fn transit_exits_inner_to_outer_up_to_the_common_ancestor() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::WaitUpThru);
    c.pgs.get_mut(&0).unwrap().clear_state_history();
    c.hold_commits = true;
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    // Peering's Activate → Active: the common ancestor is Primary, which stays.
    let seq = records(c.pg(0));
    assert_eq!(
        seq,
        vec![
            (Exit, StateId::WaitUpThru),
            (Exit, StateId::Peering),
            (Enter, StateId::Active),
            (Enter, StateId::Activating),
        ]
    );
}

#[test]
fn a_transit_to_the_current_state_exits_and_reenters_it() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(1).state_id(), StateId::RepNotRecovering);
    c.pgs.get_mut(&1).unwrap().clear_state_history();
    let e = c.epoch();
    c.deliver(1, PeeringEvt::new(e, Event::RemoteReservationCanceled));
    assert_eq!(
        records(c.pg(1)),
        vec![
            (Exit, StateId::RepNotRecovering),
            (Enter, StateId::RepNotRecovering)
        ]
    );
    assert_eq!(c.pg(1).state_id(), StateId::RepNotRecovering);
}

#[test]
fn innermost_state_reacts_first_and_forwarding_reaches_outer_states() {
    // GetLog's AdvMap forwards to Peering (which clears need_up_thru) and Started.
    let mut c = Cluster::with_pgs(&[0, 1, 2], &[0, 1, 2], &[0, 1, 2], 3, |_| {});
    c.run();
    assert!(c.pg(0).need_up_thru());
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    // WaitUpThru's ActMap posts Activate and forwards to Primary; Peering's AdvMap
    // (forwarded from WaitUpThru, which does not list AdvMap) cleared need_up_thru.
    assert!(!c.pg(0).need_up_thru());
    assert!(c.pg(0).in_state(StateId::Active));
}

fn create_single(config: Config) -> Result<Pg, PeeringError> {
    let map = map1(&[0], 1);
    let mut ctx = RecoveryCtx::new();
    Pg::create(
        PgCreate {
            whoami: PgShard::replica(0),
            pgid: pgid(),
            mapping: mapping(&[0]),
            history: PgHistory::new(1, UTime::default()),
            past_intervals: PastIntervals::default(),
            config,
        },
        &map,
        &mut ctx,
    )
}

#[test]
fn posted_events_run_fifo_after_the_current_one() {
    // A size-1 PG has nobody to ask: on ActMap, Start posts MakePrimary, GetInfo
    // posts GotInfo, GetLog posts GotLog, GetMissing posts NeedUpThru; each runs
    // after the reaction (and transit) that posted it, all inside one call.
    let pg = create_single(Config::default()).unwrap();
    assert_eq!(pg.state_id(), StateId::WaitUpThru);
    let entered: Vec<_> = pg.state_history().entered().collect();
    assert_eq!(
        entered,
        [
            StateId::Initial,
            StateId::Reset,
            StateId::Started,
            StateId::Start,
            StateId::Primary,
            StateId::Peering,
            StateId::GetInfo,
            StateId::GetLog,
            StateId::GetMissing,
            StateId::WaitUpThru
        ]
    );
}

#[test]
fn a_posted_chain_longer_than_the_limit_is_an_error() {
    // ActMap plus four posted events do not fit a limit of 3.
    let config = Config {
        max_posted_events: 3,
        ..Config::default()
    };
    assert_eq!(
        create_single(config).unwrap_err(),
        PeeringError::Crashed(Crash::PostedEventLimit { limit: 3 })
    );
    let config = Config {
        max_posted_events: 5,
        ..Config::default()
    };
    assert!(create_single(config).is_ok());
}

#[test]
fn an_unhandled_event_crashes_the_pg_and_later_events_are_refused() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    assert_eq!(c.pg(1).state_id(), StateId::Stray);
    let e = c.epoch();
    let map = c.map().clone();
    let pg = c.pgs.get_mut(&1).unwrap();
    let mut ctx = RecoveryCtx::new();
    // GotLog is nothing a stray lists: it reaches Started's catch-all.
    let err = pg
        .handle_event(PeeringEvt::new(e, Event::GotLog), &map, &mut ctx)
        .unwrap_err();
    assert_eq!(
        err,
        PeeringError::Crashed(Crash::Unhandled {
            state: StateId::Stray,
            event: EventKind::GotLog
        })
    );
    assert!(pg.is_crashed());
    // The catch-all is a transition: exit actions ran, Crashed was entered.
    let last: Vec<_> = records(pg).into_iter().rev().take(3).collect();
    assert_eq!(
        last,
        vec![
            (Enter, StateId::Crashed),
            (Exit, StateId::Started),
            (Exit, StateId::Stray)
        ]
    );
    assert_eq!(
        pg.handle_event(PeeringEvt::new(e, Event::NullEvt), &map, &mut ctx),
        Err(PeeringError::Crashed(Crash::AlreadyCrashed))
    );
    // The PG still answers questions.
    assert_eq!(pg.state_name(), "Crashed");
    assert_eq!(pg.info().pgid, pgid());
}

#[test]
fn the_catch_all_of_initial_crashes_on_anything_but_initialize() {
    let map = map1(&[0], 1);
    let mut pg = Pg::new(
        machine_support::ceph_config(),
        PgShard::replica(0),
        pgid(),
        &map,
    )
    .unwrap();
    let mut ctx = RecoveryCtx::new();
    assert_eq!(
        pg.handle_event(PeeringEvt::new(1, Event::NullEvt), &map, &mut ctx),
        Ok(peering_core::machine::EventOutcome::Delivered)
    );
    assert_eq!(pg.state_id(), StateId::Initial);
    assert_eq!(
        pg.handle_event(PeeringEvt::new(1, Event::MakePrimary), &map, &mut ctx),
        Err(PeeringError::Crashed(Crash::Unhandled {
            state: StateId::Initial,
            event: EventKind::MakePrimary
        }))
    );
}
