//! [`RecoveryReport`]: what the recovery engine did, for the host's record
//! (Ceph logs these at `dout(10)` in `PrimaryLogPG::recover_*`).

use peering_core::types::{EVersion, ObjectId, OsdId, SpgId};

use super::super::{Osd, OsdOutput};

/// One step of recovery or backfill on the primary, reported as
/// [`OsdOutput::Recovery`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RecoveryReport {
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
    /// Reports a recovery step of `pgid`.
    pub(super) fn report_recovery(&mut self, pgid: SpgId, report: RecoveryReport) {
        self.outputs.push_back(OsdOutput::Recovery { pgid, report });
    }
}
