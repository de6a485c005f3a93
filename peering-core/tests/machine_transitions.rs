//! Three replicas through the peering path (reference §9 A): creation, peering,
//! up_thru, activation, clean.

mod machine_support;

use machine_support::Cluster;
use peering_core::ctx::RemoveMsg;
use peering_core::types::PgState;

#[test]
fn three_replicas_reach_active_clean() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Peering/WaitUpThru");
    assert_eq!(c.pg(1).state_name(), "Started/Stray");
    assert!(c.pg(0).need_up_thru());
    // The monitor records up_thru(0) >= 1.
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    println!("{:?}", c.names());
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Active/Clean");
    for o in [1, 2] {
        assert_eq!(
            c.pg(o).state_name(),
            "Started/ReplicaActive/RepNotRecovering"
        );
        assert!(c.pg(o).state_bits().contains(PgState::ACTIVE));
    }
    let bits = c.pg(0).state_bits();
    assert!(bits.contains(PgState::ACTIVE | PgState::CLEAN), "{bits}");
    assert_eq!(c.pg(0).history().last_epoch_started, 2);
    assert_eq!(c.pg(0).history().last_epoch_clean, 2);
}

use machine_support::{Sent, mapping, pgid};
use peering_core::ctx::{DirectMessage, HostNotification, MonRequest, Outgoing, RecoveryCtx, TxOp};
use peering_core::event::{Event, PeeringEvt};
use peering_core::intervals::UpActing;
use peering_core::machine::{DropReason, EventOutcome, StateId};
use peering_core::types::{EVersion, OsdId, PgHistory, PgShard, QueryKind, UTime};

fn sent_from(c: &Cluster, from: i32) -> Vec<&Sent> {
    c.sent.iter().filter(|s| s.from == from).collect()
}

/// GetInfo's entry: INFO queries to every probe target but ourselves; the answers
/// (notifies) lead to GetLog and, all logs being equal, through GetMissing to
/// WaitUpThru, with the up_thru request for the monitor.
#[test]
fn get_info_queries_probe_targets_and_notifies_move_on() {
    let map = machine_support::map1(&[0, 1, 2], 3);
    let (pg, mut ctx) = machine_support::create_pg(0, &[0, 1, 2], &map);
    assert_eq!(pg.state_name(), "Started/Primary/Peering/GetInfo");
    assert!(
        pg.state_bits()
            .contains(PgState::PEERING | PgState::CREATING)
    );
    let queries = ctx.drain_queries();
    let targets: Vec<_> = queries.keys().map(|o| o.0).collect();
    assert_eq!(targets, [1, 2]);
    for qs in queries.values() {
        let q = qs.get(&pgid()).unwrap();
        assert_eq!(q.kind, QueryKind::Info);
        assert_eq!(q.epoch_sent, 1);
    }
    assert!(ctx.mon().contains(&MonRequest::UpThru { want: 1 }));
    assert!(
        ctx.notifications()
            .iter()
            .any(|n| matches!(n, HostNotification::ProbeTargets(p) if p.len() == 3))
    );
    assert_eq!(pg.status().blocked_by.len(), 2);

    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    // Each replica answered its INFO query with a notify, buffered.
    for r in [1, 2] {
        assert!(
            sent_from(&c, r)
                .iter()
                .any(|s| s.to == 0 && matches!(&s.msg, Outgoing::Notify(n) if n.query_epoch == 1))
        );
    }
    let seq: Vec<_> = c.pg(0).state_history().entered().collect();
    assert!(seq.ends_with(&[
        StateId::GetInfo,
        StateId::GetLog,
        StateId::GetMissing,
        StateId::WaitUpThru
    ]));
    assert_eq!(c.pg(0).peer_infos().count(), 2);
}

/// Activation (§5.15): les recorded, empty peers get an (empty) log, replicas
/// activate on it, commit, ack with an info; the primary then marks itself active,
/// shares its info and, once the host reports nothing to recover, goes clean.
#[test]
fn activation_messages_acks_and_clean() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.hold_commits = true;
    c.sent.clear();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Active/Activating");
    assert!(c.pg(0).state_bits().contains(PgState::ACTIVATING));
    assert_eq!(c.pg(0).info().last_epoch_started, 2);
    // Empty peers are sent an empty log, directly.
    let logs: Vec<_> = sent_from(&c, 0)
        .into_iter()
        .filter(|s| matches!(&s.msg, Outgoing::Direct(DirectMessage::Log(_))))
        .map(|s| s.to)
        .collect();
    assert_eq!(logs, [1, 2]);
    c.run();
    // Replicas activated; acks wait for their commits.
    for r in [1, 2] {
        assert_eq!(
            c.pg(r).state_name(),
            "Started/ReplicaActive/RepNotRecovering"
        );
        assert_eq!(c.pg(r).info().last_epoch_started, 2);
        assert!(!c.pg(r).state_bits().contains(PgState::ACTIVE));
    }
    assert_eq!(c.pg(0).status().peer_activated.len(), 0);
    c.hold_commits = false;
    c.release_commits();
    c.run();
    for r in [1, 2] {
        assert!(c.pg(r).state_bits().contains(PgState::ACTIVE));
        // The ack carried history.les = the activation epoch.
        assert!(sent_from(&c, r).iter().any(|s| s.to == 0
            && matches!(&s.msg, Outgoing::Info(i) if i.info.history.last_epoch_started == 2)));
    }
    let pg = c.pg(0);
    assert_eq!(pg.state_name(), "Started/Primary/Active/Clean");
    assert_eq!(pg.history().last_epoch_started, 2);
    assert_eq!(pg.history().last_epoch_clean, 2);
    assert!(pg.past_intervals().is_empty());
    assert_eq!(
        pg.to_string(),
        "pg[1.0( empty local-lis/les=1/2 n=0 ec=1/1 lis/c=1/1 les/c/f=2/2/0 sis=1) \
         [0,1,2] r=0 lpr=1 crt=0'0 mlcod 0'0 active+clean] Started/Primary/Active/Clean"
    );
    assert!(!pg.state_bits().contains(PgState::CREATING));
    // share_pg_info went directly to both replicas.
    let shares = sent_from(&c, 0)
        .into_iter()
        .filter(|s| matches!(&s.msg, Outgoing::Direct(DirectMessage::Info(_))))
        .count();
    assert!(shares >= 2);
}

/// An OSD of the acting set goes down: a new interval. Started posts AdvMap and
/// resets; Reset's start_peering_interval records the past interval and moves the
/// interval start; the primary peers again with the smaller acting set.
#[test]
fn new_interval_resets_and_records_past_interval() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    c.pgs.get_mut(&0).unwrap().clear_state_history();
    c.next_map(&[0, 1], |m| m.mark_down(2));
    let pg = c.pg(0);
    let entered: Vec<_> = pg.state_history().entered().collect();
    assert_eq!(entered[0], StateId::Reset);
    assert!(entered.contains(&StateId::GetInfo));
    assert_eq!(pg.history().same_interval_since, 3);
    assert_eq!(pg.last_peering_reset(), 3);
    // [2, 2] was recorded (lec 2 makes it read-write); then update_history... the
    // interval list is the compact one.
    assert_eq!(pg.past_intervals().last(), 2);
    assert!(!pg.state_bits().contains(PgState::CLEAN | PgState::ACTIVE));
    c.run();
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Peering/WaitUpThru");
    c.next_map(&[0, 1], |m| m.set_up_thru(0, 3));
    c.run();
    let pg = c.pg(0);
    assert_eq!(pg.state_name(), "Started/Primary/Active/Clean");
    // Undersized: size 3, two acting; an empty PG has no degraded objects. osd.2 is
    // down but not known dead, and the old interval's lease (16 s from time 0)
    // has not run out: the PG waits (`AllReplicasActivated`), and Ceph prints
    // "active+undersized+wait".
    assert_eq!(pg.state_bits().to_string(), "active+undersized+wait");
}

/// A non-primary's Reset ActMap sends a notify after an interval change
/// (`send_notify`), and a stray re-notifies on every map until activated.
#[test]
fn reset_actmap_notifies_the_primary() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.sent.clear();
    c.next_map(&[0, 1], |m| m.mark_down(2));
    let notifies: Vec<_> = sent_from(&c, 1)
        .into_iter()
        .filter_map(|s| match &s.msg {
            Outgoing::Notify(n) => Some((s.to, n.epoch_sent)),
            _ => None,
        })
        .collect();
    assert_eq!(notifies, [(0, 2)]);
    assert!(c.pg(1).status().send_notify);
}

/// GetLog: the primary is behind, so the authoritative log is asked of a peer
/// (LOG query); a log from another shard is dropped; the auth log leads on.
#[test]
fn get_log_asks_the_authoritative_shard() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    // Pretend osd.1 has writes the primary lacks: give the primary's view of it a
    // newer last_update through its notify.
    let e = c.epoch();
    let mut info = c.pg(1).info().clone();
    info.last_update = EVersion::new(1, 5);
    info.last_complete = EVersion::new(1, 5);
    // A fresh PG at GetInfo on osd.0, fed notifies.
    let map = c.map().clone();
    let (mut pg, _) = machine_support::create_pg(0, &[0, 1, 2], &map);
    let notify =
        |from: i32, info: peering_core::types::PgInfo| machine_support::notify_evt(from, e, info);
    let mut ctx = RecoveryCtx::new();
    let info2 = c.pg(2).info().clone();
    assert_eq!(
        pg.handle_event(notify(2, info2), &map, &mut ctx),
        Ok(EventOutcome::Delivered)
    );
    assert_eq!(pg.state_id(), StateId::GetInfo);
    pg.handle_event(notify(1, info), &map, &mut ctx).unwrap();
    assert_eq!(pg.state_name(), "Started/Primary/Peering/GetLog");
    let queries = ctx.drain_queries();
    let q = &queries[&OsdId(1)][&pgid()];
    assert_eq!(
        q.kind,
        QueryKind::Log {
            since: EVersion::ZERO
        }
    );
    assert_eq!(
        pg.status().blocked_by.iter().copied().collect::<Vec<_>>(),
        [1]
    );

    // A log from osd.2 is not the authoritative one.
    let log_from = |from: i32, last_update: EVersion| {
        let mut info = c.pg(from).info().clone();
        info.last_update = last_update;
        info.last_complete = last_update;
        let mut log = peering_core::log::PgLogT::new(EVersion::ZERO, last_update);
        for v in 1..=last_update.version {
            log.entries.push(peering_core::log::LogEntry::new(
                peering_core::log::LogOp::Modify,
                peering_core::types::ObjectId::new(1, v as u32, format!("obj{v}")),
                EVersion::new(1, v),
                EVersion::ZERO,
            ));
        }
        PeeringEvt::with_epochs(
            e,
            e,
            Event::MLogRec(peering_core::event::MLogRec {
                from: PgShard::replica(from),
                msg: peering_core::event::PgLogMsg {
                    pgid: pgid(),
                    epoch: e,
                    query_epoch: e,
                    info,
                    log,
                    ..Default::default()
                },
            }),
        )
    };
    assert_eq!(
        pg.handle_event(log_from(2, EVersion::ZERO), &map, &mut ctx),
        Ok(EventOutcome::Dropped(DropReason::NotAuthLog {
            from: PgShard::replica(2)
        }))
    );
    assert_eq!(pg.state_id(), StateId::GetLog);
    pg.handle_event(log_from(1, EVersion::new(1, 5)), &map, &mut ctx)
        .unwrap();
    // proc_master_log merged the five entries: our info caught up; GetMissing asks
    // osd.2 (empty) for nothing, and up_thru is still needed.
    assert_eq!(pg.info().last_update, EVersion::new(1, 5));
    assert_eq!(pg.pg_log().missing().num_missing(), 5);
    assert_eq!(pg.state_name(), "Started/Primary/Peering/WaitUpThru");
    assert!(
        ctx.transaction()
            .ops
            .iter()
            .any(|op| matches!(op, TxOp::WriteLog { log, .. } if log.head == EVersion::new(1, 5)))
    );
}

/// GetLog: acting differs from what choose_acting wants (here: revert to up); the
/// primary asks the monitor to clear the pg_temp and waits.
#[test]
fn get_log_needs_acting_change() {
    let m = UpActing::new(&[0, 1, 2], 0, &[1, 2, 0], 1);
    let mut c = Cluster::general(
        &[0, 1, 2],
        &[0, 1, 2],
        m,
        3,
        |_| {},
        PgHistory::new(1, UTime::default()),
    );
    c.run();
    let pg = c.pg(1);
    assert!(pg.is_primary());
    assert_eq!(pg.state_name(), "Started/Primary/WaitActingChange");
    assert!(!pg.state_bits().contains(PgState::PEERING));
    let want: Vec<_> = pg.status().want_acting.iter().map(|o| o.0).collect();
    assert_eq!(want, [0, 1, 2]);
    // WaitActingChange ignores infos and logs.
    let e = c.epoch();
    let info = c.pg(2).info().clone();
    let out = c.deliver(
        1,
        PeeringEvt::new(
            e,
            Event::MInfoRec(peering_core::event::MInfoRec {
                from: PgShard::replica(2),
                info,
                msg_epoch: e,
                lease: None,
                lease_ack: None,
            }),
        ),
    );
    assert_eq!(out, EventOutcome::Delivered);
    assert_eq!(c.pg(1).state_id(), StateId::WaitActingChange);
    // A wanted OSD going down resets (here the mapping changes too).
    c.pgs.get_mut(&1).unwrap().clear_state_history();
    c.next_map_with(UpActing::new(&[1, 2], 1, &[1, 2], 1), |m| m.mark_down(0));
    let entered: Vec<_> = c.pg(1).state_history().entered().collect();
    assert_eq!(entered[0], StateId::Reset);
}

/// Incomplete (§9 D): the history says an interval went active at epoch 5, but no
/// info reached has les 5.
#[test]
fn incomplete_when_no_info_reaches_the_history_les() {
    let mut h = PgHistory::new(1, UTime::default());
    h.last_epoch_started = 5;
    let mut c = Cluster::general(&[0, 1, 2], &[0, 1, 2], mapping(&[0, 1, 2]), 3, |_| {}, h);
    c.run();
    let pg = c.pg(0);
    assert_eq!(pg.state_name(), "Started/Primary/Peering/Incomplete");
    assert!(pg.state_bits().contains(PgState::INCOMPLETE));
    assert!(!pg.state_bits().contains(PgState::PEERING));
    let rs = pg.status().recovery_state;
    assert_eq!(rs[1].name, "Started/Primary/Peering");
    assert!(matches!(
        rs[1].details,
        Some(peering_core::machine::StateDetails::Peering {
            history_les_bound: true,
            ..
        })
    ));
    // A smaller min_size resets.
    c.next_map(&[0, 1, 2], |m| {
        m.pools.get_mut(&1).unwrap().min_size = 1;
    });
    assert!(
        c.pg(0)
            .state_history()
            .entered()
            .any(|s| s == StateId::Reset)
    );
}

/// Down (§9 C): the only read-write interval's members are all down; marking one
/// lost lets peering proceed.
#[test]
fn down_until_an_osd_is_marked_lost() {
    // osd.2 and osd.3 hold stray instances; the PG is active on [0, 1].
    let mut c = Cluster::with_pgs(&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1], 2, |_| {});
    c.run();
    c.next_map(&[0, 1], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    assert_eq!(c.pg(2).state_id(), StateId::Stray);
    // Both go down; CRUSH maps the PG to [2, 3].
    c.next_map(&[2, 3], |m| {
        m.mark_down(0);
        m.mark_down(1);
    });
    c.run();
    let pg = c.pg(2);
    assert_eq!(pg.state_name(), "Started/Primary/Peering/Down");
    assert!(pg.state_bits().contains(PgState::DOWN));
    let blocked: Vec<_> = pg.status().blocked_by.iter().copied().collect();
    assert_eq!(blocked, [0, 1]);
    // The operator declares osd.0 lost: affected_by_map → Reset → not down.
    c.next_map(&[2, 3], |m| m.mark_lost(0));
    c.run();
    let pg = c.pg(2);
    assert_ne!(pg.state_id(), StateId::Down, "{}", pg.state_name());
    assert!(pg.state_history().entered().any(|s| s == StateId::Reset));
    assert!(!pg.state_bits().contains(PgState::DOWN));
}

/// Stray answers queries: INFO with a buffered notify, LOG with a direct log.
#[test]
fn stray_fulfills_queries() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    let e = c.epoch();
    let history = c.pg(0).history().clone();
    let q = |kind| {
        PeeringEvt::new(
            e,
            Event::MQuery(peering_core::event::MQuery {
                pgid: pgid(),
                from: PgShard::replica(0),
                query: peering_core::types::PgQuery {
                    kind,
                    history: history.clone(),
                    epoch_sent: e,
                    to: machine_support::no_shard(),
                    from: machine_support::no_shard(),
                },
                query_epoch: e,
            }),
        )
    };
    let (qi, ql) = (
        q(QueryKind::Info),
        q(QueryKind::Log {
            since: EVersion::ZERO,
        }),
    );
    c.sent.clear();
    c.deliver(1, qi);
    c.deliver(1, ql);
    let msgs: Vec<_> = sent_from(&c, 1)
        .into_iter()
        .map(|s| (s.to, s.msg.clone()))
        .collect();
    assert!(matches!(&msgs[0], (0, Outgoing::Notify(n)) if n.query_epoch == e));
    assert!(matches!(&msgs[1], (0, Outgoing::Direct(DirectMessage::Log(l))) if l.query_epoch == e));
    // A query from someone else than the primary is dropped.
    let mut bad = q(QueryKind::Info);
    if let Event::MQuery(m) = &mut bad.event {
        m.from = PgShard::replica(2);
    }
    assert_eq!(
        c.deliver(1, bad),
        EventOutcome::Dropped(DropReason::NotFromPrimary {
            from: PgShard::replica(2)
        })
    );
}

/// Clean's commit callback purges a stray that notified the primary.
#[test]
fn clean_purges_strays() {
    let mut c = Cluster::with_pgs(&[0, 1, 2, 3], &[0, 1, 2, 3], &[0, 1, 2], 3, |_| {});
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_id(), StateId::Clean);
    // osd.3's stray tells the primary about itself.
    let e = c.epoch();
    let info = c.pg(3).info().clone();
    c.deliver(
        0,
        PeeringEvt::new(
            e,
            Event::MNotifyRec(peering_core::event::MNotifyRec {
                pgid: pgid(),
                from: PgShard::replica(3),
                notify: peering_core::event::PgNotify {
                    query_epoch: e,
                    epoch_sent: e,
                    info,
                    ..Default::default()
                },
                features: 0,
            }),
        ),
    );
    // proc_replica_info on a clean PG purges the stray at once.
    let removes: Vec<_> = sent_from(&c, 0)
        .into_iter()
        .filter(|s| {
            matches!(
                &s.msg,
                Outgoing::Direct(DirectMessage::Remove(RemoveMsg { .. }))
            )
        })
        .map(|s| s.to)
        .collect();
    assert_eq!(removes, [3]);
    assert!(c.pg(0).status().peer_purged.contains(&PgShard::replica(3)));
}

/// §9 B: a replica holds two writes the authoritative log never got (its les is
/// older). GetMissing asks it for its log; proc_replica_log sees it agree up to
/// 10'18; activation tells it so with an info; the replica rewinds its divergent
/// entries (removing the objects they created) and everyone goes clean.
#[test]
fn divergent_replica_is_rewound_at_activation() {
    let mut c = machine_support::loaded_cluster([(18, 10), (20, 8), (18, 10)]);
    c.run();
    // GetMissing asked osd.1 for its log since its les.
    assert!(c.sent.iter().any(|s| s.from == 0
        && s.to == 1
        && matches!(&s.msg, Outgoing::Query(q) if q.query.kind == QueryKind::Log { since: EVersion::new(8, 0) })));
    assert!(!c.sent.iter().any(|s| s.from == 0
        && s.to == 2
        && matches!(&s.msg, Outgoing::Query(q) if matches!(q.query.kind, QueryKind::Log { .. }))));
    for o in 0..3 {
        assert_eq!(c.pg(o).info().last_update, EVersion::new(10, 18), "osd.{o}");
        assert_eq!(c.pg(o).pg_log().log().head(), EVersion::new(10, 18));
    }
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Active/Clean");
    assert_eq!(
        c.pg(1).state_name(),
        "Started/ReplicaActive/RepNotRecovering"
    );
    // The rewind removed the two objects the divergent entries created.
    let removed: Vec<String> = c
        .transactions
        .iter()
        .filter(|(o, _)| *o == 1)
        .flat_map(|(_, t)| t.ops.iter())
        .filter_map(|op| match op {
            TxOp::LogEffects(effects) => Some(effects.clone()),
            _ => None,
        })
        .flatten()
        .filter_map(|e| match e {
            peering_core::log::LogEffect::Remove(o) => Some(o.name),
            _ => None,
        })
        .collect();
    assert_eq!(removed, ["o20", "o19"]);
    assert!(c.pg(1).pg_log().missing().items().is_empty());
}

/// §4.3: with writes of the old interval in flight, a peering reset holds the
/// buffered sends (queries here) until the host's `IntervalFlush`; direct sends and
/// everything else go out at once.
#[test]
fn buffered_sends_wait_for_the_interval_flush() {
    let mut c = Cluster::new(&[0, 1, 2], &[0, 1, 2], 3);
    c.run();
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    let mut pg = c.pg(0).clone();
    pg.set_writes_in_flight(true);
    let m2 = c.map().clone();
    let mut m3 = m2.next();
    m3.mark_down(2);
    let mut ctx = RecoveryCtx::new();
    pg.advance_map(&m3, &m2, mapping(&[0, 1]), &mut ctx)
        .unwrap();
    pg.activate_map(&m3, &mut ctx).unwrap();
    assert_eq!(pg.state_id(), StateId::GetInfo);
    assert!(
        ctx.notifications()
            .contains(&HostNotification::FlushRequested)
    );
    assert!(ctx.queries().is_empty(), "held back: {:?}", ctx.queries());
    assert!(pg.status().flush_pending);
    let mut ctx = RecoveryCtx::new();
    let out = pg
        .handle_event(PeeringEvt::new(3, Event::IntervalFlush), &m3, &mut ctx)
        .unwrap();
    assert_eq!(out, EventOutcome::Delivered);
    let q = &ctx.queries()[&OsdId(1)][&pgid()];
    assert_eq!(q.kind, QueryKind::Info);
    assert!(!pg.status().flush_pending);
}

/// An erasure-coded PG (2+1): every shard is its own instance (`spg_t` with the
/// shard), the primary is shard 0; peering and activation run as for replicas.
#[test]
fn erasure_coded_pg_reaches_active_clean() {
    use peering_core::map::{PoolInfo, SimpleOsdMap};
    use peering_core::types::{ShardId, SpgId};
    let mut map = SimpleOsdMap::new(1).with_pool(PoolInfo::erasure(machine_support::POOL, 2, 1, 1));
    for o in 0..3 {
        map = map.with_up_osd(o, 1);
    }
    let m = mapping(&[0, 1, 2]);
    let mut c = Cluster::empty();
    c.maps.insert(1, map.clone());
    c.mappings.insert(1, m.clone());
    for (i, o) in [0, 1, 2].into_iter().enumerate() {
        let shard = ShardId(i as i8);
        let mut ctx = RecoveryCtx::new();
        let pg = peering_core::machine::Pg::create(
            peering_core::machine::PgCreate {
                whoami: PgShard::new(OsdId(o), shard),
                pgid: SpgId::new(pgid().pgid, shard),
                mapping: m.clone(),
                history: PgHistory::new(1, UTime::default()),
                past_intervals: Default::default(),
                config: Default::default(),
            },
            &map,
            &mut ctx,
        )
        .unwrap();
        c.pgs.insert(o, pg);
        c.absorb(o, ctx);
    }
    assert!(c.pg(0).is_primary());
    assert_eq!(c.pg(2).role(), 2);
    c.run();
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Peering/WaitUpThru");
    c.next_map(&[0, 1, 2], |m| m.set_up_thru(0, 1));
    c.run();
    assert_eq!(c.pg(0).state_name(), "Started/Primary/Active/Clean");
    let arb: Vec<_> = c
        .pg(0)
        .acting_recovery_backfill()
        .iter()
        .map(|s| (s.osd.0, s.shard.0))
        .collect();
    assert_eq!(arb, [(0, 0), (1, 1), (2, 2)]);
    for o in [1, 2] {
        assert_eq!(
            c.pg(o).state_name(),
            "Started/ReplicaActive/RepNotRecovering"
        );
        assert!(c.pg(o).state_bits().contains(PgState::ACTIVE));
    }
}

/// A primary behind the authoritative log (§5.11, §5.15 7c–7d): it pulls osd.1's
/// log, becomes missing the three newer objects, and at activation MissingLoc
/// records both complete replicas as their sources; the host is told recovery is
/// needed.
#[test]
fn a_primary_behind_the_auth_log_recovers_from_complete_replicas() {
    let mut c = machine_support::loaded_cluster([(15, 10), (18, 10), (18, 10)]);
    c.auto_recovered = false;
    c.run();
    // The LOG query went to osd.1, the first of the two newest.
    assert!(c.sent.iter().any(|s| s.from == 0
        && s.to == 1
        && matches!(&s.msg, Outgoing::Query(q) if q.query.kind == QueryKind::Log { since: EVersion::new(10, 15) })));
    let pg = c.pg(0);
    assert_eq!(pg.info().last_update, EVersion::new(10, 18));
    assert_eq!(pg.pg_log().missing().num_missing(), 3);
    let ml = pg.missing_loc();
    assert_eq!(ml.needs_recovery_map.len(), 3);
    for locs in ml.missing_loc.values() {
        let osds: Vec<_> = locs.iter().map(|s| s.osd.0).collect();
        assert_eq!(osds, [1, 2]);
    }
    assert_eq!(ml.num_unfound(), 0);
    // All activated: the host hears recovery is needed, and the PG waits in
    // Activating for the host to answer with DoRecovery.
    assert_eq!(pg.state_name(), "Started/Primary/Active/Activating");
    assert!(
        pg.state_bits()
            .contains(PgState::ACTIVE | PgState::DEGRADED)
    );
}
