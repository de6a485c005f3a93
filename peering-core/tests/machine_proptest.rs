//! Arbitrary sequences of events, valid and invalid, never panic; after any error
//! the PG still answers questions, and a crashed PG refuses everything
//! (DESIGN.md §4, §6 "Properties").

mod machine_support;

use machine_support::{Cluster, pgid};
use peering_core::Crash;
use peering_core::PeeringError;
use peering_core::ctx::RecoveryCtx;
use peering_core::event::PgNotify;
use peering_core::event::{
    Activate, ActivateCommitted, Defer, Event, EventKind, MInfoRec, MLease, MLeaseAck, MLogRec,
    MNotifyRec, MQuery, MTrim, PeeringEvt, PgLogMsg, RequestBackfillPrio, RequestRecoveryPrio,
    RequestScrub,
};
use peering_core::intervals::UpActing;
use peering_core::log::{LogEntry, LogOp, PgLogT};
use peering_core::machine::Pg;
use peering_core::map::SimpleOsdMap;
use peering_core::types::{
    EVersion, ObjectId, OsdId, PgId, PgInfo, PgLease, PgLeaseAck, PgQuery, PgShard, QueryKind,
    ShardId, SpgId, Timespan,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Event {
        kind: usize,
        from: i32,
        e1: u32,
        e2: u32,
        v: u64,
        wrong_pg: bool,
    },
    Map {
        down: Option<i32>,
        up: Option<i32>,
        up_thru: Option<(i32, u32)>,
        acting: Vec<i32>,
        min_size: Option<u32>,
    },
    ActMapOnly,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..EventKind::ALL.len(), 0..6i32, 0..8u32, 0..8u32, 0..6u64, proptest::bool::weighted(0.1))
            .prop_map(|(kind, from, e1, e2, v, wrong_pg)| Op::Event { kind, from, e1, e2, v, wrong_pg }),
        2 => (
            proptest::option::of(0..5i32),
            proptest::option::of(0..5i32),
            proptest::option::of((0..5i32, 0..10u32)),
            proptest::collection::vec(0..5i32, 0..4),
            proptest::option::of(1..4u32),
        )
            .prop_map(|(down, up, up_thru, acting, min_size)| Op::Map { down, up, up_thru, acting, min_size }),
        1 => Just(Op::ActMapOnly),
    ]
}

fn info(pg: &Pg, v: u64, e: u32) -> PgInfo {
    let mut i = pg.info().clone();
    i.last_update = EVersion::new(e, v);
    i.last_complete = EVersion::new(e, v.saturating_sub(1));
    i.last_epoch_started = e;
    i.history.last_epoch_started = e;
    i
}

fn log(v: u64, e: u32) -> PgLogT {
    // Sometimes invalid: the tail may pass the head.
    let mut l = PgLogT::new(EVersion::new(e, v % 3), EVersion::new(e, v));
    for x in (v % 3 + 1)..=v {
        l.entries.push(LogEntry::new(
            LogOp::Modify,
            ObjectId::new(1, x as u32, format!("o{x}")),
            EVersion::new(e, x),
            EVersion::ZERO,
        ));
    }
    l
}

/// A lease, sometimes with negative (never granted) values.
fn lease(v: u64) -> PgLease {
    let x = v as i64 - 3;
    PgLease {
        readable_until: Timespan(x * 1_000),
        readable_until_ub: Timespan(x * 2_000),
        interval: Timespan(x * 500),
    }
}

/// A lease ack, sometimes for more than was ever offered.
fn ack(v: u64) -> PgLeaseAck {
    PgLeaseAck {
        readable_until_ub: Timespan(v as i64 * 4_000_000_000),
    }
}

fn make_event(pg: &Pg, kind: EventKind, from: i32, e: u32, v: u64, wrong: bool) -> Event {
    let sp = if wrong {
        SpgId::replicated(PgId::new(1, 9))
    } else {
        pgid()
    };
    let fromsh = PgShard::replica(from);
    let mut i = info(pg, v, e);
    i.pgid = sp;
    match kind {
        EventKind::AdvMap => Event::AdvMap(machine_support::mapping(&[from])),
        EventKind::MNotifyRec => Event::MNotifyRec(MNotifyRec {
            pgid: sp,
            from: fromsh,
            notify: PgNotify {
                query_epoch: e,
                epoch_sent: e,
                info: i,
                ..Default::default()
            },
            features: 0,
        }),
        EventKind::MInfoRec => Event::MInfoRec(MInfoRec {
            from: fromsh,
            info: i,
            msg_epoch: e,
            lease: (v % 3 == 1).then(|| lease(v)),
            lease_ack: (v % 3 == 2).then(|| ack(v)),
        }),
        EventKind::MLease => Event::MLease(MLease {
            epoch: e,
            from: OsdId(from),
            lease: lease(v),
        }),
        EventKind::MLeaseAck => Event::MLeaseAck(MLeaseAck {
            epoch: e,
            from: OsdId(from),
            lease_ack: ack(v),
        }),
        EventKind::MLogRec => Event::MLogRec(MLogRec {
            from: fromsh,
            msg: PgLogMsg {
                pgid: sp,
                epoch: e,
                query_epoch: e,
                info: i,
                log: log(v, e),
                ..Default::default()
            },
        }),
        EventKind::MQuery => Event::MQuery(MQuery {
            pgid: sp,
            from: fromsh,
            query: PgQuery {
                kind: match v % 4 {
                    0 => QueryKind::Info,
                    1 => QueryKind::Log {
                        since: EVersion::new(e, v / 2),
                    },
                    2 => QueryKind::Missing,
                    _ => QueryKind::FullLog,
                },
                history: pg.history().clone(),
                epoch_sent: e,
                to: ShardId::NO_SHARD,
                from: ShardId::NO_SHARD,
            },
            query_epoch: e,
        }),
        EventKind::MTrim => Event::MTrim(MTrim {
            epoch: e,
            from: OsdId(from),
            shard: ShardId::NO_SHARD,
            trim_to: EVersion::new(e, v),
        }),
        EventKind::Activate => Event::Activate(Activate {
            activation_epoch: e,
        }),
        EventKind::ActivateCommitted => Event::ActivateCommitted(ActivateCommitted {
            epoch: e,
            activation_epoch: e,
        }),
        EventKind::DeferRecovery => Event::DeferRecovery(Defer {
            delay: Timespan(v as i64),
        }),
        EventKind::DeferBackfill => Event::DeferBackfill(Defer {
            delay: Timespan(v as i64),
        }),
        EventKind::RequestBackfillPrio => Event::RequestBackfillPrio(RequestBackfillPrio {
            priority: v as u32,
            primary_num_bytes: 1,
            local_num_bytes: 1,
        }),
        EventKind::RequestRecoveryPrio => {
            Event::RequestRecoveryPrio(RequestRecoveryPrio { priority: v as u32 })
        }
        EventKind::RequestScrub => Event::RequestScrub(RequestScrub {
            deep: v % 2 == 0,
            repair: false,
        }),
        other => machine_support::unit_event(other).unwrap_or(Event::NullEvt),
    }
}

/// Snapshots of PGs in the states of the peering path, with their maps.
fn snapshots() -> Vec<(Pg, SimpleOsdMap)> {
    let mut out = Vec::new();
    let mut c = Cluster::with_pgs(&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1, 2], 3, |_| {});
    for o in 0..4 {
        out.push((c.pg(o).clone(), c.map().clone()));
    }
    c.run();
    out.push((c.pg(0).clone(), c.map().clone()));
    c.hold_commits = true;
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    out.push((c.pg(0).clone(), c.map().clone()));
    out.push((c.pg(1).clone(), c.map().clone()));
    c.release_commits();
    c.hold_commits = false;
    c.run();
    for o in 0..4 {
        out.push((c.pg(o).clone(), c.map().clone()));
    }
    out
}

/// Whether some state of the configuration lists `kind` other than as a catch-all.
fn handled_here(pg: &Pg, kind: EventKind) -> bool {
    pg.active_states().rev().any(|id| {
        id.def()
            .reaction_for(kind)
            .is_some_and(|r| r.on != peering_core::machine::chart::On::Any)
    })
}

fn check_answers(pg: &Pg) {
    assert!(!pg.state_name().is_empty());
    let _ = pg.info().clone();
    let _ = pg.state_bits().to_string();
    let _ = pg.history();
    let _ = pg.active_states().count();
    let _ = pg.status();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_event_sequences_never_panic(
        start in 0..11usize,
        ops in proptest::collection::vec(op(), 1..30),
    ) {
        let snaps = snapshots();
        let (mut pg, mut map) = snaps[start % snaps.len()].clone();
        let mut ctx = RecoveryCtx::new();
        let mut batch_open = false;
        for op in ops {
            let res: Result<(), PeeringError> = match op {
                Op::Event { kind, from, e1, e2, v, wrong_pg } => {
                    // Mostly events the configuration handles, so runs go deep
                    // rather than crashing at once; sometimes anything.
                    let handled: Vec<EventKind> = EventKind::ALL
                        .iter()
                        .copied()
                        .filter(|k| handled_here(&pg, *k))
                        .collect();
                    let k = if kind % 4 != 0 && !handled.is_empty() {
                        handled[kind % handled.len()]
                    } else {
                        EventKind::ALL[kind % EventKind::ALL.len()]
                    };
                    let e = map.epoch.saturating_sub(e1 % 3);
                    let evt = make_event(&pg, k, from, e, v, wrong_pg);
                    let env = PeeringEvt::with_epochs(e, e.saturating_sub(e2 % 2), evt);
                    pg.handle_event(env, &map, &mut ctx).map(|_| ())
                }
                Op::Map { down, up, up_thru, acting, min_size } => {
                    let mut next = map.next();
                    if let Some(d) = down { next.mark_down(d); }
                    if let Some(u) = up { next.mark_up(u); }
                    if let Some((o, t)) = up_thru { next.set_up_thru(o, t); }
                    if let Some(ms) = min_size {
                        if let Some(p) = next.pools.get_mut(&1) { p.min_size = ms; }
                    }
                    let primary = acting.first().copied().unwrap_or(-1);
                    let m = UpActing::new(&acting, primary, &acting, primary);
                    let r = pg.advance_map(&next, &map, m, &mut ctx);
                    if r.is_ok() { map = next; batch_open = true; }
                    r
                }
                Op::ActMapOnly => {
                    let r = pg.activate_map(&map, &mut ctx);
                    if r.is_ok() { batch_open = false; }
                    r
                }
            };
            check_answers(&pg);
            if res.is_err() && pg.is_crashed() {
                let again = pg.handle_event(PeeringEvt::new(map.epoch, Event::NullEvt), &map, &mut ctx);
                prop_assert_eq!(again, Err(PeeringError::Crashed(Crash::AlreadyCrashed)));
            }
            let _ = batch_open;
            ctx.clear();
        }
    }
}
