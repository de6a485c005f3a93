//! Single hostile messages: a well-formed message with one bad field is dropped at
//! admission with a reason and leaves the PG unchanged (compared field by field),
//! where it used to pass admission and crash the PG inside a handler. And a peer
//! message no state handles (a duplicated reservation grant) is dropped unless the
//! host asked for Ceph's strict aborts; an internal event the host injects where it
//! makes no sense is refused as host misuse.

mod machine_support;
mod reserve_support;

use machine_support::{Cluster, assert_dropped, ceph_config, pgid};
use peering_core::PeeringError;
use peering_core::acting::ActingError;
use peering_core::ctx::RecoveryCtx;
use peering_core::event::PgNotify;
use peering_core::event::{Event, EventKind, MLogRec, MNotifyRec, MTrim, PeeringEvt, PgLogMsg};
use peering_core::log::{LogEntry, LogOp, PgLogT};
use peering_core::machine::{Config, DropReason, EventOutcome, Pg, StateId};
use peering_core::types::{EVersion, ObjectId, OsdId, PgShard, ShardId, SpgId};
use peering_core::{Crash, HostMisuse};
use reserve_support::{World, loaded_with};

const PRIMARY: i32 = 0;

/// A primary in GetInfo, waiting for the infos of osd.1 and osd.2.
fn primary_in_get_info() -> (Cluster, Pg) {
    let c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    let pg = c.pg(0).clone();
    assert_eq!(pg.state_id(), StateId::GetInfo);
    (c, pg)
}

/// osd.`from`'s notify carrying its current info, changed by `tweak`.
fn notify(c: &Cluster, from: i32, shard: ShardId, tweak: impl FnOnce(&mut PgNotify)) -> PeeringEvt {
    let mut info = c.pg(from).info().clone();
    info.pgid = SpgId::new(pgid().pgid, shard);
    let mut notify = PgNotify {
        query_epoch: 1,
        epoch_sent: 1,
        info,
        from: shard,
        ..Default::default()
    };
    tweak(&mut notify);
    PeeringEvt::new(
        1,
        Event::MNotifyRec(MNotifyRec {
            pgid: pgid(),
            from: PgShard::new(OsdId(from), shard),
            notify,
            features: 0,
        }),
    )
}

#[test]
fn a_notify_from_shard_3_in_a_replicated_pool_is_dropped() {
    let (c, mut pg) = primary_in_get_info();
    let shard = PgShard::new(OsdId(1), ShardId(3));
    let evt = notify(&c, 1, ShardId(3), |_| {});
    assert_dropped(
        &mut pg,
        &c,
        evt,
        DropReason::InvalidInfo(ActingError::ShardInReplicatedPool { shard }),
    );
}

/// An info whose interval started after the activation epoch it carries is
/// legal (a replica of a primary that was only peered, or a stray activated as a
/// recovery source, reports one): it is taken, and no later `choose_acting`
/// refuses it.
#[test]
fn an_info_whose_interval_started_after_its_activation_is_taken() {
    let (c, mut pg) = primary_in_get_info();
    let mut ctx = RecoveryCtx::new();
    let evt = notify(&c, 1, ShardId::NO_SHARD, |n| {
        n.info.last_epoch_started = 0;
        n.info.last_interval_started = 1;
        n.info.history.last_epoch_started = 0;
        n.info.history.last_interval_started = 1;
    });
    assert_eq!(
        pg.handle_event(evt, c.map(), &mut ctx),
        Ok(EventOutcome::Delivered)
    );
    let evt = notify(&c, 2, ShardId::NO_SHARD, |_| {});
    assert_eq!(
        pg.handle_event(evt, c.map(), &mut ctx),
        Ok(EventOutcome::Delivered)
    );
    // Both answered: choose_acting ran over the record and the primary went on.
    assert!(!pg.is_crashed());
    assert_ne!(pg.state_id(), StateId::GetInfo);
}

/// A clean cluster on [0, 1, 2] where osd.2 went down: osd.1 is a stray of the
/// new interval at epoch 2, waiting for the primary's log.
fn stray_waiting_for_the_log() -> (Cluster, Pg) {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1], |m| m.mark_down(2));
    let pg = c.pg(1).clone();
    assert_eq!(pg.state_id(), StateId::Stray);
    (c, pg)
}

fn modify(name: &str, v: u64, prior: u64) -> LogEntry {
    let prior = if prior == 0 {
        EVersion::ZERO
    } else {
        EVersion::new(2, prior)
    };
    LogEntry::new(
        LogOp::Modify,
        ObjectId::new(1, 0, name),
        EVersion::new(2, v),
        prior,
    )
}

fn primary_log(c: &Cluster, entries: Vec<LogEntry>) -> PeeringEvt {
    let head = entries.last().map_or(EVersion::ZERO, |e| e.version);
    let mut log = PgLogT::new(EVersion::ZERO, head);
    log.entries = entries;
    let mut info = c.pg(0).info().clone();
    info.last_update = head;
    info.last_complete = head;
    PeeringEvt::new(
        2,
        Event::MLogRec(MLogRec {
            from: PgShard::replica(0),
            msg: PgLogMsg {
                pgid: pgid(),
                epoch: 2,
                query_epoch: 2,
                info,
                log,
                ..Default::default()
            },
        }),
    )
}

#[test]
fn a_log_whose_prior_version_chain_is_broken_is_dropped() {
    let (c, mut pg) = stray_waiting_for_the_log();
    // Object `a` at 2'1, then 2'3 naming 2'2 as its prior: `a` was never 2'2.
    let entries = vec![modify("a", 1, 0), modify("b", 2, 0), modify("a", 3, 2)];
    assert_dropped(
        &mut pg,
        &c,
        primary_log(&c, entries),
        DropReason::BrokenLogChain {
            version: EVersion::new(2, 3),
            prior: EVersion::new(2, 2),
            last: EVersion::new(2, 1),
        },
    );
    // The chained log is taken: the stray becomes an active replica.
    let entries = vec![modify("a", 1, 0), modify("b", 2, 0), modify("a", 3, 1)];
    let mut ctx = RecoveryCtx::new();
    assert_eq!(
        pg.handle_event(primary_log(&c, entries), c.map(), &mut ctx),
        Ok(EventOutcome::Delivered)
    );
    assert_eq!(pg.state_id(), StateId::RepNotRecovering);
    assert_eq!(pg.info().last_update, EVersion::new(2, 3));
}

/// A clean cluster on [0, 1, 2]: osd.1's ReplicaActive instance (log `1..=18`
/// at epoch 10, all complete) and its world.
fn replica() -> World {
    let c = loaded_with(
        ceph_config(),
        &[0, 1, 2],
        &[0, 1, 2],
        &[(0, 18), (1, 18), (2, 18)],
        3,
    );
    let mut w = World::new(vec![c]);
    w.run();
    assert_eq!(w.pg(0, 1).state_id(), StateId::RepNotRecovering);
    w
}

fn trim(from: i32, to: u64) -> Event {
    Event::MTrim(MTrim {
        epoch: 10,
        from: OsdId(from),
        shard: ShardId::NO_SHARD,
        trim_to: EVersion::new(10, to),
    })
}

#[test]
fn a_trim_from_another_replica_or_past_the_log_is_dropped() {
    let mut w = replica();
    let before = w.pg(0, 1).clone();
    let (o, out) = w.deliver_now(0, 1, trim(2, 5));
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::NotFromPrimary {
            from: PgShard::replica(2)
        })
    );
    assert!(out.messages.is_empty());
    assert_eq!(*w.pg(0, 1), before);
    // Past the head (and past last_complete: nothing is missing).
    let (o, _) = w.deliver_now(0, 1, trim(PRIMARY, 19));
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::TrimOutOfRange {
            trim_to: EVersion::new(10, 19)
        })
    );
    assert_eq!(*w.pg(0, 1), before);
    // The primary's trim within the log is applied.
    let (o, _) = w.deliver_now(0, 1, trim(PRIMARY, 5));
    assert_eq!(o, EventOutcome::Delivered);
    assert_eq!(w.pg(0, 1).info().log_tail, EVersion::new(10, 5));
}

/// osd.0 primary of [0, 1, 2] with osd.1 behind: in Recovering, holding every
/// remote recovery slot, running `config`.
fn recovering_primary(config: Config) -> World {
    let c = loaded_with(
        config,
        &[0, 1, 2],
        &[0, 1, 2],
        &[(0, 18), (1, 15), (2, 18)],
        3,
    );
    let mut w = World::new(vec![c]);
    w.auto_grant = false;
    w.answer_activate = false;
    w.run();
    reserve_support::to_recovering(&mut w, PRIMARY);
    w
}

#[test]
fn a_duplicated_grant_is_dropped_by_default() {
    let mut w = recovering_primary(Config::default());
    let before = w.pg(0, PRIMARY).clone();
    let (o, out) = w.deliver_now(0, PRIMARY, Event::RemoteRecoveryReserved);
    assert_eq!(
        o,
        EventOutcome::Dropped(DropReason::Unhandled {
            state: StateId::Recovering,
            event: EventKind::RemoteRecoveryReserved
        })
    );
    assert!(out.messages.is_empty() && out.reservations.is_empty());
    assert_eq!(*w.pg(0, PRIMARY), before);
}

#[test]
fn a_duplicated_grant_crashes_the_pg_under_strict_ceph_aborts() {
    let mut w = recovering_primary(ceph_config());
    let err = w.deliver_err(0, PRIMARY, Event::RemoteRecoveryReserved);
    assert_eq!(
        err,
        PeeringError::Crashed(Crash::Unhandled {
            state: StateId::Recovering,
            event: EventKind::RemoteRecoveryReserved
        })
    );
    assert!(err.is_crash());
    assert!(w.pg(0, PRIMARY).is_crashed());
    // Every later call says the PG had crashed.
    let later = w.deliver_err(0, PRIMARY, Event::DoRecovery);
    assert_eq!(later, PeeringError::Crashed(Crash::AlreadyCrashed));
    assert!(later.is_crash());
}

#[test]
fn an_internal_event_injected_out_of_place_is_host_misuse() {
    for config in [Config::default(), ceph_config()] {
        let strict = config.strict_ceph_aborts;
        let mut w = recovering_primary(config);
        for evt in [
            Event::LocalRecoveryReserved,
            Event::GotLog,
            Event::MakePrimary,
        ] {
            let before = w.pg(0, PRIMARY).clone();
            let kind = evt.kind();
            let err = w.deliver_err(0, PRIMARY, evt);
            if strict {
                assert_eq!(
                    err,
                    PeeringError::Crashed(Crash::Unhandled {
                        state: StateId::Recovering,
                        event: kind
                    })
                );
                assert!(w.pg(0, PRIMARY).is_crashed());
                break;
            }
            assert_eq!(
                err,
                PeeringError::HostMisuse(HostMisuse::EventOutOfPlace {
                    state: StateId::Recovering,
                    event: kind
                })
            );
            assert!(!err.is_crash());
            assert_eq!(*w.pg(0, PRIMARY), before, "{kind:?}");
        }
    }
}
