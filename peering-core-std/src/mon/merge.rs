//! `prepare_pg_ready_to_merge`'s verdict on one `MOSDPGReadyToMerge`, shared
//! by the [`Monitor`](super::Monitor) and the harness's monitor
//! ([`LocalCluster`](crate::osd::local::LocalCluster)).

use peering_core::machine::MergeMeta;
use peering_core::map::PoolInfo;
use peering_core::types::Epoch;

use crate::msg::ReadyToMergeMsg;
use crate::osdmap::Incremental;

/// What one readiness report does to its pool.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum MergeVerdict {
    /// Both sides ready: `pg_num` drops by one, recording the report
    /// (`pg_pool_t::dec_pg_num`).
    Merge(PoolInfo, MergeMeta),
    /// A side not ready: the merge backs off (`pg_num_pending` back to
    /// `pg_num`); the manager asks again later.
    BackOff(PoolInfo),
}

impl MergeVerdict {
    /// `prepare_pg_ready_to_merge` on `report` for `pool` as the next epoch
    /// (`epoch`) would have it: `None` when the report is not for the pool's
    /// pending merge (its last PG, `pg_num_pending` one below `pg_num`), as
    /// after a race with another change (Ceph retries such a report after its
    /// proposal, which finds it stale the same way).
    pub(crate) fn of(pool: PoolInfo, report: &ReadyToMergeMsg, epoch: Epoch) -> Option<Self> {
        let source = report.pgid;
        let pending =
            pool.pg_num == source.seed.saturating_add(1) && pool.pg_num_pending == source.seed;
        if !pending {
            return None;
        }
        if !report.ready {
            let mut backed_off = pool;
            backed_off.pg_num_pending = pool.pg_num;
            return Some(MergeVerdict::BackOff(backed_off));
        }
        let meta = MergeMeta {
            source_pgid: source,
            ready_epoch: epoch,
            last_epoch_started: report.last_epoch_started,
            last_epoch_clean: report.last_epoch_clean,
            source_version: report.source_version,
            target_version: report.target_version,
        };
        Some(MergeVerdict::Merge(pool, meta))
    }

    /// Writes the verdict into the incremental building the next epoch.
    pub(crate) fn apply(self, inc: &mut Incremental) {
        match self {
            MergeVerdict::Merge(pool, meta) => inc.dec_pg_num(pool, meta),
            MergeVerdict::BackOff(pool) => inc.set_pool(pool),
        };
    }
}
