//! Shared fixtures of the `osd` unit tests.

use peering_core::map::OsdMapView;
use peering_core::types::{OsdId, PgHistory, PgId, PgQuery, QueryKind, ShardId, SpgId, UTime};

use super::local::{LocalCluster, simple_map};
use super::{Osd, OsdConfig, OsdMaps};
use crate::msg::{Message, encode};
use crate::osdmap::{Incremental, OsdMap};
use crate::store::MemStore;
use peering_core::ctx::QueryMsg;

/// Pool 1: size 3, 4 PGs, on OSDs 0..3, one per host.
pub const POOL: i64 = 1;

/// Epoch 1 of the three-OSD cluster.
pub fn map3() -> OsdMap {
    simple_map(3, POOL, 3, 4).unwrap()
}

/// `map` advanced by one incremental built by `f`; returns the incremental.
pub fn next(map: &mut OsdMap, f: impl FnOnce(&mut Incremental)) -> Incremental {
    let mut inc = Incremental::new(map.epoch() + 1);
    f(&mut inc);
    map.apply_incremental(&inc).unwrap();
    inc
}

/// OSD `id` started on `map` with `cfg`, nothing stored.
pub fn osd_on(map: &OsdMap, cfg: OsdConfig) -> Osd {
    let mut osd = Osd::new(cfg);
    osd.handle_osd_map(OsdMaps::full(map.clone())).unwrap();
    let _ = osd.load_pgs(&MemStore::new());
    osd
}

/// Three OSDs with pool 1 created and peered.
pub fn peered(cfg: impl Fn(i32) -> OsdConfig) -> LocalCluster {
    let mut c = LocalCluster::new(map3(), &[0, 1, 2], cfg);
    c.create_pgs(POOL);
    c.run(500);
    c
}

/// The replicated instance of PG `seed` of pool 1.
pub fn spg(seed: u32) -> SpgId {
    SpgId::replicated(PgId::new(POOL, seed))
}

/// An INFO (or `kind`) query from `from`'s primary instance, sent at `epoch`.
pub fn query(seed: u32, kind: QueryKind, epoch: u32) -> Message {
    Message::PgQuery2(QueryMsg {
        pgid: spg(seed),
        query: PgQuery {
            kind,
            history: PgHistory::new(1, UTime::default()),
            epoch_sent: epoch,
            to: ShardId::NO_SHARD,
            from: ShardId::NO_SHARD,
        },
    })
}

/// `msg` as a frame.
pub fn frame(msg: &Message) -> Vec<u8> {
    encode(msg).unwrap()
}

/// A PG of pool 1 whose acting primary in `map` is not `osd`, with that primary.
pub fn pg_led_by_other(map: &OsdMap, osd: i32) -> (u32, OsdId) {
    (0..4)
        .map(|s| {
            (
                s,
                map.pg_to_up_acting_osds(PgId::new(POOL, s)).acting_primary,
            )
        })
        .find(|(_, p)| *p != OsdId(osd))
        .unwrap()
}
