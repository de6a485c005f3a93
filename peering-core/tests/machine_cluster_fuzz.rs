//! Legal traces never crash a PG (reference §0.2 rule 3, §10.5): random OSD
//! failures and recoveries, the monitor granting up_thru, commits arriving late,
//! messages delivered in order per sender; every PG instance must keep answering
//! without `Unhandled` or a broken invariant, and a quiet cluster of three up OSDs
//! ends Active+Clean.

mod machine_support;

use machine_support::Cluster;
use peering_core::types::{OsdId, PgState};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// Deliver up to n queued messages.
    Deliver(usize),
    /// OSD goes down (if at least two others stay up).
    Down(i32),
    /// OSD comes back up.
    Up(i32),
    /// The monitor records pending up_thru requests.
    GrantUpThru,
    /// Held commits complete.
    Commit,
    /// Toggle holding commits.
    Hold(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (1..8usize).prop_map(Op::Deliver),
        2 => (0..5i32).prop_map(Op::Down),
        2 => (0..5i32).prop_map(Op::Up),
        2 => Just(Op::GrantUpThru),
        1 => Just(Op::Commit),
        1 => any::<bool>().prop_map(Op::Hold),
    ]
}

fn up_osds(c: &Cluster) -> Vec<i32> {
    c.map()
        .osds
        .iter()
        .filter(|(_, s)| s.up)
        .map(|(o, _)| o.0)
        .collect()
}

/// CRUSH stand-in: the first three up OSDs.
fn acting(c: &Cluster) -> Vec<i32> {
    up_osds(c).into_iter().take(3).collect()
}

fn deliver_some(c: &mut Cluster, n: usize) {
    for _ in 0..n {
        if c.queue.is_empty() {
            return;
        }
        let (to, evt) = c.queue.remove(0);
        let up = c.map().osds.get(&OsdId(to)).is_some_and(|s| s.up);
        if !up || !c.pgs.contains_key(&to) {
            continue;
        }
        // An event from an epoch the PG has not reached waits (the host advances
        // the PG first; here it is behind only if it was down).
        if evt.epoch_sent > c.pg(to).epoch() {
            continue;
        }
        c.deliver(to, evt);
    }
}

fn grant_up_thru(c: &mut Cluster) {
    let wants = std::mem::take(&mut c.want_up_thru);
    if wants.is_empty() {
        return;
    }
    let a = acting(c);
    c.next_map(&a, |m| {
        for (o, e) in &wants {
            if m.osds.get(&OsdId(*o)).is_some_and(|s| s.up) {
                m.set_up_thru(*o, *e);
            }
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn legal_traces_never_crash_and_settle_clean(ops in proptest::collection::vec(op(), 1..40)) {
        let mut c = Cluster::with_pgs(&[0, 1, 2, 3, 4], &[0, 1, 2, 3, 4], &[0, 1, 2], 3, |_| {});
        for op in ops {
            match op {
                Op::Deliver(n) => deliver_some(&mut c, n),
                Op::Down(o) => {
                    let ups = up_osds(&c);
                    if ups.contains(&o) && ups.len() > 3 {
                        let mut rest = ups.clone();
                        rest.retain(|x| *x != o);
                        let a: Vec<i32> = rest.into_iter().take(3).collect();
                        c.next_map(&a, |m| m.mark_down(o));
                    }
                }
                Op::Up(o) => {
                    if !up_osds(&c).contains(&o) {
                        let mut ups = up_osds(&c);
                        ups.push(o);
                        ups.sort();
                        let a: Vec<i32> = ups.into_iter().take(3).collect();
                        c.next_map(&a, |m| m.mark_up(o));
                    }
                }
                Op::GrantUpThru => grant_up_thru(&mut c),
                Op::Commit => c.release_commits(),
                Op::Hold(h) => {
                    c.hold_commits = h;
                    if !h {
                        c.release_commits();
                    }
                }
            }
            for pg in c.pgs.values() {
                prop_assert!(!pg.is_crashed(), "{} crashed", pg.info().pgid);
            }
        }
        // Faults stop: commits flow, messages drain, the monitor answers.
        c.hold_commits = false;
        c.release_commits();
        for _ in 0..20 {
            deliver_some(&mut c, 10_000);
            grant_up_thru(&mut c);
            c.release_commits();
            if c.queue.is_empty() && c.want_up_thru.is_empty() {
                break;
            }
        }
        let a = acting(&c);
        let primary = c.pg(a[0]);
        prop_assert_eq!(primary.state_name(), "Started/Primary/Active/Clean");
        prop_assert!(primary.state_bits().contains(PgState::ACTIVE | PgState::CLEAN));
        for o in &a[1..] {
            prop_assert_eq!(c.pg(*o).state_name(), "Started/ReplicaActive/RepNotRecovering");
        }
    }
}
