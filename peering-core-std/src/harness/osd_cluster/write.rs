//! Client writes through the OSDs: the acting primary's
//! [`crate::osd::Osd::submit_write`] appends the entry and sends `MOSDRepOp`
//! (`MOSDECSubOpWrite` on an erasure-coded PG) over the wire to its replicas,
//! which append it when the network delivers it (a replica whose process is
//! down misses it).

use crate::store::Store;
use peering_core::log::{LogOp, ReqId};
use peering_core::types::{EVersion, ObjectId, PgShard, SpgId};

use super::OsdHarness;
use crate::harness::{Entry, HarnessError};

impl<S: Store> OsdHarness<S> {
    /// A client write of `name` in `pgid` (`MOSDOp` to the acting primary,
    /// then `MOSDRepOp` to its replicas). Returns the entry's version.
    pub fn write(&mut self, pgid: SpgId, name: &str) -> Result<EVersion, HarnessError> {
        self.client_op(pgid, name, LogOp::Modify)
    }

    /// A client delete of `name` in `pgid`, as [`OsdHarness::write`] with a
    /// `DELETE` entry.
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

    fn client_op(&mut self, pgid: SpgId, name: &str, op: LogOp) -> Result<EVersion, HarnessError> {
        self.ensure_started()?;
        let oid = self.object_id(pgid, name);
        let primary = self.mapping(pgid.pgid).acting_primary;
        if primary.0 < 0 {
            return Err(HarnessError::NoPrimary { pgid });
        }
        let osd = self
            .cluster
            .osds
            .get_mut(&primary)
            .ok_or(HarnessError::NoInstance { osd: primary, pgid })?;
        let tid = osd
            .pg(pgid)
            .ok_or(HarnessError::NoInstance { osd: primary, pgid })?
            .info()
            .last_update
            .version
            .saturating_add(1);
        let epoch = osd.epoch();
        let entry = osd
            .submit_write(pgid, oid, op, ReqId::client(CLIENT, tid))
            .map_err(|error| HarnessError::Osd {
                osd: primary,
                error,
            })?;
        let ec = osd.pg(pgid).is_some_and(|pg| pg.pool().is_erasure());
        let me = PgShard::new(primary, pgid.shard);
        let peers: Vec<PgShard> = osd
            .pg(pgid)
            .map(|pg| {
                pg.acting_recovery_backfill()
                    .iter()
                    .copied()
                    .filter(|s| *s != me)
                    .collect()
            })
            .unwrap_or_default();
        self.transcript.push(Entry::ClientWrite {
            osd: primary,
            pgid,
            epoch,
            entry: entry.clone(),
        });
        for peer in peers {
            let to = peer.osd;
            self.transcript.push(Entry::RepOp {
                from: primary,
                to,
                epoch,
                pgid: SpgId::new(pgid.pgid, peer.shard),
                version: entry.version,
                object: entry.soid.name.clone(),
                delivered: self.cluster.osd(to.0).is_some(),
                ec,
            });
        }
        self.absorb();
        Ok(entry.version)
    }
}

/// The client entity every harness write comes from (`client.4100`).
pub(crate) const CLIENT: i64 = 4100;

/// The object `name` of `pgid` in `map` (see [`OsdHarness::object_id`]).
pub(crate) fn object_in(
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
