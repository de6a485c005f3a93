//! `GetInfo`: build the prior set and ask every
//! probe target for its info.

use alloc::collections::BTreeSet;

use crate::ctx::{HostNotification, MonRequest};
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::intervals::{PriorSet, build_prior};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::DropReason;
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::StateId;
use crate::types::{PgShard, PgState, QueryKind};

use super::peering::PeeringLocal;

/// `GetInfo`'s local data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GetInfoLocal {
    /// `peer_info_requested`: INFO queries not answered yet.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub peer_info_requested: BTreeSet<PgShard>,
}

/// `GetInfo`'s definition.
pub(crate) const GET_INFO: Spec<GetInfoLocal> = Spec {
    name: "Started/Primary/Peering/GetInfo",
    short_name: "GetInfo",
    def: StateDef {
        id: StateId::GetInfo,
        parent: Some(StateId::Peering),
        initial: None,
        reactions: &[
            Reaction::transition(E::GotInfo, StateId::GetLog),
            Reaction::custom(E::MNotifyRec, &[]),
            Reaction::transition(E::IsDown, StateId::Down),
        ],
    },
    enter,
    exit: super::peering::exit_waiting,
    react,
};

/// `build_prior`: the prior set, `DOWN` if it is down, `need_up_thru`, and
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
fn get_infos(cx: &mut Cx<'_>, data: &mut GetInfoLocal) {
    cx.ps.blocked_by.clear();
    // A snapshot, inline for the usual handful of shards: cloning the set would
    // allocate a node on every pass (B1).
    let probe: crate::machine::peering_state::Shards = cx
        .outer
        .get::<PeeringLocal>()
        .map(|p| p.prior_set.probe.iter().copied().collect())
        .unwrap_or_default();
    let requested = &mut data.peer_info_requested;
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
    cx.ps.check_prior_readable_down_osds(cx.map);
    PeeringState::publish(cx.ctx);
}

fn pg_down(cx: &mut Cx<'_>) -> bool {
    cx.outer
        .get::<PeeringLocal>()
        .is_some_and(|p| p.prior_set.pg_down)
}

/// Entry: build the prior set, ask for infos, and move on at once if nobody needs
/// asking.
pub(crate) fn enter(cx: &mut Cx<'_>, data: &mut GetInfoLocal) -> Result<(), PeeringError> {
    cx.ps.check_past_interval_bounds(StateId::GetInfo)?;
    let prior = build_prior_set(cx)?;
    // Whoever of the prior intervals is down may still be serving reads.
    cx.ps.lease.prior_readable_down_osds.clone_from(&prior.down);
    if let Some(p) = cx.outer.get::<PeeringLocal>() {
        p.prior_set = prior;
    }
    get_infos(cx, data);
    if pg_down(cx) {
        cx.post(Event::IsDown);
    } else if data.peer_info_requested.is_empty() {
        cx.post(Event::GotInfo);
    }
    Ok(())
}

/// `PeeringState::GetInfo::react(const MNotifyRec&)`: record the
/// answer; if it shows a later interval went active, rebuild the prior set and
/// re-query; post `GotInfo` once nobody is left to wait for.
pub(crate) fn react(
    cx: &mut Cx<'_>,
    data: &mut GetInfoLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    let Event::MNotifyRec(n) = evt else {
        return Ok(Outcome::Discard);
    };
    if data.peer_info_requested.remove(&n.from) {
        cx.ps.blocked_by.remove(&n.from.osd.0);
    }
    let old_les = cx.ps.info.history.last_epoch_started;
    if !cx
        .ps
        .proc_replica_info(n.from, &n.notify.info, n.notify.epoch_sent, cx.map, cx.ctx)
    {
        return Ok(Outcome::Dropped(DropReason::InfoNotNew));
    }
    if old_les < cx.ps.info.history.last_epoch_started {
        // A later interval went active: rebuild the prior set, and stop waiting for
        // peers it no longer needs (cheaper than restarting peering).
        let prior = build_prior_set(cx)?;
        cx.ps.lease.prior_readable_down_osds.clone_from(&prior.down);
        data.peer_info_requested.retain(|p| prior.probe.contains(p));
        if let Some(p) = cx.outer.get::<PeeringLocal>() {
            p.prior_set = prior;
        }
        get_infos(cx, data);
    }
    if data.peer_info_requested.is_empty() && !pg_down(cx) {
        cx.post(Event::GotInfo);
    }
    Ok(Outcome::Discard)
}
