//! [`PgStatus`]: a read-only snapshot of one PG instance, with what Ceph's
//! `ceph pg <pgid> query` and `dump_pgstate_history` show.
//!
//! Everything a host or a test reads of a PG's peering state comes through here
//! (or through `Pg`'s few borrowed accessors); the machine's insides stay
//! private. The snapshot is plain data: `Clone + Debug + PartialEq`, and
//! serde-serializable (to JSON too: no map has a non-string key) behind the
//! `serde` feature.

use alloc::collections::BTreeSet;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::chart::State;
use super::history::{StateRecord, Transit};
use super::pg::Pg;
use crate::intervals::PastIntervals;
use crate::types::{EVersion, Epoch, ObjectId, OsdId, OsdVec, PgInfo, PgShard, SpgId, UTime};

/// One PG instance as `ceph pg query` shows it (`PG::query_state` and
/// `PeeringState::dump_peering_state`), plus the state history of
/// `dump_pgstate_history`.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PgStatus {
    /// The PG and shard (`pgid`).
    pub pgid: SpgId,
    /// This instance (`pg_whoami`).
    pub whoami: PgShard,
    /// The state bits as Ceph prints them (`pg_state_string`:
    /// `active+clean`, `active+undersized+degraded`, `peering`...).
    pub state: String,
    /// The innermost statechart state as Ceph names it
    /// (`Started/Primary/Active/Clean`).
    pub machine_state: String,
    /// The map epoch the PG is at (`epoch`).
    pub epoch: Epoch,
    /// `role`: 0 for the primary, the position in the acting set otherwise, -1
    /// for a stray.
    pub role: i32,
    /// The up set (`up`).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub up: OsdVec,
    /// The acting set (`acting`).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting: OsdVec,
    /// The up primary.
    pub up_primary: PgShard,
    /// The acting primary.
    pub acting_primary: PgShard,
    /// `acting_recovery_backfill` (primary only).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub acting_recovery_backfill: BTreeSet<PgShard>,
    /// `backfill_targets`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub backfill_targets: BTreeSet<PgShard>,
    /// `async_recovery_targets`.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub async_recovery_targets: BTreeSet<PgShard>,
    /// `stray_set`: peers that hold the PG outside the acting set.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub stray_set: BTreeSet<PgShard>,
    /// `want_acting`: the acting set `choose_acting` asked for, if any.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub want_acting: OsdVec,
    /// `blocked_by`: the OSDs peering waits for.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub blocked_by: BTreeSet<i32>,
    /// `info`, with its history.
    pub info: PgInfo,
    /// `past_intervals`.
    pub past_intervals: PastIntervals,
    /// The objects this instance is missing (`pg_log.get_missing().num_missing()`).
    pub num_missing: usize,
    /// The peers the primary heard from (`peer_info`), with their missing counts
    /// where known (`peer_missing`), in shard order.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peers: Vec<PeerStatus>,
    /// Objects no known copy holds (`missing_loc.num_unfound()`).
    pub num_unfound: usize,
    /// `might_have_unfound`: peers that may hold objects nobody else has.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub might_have_unfound: BTreeSet<PgShard>,
    /// `last_peering_reset`.
    pub last_peering_reset: Epoch,
    /// `need_up_thru`: the monitor has not recorded our `up_thru` yet.
    pub need_up_thru: bool,
    /// `needs_recovery()`.
    pub needs_recovery: bool,
    /// `needs_backfill()`.
    pub needs_backfill: bool,
    /// `get_recovery_priority()`.
    pub recovery_priority: u32,
    /// `get_backfill_priority()`.
    pub backfill_priority: u32,
    /// `min_last_complete_ondisk`.
    pub min_last_complete_ondisk: EVersion,
    /// `peer_purged`: strays the primary told to remove their copy.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_purged: BTreeSet<PgShard>,
    /// `peer_last_complete_ondisk`: each replica's reported durable point, in
    /// shard order.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_last_complete_ondisk: Vec<(PgShard, EVersion)>,
    /// `peer_bytes`: the backfill space each target was asked to reserve.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_bytes: Vec<(PgShard, i64)>,
    /// `peer_activated`: shards that acked activation.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_activated: BTreeSet<PgShard>,
    /// `backfill_reserved`.
    pub backfill_reserved: bool,
    /// `send_notify`: a non-primary owes its primary a notify.
    pub send_notify: bool,
    /// Buffered sends are held back until the previous interval's writes flush.
    pub flush_pending: bool,
    /// `recovery_state`: the active states, innermost first as Ceph lists them,
    /// each with when it was entered.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub recovery_state: Vec<StateEntry>,
    /// `dump_pgstate_history`: every state entered and left that the bounded
    /// history still holds, oldest first.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub state_history: Vec<StateSpan>,
}

/// One peer in [`PgStatus::peers`] (`peer_info` / `peer_missing`).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeerStatus {
    /// The peer shard.
    pub peer: PgShard,
    /// Its info as the primary recorded it.
    pub info: PgInfo,
    /// How many objects it is missing, once its missing set is known.
    pub num_missing: Option<usize>,
}

/// One active state in [`PgStatus::recovery_state`].
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StateEntry {
    /// Ceph's state name.
    pub name: String,
    /// The epoch it was entered at (when the bounded history still has it).
    pub enter_epoch: Option<Epoch>,
    /// The host's time it was entered at (likewise).
    pub enter_time: Option<UTime>,
    /// What the state itself reports (its `dump` in `pg query`), for the states
    /// that keep data of their own.
    pub details: Option<StateDetails>,
}

/// What a state with data of its own reports in `pg query`'s `recovery_state`.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StateDetails {
    /// `Peering`: its prior set and why it may be blocked.
    Peering {
        /// `probing_osds`: the shards to probe.
        #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
        probing_osds: BTreeSet<PgShard>,
        /// `down_osds_we_would_probe`.
        #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
        down_osds_we_would_probe: BTreeSet<OsdId>,
        /// `peering_blocked_by_history_les_bound`.
        history_les_bound: bool,
    },
    /// `GetInfo`: `requested_info_from`, the INFO queries not answered yet.
    GetInfo {
        /// The shards asked.
        #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
        requested_info_from: BTreeSet<PgShard>,
    },
    /// `GetLog`: the shard whose log is authoritative.
    GetLog {
        /// `auth_log_shard`.
        auth_log_shard: PgShard,
    },
    /// `ToDelete`: the priority of the pending deletion reservation.
    ToDelete {
        /// The delete priority requested.
        priority: u32,
    },
    /// `Deleting`: the deletion cursor.
    Deleting {
        /// The last object removed (`None` before the first step).
        next: Option<ObjectId>,
        /// Objects removed so far in this visit.
        removed: u64,
    },
}

fn details(state: &State) -> Option<StateDetails> {
    Some(match state {
        State::Peering(p) => StateDetails::Peering {
            probing_osds: p.prior_set.probe.clone(),
            down_osds_we_would_probe: p.prior_set.down.clone(),
            history_les_bound: p.history_les_bound,
        },
        State::GetInfo(g) => StateDetails::GetInfo {
            requested_info_from: g.peer_info_requested.clone(),
        },
        State::GetLog(g) => StateDetails::GetLog {
            auth_log_shard: g.auth_log_shard,
        },
        State::ToDelete(t) => StateDetails::ToDelete {
            priority: t.priority,
        },
        State::Deleting(d) => StateDetails::Deleting {
            next: d.next.clone(),
            removed: d.removed,
        },
        _ => return None,
    })
}

/// One state's stay in [`PgStatus::state_history`] (`PGStateHistory`'s
/// `enter`/`exit` pairs).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StateSpan {
    /// Ceph's state name.
    pub state: String,
    /// Epoch and time of entry; `None` when the entry is older than what the
    /// bounded history holds.
    pub enter: Option<(Epoch, UTime)>,
    /// Epoch and time of exit; `None` while the state is active.
    pub exit: Option<(Epoch, UTime)>,
}

/// Pairs each entry with the exit of the same state that follows it (states
/// nest, so the innermost open entry of that state closes first).
fn spans(records: impl Iterator<Item = StateRecord>) -> Vec<StateSpan> {
    let mut out: Vec<StateSpan> = Vec::new();
    let mut open: Vec<(usize, crate::types::StateId)> = Vec::new();
    for r in records {
        match r.transit {
            Transit::Enter => {
                open.push((out.len(), r.state));
                out.push(StateSpan {
                    state: r.state.name().to_string(),
                    enter: Some((r.epoch, r.time)),
                    exit: None,
                });
            }
            Transit::Exit => {
                let exit = Some((r.epoch, r.time));
                match open.iter().rposition(|(_, s)| *s == r.state) {
                    Some(at) => {
                        let (i, _) = open.remove(at);
                        if let Some(span) = out.get_mut(i) {
                            span.exit = exit;
                        }
                    }
                    None => out.push(StateSpan {
                        state: r.state.name().to_string(),
                        enter: None,
                        exit,
                    }),
                }
            }
        }
    }
    out
}

impl Pg {
    /// A read-only snapshot of this instance: what `ceph pg query` shows and the
    /// state history of `dump_pgstate_history` (`PG::query_state`). It
    /// allocates (names, peer infos); hosts on a hot path read the borrowed
    /// accessors instead.
    pub fn status(&self) -> PgStatus {
        let ps = &self.ps;
        let records: Vec<StateRecord> = self.history.records().copied().collect();
        let recovery_state = self
            .stack
            .iter()
            .rev()
            .map(|s| {
                let id = s.id();
                let entered = records
                    .iter()
                    .rev()
                    .find(|r| r.transit == Transit::Enter && r.state == id);
                StateEntry {
                    name: id.name().to_string(),
                    enter_epoch: entered.map(|r| r.epoch),
                    enter_time: entered.map(|r| r.time),
                    details: details(s),
                }
            })
            .collect();
        PgStatus {
            pgid: ps.info.pgid,
            whoami: ps.whoami,
            state: ps.state.to_string(),
            machine_state: self.state_name().to_string(),
            epoch: ps.epoch,
            role: ps.role,
            up: ps.mapping.up.clone(),
            acting: ps.mapping.acting.clone(),
            up_primary: ps.up_primary,
            acting_primary: ps.primary,
            acting_recovery_backfill: ps.acting_recovery_backfill.clone(),
            backfill_targets: ps.backfill_targets.clone(),
            async_recovery_targets: ps.async_recovery_targets.clone(),
            stray_set: ps.stray_set.clone(),
            want_acting: ps.want_acting.clone(),
            blocked_by: ps.blocked_by.clone(),
            info: ps.info.clone(),
            past_intervals: ps.past_intervals.clone(),
            num_missing: ps.pg_log.missing().num_missing(),
            peers: ps
                .peer_info
                .iter()
                .map(|(peer, info)| PeerStatus {
                    peer: *peer,
                    info: info.clone(),
                    num_missing: ps.peer_missing.get(peer).map(|m| m.num_missing()),
                })
                .collect(),
            num_unfound: ps.missing_loc.num_unfound(),
            might_have_unfound: ps.might_have_unfound.clone(),
            last_peering_reset: ps.last_peering_reset,
            need_up_thru: ps.need_up_thru,
            needs_recovery: ps.needs_recovery(),
            needs_backfill: ps.needs_backfill(),
            recovery_priority: ps.recovery_priority(),
            backfill_priority: ps.backfill_priority(),
            min_last_complete_ondisk: ps.min_last_complete_ondisk,
            peer_purged: ps.peer_purged.clone(),
            peer_last_complete_ondisk: ps
                .peer_last_complete_ondisk
                .iter()
                .map(|(s, v)| (*s, *v))
                .collect(),
            peer_bytes: ps.peer_bytes.iter().map(|(s, b)| (*s, *b)).collect(),
            peer_activated: ps.peer_activated.clone(),
            backfill_reserved: ps.backfill_reserved,
            send_notify: ps.send_notify,
            flush_pending: ps.pending_flush.as_ref().is_some_and(|b| !b.is_empty()),
            recovery_state,
            state_history: spans(records.into_iter()),
        }
    }

    /// Sets the host's clock: the time stamped on the state history from now on
    /// (`dump_pgstate_history`'s enter and exit times). The core reads no clock;
    /// a host that never calls this gets zero times.
    pub fn set_clock(&mut self, now: UTime) {
        self.history.set_now(now);
    }
}
