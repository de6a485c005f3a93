//! Loading a PG the way Ceph does (`PG::read_state` then `Initialize`): the PG is
//! left in `Reset` at the epoch it was persisted at, and only the host's
//! `AdvMap`* `ActMap` up to the current map starts it, so a PG restarted after a
//! long outage never peers on a stale map.

mod machine_support;

use machine_support::{loaded_pg, mapping};
use peering_core::HostMisuse;
use peering_core::PeeringError;
use peering_core::ctx::RecoveryCtx;
use peering_core::event::{Event, PeeringEvt};
use peering_core::machine::{Pg, StateId, Transit};
use peering_core::map::{PoolInfo, SimpleOsdMap};
use peering_core::types::Epoch;

/// Maps 10..=16 of a size-3 pool on osd.0..2: osd.1 (the loading OSD) is down
/// from 11 to 15 and back up at 16; the PG maps to [0, 2] while it is down.
fn maps() -> Vec<SimpleOsdMap> {
    let mut m = SimpleOsdMap::new(10).with_pool(PoolInfo::replicated(1, 3, 1));
    for o in 0..3 {
        m = m.with_up_osd(o, 1);
    }
    m.set_up_thru(0, 10);
    let mut maps = vec![m];
    for e in 11..=16 {
        let mut next = maps.last().unwrap().next();
        match e {
            11 => next.mark_down(1),
            16 => next.mark_up(1),
            _ => {}
        }
        maps.push(next);
    }
    maps
}

fn acting_at(e: Epoch) -> Vec<i32> {
    if (11..16).contains(&e) {
        vec![0, 2]
    } else {
        vec![0, 1, 2]
    }
}

#[test]
fn a_loaded_pg_stays_in_reset_until_the_host_advances_it() {
    let maps = maps();
    let (_, args) = loaded_pg(1, 5, 10);
    let mut ctx = RecoveryCtx::new();
    let mut pg = Pg::load(args, &maps[0], &mut ctx).unwrap();
    assert_eq!(pg.state_id(), StateId::Reset);
    assert_eq!(pg.epoch(), 10);
    assert!(pg.needs_act_map());
    // Nothing is sent from Reset, and nothing but maps may be delivered.
    assert!(ctx.drain_outgoing().is_empty());
    assert_eq!(
        pg.handle_event(PeeringEvt::new(10, Event::NullEvt), &maps[0], &mut ctx),
        Err(PeeringError::HostMisuse(HostMisuse::MapBatchOpen {
            event: peering_core::event::EventKind::NullEvt
        }))
    );
    // The host advances it to the current map, then ActMap starts it there.
    for w in maps.windows(2) {
        let (last, next) = (&w[0], &w[1]);
        let m = mapping(&acting_at(next.epoch));
        pg.advance_map(next, last, m, &mut ctx).unwrap();
        assert_eq!(pg.state_id(), StateId::Reset);
    }
    pg.activate_map(&maps[6], &mut ctx).unwrap();
    assert!(!pg.needs_act_map());
    assert_eq!(pg.state_id(), StateId::Stray);
    assert_eq!(pg.epoch(), 16);
    // No Primary or ReplicaActive state was ever entered below epoch 16.
    let early: Vec<_> = pg
        .state_history()
        .records()
        .filter(|r| r.transit == Transit::Enter && r.epoch < 16)
        .map(|r| r.state)
        .collect();
    assert_eq!(early, [StateId::Initial, StateId::Reset]);
}

#[test]
fn a_loaded_pg_on_the_current_map_starts_on_act_map_alone() {
    let maps = maps();
    let (_, args) = loaded_pg(0, 5, 10);
    let mut ctx = RecoveryCtx::new();
    let mut pg = Pg::load(args, &maps[0], &mut ctx).unwrap();
    assert_eq!(pg.state_id(), StateId::Reset);
    pg.activate_map(&maps[0], &mut ctx).unwrap();
    assert_eq!(pg.state_id(), StateId::GetInfo);
}
