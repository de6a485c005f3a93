//! `GetLog` (reference §1.2, §3 "GetLog", §5.10, §5.11): choose the acting set and
//! the authoritative log, and fetch that log.

use alloc::boxed::Box;

use crate::acting::{PeeringOutcome, get_log_outcome};
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::chart::{Reaction, StateDef, StateId};
use crate::machine::choose::ActingRequest;
use crate::machine::engine::{Cx, Outcome};
use crate::machine::peering_state::PeeringState;
use crate::machine::pg::DropReason;
use crate::machine::state::StackExt;
use crate::types::QueryKind;

/// `GetLog`'s definition.
pub(crate) const GET_LOG: StateDef = StateDef {
    id: StateId::GetLog,
    parent: Some(StateId::Peering),
    initial: None,
    reactions: &[
        Reaction::custom(E::MLogRec, &[]),
        Reaction::custom(E::GotLog, &[StateId::GetMissing]),
        Reaction::custom(E::AdvMap, &[StateId::Reset]),
        Reaction::transition(E::NeedActingChange, StateId::WaitActingChange),
        Reaction::transition(E::IsIncomplete, StateId::Incomplete),
    ],
};

/// Entry: `choose_acting`; then wait for an acting change, give up as incomplete,
/// use our own log, or ask the authoritative shard for its log.
pub(crate) fn enter(cx: &mut Cx<'_>) -> Result<(), PeeringError> {
    let les_bound = cx.stack.peering().is_some_and(|p| p.history_les_bound);
    let (choice, all_info) = cx.ps.choose_acting(
        ActingRequest {
            restrict_to_up_acting: false,
            request_pg_temp_change_only: false,
            history_les_bound: les_bound,
        },
        cx.ctx,
    )?;
    if let Some(p) = cx.stack.peering_mut() {
        p.history_les_bound = choice.history_les_bound;
    }
    match get_log_outcome(&choice, cx.ps.whoami, &all_info)? {
        PeeringOutcome::WaitActingChange { .. } => cx.post(Event::NeedActingChange),
        PeeringOutcome::Incomplete { .. } | PeeringOutcome::Down { .. } => {
            cx.post(Event::IsIncomplete)
        }
        PeeringOutcome::GotLog => {
            let me = cx.ps.whoami;
            if let Some(g) = cx.stack.get_log_mut() {
                g.auth_log_shard = me;
            }
            cx.post(Event::GotLog);
        }
        PeeringOutcome::GetLog {
            auth_log_shard,
            request_log_from,
        } => {
            if let Some(g) = cx.stack.get_log_mut() {
                g.auth_log_shard = auth_log_shard;
            }
            let q = cx.ps.make_query(
                QueryKind::Log {
                    since: request_log_from,
                },
                auth_log_shard,
            );
            cx.ps.send_query(cx.ctx, auth_log_shard, q);
            cx.ps.blocked_by.clear();
            cx.ps.blocked_by.insert(auth_log_shard.osd.0);
            PeeringState::publish(cx.ctx);
        }
    }
    Ok(())
}

/// `PeeringState::GetLog::react(const MLogRec&)`, `react(const GotLog&)` and
/// `react(const AdvMap&)` (§3 "GetLog", §5.11).
pub(crate) fn react(cx: &mut Cx<'_>, evt: &mut Event) -> Result<Outcome, PeeringError> {
    match evt {
        Event::MLogRec(m) => {
            let Some(g) = cx.stack.get_log_mut() else {
                return Ok(Outcome::Discard);
            };
            if g.msg.is_some() {
                cx.dropped = Some(DropReason::Duplicate);
            } else if m.from != g.auth_log_shard {
                cx.dropped = Some(DropReason::NotAuthLog { from: m.from });
            } else {
                g.msg = Some(Box::new(core::mem::take(m)));
                cx.post(Event::GotLog);
            }
            Ok(Outcome::Discard)
        }
        Event::GotLog => {
            let (auth, msg) = match cx.stack.get_log_mut() {
                Some(g) => (g.auth_log_shard, g.msg.take()),
                None => return Ok(Outcome::Discard),
            };
            if let Some(m) = msg {
                let m = *m;
                cx.ps
                    .proc_master_log(m.msg.info, m.msg.log, m.msg.missing, auth, cx.ctx)?;
            }
            cx.ps.start_flush(cx.ctx);
            Ok(Outcome::Transit(StateId::GetMissing))
        }
        Event::AdvMap(_) => {
            // The authoritative shard need not be in the prior set, so Peering's
            // affected_by_map would not notice it going down.
            let auth = cx.stack.get_log_mut().map(|g| g.auth_log_shard);
            if auth.is_some_and(|a| !cx.map.is_up(a.osd)) {
                cx.post(evt.clone());
                return Ok(Outcome::Transit(StateId::Reset));
            }
            Ok(Outcome::Forward)
        }
        _ => Ok(Outcome::Discard),
    }
}
