//! The transcript and the checker: what the OSDs did in a round, recorded
//! from their outputs, and every PG instance checked after it.

use crate::store::Store;
use std::collections::BTreeMap;

use peering_core::ctx::{HostNotification, MonRequest};
use peering_core::machine::StateId;
use peering_core::types::{Epoch, OsdId, SpgId};

use super::OsdHarness;
use crate::harness::{Entry, HarnessError, Outcome};
use crate::msg::Message;
use crate::osd::{MonMessage, OsdError, OsdOutput, RecoveryReport};

/// The states each PG instance entered in one round.
type Entered = BTreeMap<(OsdId, SpgId), Vec<StateId>>;

impl<S: Store> OsdHarness<S> {
    /// Records the outputs the OSDs produced since the last call, then checks
    /// every PG instance with the states it entered.
    pub(super) fn absorb(&mut self) {
        let mut entered = Entered::new();
        for (osd, out) in self.cluster.drain_recorded() {
            self.record(osd, out, &mut entered);
        }
        self.check(&entered);
    }

    fn record(&mut self, osd: OsdId, out: OsdOutput, entered: &mut Entered) {
        let entry = match out {
            OsdOutput::Entered { pgid, epoch, state } => {
                entered.entry((osd, pgid)).or_default().push(state);
                Entry::Entered {
                    osd,
                    pgid,
                    epoch,
                    state,
                }
            }
            OsdOutput::Send {
                to,
                epoch,
                messages,
            } => {
                for m in messages {
                    self.record_send(osd, to, epoch, m);
                }
                return;
            }
            // An empty transaction carries only on-commit work: nothing is
            // written.
            OsdOutput::Persist { transaction, .. } if transaction.is_empty() => return,
            OsdOutput::Persist {
                pgid, transaction, ..
            } => Entry::Persisted {
                osd,
                pgid,
                ops: transaction.ops.len(),
            },
            OsdOutput::Mon(MonMessage::ReadyToMerge(r)) => Entry::ReadyToMerge {
                osd,
                source: r.pgid,
                ready: r.ready,
            },
            OsdOutput::Mon(m) => {
                for request in mon_requests(m) {
                    self.transcript.push(Entry::Mon { osd, request });
                }
                return;
            }
            OsdOutput::Timer { pgid, timer } => {
                let due = self.now.saturating_add(timer.delay);
                self.timers.push((osd, pgid, timer.clone(), due));
                Entry::Timer { osd, pgid, timer }
            }
            OsdOutput::Recovery { pgid, report } => {
                for what in engine_lines(report) {
                    self.transcript.push(Entry::Engine { osd, pgid, what });
                }
                return;
            }
            OsdOutput::Split { parent, child } => Entry::Split { osd, parent, child },
            OsdOutput::Merged { source, target } => {
                self.checker.instance_deleted(osd, source);
                Entry::Merged {
                    osd,
                    source,
                    target,
                }
            }
            OsdOutput::Reservation { pgid, op } => Entry::Reservation { osd, pgid, op },
            OsdOutput::Notification { pgid, note } => {
                if note == HostNotification::Deleted {
                    self.checker.instance_deleted(osd, pgid);
                }
                Entry::Notified { osd, pgid, note }
            }
            // The host lists the next objects and hands them to the PG as
            // `DeleteSome` (`C_DeleteMore`), queued on its OSD.
            OsdOutput::DeleteMore { pgid, epoch, .. } => Entry::Delivered {
                to: osd,
                pgid,
                from: None,
                epoch,
                name: "DeleteSome",
                outcome: Outcome::Handled,
            },
            OsdOutput::ShareMap { .. }
            | OsdOutput::MarkDown { .. }
            | OsdOutput::Rebind
            | OsdOutput::PublishStats(_)
            | OsdOutput::ClientAck { .. } => {
                return;
            }
        };
        self.transcript.push(entry);
    }

    /// One wire message from `from` to `to`: a peering message is a `Sent`
    /// line, under the PG instance it is for; other messages (maps, recovery
    /// pushes) are not listed.
    fn record_send(&mut self, from: OsdId, to: OsdId, epoch: Epoch, m: Message) {
        if !m.is_peering() {
            return;
        }
        let Some(pgid) = m
            .clone()
            .into_deliveries(from)
            .ok()
            .and_then(|d| d.first().map(|d| d.spgid))
        else {
            return;
        };
        self.transcript.push(Entry::Sent {
            from,
            to,
            epoch,
            pgid,
            msg: m,
        });
    }

    /// Checks every PG instance of every OSD.
    fn check(&mut self, entered: &Entered) {
        for (id, osd) in &self.cluster.osds {
            for (spg, pg) in osd.pgs() {
                let Some(map) = osd.maps().get(pg.epoch()) else {
                    continue;
                };
                let primary_osd = pg.primary().osd;
                let primary = (primary_osd != *id)
                    .then(|| self.cluster.osds.get(&primary_osd).and_then(|o| o.pg(spg)))
                    .flatten();
                let states = entered.get(&(*id, spg)).map_or(&[][..], Vec::as_slice);
                self.checker.observe(*id, pg, states, &**map, primary);
            }
        }
    }

    /// Records an OSD's error (a transcript line when it names a PG).
    pub(super) fn report(&mut self, osd: OsdId, error: OsdError) {
        let pgid = match &error {
            OsdError::Pg { pgid, .. } | OsdError::NotStored(pgid) => Some(*pgid),
            _ => None,
        };
        // A crashed instance refuses every later map and event the same way:
        // its first failure is reported, the rest would only repeat it.
        let again = pgid.is_some()
            && self.failures.iter().any(|f| match f {
                HarnessError::Osd {
                    osd: o,
                    error: OsdError::Pg { pgid: p, .. },
                } => *o == osd && Some(*p) == pgid,
                _ => false,
            });
        if again {
            return;
        }
        let error = HarnessError::Osd { osd, error };
        if let Some(pgid) = pgid {
            self.transcript.push(Entry::Failed {
                osd,
                pgid,
                error: error.clone(),
            });
        }
        self.failures.push(error);
    }
}

/// The PG-level requests a monitor message carries (boots and subscriptions
/// are the OSD's own and are not listed).
fn mon_requests(m: MonMessage) -> Vec<MonRequest> {
    match m {
        MonMessage::Alive(a) => vec![MonRequest::UpThru { want: a.want }],
        // An empty want asks the monitor to remove the pg_temp.
        MonMessage::PgTemp(t) => t
            .pg_temp
            .into_iter()
            .map(|(pgid, want)| MonRequest::PgTemp { pgid, want })
            .collect(),
        MonMessage::PgCreated(c) => vec![MonRequest::PgCreated { pgid: c.pgid }],
        MonMessage::Boot { .. }
        | MonMessage::Subscribe { .. }
        | MonMessage::MarkMeDead { .. }
        | MonMessage::ReadyToMerge(_) => Vec::new(),
    }
}

/// The recovery engine's transcript lines.
fn engine_lines(report: RecoveryReport) -> Vec<String> {
    match report {
        RecoveryReport::Recovered { oid, version } => vec![format!("pulled {oid:?} at {version}")],
        RecoveryReport::Pushed { to, oid, version } => {
            vec![format!("pushed {oid:?} at {version} to {to}")]
        }
        RecoveryReport::LastBackfill {
            target,
            last_backfill,
        } => {
            let shown = if last_backfill.is_max() {
                "MAX (complete)".to_string()
            } else {
                format!("{last_backfill:?}")
            };
            vec![format!("backfill {target}: last_backfill {shown}")]
        }
        RecoveryReport::Wrote { .. } => Vec::new(),
        RecoveryReport::Done { event, unfound } => {
            let mut v = Vec::new();
            if event == "UnfoundRecovery" {
                v.push(format!("{unfound} object(s) unfound"));
            }
            v.push(format!("delivers {event}"));
            v
        }
    }
}
