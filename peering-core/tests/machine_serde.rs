//! Everything the machine hands the host is a plain value (DESIGN.md §3): the PG
//! itself and its output context round-trip through serde (run with
//! `--features serde`).

#![cfg(feature = "serde")]

mod machine_support;

use machine_support::Cluster;
use peering_core::ctx::RecoveryCtx;
use peering_core::machine::Pg;

#[test]
fn pg_and_context_round_trip() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.hold_commits = true;
    c.run();
    let pg = c.pg(0).clone();
    let bytes = postcard::to_allocvec(&pg).unwrap();
    let back: Pg = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, pg);

    let map = c.map().clone();
    let mut next = map.next();
    next.set_up_thru(0, 1);
    let mut pg = pg;
    let mut ctx = RecoveryCtx::new();
    pg.advance_map(&next, &map, machine_support::mapping(&[0, 1, 2]), &mut ctx)
        .unwrap();
    pg.activate_map(&next, &mut ctx).unwrap();
    assert!(!ctx.messages().is_empty() && !ctx.clone().take_persist().committed().is_empty());
    let bytes = postcard::to_allocvec(&ctx).unwrap();
    let back: RecoveryCtx = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, ctx);
}
