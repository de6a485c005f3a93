//! The active state configuration and each state's local data (reference §0.2
//! rule 6, §1.2).
//!
//! Ceph's states are objects whose constructor is the entry action and whose members
//! are the state-local data, destroyed on exit. Here each [`State`] variant owns that
//! data (GetInfo's outstanding requests, GetLog's received log, Peering's prior set,
//! Active's activation bookkeeping). The active configuration is the path from the
//! outermost state to the innermost, `Started(Primary(Peering(GetInfo)))` laid out
//! as a stack, outermost first: that makes exit to and entry from the least common
//! ancestor one generic loop in [`super::engine`].

use alloc::boxed::Box;
use alloc::collections::BTreeSet;

use super::chart::StateDef;
use super::states;
use crate::event::MLogRec;
use crate::intervals::PriorSet;
use crate::types::PgShard;

/// `Peering`'s local data (§1.2).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeeringLocal {
    /// `prior_set`: whom to probe, who is down, whether the PG is down (§5.6).
    pub prior_set: PriorSet,
    /// `history_les_bound`: `find_best_info` found the newest les only in some
    /// history (§5.9); shown as `peering_blocked_by_history_les_bound`.
    pub history_les_bound: bool,
}

/// `GetInfo`'s local data (§1.2).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GetInfoLocal {
    /// `peer_info_requested`: INFO queries not answered yet.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_info_requested: BTreeSet<PgShard>,
}

/// `GetLog`'s local data (§1.2).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GetLogLocal {
    /// `auth_log_shard`: the shard holding the authoritative log.
    pub auth_log_shard: PgShard,
    /// `msg`: the authoritative log once it arrived (boxed: it can be large and
    /// most of the time there is none).
    pub msg: Option<Box<MLogRec>>,
}

/// `GetMissing`'s local data (§1.2).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GetMissingLocal {
    /// `peer_missing_requested`: LOG / FULLLOG queries not answered yet.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_missing_requested: BTreeSet<PgShard>,
}

/// `Active`'s local data (§1.2).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ActiveLocal {
    /// `remote_shards_to_reserve_recovery`: acting_recovery_backfill minus self, one
    /// shard per OSD (the first).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub remote_shards_to_reserve_recovery: BTreeSet<PgShard>,
    /// `remote_shards_to_reserve_backfill`: backfill targets minus self, one per OSD.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub remote_shards_to_reserve_backfill: BTreeSet<PgShard>,
    /// `all_replicas_activated`.
    pub all_replicas_activated: bool,
}

/// One list of the states, from which the payload-free [`StateId`], the
/// data-carrying [`State`], their names and their chart entries are all generated,
/// so none of them can disagree with another.
macro_rules! define_states {
    ($(
        $(#[$doc:meta])*
        $id:ident = $name:literal, $short:literal, $def:expr $(, $local:ty)?;
    )*) => {
        /// One state of Ceph's peering statechart (§1.1).
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum StateId {
            $( $(#[$doc])* $id, )*
        }

        /// One active state with its local data (§1.2): the variant is the state, its
        /// payload the C++ state object's members.
        #[derive(Clone, PartialEq, Eq, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum State {
            $( $(#[$doc])* $id $( ($local) )?, )*
        }

        impl StateId {
            /// Every state, in tree order (§1.1).
            pub const ALL: &'static [StateId] = &[ $( StateId::$id, )* ];

            /// Ceph's state name, as `pg query` and the state history print it (§1.1).
            pub const fn name(self) -> &'static str {
                match self { $( StateId::$id => $name, )* }
            }

            /// The state's short name (its C++ class name) (§1.1).
            pub const fn short_name(self) -> &'static str {
                match self { $( StateId::$id => $short, )* }
            }

            /// This state's definition in the chart (§0.2, §3).
            pub const fn def(self) -> &'static StateDef {
                match self { $( StateId::$id => &$def, )* }
            }
        }

        impl State {
            /// A freshly constructed state (its local data before the entry action
            /// runs, §0.2 rule 6).
            pub fn new(id: StateId) -> State {
                match id { $( StateId::$id => State::$id $( (<$local>::default()) )?, )* }
            }

            /// Which state this is (§1.1).
            pub fn id(&self) -> StateId {
                match self { $( State::$id { .. } => StateId::$id, )* }
            }
        }
    };
}

define_states! {
    /// `Initial`: a PG object before `Initialize`.
    Initial = "Initial", "Initial", states::initial::INITIAL;
    /// `Reset`: between intervals; runs `start_peering_interval`.
    Reset = "Reset", "Reset", states::reset::RESET;
    /// `Started`: the PG takes part in the current interval.
    Started = "Started", "Started", states::started::STARTED;
    /// `Start`: decides primary or stray.
    Start = "Start", "Start", states::started::START;
    /// `Started/Primary`.
    Primary = "Started/Primary", "Primary", states::primary::PRIMARY;
    /// `Started/Primary/Peering` (local data boxed: the prior set is the largest, and
    /// a PG spends most of its life outside Peering).
    Peering = "Started/Primary/Peering", "Peering", states::peering::PEERING, Box<PeeringLocal>;
    /// `Started/Primary/Peering/GetInfo`.
    GetInfo = "Started/Primary/Peering/GetInfo", "GetInfo", states::get_info::GET_INFO, GetInfoLocal;
    /// `Started/Primary/Peering/GetLog`.
    GetLog = "Started/Primary/Peering/GetLog", "GetLog", states::get_log::GET_LOG, GetLogLocal;
    /// `Started/Primary/Peering/GetMissing`.
    GetMissing = "Started/Primary/Peering/GetMissing", "GetMissing", states::get_missing::GET_MISSING, GetMissingLocal;
    /// `Started/Primary/Peering/WaitUpThru`.
    WaitUpThru = "Started/Primary/Peering/WaitUpThru", "WaitUpThru", states::wait_up_thru::WAIT_UP_THRU;
    /// `Started/Primary/Peering/Down`.
    Down = "Started/Primary/Peering/Down", "Down", states::down::DOWN;
    /// `Started/Primary/Peering/Incomplete`.
    Incomplete = "Started/Primary/Peering/Incomplete", "Incomplete", states::incomplete::INCOMPLETE;
    /// `Started/Primary/WaitActingChange`.
    WaitActingChange = "Started/Primary/WaitActingChange", "WaitActingChange", states::primary::WAIT_ACTING_CHANGE;
    /// `Started/Primary/Active` (local data boxed, so idle replicas do not pay for it).
    Active = "Started/Primary/Active", "Active", states::active::ACTIVE, Box<ActiveLocal>;
    /// `Started/Primary/Active/Activating`.
    Activating = "Started/Primary/Active/Activating", "Activating", states::active::ACTIVATING;
    /// `Started/Primary/Active/Clean`.
    Clean = "Started/Primary/Active/Clean", "Clean", states::active::CLEAN;
    /// `Started/Primary/Active/Recovered`.
    Recovered = "Started/Primary/Active/Recovered", "Recovered", states::active::RECOVERED;
    /// `Started/Primary/Active/WaitLocalRecoveryReserved`: waiting for this OSD's
    /// recovery slot.
    WaitLocalRecoveryReserved = "Started/Primary/Active/WaitLocalRecoveryReserved", "WaitLocalRecoveryReserved", states::recovery::WAIT_LOCAL_RECOVERY_RESERVED;
    /// `Started/Primary/Active/WaitRemoteRecoveryReserved`: reserving each peer's
    /// recovery slot in turn.
    WaitRemoteRecoveryReserved = "Started/Primary/Active/WaitRemoteRecoveryReserved", "WaitRemoteRecoveryReserved", states::recovery::WAIT_REMOTE_RECOVERY_RESERVED, states::recovery::WaitRemoteRecoveryReservedLocal;
    /// `Started/Primary/Active/Recovering`: log-based recovery under reservation.
    Recovering = "Started/Primary/Active/Recovering", "Recovering", states::recovery::RECOVERING;
    /// `Started/Primary/Active/NotRecovering`: recovery deferred, too full or stuck
    /// on unfound objects.
    NotRecovering = "Started/Primary/Active/NotRecovering", "NotRecovering", states::recovery::NOT_RECOVERING;
    /// `Started/Primary/Active/WaitLocalBackfillReserved`: waiting for this OSD's
    /// backfill slot.
    WaitLocalBackfillReserved = "Started/Primary/Active/WaitLocalBackfillReserved", "WaitLocalBackfillReserved", states::backfill::WAIT_LOCAL_BACKFILL_RESERVED;
    /// `Started/Primary/Active/WaitRemoteBackfillReserved`: reserving each backfill
    /// target in turn.
    WaitRemoteBackfillReserved = "Started/Primary/Active/WaitRemoteBackfillReserved", "WaitRemoteBackfillReserved", states::backfill::WAIT_REMOTE_BACKFILL_RESERVED, states::backfill::WaitRemoteBackfillReservedLocal;
    /// `Started/Primary/Active/Backfilling`: backfill under reservation.
    Backfilling = "Started/Primary/Active/Backfilling", "Backfilling", states::backfill::BACKFILLING;
    /// `Started/Primary/Active/NotBackfilling`: backfill deferred, rejected, revoked
    /// or stuck on unfound objects.
    NotBackfilling = "Started/Primary/Active/NotBackfilling", "NotBackfilling", states::backfill::NOT_BACKFILLING;
    /// `Started/ReplicaActive`.
    ReplicaActive = "Started/ReplicaActive", "ReplicaActive", states::replica::REPLICA_ACTIVE;
    /// `Started/ReplicaActive/RepNotRecovering`.
    RepNotRecovering = "Started/ReplicaActive/RepNotRecovering", "RepNotRecovering", states::rep_reservation::REP_NOT_RECOVERING;
    /// `Started/ReplicaActive/RepWaitRecoveryReserved`: a primary asked for our
    /// recovery slot; waiting for this OSD's remote reserver.
    RepWaitRecoveryReserved = "Started/ReplicaActive/RepWaitRecoveryReserved", "RepWaitRecoveryReserved", states::rep_reservation::REP_WAIT_RECOVERY_RESERVED;
    /// `Started/ReplicaActive/RepWaitBackfillReserved`: a primary asked for our
    /// backfill slot; waiting for space and this OSD's remote reserver.
    RepWaitBackfillReserved = "Started/ReplicaActive/RepWaitBackfillReserved", "RepWaitBackfillReserved", states::rep_reservation::REP_WAIT_BACKFILL_RESERVED;
    /// `Started/ReplicaActive/RepRecovering`: our slot is granted to the primary.
    RepRecovering = "Started/ReplicaActive/RepRecovering", "RepRecovering", states::rep_reservation::REP_RECOVERING;
    /// `Started/Stray`.
    Stray = "Started/Stray", "Stray", states::stray::STRAY;
    /// `Started/ToDelete` (Mimic+): the instance is to be removed.
    ToDelete = "Started/ToDelete", "ToDelete", states::delete::TO_DELETE, states::delete::ToDeleteLocal;
    /// `Started/ToDelete/WaitDeleteReseved` (sic: Ceph's name keeps the typo):
    /// waiting for the local reservation.
    WaitDeleteReserved = "Started/ToDelete/WaitDeleteReseved", "WaitDeleteReserved", states::delete::WAIT_DELETE_RESERVED;
    /// `Started/ToDelete/Deleting`: removing objects, a bounded chunk per step
    /// (local data boxed: the object cursor is the largest payload of any state,
    /// and inline it would size every slot of every PG's state stack).
    Deleting = "Started/ToDelete/Deleting", "Deleting", states::delete::DELETING, Box<states::delete::DeletingLocal>;
    /// `Crashed`: an event nobody handled (Ceph aborts; every later event is refused).
    Crashed = "Crashed", "Crashed", super::chart::CRASHED;
}

/// The deepest configuration is four levels (`Started/Primary/Peering/GetInfo`,
/// `Started/Primary/Active/Recovering`), plus one spare.
pub(crate) const MAX_DEPTH: usize = 5;

/// The active configuration, outermost first (§1.2).
pub type StateStack = heapless::Vec<State, MAX_DEPTH>;

// One slot of the state stack stays small (B11): states with large local data
// box it (`Peering`'s prior set, `Deleting`'s cursor). Checked when compiling
// for 64-bit targets, where the figure was measured.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(core::mem::size_of::<State>() <= 32);

/// Ancestor-data accessors (`context<Peering>()` in Ceph, §0.2 rule 7).
pub(crate) trait StackExt {
    fn peering(&self) -> Option<&PeeringLocal>;
    fn peering_mut(&mut self) -> Option<&mut PeeringLocal>;
    fn get_info_mut(&mut self) -> Option<&mut GetInfoLocal>;
    fn get_log_mut(&mut self) -> Option<&mut GetLogLocal>;
    fn get_missing_mut(&mut self) -> Option<&mut GetMissingLocal>;
    fn active_mut(&mut self) -> Option<&mut ActiveLocal>;
    fn active(&self) -> Option<&ActiveLocal>;
    fn innermost(&self) -> StateId;
    fn contains_state(&self, id: StateId) -> bool;
}

impl StackExt for StateStack {
    fn peering(&self) -> Option<&PeeringLocal> {
        self.iter().find_map(|s| match s {
            State::Peering(p) => Some(&**p),
            _ => None,
        })
    }
    fn peering_mut(&mut self) -> Option<&mut PeeringLocal> {
        self.iter_mut().find_map(|s| match s {
            State::Peering(p) => Some(&mut **p),
            _ => None,
        })
    }
    fn get_info_mut(&mut self) -> Option<&mut GetInfoLocal> {
        self.iter_mut().find_map(|s| match s {
            State::GetInfo(p) => Some(p),
            _ => None,
        })
    }
    fn get_log_mut(&mut self) -> Option<&mut GetLogLocal> {
        self.iter_mut().find_map(|s| match s {
            State::GetLog(p) => Some(p),
            _ => None,
        })
    }
    fn get_missing_mut(&mut self) -> Option<&mut GetMissingLocal> {
        self.iter_mut().find_map(|s| match s {
            State::GetMissing(p) => Some(p),
            _ => None,
        })
    }
    fn active_mut(&mut self) -> Option<&mut ActiveLocal> {
        self.iter_mut().find_map(|s| match s {
            State::Active(p) => Some(&mut **p),
            _ => None,
        })
    }
    fn active(&self) -> Option<&ActiveLocal> {
        self.iter().find_map(|s| match s {
            State::Active(p) => Some(&**p),
            _ => None,
        })
    }
    fn innermost(&self) -> StateId {
        self.last().map_or(StateId::Crashed, State::id)
    }
    fn contains_state(&self, id: StateId) -> bool {
        self.iter().any(|s| s.id() == id)
    }
}
