//! The statechart engine: boost::statechart's semantics, driven
//! by the chart table ([`super::chart`]).
//!
//! * An event goes to the innermost state first; each state's reaction list is
//!   searched in order and the first matching entry wins; without one, the event
//!   goes to the enclosing state (rule 1).
//! * `transition` entries transit; `discard` entries consume; `custom` entries call
//!   the state's handler, which discards, forwards to the enclosing state, or transits
//!   to a target the table lists (rule 2).
//! * A transit exits states innermost first up to, not including, the least common
//!   ancestor of the reacting state and the target, enters outermost first down to the
//!   target, then its default substates; a transit to the reacting state itself exits
//!   and re-enters it (rule 5).
//! * Posted events queue FIFO and run after the current reaction and its transit,
//!   before the call returns (rule 4), up to [`super::Config::max_posted_events`].
//! * The catch-all "any event → Crashed" of Initial, Reset and Started ends the
//!   machine: [`crate::Crash::Unhandled`], then [`crate::Crash::AlreadyCrashed`] for every
//!   later event (rule 3).

use super::chart::{Ancestors, On, ReactionKind, State, StateId};
use super::cx::{Cx, PostQueue};
use super::history::{StateHistory, Transit};
use super::outcome::{DropReason, Outcome};
use super::peering_state::PeeringState;
use super::state::{MAX_DEPTH, StackExt, StateStack};
use crate::ctx::RecoveryCtx;
use crate::error::PeeringError;
use crate::error::{Crash, HostMisuse};
use crate::event::Event;
use crate::map::OsdMapView;

/// One call into the machine: the PG's peering state and active configuration,
/// the maps of this call, the output context and the posted-event queue.
pub(crate) struct Machine<'a> {
    /// `PeeringState`.
    pub ps: &'a mut PeeringState,
    /// The active configuration.
    pub stack: &'a mut StateStack,
    /// The PG's current map (the new map during `AdvMap`).
    pub map: &'a dyn OsdMapView,
    /// The previous map, during `AdvMap` only.
    pub lastmap: Option<&'a dyn OsdMapView>,
    /// Output.
    pub ctx: &'a mut RecoveryCtx,
    /// `post_event` queue.
    pub posted: &'a mut PostQueue,
    /// Entry/exit log.
    pub history: &'a mut StateHistory,
    /// Why the delivered event was dropped, if a reaction dropped it
    /// ([`Outcome::Dropped`]) or nobody handled a peer's message.
    pub dropped: Option<DropReason>,
    /// True while the event being handled is a posted one, not the one delivered:
    /// a posted event's fate is not the delivered event's drop reason.
    pub handling_posted: bool,
}

/// Which handler of a state to run.
enum Action<'e> {
    Enter,
    Exit,
    React(&'e mut Event),
}

/// Runs `action` of the state at `level` of the stack, with its own data and its
/// enclosing states' data (`context<S>()`) split apart so both can be borrowed.
fn call(cx: &mut Machine<'_>, level: usize, action: Action<'_>) -> Result<Outcome, PeeringError> {
    let innermost = cx.stack.innermost();
    let Some((outer, rest)) = cx.stack.split_at_mut_checked(level) else {
        return Ok(Outcome::Discard);
    };
    let Some(state) = rest.first_mut() else {
        return Ok(Outcome::Discard);
    };
    let mut outer = Ancestors(outer);
    let mut hcx = Cx {
        ps: &mut *cx.ps,
        map: cx.map,
        lastmap: cx.lastmap,
        ctx: &mut *cx.ctx,
        posted: &mut *cx.posted,
        outer: &mut outer,
        innermost,
        handling_posted: cx.handling_posted,
    };
    match action {
        Action::Enter => state.enter(&mut hcx).map(|()| Outcome::Discard),
        Action::Exit => state.exit(&mut hcx).map(|()| Outcome::Discard),
        Action::React(evt) => state.react(&mut hcx, evt),
    }
}

/// Delivers `first`, then every event posted while handling it, FIFO.
pub(crate) fn run(cx: &mut Machine<'_>, first: Event) -> Result<(), PeeringError> {
    let limit = cx.ps.cfg.max_posted_events;
    let mut next = Some(first);
    let mut processed = 0usize;
    while let Some(mut evt) = next {
        processed += 1;
        if processed > limit {
            cx.posted.clear();
            hard_crash(cx);
            return Err(PeeringError::Crashed(Crash::PostedEventLimit { limit }));
        }
        cx.handling_posted = processed > 1;
        if let Err(e) = dispatch(cx, &mut evt) {
            cx.posted.clear();
            return Err(e);
        }
        if cx.stack.is_empty() {
            // Terminated: a machine that ended processes nothing more.
            cx.posted.clear();
            return Ok(());
        }
        next = cx.posted.pop_front();
    }
    Ok(())
}

/// Offers one event to the active configuration, innermost state first.
fn dispatch(cx: &mut Machine<'_>, evt: &mut Event) -> Result<(), PeeringError> {
    let kind = evt.kind();
    let innermost = cx.stack.innermost();
    if innermost == StateId::Crashed {
        return Err(PeeringError::Crashed(Crash::AlreadyCrashed));
    }
    let mut level = cx.stack.len();
    while level > 0 {
        level -= 1;
        let Some(id) = cx.stack.get(level).map(State::id) else {
            continue;
        };
        let Some(reaction) = id.def().reaction_for(kind) else {
            continue;
        };
        match reaction.kind {
            ReactionKind::Discard => return Ok(()),
            ReactionKind::Transition(StateId::Crashed)
                if reaction.on == On::Any
                    && !cx.handling_posted
                    && !cx.ps.cfg.strict_ceph_aborts =>
            {
                // Nothing has changed yet: the inner states only searched their
                // tables or forwarded. A peer's message is dropped, a host's event
                // refused (see `Config::strict_ceph_aborts`).
                if kind.is_peer_message() {
                    cx.dropped = Some(DropReason::Unhandled {
                        state: innermost,
                        event: kind,
                    });
                    return Ok(());
                }
                return Err(PeeringError::HostMisuse(HostMisuse::EventOutOfPlace {
                    state: innermost,
                    event: kind,
                }));
            }
            ReactionKind::Transition(target) => {
                transit(cx, level, target)?;
                if target == StateId::Crashed {
                    pg_log!(
                        error,
                        "pg {} crashed: {} unhandled in {}",
                        cx.ps.info.pgid,
                        kind.name(),
                        innermost.name()
                    );
                    return Err(PeeringError::Crashed(Crash::Unhandled {
                        state: innermost,
                        event: kind,
                    }));
                }
                return Ok(());
            }
            ReactionKind::Custom(targets) | ReactionKind::CustomTerminate(targets) => {
                let may_terminate = matches!(reaction.kind, ReactionKind::CustomTerminate(_));
                let outcome = match call(cx, level, Action::React(evt)) {
                    Ok(o) => o,
                    Err(e) => {
                        hard_crash(cx);
                        return Err(e);
                    }
                };
                match outcome {
                    Outcome::Discard => return Ok(()),
                    Outcome::Dropped(reason) => {
                        cx.dropped = Some(reason);
                        return Ok(());
                    }
                    Outcome::Forward => continue,
                    Outcome::Terminate => {
                        if !may_terminate {
                            hard_crash(cx);
                            return Err(PeeringError::Crashed(Crash::UndeclaredTermination {
                                state: id,
                            }));
                        }
                        return terminate(cx);
                    }
                    Outcome::Transit(target) => {
                        if !targets.contains(&target) {
                            hard_crash(cx);
                            return Err(PeeringError::Crashed(Crash::UndeclaredTransition {
                                from: id,
                                to: target,
                            }));
                        }
                        return transit(cx, level, target);
                    }
                }
            }
        }
    }
    // Only reachable if an outermost state lacks a catch-all; Ceph would abort.
    hard_crash(cx);
    Err(PeeringError::Crashed(Crash::Unhandled {
        state: innermost,
        event: kind,
    }))
}

/// The path from the outermost state down to `target`, outermost first.
fn path_to(target: StateId) -> heapless::Vec<StateId, MAX_DEPTH> {
    let mut rev: heapless::Vec<StateId, MAX_DEPTH> = heapless::Vec::new();
    let mut cur = Some(target);
    while let Some(s) = cur {
        // The chart is at most MAX_DEPTH deep (checked by a test), so this never fails.
        let _ = rev.push(s);
        cur = s.parent();
    }
    rev.reverse();
    rev
}

/// boost's `transit<T>` from the state at `source_level` (rule 5).
fn transit(cx: &mut Machine<'_>, source_level: usize, target: StateId) -> Result<(), PeeringError> {
    let tpath = path_to(target);
    // The common context must be a proper ancestor of both the reacting state and
    // the target; so a transit to oneself or to an ancestor exits and re-enters it.
    let common = cx
        .stack
        .iter()
        .zip(tpath.iter())
        .take_while(|(s, t)| s.id() == **t)
        .count();
    let keep = common.min(source_level).min(tpath.len().saturating_sub(1));
    while cx.stack.len() > keep {
        exit_innermost(cx)?;
    }
    for id in tpath.iter().skip(keep) {
        enter(cx, *id)?;
    }
    let mut cur = target;
    while let Some(init) = cur.def().initial {
        enter(cx, init)?;
        cur = init;
    }
    Ok(())
}

/// boost's `terminate()`: every active state exits, innermost
/// first, and the configuration is left empty.
fn terminate(cx: &mut Machine<'_>) -> Result<(), PeeringError> {
    while !cx.stack.is_empty() {
        exit_innermost(cx)?;
    }
    Ok(())
}

fn exit_innermost(cx: &mut Machine<'_>) -> Result<(), PeeringError> {
    let Some(id) = cx.stack.last().map(State::id) else {
        return Ok(());
    };
    let level = cx.stack.len().saturating_sub(1);
    if let Err(e) = call(cx, level, Action::Exit) {
        hard_crash(cx);
        return Err(e);
    }
    cx.stack.pop();
    cx.history.record(Transit::Exit, id, cx.ps.epoch);
    pg_log!(trace, "pg {} exit {}", cx.ps.info.pgid, id.name());
    Ok(())
}

fn enter(cx: &mut Machine<'_>, id: StateId) -> Result<(), PeeringError> {
    if cx.stack.push(State::new(id)).is_err() {
        hard_crash(cx);
        return Err(PeeringError::Crashed(Crash::StateStackOverflow {
            state: id,
        }));
    }
    cx.history.record(Transit::Enter, id, cx.ps.epoch);
    pg_log!(trace, "pg {} enter {}", cx.ps.info.pgid, id.name());
    let level = cx.stack.len().saturating_sub(1);
    if let Err(e) = call(cx, level, Action::Enter) {
        hard_crash(cx);
        return Err(e);
    }
    Ok(())
}

/// Ceph aborts the OSD on a failed assertion; we stop this PG instead: the
/// configuration becomes `Crashed` without running exit actions (there is nobody
/// left to run them in Ceph either).
pub(crate) fn hard_crash(cx: &mut Machine<'_>) {
    pg_log!(
        error,
        "pg {} crashed in {}",
        cx.ps.info.pgid,
        cx.stack.innermost().name()
    );
    cx.stack.clear();
    let _ = cx.stack.push(State::Crashed(()));
    cx.history
        .record(Transit::Enter, StateId::Crashed, cx.ps.epoch);
}
