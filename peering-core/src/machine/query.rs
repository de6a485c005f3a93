//! Answering the primary's queries: `fulfill_query`, `fulfill_info`, `fulfill_log`.

use super::peering_state::PeeringState;
use crate::ctx::{DirectMessage, RecoveryCtx};
use crate::event::PgNotify;
use crate::event::{MQuery, PgLogMsg};
use crate::log::PgLogT;
use crate::types::{QueryKind, SpgId};

impl PeeringState {
    /// `fulfill_query` (Stray, ReplicaActive): merge the asker's history, then answer
    /// INFO with a (buffered) notify and LOG / FULLLOG / MISSING with a (direct)
    /// `MOSDPGLog`. Returns false, answering nothing, when the asker is not our
    /// primary (Ceph asserts it is).
    pub(crate) fn fulfill_query(&mut self, q: &MQuery, ctx: &mut RecoveryCtx) -> bool {
        if q.from != self.primary {
            return false;
        }
        self.update_history(&q.query.history);
        match q.query.kind {
            QueryKind::Info => {
                let notify = PgNotify {
                    query_epoch: q.query_epoch,
                    epoch_sent: self.epoch,
                    info: self.info.clone(),
                    to: q.from.shard,
                    from: self.whoami.shard,
                    past_intervals: self.past_intervals.clone(),
                };
                self.send_notify(ctx, q.from.osd, notify);
            }
            kind => {
                let log = match kind {
                    QueryKind::Log { since } => {
                        // A `since` older than our tail gets the whole log (Ceph logs a
                        // cluster error and does the same).
                        if !since.is_zero() && since < self.pg_log.log().tail() {
                            self.pg_log.full_log()
                        } else {
                            self.pg_log.copy_after(since, self.cfg.pg_log_dups_tracked)
                        }
                    }
                    QueryKind::FullLog => self.pg_log.full_log(),
                    QueryKind::Missing | QueryKind::Info => PgLogT::default(),
                };
                let msg = PgLogMsg {
                    pgid: SpgId::new(self.info.pgid.pgid, q.from.shard),
                    from: self.whoami.shard,
                    epoch: self.epoch,
                    query_epoch: q.query_epoch,
                    info: self.info.clone(),
                    log,
                    missing: self.pg_log.missing().clone(),
                    past_intervals: None,
                    lease: None,
                };
                ctx.send_direct(q.from.osd, DirectMessage::Log(msg));
            }
        }
        true
    }
}
