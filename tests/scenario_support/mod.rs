//! Shared set-up for the scenario tests (reference §9): PGs loaded from "disk"
//! with a log, and the assertions every scenario makes.

#![allow(dead_code)]

use peering::core::ctx::RecoveryReserveMsg;
use peering::core::machine::PgLoad;
use peering::core::types::{Epoch, OsdId, PgId, SpgId};
use peering::osd::harness::osd_cluster::OsdHarness;
use peering::osd::harness::{Entry, Outcome, Transcript, Violation};
use peering::osd::store::MemStore;
use peering::osd::store::StoredPg;

pub const POOL: i64 = 1;

pub fn pgid() -> PgId {
    PgId::new(POOL, 0)
}

pub fn spg() -> SpgId {
    SpgId::replicated(pgid())
}

/// The core's test cluster support (reference §9 fixtures), shared rather than
/// copied: its loaded-PG builder is the scenarios' starting disk state.
#[path = "../../peering-core/tests/machine_support/mod.rs"]
mod machine_support;

/// A PG as persisted on `osd`: log `10'1..=10'head`, one object per entry, local
/// les `les`, history active and clean at 10, mapped to [0, 1, 2].
pub fn loaded_pg(osd: i32, head: u64, les: Epoch) -> PgLoad {
    machine_support::loaded_pg(osd, head, les).1
}

/// What the assertions read of a harness.
pub trait Scenario {
    fn transcript(&self) -> &Transcript;
    fn store(&self) -> &MemStore;
    fn violations(&self) -> &[Violation];
}

impl Scenario for OsdHarness {
    fn transcript(&self) -> &Transcript {
        OsdHarness::transcript(self)
    }
    fn store(&self) -> &MemStore {
        OsdHarness::store(self)
    }
    fn violations(&self) -> &[Violation] {
        OsdHarness::violations(self)
    }
}

/// Epoch 10 on [`OsdHarness`]: OSDs `osds` up since 1, maps 1..=10 (osd.0's
/// up_thru 10 in the last), a replicated pool of `size`; the PG placed on
/// `osds` in order (as `pg_upmap`) and, on each OSD of `pgs`, seeded in the
/// store with `(log head, les)` (mapped to [0, 1, 2]) for the OSD to load.
pub fn osd_loaded_cluster(osds: &[i32], size: u32, pgs: &[(i32, u64, Epoch)]) -> OsdHarness {
    osd_loaded_cluster_at(10, osds, size, pgs)
}

/// [`osd_loaded_cluster`] with the newest map at `epoch` (osd.0's up_thru 10).
pub fn osd_loaded_cluster_at(
    epoch: Epoch,
    osds: &[i32],
    size: u32,
    pgs: &[(i32, u64, Epoch)],
) -> OsdHarness {
    let mut h = OsdHarness::replicated(osds, POOL, size).unwrap();
    while h.epoch() < epoch - 1 {
        h.publish("", |_| {}).unwrap();
    }
    h.publish("osd.0 up_thru 10", |inc| {
        inc.new_up_thru.insert(OsdId(osds[0]), 10);
    })
    .unwrap();
    h.place(pgid(), osds).unwrap();
    for &(o, head, les) in pgs {
        h.load(o, loaded_pg(o, head, les)).unwrap();
    }
    h
}

/// The harness's safety checker saw nothing wrong, and no event was refused.
pub fn assert_safe<H: Scenario>(h: &H) {
    assert!(h.violations().is_empty(), "{:#?}", h.violations());
    let refused: Vec<String> = h
        .transcript()
        .entries()
        .iter()
        .filter(|e| {
            matches!(
                e,
                Entry::Delivered {
                    outcome: Outcome::Failed(_),
                    ..
                }
            )
        })
        .map(ToString::to_string)
        .collect();
    assert!(refused.is_empty(), "{refused:#?}");
}

/// The messages sent from transcript position `from` on, as `"osd.a -> osd.b NAME"`.
pub fn messages_since<H: Scenario>(h: &H, from: usize) -> Vec<String> {
    h.transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Sent { from, to, msg, .. } => Some(format!(
                "{from} -> {to} {}",
                peering::osd::harness::message_name(msg)
            )),
            _ => None,
        })
        .collect()
}

/// What `osd` persisted for the PG.
pub fn stored<H: Scenario>(h: &H, osd: i32) -> &StoredPg {
    h.store().get(OsdId(osd), spg()).expect("stored PG")
}

/// Prints the transcript (shown by `cargo test -- --nocapture` when debugging).
pub fn dump<H: Scenario>(h: &H, from: usize) {
    for l in h.transcript().since(from) {
        println!("{l}");
    }
}

/// [`loaded_pg`] with its log trimmed to `(10'tail, 10'head]` (objects `o1..=o{head}`
/// still counted), so a newcomer with an empty info cannot be recovered from the
/// log and must be backfilled (§5.21).
pub fn loaded_pg_trimmed(osd: i32, tail: u64, head: u64, les: Epoch) -> PgLoad {
    let mut l = loaded_pg(osd, head, les);
    let tail_v = peering::core::types::EVersion::new(10, tail);
    let mut log =
        peering::core::log::PgLogT::new(tail_v, peering::core::types::EVersion::new(10, head));
    log.entries = (tail + 1..=head).map(machine_support::entry).collect();
    l.log =
        peering::core::log::PgLog::from_parts(log, peering::core::log::Missing::new(true)).unwrap();
    l.info.log_tail = tail_v;
    l
}

/// The states `osd`'s instance entered since position `from`, in order.
pub fn entered_since<H: Scenario>(
    h: &H,
    from: usize,
    osd: i32,
) -> Vec<peering::core::machine::StateId> {
    h.transcript()
        .since(from)
        .iter()
        .filter_map(|e| match e {
            Entry::Entered { osd: o, state, .. } if *o == OsdId(osd) => Some(*state),
            _ => None,
        })
        .collect()
}

/// Loads [`loaded_pg_trimmed`] on `osd` with every object `o1..=o{head}` in its
/// store (the trimmed entries' objects included).
pub fn load_trimmed(h: &mut OsdHarness, osd: i32, tail: u64, head: u64, les: Epoch) {
    h.load(osd, loaded_pg_trimmed(osd, tail, head, les))
        .unwrap();
    for v in 1..=head {
        h.seed_object(osd, spg(), &machine_support::entry(v).soid)
            .unwrap();
    }
}

/// [`loaded_pg`] re-targeted at PG `pg` mapped to `acting` (primary first), its
/// objects `o1..=o{head}` renamed and re-hashed by `hash` so they belong to `pg`.
pub fn loaded_pg_of(
    pg: SpgId,
    osd: i32,
    head: u64,
    acting: &[i32],
    hash: impl Fn(u64) -> u32,
) -> PgLoad {
    let mut l = loaded_pg(osd, head, 10);
    let mut log = l.log.log().log().clone();
    for (e, v) in log.entries.iter_mut().zip(1..) {
        e.soid = peering::core::types::ObjectId::new(
            pg.pgid.pool,
            hash(v),
            format!("{}-o{v}", pg.pgid.seed),
        );
    }
    l.log =
        peering::core::log::PgLog::from_parts(log, peering::core::log::Missing::new(true)).unwrap();
    l.info.pgid = pg;
    l.mapping = peering::core::intervals::UpActing::new(acting, acting[0], acting, acting[0]);
    l
}

/// Every `MRecoveryReserve` sent for `pg`, as `(from, to, op)` (§3 reservations).
pub fn recovery_reserve_msgs<H: Scenario>(
    h: &H,
    pg: SpgId,
) -> Vec<(i32, i32, peering::core::ctx::RecoveryReserveOp)> {
    use peering::osd::msg::Message;
    h.transcript()
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Sent {
                from,
                to,
                pgid,
                msg: Message::RecoveryReserve(RecoveryReserveMsg { op, .. }),
                ..
            } if *pgid == pg => Some((from.0, to.0, *op)),
            _ => None,
        })
        .collect()
}

/// What the harness's recovery engine did, in order (§8.6).
pub fn engine_lines<H: Scenario>(h: &H) -> Vec<String> {
    h.transcript()
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Engine { what, .. } => Some(what.clone()),
            _ => None,
        })
        .collect()
}

/// Trace E's starting point (§9 E): Active+Clean on [0, 1, 2] at epoch 10 with the
/// log `(10'5, 10'18]` and 18 objects, osd.3 running, up and empty.
pub fn newcomer_cluster() -> OsdHarness {
    let mut h = osd_loaded_cluster(&[0, 1, 2, 3], 3, &[]);
    for o in 0..3 {
        load_trimmed(&mut h, o, 5, 18, 10);
    }
    h.start_osd(3).unwrap();
    h.run().unwrap();
    h
}

/// CRUSH maps the PG to [0, 1, 3]: osd.3 is new in the up set (§9 E).
pub fn remap_to_newcomer(h: &mut OsdHarness) {
    h.place(pgid(), &[0, 1, 3]).unwrap();
    h.publish("crush: pg 1.0 -> [0,1,3]", |_| {}).unwrap();
}

/// The `MRecoveryReserve` exchange of a primary reserving `replicas` one after
/// the other, then releasing them all (§3 "WaitRemoteRecoveryReserved").
pub fn reserved_in_turn(
    primary: i32,
    replicas: &[i32],
) -> Vec<(i32, i32, peering::core::ctx::RecoveryReserveOp)> {
    use peering::core::ctx::RecoveryReserveOp as Op;
    let mut v = Vec::new();
    for &r in replicas {
        v.push((primary, r, Op::Request));
        v.push((r, primary, Op::Grant));
    }
    v.extend(replicas.iter().map(|&r| (primary, r, Op::Release)));
    v
}

/// True when `want` occurs in `states` in order, not necessarily adjacent.
pub fn subsequence(
    states: &[peering::core::machine::StateId],
    want: &[peering::core::machine::StateId],
) -> bool {
    let mut it = states.iter();
    want.iter().all(|w| it.any(|s| s == w))
}

/// The primary's states from activation through log-based recovery under both
/// reservations to Clean (§3 "Activating" .. "Clean").
pub const PRIMARY_RECOVERY_PATH: [peering::core::machine::StateId; 6] = {
    use peering::core::machine::StateId;
    [
        StateId::Activating,
        StateId::WaitLocalRecoveryReserved,
        StateId::WaitRemoteRecoveryReserved,
        StateId::Recovering,
        StateId::Recovered,
        StateId::Clean,
    ]
};

/// A recovered replica's states (§3 "RepNotRecovering" .. "RepRecovering").
pub const REPLICA_RECOVERY_PATH: [peering::core::machine::StateId; 4] = {
    use peering::core::machine::StateId;
    [
        StateId::RepNotRecovering,
        StateId::RepWaitRecoveryReserved,
        StateId::RepRecovering,
        StateId::RepNotRecovering,
    ]
};
