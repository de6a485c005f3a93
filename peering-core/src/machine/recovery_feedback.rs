//! What the host's recovery and backfill engine tells the peering core as objects
//! move: the `PeeringState` calls Ceph's `PrimaryLogPG` makes
//! while it pushes and pulls objects (`recover_got`, `on_peer_recover`,
//! `object_recovered`, `update_peer_last_backfill`, `update_last_backfill`).
//!
//! They change the sets the reservation states consult (`needs_recovery()`,
//! `needs_backfill()`); the events that move the chart (`AllReplicasRecovered`,
//! `RequestBackfill`, `Backfilled`) stay the host's to deliver, after these.

use super::peering_state::PeeringState;
use super::pg::Pg;
use crate::ctx::RecoveryCtx;
use crate::error::PeeringError;
use crate::error::{Crash, HostMisuse};
use crate::log::LogError;
use crate::types::{EVersion, ObjectId, PgShard};

impl Pg {
    /// The peering state of a PG that has not crashed: a crashed PG takes no
    /// feedback either.
    fn live_ps(&mut self) -> Result<&mut PeeringState, PeeringError> {
        if self.is_crashed() {
            return Err(PeeringError::Crashed(Crash::AlreadyCrashed));
        }
        Ok(self.ps_mut())
    }

    /// `recover_got(oid, v)`: this instance now holds `oid` at `v` (pulled by the
    /// primary, or pushed to a replica); `last_complete` advances over what is no
    /// longer missing. An object not missing at `v` changes nothing,
    /// as in Ceph.
    pub fn on_local_recover(
        &mut self,
        oid: &ObjectId,
        v: EVersion,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        let ps = self.live_ps()?;
        let mut info = ps.info.clone();
        ps.pg_log
            .recover_got(oid, v, &mut info)
            .map_err(HostMisuse::Recovery)?;
        ps.info = info;
        ps.dirty_info = true;
        ps.write_if_dirty(ctx);
        Ok(())
    }

    /// `on_peer_recover(peer, oid, v)` (primary): `peer` now holds `oid` at `v`, so
    /// it leaves the peer's missing set and becomes a location of the object.
    ///
    /// Refused, PG unchanged: a peer the primary holds no missing set for, or an
    /// object that peer is not missing.
    pub fn on_peer_recover(
        &mut self,
        peer: PgShard,
        oid: &ObjectId,
        v: EVersion,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        let ps = self.live_ps()?;
        let Some(missing) = ps.peer_missing.get_mut(&peer) else {
            return Err(PeeringError::HostMisuse(HostMisuse::NotARecoveryPeer {
                peer,
            }));
        };
        if !missing.is_missing(oid) {
            return Err(HostMisuse::Recovery(LogError::NotMissing {
                object: oid.clone(),
            })
            .into());
        }
        missing.got(oid, v).map_err(HostMisuse::Recovery)?;
        if ps.missing_loc.needs_recovery_map.contains_key(oid) {
            ps.missing_loc
                .missing_loc
                .entry(oid.clone())
                .or_default()
                .insert(peer);
        }
        PeeringState::publish(ctx);
        Ok(())
    }

    /// `object_recovered(oid)` (primary): every shard that needed `oid` has it;
    /// MissingLoc forgets it.
    pub fn on_global_recover(&mut self, oid: &ObjectId) -> Result<(), PeeringError> {
        let ml = &mut self.live_ps()?.missing_loc;
        ml.needs_recovery_map.remove(oid);
        ml.missing_loc.remove(oid);
        Ok(())
    }

    /// `update_peer_last_backfill(peer, lb)` (primary): backfill of `peer` has
    /// reached `lb` (`ObjectId::MAX` once it is complete), which `needs_backfill()`
    /// reads.
    ///
    /// Refused, PG unchanged: a peer that is not a backfill target.
    pub fn update_peer_last_backfill(
        &mut self,
        peer: PgShard,
        lb: ObjectId,
    ) -> Result<(), PeeringError> {
        let ps = self.live_ps()?;
        let target = ps.backfill_targets.contains(&peer);
        match ps.peer_info.get_mut(&peer) {
            Some(pi) if target => {
                pi.last_backfill = lb;
                Ok(())
            }
            _ => Err(PeeringError::HostMisuse(HostMisuse::NotARecoveryPeer {
                peer,
            })),
        }
    }

    /// `update_last_backfill(lb)` (backfill target): our copy is complete up to
    /// `lb` (`ObjectId::MAX` once backfill finished); persisted with the info.
    pub fn update_last_backfill(
        &mut self,
        lb: ObjectId,
        ctx: &mut RecoveryCtx,
    ) -> Result<(), PeeringError> {
        let ps = self.live_ps()?;
        ps.info.last_backfill = lb;
        ps.dirty_info = true;
        ps.write_if_dirty(ctx);
        Ok(())
    }
}
