//! The value encoding of [`super::RedbStore`]: a format version byte, then
//! the value in postcard (Ceph's `ENCODE_START(v, compat)` idea: a reader
//! refuses a version it does not know instead of misreading it).

use peering_core::types::{OsdId, SpgId};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::super::StoreError;
use super::keys::{pg_of, printable};

/// The format of every value this build writes and the only one it reads.
pub const VALUE_FORMAT: u8 = 1;

/// The store-level format (the `superblock` table's `store_version`).
pub const STORE_FORMAT: u32 = 1;

/// `value` encoded under `key` (for the error) of `osd`.
pub(crate) fn encode<T: Serialize + ?Sized>(
    osd: OsdId,
    key: &[u8],
    value: &T,
) -> Result<Vec<u8>, StoreError> {
    postcard::to_extend(value, vec![VALUE_FORMAT]).map_err(|e| StoreError::Encode {
        osd,
        pgid: pg_of(key),
        key: printable(key),
        detail: e.to_string(),
    })
}

/// The value stored under `key`, refusing an unknown format version, a
/// record that does not decode and trailing bytes.
pub(crate) fn decode<T: DeserializeOwned>(
    osd: OsdId,
    pgid: Option<SpgId>,
    key: &[u8],
    bytes: &[u8],
) -> Result<T, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        osd,
        pgid: pgid.or_else(|| pg_of(key)),
        key: printable(key),
        detail,
    };
    let (&version, body) = bytes
        .split_first()
        .ok_or_else(|| corrupt("empty value".into()))?;
    if version != VALUE_FORMAT {
        return Err(StoreError::UnknownValueVersion {
            osd,
            pgid: pgid.or_else(|| pg_of(key)),
            key: printable(key),
            found: version,
            supported: VALUE_FORMAT,
        });
    }
    let (value, rest) = postcard::take_from_bytes(body).map_err(|e| corrupt(e.to_string()))?;
    if !rest.is_empty() {
        return Err(corrupt(format!("{} trailing bytes", rest.len())));
    }
    Ok(value)
}
