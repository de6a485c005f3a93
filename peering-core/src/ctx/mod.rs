//! [`RecoveryCtx`]: everything one `handle_event` asks the host to do.
//!
//! The field names are the seeds' (`queries`, `notifies`, `infos`, `transaction`);
//! what modern Ceph sends outside the context is here too: direct messages, events
//! on commit, timers, reservations, monitor requests, host notifications. Every
//! collection is ordered (`BTreeMap` by target OSD, `Vec` in emission order), so the
//! same inputs give the same context byte for byte.

mod messages;
mod requests;
mod route;
mod transaction;

pub use messages::{
    BackfillReserveMsg, BackfillReserveOp, DirectMessage, InfoMsg, LeaseAckMsg, LeaseMsg, QueryMsg,
    RecoveryReserveMsg, RecoveryReserveOp, RemoveMsg, TrimMsg,
};
pub use requests::{HostNotification, MonRequest, OnCommit, ReservationOp, Timer};
pub use transaction::{Transaction, TxOp};

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::event::PgNotify;
use crate::types::{OsdId, PgQuery, SpgId};

/// The buffered sends of `BufferedRecoveryMessages`, shared by the live
/// context and the flush-pending buffer, which hold the same three maps.
macro_rules! buffered_sends {
    () => {
        /// `send_query`: a later query to the same PG shard replaces an earlier one.
        pub fn send_query(&mut self, to: OsdId, pgid: SpgId, query: PgQuery) {
            self.queries.entry(to).or_default().insert(pgid, query);
        }

        /// `send_notify`.
        pub fn send_notify(&mut self, to: OsdId, notify: PgNotify) {
            self.notifies.entry(to).or_default().push(notify);
        }

        /// `send_info`.
        pub fn send_info(&mut self, to: OsdId, info: InfoMsg) {
            self.infos.entry(to).or_default().push(info);
        }
    };
}

/// Ceph's `BufferedRecoveryMessages`: the buffered sends (queries, notifies, infos)
/// held back while the previous interval's writes flush, kept by the PG
/// until `IntervalFlush` moves them into a [`RecoveryCtx`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BufferedMessages {
    /// `query_map`: per target OSD, per target PG shard. As in the seeds'
    /// `RecoveryCtx`, a later query to the same PG shard in one context replaces an
    /// earlier one.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub queries: BTreeMap<OsdId, BTreeMap<SpgId, PgQuery>>,
    /// `notify_list`: per target OSD, in emission order.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub notifies: BTreeMap<OsdId, Vec<PgNotify>>,
    /// `info_map`: per target OSD, in emission order.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub infos: BTreeMap<OsdId, Vec<InfoMsg>>,
}

impl BufferedMessages {
    /// True when nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty() && self.notifies.is_empty() && self.infos.is_empty()
    }

    buffered_sends!();
}

/// What a host persists after a call ([`RecoveryCtx::take_persist`]): the
/// transaction, and the work that may run only once the store reports it durable.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Persist {
    transaction: Transaction,
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    on_commit: Vec<OnCommit>,
}

impl Persist {
    /// The transaction to hand to the store (`queue_transaction`).
    pub fn transaction(&self) -> &Transaction {
        &self.transaction
    }

    /// True when there is nothing to persist and nothing waits for it.
    pub fn is_empty(&self) -> bool {
        self.transaction.is_empty() && self.on_commit.is_empty()
    }

    /// The store reports the transaction durable: the work that waited for it,
    /// in order (Ceph's `on_commit` contexts), to run now and not before.
    pub fn committed(self) -> Vec<OnCommit> {
        self.on_commit
    }

    /// Splits off the transaction, for a host that hands it to its store and
    /// keeps the waiting work until the store reports it durable.
    pub fn into_parts(self) -> (Transaction, AwaitingCommit) {
        (
            self.transaction,
            AwaitingCommit {
                on_commit: self.on_commit,
            },
        )
    }

    /// [`committed`](Self::committed) for a host that reuses its buffers: drains
    /// the waiting work, keeping the `Persist` (and its allocations) to give back
    /// with [`RecoveryCtx::recycle`].
    pub fn drain_committed(&mut self) -> alloc::vec::Drain<'_, OnCommit> {
        self.on_commit.drain(..)
    }
}

/// The work that waits for a transaction the host handed to its store
/// ([`Persist::into_parts`]): Ceph's `on_commit` contexts.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AwaitingCommit {
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    on_commit: Vec<OnCommit>,
}

impl From<Vec<OnCommit>> for AwaitingCommit {
    /// Work a host (or its test) holds for a transaction of its own.
    fn from(on_commit: Vec<OnCommit>) -> Self {
        AwaitingCommit { on_commit }
    }
}

impl AwaitingCommit {
    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.on_commit.is_empty()
    }

    /// The store reports the transaction durable: the work that waited for it,
    /// in order, to run now and not before.
    pub fn committed(self) -> Vec<OnCommit> {
        self.on_commit
    }
}

/// One outgoing message, buffered or direct, as [`RecoveryCtx::drain_outgoing`]
/// lists them. (Each is moved once, from the context to the wire; boxing the
/// direct ones would cost an allocation per message for nothing.)
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(clippy::large_enum_variant)]
pub enum Outgoing {
    /// `MOSDPGQuery2`.
    Query(QueryMsg),
    /// `MOSDPGNotify2`.
    Notify(PgNotify),
    /// `MOSDPGInfo2` (buffered).
    Info(InfoMsg),
    /// A direct message.
    Direct(DirectMessage),
}

/// The seeds' `RecoveryCtx` (modern `PeeringCtx` plus what modern Ceph does through
/// `PeeringListener`): the output of every call into a [`crate::machine::Pg`].
///
/// The host drains it after each call through its methods (its fields are private):
/// send the messages ([`drain_outgoing`](Self::drain_outgoing), skipping targets
/// that are down, as Ceph's `OSD::dispatch_context` does), persist the transaction
/// ([`take_persist`](Self::take_persist)), schedule the timers, pass on the
/// reservation and monitor requests and notifications.
///
/// The durability rule is in the types, as raft-rs's `Ready` keeps what may be
/// sent at once apart from what waits for the disk: the messages of a context may
/// go out at once (Ceph sends them before queueing the transaction); what depends
/// on the transaction being durable (Ceph's `on_commit` contexts: the activation
/// ack, `purge_strays`, the next deletion step) comes only out of
/// [`Persist::committed`], which consumes the [`Persist`] that carried the
/// transaction, so a host cannot run it before it holds the transaction it waits
/// for.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RecoveryCtx {
    /// `query_map` (buffered): per target OSD, per target PG shard. As in the
    /// seeds' `RecoveryCtx`, a later query to the same PG shard in one context
    /// replaces an earlier one.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(crate) queries: BTreeMap<OsdId, BTreeMap<SpgId, PgQuery>>,
    /// `notify_list` (buffered): per target OSD, in emission order.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(crate) notifies: BTreeMap<OsdId, Vec<PgNotify>>,
    /// `info_map` (buffered): per target OSD, in emission order.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(crate) infos: BTreeMap<OsdId, Vec<InfoMsg>>,
    /// Direct sends (`send_cluster_message`), in emission order: activation logs,
    /// log replies, reservation messages, removals, trims.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(crate) messages: Vec<(OsdId, DirectMessage)>,
    /// What to persist.
    pub(crate) transaction: Transaction,
    /// What to do once the transaction commits.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(crate) on_commit: Vec<OnCommit>,
    /// Events to inject after a delay.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(crate) timers: Vec<Timer>,
    /// Reservation requests and cancellations, in order.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(crate) reservations: Vec<ReservationOp>,
    /// Monitor requests (up_thru, pg_temp, pg created).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(crate) mon: Vec<MonRequest>,
    /// Notifications to the host's PG layer.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub(crate) notifications: Vec<HostNotification>,
    /// `publish_stats_to_osd` was called: the host should publish the PG's stats.
    /// A flag rather than a list entry, so a quiet epoch allocates nothing.
    pub(crate) publish_stats: bool,
}

impl RecoveryCtx {
    /// An empty context.
    pub fn new() -> Self {
        RecoveryCtx::default()
    }

    buffered_sends!();

    /// `accept_buffered_messages`: messages held during an interval
    /// flush go out in front of what this context already holds, per target, so
    /// causal order is kept. Queries to the same PG shard keep the newer one.
    pub fn accept_buffered(&mut self, older: BufferedMessages) {
        for (osd, mut qs) in older.queries {
            let live = self.queries.entry(osd).or_default();
            qs.append(live);
            *live = qs;
        }
        for (osd, mut ns) in older.notifies {
            let live = self.notifies.entry(osd).or_default();
            ns.append(live);
            *live = ns;
        }
        for (osd, mut is) in older.infos {
            let live = self.infos.entry(osd).or_default();
            is.append(live);
            *live = is;
        }
    }

    /// True when there is nothing for the host to do.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
            && self.notifies.is_empty()
            && self.infos.is_empty()
            && self.messages.is_empty()
            && self.transaction.is_empty()
            && self.on_commit.is_empty()
            && self.timers.is_empty()
            && self.reservations.is_empty()
            && self.mon.is_empty()
            && self.notifications.is_empty()
            && !self.publish_stats
    }

    /// Queues a monitor request (`queue_want_up_thru`, `queue_want_pg_temp`...),
    /// as the machine does; public so a host's own tests can build a context.
    pub fn request_mon(&mut self, request: MonRequest) {
        self.mon.push(request);
    }

    /// `send_cluster_message`: a direct send.
    pub fn send_direct(&mut self, to: OsdId, msg: DirectMessage) {
        self.messages.push((to, msg));
    }

    /// Takes the buffered queries (per target OSD, per PG shard).
    pub fn drain_queries(&mut self) -> BTreeMap<OsdId, BTreeMap<SpgId, PgQuery>> {
        core::mem::take(&mut self.queries)
    }

    /// Takes the buffered notifies.
    pub fn drain_notifies(&mut self) -> BTreeMap<OsdId, Vec<PgNotify>> {
        core::mem::take(&mut self.notifies)
    }

    /// Takes the buffered infos.
    pub fn drain_infos(&mut self) -> BTreeMap<OsdId, Vec<InfoMsg>> {
        core::mem::take(&mut self.infos)
    }

    /// Drains the direct messages, keeping the vector's capacity for the next call.
    pub fn drain_messages(&mut self) -> alloc::vec::Drain<'_, (OsdId, DirectMessage)> {
        self.messages.drain(..)
    }

    /// Takes what to persist: the transaction, with the work that may run only
    /// once it is durable (Ceph's `queue_transaction` with its `on_commit`
    /// contexts). The context is left without either.
    pub fn take_persist(&mut self) -> Persist {
        Persist {
            transaction: core::mem::take(&mut self.transaction),
            on_commit: core::mem::take(&mut self.on_commit),
        }
    }

    /// Gives a [`Persist`] whose transaction was persisted and whose work was
    /// drained ([`Persist::drain_committed`]) back to the context, which keeps
    /// its buffers for the next call: a host that persists synchronously then
    /// allocates nothing per call for them. Work still waiting in it stays
    /// waiting, ahead of newer work, for the next
    /// [`take_persist`](Self::take_persist).
    pub fn recycle(&mut self, mut used: Persist) {
        used.transaction.ops.clear();
        if self.transaction.ops.capacity() == 0 {
            core::mem::swap(&mut self.transaction, &mut used.transaction);
        }
        used.on_commit.append(&mut self.on_commit);
        core::mem::swap(&mut self.on_commit, &mut used.on_commit);
    }

    /// The buffered queries, per target OSD and PG shard (read-only).
    pub fn queries(&self) -> &BTreeMap<OsdId, BTreeMap<SpgId, PgQuery>> {
        &self.queries
    }

    /// The buffered notifies, per target OSD (read-only).
    pub fn notifies(&self) -> &BTreeMap<OsdId, Vec<PgNotify>> {
        &self.notifies
    }

    /// The buffered infos, per target OSD (read-only).
    pub fn infos(&self) -> &BTreeMap<OsdId, Vec<InfoMsg>> {
        &self.infos
    }

    /// The direct messages, in emission order (read-only).
    pub fn messages(&self) -> &[(OsdId, DirectMessage)] {
        &self.messages
    }

    /// The transaction to persist (read-only; take it with
    /// [`take_persist`](Self::take_persist)).
    pub fn transaction(&self) -> &Transaction {
        &self.transaction
    }

    /// The timers to schedule (read-only).
    pub fn timers(&self) -> &[Timer] {
        &self.timers
    }

    /// The reservation requests and cancellations (read-only).
    pub fn reservations(&self) -> &[ReservationOp] {
        &self.reservations
    }

    /// The monitor requests (read-only).
    pub fn mon(&self) -> &[MonRequest] {
        &self.mon
    }

    /// The host notifications (read-only).
    pub fn notifications(&self) -> &[HostNotification] {
        &self.notifications
    }

    /// Whether `publish_stats_to_osd` was called (read-only).
    pub fn publish_stats(&self) -> bool {
        self.publish_stats
    }

    /// Drains the timers.
    pub fn drain_timers(&mut self) -> alloc::vec::Drain<'_, Timer> {
        self.timers.drain(..)
    }

    /// Drains the reservation requests.
    pub fn drain_reservations(&mut self) -> alloc::vec::Drain<'_, ReservationOp> {
        self.reservations.drain(..)
    }

    /// Drains the monitor requests.
    pub fn drain_mon(&mut self) -> alloc::vec::Drain<'_, MonRequest> {
        self.mon.drain(..)
    }

    /// Drains the host notifications.
    pub fn drain_notifications(&mut self) -> alloc::vec::Drain<'_, HostNotification> {
        self.notifications.drain(..)
    }

    /// Reads and clears the publish-stats flag.
    pub fn take_publish_stats(&mut self) -> bool {
        core::mem::take(&mut self.publish_stats)
    }

    /// Every outgoing message, buffered first (per target OSD: queries, notifies,
    /// infos) then direct ones in emission order; the context's message fields are
    /// left empty. A convenience for harnesses that route messages.
    pub fn drain_outgoing(&mut self) -> Vec<(OsdId, Outgoing)> {
        let mut out = Vec::new();
        for (osd, qs) in self.drain_queries() {
            for (pgid, q) in qs {
                out.push((osd, Outgoing::Query(QueryMsg { pgid, query: q })));
            }
        }
        for (osd, ns) in self.drain_notifies() {
            for n in ns {
                out.push((osd, Outgoing::Notify(n)));
            }
        }
        for (osd, is) in self.drain_infos() {
            for i in is {
                out.push((osd, Outgoing::Info(i)));
            }
        }
        for (osd, m) in self.messages.drain(..) {
            out.push((osd, Outgoing::Direct(m)));
        }
        out
    }

    /// Empties every field, keeping vector capacities.
    pub fn clear(&mut self) {
        self.queries.clear();
        self.notifies.clear();
        self.infos.clear();
        self.messages.clear();
        self.transaction.ops.clear();
        self.on_commit.clear();
        self.timers.clear();
        self.reservations.clear();
        self.mon.clear();
        self.notifications.clear();
        self.publish_stats = false;
    }
}
