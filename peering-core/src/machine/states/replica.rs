//! `ReplicaActive`. Its
//! children, the replica's reservation states (`RepNotRecovering`,
//! `RepWaitRecoveryReserved`, `RepWaitBackfillReserved`, `RepRecovering`), are in
//! `rep_reservation`.

use crate::ctx::HostNotification;
use crate::error::Crash;
use crate::error::Invariant;
use crate::error::PeeringError;
use crate::event::{Event, EventKind as E};
use crate::machine::cx::Cx;
use crate::machine::def::{Reaction, Spec, StateDef};
use crate::machine::outcome::DropReason;
use crate::machine::outcome::Outcome;
use crate::types::StateId;
use crate::types::{EVersion, PgState};

/// `ReplicaActive`'s definition.
pub(crate) const REPLICA_ACTIVE: Spec<()> = Spec {
    name: "Started/ReplicaActive",
    short_name: "ReplicaActive",
    def: StateDef {
        id: StateId::ReplicaActive,
        parent: Some(StateId::Started),
        initial: Some(StateId::RepNotRecovering),
        reactions: &[
            Reaction::custom(E::ActMap, &[]),
            Reaction::custom(E::MQuery, &[]),
            Reaction::custom(E::MInfoRec, &[]),
            Reaction::custom(E::MLogRec, &[]),
            Reaction::custom(E::MTrim, &[]),
            Reaction::custom(E::Activate, &[]),
            Reaction::custom(E::ActivateCommitted, &[]),
            Reaction::custom(E::MLease, &[]),
            Reaction::discard(E::DeferRecovery),
            Reaction::discard(E::DeferBackfill),
            Reaction::discard(E::UnfoundRecovery),
            Reaction::discard(E::UnfoundBackfill),
            Reaction::discard(E::RemoteBackfillPreempted),
            Reaction::discard(E::RemoteRecoveryPreempted),
            Reaction::discard(E::RecoveryDone),
            Reaction::transition(E::DeleteStart, StateId::ToDelete),
        ],
    },
    enter,
    exit,
    react,
};

/// Entry: writes of the previous interval must flush before we serve this one.
pub(crate) fn enter(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    cx.ps.start_flush(cx.ctx);
    Ok(())
}

/// Exit: give back any space and remote slot reserved for the primary.
pub(crate) fn exit(cx: &mut Cx<'_>, _: &mut ()) -> Result<(), PeeringError> {
    super::rep_reservation::release_slot(cx);
    cx.ps.min_last_complete_ondisk = EVersion::ZERO;
    Ok(())
}

/// `PeeringState::ReplicaActive::react(const ActMap&)`, `react(const MQuery&)`,
/// `react(const MInfoRec&)`, `react(const MLogRec&)`, `react(const MTrim&)`,
/// `react(const Activate&)`, `react(const ActivateCommitted&)` and
/// `react(const MLease&)`.
pub(crate) fn react(cx: &mut Cx<'_>, _: &mut (), evt: &mut Event) -> Result<Outcome, PeeringError> {
    match evt {
        Event::ActMap => {
            cx.ps.notify_primary_if_needed(cx.ctx);
            Ok(Outcome::Discard)
        }
        Event::MQuery(q) => {
            if cx.ps.fulfill_query(q, cx.ctx) {
                Ok(Outcome::Discard)
            } else {
                Ok(Outcome::Dropped(DropReason::NotFromPrimary {
                    from: q.from,
                }))
            }
        }
        Event::MInfoRec(m) => {
            // proc_primary_info: the primary's history; scrub errors and purged
            // snaps are not modelled. A lease riding on the info is not taken
            // here (Ceph's ReplicaActive ignores it; `MLease` follows).
            cx.ps.update_history(&m.info.history);
            Ok(Outcome::Discard)
        }
        Event::MLogRec(m) => {
            let m = core::mem::take(m);
            let mut oinfo = m.msg.info;
            cx.ps.merge_log(&mut oinfo, m.msg.log, m.from, cx.ctx)?;
            if cx.ps.pg_log.log().head() != cx.ps.info.last_update {
                return Err(PeeringError::Crashed(Crash::Invariant {
                    state: StateId::ReplicaActive,
                    what: Invariant::LogHeadMismatch,
                }));
            }
            if let Some(lease) = &m.msg.lease {
                cx.ps.proc_lease(lease);
            }
            Ok(Outcome::Discard)
        }
        Event::MLease(l) => {
            // Acknowledged even when `proc_lease` took nothing (a backfill
            // target is not an acting member).
            cx.ps.proc_lease(&l.lease);
            cx.ps.send_lease_ack(cx.ctx);
            Ok(Outcome::Discard)
        }
        Event::MTrim(t) => {
            let mut info = cx.ps.info.clone();
            cx.ps
                .pg_log
                .trim(t.trim_to, &mut info, cx.ps.cfg.pg_log_dups_tracked)?;
            cx.ps.info = info;
            cx.ps.dirty_info = true;
            Ok(Outcome::Discard)
        }
        Event::Activate(a) => {
            let e = a.activation_epoch;
            cx.ps.activate(e, cx.map, cx.ctx)?;
            Ok(Outcome::Discard)
        }
        Event::ActivateCommitted(ac) => {
            // Tell the primary we are active and durable, with the activation epoch as
            // our history's les.
            let mut i = cx.ps.info.clone();
            i.history.last_epoch_started = ac.activation_epoch;
            i.history.last_interval_started = i.history.same_interval_since;
            let primary = cx.ps.primary;
            let ack = Some(cx.ps.get_lease_ack());
            cx.ps.send_info(cx.ctx, primary, i, None, ack);
            if cx.ps.acting_set_writeable(cx.map) {
                cx.ps.state.set(PgState::ACTIVE);
            } else {
                cx.ps.state.set(PgState::PEERED);
            }
            cx.ctx
                .notifications
                .push(HostNotification::ActivateCommitted);
            Ok(Outcome::Discard)
        }
        _ => Ok(Outcome::Discard),
    }
}
