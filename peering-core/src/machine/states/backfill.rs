//! Backfill under reservation, primary side: `WaitLocalBackfillReserved`,
//! `WaitRemoteBackfillReserved`, `Backfilling`, `NotBackfilling`.
//!
//! Each of these states is in its own file; this one holds what they share.
//!
//! As for recovery, the local slot comes first, then each backfill target's
//! (`remote_shards_to_reserve_backfill`, one shard per OSD) one at a time in
//! ascending (osd, shard) order, the next only after the previous grant. A target
//! that is too full rejects; the primary then releases every slot it already holds
//! (and the rejecting one) and retries after `osd_backfill_retry_interval`.

use crate::ctx::{BackfillReserveMsg, BackfillReserveOp, DirectMessage};
use crate::types::{Epoch, SpgId};

/// `MBackfillReserve{op}` addressed to `pgid` for every op but `REQUEST` (no
/// priority, no byte counts; a direct send): the one builder for the
/// primary's releases and the replica's answers.
pub(super) fn backfill_reserve(pgid: SpgId, epoch: Epoch, op: BackfillReserveOp) -> DirectMessage {
    DirectMessage::BackfillReserve(BackfillReserveMsg {
        pgid,
        epoch,
        op,
        priority: 0,
        primary_num_bytes: 0,
        shard_num_bytes: 0,
    })
}
