//! Recovery end to end on a [`LocalCluster`]: every push and reply goes
//! through the wire encoding between `Osd`s.

use peering_core::ctx::RecoveryCtx;
use peering_core::log::{LogOp, ReqId};
use peering_core::map::OsdMapView;
use peering_core::types::{ObjectId, OsdId, PgId, UTime};

use super::super::local::LocalCluster;
use super::super::test_support::{POOL, peered, spg};
use super::super::{OsdConfig, OsdOutput};
use super::*;
use crate::msg::encode;
use crate::osd::Disposition;

/// Writes `name` on `primary`'s instance of PG 0 (log and object layer), as
/// an unreplicated client write.
fn write_on_primary(c: &mut LocalCluster, primary: OsdId, name: &str) -> ObjectId {
    let pgid = spg(0);
    let oid = ObjectId::new(POOL, 0, name);
    let osd = c.osds.get_mut(&primary).unwrap();
    let mut ctx = RecoveryCtx::new();
    let pg = osd.slots.get_mut(&pgid).unwrap().pg.as_mut().unwrap();
    let tid = pg.info().last_update.version + 1;
    let entry = pg
        .submit_write(
            oid.clone(),
            LogOp::Modify,
            peering_core::types::EVersion::ZERO,
            ReqId::client(4100, tid),
            UTime::default(),
            &mut ctx,
        )
        .unwrap();
    osd.flush_pg_ctx(pgid, &mut ctx);
    osd.backend_mut()
        .write_object(pgid, &oid, entry.version, false, &[]);
    oid
}

fn states(c: &LocalCluster) -> Vec<(OsdId, &'static str)> {
    c.osds
        .iter()
        .filter_map(|(o, osd)| osd.pg(spg(0)).map(|p| (*o, p.state_name())))
        .collect()
}

/// A peered three-OSD cluster, PG 0's acting primary and another member.
fn peered_pg0() -> (LocalCluster, OsdId, OsdId) {
    let c = peered(OsdConfig::new);
    let primary = c
        .mon_map
        .pg_to_up_acting_osds(PgId::new(POOL, 0))
        .acting_primary;
    let other = (0..3).map(OsdId).find(|o| *o != primary).unwrap();
    (c, primary, other)
}

#[test]
fn start_recovery_ops_pushes_what_peers_miss_over_the_wire() {
    let (mut c, primary, down) = peered_pg0();
    c.stop(down.0);
    c.publish(|i| {
        i.mark_down(down.0);
    })
    .unwrap();
    c.run(500);
    let a = write_on_primary(&mut c, primary, "a");
    let b = write_on_primary(&mut c, primary, "b");
    c.start(OsdConfig::new(down.0));
    c.run(1000);
    for (o, s) in states(&c) {
        let want = if o == primary {
            "Started/Primary/Active/Clean"
        } else {
            "Started/ReplicaActive/RepNotRecovering"
        };
        assert_eq!(s, want, "{o:?}");
    }
    // Every shard's object layer holds both objects at the primary's version.
    let want = c.osds[&primary].backend().objects_list(spg(0), None, 10);
    assert_eq!(
        want.iter().map(|(o, _)| o.clone()).collect::<Vec<_>>(),
        [a, b]
    );
    for (o, osd) in &c.osds {
        assert_eq!(osd.backend().objects_list(spg(0), None, 10), want, "{o:?}");
        assert_eq!(osd.pg(spg(0)).unwrap().pg_log().missing().num_missing(), 0);
    }
    assert!(c.osds.values().all(|o| o.recovering().next().is_none()));
}

#[test]
fn recovery_messages_round_trip_and_bad_bodies_are_refused() {
    let op = RecoveryOp::BackfillProgress {
        last_backfill: ObjectId::new(POOL, 0, "x"),
    };
    let from = PgShard {
        osd: OsdId(0),
        shard: spg(0).shard,
    };
    let m = op.clone().into_message(spg(0), from, 5, 3).unwrap();
    assert_eq!(m.msg_type().name(), "MSG_OSD_PG_BACKFILL");
    let frame = encode(&m).unwrap();
    let back = crate::msg::decode(&frame).unwrap();
    let (env, got) = RecoveryOp::from_message(&back).unwrap().unwrap();
    assert_eq!((env.map_epoch, env.min_epoch, got), (5, 3, op));
    // A push body inside a pull message, and garbage, are refused.
    let push = RecoveryOp::Push {
        oid: ObjectId::new(POOL, 0, "x"),
        version: Default::default(),
        delete: false,
        backfill: false,
        data: Vec::new(),
    };
    let Message::PgPush(mut body) = push.into_message(spg(0), from, 5, 3).unwrap() else {
        panic!("not a push");
    };
    let mismatched = Message::PgPull(body.clone());
    assert!(RecoveryOp::from_message(&mismatched).unwrap().is_err());
    body.body = vec![0xff; 3];
    assert!(
        RecoveryOp::from_message(&Message::PgPush(body))
            .unwrap()
            .is_err()
    );
}

#[test]
fn handle_push_reply_unexpected_is_dropped_with_a_reason() {
    let (mut c, primary, peer) = peered_pg0();
    let reply = RecoveryOp::PushReply {
        oid: ObjectId::new(POOL, 0, "nothing"),
        version: Default::default(),
        backfill: false,
    }
    .into_message(
        spg(0),
        PgShard {
            osd: peer,
            shard: spg(0).shard,
        },
        c.mon_map.epoch(),
        1,
    )
    .unwrap();
    let d = c.send_now(peer.0, primary.0, &reply).unwrap();
    assert!(matches!(
        d.disposition,
        Disposition::Dropped(DropReason::Recovery(p, _)) if p == spg(0)
    ));
    let osd = c.osds.get_mut(&primary).unwrap();
    assert!(
        osd.drain_outputs()
            .iter()
            .all(|o| !matches!(o, OsdOutput::Send { .. }))
    );
}

#[test]
fn start_recovery_ops_brings_an_upmapped_newcomer_up_to_date() {
    let cfg = |o| {
        let mut c = OsdConfig::new(o);
        c.peering.max_pg_log_entries = 2;
        c
    };
    let map = super::super::local::simple_map(4, POOL, 3, 4).unwrap();
    let mut c = LocalCluster::new(map, &[0, 1, 2, 3], cfg);
    c.create_pgs(POOL);
    c.run(500);
    let m = c.mon_map.pg_to_up_acting_osds(PgId::new(POOL, 0));
    let primary = m.acting_primary;
    let outsider = (0..4).map(OsdId).find(|o| !m.acting.contains(o)).unwrap();
    let names = ["a", "b", "c", "d", "e"];
    let oids: Vec<ObjectId> = names
        .iter()
        .map(|n| write_on_primary(&mut c, primary, n))
        .collect();
    // Move one non-primary replica to the outsider (an explicit pg_upmap):
    // the primary's log reaches back to 0'0 (five writes, far under the
    // default log target, trim nothing), so the
    // newcomer is recovered by log, every object pushed.
    let replaced = m.acting.iter().copied().find(|o| *o != primary).unwrap();
    let want: Vec<i32> = m
        .acting
        .iter()
        .map(|o| if *o == replaced { outsider.0 } else { o.0 })
        .collect();
    c.publish(|i| {
        i.new_pg_upmap
            .insert(PgId::new(POOL, 0), want.iter().map(|o| OsdId(*o)).collect());
    })
    .unwrap();
    c.run(2000);
    let outsider_objects: Vec<ObjectId> = c.osds[&outsider]
        .backend()
        .objects_list(spg(0), None, 10)
        .into_iter()
        .map(|(o, _)| o)
        .collect();
    assert_eq!(outsider_objects, oids, "{:?}", states(&c));
    let pg = c.osds[&outsider].pg(spg(0)).unwrap();
    assert!(pg.info().last_backfill.is_max());
    assert_eq!(pg.pg_log().missing().num_missing(), 0);
    assert_eq!(
        c.osds[&primary].pg(spg(0)).unwrap().state_name(),
        "Started/Primary/Active/Clean"
    );
    assert_eq!(pg.state_name(), "Started/ReplicaActive/RepNotRecovering");
    assert_eq!(c.osds[&outsider].remote_reserver().granted().count(), 0);
}

#[test]
fn do_backfill_finish_completes_the_target_and_acks() {
    let (mut c, primary, target) = peered_pg0();
    let from = PgShard {
        osd: primary,
        shard: spg(0).shard,
    };
    let epoch = c.mon_map.epoch();
    let push = RecoveryOp::Push {
        oid: ObjectId::new(POOL, 0, "x"),
        version: Default::default(),
        delete: false,
        backfill: true,
        data: Vec::new(),
    };
    for op in [push, RecoveryOp::BackfillFinish] {
        let m = op.into_message(spg(0), from, epoch, 1).unwrap();
        let d = c.send_now(primary.0, target.0, &m).unwrap();
        assert_eq!(d.disposition, Disposition::Handled);
    }
    let osd = c.osds.get_mut(&target).unwrap();
    assert!(osd.pg(spg(0)).unwrap().info().last_backfill.is_max());
    assert_eq!(osd.backend().objects_list(spg(0), None, 10).len(), 1);
    // RecoveryDone waits in the PG's slot; the push reply and FINISH_ACK go
    // back to the primary.
    assert_eq!(osd.slot_items(spg(0)), 1);
    let sent: Vec<RecoveryOp> = osd
        .drain_outputs()
        .into_iter()
        .filter_map(|o| match o {
            OsdOutput::Send { to, messages, .. } if to == primary => Some(messages),
            _ => None,
        })
        .flatten()
        .filter_map(|m| {
            RecoveryOp::from_message(&m)
                .and_then(Result::ok)
                .map(|(_, op)| op)
        })
        .collect();
    assert!(matches!(
        sent.as_slice(),
        [
            RecoveryOp::PushReply { backfill: true, .. },
            RecoveryOp::BackfillFinishAck
        ]
    ));
}
