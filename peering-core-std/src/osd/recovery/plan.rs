//! What recovery has to do for one PG, read from its machine
//! (`PrimaryLogPG::recover_primary` / `recover_replicas` / `recover_backfill`
//! choose their work from the same state), and the event that ends a run
//! (`start_recovery_ops`' end). Every driver of recovery — the [`super::super::Osd`]
//! and the scripted harness — computes its work here.

use std::collections::BTreeSet;

use peering_core::event::Event;
use peering_core::machine::Pg;
use peering_core::types::{EVersion, ObjectId, PgShard};

/// One object to recover: its id, the version needed, and whether recovering
/// it means deleting it (`FLAG_DELETE`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ObjectToRecover {
    /// The object.
    pub oid: ObjectId,
    /// `need`: the version to recover.
    pub version: EVersion,
    /// Recovering it deletes it.
    pub delete: bool,
}

/// The log-based recovery work of a primary (`recover_primary`,
/// `recover_replicas`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct RecoveryPlan {
    /// What the primary misses and some shard holds (unfound objects stay
    /// missing), each with the shards that hold it (`missing_loc`), in object
    /// order.
    pub pulls: Vec<(ObjectToRecover, BTreeSet<PgShard>)>,
    /// What each peer of `acting_recovery_backfill` misses, by peer then
    /// object (`peer_missing`); a backfill target only up to its
    /// `last_backfill` (backfill brings the rest).
    pub pushes: Vec<(PgShard, ObjectToRecover)>,
}

impl RecoveryPlan {
    /// The plan of `pg`'s current state (empty for a non-primary).
    pub fn of(pg: &Pg) -> RecoveryPlan {
        // Ceph's `PrimaryLogPG` questions: `get_missing_loc`, `get_peer_missing`...
        if !pg.is_primary() {
            return RecoveryPlan::default();
        }
        let missing_loc = pg.missing_loc();
        let pulls = pg
            .pg_log()
            .missing()
            .items()
            .iter()
            .filter(|(oid, _)| !missing_loc.is_unfound(oid))
            .map(|(oid, i)| {
                let at = missing_loc
                    .missing_loc
                    .get(oid)
                    .cloned()
                    .unwrap_or_default();
                (
                    ObjectToRecover {
                        oid: oid.clone(),
                        version: i.need,
                        delete: i.delete,
                    },
                    at,
                )
            })
            .collect();
        // `recover_replicas` walks every shard of acting_recovery_backfill; on
        // a backfill target it skips the objects past its last_backfill,
        // which backfill covers, and recovers the others from the log.
        let backfill = pg.backfill_targets();
        let last_backfill = |s: &PgShard| {
            backfill
                .contains(s)
                .then(|| {
                    pg.peer_infos()
                        .find(|(p, _)| *p == s)
                        .map(|(_, i)| i.last_backfill.clone())
                })
                .flatten()
        };
        let pushes = pg
            .peer_missing()
            .filter(|(s, _)| pg.acting_recovery_backfill().contains(s))
            .flat_map(|(s, m)| {
                let lb = last_backfill(s);
                m.items()
                    .iter()
                    .filter(move |(oid, _)| lb.as_ref().is_none_or(|lb| *oid <= lb))
                    .map(move |(oid, i)| {
                        (
                            *s,
                            ObjectToRecover {
                                oid: oid.clone(),
                                version: i.need,
                                delete: i.delete,
                            },
                        )
                    })
            })
            .collect();
        RecoveryPlan { pulls, pushes }
    }
}

/// `backfill_targets` of `pg`, in order.
pub fn backfill_targets(pg: &Pg) -> Vec<PgShard> {
    pg.backfill_targets().iter().copied().collect()
}

/// The event that ends a log-based recovery run (`start_recovery_ops` once
/// nothing is in flight, `do_recovery`'s unfound check): `UnfoundRecovery`
/// when objects stay unfound, `RequestBackfill` when backfill is still
/// needed, `AllReplicasRecovered` otherwise. The count is the unfound objects.
pub fn recovery_done_event(pg: &Pg) -> (Event, usize) {
    if pg.needs_recovery() {
        (Event::UnfoundRecovery, pg.missing_loc().num_unfound())
    } else if pg.needs_backfill() {
        (Event::RequestBackfill, 0)
    } else {
        (Event::AllReplicasRecovered, 0)
    }
}

/// Whether `pg` still misses `oid` itself (a push waits for the pull).
pub fn primary_missing(pg: &Pg, oid: &ObjectId) -> bool {
    pg.pg_log().missing().is_missing(oid)
}
