//! Shared set-up for the scenario tests (reference §9): PGs loaded from "disk"
//! with a log, and the assertions every scenario makes.

#![allow(dead_code)]

use peering::core::intervals::UpActing;
use peering::core::log::{LogEntry, LogOp, Missing, PgLog, PgLogT};
use peering::core::machine::PgLoad;
use peering::core::map::{PoolInfo, SimpleOsdMap};
use peering::core::types::{
    EVersion, Epoch, ObjectId, OsdId, PgHistory, PgId, PgInfo, PgShard, SpgId, UTime,
};
use peering::osd::harness::{Entry, Harness, Outcome};
use peering::osd::store::StoredPg;

pub const POOL: i64 = 1;

pub fn pgid() -> PgId {
    PgId::new(POOL, 0)
}

pub fn spg() -> SpgId {
    SpgId::replicated(pgid())
}

/// Log entry `10'v` modifying object `o{v}`.
pub fn entry(v: u64) -> LogEntry {
    LogEntry::new(
        LogOp::Modify,
        ObjectId::new(1, v as u32, format!("o{v}")),
        EVersion::new(10, v),
        EVersion::ZERO,
    )
}

/// A PG as persisted on `osd`: log `10'1..=10'head`, one object per entry, local
/// les `les`, history active and clean at 10, mapped to `acting`.
pub fn loaded_pg(osd: i32, head: u64, les: Epoch, acting: &[i32]) -> PgLoad {
    let mut log = PgLogT::new(EVersion::ZERO, EVersion::new(10, head));
    log.entries = (1..=head).map(entry).collect();
    let mut h = PgHistory::new(1, UTime::default());
    h.last_epoch_started = 10;
    h.last_interval_started = 10;
    h.last_epoch_clean = 10;
    h.last_interval_clean = 10;
    h.same_interval_since = 10;
    h.same_up_since = 10;
    h.same_primary_since = 10;
    let mut info = PgInfo::new(spg());
    info.last_update = EVersion::new(10, head);
    info.last_complete = info.last_update;
    info.last_epoch_started = les;
    info.last_interval_started = les;
    info.history = h;
    info.stats.num_objects = head as i64;
    let first = acting.first().copied().unwrap_or(-1);
    PgLoad {
        whoami: PgShard::replica(osd),
        info,
        past_intervals: Default::default(),
        log: PgLog::from_parts(log, Missing::new(true)).unwrap(),
        mapping: UpActing::new(acting, first, acting, first),
        config: Default::default(),
    }
}

/// Epoch 10: OSDs `osds` up since 1, osd.0's up_thru at 10, a replicated pool of
/// `size`; the PG placed on `osds` in order and loaded on each OSD of `pgs` with
/// `(log head, les)`.
pub fn loaded_cluster(osds: &[i32], size: u32, pgs: &[(i32, u64, Epoch)]) -> Harness {
    loaded_cluster_at(10, osds, size, pgs)
}

/// [`loaded_cluster`] with the map at `epoch` (osd.0's up_thru at 10, the
/// interval's start).
pub fn loaded_cluster_at(
    epoch: Epoch,
    osds: &[i32],
    size: u32,
    pgs: &[(i32, u64, Epoch)],
) -> Harness {
    let mut map = SimpleOsdMap::new(epoch).with_pool(PoolInfo::replicated(POOL, size, 1));
    for &o in osds {
        map = map.with_up_osd(o, 1);
    }
    map.set_up_thru(osds[0], 10);
    let mut h = Harness::new(map);
    h.place(pgid(), osds);
    let acting: Vec<i32> = osds.iter().copied().take(size as usize).collect();
    for &(o, head, les) in pgs {
        h.load(o, loaded_pg(o, head, les, &acting)).unwrap();
    }
    h
}

/// The harness's safety checker saw nothing wrong, and no event was refused.
pub fn assert_safe(h: &Harness) {
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
pub fn messages_since(h: &Harness, from: usize) -> Vec<String> {
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
pub fn stored(h: &Harness, osd: i32) -> &StoredPg {
    h.store().get(OsdId(osd), spg()).expect("stored PG")
}

/// Prints the transcript (shown by `cargo test -- --nocapture` when debugging).
pub fn dump(h: &Harness, from: usize) {
    for l in h.transcript().since(from) {
        println!("{l}");
    }
}
