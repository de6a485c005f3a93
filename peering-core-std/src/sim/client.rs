//! The client: writes to objects of the pool, sent to each object's acting
//! primary as the client's map (the monitor's) says, as `MOSDOp` does.

use peering_core::log::{LogOp, ReqId};
use peering_core::types::{ObjectId, PgId, PgState};
use rand::Rng;

use super::{POOL, Sim};
use crate::osdmap::hash_key;

/// The objects the client writes.
const OBJECTS: u32 = 64;

/// The client's id (`client.4100`).
const CLIENT: i64 = 4100;

impl<S: crate::store::Store> Sim<S> {
    /// The client's writes of one second. A write goes to the acting primary
    /// of the object's PG if that OSD runs an active primary instance and
    /// the object is neither missing there nor on a peer (Ceph makes such a
    /// write wait for the object's recovery); otherwise this second's try
    /// is skipped.
    pub(super) fn client_writes(&mut self) {
        for _ in 0..self.cfg.writes_per_sec {
            let name = format!("obj{}", self.rng.random_range(0..OBJECTS));
            let oid = ObjectId::new(POOL, hash_key(&name, ""), name);
            let map = self.mon.map();
            let Some(pool) = map.pg_pool(POOL) else {
                return;
            };
            let pgid = PgId::new(POOL, oid.hash).raw_to_pg(pool.pg_num);
            let primary = map.pg_to_up_acting_osds(pgid).acting_primary;
            let Some(spg) = map.primary_shard(pgid) else {
                continue;
            };
            let Some(p) = self.procs.get_mut(&primary) else {
                continue;
            };
            let Some(pg) = p.osd.pg(spg) else {
                continue;
            };
            let writable = pg.is_primary()
                && pg.state_bits().contains(PgState::ACTIVE)
                && !pg.pg_log().missing().is_missing(&oid)
                && pg.peer_missing().all(|(_, m)| !m.is_missing(&oid));
            if !writable {
                continue;
            }
            self.next_reqid += 1;
            let reqid = ReqId::client(CLIENT, self.next_reqid);
            self.report.writes.0 += 1;
            match p.osd.submit_write(spg, oid, LogOp::Modify, reqid) {
                Ok(_) => self.record("write", primary, primary, self.next_reqid),
                Err(crate::osd::OsdError::NotReadable { .. }) => self.report.writes_held += 1,
                Err(_) => {}
            }
            self.drive(primary);
        }
    }
}
