//! Object side effects of log operations, as values (Ceph's `LogEntryHandler`).

use alloc::vec::Vec;

use super::entry::LogEntry;
use crate::types::{ObjectId, Version};

/// One thing the host must do to its object store because of a log operation:
/// Ceph's `PGLog::LogEntryHandler` calls, made into values.
///
/// The log never touches objects; it pushes these into a [`LogEffects`] sink in
/// the order Ceph would have called the handler, and the host applies them in
/// that order in the same transaction as the log and info.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LogEffect {
    /// `rollback(entry)`: undo the entry from its rollback steps.
    Rollback(LogEntry),
    /// `rollforward(entry)`: the entry can no longer be rolled back; drop its
    /// rollback stash.
    Rollforward(LogEntry),
    /// `trim(entry)`: the entry's rollback information is no longer needed.
    Trim(LogEntry),
    /// `remove(hoid)`: delete the object from the store.
    Remove(ObjectId),
    /// `try_stash(hoid, v)`: stash the object under version `v` if it exists
    /// (`LOST_DELETE` entries that may still be rolled back).
    TryStash {
        /// The object.
        soid: ObjectId,
        /// The stash version (`version.version` of the entry).
        version: Version,
    },
}

/// The sink log operations push [`LogEffect`]s into; the caller drains it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LogEffects {
    ops: Vec<LogEffect>,
}

impl LogEffects {
    /// An empty sink.
    pub fn new() -> Self {
        LogEffects::default()
    }

    /// Records one effect.
    pub fn push(&mut self, op: LogEffect) {
        self.ops.push(op);
    }

    /// The recorded effects, in order.
    pub fn as_slice(&self) -> &[LogEffect] {
        &self.ops
    }

    /// Number of recorded effects.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Takes every recorded effect, leaving the sink empty.
    pub fn drain(&mut self) -> Vec<LogEffect> {
        core::mem::take(&mut self.ops)
    }

    /// Makes room for `n` more effects (a merge knows roughly how many it
    /// will push; growing by doubling would copy them repeatedly).
    pub(crate) fn reserve(&mut self, n: usize) {
        self.ops.reserve(n);
    }

    /// Drops the effects recorded after the first `len` (a refused operation
    /// takes back what it pushed).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.ops.truncate(len);
    }

    /// The objects removed, in order (a convenience for tests and hosts).
    pub fn removed(&self) -> impl Iterator<Item = &ObjectId> {
        self.ops.iter().filter_map(|op| match op {
            LogEffect::Remove(o) => Some(o),
            _ => None,
        })
    }

    /// The entries rolled back, in order.
    pub fn rolled_back(&self) -> impl Iterator<Item = &LogEntry> {
        self.ops.iter().filter_map(|op| match op {
            LogEffect::Rollback(e) => Some(e),
            _ => None,
        })
    }
}

/// An optional sink: `proc_replica_log` merges divergent entries without a
/// rollbacker (Ceph passes a null handler), everything else with one.
pub(crate) fn emit(sink: &mut Option<&mut LogEffects>, op: impl FnOnce() -> LogEffect) {
    if let Some(s) = sink.as_deref_mut() {
        s.push(op());
    }
}
