//! Ceph's `ObjectModDesc`, reduced to what rollback needs.

use alloc::string::String;
use alloc::vec::Vec;

use crate::types::{SnapId, Version};

/// One step of undoing a log entry on an object (`ObjectModDesc::ModID` and its
/// payload).
///
/// Ceph encodes these into a bufferlist that the EC backend's rollback visitor
/// replays; here they stay typed so that a host applying a
/// [`LogEffect::Rollback`](super::LogEffect::Rollback) can replay them without
/// decoding anything.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RollbackStep {
    /// `APPEND = 1`: truncate back to the old size.
    Append {
        /// The object size before the append.
        old_size: u64,
    },
    /// `SETATTRS = 2`: restore these attributes (`None`: the attribute did not exist).
    SetAttrs {
        /// Attribute names with their previous values.
        attrs: Vec<(String, Option<Vec<u8>>)>,
    },
    /// `DELETE = 3`: the object was deleted; restore the stash made at this version.
    Delete {
        /// The version the object was stashed under.
        old_version: Version,
    },
    /// `CREATE = 4`: the entry created the object; remove it.
    Create,
    /// `UPDATE_SNAPS = 5`: restore the clone's snap set.
    UpdateSnaps {
        /// The snaps before the update.
        old_snaps: Vec<SnapId>,
    },
    /// `TRY_DELETE = 6`: like `Delete`, but only if the stash exists
    /// (`LOST_DELETE` entries: each replica returns to what it had).
    TryDelete {
        /// The version the object was stashed under.
        old_version: Version,
    },
    /// `ROLLBACK_EXTENTS = 7`: restore the extents saved under generation `gen`.
    RollbackExtents {
        /// The stash generation.
        generation: Version,
        /// `(offset, length)` of each saved extent.
        extents: Vec<(u64, u64)>,
    },
}

/// Ceph's `ObjectModDesc`: whether a log entry can be rolled back locally and the
/// steps that do it.
///
/// Like Ceph's, a default description is rollbackable and empty; the replicated
/// backend marks its entries unrollbackable.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ModDesc {
    can_local_rollback: bool,
    rollback_info_completed: bool,
    steps: Vec<RollbackStep>,
}

impl Default for ModDesc {
    fn default() -> Self {
        ModDesc {
            can_local_rollback: true,
            rollback_info_completed: false,
            steps: Vec::new(),
        }
    }
}

impl ModDesc {
    /// `can_rollback()`: the entry can be undone from the recorded steps.
    pub fn can_rollback(&self) -> bool {
        self.can_local_rollback
    }

    /// `mark_unrollbackable()`: the entry cannot be undone; drops recorded steps.
    pub fn mark_unrollbackable(&mut self) {
        self.can_local_rollback = false;
        self.steps.clear();
    }

    /// `empty()`: rollbackable and nothing recorded.
    pub fn is_empty(&self) -> bool {
        self.can_local_rollback && self.steps.is_empty()
    }

    /// The recorded steps, oldest first (replay them newest first to undo).
    pub fn steps(&self) -> &[RollbackStep] {
        &self.steps
    }

    /// Records one step. As in Ceph, nothing is recorded once the description is
    /// unrollbackable or complete; `Delete`, `TryDelete` and `Create` complete it
    /// (after them the object's earlier state is fully captured).
    pub fn push(&mut self, step: RollbackStep) {
        if !self.can_local_rollback || self.rollback_info_completed {
            return;
        }
        if matches!(
            step,
            RollbackStep::Delete { .. } | RollbackStep::TryDelete { .. } | RollbackStep::Create
        ) {
            self.rollback_info_completed = true;
        }
        self.steps.push(step);
    }
}
