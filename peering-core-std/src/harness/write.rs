//! The harness's minimal client write path: the acting
//! primary makes the log entry ([`Pg::submit_write`](peering_core::machine::Pg::submit_write),
//! Ceph's `append_log`), then replicates it to every other shard of its
//! `acting_recovery_backfill` that runs (`MOSDRepOp` → the replica's `append_log`).
//! Each call's transaction is applied to the [`crate::store::MemStore`], whose
//! object tracking follows the log. An OSD that is down misses the write.
//!
//! Object data stays out of scope: the entry's version is the write.

use peering_core::ctx::RecoveryCtx;
use peering_core::log::{LogEntry, LogOp, ReqId};
use peering_core::machine::Pg;
use peering_core::types::{EVersion, ObjectId, OsdId, SpgId, UTime};

use super::{Entry, Harness, HarnessError};

/// The client entity every harness write comes from (`client.4100`).
pub(super) const CLIENT: i64 = 4100;

impl Harness {
    /// A client write of `name` in `pgid` (Ceph's `MOSDOp` → `execute_ctx` →
    /// `append_log`): the acting primary appends a `MODIFY` entry at its next
    /// version and replicates it to its running acting replicas. Returns the
    /// entry's version.
    pub fn write(&mut self, pgid: SpgId, name: &str) -> Result<EVersion, HarnessError> {
        self.client_op(pgid, name, LogOp::Modify)
    }

    /// A client delete of `name` in `pgid`: as [`Harness::write`] with a `DELETE`
    /// entry; the stores drop the object.
    pub fn delete(&mut self, pgid: SpgId, name: &str) -> Result<EVersion, HarnessError> {
        self.client_op(pgid, name, LogOp::Delete)
    }

    /// The object `name` of `pgid` (`hobject_t`): its hash is a deterministic
    /// hash of the name with the low `split_bits` (`pg_t::get_split_bits`) set to
    /// the PG's seed, so it maps to `pgid` in the newest map.
    ///
    /// Unlike Ceph (`ceph_str_hash_rjenkins`, `crate::crush::hash`), the name
    /// hash is FNV-1a; only the low bits matter for placement here, and the high
    /// bits order backfill, so changing the hash would reorder scenarios.
    pub fn object_id(&self, pgid: SpgId, name: &str) -> ObjectId {
        object_in(self.map(), pgid, name)
    }

    /// The acting primary's write, then one `MOSDRepOp` per running replica.
    fn client_op(&mut self, pgid: SpgId, name: &str, op: LogOp) -> Result<EVersion, HarnessError> {
        let oid = self.object_id(pgid, name);
        let primary = self
            .mappings
            .get(&(self.epoch(), pgid.pgid))
            .map(|m| m.acting_primary)
            .filter(|p| p.0 >= 0)
            .ok_or(HarnessError::NoPrimary { pgid })?;
        let pg = self.instance(primary, pgid)?;
        let tid = pg.info().last_update.version.saturating_add(1);
        let peers: Vec<OsdId> = pg
            .acting_recovery_backfill()
            .iter()
            .map(|s| s.osd)
            .filter(|o| *o != primary)
            .collect();
        let mut ctx = RecoveryCtx::new();
        let r = pg.submit_write(
            oid,
            op,
            ReqId::client(CLIENT, tid),
            UTime::default(),
            &mut ctx,
        );
        self.absorb(primary, pgid, &mut ctx);
        let entry = r.map_err(HarnessError::peering(primary, pgid))?;
        let epoch = self.pg(primary.0, pgid).map_or(0, Pg::epoch);
        self.transcript.push(Entry::ClientWrite {
            osd: primary,
            pgid,
            epoch,
            entry: entry.clone(),
        });
        for to in peers {
            self.replicate(primary, to, pgid, epoch, &entry)?;
        }
        Ok(entry.version)
    }

    /// `MOSDRepOp` from `from` to `to`: a replica that runs appends the entry;
    /// one that is down misses it (recorded, nothing sent).
    fn replicate(
        &mut self,
        from: OsdId,
        to: OsdId,
        pgid: SpgId,
        epoch: u32,
        entry: &LogEntry,
    ) -> Result<(), HarnessError> {
        let delivered = self.pg(to.0, pgid).is_some();
        self.transcript.push(Entry::RepOp {
            from,
            to,
            epoch,
            pgid,
            version: entry.version,
            object: entry.soid.name.clone(),
            delivered,
        });
        if !delivered {
            return Ok(());
        }
        let replica = self.instance(to, pgid)?;
        let mut ctx = RecoveryCtx::new();
        let r = replica.append_log(core::slice::from_ref(entry), &mut ctx);
        self.absorb(to, pgid, &mut ctx);
        r.map_err(HarnessError::peering(to, pgid))
    }

    /// `osd`'s running instance of `pgid`, mutably.
    fn instance(&mut self, osd: OsdId, pgid: SpgId) -> Result<&mut Pg, HarnessError> {
        self.osds
            .get_mut(&osd)
            .and_then(|p| p.get_mut(&pgid))
            .ok_or(HarnessError::NoInstance { osd, pgid })
    }
}

/// The object `name` of `pgid` in `map` (see [`Harness::object_id`]).
pub(super) fn object_in(
    map: &dyn peering_core::map::OsdMapView,
    pgid: SpgId,
    name: &str,
) -> ObjectId {
    let pg = pgid.pgid;
    let pg_num = map.pool(pg.pool).map_or(1, |p| p.pg_num);
    let mask = u32::MAX
        .checked_shl(pg.split_bits(pg_num))
        .map_or(u32::MAX, |m| !m);
    // FNV-1a: stable across runs and platforms.
    let h = name.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    ObjectId::new(pg.pool, (h & !mask) | (pg.seed & mask), name)
}
