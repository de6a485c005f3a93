//! The key layout of [`super::RedbStore`]: Ceph's PG meta object omap keys
//! (`PG::prepare_info_keymap`, `PGLog::_write_log_and_missing`) under a
//! per-PG prefix, and order-preserving object keys for the collections.
//!
//! Every key of a PG starts with its 13-byte prefix (pool, seed, shard,
//! big-endian with the sign bit flipped), so one range holds one PG and PGs
//! sort as `spg_t` does. After it, in the `omap` table:
//!
//! | key | value |
//! |---|---|
//! | `_infover` | the info format version |
//! | `_info` | `pg_info_t` |
//! | `_epoch` | the map epoch the info was written at |
//! | `_biginfo` | `PastIntervals` |
//! | `0000001234.00000000000000005678` | one log entry (`eversion_t::get_key_name`) |
//! | `dup_0000001234.00000000000000005678` | the dups of that version |
//! | `missing/<object key>` | one missing item |
//! | `can_rollback_to`, `rollback_info_trimmed_to` | the log's rollback bounds |
//! | `may_include_deletes_in_missing` | present when the missing set may hold deletes |
//! | `_log_head`, `_log_tail` | the log bounds (ours: Ceph reads them from the info) |

use peering_core::types::{EVersion, ObjectId, PgId, ShardId, SpgId, Version};

/// Length of a PG prefix.
pub(crate) const PREFIX_LEN: usize = 13;

/// `_infover`.
pub(crate) const INFOVER: &str = "_infover";
/// `_info`.
pub(crate) const INFO: &str = "_info";
/// `_epoch`.
pub(crate) const EPOCH: &str = "_epoch";
/// `_biginfo`.
pub(crate) const BIGINFO: &str = "_biginfo";
/// `can_rollback_to`.
pub(crate) const CAN_ROLLBACK_TO: &str = "can_rollback_to";
/// `rollback_info_trimmed_to`.
pub(crate) const ROLLBACK_INFO_TRIMMED_TO: &str = "rollback_info_trimmed_to";
/// `may_include_deletes_in_missing`.
pub(crate) const MAY_INCLUDE_DELETES: &str = "may_include_deletes_in_missing";
/// `_log_head`.
pub(crate) const LOG_HEAD: &str = "_log_head";
/// `_log_tail`.
pub(crate) const LOG_TAIL: &str = "_log_tail";
/// The prefix of dup keys.
pub(crate) const DUP_PREFIX: &str = "dup_";
/// The prefix of missing item keys.
pub(crate) const MISSING_PREFIX: &str = "missing/";

/// The prefix of every key of `pgid`.
pub(crate) fn pg_prefix(pgid: SpgId) -> [u8; PREFIX_LEN] {
    let mut k = [0u8; PREFIX_LEN];
    let pool = (pgid.pgid.pool as u64) ^ (1 << 63);
    let shard = (pgid.shard.0 as u8) ^ 0x80;
    let (p, rest) = k.split_at_mut(8);
    p.copy_from_slice(&pool.to_be_bytes());
    let (s, sh) = rest.split_at_mut(4);
    s.copy_from_slice(&pgid.pgid.seed.to_be_bytes());
    sh.copy_from_slice(&[shard]);
    k
}

/// The PG a key's prefix names, `None` when the key is too short.
pub(crate) fn pg_of(key: &[u8]) -> Option<SpgId> {
    let pool: [u8; 8] = key.get(0..8)?.try_into().ok()?;
    let seed: [u8; 4] = key.get(8..12)?.try_into().ok()?;
    let shard = *key.get(12)?;
    Some(SpgId::new(
        PgId::new(
            (u64::from_be_bytes(pool) ^ (1 << 63)) as i64,
            u32::from_be_bytes(seed),
        ),
        ShardId((shard ^ 0x80) as i8),
    ))
}

/// The first key after every key of `pgid` (the end of its range).
pub(crate) fn pg_end(pgid: SpgId) -> Vec<u8> {
    let mut k = pg_prefix(pgid).to_vec();
    k.push(0xff);
    k
}

/// `pgid`'s prefix followed by `rest`.
pub(crate) fn pg_key(pgid: SpgId, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(PREFIX_LEN + rest.len());
    k.extend_from_slice(&pg_prefix(pgid));
    k.extend_from_slice(rest);
    k
}

/// The omap key `name` of `pgid`.
pub(crate) fn omap_key(pgid: SpgId, name: &str) -> Vec<u8> {
    pg_key(pgid, name.as_bytes())
}

/// The key of the log entry at `v` (`eversion_t::get_key_name`).
pub(crate) fn entry_key(pgid: SpgId, v: EVersion) -> Vec<u8> {
    pg_key(pgid, v.key_name().as_bytes())
}

/// The key of the dups at `v` (`pg_log_dup_t::get_key_name`).
pub(crate) fn dup_key(pgid: SpgId, v: EVersion) -> Vec<u8> {
    let mut k = pg_key(pgid, DUP_PREFIX.as_bytes());
    k.extend_from_slice(v.key_name().as_bytes());
    k
}

/// The key of `oid`'s missing item.
pub(crate) fn missing_key(pgid: SpgId, oid: &ObjectId) -> Vec<u8> {
    let mut k = pg_key(pgid, MISSING_PREFIX.as_bytes());
    push_object(&mut k, oid);
    k
}

/// The key of `oid` in `pgid`'s collection.
pub(crate) fn object_key(pgid: SpgId, oid: &ObjectId) -> Vec<u8> {
    let mut k = pg_key(pgid, &[]);
    push_object(&mut k, oid);
    k
}

/// The key of the stash of `oid` made at `at` (`ghobject_t(oid, at)`).
pub(crate) fn stash_key(pgid: SpgId, oid: &ObjectId, at: Version) -> Vec<u8> {
    let mut k = object_key(pgid, oid);
    k.extend_from_slice(&at.to_be_bytes());
    k
}

/// The version a log entry key names (`EEEEEEEEEE.VVVVVVVVVVVVVVVVVVVV`),
/// `None` when it is not one.
pub(crate) fn parse_version(name: &[u8]) -> Option<EVersion> {
    let s = std::str::from_utf8(name).ok()?;
    let (e, v) = s.split_once('.')?;
    if e.len() != 10 || v.len() != 20 || !e.bytes().chain(v.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(EVersion::new(e.parse().ok()?, v.parse().ok()?))
}

/// Appends `oid`'s order-preserving encoding (BlueStore's `get_object_key`
/// idea): the fields in `hobject_t` order, integers big-endian with signs
/// flipped, strings escaped and terminated, so byte order is object order.
fn push_object(k: &mut Vec<u8>, oid: &ObjectId) {
    k.push(u8::from(oid.max));
    k.extend_from_slice(&((oid.pool as u64) ^ (1 << 63)).to_be_bytes());
    k.extend_from_slice(&oid.bitwise_key().to_be_bytes());
    push_escaped(k, oid.namespace.as_bytes());
    push_escaped(k, oid.name.as_bytes());
    k.extend_from_slice(&oid.snap.0.to_be_bytes());
}

/// `s` with `0x00` escaped as `0x00 0xff`, then the terminator `0x00 0x00`
/// (which sorts before any continuation).
fn push_escaped(k: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        k.push(b);
        if b == 0 {
            k.push(0xff);
        }
    }
    k.extend_from_slice(&[0, 0]);
}

/// A key as text, for errors and dumps: the PG, then the rest with bytes that
/// are not printable ASCII escaped.
pub(crate) fn printable(key: &[u8]) -> String {
    use std::fmt::Write;
    let (pg, rest) = match pg_of(key) {
        Some(pg) => (format!("{pg}/"), key.get(PREFIX_LEN..).unwrap_or_default()),
        None => (String::new(), key),
    };
    let mut s = pg;
    for &b in rest {
        if b.is_ascii_graphic() {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "\\x{b:02x}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use peering_core::types::SnapId;

    use super::*;

    #[test]
    fn keys_sort_as_ceph_orders_pgs_versions_and_objects() {
        let pgs = [
            SpgId::new(PgId::new(-1, 7), ShardId(2)),
            SpgId::replicated(PgId::new(1, 0)),
            SpgId::new(PgId::new(1, 0), ShardId(0)),
            SpgId::replicated(PgId::new(1, 0x10)),
            SpgId::replicated(PgId::new(2, 0)),
        ];
        for w in pgs.windows(2) {
            assert!(w[0] < w[1]);
            assert!(pg_prefix(w[0]) < pg_prefix(w[1]), "{} {}", w[0], w[1]);
        }
        for pg in pgs {
            assert_eq!(pg_of(&entry_key(pg, EVersion::new(1, 1))), Some(pg));
        }
        let pg = pgs[1];
        let vs = [
            EVersion::new(1, 9),
            EVersion::new(1, 10),
            EVersion::new(2, 3),
        ];
        for w in vs.windows(2) {
            assert!(entry_key(pg, w[0]) < entry_key(pg, w[1]));
        }
        assert_eq!(
            parse_version(EVersion::new(1234, 5678).key_name().as_bytes()),
            Some(EVersion::new(1234, 5678))
        );
        assert_eq!(
            EVersion::new(1234, 5678).key_name(),
            "0000001234.00000000000000005678"
        );
        let mut objs = vec![
            ObjectId::MAX,
            ObjectId::new(1, 0x8000_0000, "a"),
            ObjectId::new(1, 1, "b"),
            ObjectId::new(1, 1, "a\0"),
            ObjectId::new(1, 1, "a"),
            ObjectId::new(1, 1, "ab"),
            ObjectId::new(0, 5, "z"),
            ObjectId::MIN,
        ];
        let mut snap = ObjectId::new(1, 1, "a");
        snap.snap = SnapId(3);
        objs.push(snap);
        let mut by_key = objs.clone();
        objs.sort();
        by_key.sort_by_key(|o| object_key(pg, o));
        assert_eq!(objs, by_key);
        assert!(printable(&omap_key(pg, INFO)).ends_with("1.0/_info"));
    }
}
