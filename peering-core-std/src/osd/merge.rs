//! PG merge on the OSD: the family of a map that lowers `pg_num` is brought
//! to the map before it and merged (Ceph's `OSD::advance_pg` merge branch,
//! `add_merge_waiter`, `OSDShard::prime_merges`), and the readiness the PGs
//! report is forwarded to the monitor (`OSDService::set_ready_to_merge_*`,
//! `_send_ready_to_merge`).
//!
//! Ceph's sharded OSD parks a source until its target comes by. This host is
//! one thread, so whichever member meets the boundary first merges the whole
//! family at once: each member is advanced to the map before the boundary
//! (its `AdvMap`s only; the merged PG's batch goes on after the merge), a
//! member this OSD lacks is created empty there (a placeholder, as
//! `prime_merges` makes one: history zeroed, so the merged PG is incomplete
//! and backfilled, or takes the source's history), the target absorbs the
//! sources ([`Pg::merge_from`]), and the sources leave their slots.

use std::collections::{BTreeMap, BTreeSet};

use peering_core::ctx::{HostNotification, RecoveryCtx};
use peering_core::intervals::PastIntervals;
use peering_core::machine::{Pg, PgCreate};
use peering_core::types::{EVersion, Epoch, PgHistory, PgId, PgShard, SpgId};

use super::advance::MergeBoundary;
use super::output::{MonMessage, OsdOutput};
use super::{Osd, OsdError};
use crate::msg::ReadyToMergeMsg;

/// The merge readiness this OSD's primaries reported and what went to the
/// monitor (`OSDService`'s `ready_to_merge_*`, `not_ready_to_merge_*`,
/// `sent_ready_to_merge_source`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(super) struct MergeReadiness {
    /// Sources ready, with their `last_update`.
    ready_source: BTreeMap<PgId, EVersion>,
    /// Targets ready: `last_update`, `last_epoch_started`, `last_epoch_clean`.
    ready_target: BTreeMap<PgId, (EVersion, Epoch, Epoch)>,
    /// Sources that peered without their full acting set.
    not_ready_source: BTreeSet<PgId>,
    /// Targets that peered without theirs, with the source they wait for.
    not_ready_target: BTreeMap<PgId, PgId>,
    /// Sources the monitor heard about (either answer), once each.
    sent: BTreeSet<PgId>,
}

impl Osd {
    /// Takes a PG's merge-readiness notice (the `PeeringListener` hooks) and
    /// tells the monitor what it can now decide.
    pub(super) fn note_merge_readiness(&mut self, pgid: SpgId, notice: &HostNotification) {
        let pg = pgid.pgid;
        let r = &mut self.merge_ready;
        match *notice {
            HostNotification::ReadyToMergeSource { last_update } => {
                r.ready_source.insert(pg, last_update);
            }
            HostNotification::ReadyToMergeTarget {
                last_update,
                last_epoch_started,
                last_epoch_clean,
            } => {
                r.ready_target
                    .insert(pg, (last_update, last_epoch_started, last_epoch_clean));
            }
            HostNotification::NotReadyToMergeSource => {
                r.not_ready_source.insert(pg);
            }
            HostNotification::NotReadyToMergeTarget { source } => {
                r.not_ready_target.insert(pg, source);
            }
            HostNotification::ClearReadyToMerge => {
                r.ready_source.remove(&pg);
                r.ready_target.remove(&pg);
                r.not_ready_source.remove(&pg);
                r.not_ready_target.remove(&pg);
                r.sent.remove(&pg);
                return;
            }
            _ => return,
        }
        self.send_ready_to_merge();
    }

    /// `_send_ready_to_merge`: a "not ready" for each source (or a target's
    /// source) not yet answered, then a "ready" for each source whose target
    /// is ready too, each source once.
    fn send_ready_to_merge(&mut self) {
        let epoch = self.epoch();
        let r = &mut self.merge_ready;
        let mut out = Vec::new();
        let not_ready = r
            .not_ready_source
            .iter()
            .chain(r.not_ready_target.values())
            .copied()
            .collect::<Vec<_>>();
        for source in not_ready {
            if r.sent.insert(source) {
                out.push(ReadyToMergeMsg::not_ready(source, epoch));
            }
        }
        for (&source, &source_version) in &r.ready_source {
            let target = source.parent();
            if r.not_ready_source.contains(&source) || r.not_ready_target.contains_key(&target) {
                continue;
            }
            let Some(&(target_version, les, lec)) = r.ready_target.get(&target) else {
                continue;
            };
            if r.sent.insert(source) {
                out.push(ReadyToMergeMsg {
                    pgid: source,
                    source_version,
                    target_version,
                    last_epoch_started: les,
                    last_epoch_clean: lec,
                    ready: true,
                    map_epoch: epoch,
                });
            }
        }
        self.outputs.extend(
            out.into_iter()
                .map(|m| OsdOutput::Mon(MonMessage::ReadyToMerge(m))),
        );
    }

    /// `clear_sent_ready_to_merge` then `send_ready_to_merge` (a new monitor
    /// session): every readiness still held is said again.
    pub(super) fn resend_ready_to_merge(&mut self) {
        self.merge_ready.sent.clear();
        self.send_ready_to_merge();
    }

    /// `prune_sent_ready_to_merge`: forget what was said of PGs the newest map
    /// no longer has (they merged).
    pub(super) fn prune_sent_ready_to_merge(&mut self) {
        let Some(map) = self.maps.newest().cloned() else {
            return;
        };
        let exists = |pg: &PgId| map.pg_pool(pg.pool).is_some_and(|p| pg.seed < p.pg_num);
        let r = &mut self.merge_ready;
        r.sent.retain(exists);
        r.ready_source.retain(|pg, _| exists(pg));
        r.ready_target.retain(|pg, _| exists(pg));
        r.not_ready_source.retain(exists);
        r.not_ready_target.retain(|pg, _| exists(pg));
    }

    /// Merges the family of `boundary` (see the module docs). The target is
    /// left in its slot at the map before the boundary, queued to go on; the
    /// sources are gone.
    pub(super) fn merge_family(&mut self, boundary: &MergeBoundary) -> Result<(), OsdError> {
        let b = *boundary;
        let Some(newmap) = self.maps.get(b.merge_epoch).cloned() else {
            return Err(OsdError::NoMap(b.merge_epoch));
        };
        let Some(lastmap) = self.maps.get(b.at).cloned() else {
            return Err(OsdError::NoMap(b.at));
        };
        let mut target = self.member_at(b.target, &b)?;
        let sources_ids: Vec<SpgId> = b
            .target
            .pgid
            .split_children_iter(b.new_pg_num, b.old_pg_num)
            .map(|child| SpgId::new(child, b.target.shard))
            .collect();
        let mut sources = Vec::with_capacity(sources_ids.len());
        for sid in &sources_ids {
            match self.member_at(*sid, &b) {
                Ok(pg) => sources.push(pg),
                Err(e) => {
                    // Nothing merged: every member goes back where it was.
                    self.put_back_family(&b, target, &sources_ids, sources);
                    return Err(e);
                }
            }
        }
        let meta = newmap.last_pg_merge_meta(b.target.pgid.pool);
        let mut ctx = RecoveryCtx::new();
        if let Err(e) = target.merge_from(&mut sources, &meta, &mut ctx) {
            // Refused with nothing changed: the members stay as they are.
            self.put_back_family(&b, target, &sources_ids, sources);
            return Err(OsdError::pg(b.target)(e));
        }
        // Then, in the same step, the merge epoch's `AdvMap` (a new interval
        // for the merged PG); its batch goes on from there.
        let mapping = newmap.pg_to_up_acting_osds(b.target.pgid);
        let advanced = target.advance_map(&*newmap, &*lastmap, mapping, &mut ctx);
        self.put_back(b.target, target);
        for sid in &sources_ids {
            if let Some(slot) = self.slots.get_mut(sid) {
                slot.pg = None;
            }
            self.shut_down(*sid);
            self.outputs.push_back(OsdOutput::Merged {
                source: *sid,
                target: b.target,
            });
        }
        // The merge is persisted whatever the `AdvMap` said.
        self.flush_pg_ctx(b.target, &mut ctx);
        for sid in &sources_ids {
            // What waited for a source is for a PG that no longer exists:
            // the no-PG path answers or drops it.
            if self
                .slots
                .get(sid)
                .is_some_and(|s| !s.to_process.is_empty())
            {
                self.queue_pg(*sid);
            } else {
                self.remove_if_empty(*sid);
            }
        }
        advanced.map_err(OsdError::pg(b.target))?;
        self.queue_pg(b.target);
        Ok(())
    }

    /// `PG::on_shutdown` for a merged-away source: its reservations here
    /// (its own, and the slot it held for another primary) are released, its
    /// backfill space unreserved, its recovery and writes in flight forgotten
    /// — its machine never exits, so nothing else would.
    fn shut_down(&mut self, sid: SpgId) {
        let local = self.local_reserver.cancel(sid);
        let remote = self.remote_reserver.cancel(sid);
        self.space.unreserve(sid);
        self.recovery.remove(&sid);
        self.forget_stale_writes(sid);
        self.queue_grants(local);
        self.queue_grants(remote);
    }

    /// One member of a merging family at the map before the boundary, taken
    /// out of its slot: advanced there (`AdvMap`s only, merging any earlier
    /// family it meets on the way), or created empty there when this OSD
    /// does not hold it.
    fn member_at(&mut self, spgid: SpgId, b: &MergeBoundary) -> Result<Pg, OsdError> {
        // Each earlier boundary crossed merges a family away, so this ends.
        loop {
            let Some(mut pg) = self.slots.get_mut(&spgid).and_then(|s| s.pg.take()) else {
                return self.placeholder(spgid, b.at);
            };
            self.prime_clock(&mut pg);
            let mut ctx = RecoveryCtx::new();
            let mut children = Vec::new();
            let met = self.advance_maps(&mut pg, b.at, &mut ctx, &mut children);
            self.put_back(spgid, pg);
            // A member far behind may split on the way (the pool grew before it
            // shrank): its children are installed as `advance_pg` does.
            let splits = self.install_split_children(spgid, children);
            self.flush_pg_ctx_with(spgid, &mut ctx, splits);
            match met? {
                None => {
                    let pg = self.slots.get_mut(&spgid).and_then(|s| s.pg.take());
                    return pg.ok_or(OsdError::MergeMemberGone(spgid));
                }
                Some(earlier) => self.merge_family(&earlier)?,
            }
        }
    }

    /// Returns a PG taken out of its slot (its state reports go on where
    /// they were).
    fn put_back(&mut self, spgid: SpgId, pg: Pg) {
        self.slots.entry(spgid).or_default().pg = Some(pg);
    }

    /// A family whose merge did not happen goes back to its slots.
    fn put_back_family(&mut self, b: &MergeBoundary, target: Pg, ids: &[SpgId], sources: Vec<Pg>) {
        self.put_back(b.target, target);
        for (sid, pg) in ids.iter().zip(sources) {
            self.put_back(*sid, pg);
        }
    }

    /// `prime_merges`' empty merge participant: the PG created at epoch `at`
    /// with a zeroed history (`PGCreateInfo(pgid, at, pg_history_t())`).
    fn placeholder(&mut self, spgid: SpgId, at: Epoch) -> Result<Pg, OsdError> {
        let Some(map) = self.maps.get(at).cloned() else {
            return Err(OsdError::NoMap(at));
        };
        let args = PgCreate {
            whoami: PgShard::new(self.cfg.whoami, spgid.shard),
            pgid: spgid,
            mapping: map.pg_to_up_acting_osds(spgid.pgid),
            history: PgHistory::default(),
            past_intervals: PastIntervals::default(),
            config: self.cfg.peering,
        };
        let mut ctx = RecoveryCtx::new();
        let pg = Pg::create(args, &*map, &mut ctx).map_err(OsdError::pg(spgid))?;
        self.slots.entry(spgid).or_default().install(pg);
        self.flush_pg_ctx(spgid, &mut ctx);
        self.slots
            .get_mut(&spgid)
            .and_then(|s| s.pg.take())
            .ok_or(OsdError::MergeMemberGone(spgid))
    }
}

#[cfg(test)]
mod tests {
    use peering_core::ctx::HostNotification;
    use peering_core::types::{EVersion, PgId, SpgId};

    use super::super::output::{MonMessage, OsdOutput};
    use super::super::{Osd, OsdConfig};

    fn said(osd: &mut Osd) -> Vec<(PgId, bool, EVersion, EVersion)> {
        osd.drain_outputs()
            .into_iter()
            .filter_map(|o| match o {
                OsdOutput::Mon(MonMessage::ReadyToMerge(m)) => {
                    Some((m.pgid, m.ready, m.source_version, m.target_version))
                }
                _ => None,
            })
            .collect()
    }

    /// `_send_ready_to_merge`: a source is reported ready once its target
    /// is too, once per source; a monitor reconnect says it again
    /// (`clear_sent_ready_to_merge`); `clear_ready_to_merge` forgets the PG,
    /// after which a "not ready" goes out.
    #[test]
    fn readiness_goes_to_the_monitor_once_per_source() {
        let mut osd = Osd::new(OsdConfig::new(0));
        let (source, target) = (PgId::new(1, 3), PgId::new(1, 1));
        let spg = |pg| SpgId::replicated(pg);
        let (sv, tv) = (EVersion::new(7, 9), EVersion::new(7, 4));
        osd.note_merge_readiness(
            spg(source),
            &HostNotification::ReadyToMergeSource { last_update: sv },
        );
        assert!(said(&mut osd).is_empty(), "the target is not ready yet");
        let target_ready = HostNotification::ReadyToMergeTarget {
            last_update: tv,
            last_epoch_started: 6,
            last_epoch_clean: 6,
        };
        osd.note_merge_readiness(spg(target), &target_ready);
        assert_eq!(said(&mut osd), [(source, true, sv, tv)]);
        osd.note_merge_readiness(spg(target), &target_ready);
        assert!(said(&mut osd).is_empty(), "each source once");
        osd.resend_ready_to_merge();
        assert_eq!(said(&mut osd), [(source, true, sv, tv)]);
        osd.note_merge_readiness(spg(source), &HostNotification::ClearReadyToMerge);
        osd.note_merge_readiness(spg(source), &HostNotification::NotReadyToMergeSource);
        assert_eq!(
            said(&mut osd),
            [(source, false, EVersion::ZERO, EVersion::ZERO)]
        );
    }
}
