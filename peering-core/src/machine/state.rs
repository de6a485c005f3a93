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

use super::chart::StateId;
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

/// One active state with its local data (§1.2).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(clippy::large_enum_variant)]
pub enum State {
    /// `Initial`.
    Initial,
    /// `Reset`.
    Reset,
    /// `Started`.
    Started,
    /// `Start`.
    Start,
    /// `Started/Primary`.
    Primary,
    /// `Started/Primary/Peering` (boxed: the prior set is the largest local data,
    /// and a PG spends most of its life outside Peering).
    Peering(Box<PeeringLocal>),
    /// `Started/Primary/Peering/GetInfo`.
    GetInfo(GetInfoLocal),
    /// `Started/Primary/Peering/GetLog`.
    GetLog(GetLogLocal),
    /// `Started/Primary/Peering/GetMissing`.
    GetMissing(GetMissingLocal),
    /// `Started/Primary/Peering/WaitUpThru`.
    WaitUpThru,
    /// `Started/Primary/Peering/Down`.
    Down,
    /// `Started/Primary/Peering/Incomplete`.
    Incomplete,
    /// `Started/Primary/WaitActingChange`.
    WaitActingChange,
    /// `Started/Primary/Active` (boxed, so idle replicas do not pay for it).
    Active(Box<ActiveLocal>),
    /// `Started/Primary/Active/Activating`.
    Activating,
    /// `Started/Primary/Active/Clean`.
    Clean,
    /// `Started/Primary/Active/Recovered`.
    Recovered,
    /// `Started/ReplicaActive`.
    ReplicaActive,
    /// `Started/ReplicaActive/RepNotRecovering`.
    RepNotRecovering,
    /// `Started/Stray`.
    Stray,
    /// `Crashed`.
    Crashed,
}

impl State {
    /// A freshly constructed state (its local data at construction, before the
    /// entry action runs) (§1.2).
    pub fn new(id: StateId) -> State {
        match id {
            StateId::Initial => State::Initial,
            StateId::Reset => State::Reset,
            StateId::Started => State::Started,
            StateId::Start => State::Start,
            StateId::Primary => State::Primary,
            StateId::Peering => State::Peering(Box::default()),
            StateId::GetInfo => State::GetInfo(GetInfoLocal::default()),
            StateId::GetLog => State::GetLog(GetLogLocal::default()),
            StateId::GetMissing => State::GetMissing(GetMissingLocal::default()),
            StateId::WaitUpThru => State::WaitUpThru,
            StateId::Down => State::Down,
            StateId::Incomplete => State::Incomplete,
            StateId::WaitActingChange => State::WaitActingChange,
            StateId::Active => State::Active(Box::default()),
            StateId::Activating => State::Activating,
            StateId::Clean => State::Clean,
            StateId::Recovered => State::Recovered,
            StateId::ReplicaActive => State::ReplicaActive,
            StateId::RepNotRecovering => State::RepNotRecovering,
            StateId::Stray => State::Stray,
            StateId::Crashed => State::Crashed,
        }
    }

    /// Which state this is (§1.2).
    pub fn id(&self) -> StateId {
        match self {
            State::Initial => StateId::Initial,
            State::Reset => StateId::Reset,
            State::Started => StateId::Started,
            State::Start => StateId::Start,
            State::Primary => StateId::Primary,
            State::Peering(_) => StateId::Peering,
            State::GetInfo(_) => StateId::GetInfo,
            State::GetLog(_) => StateId::GetLog,
            State::GetMissing(_) => StateId::GetMissing,
            State::WaitUpThru => StateId::WaitUpThru,
            State::Down => StateId::Down,
            State::Incomplete => StateId::Incomplete,
            State::WaitActingChange => StateId::WaitActingChange,
            State::Active(_) => StateId::Active,
            State::Activating => StateId::Activating,
            State::Clean => StateId::Clean,
            State::Recovered => StateId::Recovered,
            State::ReplicaActive => StateId::ReplicaActive,
            State::RepNotRecovering => StateId::RepNotRecovering,
            State::Stray => StateId::Stray,
            State::Crashed => StateId::Crashed,
        }
    }
}

/// The deepest configuration is four levels (`Started/Primary/Peering/GetInfo`);
/// one spare for the reservation states of a later issue.
pub(crate) const MAX_DEPTH: usize = 5;

/// The active configuration, outermost first (§1.2).
pub type StateStack = heapless::Vec<State, MAX_DEPTH>;

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
