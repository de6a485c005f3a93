//! Serde round-trips (postcard) of every public type the acting module adds.
#![cfg(feature = "serde")]

mod acting_support;

mod acting_serde {
    use super::acting_support::*;
    use peering_core::acting::{
        ActingChoice, ActingError, ActingOptions, ActingOutcome, ChooseActingRequest,
        IncompleteReason, PeeringOutcome, PgPlacement, PgTempRequest, PlacementVector, WantSets,
    };
    use peering_core::types::{EVersion, OsdId};
    use serde::{Serialize, de::DeserializeOwned};
    use std::collections::BTreeMap;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
        let bytes = postcard::to_allocvec(v).unwrap();
        let back: T = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(&back, v);
    }

    #[test]
    fn every_public_acting_type_round_trips() {
        round_trip(&ActingOptions {
            async_recovery_min_cost: 7,
            ..ActingOptions::default()
        });
        round_trip(&ec_placement(&[0, -1, 2], &[0, 1, -1]));
        round_trip(&PgPlacement::default());
        let pairs = [
            (rep(0), info(5, 10)),
            (rep(1), info(5, 10)),
            (rep(3), info(0, 0).tail(0, 0)),
        ];
        let c = choose(
            rep(0),
            &pairs,
            &placement(&[0, 1, 3], &[0, 1, 3]),
            &pool_rep(3),
        );
        round_trip(&c);
        let c2: ActingChoice = choose(rep(0), &pairs, &placement(&[0, 1], &[1, 0]), &pool_rep(3));
        round_trip(&c2);
        round_trip(&WantSets {
            want: vec_of(&[0, -1]),
            ..WantSets::default()
        });
        let req = ChooseActingRequest {
            backfill_targets: [rep(4)].into_iter().collect(),
            needs_recovery: true,
            ..Default::default()
        };
        round_trip(&req);
        for t in [
            PgTempRequest::None,
            PgTempRequest::Clear,
            PgTempRequest::Set(vec_of(&[1, 2])),
        ] {
            round_trip(&t);
        }
        for o in [
            ActingOutcome::Proceed,
            ActingOutcome::ActingUnchanged,
            ActingOutcome::NoAuthoritativeLog,
            ActingOutcome::NotRecoverable,
            ActingOutcome::NeedActingChange,
        ] {
            round_trip(&o);
        }
        for o in [
            PeeringOutcome::Down {
                blocked_by: BTreeMap::from([(OsdId(1), 0), (OsdId(2), 7)]),
            },
            PeeringOutcome::WaitActingChange {
                want_acting: vec_of(&[0, 1]),
            },
            PeeringOutcome::Incomplete {
                reason: IncompleteReason::NoAuthoritativeLog {
                    history_les_bound: true,
                },
            },
            PeeringOutcome::Incomplete {
                reason: IncompleteReason::NotRecoverable,
            },
            PeeringOutcome::Incomplete {
                reason: IncompleteReason::NotContiguous {
                    auth_log_shard: rep(2),
                },
            },
            PeeringOutcome::GotLog,
            PeeringOutcome::GetLog {
                auth_log_shard: ec(1, 2),
                request_log_from: EVersion::new(3, 4),
            },
        ] {
            round_trip(&o);
        }
        for e in [
            ActingError::DuplicateInfo { shard: rep(1) },
            ActingError::ShardInReplicatedPool { shard: ec(1, 0) },
            ActingError::ShardOutOfRange {
                shard: ec(1, 9),
                size: 3,
            },
            ActingError::InvalidOsd { shard: rep(-1) },
            ActingError::LastCompletePastLastUpdate { shard: rep(1) },
            ActingError::LastUpdateBeforeLogTail { shard: rep(1) },
            ActingError::MissingInfo { shard: rep(1) },
            ActingError::InvalidPoolSize { size: 0 },
            ActingError::VectorLength {
                which: PlacementVector::Up,
                len: 2,
                size: 3,
            },
            ActingError::BadReplicatedVector {
                which: PlacementVector::Acting,
                osd: OsdId::NONE,
            },
            ActingError::StretchTargetZero,
            ActingError::BackfillTargetsChanged,
            ActingError::AsyncRecoveryTargetsChanged,
            ActingError::BackfillWhileWantIsUp,
        ] {
            round_trip(&e);
        }
    }
}
