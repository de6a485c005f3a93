//! [`RecoveryReport`]: what the recovery engine did, for the host's record
//! (Ceph logs these at `dout(10)` in `PrimaryLogPG::recover_*`).

use peering_core::types::{EVersion, ObjectId, OsdId, SpgId};

use super::super::{Osd, OsdOutput};

/// One step of recovery or backfill, reported as [`OsdOutput::Recovery`]:
/// [`RecoveryReport::Wrote`] on any OSD, the others on the primary.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RecoveryReport {
    /// The object layer stored a recovered or backfilled object on this OSD
    /// (`submit_push_data`; removed when `delete`): a host whose store
    /// tracks objects records it.
    Wrote {
        /// The object.
        oid: ObjectId,
        /// Its version.
        version: EVersion,
        /// The object was removed.
        delete: bool,
    },
    /// The primary recovered `oid` at `version` itself (`on_local_recover`:
    /// pulled from a peer, or applied from its own copy).
    Recovered {
        /// The object.
        oid: ObjectId,
        /// Its version.
        version: EVersion,
    },
    /// A peer applied the push of `oid` at `version` (`on_peer_recover`).
    Pushed {
        /// The peer.
        to: OsdId,
        /// The object.
        oid: ObjectId,
        /// Its version.
        version: EVersion,
    },
    /// A backfill target is complete up to `last_backfill`
    /// (`update_peer_last_backfill`; `ObjectId::MAX` when finished).
    LastBackfill {
        /// The target.
        target: OsdId,
        /// The new `last_backfill`.
        last_backfill: ObjectId,
    },
    /// The run ended: `event` was queued for the PG, with `unfound` objects
    /// nobody holds.
    Done {
        /// Ceph's name of the event queued.
        event: &'static str,
        /// Objects left unfound.
        unfound: usize,
    },
}

impl Osd {
    /// The object layer writes `oid` of `pgid` (reported as
    /// [`RecoveryReport::Wrote`]).
    pub(super) fn write_object(
        &mut self,
        pgid: SpgId,
        oid: &ObjectId,
        version: EVersion,
        delete: bool,
        data: &[u8],
    ) {
        self.backend.write_object(pgid, oid, version, delete, data);
        let oid = oid.clone();
        self.report_recovery(
            pgid,
            RecoveryReport::Wrote {
                oid,
                version,
                delete,
            },
        );
    }

    /// Reports a recovery step of `pgid`.
    pub(super) fn report_recovery(&mut self, pgid: SpgId, report: RecoveryReport) {
        self.outputs.push_back(OsdOutput::Recovery { pgid, report });
    }
}
