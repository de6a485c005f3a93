//! Serde round trips of every public type of the log module (postcard).
#![cfg(feature = "serde")]

mod log_common;

mod log_serde {
    use super::log_common::*;
    use peering_core::log::{
        DivergentCase, IndexedLog, LogDup, LogEffect, LogEffects, LogEntry, LogError, LogOp,
        LoggedRequest, Missing, MissingItem, ModDesc, PgLog, PgLogT, ReqId, RollbackStep,
    };
    use peering_core::types::{EVersion, SnapId};
    use serde::{Serialize, de::DeserializeOwned};

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + core::fmt::Debug>(v: &T) {
        let bytes = postcard::to_allocvec(v).unwrap();
        let back: T = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(&back, v);
    }

    fn rich_entry() -> LogEntry {
        let mut e = modify_rb(&obj(7), ev(3, 9), ev(2, 4));
        e.reqid = ReqId::client(4225, 18529);
        e.extra_reqids = vec![(ReqId::client(1, 2), 5)];
        e.extra_reqid_return_codes = vec![(0, -2)];
        e.user_version = 77;
        e.snaps = vec![SnapId(3)];
        for step in steps() {
            e.mod_desc.push(step);
        }
        e
    }

    fn steps() -> Vec<RollbackStep> {
        vec![
            RollbackStep::Append { old_size: 4096 },
            RollbackStep::SetAttrs {
                attrs: vec![("_".into(), Some(vec![1, 2])), ("snapset".into(), None)],
            },
            RollbackStep::UpdateSnaps {
                old_snaps: vec![SnapId(1)],
            },
            RollbackStep::RollbackExtents {
                generation: 9,
                extents: vec![(0, 4096)],
            },
            RollbackStep::TryDelete { old_version: 9 },
        ]
    }

    fn rich_log() -> PgLogT {
        let mut l = plain(
            ev(1, 0),
            ev(3, 10),
            vec![modify(&obj(1), ev(1, 1), ev(0, 0)), rich_entry()],
        );
        l.dups = vec![LogDup {
            reqid: ReqId::client(9, 9),
            version: ev(1, 0),
            user_version: 3,
            return_code: -5,
        }];
        l.can_rollback_to = ev(1, 1);
        l
    }

    #[test]
    fn entries_ops_and_rollback_info() {
        for op in [
            LogOp::Modify,
            LogOp::Clone,
            LogOp::LostRevert,
            LogOp::Error,
            LogOp::Replace,
        ] {
            round_trip(&op);
        }
        round_trip(&ReqId::client(4225, 1));
        round_trip(&rich_entry());
        round_trip(&LogDup::from_entry(&rich_entry()));
        for s in steps().into_iter().chain([
            RollbackStep::Create,
            RollbackStep::Delete { old_version: 1 },
        ]) {
            round_trip(&s);
        }
        let mut unrollbackable = ModDesc::default();
        unrollbackable.mark_unrollbackable();
        round_trip(&unrollbackable);
        round_trip(&rich_entry().mod_desc);
    }

    #[test]
    fn logs_and_missing_sets() {
        round_trip(&rich_log());
        round_trip(&IndexedLog::from_log(rich_log()).unwrap());
        let m = missing(
            &[
                (obj(1), ev(1, 1), ev(0, 0), false),
                (obj(2), ev(1, 1), ev(0, 9), true),
            ],
            true,
        );
        round_trip(&m);
        // The reverse index is rebuilt, not trusted.
        let back: Missing = postcard::from_bytes(&postcard::to_allocvec(&m).unwrap()).unwrap();
        assert_eq!(back.get_oldest_need(), ev(1, 1));
        round_trip(&MissingItem {
            need: ev(2, 2),
            have: ev(1, 1),
            delete: true,
        });
        round_trip(&PgLog::from_parts(rich_log(), m).unwrap());
    }

    #[test]
    fn an_invalid_indexed_log_does_not_deserialize() {
        let mut bad = rich_log();
        bad.tail = ev(9, 0);
        let bytes = postcard::to_allocvec(&bad).unwrap();
        assert!(postcard::from_bytes::<IndexedLog>(&bytes).is_err());
    }

    #[test]
    fn effects_outcomes_and_errors() {
        let mut fx = LogEffects::new();
        fx.push(LogEffect::Rollback(rich_entry()));
        fx.push(LogEffect::Rollforward(rich_entry()));
        fx.push(LogEffect::Trim(rich_entry()));
        fx.push(LogEffect::Remove(obj(3)));
        fx.push(LogEffect::TryStash {
            soid: obj(3),
            version: 4,
        });
        round_trip(&fx);
        for op in fx.as_slice() {
            round_trip(op);
        }
        round_trip(&LoggedRequest {
            version: ev(1, 2),
            user_version: 3,
            return_code: -2,
        });
        for c in [
            DivergentCase::Skipped,
            DivergentCase::NewerInLog,
            DivergentCase::Recover,
        ] {
            round_trip(&c);
        }
        round_trip(&LogError::TailPastHead {
            tail: ev(2, 0),
            head: EVersion::ZERO,
        });
        round_trip(&LogError::DivergentChainBroken {
            object: obj(1),
            version: ev(1, 2),
            prior: ev(1, 0),
            last: ev(1, 1),
        });
        round_trip(&LogError::MissingDisagreesWithLog {
            object: obj(1),
            newest: ev(1, 2),
            need: None,
        });
    }
}
