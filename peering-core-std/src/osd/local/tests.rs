//! LocalCluster end to end; preference lists as pg_upmap; state reports.

use super::*;

#[test]
fn local_cluster_peers_a_pool_to_active_clean() {
    let map = simple_map(3, 1, 3, 4).unwrap();
    let mut c = LocalCluster::new(map, &[0, 1, 2], OsdConfig::new);
    c.create_pgs(1);
    c.run(200);
    for (id, osd) in &c.osds {
        let states: Vec<_> = osd.pgs().map(|(p, pg)| (p, pg.state_name())).collect();
        assert_eq!(states.len(), 4, "{id:?} {states:?}");
        for (p, s) in states {
            assert!(
                s.contains("Active") || s.contains("ReplicaActive"),
                "{id:?} {p} {s}"
            );
        }
    }
}

fn cluster() -> LocalCluster {
    let map = simple_map(4, 1, 2, 1).unwrap();
    let mut c = LocalCluster::new(map, &[0, 1, 2, 3], |o| {
        let mut cfg = OsdConfig::new(o);
        cfg.report_states = true;
        cfg
    });
    c.set_preference(PgId::new(1, 0), &[3, 1, 0, 2]);
    c.publish(|_| {}).unwrap();
    c
}

#[test]
fn set_preference_is_kept_as_pg_upmap_across_down_and_up() {
    let mut c = cluster();
    let pg = PgId::new(1, 0);
    let up = |c: &LocalCluster| c.mon_map.pg_to_up_acting_osds(pg).up;
    assert_eq!(up(&c).as_slice(), [OsdId(3), OsdId(1)]);
    c.publish(|inc| {
        inc.mark_down(3);
    })
    .unwrap();
    assert_eq!(up(&c).as_slice(), [OsdId(1), OsdId(0)]);
    c.publish(|inc| {
        inc.mark_up(3);
    })
    .unwrap();
    assert_eq!(up(&c).as_slice(), [OsdId(3), OsdId(1)]);
}

#[test]
fn report_states_moves_log_enter_into_outputs() {
    let mut c = cluster();
    c.record_outputs(true);
    c.create_pgs(1);
    c.run(200);
    let entered: Vec<_> = c
        .drain_recorded()
        .into_iter()
        .filter_map(|(o, out)| match out {
            OsdOutput::Entered { state, .. } if o == OsdId(3) => Some(state),
            _ => None,
        })
        .collect();
    assert!(
        entered.contains(&peering_core::machine::StateId::Clean),
        "{entered:?}"
    );
}
