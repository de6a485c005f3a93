//! The chart as data (reference §1.1, §3): its structure, its printed forms, and
//! that the dispatcher does what the table says.

mod machine_support;

use peering_core::Crash;
use std::collections::BTreeSet;

use machine_support::{Cluster, unit_event};
use peering_core::PeeringError;
use peering_core::ctx::RecoveryCtx;
use peering_core::event::{EventKind, PeeringEvt};
use peering_core::machine::chart::{self, On, ReactionKind};
use peering_core::machine::{DropReason, EventOutcome, Pg, StateId, Transit};

#[test]
fn state_names_are_cephs() {
    let names: Vec<_> = StateId::ALL.iter().map(|s| s.name()).collect();
    for expected in [
        "Initial",
        "Reset",
        "Started",
        "Start",
        "Started/Primary",
        "Started/Primary/Peering",
        "Started/Primary/Peering/GetInfo",
        "Started/Primary/Peering/GetLog",
        "Started/Primary/Peering/GetMissing",
        "Started/Primary/Peering/WaitUpThru",
        "Started/Primary/Peering/Down",
        "Started/Primary/Peering/Incomplete",
        "Started/Primary/WaitActingChange",
        "Started/Primary/Active",
        "Started/Primary/Active/Activating",
        "Started/Primary/Active/Clean",
        "Started/Primary/Active/Recovered",
        "Started/Primary/Active/Backfilling",
        "Started/Primary/Active/WaitRemoteBackfillReserved",
        "Started/Primary/Active/WaitLocalBackfillReserved",
        "Started/Primary/Active/NotBackfilling",
        "Started/Primary/Active/NotRecovering",
        "Started/Primary/Active/Recovering",
        "Started/Primary/Active/WaitRemoteRecoveryReserved",
        "Started/Primary/Active/WaitLocalRecoveryReserved",
        "Started/ReplicaActive",
        "Started/ReplicaActive/RepNotRecovering",
        "Started/ReplicaActive/RepRecovering",
        "Started/ReplicaActive/RepWaitBackfillReserved",
        "Started/ReplicaActive/RepWaitRecoveryReserved",
        "Started/Stray",
        "Crashed",
    ] {
        assert!(names.contains(&expected), "{expected}");
    }
}

#[test]
fn the_tree_is_well_formed() {
    for def in chart::chart() {
        assert_eq!(def.id.def().id, def.id);
        // Names nest like the tree (Start is Ceph's exception: it prints "Start").
        if let Some(p) = def.parent {
            if def.id != StateId::Start && p != StateId::Started {
                assert!(def.id.name().starts_with(p.name()), "{:?}", def.id);
            }
        }
        assert!(def.id.depth() < 4, "{:?} too deep", def.id);
        if let Some(init) = def.initial {
            assert_eq!(
                init.parent(),
                Some(def.id),
                "{:?}'s default substate",
                def.id
            );
        }
        // A state with children has a default substate, and a leaf has none.
        let has_children = StateId::ALL.iter().any(|c| c.parent() == Some(def.id));
        assert_eq!(has_children, def.initial.is_some(), "{:?}", def.id);
        // Each event appears once per list (first match would hide a second).
        let mut seen = BTreeSet::new();
        for r in def.reactions {
            if let On::Event(k) = r.on {
                assert!(seen.insert(k), "{:?} lists {k:?} twice", def.id);
            }
        }
    }
    // The catch-alls (§0.2 rule 3) end the outermost states' lists.
    for s in [StateId::Initial, StateId::Reset, StateId::Started] {
        let last = s.def().reactions.last().unwrap();
        assert_eq!(last.on, On::Any);
        assert_eq!(last.kind, ReactionKind::Transition(StateId::Crashed));
    }
    assert!(StateId::Crashed.def().reactions.is_empty());
}

#[test]
fn dot_and_mermaid_print_every_state_and_transition() {
    let dot = chart::to_dot();
    let mermaid = chart::to_mermaid();
    assert!(dot.starts_with("digraph peering {"));
    assert!(mermaid.starts_with("stateDiagram-v2"));
    for s in StateId::ALL {
        assert!(dot.contains(s.short_name()), "{s:?}");
        assert!(mermaid.contains(s.short_name()), "{s:?}");
    }
    for def in chart::chart() {
        for r in def.reactions {
            if let (On::Event(k), ReactionKind::Transition(t)) = (r.on, r.kind) {
                let edge = format!(
                    "{} -> {} [label=\"{}\"]",
                    def.id.short_name(),
                    t.short_name(),
                    k.name()
                );
                assert!(dot.contains(&edge), "{edge}");
                let m = format!(
                    "{} --> {} : {}",
                    def.id.short_name(),
                    t.short_name(),
                    k.name()
                );
                assert!(mermaid.contains(&m), "{m}");
            }
        }
    }
    assert!(dot.contains("GetInfo -> GetLog [label=\"GotInfo\"]"));
    assert!(mermaid.contains("[*] --> GetInfo"));
}

/// The table's answer for `kind` in a configuration: the first state, innermost
/// first, whose list matches, and what it does.
fn resolve(pg: &Pg, kind: EventKind) -> Option<(StateId, ReactionKind)> {
    pg.active_states()
        .rev()
        .find_map(|id| id.def().reaction_for(kind).map(|r| (id, r.kind)))
}

/// For every configuration the path reaches and every payload-free event, the
/// dispatcher does what the table says: a catch-all crashes with `Unhandled`, a
/// transition enters its target, a discard leaves the configuration as it was.
#[test]
fn the_dispatcher_agrees_with_the_table() {
    let mut snapshots: Vec<(Pg, peering_core::map::SimpleOsdMap)> = Vec::new();
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    snapshots.push((c.pg(0).clone(), c.map().clone())); // GetInfo
    snapshots.push((c.pg(1).clone(), c.map().clone())); // Stray
    c.run();
    snapshots.push((c.pg(0).clone(), c.map().clone())); // WaitUpThru
    c.hold_commits = true;
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    snapshots.push((c.pg(0).clone(), c.map().clone())); // Activating
    c.run();
    c.release_commits();
    c.run();
    snapshots.push((c.pg(0).clone(), c.map().clone())); // Clean
    snapshots.push((c.pg(1).clone(), c.map().clone())); // RepNotRecovering

    let mut checked = 0;
    for (pg0, map) in &snapshots {
        for kind in EventKind::ALL {
            let Some(evt) = unit_event(*kind) else {
                continue;
            };
            let Some((_, reaction)) = resolve(pg0, *kind) else {
                panic!("{kind:?} in {} reaches no reaction", pg0.state_name());
            };
            let mut pg = pg0.clone();
            pg.clear_state_history();
            let before: Vec<_> = pg.active_states().collect();
            let mut ctx = RecoveryCtx::new();
            let res = pg.handle_event(PeeringEvt::new(pg.epoch(), evt), map, &mut ctx);
            checked += 1;
            // A removal for a primary is refused before the machine (where Ceph
            // would reach Started's catch-all), see `DropReason::DeleteWhilePrimary`.
            if matches!(
                res,
                Ok(EventOutcome::Dropped(DropReason::DeleteWhilePrimary))
            ) {
                assert!(pg0.is_primary() && *kind == EventKind::DeleteStart);
                continue;
            }
            match reaction {
                ReactionKind::Transition(StateId::Crashed) => {
                    assert!(
                        matches!(res, Err(PeeringError::Crashed(Crash::Unhandled { event, .. })) if event == *kind),
                        "{kind:?} in {}: {res:?}",
                        pg0.state_name()
                    );
                    assert!(pg.is_crashed());
                }
                ReactionKind::Transition(t) => {
                    let entered: Vec<_> = pg
                        .state_history()
                        .records()
                        .filter(|r| r.transit == Transit::Enter)
                        .map(|r| r.state)
                        .collect();
                    assert!(
                        entered.contains(&t),
                        "{kind:?} in {}: {t:?} not entered ({res:?})",
                        pg0.state_name()
                    );
                }
                ReactionKind::Discard => {
                    assert!(res.is_ok(), "{kind:?}: {res:?}");
                    let after: Vec<_> = pg.active_states().collect();
                    assert_eq!(before, after, "{kind:?} in {}", pg0.state_name());
                    assert_eq!(pg.state_history().records().count(), 0);
                }
                ReactionKind::Custom(_) | ReactionKind::CustomTerminate(_) => {}
            }
        }
    }
    assert!(checked > 150, "{checked}");
}

/// Issue "The rest of the chart": every event of §2, the read lease's included,
/// is named by some state's reaction list — none relies only on the catch-all
/// `transition<event_base, Crashed>` of Initial, Reset and Started (§0.2 rule 3).
#[test]
fn every_event_is_handled_by_some_state() {
    use peering_core::event::EventKind;
    use peering_core::machine::chart::{On, chart};
    let unhandled: Vec<EventKind> = EventKind::ALL
        .iter()
        .copied()
        .filter(|&kind| {
            !chart().any(|def| {
                def.reactions
                    .iter()
                    .any(|r| matches!(r.on, On::Event(k) if k == kind))
            })
        })
        .collect();
    assert!(
        unhandled.is_empty(),
        "events only the catch-all would take: {unhandled:?}"
    );
}

/// Every state of the reference tree (§1.1) exists with Ceph's name string.
#[test]
fn every_state_of_the_reference_tree_exists() {
    use peering_core::machine::StateId;
    let names: Vec<&str> = StateId::ALL.iter().map(|s| s.name()).collect();
    let active = [
        "Activating",
        "Clean",
        "Recovered",
        "Backfilling",
        "WaitRemoteBackfillReserved",
        "WaitLocalBackfillReserved",
        "NotBackfilling",
        "NotRecovering",
        "Recovering",
        "WaitRemoteRecoveryReserved",
        "WaitLocalRecoveryReserved",
    ]
    .map(|s| format!("Started/Primary/Active/{s}"));
    let peering = [
        "GetInfo",
        "GetLog",
        "GetMissing",
        "WaitUpThru",
        "Down",
        "Incomplete",
    ]
    .map(|s| format!("Started/Primary/Peering/{s}"));
    let replica = [
        "RepNotRecovering",
        "RepRecovering",
        "RepWaitBackfillReserved",
        "RepWaitRecoveryReserved",
    ]
    .map(|s| format!("Started/ReplicaActive/{s}"));
    let others = [
        "Initial",
        "Reset",
        "Started",
        "Start",
        "Started/Primary",
        "Started/Primary/Peering",
        "Started/Primary/WaitActingChange",
        "Started/Primary/Active",
        "Started/ReplicaActive",
        "Started/Stray",
        "Started/ToDelete",
        "Started/ToDelete/WaitDeleteReseved",
        "Started/ToDelete/Deleting",
        "Crashed",
    ]
    .map(String::from);
    let expected: Vec<String> = others
        .into_iter()
        .chain(peering)
        .chain(active)
        .chain(replica)
        .collect();
    for name in &expected {
        assert!(names.contains(&name.as_str()), "missing state {name}");
    }
    assert_eq!(names.len(), expected.len(), "states beyond §1.1: {names:?}");
}
