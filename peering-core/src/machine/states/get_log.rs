//! `GetLog`: choose the acting set and
//! the authoritative log, and fetch that log.

use alloc::boxed::Box;

use crate::acting::{PeeringOutcome, get_log_outcome};
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E, MLogRec};
use crate::machine::choose::ActingRequest;
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::DropReason;
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::StateId;
use crate::types::{PgShard, QueryKind};

use super::peering::PeeringLocal;

/// `GetLog`'s local data.
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

/// `GetLog`'s definition.
pub(crate) const GET_LOG: Spec<GetLogLocal> = Spec {
    name: "Started/Primary/Peering/GetLog",
    short_name: "GetLog",
    def: StateDef {
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
    },
    enter,
    exit: super::peering::exit_waiting,
    react,
};

/// Entry: `choose_acting`; then wait for an acting change, give up as incomplete,
/// use our own log, or ask the authoritative shard for its log.
pub(crate) fn enter(cx: &mut Cx<'_>, data: &mut GetLogLocal) -> Result<(), PeeringError> {
    let les_bound = cx
        .outer
        .get::<PeeringLocal>()
        .is_some_and(|p| p.history_les_bound);
    let (choice, all_info) = cx.ps.choose_acting(
        ActingRequest {
            restrict_to_up_acting: false,
            request_pg_temp_change_only: false,
            history_les_bound: les_bound,
        },
        cx.map,
        cx.ctx,
    )?;
    if let Some(p) = cx.outer.get::<PeeringLocal>() {
        p.history_les_bound = choice.history_les_bound;
    }
    match get_log_outcome(&choice, cx.ps.whoami, &all_info)? {
        PeeringOutcome::WaitActingChange { .. } => cx.post(Event::NeedActingChange),
        PeeringOutcome::Incomplete { .. } | PeeringOutcome::Down { .. } => {
            cx.post(Event::IsIncomplete)
        }
        PeeringOutcome::GotLog => {
            data.auth_log_shard = cx.ps.whoami;
            cx.post(Event::GotLog);
        }
        PeeringOutcome::GetLog {
            auth_log_shard,
            request_log_from,
        } => {
            data.auth_log_shard = auth_log_shard;
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
/// `react(const AdvMap&)`.
pub(crate) fn react(
    cx: &mut Cx<'_>,
    data: &mut GetLogLocal,
    evt: &mut Event,
) -> Result<Outcome, PeeringError> {
    match evt {
        Event::MLogRec(m) => {
            if data.msg.is_some() {
                return Ok(Outcome::Dropped(DropReason::Duplicate));
            }
            if m.from != data.auth_log_shard {
                return Ok(Outcome::Dropped(DropReason::NotAuthLog { from: m.from }));
            }
            data.msg = Some(Box::new(core::mem::take(m)));
            cx.post(Event::GotLog);
            Ok(Outcome::Discard)
        }
        Event::GotLog => {
            let (auth, msg) = (data.auth_log_shard, data.msg.take());
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
            if !cx.map.is_up(data.auth_log_shard.osd) {
                cx.post(evt.clone());
                return Ok(Outcome::Transit(StateId::Reset));
            }
            Ok(Outcome::Forward)
        }
        _ => Ok(Outcome::Discard),
    }
}
