//! What a PG's [`RecoveryCtx`] becomes on the wire: Ceph's modern per-PG
//! messages for the buffered sends, the direct messages, and the monitor
//! requests.
//!
//! Every message built here delivers, through [`Message::into_deliveries`],
//! exactly the events the core's item delivers in process
//! (`Outgoing::into_events`): the property the `msg_convert` tests check.

use std::collections::BTreeMap;

use peering_core::ctx::{DirectMessage, MonRequest, Outgoing, QueryMsg, RecoveryCtx};
use peering_core::types::{Epoch, OsdId, PgId};

use super::catalog::Message;
use super::control::{AliveMsg, PgCreatedMsg, PgTempMsg};
use super::error::MsgError;
use super::event::{check_info, check_log, check_notify, check_query};

/// Where a message goes: a peer OSD or the monitor. The monitor is one target,
/// as an OSD talks to whichever monitor its `MonClient` holds a session with.
/// Ordered OSDs first, by id.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Target {
    /// A peer OSD (cluster messenger).
    Osd(OsdId),
    /// The monitor.
    Mon,
}

/// The refusals [`Message::from_outgoing`] makes, without consuming the item:
/// Ceph's wire messages cannot carry an item that breaks these invariants.
fn check_outgoing(out: &Outgoing) -> Result<(), MsgError> {
    match out {
        Outgoing::Query(q) => check_query(q.pgid, &q.query),
        Outgoing::Notify(n) => check_notify(n),
        Outgoing::Info(i) => check_info(i.pgid, i.from, &i.info),
        Outgoing::Direct(m) => check_direct(m),
    }
}

/// [`check_outgoing`] for a direct send.
fn check_direct(m: &DirectMessage) -> Result<(), MsgError> {
    match m {
        DirectMessage::Info(i) => check_info(i.pgid, i.from, &i.info),
        DirectMessage::Log(m) => check_log(m),
        _ => Ok(()),
    }
}

/// A direct send (`send_cluster_message`) as its wire message: the payload
/// as it is, under its type.
fn direct_msg(m: DirectMessage) -> Message {
    match m {
        DirectMessage::Log(m) => Message::PgLog(m),
        DirectMessage::Info(i) => Message::PgInfo2(i),
        DirectMessage::Remove(m) => Message::PgRemove(m),
        DirectMessage::RecoveryReserve(m) => Message::RecoveryReserve(m),
        DirectMessage::BackfillReserve(m) => Message::BackfillReserve(m),
        DirectMessage::Trim(m) => Message::PgTrim(m),
        DirectMessage::Lease(m) => Message::PgLease(m),
        DirectMessage::LeaseAck(m) => Message::PgLeaseAck(m),
    }
}

/// [`Message::from_outgoing`] after [`check_outgoing`] accepted the item.
fn outgoing_msg(out: Outgoing) -> Message {
    match out {
        Outgoing::Query(q) => Message::PgQuery2(q),
        Outgoing::Notify(n) => Message::PgNotify2(n),
        Outgoing::Info(i) => Message::PgInfo2(i),
        Outgoing::Direct(m) => direct_msg(m),
    }
}

impl Message {
    /// The wire message for one machine output: Ceph's modern per-PG forms, each
    /// carrying the core's payload as it is: a query → `MOSDPGQuery2`, a notify →
    /// `MOSDPGNotify2`, an info (buffered or `share_pg_info`) → `MOSDPGInfo2`, and
    /// the direct sends: log → `MOSDPGLog`, removal → `MOSDPGRemove`, trim →
    /// `MOSDPGTrim`, reservations → `MRecoveryReserve` / `MBackfillReserve`.
    ///
    /// Refuses ([`MsgError::ShardMismatch`], [`MsgError::PgMismatch`]) an item the
    /// receiver would refuse: a notify or info whose sending shard is not its
    /// info's shard, an info or log naming another PG than its address, a query
    /// whose `to` is not the shard it is addressed to.
    pub fn from_outgoing(out: Outgoing) -> Result<Message, MsgError> {
        check_outgoing(&out)?;
        Ok(outgoing_msg(out))
    }
}

/// The messages for the monitor requests of one context, sent at map `epoch`,
/// in this order:
///
/// - `MOSDAlive(epoch, want)` once, with the largest `up_thru` wanted (Ceph keeps
///   only the largest `up_thru_wanted`); the host may skip it if the map already
///   records it (`send_alive`).
/// - `MOSDPGTemp(epoch, wanted, forced = false)` once, if any pg_temp is still
///   wanted: a later request for the same PG replaces an earlier one and
///   `ClearPgTemp` forgets it (`queue_want_pg_temp` / `remove_want_pg_temp`).
/// - `MOSDPGCreated(pgid)` per PG, in request order (`send_pg_created`).
pub fn mon_messages(requests: impl IntoIterator<Item = MonRequest>, epoch: Epoch) -> Vec<Message> {
    let mut up_thru: Option<Epoch> = None;
    let mut pg_temp = BTreeMap::new();
    let mut created: Vec<PgId> = Vec::new();
    for r in requests {
        match r {
            MonRequest::UpThru { want } => up_thru = up_thru.max(Some(want)),
            MonRequest::PgTemp { pgid, want } => {
                pg_temp.insert(pgid, want);
            }
            MonRequest::ClearPgTemp { pgid } => {
                pg_temp.remove(&pgid);
            }
            MonRequest::PgCreated { pgid } => created.push(pgid),
        }
    }
    let alive = up_thru.map(|want| {
        Message::Alive(AliveMsg {
            version: epoch,
            want,
        })
    });
    let temp = (!pg_temp.is_empty()).then(|| {
        Message::PgTemp(PgTempMsg {
            map_epoch: epoch,
            pg_temp,
            forced: false,
        })
    });
    alive
        .into_iter()
        .chain(temp)
        .chain(
            created
                .into_iter()
                .map(|pgid| Message::PgCreated(PgCreatedMsg { pgid })),
        )
        .collect()
}

/// Checks every send of `ctx` as [`Message::from_outgoing`] would.
fn check_ctx(ctx: &RecoveryCtx) -> Result<(), MsgError> {
    for (_, m) in ctx.messages() {
        check_direct(m)?;
    }
    for (spgid, q) in ctx.queries().values().flatten() {
        check_query(*spgid, q)?;
    }
    for n in ctx.notifies().values().flatten() {
        check_notify(n)?;
    }
    for i in ctx.infos().values().flatten() {
        check_info(i.pgid, i.from, &i.info)?;
    }
    Ok(())
}

/// Drains the sends and monitor requests of `ctx` into wire messages, for a host
/// whose map is at `epoch` (Ceph's `dispatch_context` plus the OSD's monitor
/// reports;–).
///
/// Order (deterministic):
/// 1. direct sends, in emission order: Ceph sends them while the event runs,
///    before the context is dispatched;
/// 2. buffered sends, one per-PG message each, grouped by target OSD in
///    ascending order (`message_map` is an ordered map); within a target, the
///    queries (by PG instance), then the notifies, then the infos, each in
///    emission order. (Ceph keeps one per-target list in emission order; the
///    core's context keeps the three kinds apart, so kinds are not interleaved.)
/// 3. the monitor's messages ([`mon_messages`]).
///
/// On a refusal ([`Message::from_outgoing`]'s errors) nothing is drained. The
/// transaction, commit callbacks, timers, reservations and notifications stay in
/// `ctx` for the host.
pub fn drain_messages(
    ctx: &mut RecoveryCtx,
    epoch: Epoch,
) -> Result<Vec<(Target, Message)>, MsgError> {
    check_ctx(ctx)?;
    let mut out: Vec<(Target, Message)> = ctx
        .drain_messages()
        .map(|(to, m)| (Target::Osd(to), direct_msg(m)))
        .collect();
    let mut buffered: BTreeMap<OsdId, Vec<Message>> = BTreeMap::new();
    for (to, qs) in ctx.drain_queries() {
        let msgs = buffered.entry(to).or_default();
        msgs.extend(
            qs.into_iter()
                .map(|(pgid, query)| Message::PgQuery2(QueryMsg { pgid, query })),
        );
    }
    for (to, ns) in ctx.drain_notifies() {
        buffered
            .entry(to)
            .or_default()
            .extend(ns.into_iter().map(Message::PgNotify2));
    }
    for (to, is) in ctx.drain_infos() {
        buffered
            .entry(to)
            .or_default()
            .extend(is.into_iter().map(Message::PgInfo2));
    }
    for (to, msgs) in buffered {
        out.extend(msgs.into_iter().map(|m| (Target::Osd(to), m)));
    }
    let mon = mon_messages(ctx.drain_mon(), epoch);
    out.extend(mon.into_iter().map(|m| (Target::Mon, m)));
    Ok(out)
}
