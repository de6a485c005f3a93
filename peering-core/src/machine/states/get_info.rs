//! `GetInfo` (reference §1.2, §3 "GetInfo", §5.6): build the prior set and ask every
//! probe target for its info.

use crate::ctx::{HostNotification, MonRequest};
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::intervals::{PriorSet, build_prior};
use crate::machine::chart::{Reaction, StateDef, StateId};
use crate::machine::engine::{Cx, Outcome};
use crate::machine::peering_state::PeeringState;
use crate::machine::pg::DropReason;
use crate::machine::state::StackExt;
use crate::types::{PgState, QueryKind};

/// `GetInfo`'s definition.
pub(crate) const GET_INFO: StateDef = StateDef {
    id: StateId::GetInfo,
    parent: Some(StateId::Peering),
    initial: None,
    reactions: &[
        Reaction::transition(E::GotInfo, StateId::GetLog),
        Reaction::custom(E::MNotifyRec, &[]),
        Reaction::transition(E::IsDown, StateId::Down),
    ],
};

/// `build_prior` (§5.6): the prior set, `DOWN` if it is down, `need_up_thru`, and
/// the probe targets for the host's heartbeats.
pub(crate) fn build_prior_set(cx: &mut Cx<'_>) -> Result<PriorSet, PeeringError> {
    let ps = &mut *cx.ps;
    let built = build_prior(
        &ps.past_intervals,
        &ps.pool,
        cx.map,
        ps.whoami.osd,
        &ps.mapping,
        (
            ps.info.history.last_epoch_started,
            ps.info.history.same_interval_since,
        ),
        ps.peer_info
            .iter()
            .map(|(s, i)| (*s, i.history.last_epoch_started)),
    )?;
    if built.prior.pg_down {
        ps.state.set(PgState::DOWN);
    }
    let was = ps.need_up_thru;
    ps.need_up_thru = built.need_up_thru;
    if ps.need_up_thru && !was {
        // The host's queue_want_up_thru after the event (§5.7).
        cx.ctx.mon.push(MonRequest::UpThru {
            want: ps.info.history.same_interval_since,
        });
    }
    cx.ctx
        .notifications
        .push(HostNotification::ProbeTargets(built.prior.probe.clone()));
    Ok(built.prior)
}

/// `get_infos`: query every probe target we have no info from and that is up.
fn get_infos(cx: &mut Cx<'_>) {
    cx.ps.blocked_by.clear();
    // A snapshot, inline for the usual handful of shards: cloning the set would
    // allocate a node on every pass (B1).
    let probe: crate::machine::Shards = cx
        .stack
        .peering()
        .map(|p| p.prior_set.probe.iter().copied().collect())
        .unwrap_or_default();
    let mut requested = cx
        .stack
        .get_info_mut()
        .map(|g| core::mem::take(&mut g.peer_info_requested))
        .unwrap_or_default();
    for peer in probe {
        if peer == cx.ps.whoami || cx.ps.peer_info.contains_key(&peer) {
            continue;
        }
        if requested.contains(&peer) {
            cx.ps.blocked_by.insert(peer.osd.0);
        } else if cx.map.is_up(peer.osd) {
            let q = cx.ps.make_query(QueryKind::Info, peer);
            cx.ps.send_query(cx.ctx, peer, q);
            requested.insert(peer);
            cx.ps.blocked_by.insert(peer.osd.0);
        }
    }
    if let Some(g) = cx.stack.get_info_mut() {
        g.peer_info_requested = requested;
    }
    PeeringState::publish(cx.ctx);
}

fn requested_empty(cx: &mut Cx<'_>) -> bool {
    cx.stack
        .get_info_mut()
        .is_none_or(|g| g.peer_info_requested.is_empty())
}

fn pg_down(cx: &Cx<'_>) -> bool {
    cx.stack.peering().is_some_and(|p| p.prior_set.pg_down)
}

/// Entry: build the prior set, ask for infos, and move on at once if nobody needs
/// asking.
pub(crate) fn enter(cx: &mut Cx<'_>) -> Result<(), PeeringError> {
    cx.ps.check_past_interval_bounds(StateId::GetInfo)?;
    let prior = build_prior_set(cx)?;
    if let Some(p) = cx.stack.peering_mut() {
        p.prior_set = prior;
    }
    get_infos(cx);
    if pg_down(cx) {
        cx.post(Event::IsDown);
    } else if requested_empty(cx) {
        cx.post(Event::GotInfo);
    }
    Ok(())
}

/// `PeeringState::GetInfo::react(const MNotifyRec&)` (§3 "GetInfo"): record the
/// answer; if it shows a later interval went active, rebuild the prior set and
/// re-query (§5.6); post `GotInfo` once nobody is left to wait for.
pub(crate) fn react(cx: &mut Cx<'_>, evt: &mut Event) -> Result<Outcome, PeeringError> {
    let Event::MNotifyRec(n) = evt else {
        return Ok(Outcome::Discard);
    };
    if cx
        .stack
        .get_info_mut()
        .is_some_and(|g| g.peer_info_requested.remove(&n.from))
    {
        cx.ps.blocked_by.remove(&n.from.osd.0);
    }
    let old_les = cx.ps.info.history.last_epoch_started;
    if !cx
        .ps
        .proc_replica_info(n.from, &n.notify.info, n.notify.epoch_sent, cx.map, cx.ctx)
    {
        cx.dropped = Some(DropReason::InfoNotNew);
        return Ok(Outcome::Discard);
    }
    if old_les < cx.ps.info.history.last_epoch_started {
        // A later interval went active: rebuild the prior set, and stop waiting for
        // peers it no longer needs (cheaper than restarting peering).
        let prior = build_prior_set(cx)?;
        if let Some(g) = cx.stack.get_info_mut() {
            g.peer_info_requested.retain(|p| prior.probe.contains(p));
        }
        if let Some(p) = cx.stack.peering_mut() {
            p.prior_set = prior;
        }
        get_infos(cx);
    }
    if requested_empty(cx) && !pg_down(cx) {
        cx.post(Event::GotInfo);
    }
    Ok(Outcome::Discard)
}
