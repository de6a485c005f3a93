//! `pg_missing_t` (§6.10): Ceph's types.cc `pg_missing_t` cases, re-derived.

mod log_common;

mod missing {
    use super::log_common::*;
    use peering_core::log::{LogEntry, LogError, LogOp, Missing, MissingItem, ReqId};
    use peering_core::types::{EVersion, ObjectId, PgId};

    fn oid() -> ObjectId {
        ObjectId::new(456, 123, "objname")
    }

    /// The DELETE entry Ceph's tests start from: 10'5, prior 3'4, by client.777.
    fn sample(op: LogOp) -> LogEntry {
        let mut e = LogEntry::new(op, oid(), ev(10, 5), ev(3, 4));
        e.reqid = ReqId::client(777, 999);
        e
    }

    fn item(need: EVersion, have: EVersion, delete: bool) -> MissingItem {
        MissingItem { need, have, delete }
    }

    fn rmissing(m: &Missing) -> Vec<(EVersion, ObjectId)> {
        m.rmissing().iter().cloned().collect()
    }

    #[test]
    fn constructor_is_empty() {
        let m = Missing::default();
        assert_eq!(m.num_missing(), 0);
        assert!(!m.have_missing());
        assert_eq!(m.get_oldest_need(), EVersion::ZERO);
    }

    #[test]
    fn have_missing() {
        let mut m = Missing::default();
        m.add(&oid(), EVersion::ZERO, EVersion::ZERO, false);
        assert!(m.have_missing());
    }

    #[test]
    fn claim_takes_items_not_flags() {
        let mut m = Missing::new(true);
        m.add(&oid(), ev(1, 1), EVersion::ZERO, false);
        let mut other = Missing::new(false);
        other.claim(m.clone());
        assert!(other.have_missing());
        assert_eq!(other.items(), m.items());
        assert_eq!(other.rmissing(), m.rmissing());
        assert!(!other.may_include_deletes);
    }

    #[test]
    fn is_missing_with_and_without_version() {
        let mut m = Missing::default();
        assert!(!m.is_missing(&oid()));
        assert!(!m.is_missing_at(&oid(), EVersion::ZERO));
        let need = ev(10, 5);
        m.add(&oid(), need, EVersion::ZERO, false);
        assert!(m.is_missing(&oid()));
        assert!(!m.is_missing_at(&oid(), EVersion::ZERO));
        assert!(m.is_missing_at(&oid(), need));
    }

    #[test]
    fn add_next_event_new_object_replaces_previous() {
        let mut m = Missing::default();
        let mut e = sample(LogOp::Modify);
        e.prior_version = EVersion::ZERO;
        assert!(e.is_update() && e.object_is_indexed() && e.reqid_is_indexed());
        m.add_next_event(&e);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 5), EVersion::ZERO, false)));
        assert_eq!(rmissing(&m), vec![(ev(10, 5), oid())]);
        m.add_next_event(&e);
        assert_eq!(m.num_missing(), 1);
        assert_eq!(m.rmissing().len(), 1);
    }

    #[test]
    fn add_next_event_clone_is_a_creation() {
        let mut m = Missing::default();
        let mut e = sample(LogOp::Clone);
        e.prior_version = EVersion::ZERO;
        assert!(e.is_clone() && e.object_is_indexed() && !e.reqid_is_indexed());
        m.add_next_event(&e);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 5), EVersion::ZERO, false)));
        m.add_next_event(&e);
        assert_eq!(m.num_missing(), 1);
        assert_eq!(rmissing(&m), vec![(ev(10, 5), oid())]);
        // A clone with a prior is still a creation: nothing held.
        let mut c = sample(LogOp::Clone);
        c.version = ev(10, 6);
        m.add_next_event(&c);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 6), EVersion::ZERO, false)));
    }

    #[test]
    fn add_next_event_clone_with_a_prior_holds_nothing() {
        // A clone is a new object whatever its prior_version says: the prior
        // version of the head is no copy of the clone.
        let mut m = Missing::default();
        let c = sample(LogOp::Clone);
        assert!(!c.prior_version.is_zero());
        m.add_next_event(&c);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 5), EVersion::ZERO, false)));
        // Nor does an object already missing with something held keep it.
        let mut m = Missing::default();
        m.add_next_event(&sample(LogOp::Modify));
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 5), ev(3, 4), false)));
        let mut c = sample(LogOp::Clone);
        c.version = ev(10, 6);
        c.prior_version = ev(10, 5);
        m.add_next_event(&c);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 6), EVersion::ZERO, false)));
    }

    #[test]
    fn missing_items_report_their_delete_flag() {
        let mut m = Missing::new(true);
        m.add(&oid(), ev(10, 5), ev(3, 4), true);
        assert!(m.get(&oid()).unwrap().is_delete());
        m.add(&oid(), ev(10, 6), ev(3, 4), false);
        assert!(!m.get(&oid()).unwrap().is_delete());
    }

    #[test]
    fn add_next_event_on_missing_object_keeps_have() {
        let mut m = Missing::default();
        let mut e = sample(LogOp::Modify);
        e.prior_version = EVersion::ZERO;
        m.add_next_event(&e);
        e.prior_version = ev(3, 4);
        m.add_next_event(&e);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 5), EVersion::ZERO, false)));
        assert_eq!(m.rmissing().len(), 1);
    }

    #[test]
    fn add_next_event_with_prior_holds_prior() {
        let mut m = Missing::default();
        m.add_next_event(&sample(LogOp::Modify));
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 5), ev(3, 4), false)));
        assert_eq!(rmissing(&m), vec![(ev(10, 5), oid())]);
    }

    #[test]
    fn add_next_event_delete_after_modify() {
        let mut m = Missing::default();
        m.add_next_event(&sample(LogOp::Modify));
        let d = sample(LogOp::Delete);
        assert!(d.is_delete());
        m.add_next_event(&d);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 5), ev(3, 4), true)));
        assert_eq!(m.num_missing(), 1);
        assert_eq!(rmissing(&m), vec![(ev(10, 5), oid())]);
    }

    #[test]
    fn add_next_event_lost_delete_after_modify() {
        let mut m = Missing::default();
        m.add_next_event(&sample(LogOp::Modify));
        assert!(!m.get(&oid()).unwrap().is_delete());
        let mut d = sample(LogOp::LostDelete);
        d.version.version += 1;
        m.add_next_event(&d);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 6), ev(3, 4), true)));
        assert_eq!(rmissing(&m), vec![(ev(10, 6), oid())]);
    }

    #[test]
    fn revise_need_creates_or_keeps_have() {
        let mut m = Missing::default();
        m.revise_need(&oid(), ev(10, 10), false);
        assert_eq!(
            m.get(&oid()),
            Some(&item(ev(10, 10), EVersion::ZERO, false))
        );
        m.revise_have(&oid(), ev(1, 1));
        m.revise_need(&oid(), ev(10, 12), false);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 12), ev(1, 1), false)));
        assert_eq!(rmissing(&m), vec![(ev(10, 12), oid())]);
    }

    #[test]
    fn revise_have_of_unknown_object_is_a_noop() {
        let mut m = Missing::default();
        m.revise_have(&oid(), ev(1, 1));
        assert!(!m.is_missing(&oid()));
        m.add(&oid(), ev(10, 12), ev(1, 1), false);
        m.revise_have(&oid(), ev(2, 2));
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 12), ev(2, 2), false)));
    }

    #[test]
    fn add_records_need_and_have() {
        let mut m = Missing::default();
        m.add(&oid(), ev(10, 10), ev(1, 1), false);
        assert_eq!(m.get(&oid()), Some(&item(ev(10, 10), ev(1, 1), false)));
        // Re-adding keeps the reverse index exact.
        m.add(&oid(), ev(10, 11), ev(1, 1), true);
        assert_eq!(rmissing(&m), vec![(ev(10, 11), oid())]);
    }

    #[test]
    fn rm_only_when_need_is_covered() {
        let mut m = Missing::default();
        m.add(&oid(), ev(10, 10), EVersion::ZERO, false);
        m.rm(&oid(), ev(5, 20));
        assert!(m.is_missing(&oid()));
        m.rm(&oid(), ev(20, 20));
        assert!(!m.is_missing(&oid()));
        assert!(m.rmissing().is_empty());

        m.add(&oid(), EVersion::ZERO, EVersion::ZERO, false);
        assert_eq!(
            m.rm_item(&oid()),
            Some(item(EVersion::ZERO, EVersion::ZERO, false))
        );
        assert!(!m.is_missing(&oid()));
    }

    #[test]
    fn got_refuses_unknown_or_older_unchanged() {
        let mut m = Missing::default();
        assert_eq!(
            m.got(&oid(), EVersion::ZERO),
            Err(LogError::NotMissing { object: oid() })
        );
        m.add(&oid(), ev(10, 10), EVersion::ZERO, false);
        let before = m.clone();
        assert_eq!(
            m.got(&oid(), ev(5, 20)),
            Err(LogError::GotOlderThanNeed {
                need: ev(10, 10),
                got: ev(5, 20)
            })
        );
        assert_eq!(m, before);
        m.got(&oid(), ev(20, 20)).unwrap();
        assert!(!m.have_missing());
        assert!(m.rmissing().is_empty());
        // A delete is done whatever version is reported.
        m.add(&oid(), ev(10, 10), EVersion::ZERO, true);
        m.got(&oid(), ev(1, 1)).unwrap();
        assert!(!m.have_missing());
    }

    #[test]
    fn split_into_moves_child_objects() {
        let o1 = ObjectId::new(123, 1, "objname1");
        let o2 = ObjectId::new(123, 2, "objname2");
        let mut m = Missing::new(true);
        m.add(&o1, EVersion::ZERO, EVersion::ZERO, false);
        m.add(&o2, EVersion::ZERO, EVersion::ZERO, false);
        let mut child = Missing::new(false);
        m.split_into(PgId::new(123, 1), 1, &mut child);
        assert!(child.is_missing(&o1));
        assert!(!child.is_missing(&o2));
        assert!(!m.is_missing(&o1));
        assert!(m.is_missing(&o2));
        assert!(child.may_include_deletes);
    }

    #[test]
    fn split_into_uses_all_split_bits() {
        let mut m = Missing::new(false);
        for h in [0x05u32, 0x0d, 0x15, 0x1d] {
            m.add(&obj(h), ev(1, u64::from(h)), EVersion::ZERO, false);
        }
        let mut child = Missing::new(true);
        // pg_num 16 → 32: child 13 (0b1101) takes hashes with low 5 bits 0b01101.
        m.split_into(PgId::new(1, 0x0d), 5, &mut child);
        assert_eq!(
            child.items().keys().cloned().collect::<Vec<_>>(),
            vec![obj(0x0d)]
        );
        assert_eq!(m.num_missing(), 3);
        assert!(!child.may_include_deletes);
        assert_eq!(rmissing(&child), vec![(ev(1, 0x0d), obj(0x0d))]);
    }

    #[test]
    fn oldest_need_follows_the_reverse_index() {
        let mut m = Missing::default();
        m.add(&obj(1), ev(5, 9), EVersion::ZERO, false);
        m.add(&obj(2), ev(5, 3), EVersion::ZERO, false);
        m.add(&obj(3), ev(4, 20), EVersion::ZERO, false);
        assert_eq!(m.get_oldest_need(), ev(4, 20));
        m.revise_need(&obj(3), ev(6, 1), false);
        assert_eq!(m.get_oldest_need(), ev(5, 3));
        // Two objects may share a need during a merge (a multimap upstream).
        m.add(&obj(1), ev(5, 3), EVersion::ZERO, false);
        // Ties fall in object (hobject_t) order: obj_2 sorts before obj_1.
        assert_eq!(
            rmissing(&m),
            vec![(ev(5, 3), obj(2)), (ev(5, 3), obj(1)), (ev(6, 1), obj(3))]
        );
        m.clear();
        assert!(m.rmissing().is_empty() && !m.have_missing());
    }
}
