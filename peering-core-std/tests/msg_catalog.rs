//! Dispatch classification against the seed's tables (seed 000 §2.1 "ms_fast分发的
//! 消息类型" and §2.2 "普通分发的消息类型") and Ceph's type codes
//! (`src/msg/Message.h`, `ceph-osd-side.md` §1.1).

use std::collections::BTreeSet;

use peering_core_std::msg::MsgType;

/// The seed's fast-dispatch list, by Ceph constant name.
const SEED_FAST: &[&str] = &[
    "CEPH_MSG_OSD_OP",
    "MSG_OSD_SUBOP",
    "MSG_OSD_REPOP",
    "MSG_OSD_SUBOPREPLY",
    "MSG_OSD_REPOPREPLY",
    "MSG_OSD_PG_PUSH",
    "MSG_OSD_PG_PULL",
    "MSG_OSD_PG_PUSH_REPLY",
    "MSG_OSD_PG_SCAN",
    "MSG_OSD_PG_BACKFILL",
    "MSG_OSD_EC_WRITE",
    "MSG_OSD_EC_WRITE_REPLY",
    "MSG_OSD_EC_READ",
    "MSG_OSD_EC_READ_REPLY",
    "MSG_OSD_REP_SCRUB",
    "MSG_OSD_PG_UPDATE_LOG_MISSING",
    "MSG_OSD_PG_UPDATE_LOG_MISSING_REPLY",
];

/// The seed's normal-dispatch list, by Ceph constant name.
const SEED_NORMAL: &[&str] = &[
    "MSG_OSD_MARK_ME_DOWN",
    "CEPH_MSG_PING",
    "CEPH_MSG_OSD_MAP",
    "MSG_PGSTATSACK",
    "MSG_MON_COMMAND",
    "MSG_COMMAND",
    "MSG_OSD_SCRUB",
    "MSG_OSD_PG_CREATE",
    "MSG_OSD_PG_NOTIFY",
    "MSG_OSD_PG_QUERY",
    "MSG_OSD_PG_LOG",
    "MSG_OSD_PG_REMOVE",
    "MSG_OSD_PG_INFO",
    "MSG_OSD_PG_TRIM",
    "MSG_OSD_PG_MISSING",
    "MSG_OSD_BACKFILL_RESERVE",
    "MSG_OSD_RECOVERY_RESERVE",
];

/// Ceph's codes (`Message.h`, `ceph_fs.h`).
const CODES: &[(&str, u16)] = &[
    ("CEPH_MSG_PING", 5),
    ("CEPH_MSG_OSD_MAP", 41),
    ("CEPH_MSG_OSD_OP", 42),
    ("CEPH_MSG_OSD_OPREPLY", 43),
    ("MSG_MON_COMMAND", 50),
    ("MSG_OSD_ALIVE", 73),
    ("MSG_OSD_MARK_ME_DOWN", 74),
    ("MSG_OSD_SUBOP", 76),
    ("MSG_OSD_SUBOPREPLY", 77),
    ("MSG_OSD_PGTEMP", 78),
    ("MSG_OSD_PG_NOTIFY", 80),
    ("MSG_OSD_PG_QUERY", 81),
    ("MSG_OSD_PG_LOG", 83),
    ("MSG_OSD_PG_REMOVE", 84),
    ("MSG_OSD_PG_INFO", 85),
    ("MSG_OSD_PG_TRIM", 86),
    ("MSG_PGSTATSACK", 88),
    ("MSG_OSD_PG_CREATE", 89),
    ("MSG_OSD_SCRUB", 91),
    ("MSG_OSD_PG_MISSING", 92),
    ("MSG_OSD_REP_SCRUB", 93),
    ("MSG_OSD_PG_SCAN", 94),
    ("MSG_OSD_PG_BACKFILL", 95),
    ("MSG_COMMAND", 97),
    ("MSG_OSD_BACKFILL_RESERVE", 99),
    ("MSG_OSD_PG_PUSH", 105),
    ("MSG_OSD_PG_PULL", 106),
    ("MSG_OSD_PG_PUSH_REPLY", 107),
    ("MSG_OSD_EC_WRITE", 108),
    ("MSG_OSD_EC_WRITE_REPLY", 109),
    ("MSG_OSD_EC_READ", 110),
    ("MSG_OSD_EC_READ_REPLY", 111),
    ("MSG_OSD_REPOP", 112),
    ("MSG_OSD_REPOPREPLY", 113),
    ("MSG_OSD_PG_UPDATE_LOG_MISSING", 114),
    ("MSG_OSD_PG_UPDATE_LOG_MISSING_REPLY", 115),
    ("MSG_OSD_PG_CREATED", 116),
    ("MSG_OSD_PG_CREATE2", 120),
    ("MSG_OSD_PG_READY_TO_MERGE", 122),
    ("MSG_OSD_PG_NOTIFY2", 130),
    ("MSG_OSD_PG_QUERY2", 131),
    ("MSG_OSD_PG_INFO2", 132),
    ("MSG_OSD_PG_LEASE", 133),
    ("MSG_OSD_PG_LEASE_ACK", 134),
    ("MSG_OSD_RECOVERY_RESERVE", 150),
];

fn by_name(name: &str) -> MsgType {
    *MsgType::ALL
        .iter()
        .find(|t| t.name() == name)
        .unwrap_or_else(|| panic!("{name} missing from the catalog"))
}

#[test]
fn fast_dispatch_group_is_the_seeds() {
    let fast: BTreeSet<&str> = MsgType::ALL
        .iter()
        .filter(|t| t.can_fast_dispatch())
        .map(|t| t.name())
        .collect();
    let seed: BTreeSet<&str> = SEED_FAST.iter().copied().collect();
    assert_eq!(fast, seed);
}

#[test]
fn every_seed_normal_type_is_in_the_catalog_and_normal() {
    for name in SEED_NORMAL {
        assert!(!by_name(name).can_fast_dispatch(), "{name} must be normal");
    }
    // Types the seed's switch does not name take its default branch: normal.
    let listed: BTreeSet<&str> = SEED_FAST.iter().chain(SEED_NORMAL).copied().collect();
    for t in MsgType::ALL {
        if !listed.contains(t.name()) {
            assert!(
                !t.can_fast_dispatch(),
                "{} is not in the seed's fast list",
                t.name()
            );
        }
    }
}

/// Modern `OSD::ms_can_fast_dispatch` (current `OSD.h`), by constant name; the
/// catalog lacks a few of these (backoff, force-recovery, scrub2, scrub reserve,
/// backfill remove, rep scrubmap, recovery delete).
const MODERN_FAST: &[&str] = &[
    "CEPH_MSG_PING",
    "CEPH_MSG_OSD_OP",
    "CEPH_MSG_OSD_BACKOFF",
    "MSG_OSD_SCRUB2",
    "MSG_OSD_FORCE_RECOVERY",
    "MSG_MON_COMMAND",
    "MSG_OSD_PG_CREATE2",
    "MSG_OSD_PG_QUERY",
    "MSG_OSD_PG_QUERY2",
    "MSG_OSD_PG_INFO",
    "MSG_OSD_PG_INFO2",
    "MSG_OSD_PG_NOTIFY",
    "MSG_OSD_PG_NOTIFY2",
    "MSG_OSD_PG_LOG",
    "MSG_OSD_PG_TRIM",
    "MSG_OSD_PG_REMOVE",
    "MSG_OSD_BACKFILL_RESERVE",
    "MSG_OSD_RECOVERY_RESERVE",
    "MSG_OSD_REPOP",
    "MSG_OSD_REPOPREPLY",
    "MSG_OSD_PG_PUSH",
    "MSG_OSD_PG_PULL",
    "MSG_OSD_PG_PUSH_REPLY",
    "MSG_OSD_PG_SCAN",
    "MSG_OSD_PG_BACKFILL",
    "MSG_OSD_PG_BACKFILL_REMOVE",
    "MSG_OSD_EC_WRITE",
    "MSG_OSD_EC_WRITE_REPLY",
    "MSG_OSD_EC_READ",
    "MSG_OSD_EC_READ_REPLY",
    "MSG_OSD_SCRUB_RESERVE",
    "MSG_OSD_REP_SCRUB",
    "MSG_OSD_REP_SCRUBMAP",
    "MSG_OSD_PG_UPDATE_LOG_MISSING",
    "MSG_OSD_PG_UPDATE_LOG_MISSING_REPLY",
    "MSG_OSD_PG_RECOVERY_DELETE",
    "MSG_OSD_PG_RECOVERY_DELETE_REPLY",
    "MSG_OSD_PG_LEASE",
    "MSG_OSD_PG_LEASE_ACK",
];

#[test]
fn modern_fast_dispatch_group_is_current_cephs() {
    let fast: BTreeSet<&str> = MsgType::ALL
        .iter()
        .filter(|t| t.can_fast_dispatch_modern())
        .map(|t| t.name())
        .collect();
    let names: BTreeSet<&str> = MsgType::ALL.iter().map(|t| t.name()).collect();
    let modern: BTreeSet<&str> = MODERN_FAST
        .iter()
        .copied()
        .filter(|n| names.contains(n))
        .collect();
    assert_eq!(fast, modern);
}

#[test]
fn codes_match_ceph_and_round_trip() {
    assert_eq!(
        CODES.len(),
        MsgType::ALL.len(),
        "every catalog type has a code row"
    );
    for (name, code) in CODES {
        let t = by_name(name);
        assert_eq!(t.code(), *code, "{name}");
        assert_eq!(MsgType::from_code(*code), Some(t));
    }
    assert_eq!(MsgType::from_code(0), None);
    assert_eq!(MsgType::from_code(82), None);
}
