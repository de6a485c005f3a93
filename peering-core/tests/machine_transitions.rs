//! Three replicas through the peering path (reference §9 A): creation, peering,
//! up_thru, activation, clean.

mod machine_support;

use machine_support::Cluster;
use peering_core::types::PgState;

#[test]
fn three_replicas_reach_active_clean() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Peering/WaitUpThru");
    assert_eq!(c.pg(1).state_name(), "Started/Stray");
    assert!(c.pg(0).need_up_thru());
    // The monitor records up_thru(0) >= 1.
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    println!("{:?}", c.names());
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Active/Clean");
    for o in [1, 2] {
        assert_eq!(
            c.pg(o).state_name(),
            "Started/ReplicaActive/RepNotRecovering"
        );
        assert!(c.pg(o).state_bits().contains(PgState::ACTIVE));
    }
    let bits = c.pg(0).state_bits();
    assert!(bits.contains(PgState::ACTIVE | PgState::CLEAN), "{bits}");
    assert_eq!(c.pg(0).history().last_epoch_started, 2);
    assert_eq!(c.pg(0).history().last_epoch_clean, 2);
}
