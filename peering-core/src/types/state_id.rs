//! [`StateId`]: which state of Ceph's peering statechart, without
//! its data. Each state's name, place in the tree and reactions are in its own file
//! under `states/`; the chart (`super::chart`) lists them.

/// One state of Ceph's peering statechart.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StateId {
    /// `Initial`: a PG object before `Initialize`.
    Initial,
    /// `Reset`: between intervals; runs `start_peering_interval`.
    Reset,
    /// `Started`: the PG takes part in the current interval.
    Started,
    /// `Start`: decides primary or stray.
    Start,
    /// `Started/Primary`.
    Primary,
    /// `Started/Primary/Peering` (local data boxed: the prior set is the largest, and
    /// a PG spends most of its life outside Peering).
    Peering,
    /// `Started/Primary/Peering/GetInfo`.
    GetInfo,
    /// `Started/Primary/Peering/GetLog`.
    GetLog,
    /// `Started/Primary/Peering/GetMissing`.
    GetMissing,
    /// `Started/Primary/Peering/WaitUpThru`.
    WaitUpThru,
    /// `Started/Primary/Peering/Down`.
    Down,
    /// `Started/Primary/Peering/Incomplete`.
    Incomplete,
    /// `Started/Primary/WaitActingChange`.
    WaitActingChange,
    /// `Started/Primary/Active` (local data boxed, so idle replicas do not pay for it).
    Active,
    /// `Started/Primary/Active/Activating`.
    Activating,
    /// `Started/Primary/Active/Clean`.
    Clean,
    /// `Started/Primary/Active/Recovered`.
    Recovered,
    /// `Started/Primary/Active/WaitLocalRecoveryReserved`: waiting for this OSD's
    /// recovery slot.
    WaitLocalRecoveryReserved,
    /// `Started/Primary/Active/WaitRemoteRecoveryReserved`: reserving each peer's
    /// recovery slot in turn.
    WaitRemoteRecoveryReserved,
    /// `Started/Primary/Active/Recovering`: log-based recovery under reservation.
    Recovering,
    /// `Started/Primary/Active/NotRecovering`: recovery deferred, too full or stuck
    /// on unfound objects.
    NotRecovering,
    /// `Started/Primary/Active/WaitLocalBackfillReserved`: waiting for this OSD's
    /// backfill slot.
    WaitLocalBackfillReserved,
    /// `Started/Primary/Active/WaitRemoteBackfillReserved`: reserving each backfill
    /// target in turn.
    WaitRemoteBackfillReserved,
    /// `Started/Primary/Active/Backfilling`: backfill under reservation.
    Backfilling,
    /// `Started/Primary/Active/NotBackfilling`: backfill deferred, rejected, revoked
    /// or stuck on unfound objects.
    NotBackfilling,
    /// `Started/ReplicaActive`.
    ReplicaActive,
    /// `Started/ReplicaActive/RepNotRecovering`.
    RepNotRecovering,
    /// `Started/ReplicaActive/RepWaitRecoveryReserved`: a primary asked for our
    /// recovery slot; waiting for this OSD's remote reserver.
    RepWaitRecoveryReserved,
    /// `Started/ReplicaActive/RepWaitBackfillReserved`: a primary asked for our
    /// backfill slot; waiting for space and this OSD's remote reserver.
    RepWaitBackfillReserved,
    /// `Started/ReplicaActive/RepRecovering`: our slot is granted to the primary.
    RepRecovering,
    /// `Started/Stray`.
    Stray,
    /// `Started/ToDelete` (Mimic+): the instance is to be removed.
    ToDelete,
    /// `Started/ToDelete/WaitDeleteReseved` (sic: Ceph's name keeps the typo):
    /// waiting for the local reservation.
    WaitDeleteReserved,
    /// `Started/ToDelete/Deleting`: removing objects, a bounded chunk per step
    /// (local data boxed: the object cursor is the largest payload of any state,
    /// and inline it would size every slot of every PG's state stack).
    Deleting,
    /// `Crashed`: an event nobody handled (Ceph aborts; every later event is refused).
    Crashed,
}
