//! Every message round-trips through the frame encoding; bad frames are refused
//! with typed errors; random bytes never panic the decoder (`ceph-osd-side.md` §1).

mod msg_support;

use std::collections::BTreeMap;

use msg_support::sample;
use peering_core::map::{OsdMapView, PoolInfo, SimpleOsdMap};
use peering_core::types::PgId;
use peering_core_std::msg::*;
use proptest::prelude::*;

#[test]
fn every_message_round_trips() {
    for ty in MsgType::ALL {
        let msg = sample(*ty);
        assert_eq!(msg.msg_type(), *ty);
        let frame = encode(&msg).unwrap();
        assert_eq!(frame[0], FRAME_VERSION);
        assert_eq!(u16::from_le_bytes([frame[1], frame[2]]), ty.code());
        assert_eq!(decode(&frame).unwrap(), msg, "{}", ty.name());
    }
}

#[test]
fn truncated_frames_are_refused() {
    let frame = encode(&sample(MsgType::PgNotify)).unwrap();
    for cut in 0..frame.len() {
        let err = decode(&frame[..cut]).unwrap_err();
        assert!(
            matches!(err, MsgError::Truncated | MsgError::Malformed { .. }),
            "cut at {cut}: {err:?}"
        );
    }
    assert_eq!(decode(&[]), Err(MsgError::Truncated));
    assert_eq!(decode(&[FRAME_VERSION, 80]), Err(MsgError::Truncated));
}

#[test]
fn oversized_unknown_and_trailing_frames_are_refused() {
    let frame = encode(&sample(MsgType::PgLog)).unwrap();
    assert_eq!(
        decode_with_limit(&frame, frame.len() - 1),
        Err(MsgError::TooLarge {
            len: frame.len(),
            max: frame.len() - 1
        })
    );
    let huge = vec![0u8; MAX_FRAME_LEN + 1];
    assert!(matches!(decode(&huge), Err(MsgError::TooLarge { .. })));

    let mut bad_version = frame.clone();
    bad_version[0] = 2;
    assert_eq!(decode(&bad_version), Err(MsgError::UnknownVersion(2)));

    let mut bad_type = frame.clone();
    bad_type[1..3].copy_from_slice(&82u16.to_le_bytes());
    assert_eq!(decode(&bad_type), Err(MsgError::UnknownType(82)));

    let mut trailing = frame.clone();
    trailing.extend_from_slice(&[0, 0]);
    assert_eq!(decode(&trailing), Err(MsgError::TrailingBytes(2)));

    // A valid payload under the wrong type code does not decode as that type.
    let mut retyped = encode(&sample(MsgType::Ping)).unwrap();
    retyped[1..3].copy_from_slice(&MsgType::PgTrim.code().to_le_bytes());
    assert!(decode(&retyped).is_err());
}

#[test]
fn oversized_messages_are_not_encoded() {
    let msg = Message::OsdMap(OsdMapMsg {
        maps: BTreeMap::from([(1, vec![0; MAX_FRAME_LEN])]),
        ..OsdMapMsg::default()
    });
    assert!(matches!(encode(&msg), Err(MsgError::TooLarge { .. })));
}

#[test]
fn messages_naming_unknown_pools_are_refused() {
    let map = SimpleOsdMap::new(30).with_pool(PoolInfo::replicated(1, 3, 16));
    assert_eq!(map.epoch(), 30);
    for ty in MsgType::ALL {
        let msg = sample(*ty);
        let pgs = msg.pgs();
        let result = msg.validate_pools(&map);
        match pgs.iter().find(|pg| pg.pool != 1) {
            Some(pg) => assert_eq!(result, Err(MsgError::UnknownPool(*pg)), "{}", ty.name()),
            None => assert_eq!(result, Ok(()), "{}", ty.name()),
        }
    }
    // Decoding and checking in one step refuses the frame as a whole.
    let frame = encode(&sample(MsgType::PgLog)).unwrap();
    assert_eq!(decode_validated(&frame, &map), Ok(sample(MsgType::PgLog)));
    let frame = encode(&sample(MsgType::EcRead)).unwrap();
    assert_eq!(
        decode_validated(&frame, &map),
        Err(MsgError::UnknownPool(PgId::new(2, 11)))
    );
    assert_eq!(
        decode_validated(&frame[..2], &map),
        Err(MsgError::Truncated)
    );
    // The data-path samples name pool 2, which this map lacks.
    assert_eq!(
        sample(MsgType::RepOp).validate_pools(&map),
        Err(MsgError::UnknownPool(PgId::new(2, 13)))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn random_payloads_under_valid_headers_never_panic(
        ty in proptest::sample::select(MsgType::ALL.to_vec()),
        payload in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut frame = vec![FRAME_VERSION];
        frame.extend_from_slice(&ty.code().to_le_bytes());
        frame.extend_from_slice(&payload);
        if let Ok(msg) = decode(&frame) {
            // Whatever decodes must be of the header's type and re-encode, and
            // converting it to events refuses or succeeds without panicking.
            prop_assert_eq!(msg.msg_type(), ty);
            prop_assert!(encode(&msg).is_ok());
            let peering = msg.is_peering();
            let converted = msg.into_deliveries(peering_core::types::OsdId(1));
            if !peering {
                prop_assert!(converted.is_err());
            }
        }
    }

    #[test]
    fn corrupted_valid_frames_never_panic(
        ty in proptest::sample::select(MsgType::ALL.to_vec()),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let mut frame = encode(&sample(ty)).unwrap();
        for (at, byte) in flips {
            let len = frame.len();
            frame[at % len] ^= byte;
        }
        if let Ok(msg) = decode(&frame) {
            let _ = msg.into_deliveries(peering_core::types::OsdId(1));
        }
    }
}
