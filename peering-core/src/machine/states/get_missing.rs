//! `GetMissing`: learn every acting peer's
//! missing set.

use alloc::collections::BTreeSet;

use crate::error::Crash;
use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::{Activate, Event, EventKind as E};
use crate::log::Missing;
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::StateId;
use crate::types::{EVersion, ObjectId, PgShard, QueryKind};

/// `GetMissing`'s local data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GetMissingLocal {
    /// `peer_missing_requested`: LOG / FULLLOG queries not answered yet.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_missing_requested: BTreeSet<PgShard>,
}

/// `GetMissing`'s definition.
pub(crate) const GET_MISSING: Spec<GetMissingLocal> = Spec {
    name: "Started/Primary/Peering/GetMissing",
    short_name: "GetMissing",
    def: StateDef {
        id: StateId::GetMissing,
        parent: Some(StateId::Peering),
        initial: None,
        reactions: &[
            Reaction::custom(E::MLogRec, &[]),
            Reaction::transition(E::NeedUpThru, StateId::WaitUpThru),
        ],
    },
    enter,
    exit: super::peering::exit_waiting,
    react,
};

fn done(cx: &mut Cx<'_>) {
    if cx.ps.need_up_thru {
        cx.post(Event::NeedUpThru);
    } else {
        let e = cx.ps.epoch;
        cx.post(Event::Activate(Activate {
            activation_epoch: e,
        }));
    }
}

/// Entry: ask each acting/backfill peer that may have diverged for its log.
pub(crate) fn enter(cx: &mut Cx<'_>, data: &mut GetMissingLocal) -> Result<(), PeeringError> {
    let may_include_deletes = !PeeringState::perform_deletes_during_peering(cx.map);
    let peers: crate::machine::peering_state::Shards = cx
        .ps
        .acting_recovery_backfill
        .iter()
        .copied()
        .filter(|p| *p != cx.ps.primary)
        .collect();
    for peer in peers {
        let Some(pi) = cx.ps.peer_info.get(&peer).cloned() else {
            return Err(PeeringError::Crashed(Crash::Invariant {
                state: StateId::GetMissing,
                what: Invariant::MissingPeerInfo(peer),
            }));
        };
        let Some(pm) = cx
            .ps
            .peer_missing
            .get_or_insert_with(peer, || Missing::new(may_include_deletes))
        else {
            // Unreachable: the map just inserted it.
            continue;
        };
        pm.may_include_deletes = may_include_deletes;
        if pi.is_empty() {
            continue; // no pg data, nothing divergent
        }
        if pi.last_update < cx.ps.pg_log.log().tail()
            || pi.last_backfill == ObjectId::MIN
            || (pi.last_update == pi.last_complete && pi.last_update == cx.ps.info.last_update)
        {
            // Backfill, or nothing to learn: its missing set is empty by definition.
            pm.clear();
            continue;
        }
        let since = EVersion::new(pi.last_epoch_started, 0);
        // Deviation from Ceph, which always asks from the peer's les: a peer
        // whose head is older than its les and is not in our log holds
        // divergent entries from before its les (it activated in an interval
        // that never finished activating, and a later authoritative log
        // dropped them). Asked from its les it answers with no entry,
        // `proc_replica_log` cannot rewind them, and its missing set keeps
        // needs our log never had (`add_active_missing` then aborts). It is
        // asked for its whole log instead. (Upstream: ceph/ceph pull request
        // 28005, closed unmerged.)
        let head_unknown = pi.last_update < since
            && pi.last_update > cx.ps.pg_log.log().tail()
            && cx
                .ps
                .pg_log
                .log()
                .entries()
                .binary_search_by(|e| e.version.cmp(&pi.last_update))
                .is_err();
        let kind = if pi.log_tail <= since && !head_unknown {
            QueryKind::Log { since }
        } else {
            QueryKind::FullLog
        };
        let q = cx.ps.make_query(kind, peer);
        cx.ps.send_query(cx.ctx, peer, q);
        data.peer_missing_requested.insert(peer);
        cx.ps.blocked_by.insert(peer.osd.0);
    }
    if data.peer_missing_requested.is_empty() {
        done(cx);
    } else {
        PeeringState::publish(cx.ctx);
    }
    Ok(())
}

/// `PeeringState::GetMissing::react(const MLogRec&)`:
/// `proc_replica_log`, and once every answer is in, on to up_thru or activation.
pub(crate) fn react(
    cx: &mut Cx<'_>,
    data: &mut GetMissingLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    if let Event::MLogRec(m) = evt {
        let m = core::mem::take(m);
        data.peer_missing_requested.remove(&m.from);
        cx.ps
            .proc_replica_log(m.msg.info, &m.msg.log, m.msg.missing, m.from)?;
        if data.peer_missing_requested.is_empty() {
            done(cx);
        }
    }
    Ok(Outcome::Discard)
}
