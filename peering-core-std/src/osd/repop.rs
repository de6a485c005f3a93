//! Acknowledging client writes: Ceph's `RepGather` on the primary and the
//! replica's on-commit `MOSDRepOpReply` (`ReplicatedBackend::repop_commit`,
//! `PrimaryLogPG::eval_repop`).
//!
//! A write is acknowledged ([`OsdOutput::ClientAck`]) once the primary's own
//! transaction and every other shard of `acting_recovery_backfill` reported
//! the entry durable. A write whose interval ends first is never
//! acknowledged (Ceph requeues the op on `on_change` and the client resends
//! it; the resent op is a new write here).

use std::collections::{BTreeMap, BTreeSet};

use peering_core::log::{LogEntry, ReqId};
use peering_core::types::{EVersion, Epoch, ObjectId, OsdId, PgShard, PgState, SpgId};

use super::output::{OsdOutput, TxnId};
use super::{DropReason, Osd};
use crate::msg::{Message, PgOpMsg};

/// One write in flight on the primary (`RepGather`).
#[derive(Clone, PartialEq, Eq, Debug)]
struct InFlight {
    oid: ObjectId,
    reqid: ReqId,
    /// The primary's `last_complete` when it made the write
    /// (`pg_local_last_complete`), its `last_complete_ondisk` once all commit.
    local_last_complete: EVersion,
    /// The interval the write was made in (`same_interval_since`).
    interval: Epoch,
    /// Shards that have not reported the entry durable (`waiting_for_commit`).
    waiting: BTreeSet<PgShard>,
    /// The primary's own transaction is durable.
    local_committed: bool,
}

/// The OSD's write-acknowledgement state. Bounded by the writes in flight:
/// entries leave when acknowledged or when their interval ends.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(super) struct Writes {
    in_flight: BTreeMap<(SpgId, EVersion), InFlight>,
    /// The primary's transaction for each write.
    local_txns: BTreeMap<TxnId, (SpgId, EVersion)>,
    /// A replica's reply, sent when its transaction commits.
    replies: BTreeMap<TxnId, PendingReply>,
    /// Per PG, the newest write every shard has durable and the interval it
    /// was made in (`RMWPipeline::committed_to`, reset by `on_change`).
    committed_to: BTreeMap<SpgId, (Epoch, EVersion)>,
}

/// A reply waiting for its transaction: the sender it goes to, the message,
/// and for a write the instance and the `last_complete` it reports.
type PendingReply = (OsdId, Message, Option<(SpgId, EVersion)>);

/// An `MOSDRepOpReply`'s body: the write it acknowledges and the replica's
/// `last_complete_ondisk`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct RepOpReplyBody {
    pub(super) version: EVersion,
    pub(super) last_complete_ondisk: EVersion,
}

impl Osd {
    /// `issue_repop` once the primary's own shard logged `entry` in `txn`
    /// (`None`: nothing to persist, durable at once): the object layer takes
    /// the write, writes of intervals that ended are forgotten (`on_change`
    /// requeued them), and the write waits for `peers`, the shards it goes
    /// to, and for `txn` (`RepGather`'s `waiting_for_commit`).
    pub(super) fn issue_write(
        &mut self,
        pgid: SpgId,
        entry: &LogEntry,
        local_last_complete: EVersion,
        interval: Epoch,
        peers: &[PgShard],
        txn: Option<TxnId>,
    ) {
        self.apply_to_backend(pgid, entry);
        self.forget_stale_writes(pgid);
        let key = (pgid, entry.version);
        if let Some(t) = txn {
            self.writes.local_txns.insert(t, key);
        }
        self.writes.in_flight.insert(
            key,
            InFlight {
                oid: entry.soid.clone(),
                reqid: entry.reqid,
                local_last_complete,
                interval,
                waiting: peers.iter().copied().collect(),
                local_committed: txn.is_none(),
            },
        );
        self.eval_write(key);
    }

    /// A replica's answer made in transaction `txn` goes when the transaction
    /// commits (at once when there is none). For a write (`lcod` set), the
    /// instance first records the `last_complete` it had when it took the
    /// write as its `last_complete_ondisk` (`repop_commit`).
    pub(super) fn reply_on_commit(
        &mut self,
        to: OsdId,
        reply: Message,
        lcod: Option<(SpgId, EVersion)>,
        txn: Option<TxnId>,
    ) {
        match txn {
            Some(t) => {
                self.writes.replies.insert(t, (to, reply, lcod));
            }
            None => self.reply_committed(to, reply, lcod),
        }
    }

    /// Sends each of `peers` (shards of `pgid`) the message `build` makes
    /// for it, from this OSD's instance; one that cannot be encoded is
    /// dropped as unsendable.
    pub(super) fn send_to_shards(
        &mut self,
        pgid: SpgId,
        peers: &[PgShard],
        build: impl Fn(SpgId, PgShard) -> Result<Message, crate::msg::MsgError>,
    ) {
        let from = PgShard::new(self.cfg.whoami, pgid.shard);
        for peer in peers {
            match build(SpgId::new(pgid.pgid, peer.shard), from) {
                Ok(m) => self.pending_sends.entry(peer.osd).or_default().push(m),
                Err(_) => self.drop_with(DropReason::Unsendable(pgid)),
            }
        }
    }

    /// A shard took the write `version` the primary sent in `op`: its
    /// answer (`MOSDECSubOpWriteReply` when `ec`, else `MOSDRepOpReply`),
    /// carrying `last_complete`, goes once `txn` is durable.
    pub(super) fn answer_write(
        &mut self,
        ec: bool,
        from: OsdId,
        op: &PgOpMsg,
        version: EVersion,
        last_complete: EVersion,
        txn: Option<TxnId>,
    ) {
        let pgid = op.pgid;
        let Some(epoch) = self.pg(pgid).map(peering_core::machine::Pg::epoch) else {
            return;
        };
        let me = PgShard::new(self.cfg.whoami, pgid.shard);
        let primary_pgid = SpgId::new(pgid.pgid, op.from.shard);
        let at = (epoch, op.min_epoch);
        match write_reply(ec, primary_pgid, me, at, version, last_complete) {
            Ok(reply) => self.reply_on_commit(from, reply, Some((pgid, last_complete)), txn),
            Err(_) => self.drop_with(DropReason::Unsendable(pgid)),
        }
    }

    fn reply_committed(&mut self, to: OsdId, reply: Message, lcod: Option<(SpgId, EVersion)>) {
        if let Some((pgid, lcod)) = lcod
            && let Some(pg) = self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut())
        {
            pg.update_last_complete_ondisk(lcod);
        }
        self.pending_sends.entry(to).or_default().push(reply);
    }

    /// The store reported `txn` durable: a replica's reply goes out, or the
    /// primary's own half of a write is done.
    pub(super) fn write_committed(&mut self, txn: TxnId) {
        if let Some((to, reply, lcod)) = self.writes.replies.remove(&txn) {
            self.reply_committed(to, reply, lcod);
            self.dispatch_context();
        }
        if let Some(key) = self.writes.local_txns.remove(&txn) {
            if let Some(w) = self.writes.in_flight.get_mut(&key) {
                w.local_committed = true;
            }
            self.eval_write(key);
        }
    }

    /// `MOSDRepOpReply` or `MOSDECSubOpWriteReply` from `from`: the shard's
    /// entry is durable. `None` for any other message.
    pub(super) fn handle_repop_reply(
        &mut self,
        from: OsdId,
        msg: &Message,
    ) -> Option<Result<(), DropReason>> {
        let (Message::RepOpReply(m) | Message::EcWriteReply(m)) = msg else {
            return None;
        };
        if m.from.osd != from {
            return Some(Err(DropReason::UnexpectedSender));
        }
        let body: RepOpReplyBody = match postcard::from_bytes(&m.body) {
            Ok(b) => b,
            Err(e) => return Some(Err(DropReason::BadRecoveryMsg(e.to_string()))),
        };
        let key = (m.pgid, body.version);
        if !self.writes.in_flight.contains_key(&key) {
            // Acknowledged already, or its interval ended (Ceph finds no
            // in-progress op and ignores the reply): nothing waits.
            return Some(Ok(()));
        }
        // `do_repop_reply`: the replica's last_complete_ondisk, for the
        // primary's min_last_complete_ondisk.
        if let Some(pg) = self.slots.get_mut(&m.pgid).and_then(|s| s.pg.as_mut())
            && pg.is_primary()
            && pg.acting_recovery_backfill().contains(&m.from)
        {
            pg.update_peer_last_complete_ondisk(m.from, body.last_complete_ondisk);
        }
        let Some(w) = self.writes.in_flight.get_mut(&key) else {
            return Some(Ok(()));
        };
        w.waiting.remove(&m.from);
        self.eval_write(key);
        Some(Ok(()))
    }

    /// `eval_repop`: acknowledges the write if everyone has it durable;
    /// forgets it if the PG left the interval it was made in.
    fn eval_write(&mut self, key: (SpgId, EVersion)) {
        let (pgid, version) = key;
        let interval = self.pg(pgid).map(|pg| {
            (
                pg.history().same_interval_since,
                pg.is_primary() && pg.state_bits().contains(PgState::ACTIVE),
            )
        });
        let Some(w) = self.writes.in_flight.get(&key) else {
            return;
        };
        match interval {
            Some((sis, true)) if sis == w.interval => {
                if w.local_committed
                    && w.waiting.is_empty()
                    && let Some(w) = self.writes.in_flight.remove(&key)
                {
                    // `repop_all_committed` → `complete_write`.
                    if let Some(pg) = self.slots.get_mut(&pgid).and_then(|s| s.pg.as_mut()) {
                        pg.complete_write(version, w.local_last_complete);
                    }
                    let committed = self.writes.committed_to.entry(pgid).or_default();
                    if committed.0 != w.interval || committed.1 < version {
                        *committed = (w.interval, version);
                    }
                    self.outputs.push_back(OsdOutput::ClientAck {
                        pgid,
                        oid: w.oid,
                        version,
                        reqid: w.reqid,
                    });
                    self.ec_roll_forward(pgid, version);
                }
            }
            _ => {
                self.writes.in_flight.remove(&key);
            }
        }
    }

    /// Forgets the writes of `pgid` whose interval ended (`on_change`).
    pub(super) fn forget_stale_writes(&mut self, pgid: SpgId) {
        let current = self.pg(pgid).map(|pg| pg.history().same_interval_since);
        self.writes
            .in_flight
            .retain(|(p, _), w| *p != pgid || Some(w.interval) == current);
        let live = &self.writes.in_flight;
        self.writes.local_txns.retain(|_, k| live.contains_key(k));
    }

    /// `committed_to` of `pgid` in its current interval (`0'0` after a
    /// change: Ceph's `RMWPipeline::on_change` clears it).
    pub(super) fn committed_to(&self, pgid: SpgId) -> EVersion {
        let current = self.pg(pgid).map(|pg| pg.history().same_interval_since);
        match self.writes.committed_to.get(&pgid) {
            Some((interval, v)) if Some(*interval) == current => *v,
            _ => EVersion::ZERO,
        }
    }

    /// True when a write of `pgid` waits for its commits (its pipeline is
    /// not empty). Work: O(log writes in flight).
    pub(super) fn has_writes_in_flight(&self, pgid: SpgId) -> bool {
        self.writes
            .in_flight
            .range((pgid, EVersion::ZERO)..=(pgid, EVersion::MAX))
            .next()
            .is_some()
    }

    /// Writes in flight on this OSD, as `(pgid, version)` (for tests and
    /// status).
    pub fn writes_in_flight(&self) -> impl Iterator<Item = (SpgId, EVersion)> + '_ {
        self.writes.in_flight.keys().copied()
    }
}

/// A shard's answer for the write `version` to the primary's instance:
/// `MOSDECSubOpWriteReply` on an erasure-coded PG (`ec`), else
/// `MOSDRepOpReply`; `at` is the shard's epoch and the op's `min_epoch`.
pub(super) fn write_reply(
    ec: bool,
    primary_pgid: SpgId,
    from: PgShard,
    at: (Epoch, Epoch),
    version: EVersion,
    last_complete_ondisk: EVersion,
) -> Result<Message, postcard::Error> {
    let body = RepOpReplyBody {
        version,
        last_complete_ondisk,
    };
    let m = PgOpMsg {
        pgid: primary_pgid,
        from,
        map_epoch: at.0,
        min_epoch: at.1,
        tid: version.version,
        body: postcard::to_stdvec(&body)?,
    };
    Ok(if ec {
        Message::EcWriteReply(m)
    } else {
        Message::RepOpReply(m)
    })
}

/// Every shard of `pg`'s `acting_recovery_backfill` but `me`, the shards a
/// write goes to (on an EC pool, a shard on this same OSD included: it is
/// reached through the loopback connection).
pub(super) fn other_shards(pg: &peering_core::machine::Pg, me: PgShard) -> Vec<PgShard> {
    pg.acting_recovery_backfill()
        .iter()
        .copied()
        .filter(|s| *s != me)
        .collect()
}

#[cfg(test)]
mod tests {
    use peering_core::log::LogOp;

    use super::super::OsdConfig;
    use super::super::test_support::{peered, spg};
    use super::*;

    fn acks(c: &mut super::super::local::LocalCluster) -> Vec<(OsdId, EVersion)> {
        c.drain_recorded()
            .into_iter()
            .filter_map(|(o, out)| match out {
                OsdOutput::ClientAck { version, .. } => Some((o, version)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_write_is_acked_once_every_shard_has_it_durable() {
        let mut c = peered(OsdConfig::new);
        let pg = spg(0);
        let primary = c.mon_map.pg_to_up_acting_osds(pg.pgid).acting_primary;
        c.record_outputs(true);
        c.hold_commits = true;
        let oid = ObjectId::new(1, 0, "o1");
        let entry = c
            .osds
            .get_mut(&primary)
            .unwrap()
            .submit_write(pg, oid, LogOp::Modify, ReqId::client(7, 1))
            .unwrap();
        c.run(10);
        // Nobody's transaction is durable yet: no ack, the write waits.
        assert!(acks(&mut c).is_empty());
        assert_eq!(
            c.osds[&primary].writes_in_flight().collect::<Vec<_>>(),
            [(pg, entry.version)]
        );
        c.hold_commits = false;
        c.release_commits();
        c.run(10);
        assert_eq!(acks(&mut c), [(primary, entry.version)]);
        assert_eq!(c.osds[&primary].writes_in_flight().count(), 0);
    }

    #[test]
    fn a_write_whose_interval_ends_is_never_acked() {
        let mut c = peered(OsdConfig::new);
        let pg = spg(0);
        let m = c.mon_map.pg_to_up_acting_osds(pg.pgid);
        let (primary, replica) = (m.acting_primary, m.acting[1]);
        c.record_outputs(true);
        c.hold_commits = true;
        c.osds
            .get_mut(&primary)
            .unwrap()
            .submit_write(
                pg,
                ObjectId::new(1, 0, "o1"),
                LogOp::Modify,
                ReqId::client(7, 1),
            )
            .unwrap();
        c.run(10);
        // The replica goes down before anything is durable: a new interval.
        c.publish(|inc| {
            inc.mark_down(replica.0);
        })
        .unwrap();
        c.hold_commits = false;
        c.release_commits();
        c.run(20);
        assert!(acks(&mut c).is_empty());
        assert_eq!(c.osds[&primary].writes_in_flight().count(), 0);
    }
}
