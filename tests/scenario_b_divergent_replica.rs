//! Trace B of reference §9: a divergent replica. osd.1 holds 10'19 and 10'20,
//! two writes the authoritative log (10'18, on osd.0 and osd.2, les 10) never got;
//! its own les is older (8). GetMissing asks it for its log since its les;
//! proc_replica_log finds it agrees up to 10'18; activation tells it so with an
//! info; it rewinds its divergent entries (removing the objects they created),
//! and everyone goes clean at 10'18.

mod scenario_support;

use peering::core::log::LogEffect;
use peering::core::types::{EVersion, QueryKind};
use peering::osd::msg::Message;
use scenario_support::*;

#[test]
fn divergent_replica_is_rewound_to_the_authoritative_head() {
    let mut h = osd_loaded_cluster(&[0, 1, 2], 3, &[(0, 18, 10), (1, 20, 8), (2, 18, 10)]);
    h.run().unwrap();

    // Final states.
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    for o in [1, 2] {
        assert_eq!(h.state(o, spg()), "Started/ReplicaActive/RepNotRecovering");
    }

    // Messages: GetMissing asked only the divergent replica for its log, since its
    // les; it answered with its whole log (tail 0'0) up to 10'20.
    let log_queries: Vec<(i32, EVersion)> = (1..3)
        .flat_map(|o| {
            h.transcript().sent(0, o).filter_map(move |m| match m {
                Message::PgQuery2(q) => match q.query.kind {
                    QueryKind::Log { since } => Some((o, since)),
                    _ => None,
                },
                _ => None,
            })
        })
        .collect();
    assert_eq!(log_queries, [(1, EVersion::new(8, 0))]);
    let replies: Vec<(EVersion, usize)> = h
        .transcript()
        .sent(1, 0)
        .filter_map(|m| match m {
            Message::PgLog(l) => Some((l.log.head, l.log.entries.len())),
            _ => None,
        })
        .collect();
    assert_eq!(replies, [(EVersion::new(10, 20), 20)]);
    // Activation: the primary tells osd.1 its last_update is 10'18 (an info: the
    // authoritative log holds nothing newer for it), and no log to anyone.
    let activation = h
        .transcript()
        .sent(0, 1)
        .find_map(|m| match m {
            Message::PgInfo2(i) => Some(i.info.last_update),
            _ => None,
        })
        .unwrap();
    assert_eq!(activation, EVersion::new(10, 18));
    assert!(
        !messages_since(&h, 0)
            .iter()
            .any(|m| m.starts_with("osd.0") && m.ends_with("MOSDPGLog"))
    );

    // Persisted: everyone at 10'18 with 18 entries; osd.1's store removed the
    // two objects its divergent entries created, newest first, and its missing
    // set is empty.
    for o in 0..3 {
        let s = stored(&h, o);
        let info = s.info.as_ref().unwrap();
        assert_eq!(info.last_update, EVersion::new(10, 18), "osd.{o}");
        assert_eq!(info.last_complete, EVersion::new(10, 18), "osd.{o}");
        assert_eq!(info.last_epoch_started, 10, "osd.{o}");
        let log = s.log.as_ref().unwrap();
        assert_eq!(log.head, EVersion::new(10, 18), "osd.{o}");
        assert_eq!(log.entries.len(), 18, "osd.{o}");
        assert!(s.missing.as_ref().unwrap().items().is_empty(), "osd.{o}");
    }
    let removed: Vec<String> = stored(&h, 1)
        .effects
        .iter()
        .filter_map(|e| match e {
            LogEffect::Remove(o) => Some(o.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(removed, ["o20", "o19"]);
    assert!(stored(&h, 0).effects.is_empty());
    assert!(stored(&h, 2).effects.is_empty());
    assert_safe(&h);
}

/// osd.1's divergent entries (10'19, 10'20) are older than its own les (12):
/// it activated in an interval that never finished activating, and the
/// authoritative log (10'18, les 14) never got them. Ceph asks it for its log
/// since its les, gets no entry, and cannot rewind them (ceph/ceph pull
/// request 28005); we ask for its whole log, and it is rewound as usual.
#[test]
fn divergent_entries_older_than_the_peers_les_are_still_found() {
    let mut h = osd_loaded_cluster_at(20, &[0, 1, 2], 3, &[(0, 18, 14), (1, 20, 12), (2, 18, 14)]);
    h.run().unwrap();
    assert_eq!(h.state(0, spg()), "Started/Primary/Active/Clean");
    let kinds: Vec<(i32, QueryKind)> = (1..3)
        .flat_map(|o| {
            h.transcript().sent(0, o).filter_map(move |m| match m {
                Message::PgQuery2(q) if !matches!(q.query.kind, QueryKind::Info) => {
                    Some((o, q.query.kind))
                }
                _ => None,
            })
        })
        .collect();
    assert_eq!(kinds, [(1, QueryKind::FullLog)]);
    for o in 0..3 {
        let s = stored(&h, o);
        assert_eq!(
            s.info.as_ref().unwrap().last_update,
            EVersion::new(10, 18),
            "osd.{o}"
        );
        assert_eq!(
            s.log.as_ref().unwrap().head,
            EVersion::new(10, 18),
            "osd.{o}"
        );
        assert!(s.missing.as_ref().unwrap().items().is_empty(), "osd.{o}");
    }
    assert_safe(&h);
}
