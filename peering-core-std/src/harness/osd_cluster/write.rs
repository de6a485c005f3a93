//! Client writes through the OSDs: the acting primary's
//! [`crate::osd::Osd::submit_write`] appends the entry and sends `MOSDRepOp`
//! over the wire to its replicas, which append it when the network delivers
//! it (a replica whose process is down misses it).

use peering_core::log::{LogOp, ReqId};
use peering_core::types::{EVersion, ObjectId, OsdId, SpgId};

use super::OsdHarness;
use crate::harness::write::{CLIENT, object_in};
use crate::harness::{Entry, HarnessError};

impl OsdHarness {
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

    /// The object `name` of `pgid` (the old harness's naming: its hash maps it
    /// to `pgid` in the newest map).
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
        let peers: Vec<OsdId> = osd
            .pg(pgid)
            .map(|pg| {
                pg.acting_recovery_backfill()
                    .iter()
                    .map(|s| s.osd)
                    .filter(|o| *o != primary)
                    .collect()
            })
            .unwrap_or_default();
        self.transcript.push(Entry::ClientWrite {
            osd: primary,
            pgid,
            epoch,
            entry: entry.clone(),
        });
        for to in peers {
            self.transcript.push(Entry::RepOp {
                from: primary,
                to,
                epoch,
                pgid,
                version: entry.version,
                object: entry.soid.name.clone(),
                delivered: self.cluster.osd(to.0).is_some(),
            });
        }
        self.absorb();
        Ok(entry.version)
    }
}
