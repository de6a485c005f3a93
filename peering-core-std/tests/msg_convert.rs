//! The round-trip property of the wire layer (`ceph-peering.md` §4.2, §8.4): for
//! every outgoing item a PG produces, `from_outgoing` → `encode` → `decode` →
//! `into_peering_events` gives exactly the events the core's
//! `Outgoing::into_events` gives for the same item.
//!
//! Checked over (1) real PGs driven from creation to Active+Clean and through the
//! log, stray-purge and acting-change paths (every item they send, and the whole
//! context of every delivered event drained by `drain_messages`), and (2)
//! generated items and contexts covering what those runs do not produce
//! (reservations, trims, EC shards, queries of every kind). The real runs use the
//! core's own test cluster (`peering-core/tests/machine_support`), included as is.

#[path = "../../peering-core/tests/machine_support/mod.rs"]
mod machine_support;

use peering_core::ctx::{
    BackfillReserveMsg, LeaseAckMsg, LeaseMsg, QueryMsg, RecoveryReserveMsg, RemoveMsg, TrimMsg,
};
use std::collections::{BTreeMap, BTreeSet};

use machine_support::{Cluster, loaded_cluster, mapping, notify_evt};
use peering_core::ctx::{
    BackfillReserveOp, DirectMessage as CoreMessage, InfoMsg, MonRequest, Outgoing, RecoveryCtx,
    RecoveryReserveOp,
};
use peering_core::event::PgNotify;
use peering_core::event::{PeeringEvt, PgLogMsg as CoreLogMsg};
use peering_core::intervals::{PastIntervals, PgInterval, UpActing};
use peering_core::log::{LogEntry, LogOp, Missing, PgLogT};
use peering_core::map::SimpleOsdMap;
use peering_core::types::{
    EVersion, Epoch, ObjectId, OsdId, OsdVec, PgHistory, PgId, PgInfo, PgLease, PgLeaseAck,
    PgQuery, QueryKind, ShardId, SpgId, Timespan, UTime,
};
use peering_core_std::msg::*;
use proptest::prelude::*;

/// One item through the wire: the events the receiver gets.
fn over_the_wire(from: OsdId, out: Outgoing) -> Vec<(SpgId, PeeringEvt)> {
    let msg = Message::from_outgoing(out).expect("from_outgoing");
    let frame = encode(&msg).expect("encode");
    let decoded = decode(&frame).expect("decode");
    assert_eq!(decoded, msg);
    decoded
        .into_peering_events(from)
        .expect("into_peering_events")
}

fn assert_round_trip(from: OsdId, out: &Outgoing) {
    let expected = out.clone().into_events(from);
    assert_eq!(over_the_wire(from, out.clone()), expected, "{out:?}");
}

/// Per target OSD, the events the core routes for a context, in the order
/// `drain_messages` promises: direct sends, then queries, notifies, infos.
fn expected_by_target(from: OsdId, ctx: &RecoveryCtx) -> BTreeMap<OsdId, Vec<(SpgId, PeeringEvt)>> {
    let direct = ctx
        .messages()
        .iter()
        .map(|(to, m)| (*to, Outgoing::Direct(m.clone())));
    let queries = ctx.queries().iter().flat_map(|(to, qs)| {
        qs.iter().map(move |(s, q)| {
            (
                *to,
                Outgoing::Query(QueryMsg {
                    pgid: *s,
                    query: q.clone(),
                }),
            )
        })
    });
    let notifies = ctx
        .notifies()
        .iter()
        .flat_map(|(to, ns)| ns.iter().map(move |n| (*to, Outgoing::Notify(n.clone()))));
    let infos = ctx
        .infos()
        .iter()
        .flat_map(|(to, is)| is.iter().map(move |i| (*to, Outgoing::Info(i.clone()))));
    let mut by: BTreeMap<OsdId, Vec<(SpgId, PeeringEvt)>> = BTreeMap::new();
    for (to, out) in direct.chain(queries).chain(notifies).chain(infos) {
        by.entry(to).or_default().extend(out.into_events(from));
    }
    by
}

/// What the wire checks saw, for coverage assertions.
#[derive(Default)]
struct Seen {
    types: BTreeSet<MsgType>,
    contexts: usize,
    items: usize,
}

/// Drains a real context through the wire and checks it against the core's
/// routing of the same context.
fn check_ctx(from: OsdId, mut ctx: RecoveryCtx, epoch: Epoch, seen: &mut Seen) {
    let expected = expected_by_target(from, &ctx);
    let mon_requests = ctx.mon().to_vec();
    let untouched = (
        ctx.transaction().clone(),
        ctx.clone().take_persist(),
        ctx.timers().to_vec(),
    );
    let msgs = drain_messages(&mut ctx, epoch).expect("drain_messages");
    assert!(ctx.messages().is_empty() && ctx.queries().is_empty());
    assert!(ctx.notifies().is_empty() && ctx.infos().is_empty() && ctx.mon().is_empty());
    assert_eq!(
        (
            ctx.transaction().clone(),
            ctx.clone().take_persist(),
            ctx.timers().to_vec()
        ),
        untouched
    );
    let mut got: BTreeMap<OsdId, Vec<(SpgId, PeeringEvt)>> = BTreeMap::new();
    let mut mon = Vec::new();
    for (target, m) in msgs {
        seen.types.insert(m.msg_type());
        let decoded = decode(&encode(&m).unwrap()).unwrap();
        assert_eq!(decoded, m);
        match target {
            Target::Osd(o) => got
                .entry(o)
                .or_default()
                .extend(decoded.into_peering_events(from).unwrap()),
            Target::Mon => mon.push(decoded),
        }
    }
    assert_eq!(got, expected);
    // Every monitor request is answered by its message (the aggregation rules
    // are pinned by `monitor_requests_are_aggregated` below).
    let wants_up_thru = mon_requests
        .iter()
        .any(|r| matches!(r, MonRequest::UpThru { .. }));
    assert_eq!(
        mon.iter().any(|m| matches!(m, Message::Alive(_))),
        wants_up_thru
    );
    assert_eq!(mon, mon_messages(mon_requests, epoch));
    seen.contexts += 1;
}

/// `Cluster::deliver`, after running the same event on a copy of the PG and
/// checking that copy's context through the wire.
fn deliver_checked(c: &mut Cluster, to: i32, evt: PeeringEvt, seen: &mut Seen) {
    let mut shadow = c.pg(to).clone();
    let map = c.maps[&shadow.epoch()].clone();
    let mut ctx = RecoveryCtx::new();
    shadow.handle_event(evt.clone(), &map, &mut ctx).unwrap();
    check_ctx(OsdId(to), ctx, map.epoch, seen);
    c.deliver(to, evt);
    // The cluster also ran the commit callbacks (flush counts), not the state.
    assert_eq!(shadow.state_name(), c.pg(to).state_name());
}

/// `Cluster::run` with every delivery checked.
fn run_checked(c: &mut Cluster, seen: &mut Seen) {
    let mut steps = 0;
    while !c.queue.is_empty() {
        steps += 1;
        assert!(steps < 10_000, "no quiescence");
        let (to, evt) = c.queue.remove(0);
        let up = c.map().osds.get(&OsdId(to)).is_some_and(|s| s.up);
        if up && c.pgs.contains_key(&to) {
            deliver_checked(c, to, evt, seen);
        }
    }
}

/// `Cluster::next_map`, after advancing a copy of every up PG to the new map and
/// checking its context (`AdvMap`* then `ActMap`, §8.1) through the wire.
fn next_map_checked(
    c: &mut Cluster,
    acting: &[i32],
    f: impl Fn(&mut SimpleOsdMap),
    seen: &mut Seen,
) {
    let mut next = c.map().next();
    f(&mut next);
    let newest = next.epoch;
    let the_mapping = mapping(acting);
    for (osd, pg) in &c.pgs {
        if !next.osds.get(&OsdId(*osd)).is_some_and(|s| s.up) {
            continue;
        }
        let map_at = |e: Epoch| if e == newest { &next } else { &c.maps[&e] };
        let mapping_at = |e: Epoch| {
            if e == newest {
                the_mapping.clone()
            } else {
                c.mappings[&e].clone()
            }
        };
        let mut shadow = pg.clone();
        let mut ctx = RecoveryCtx::new();
        while shadow.epoch() < newest {
            let last = shadow.epoch();
            shadow
                .advance_map(
                    map_at(last + 1),
                    map_at(last),
                    mapping_at(last + 1),
                    &mut ctx,
                )
                .unwrap();
        }
        shadow.activate_map(&next, &mut ctx).unwrap();
        check_ctx(OsdId(*osd), ctx, newest, seen);
    }
    c.next_map(acting, f);
}

/// Every item the cluster sent, through the wire.
fn check_sent(c: &Cluster, seen: &mut Seen) {
    for s in &c.sent {
        seen.types
            .insert(Message::from_outgoing(s.msg.clone()).unwrap().msg_type());
        assert_round_trip(OsdId(s.from), &s.msg);
        seen.items += 1;
    }
}

#[test]
fn three_replicas_to_active_clean_over_the_wire() {
    let mut seen = Seen::default();
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    run_checked(&mut c, &mut seen);
    next_map_checked(&mut c, &[0, 1, 2], |m| m.set_up_thru(0, 1), &mut seen);
    run_checked(&mut c, &mut seen);
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Active/Clean");
    // A replica leaves and comes back: re-peering.
    next_map_checked(&mut c, &[0, 1], |m| m.mark_down(2), &mut seen);
    run_checked(&mut c, &mut seen);
    next_map_checked(&mut c, &[0, 1], |m| m.set_up_thru(0, 3), &mut seen);
    run_checked(&mut c, &mut seen);
    next_map_checked(&mut c, &[0, 1, 2], |m| m.mark_up(2), &mut seen);
    run_checked(&mut c, &mut seen);
    next_map_checked(&mut c, &[0, 1, 2], |m| m.set_up_thru(0, 5), &mut seen);
    run_checked(&mut c, &mut seen);
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Active/Clean");
    check_sent(&c, &mut seen);
    for ty in [
        MsgType::PgQuery2,
        MsgType::PgNotify2,
        MsgType::PgInfo2,
        MsgType::Alive,
    ] {
        assert!(seen.types.contains(&ty), "{} not exercised", ty.name());
    }
    assert!(seen.contexts > 10 && seen.items > 10);
}

#[test]
fn divergent_logs_over_the_wire() {
    let mut seen = Seen::default();
    let mut c = loaded_cluster([(18, 10), (20, 8), (18, 10)]);
    run_checked(&mut c, &mut seen);
    let mut behind = loaded_cluster([(15, 10), (18, 10), (18, 10)]);
    behind.auto_recovered = false;
    run_checked(&mut behind, &mut seen);
    check_sent(&c, &mut seen);
    check_sent(&behind, &mut seen);
    assert!(seen.types.contains(&MsgType::PgLog));
    // Logs with entries and missing sets crossed the wire.
    assert!(behind.sent.iter().any(|s| matches!(
        &s.msg,
        Outgoing::Direct(CoreMessage::Log(m)) if !m.log.entries.is_empty()
    )));
}

#[test]
fn stray_purge_over_the_wire() {
    let mut seen = Seen::default();
    let mut c = Cluster::with_pgs(&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1, 2], 3, |_| {});
    run_checked(&mut c, &mut seen);
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    run_checked(&mut c, &mut seen);
    let e = c.epoch();
    let info = c.pg(3).info().clone();
    let notify = notify_evt(3, e, info);
    deliver_checked(&mut c, 0, notify, &mut seen);
    check_sent(&c, &mut seen);
    assert!(seen.types.contains(&MsgType::PgRemove));
}

#[test]
fn acting_change_asks_the_monitor_for_pg_temp() {
    let mut seen = Seen::default();
    let mut c = Cluster::general(
        &[0, 1, 2],
        &[0, 1, 2],
        UpActing::new(&[0, 1, 2], 0, &[1, 2, 0], 1),
        3,
        |_| {},
        PgHistory::new(1, UTime::default()),
    );
    run_checked(&mut c, &mut seen);
    assert_eq!(c.pg(1).state_name(), "Started/Primary/WaitActingChange");
    check_sent(&c, &mut seen);
    assert!(seen.types.contains(&MsgType::PgTemp));
}

#[test]
fn drain_orders_direct_then_buffered_by_target_then_monitor() {
    let p = |seed| SpgId::replicated(PgId::new(1, seed));
    let mut ctx = RecoveryCtx::new();
    ctx.send_notify(OsdId(2), notify(p(1), 5));
    ctx.send_query(OsdId(4), p(2), query(p(2), QueryKind::Info, 5));
    ctx.send_direct(
        OsdId(4),
        CoreMessage::Trim(TrimMsg {
            epoch: 5,
            pgid: p(2),
            trim_to: EVersion::new(5, 9),
        }),
    );
    ctx.send_info(OsdId(2), info_msg(p(1), 5));
    ctx.send_query(OsdId(2), p(3), query(p(3), QueryKind::FullLog, 5));
    ctx.send_direct(
        OsdId(1),
        CoreMessage::Remove(RemoveMsg {
            epoch: 5,
            pgids: vec![p(4)],
        }),
    );
    ctx.request_mon(MonRequest::UpThru { want: 4 });
    let msgs = drain_messages(&mut ctx, 6).unwrap();
    let shape: Vec<(Target, MsgType)> = msgs.iter().map(|(t, m)| (*t, m.msg_type())).collect();
    assert_eq!(
        shape,
        [
            (Target::Osd(OsdId(4)), MsgType::PgTrim),
            (Target::Osd(OsdId(1)), MsgType::PgRemove),
            (Target::Osd(OsdId(2)), MsgType::PgQuery2),
            (Target::Osd(OsdId(2)), MsgType::PgNotify2),
            (Target::Osd(OsdId(2)), MsgType::PgInfo2),
            (Target::Osd(OsdId(4)), MsgType::PgQuery2),
            (Target::Mon, MsgType::Alive),
        ]
    );
    assert_eq!(
        msgs.last().unwrap().1,
        Message::Alive(AliveMsg {
            version: 6,
            want: 4
        })
    );
    assert!(ctx.is_empty());
}

#[test]
fn monitor_requests_are_aggregated() {
    let pg = |s| PgId::new(1, s);
    let osds = |v: &[i32]| -> OsdVec { v.iter().map(|o| OsdId(*o)).collect() };
    let reqs = vec![
        MonRequest::UpThru { want: 3 },
        MonRequest::PgTemp {
            pgid: pg(1),
            want: osds(&[1, 2]),
        },
        MonRequest::PgCreated { pgid: pg(7) },
        MonRequest::UpThru { want: 5 },
        MonRequest::PgTemp {
            pgid: pg(2),
            want: osds(&[0]),
        },
        MonRequest::PgTemp {
            pgid: pg(1),
            want: osds(&[2, 1]),
        },
        MonRequest::ClearPgTemp { pgid: pg(2) },
        MonRequest::PgTemp {
            pgid: pg(3),
            want: OsdVec::new(),
        },
        MonRequest::UpThru { want: 4 },
        MonRequest::PgCreated { pgid: pg(6) },
    ];
    assert_eq!(
        mon_messages(reqs, 9),
        [
            Message::Alive(AliveMsg {
                version: 9,
                want: 5
            }),
            Message::PgTemp(PgTempMsg {
                map_epoch: 9,
                pg_temp: BTreeMap::from([(pg(1), osds(&[2, 1])), (pg(3), OsdVec::new())]),
                forced: false,
            }),
            Message::PgCreated(PgCreatedMsg { pgid: pg(7) }),
            Message::PgCreated(PgCreatedMsg { pgid: pg(6) }),
        ]
    );
    assert_eq!(mon_messages(Vec::new(), 9), []);
    assert_eq!(
        mon_messages(
            vec![
                MonRequest::PgTemp {
                    pgid: pg(1),
                    want: osds(&[1]),
                },
                MonRequest::ClearPgTemp { pgid: pg(1) },
            ],
            9
        ),
        []
    );
}

#[test]
fn refused_items_leave_the_context_untouched() {
    let p = SpgId::new(PgId::new(1, 1), ShardId(0));
    let mut bad = notify(p, 5);
    bad.from = ShardId(2); // info's shard is 0
    assert!(matches!(
        Message::from_outgoing(Outgoing::Notify(bad.clone())),
        Err(MsgError::ShardMismatch { .. })
    ));
    let mut ctx = RecoveryCtx::new();
    ctx.send_query(OsdId(1), p, query(p, QueryKind::Info, 5));
    ctx.send_notify(OsdId(1), bad);
    let before = ctx.clone();
    assert!(matches!(
        drain_messages(&mut ctx, 5),
        Err(MsgError::ShardMismatch { .. })
    ));
    assert_eq!(ctx, before);

    // An info naming another PG, a log whose info is another PG's, a query
    // addressed to a shard it does not ask.
    let mut i = info_msg(p, 5);
    i.info.pgid = SpgId::new(PgId::new(1, 2), ShardId(0));
    assert!(matches!(
        Message::from_outgoing(Outgoing::Info(i)),
        Err(MsgError::PgMismatch { .. })
    ));
    let mut l = log_msg(p, ShardId(1), 5, 0);
    l.info.pgid = SpgId::new(PgId::new(1, 2), ShardId(1));
    assert!(matches!(
        Message::from_outgoing(Outgoing::Direct(CoreMessage::Log(l))),
        Err(MsgError::PgMismatch { .. })
    ));
    let q = query(SpgId::new(p.pgid, ShardId(3)), QueryKind::Missing, 5);
    assert!(matches!(
        Message::from_outgoing(Outgoing::Query(QueryMsg { pgid: p, query: q })),
        Err(MsgError::PgMismatch { .. })
    ));
}

// --- generated items -------------------------------------------------------

/// A notify from shard `pgid.shard`'s instance to shard `NO_SHARD`... or any
/// `to`: the sender's info names its own shard (Ceph's invariant).
fn notify(from: SpgId, e: Epoch) -> PgNotify {
    PgNotify {
        query_epoch: e,
        epoch_sent: e + 1,
        info: info(from, e),
        to: ShardId::NO_SHARD,
        from: from.shard,
        past_intervals: intervals(e),
    }
}

fn info(pgid: SpgId, e: Epoch) -> PgInfo {
    let mut i = PgInfo::new(pgid);
    i.last_update = EVersion::new(e, u64::from(e) * 3);
    i.last_complete = i.last_update;
    i.history = PgHistory::new(1, UTime { sec: e, nsec: 0 });
    i.history.same_interval_since = e;
    i
}

fn intervals(e: Epoch) -> PastIntervals {
    let mut pi = PastIntervals::new();
    if e > 2 {
        let osds: OsdVec = [OsdId(0), OsdId(1)].into_iter().collect();
        pi.add_interval(
            false,
            &PgInterval {
                up: osds.clone(),
                acting: osds,
                first: 1,
                last: e - 1,
                maybe_went_rw: true,
                primary: OsdId(0),
                up_primary: OsdId(0),
            },
        )
        .unwrap();
    }
    pi
}

/// A query asking `to` (its shard is the query's `to`).
fn query(to: SpgId, kind: QueryKind, e: Epoch) -> PgQuery {
    PgQuery {
        kind,
        history: PgHistory::new(1, UTime::default()),
        epoch_sent: e,
        to: to.shard,
        from: ShardId::NO_SHARD,
    }
}

/// An info from the shard of `to`'s PG that `info` names, addressed to `to`.
fn info_msg(to: SpgId, e: Epoch) -> InfoMsg {
    InfoMsg {
        pgid: to,
        from: to.shard,
        min_epoch: e.saturating_sub(1),
        epoch: e,
        info: info(to, e),
        lease: e.is_multiple_of(2).then(|| lease(e)),
        lease_ack: e.is_multiple_of(3).then_some(PgLeaseAck {
            readable_until_ub: Timespan::from_secs(i64::from(e)),
        }),
    }
}

/// A lease of 16 s granted at `e` seconds.
fn lease(e: Epoch) -> PgLease {
    let at = Timespan::from_secs(i64::from(e));
    PgLease {
        readable_until: at,
        readable_until_ub: at.saturating_add(Timespan::from_secs(16)),
        interval: Timespan::from_secs(16),
    }
}

fn log_msg(to: SpgId, from: ShardId, e: Epoch, entries: u64) -> CoreLogMsg {
    let mut log = PgLogT::new(EVersion::new(e, 0), EVersion::new(e, entries));
    log.entries = (1..=entries)
        .map(|v| {
            LogEntry::new(
                LogOp::Modify,
                ObjectId::new(to.pgid.pool, v as u32, format!("o{v}")),
                EVersion::new(e, v),
                EVersion::ZERO,
            )
        })
        .collect();
    let mut missing = Missing::new(entries.is_multiple_of(2));
    for v in 1..=entries.min(2) {
        missing.add(
            &ObjectId::new(to.pgid.pool, v as u32, format!("o{v}")),
            EVersion::new(e, v),
            EVersion::ZERO,
            false,
        );
    }
    CoreLogMsg {
        pgid: to,
        from,
        epoch: e + 1,
        query_epoch: e,
        info: info(SpgId::new(to.pgid, from), e),
        log,
        missing,
        past_intervals: entries.is_multiple_of(3).then(|| intervals(e)),
        lease: entries.is_multiple_of(2).then(|| lease(e)),
    }
}

fn shard() -> impl Strategy<Value = ShardId> {
    prop_oneof![Just(ShardId::NO_SHARD), (0i8..6).prop_map(ShardId)]
}

fn spgid() -> impl Strategy<Value = SpgId> {
    (1i64..4, 0u32..64, shard()).prop_map(|(pool, seed, s)| SpgId::new(PgId::new(pool, seed), s))
}

fn query_kind() -> impl Strategy<Value = QueryKind> {
    prop_oneof![
        Just(QueryKind::Info),
        (1u32..50, 0u64..100).prop_map(|(e, v)| QueryKind::Log {
            since: EVersion::new(e, v)
        }),
        Just(QueryKind::Missing),
        Just(QueryKind::FullLog),
    ]
}

const RECOVERY_OPS: [RecoveryReserveOp; 4] = [
    RecoveryReserveOp::Request,
    RecoveryReserveOp::Grant,
    RecoveryReserveOp::Release,
    RecoveryReserveOp::Revoke,
];

const BACKFILL_OPS: [BackfillReserveOp; 6] = [
    BackfillReserveOp::Request,
    BackfillReserveOp::Grant,
    BackfillReserveOp::RejectTooFull,
    BackfillReserveOp::Release,
    BackfillReserveOp::RevokeTooFull,
    BackfillReserveOp::Revoke,
];

/// Any well-formed outgoing item.
fn outgoing() -> impl Strategy<Value = Outgoing> {
    let e = 1u32..500;
    prop_oneof![
        (spgid(), query_kind(), e.clone()).prop_map(|(to, k, e)| Outgoing::Query(QueryMsg {
            pgid: to,
            query: query(to, k, e)
        })),
        (spgid(), shard(), e.clone()).prop_map(|(from, to, e)| {
            let mut n = notify(from, e);
            n.to = to;
            Outgoing::Notify(n)
        }),
        (spgid(), e.clone()).prop_map(|(to, e)| Outgoing::Info(info_msg(to, e))),
        (spgid(), e.clone())
            .prop_map(|(to, e)| Outgoing::Direct(CoreMessage::Info(info_msg(to, e)))),
        (spgid(), shard(), e.clone(), 0u64..6).prop_map(|(to, from, e, n)| Outgoing::Direct(
            CoreMessage::Log(log_msg(to, from, e, n))
        )),
        (e.clone(), proptest::collection::vec(spgid(), 0..4)).prop_map(|(epoch, pgids)| {
            Outgoing::Direct(CoreMessage::Remove(RemoveMsg { epoch, pgids }))
        }),
        (spgid(), e.clone(), 0usize..4, any::<u32>()).prop_map(|(pgid, epoch, op, priority)| {
            Outgoing::Direct(CoreMessage::RecoveryReserve(RecoveryReserveMsg {
                pgid,
                epoch,
                op: RECOVERY_OPS[op],
                priority,
            }))
        }),
        (
            spgid(),
            e.clone(),
            0usize..6,
            any::<u32>(),
            any::<i64>(),
            any::<i64>()
        )
            .prop_map(|(pgid, epoch, op, priority, primary, shard)| {
                Outgoing::Direct(CoreMessage::BackfillReserve(BackfillReserveMsg {
                    pgid,
                    epoch,
                    op: BACKFILL_OPS[op],
                    priority,
                    primary_num_bytes: primary,
                    shard_num_bytes: shard,
                }))
            }),
        (spgid(), e.clone(), 0u64..1000).prop_map(|(pgid, epoch, v)| Outgoing::Direct(
            CoreMessage::Trim(TrimMsg {
                epoch,
                pgid,
                trim_to: EVersion::new(epoch, v),
            })
        )),
        (spgid(), e.clone()).prop_map(|(pgid, epoch)| Outgoing::Direct(CoreMessage::Lease(
            LeaseMsg {
                epoch,
                pgid,
                lease: lease(epoch),
            }
        ))),
        (spgid(), e, any::<i64>()).prop_map(|(pgid, epoch, ub)| Outgoing::Direct(
            CoreMessage::LeaseAck(LeaseAckMsg {
                epoch,
                pgid,
                lease_ack: PgLeaseAck {
                    readable_until_ub: Timespan(ub),
                },
            })
        )),
    ]
}

/// A context built from items sent to OSDs 0..5, plus monitor requests.
fn context() -> impl Strategy<Value = RecoveryCtx> {
    (
        proptest::collection::vec((0i32..5, outgoing()), 0..12),
        proptest::collection::vec(1u32..50, 0..3),
    )
        .prop_map(|(items, up_thru)| {
            let mut ctx = RecoveryCtx::new();
            for (to, o) in items {
                let to = OsdId(to);
                match o {
                    Outgoing::Query(q) => ctx.send_query(to, q.pgid, q.query),
                    Outgoing::Notify(n) => ctx.send_notify(to, n),
                    Outgoing::Info(i) => ctx.send_info(to, i),
                    Outgoing::Direct(m) => ctx.send_direct(to, m),
                }
            }
            for want in up_thru {
                ctx.request_mon(MonRequest::UpThru { want });
            }
            ctx
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn every_outgoing_item_round_trips(from in 0i32..8, out in outgoing()) {
        let expected = out.clone().into_events(OsdId(from));
        prop_assert_eq!(over_the_wire(OsdId(from), out), expected);
    }

    #[test]
    fn every_context_drains_to_the_cores_events(from in 0i32..8, ctx in context()) {
        let mut seen = Seen::default();
        check_ctx(OsdId(from), ctx, 50, &mut seen);
    }
}
