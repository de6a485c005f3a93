//! The machine's adapter to [`crate::acting::choose_acting`]:
//! build its inputs from the peering state and apply its result.

use alloc::collections::BTreeMap;

use super::peering_state::PeeringState;
use crate::acting::{
    ActingChoice, ActingOptions, ActingOutcome, ChooseActingRequest, PeerMissingCounts,
    PgPlacement, PgTempRequest, StretchBuckets, choose_acting,
};
use crate::ctx::{MonRequest, RecoveryCtx};
use crate::error::PeeringError;
use crate::map::OsdMapView;
use crate::types::{OsdVec, PgInfo, PgShard};

/// The flags each caller of `choose_acting` passes.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ActingRequest {
    /// `restrict_to_up_acting`.
    pub restrict_to_up_acting: bool,
    /// `request_pg_temp_change_only`.
    pub request_pg_temp_change_only: bool,
    /// Peering's `history_les_bound` before the call.
    pub history_les_bound: bool,
}

impl PeeringState {
    fn acting_options(&self) -> ActingOptions {
        ActingOptions {
            find_best_info_ignore_history_les: self.cfg.find_best_info_ignore_history_les,
            force_auth_primary_missing_objects: self.cfg.force_auth_primary_missing_objects,
            async_recovery_min_cost: self.cfg.async_recovery_min_cost,
            allow_recovery_below_min_size: self.cfg.allow_recovery_below_min_size,
            ..ActingOptions::default()
        }
    }

    /// `choose_acting`: compute, then record what Ceph's member function
    /// records (`want_acting`, the sets on success) and queue its pg_temp request.
    /// Returns the choice and the infos it was made from (ours included).
    pub(crate) fn choose_acting(
        &mut self,
        req: ActingRequest,
        map: &dyn OsdMapView,
        ctx: &mut RecoveryCtx,
    ) -> Result<(ActingChoice, BTreeMap<PgShard, PgInfo>), PeeringError> {
        let mut all_info: BTreeMap<PgShard, PgInfo> = BTreeMap::new();
        for (s, i) in &self.peer_info {
            all_info.insert(*s, i.clone());
        }
        all_info.insert(self.whoami, self.info.clone());
        let up_acting = PgPlacement::new(
            self.mapping.up.clone(),
            self.up_primary,
            self.mapping.acting.clone(),
            self.primary,
        );
        let request = ChooseActingRequest {
            restrict_to_up_acting: req.restrict_to_up_acting,
            request_pg_temp_change_only: req.request_pg_temp_change_only,
            history_les_bound: req.history_les_bound,
            options: self.acting_options(),
            backfill_targets: self.backfill_targets.clone(),
            async_recovery_targets: self.async_recovery_targets.clone(),
            needs_recovery: self.needs_recovery(),
            // Only a stretch pool asks the map (and allocates the table).
            stretch_buckets: StretchBuckets::from_map(
                map,
                &self.pool,
                self.mapping
                    .up
                    .iter()
                    .chain(self.mapping.acting.iter())
                    .copied()
                    .chain(all_info.keys().map(|s| s.osd)),
            ),
        };
        // Empty: Ceph reads each peer's missing count from its info's stats.
        let counts = PeerMissingCounts::new();
        let choice = choose_acting(
            self.whoami,
            &all_info,
            &up_acting,
            &self.pool,
            &request,
            &counts,
        )?;
        match choice.outcome {
            ActingOutcome::Proceed => {
                self.want_acting.clear();
                self.acting_recovery_backfill = choice.acting_recovery_backfill.clone();
                self.backfill_targets = choice.backfill_targets.clone();
                self.async_recovery_targets = choice.async_recovery_targets.clone();
            }
            ActingOutcome::ActingUnchanged => {}
            ActingOutcome::NoAuthoritativeLog
            | ActingOutcome::NotRecoverable
            | ActingOutcome::NeedActingChange => {
                self.want_acting = choice.want_acting.clone();
            }
        }
        let pgid = self.info.pgid.pgid;
        match &choice.pg_temp {
            PgTempRequest::None => {}
            PgTempRequest::Clear => ctx.mon.push(MonRequest::PgTemp {
                pgid,
                want: OsdVec::new(),
            }),
            PgTempRequest::Set(want) => ctx.mon.push(MonRequest::PgTemp {
                pgid,
                want: want.clone(),
            }),
        }
        Ok((choice, all_info))
    }
}
