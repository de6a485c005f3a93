//! A replicated stretch pool end to end, through real `Osd` hosts and a
//! CRUSH map with two datacenters: losing a site leaves the PG peered, not
//! active (`PeeringState::acting_set_writeable` with
//! `pg_pool_t::stretch_set_can_peer`); the interval it spent there is not
//! one that may have gone read-write (`PastIntervals::check_new_interval`);
//! and the monitor's degraded stretch mode (bucket count 1, the surviving
//! site mandatory) starts a new interval in which the PG goes active.

mod scenario_support;

use peering::core::map::{PoolInfo, StretchRule};
use peering::core::types::{OsdId, PgShard, PgState};
use peering::osd::crush::parse_crush_text;
use peering::osd::harness::OsdHarness as Harness;
use scenario_support::*;

/// osd.0 and osd.1 in dc0 (-6), osd.2 and osd.3 in dc1 (-7), one host each;
/// rule 0 picks two datacenters and two hosts in each.
const TWO_SITES: &str = "\
tunable choose_total_tries 50
tunable chooseleaf_descend_once 1
tunable chooseleaf_vary_r 1
tunable chooseleaf_stable 1
tunable straw_calc_version 1
tunable allowed_bucket_algs 54
device 0 osd.0
device 1 osd.1
device 2 osd.2
device 3 osd.3
type 0 osd
type 1 host
type 8 datacenter
type 10 root
host h0 {
\tid -2
\talg straw2
\thash 0
\titem osd.0 weight 1.00000
}
host h1 {
\tid -3
\talg straw2
\thash 0
\titem osd.1 weight 1.00000
}
host h2 {
\tid -4
\talg straw2
\thash 0
\titem osd.2 weight 1.00000
}
host h3 {
\tid -5
\talg straw2
\thash 0
\titem osd.3 weight 1.00000
}
datacenter dc0 {
\tid -6
\talg straw2
\thash 0
\titem h0 weight 1.00000
\titem h1 weight 1.00000
}
datacenter dc1 {
\tid -7
\talg straw2
\thash 0
\titem h2 weight 1.00000
\titem h3 weight 1.00000
}
root default {
\tid -1
\talg straw2
\thash 0
\titem dc0 weight 2.00000
\titem dc1 weight 2.00000
}
rule stretch_rule {
\tid 0
\ttype replicated
\tstep take default
\tstep choose firstn 2 type datacenter
\tstep chooseleaf firstn 2 type host
\tstep emit
}
";

const DC0: i32 = -6;
const DATACENTER: u32 = 8;

/// Healthy stretch mode: size 4, min_size 2, two sites each holding two.
fn stretch_pool() -> PoolInfo {
    let mut pool = PoolInfo::replicated(POOL, 4, 1);
    pool.min_size = 2;
    pool.stretch = Some(StretchRule {
        bucket_count: 2,
        bucket_target: 2,
        bucket_barrier: DATACENTER,
        mandatory_member: i32::MAX,
        num_zones: 0,
    });
    pool
}

fn active_over_two_sites() -> Harness {
    let crush = parse_crush_text(TWO_SITES).unwrap();
    let mut h = Harness::with_crush(&[0, 1, 2, 3], crush, stretch_pool()).unwrap();
    h.place(pgid(), &[0, 2, 1, 3]).unwrap();
    h.create_everywhere(pgid()).unwrap();
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    h
}

fn bits(h: &Harness) -> PgState {
    h.pg(0, spg()).unwrap().state_bits()
}

#[test]
fn both_sites_up_the_pg_is_active_and_clean() {
    let mut h = active_over_two_sites();
    assert!(bits(&h).contains(PgState::ACTIVE | PgState::CLEAN));
    assert_eq!(h.mapping(pgid()).acting.len(), 4);
    h.write(spg(), "a").unwrap();
}

#[test]
fn losing_a_site_leaves_the_pg_peered_until_degraded_stretch_mode() {
    let mut h = active_over_two_sites();
    h.write(spg(), "before").unwrap();

    // dc1 goes dark.
    h.stop_osd(2);
    h.stop_osd(3);
    let lost = h.osds_down(&[2, 3]).unwrap();
    h.run().unwrap();
    let acting: Vec<i32> = h.mapping(pgid()).acting.iter().map(|o| o.0).collect();
    assert_eq!(acting, [0, 1]);
    // Two copies meet min_size, but one site cannot peer a two-site pool.
    let b = bits(&h);
    assert!(b.contains(PgState::PEERED), "{b:?}");
    assert!(!b.contains(PgState::ACTIVE), "{b:?}");
    assert!(
        h.write(spg(), "refused").is_err(),
        "a peered PG serves no writes"
    );
    let les_while_peered = h.pg(0, spg()).unwrap().info().last_epoch_started;
    assert!(
        les_while_peered < lost,
        "a peered activation starts no epoch"
    );

    // The monitor's degraded stretch mode: one site is enough, and it must be
    // dc0. The stretch fields changed, so a new interval starts.
    let degraded = h
        .publish("degraded stretch mode", |inc| {
            let mut pool = stretch_pool();
            pool.stretch = Some(StretchRule {
                bucket_count: 1,
                bucket_target: 1,
                bucket_barrier: DATACENTER,
                mandatory_member: DC0,
                num_zones: 0,
            });
            inc.set_pool(pool);
        })
        .unwrap();
    h.run().unwrap();
    let b = bits(&h);
    assert!(b.contains(PgState::ACTIVE), "{b:?}");
    assert!(!b.contains(PgState::PEERED), "{b:?}");
    // This activation counts (once the monitor recorded up_thru for it).
    assert!(h.pg(0, spg()).unwrap().info().last_epoch_started >= degraded);
    h.write(spg(), "after").unwrap();

    // The peered interval [lost, degraded - 1] with acting {0, 1} could not
    // have gone read-write, so the compact past intervals keep no entry for
    // it: no later peering has to probe it.
    let pi = h.pg(0, spg()).unwrap().past_intervals();
    // The peered interval was recorded: the past intervals reach its end.
    assert_eq!(pi.last(), degraded - 1, "{pi:?}");
    let peered: std::collections::BTreeSet<PgShard> =
        [0, 1].iter().map(|&o| PgShard::replica(o)).collect();
    assert!(
        !pi.intervals()
            .iter()
            .any(|i| i.first == lost && i.acting == peered),
        "{pi:?}"
    );
    assert!(!h.pg(0, spg()).unwrap().is_crashed());
    assert_eq!(h.mapping(pgid()).acting_primary, OsdId(0));
}
