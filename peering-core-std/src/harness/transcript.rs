//! [`Transcript`]: every map published, message sent, event delivered, state
//! entered and request made, in the order the harness saw them
//! "a trace of transitions"; message names as Ceph's wire catalog).

use std::fmt;

use peering_core::PeeringError;
use peering_core::ctx::{HostNotification, MonRequest, ReservationOp, Timer};
use peering_core::log::LogEntry;
use peering_core::machine::{DropReason, StateId};
use peering_core::types::{EVersion, Epoch, OsdId, PgId, QueryKind, SpgId};

use super::HarnessError;
use crate::msg::Message;

/// What happened to one delivered event (admission).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// The machine handled it.
    Handled,
    /// The PG dropped it (stale, or failed an input check).
    Dropped(DropReason),
    /// The PG refused it with an error (a crashed PG, a broken host contract).
    Failed(PeeringError),
    /// The target OSD has no instance of the PG (a query is answered by the host
    /// with an empty info; anything else is dropped).
    NoPg,
}

/// One line of the transcript (message and event names as states as).
#[derive(Clone, PartialEq, Eq, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Entry {
    /// The monitor published map `epoch`; `what` says what changed.
    Map {
        /// The new epoch.
        epoch: Epoch,
        /// What changed, for people.
        what: String,
    },
    /// A call into one PG instance failed (it crashed, or refused a map); the
    /// harness reported it and went on with every other PG and OSD.
    Failed {
        /// The OSD.
        osd: OsdId,
        /// The PG instance.
        pgid: SpgId,
        /// What went wrong.
        error: HarnessError,
    },
    /// An OSD process stopped (its PG instances are gone from memory).
    OsdStopped {
        /// The OSD.
        osd: OsdId,
    },
    /// An OSD process started and loaded its PGs from its store.
    OsdStarted {
        /// The OSD.
        osd: OsdId,
    },
    /// A PG instance sent a message.
    Sent {
        /// The sending OSD.
        from: OsdId,
        /// The receiving OSD.
        to: OsdId,
        /// The sender's map epoch when it sent it.
        epoch: Epoch,
        /// The sending PG shard.
        pgid: SpgId,
        /// The message, as it went on the wire.
        msg: Message,
    },
    /// An event reached a PG instance.
    Delivered {
        /// The receiving OSD.
        to: OsdId,
        /// The receiving PG shard.
        pgid: SpgId,
        /// The OSD whose message this event is (`None` for host events).
        from: Option<OsdId>,
        /// The event's `epoch_sent`.
        epoch: Epoch,
        /// Ceph's event name.
        name: &'static str,
        /// What became of it.
        outcome: Outcome,
    },
    /// A PG instance entered a state (its entry action ran).
    Entered {
        /// The OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
        /// The PG's map epoch.
        epoch: Epoch,
        /// The state.
        state: StateId,
    },
    /// A transaction was applied to the OSD's store.
    Persisted {
        /// The OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
        /// How many operations it held.
        ops: usize,
    },
    /// A PG asked the monitor for something.
    Mon {
        /// The asking OSD.
        osd: OsdId,
        /// The request.
        request: MonRequest,
    },
    /// A PG asked a reserver for something.
    Reservation {
        /// The OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
        /// The request.
        op: ReservationOp,
    },
    /// A PG scheduled an event after a delay.
    Timer {
        /// The OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
        /// The timer.
        timer: Timer,
    },
    /// A PG notified its host (`PeeringListener` hooks).
    Notified {
        /// The OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
        /// The notification.
        note: HostNotification,
    },
    /// A map raised `pg_num`: `parent` split and the OSD created `child` from it.
    Split {
        /// The OSD.
        osd: OsdId,
        /// The parent PG shard.
        parent: SpgId,
        /// The child PG shard.
        child: SpgId,
    },
    /// A map lowered `pg_num`: `source` merged into `target` on the OSD.
    Merged {
        /// The OSD.
        osd: OsdId,
        /// The merge source, gone.
        source: SpgId,
        /// The target that absorbed it.
        target: SpgId,
    },
    /// An OSD told the monitor whether a merge source and its target are
    /// ready (`MOSDPGReadyToMerge`).
    ReadyToMerge {
        /// The OSD.
        osd: OsdId,
        /// The merge source.
        source: PgId,
        /// Ready, or not.
        ready: bool,
    },
    /// A client write reached the acting primary, which appended `entry` to its
    /// log (`append_log`).
    ClientWrite {
        /// The primary's OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
        /// The primary's map epoch.
        epoch: Epoch,
        /// The new log entry.
        entry: LogEntry,
    },
    /// The primary replicated a write to an acting replica (`MOSDRepOp`,
    /// or `MOSDECSubOpWrite` to a shard of an erasure-coded PG); `delivered`
    /// is false when the replica was down and missed it.
    RepOp {
        /// The primary's OSD.
        from: OsdId,
        /// The replica's OSD.
        to: OsdId,
        /// The primary's map epoch.
        epoch: Epoch,
        /// The instance it goes to (its shard, on an EC pool).
        pgid: SpgId,
        /// The entry's version.
        version: EVersion,
        /// The object's name.
        object: String,
        /// False when the replica does not run (it misses the write).
        delivered: bool,
        /// The PG is erasure-coded (the message is `MOSDECSubOpWrite`).
        ec: bool,
    },
    /// The host's recovery engine acted for a PG: an object recovered or
    /// backfilled, backfill progress, an event it delivered.
    Engine {
        /// The primary's OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
        /// What it did, in one line.
        what: String,
    },
}

impl Entry {
    /// The OSD the entry is about: the sender of a message, the receiver of an
    /// event, the OSD of everything else (`None` for a map).
    pub fn osd(&self) -> Option<OsdId> {
        match self {
            Entry::Map { .. } => None,
            Entry::Sent { from, .. } | Entry::RepOp { from, .. } => Some(*from),
            Entry::Delivered { to, .. } => Some(*to),
            Entry::OsdStopped { osd }
            | Entry::Failed { osd, .. }
            | Entry::OsdStarted { osd }
            | Entry::Entered { osd, .. }
            | Entry::Persisted { osd, .. }
            | Entry::Mon { osd, .. }
            | Entry::Reservation { osd, .. }
            | Entry::Timer { osd, .. }
            | Entry::Notified { osd, .. }
            | Entry::Split { osd, .. }
            | Entry::Merged { osd, .. }
            | Entry::ReadyToMerge { osd, .. }
            | Entry::ClientWrite { osd, .. }
            | Entry::Engine { osd, .. } => Some(*osd),
        }
    }

    /// The message's or event's Ceph name, or the state's name (`None` otherwise).
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Entry::Sent { msg, .. } => Some(message_name(msg)),
            Entry::Delivered { name, .. } => Some(name),
            Entry::Entered { state, .. } => Some(state.name()),
            Entry::RepOp { ec: false, .. } => Some("MOSDRepOp"),
            Entry::RepOp { ec: true, .. } => Some("MOSDECSubOpWrite"),
            _ => None,
        }
    }
}

/// Ceph's name of a sent message, with the query or reservation operation in
/// parentheses ([`Message::class_name`]).
pub fn message_name(msg: &Message) -> &'static str {
    msg.class_name()
}

/// A short summary of a message's content (versions, epochs) for the line form.
fn message_detail(msg: &Message) -> String {
    match msg {
        Message::PgQuery2(q) => match q.query.kind {
            QueryKind::Log { since } => format!(" since {since}"),
            _ => String::new(),
        },
        Message::PgNotify2(n) => format!(
            " last_update {} les {}",
            n.info.last_update, n.info.last_epoch_started
        ),
        Message::PgInfo2(i) => format!(
            " last_update {} les {}",
            i.info.last_update, i.info.last_epoch_started
        ),
        Message::PgLog(l) => format!(
            " log ({},{}] {} entries",
            l.log.tail,
            l.log.head,
            l.log.entries.len()
        ),
        Message::PgTrim(t) => format!(" to {}", t.trim_to),
        _ => String::new(),
    }
}

impl fmt::Display for Entry {
    /// The compact line form: one line per entry.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Map { epoch, what } => write!(f, "e{epoch} map: {what}"),
            Entry::OsdStopped { osd } => write!(f, "{osd} stopped"),
            Entry::Failed { osd, pgid, error } => write!(f, "{osd} pg {pgid} FAILED: {error}"),
            Entry::OsdStarted { osd } => write!(f, "{osd} started, PGs loaded from its store"),
            Entry::Sent {
                from,
                to,
                epoch,
                pgid,
                msg,
            } => write!(
                f,
                "e{epoch} {from} -> {to} {} pg {pgid}{}",
                message_name(msg),
                message_detail(msg)
            ),
            Entry::Delivered {
                to,
                pgid,
                from,
                epoch,
                name,
                outcome,
            } => {
                write!(f, "e{epoch} {to} pg {pgid} <- {name}")?;
                if let Some(from) = from {
                    write!(f, " from {from}")?;
                }
                match outcome {
                    Outcome::Handled => Ok(()),
                    Outcome::Dropped(r) => write!(f, " (dropped: {r:?})"),
                    Outcome::Failed(e) => write!(f, " (refused: {e})"),
                    Outcome::NoPg => write!(f, " (no such PG here)"),
                }
            }
            Entry::Entered {
                osd,
                pgid,
                epoch,
                state,
            } => write!(f, "e{epoch} {osd} pg {pgid} enters {}", state.name()),
            Entry::Persisted { osd, pgid, ops } => {
                write!(f, "{osd} pg {pgid} persists {ops} op(s)")
            }
            Entry::Mon { osd, request } => write!(f, "{osd} asks the monitor: {request:?}"),
            Entry::Reservation { osd, pgid, op } => write!(f, "{osd} pg {pgid} reserver: {op:?}"),
            Entry::Timer { osd, pgid, timer } => write!(
                f,
                "{osd} pg {pgid} timer: {} after {:?}",
                timer.event.event.name(),
                timer.delay
            ),
            Entry::Notified { osd, pgid, note } => write!(f, "{osd} pg {pgid} host: {note:?}"),
            Entry::Split { osd, parent, child } => {
                write!(f, "{osd} pg {parent} splits: child {child} created")
            }
            Entry::Merged {
                osd,
                source,
                target,
            } => write!(f, "{osd} pg {source} merges into {target}"),
            Entry::ReadyToMerge { osd, source, ready } => {
                let how = if *ready { "ready" } else { "not ready" };
                write!(f, "{osd} tells the monitor: merge source {source} {how}")
            }
            Entry::Engine { osd, pgid, what } => write!(f, "{osd} pg {pgid} recovery: {what}"),
            Entry::ClientWrite {
                osd,
                pgid,
                epoch,
                entry,
            } => write!(
                f,
                "e{epoch} {osd} pg {pgid} client {} {} at {} (prior {})",
                entry.op.name(),
                entry.soid.name,
                entry.version,
                entry.prior_version
            ),
            Entry::RepOp {
                from,
                to,
                epoch,
                pgid,
                version,
                object,
                delivered,
                ec,
            } => {
                let name = if *ec { "MOSDECSubOpWrite" } else { "MOSDRepOp" };
                write!(
                    f,
                    "e{epoch} {from} -> {to} {name} pg {pgid} {object} at {version}"
                )?;
                if !delivered {
                    write!(f, " (missed: {to} is down)")?;
                }
                Ok(())
            }
        }
    }
}

/// The ordered list of [`Entry`]s.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Transcript {
    entries: Vec<Entry>,
}

impl Transcript {
    /// Appends one entry (the harness records in delivery order).
    pub fn push(&mut self, e: Entry) {
        self.entries.push(e);
    }

    /// Every entry, oldest first (delivery order).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// How many entries there are (a position to slice from later, order).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing happened yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries from position `from` on (order).
    pub fn since(&self, from: usize) -> &[Entry] {
        self.entries.get(from..).unwrap_or(&[])
    }

    /// Every message sent, as `(from, to, name)`, in order (names).
    pub fn messages(&self) -> impl Iterator<Item = (OsdId, OsdId, &'static str)> + '_ {
        self.entries.iter().filter_map(|e| match e {
            Entry::Sent { from, to, msg, .. } => Some((*from, *to, message_name(msg))),
            _ => None,
        })
    }

    /// Every message sent from `from` to `to`, as it went on the wire.
    pub fn sent(&self, from: i32, to: i32) -> impl Iterator<Item = &Message> + '_ {
        self.entries.iter().filter_map(move |e| match e {
            Entry::Sent {
                from: f,
                to: t,
                msg,
                ..
            } if f.0 == from && t.0 == to => Some(msg),
            _ => None,
        })
    }

    /// The states `osd` entered, in order (entry actions).
    pub fn states_entered(&self, osd: i32) -> impl Iterator<Item = StateId> + '_ {
        self.entries.iter().filter_map(move |e| match e {
            Entry::Entered { osd: o, state, .. } if o.0 == osd => Some(*state),
            _ => None,
        })
    }

    /// The compact line form of every entry.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.entries.iter().map(ToString::to_string)
    }
}
