//! [`Checker`]: the safety invariants, checked after every call the
//! harness makes into a PG instance, on what is observable from outside the core.

use std::collections::BTreeMap;

use peering_core::machine::{Pg, StateId};
use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, OsdId, PgId, PgShard, PgState, SpgId};

/// Which invariant a [`Violation`] breaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rule {
    /// "At most one primary serves writes per interval": two OSDs were active
    /// primaries of the same PG with the same `same_interval_since`.
    TwoPrimariesInInterval,
    /// "A primary does not go active before its up_thru is recorded": a
    /// primary entered `Active` while its map's `up_thru` is older than the interval.
    ActiveBeforeUpThru,
    /// "Every interval that may have gone read-write is probed (or declared lost)
    /// before activation": a primary entered `Active` while a past
    /// `maybe_went_rw` interval since `last_epoch_started` had no member that is the
    /// primary, was probed (`peer_info`), or is lost — and some member is down.
    UnprobedInterval,
    /// "Epochs never go backwards": an instance's map epoch decreased.
    EpochBackwards,
    /// "`last_epoch_started` never goes backwards", across restarts too, within
    /// an instance's life (a deleted copy created again starts afresh): info's
    /// never, but for a backfill target whose copy the primary restarted (it
    /// takes the primary's info whole, Ceph's `Stray::react(MLogRec)`);
    /// history's only down to info's own (`append_log` does that on a peer
    /// whose info lags the primary's history).
    LesBackwards,
    /// "Replicas agree with the authoritative log at activation": a member of the
    /// primary's acting, recovery or backfill set entered `ReplicaActive` with a
    /// `last_update` or log head other than its primary's.
    ReplicaDisagrees,
    /// The PG crashed or refused an event (a failed Ceph assertion).
    Crashed,
}

/// One broken invariant, where and when.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Violation {
    /// The invariant.
    pub rule: Rule,
    /// The OSD observed (`pg_shard_t::osd`).
    pub osd: OsdId,
    /// The PG shard observed (`spg_t`).
    pub pgid: SpgId,
    /// Its map epoch.
    pub epoch: Epoch,
    /// What was seen, for people.
    pub detail: String,
}

/// The safety checker and what it remembers between observations.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Checker {
    epochs: BTreeMap<(OsdId, SpgId), Epoch>,
    les: BTreeMap<(OsdId, SpgId), (Epoch, Epoch)>,
    active_primaries: BTreeMap<(PgId, Epoch), OsdId>,
    violations: Vec<Violation>,
}

impl Checker {
    /// Every violation seen so far, in order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// An instance was dropped from memory (OSD stopped): its epoch may restart
    /// from what its store holds; `last_epoch_started` may not.
    pub fn forget_instance(&mut self, osd: OsdId, pgid: SpgId) {
        self.epochs.remove(&(osd, pgid));
    }

    /// An instance's process crashed: what it had not committed is gone, so
    /// its `last_epoch_started` (info's, history's) falls back to what its
    /// store holds, `durable` (`None`: nothing was stored). The rule still
    /// holds for durable state: the store's value may not go backwards.
    pub fn crashed(&mut self, osd: OsdId, pgid: SpgId, durable: Option<(Epoch, Epoch)>) {
        self.epochs.remove(&(osd, pgid));
        match durable {
            Some(les) => {
                self.les.insert((osd, pgid), les);
            }
            None => {
                self.les.remove(&(osd, pgid));
            }
        }
    }

    /// An instance was deleted (its machine terminated and its collection was
    /// removed) or merged into its target: its life ended, so a copy created
    /// later on the same OSD starts afresh, with epochs and
    /// `last_epoch_started` from its creation (Ceph's `OSD::_remove_pg` then
    /// `handle_pg_create_info`, or a split after the merge).
    pub fn instance_deleted(&mut self, osd: OsdId, pgid: SpgId) {
        self.epochs.remove(&(osd, pgid));
        self.les.remove(&(osd, pgid));
    }

    fn flag(&mut self, rule: Rule, osd: OsdId, pg: &Pg, detail: String) {
        self.violations.push(Violation {
            rule,
            osd,
            pgid: pg.info().pgid,
            epoch: pg.epoch(),
            detail,
        });
    }

    /// Checks `osd`'s instance `pg` after a call, given the states it `entered`
    /// during it, its current `map`, and the running instance of its primary (if
    /// another OSD holds it).
    pub fn observe(
        &mut self,
        osd: OsdId,
        pg: &Pg,
        entered: &[StateId],
        map: &dyn OsdMapView,
        primary: Option<&Pg>,
    ) {
        let key = (osd, pg.info().pgid);
        if pg.is_crashed() {
            self.flag(Rule::Crashed, osd, pg, pg.state_name().to_string());
        }
        let prev = self.epochs.insert(key, pg.epoch()).unwrap_or(0);
        if pg.epoch() < prev {
            self.flag(
                Rule::EpochBackwards,
                osd,
                pg,
                format!("{prev} -> {}", pg.epoch()),
            );
        }
        let les = (
            pg.info().last_epoch_started,
            pg.history().last_epoch_started,
        );
        let (pi, ph) = self.les.insert(key, les).unwrap_or((0, 0));
        if pg.is_primary() && entered.contains(&StateId::Active) {
            self.check_probed(osd, pg, map, ph);
        }
        // `history.les` may step back to the instance's own `info.les`, and
        // only there: `append_log` pulls it down so that a write logged on a
        // peer whose info lags (a backfill target outside the acting set) is
        // never remembered as written in a later interval that went active.
        let history_back = les.1 < ph && les.1 != les.0;
        // `info.les` steps back on a backfill target whose copy the primary
        // restarted: `Stray::react(MLogRec)` takes the primary's info
        // whole (`info = msg->info`, `last_backfill` MIN), and a primary of
        // an interval that could not go read-write (undersized) sends its
        // older `last_epoch_started`. The copy holds nothing of its own then.
        let restarted_backfill = pg.info().last_backfill.is_min();
        if (les.0 < pi && !restarted_backfill) || history_back {
            let detail = format!(
                "info/history les ({pi}, {ph}) -> ({}, {}) in {} at epoch {}",
                les.0,
                les.1,
                pg.state_name(),
                pg.epoch()
            );
            self.flag(Rule::LesBackwards, osd, pg, detail);
        }
        let sis = pg.history().same_interval_since;
        if pg.is_primary() && pg.state_bits().contains(PgState::ACTIVE) {
            let owner = *self
                .active_primaries
                .entry((pg.info().pgid.pgid, sis))
                .or_insert(osd);
            if owner != osd {
                let detail = format!("{owner} and {osd} both active for interval {sis}");
                self.flag(Rule::TwoPrimariesInInterval, osd, pg, detail);
            }
        }
        if pg.is_primary() && entered.contains(&StateId::Active) && map.up_thru(osd) < sis {
            let detail = format!("up_thru {} < interval start {sis}", map.up_thru(osd));
            self.flag(Rule::ActiveBeforeUpThru, osd, pg, detail);
        }
        if entered.contains(&StateId::ReplicaActive) && !pg.info().is_incomplete() {
            self.check_replica(osd, pg, primary);
        }
    }

    /// Every past `maybe_went_rw` interval ending at or after `les` (the history's
    /// les before this call) has a witness the primary talked to or gave up on
    /// (`build_prior`: UP and LOST count, DNE members are ignored).
    fn check_probed(&mut self, osd: OsdId, pg: &Pg, map: &dyn OsdMapView, les: Epoch) {
        let peers: std::collections::BTreeSet<PgShard> = pg.peer_infos().map(|(s, _)| *s).collect();
        let unprobed: Vec<Epoch> = pg
            .past_intervals()
            .intervals()
            .iter()
            .filter(|i| i.last >= les)
            .filter(|i| {
                let witnessed = i
                    .acting
                    .iter()
                    .any(|s| s.osd == osd || peers.contains(s) || map.lost_at(s.osd) > i.first);
                let some_exist = i.acting.iter().any(|s| map.exists(s.osd));
                !witnessed && some_exist
            })
            .map(|i| i.first)
            .collect();
        if !unprobed.is_empty() {
            let detail = format!("intervals starting at {unprobed:?} not probed");
            self.flag(Rule::UnprobedInterval, osd, pg, detail);
        }
    }

    /// A replica that just activated holds the primary's `last_update` and log head
    /// (activation brings every complete peer to the authoritative head).
    fn check_replica(&mut self, osd: OsdId, pg: &Pg, primary: Option<&Pg>) {
        let Some(p) = primary else { return };
        if p.history().same_interval_since != pg.history().same_interval_since {
            return;
        }
        // Only the primary's acting, recovery and backfill peers must agree: a
        // stray that `search_for_missing` found holding a needed object is sent
        // its own info and activates as a recovery source with its own, older,
        // `last_update` (Ceph's `Stray::react(MInfoRec)`).
        let me = peering_core::types::PgShard::new(osd, pg.info().pgid.shard);
        if !p.acting_recovery_backfill().contains(&me) {
            return;
        }
        let (mine, theirs) = (pg.info().last_update, p.info().last_update);
        let head = pg.pg_log().log().head();
        if mine != theirs || head != theirs {
            let detail = format!("last_update {mine}, log head {head}, primary {theirs}");
            self.flag(Rule::ReplicaDisagrees, osd, pg, detail);
        }
    }
}
