//! `Stray`: a non-primary waiting to be activated (or
//! purged) by the primary.

use crate::error::Crash;
use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::{Activate, Event, EventKind as E};
use crate::log::LogEffects;
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef, no_action};
use crate::machine::outcome::DropReason;
use crate::machine::outcome::Outcome;
use crate::machine::peering_state::PeeringState;
use crate::types::StateId;

/// `Stray`'s definition.
pub(crate) const STRAY: Spec<()> = Spec {
    name: "Started/Stray",
    short_name: "Stray",
    def: StateDef {
        id: StateId::Stray,
        parent: Some(StateId::Started),
        initial: None,
        reactions: &[
            Reaction::custom(E::MQuery, &[]),
            Reaction::custom(E::MLogRec, &[StateId::ReplicaActive]),
            Reaction::custom(E::MInfoRec, &[StateId::ReplicaActive]),
            Reaction::custom(E::ActMap, &[]),
            Reaction::discard(E::RecoveryDone),
            Reaction::transition(E::DeleteStart, StateId::ToDelete),
        ],
    },
    enter,
    exit: no_action,
    react,
};

/// Entry: a stray whose pool is gone deletes itself (post `DeleteStart`);
/// otherwise it waits for the previous interval's writes.
pub(crate) fn enter(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    if cx.map.pool(cx.ps.info.pgid.pgid.pool).is_some() {
        cx.ps.start_flush(cx.ctx);
    } else {
        cx.post(Event::DeleteStart);
    }
    Ok(())
}

/// `PeeringState::Stray::react(const MQuery&)`, `react(const MLogRec&)`,
/// `react(const MInfoRec&)` and `react(const ActMap&)`.
pub(crate) fn react(cx: &mut Cx<'_>, _: &mut (), evt: &mut Event) -> Result<Outcome, PeeringError> {
    match evt {
        Event::MQuery(q) => {
            if cx.ps.fulfill_query(q, cx.ctx) {
                Ok(Outcome::Discard)
            } else {
                Ok(Outcome::Dropped(DropReason::NotFromPrimary {
                    from: q.from,
                }))
            }
        }
        Event::MLogRec(m) => {
            let m = core::mem::take(m);
            let les = m.msg.info.last_epoch_started;
            if m.msg.info.last_backfill.is_min() {
                // The primary (re)starts a backfill of us: take its info and log.
                let mut effects = LogEffects::new();
                cx.ps
                    .pg_log
                    .reset_backfill_claim_log(m.msg.log, &mut effects)?;
                cx.ps.info = m.msg.info;
                cx.ps.dirty_all();
                cx.ps.pg_log.reset_backfill();
                PeeringState::apply_effects(cx.ctx, effects);
            } else {
                let mut oinfo = m.msg.info;
                cx.ps.merge_log(&mut oinfo, m.msg.log, m.from, cx.ctx)?;
            }
            if let Some(lease) = &m.msg.lease {
                cx.ps.proc_lease(lease);
            }
            if cx.ps.pg_log.log().head() != cx.ps.info.last_update {
                return Err(PeeringError::Crashed(Crash::Invariant {
                    state: StateId::Stray,
                    what: Invariant::LogHeadMismatch,
                }));
            }
            cx.post(Event::Activate(Activate {
                activation_epoch: les,
            }));
            Ok(Outcome::Transit(StateId::ReplicaActive))
        }
        Event::MInfoRec(m) => {
            let theirs = m.info.last_update;
            if cx.ps.info.last_update > theirs {
                // Our head is divergent: rewind to the primary's.
                let mut effects = LogEffects::new();
                cx.ps
                    .pg_log
                    .rewind_divergent_log(theirs, &mut cx.ps.info, &mut effects)?;
                cx.ps.dirty_all();
                cx.ps.info.stats = m.info.stats.clone();
                PeeringState::apply_effects(cx.ctx, effects);
            }
            if let Some(lease) = &m.lease {
                cx.ps.proc_lease(lease);
            }
            if theirs != cx.ps.info.last_update
                || cx.ps.pg_log.log().head() != cx.ps.info.last_update
            {
                return Err(PeeringError::Crashed(Crash::Invariant {
                    state: StateId::Stray,
                    what: Invariant::LastUpdateMismatch,
                }));
            }
            cx.post(Event::Activate(Activate {
                activation_epoch: m.info.last_epoch_started,
            }));
            Ok(Outcome::Transit(StateId::ReplicaActive))
        }
        Event::ActMap => {
            // A stray re-notifies on every map batch until activated.
            cx.ps.notify_primary_if_needed(cx.ctx);
            Ok(Outcome::Discard)
        }
        _ => Ok(Outcome::Discard),
    }
}
