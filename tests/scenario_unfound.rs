//! An object lost on every copy ends unfound (reference §5.16, §3 "Recovering",
//! "NotRecovering"): the authoritative log (osd.0, 10'18) says `o17` was written at
//! 10'17, but osd.0 never got the data (it is in its own missing set) and the
//! replicas stop at 10'16. Recovery pushes what can be pushed (`o18`), finds no
//! location for `o17`, and the host reports `UnfoundRecovery`: the PG stays active
//! with `RECOVERY_UNFOUND` set and one unfound object, never Clean.

mod scenario_support;

use peering::core::log::{Missing, PgLog};
use peering::core::machine::StateId;
use peering::core::types::{EVersion, ObjectId, PgState};
use scenario_support::*;

fn o(v: u32) -> ObjectId {
    ObjectId::new(POOL, v, format!("o{v}"))
}

#[test]
fn an_object_lost_on_every_replica_is_reported_unfound() {
    let mut h = osd_loaded_cluster(&[0, 1, 2], 3, &[(1, 16, 10), (2, 16, 10)]);
    let mut primary = loaded_pg(0, 18, 10);
    let mut missing = Missing::new(true);
    missing.add(&o(17), EVersion::new(10, 17), EVersion::ZERO, false);
    primary.log = PgLog::from_parts(primary.log.log().log().clone(), missing).unwrap();
    primary.info.last_complete = EVersion::new(10, 16);
    h.load(0, primary).unwrap();
    h.run().unwrap();

    let pg = h.pg(0, spg()).unwrap();
    assert_eq!(pg.state_name(), "Started/Primary/Active/NotRecovering");
    let bits = pg.state_bits();
    assert!(
        bits.contains(PgState::ACTIVE | PgState::RECOVERY_UNFOUND),
        "{bits}"
    );
    assert!(!bits.contains(PgState::CLEAN), "{bits}");
    assert_eq!(pg.missing_loc().num_unfound(), 1);
    assert!(pg.missing_loc().is_unfound(&o(17)));
    assert!(pg.needs_recovery());
    // The recovery engine pushed o18 to both replicas and gave up on o17.
    let engine = engine_lines(&h);
    assert!(
        engine
            .iter()
            .any(|l| l.contains("o18") && l.ends_with("to osd.1"))
    );
    assert!(
        engine
            .iter()
            .any(|l| l.contains("o18") && l.ends_with("to osd.2"))
    );
    assert!(!engine.iter().any(|l| l.contains("o17")));
    assert_eq!(
        engine[engine.len() - 2..],
        ["1 object(s) unfound", "delivers UnfoundRecovery"]
    );
    let entered = entered_since(&h, 0, 0);
    assert!(entered.ends_with(&[StateId::Recovering, StateId::NotRecovering]));
    assert!(!entered.contains(&StateId::Clean));
    // Persisted: the primary still misses o17; each replica has o18 and misses o17.
    for osd in 0..3 {
        let s = stored(&h, osd);
        let m = s.missing.as_ref().unwrap();
        assert!(m.is_missing(&o(17)), "osd.{osd}");
        assert!(!m.is_missing(&o(18)), "osd.{osd}");
    }
    assert_safe(&h);
}
