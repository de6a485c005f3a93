//! [`StoreError`]: what a store refuses or cannot read back.
//!
//! A store's contents are untrusted on the way back in (a disk can be
//! truncated, a file can come from another version): every error names the
//! OSD, and the PG and key when there is one, so the host can report the broken
//! PG and start the others (Ceph's `OSD::load_pgs` logs and skips a PG whose
//! `read_state` fails).

use peering_core::types::{OsdId, SpgId};

/// An error of a [`super::Store`].
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum StoreError {
    /// The database itself failed: it could not be opened (missing, truncated,
    /// locked), read or committed (redb's `DatabaseError`, `StorageError`,
    /// `CommitError`...). Nothing of the transaction was applied.
    #[error("{osd}: database: {detail}")]
    Database {
        /// The OSD whose database failed.
        osd: OsdId,
        /// The database's own message.
        detail: String,
    },
    /// The database was written by another store format (the store-level
    /// version, the superblock's `compat` check in Ceph's `OSD::init`).
    #[error("{osd}: store format {found} is not supported (this build reads {supported})")]
    UnknownStoreVersion {
        /// The OSD.
        osd: OsdId,
        /// The version found.
        found: u32,
        /// The version this build reads and writes.
        supported: u32,
    },
    /// The database belongs to another OSD (its superblock's `whoami`).
    #[error("{osd}: the database belongs to {found}")]
    WrongOsd {
        /// The OSD that opened it.
        osd: OsdId,
        /// The OSD it was written by.
        found: OsdId,
    },
    /// A value carries a format version this build does not know
    /// (`DECODE_START`'s `compat` check: "struct v N is newer than what I can decode").
    #[error(
        "{osd} pg {pgid:?} key {key}: value format {found} is not supported (this build reads {supported})"
    )]
    UnknownValueVersion {
        /// The OSD.
        osd: OsdId,
        /// The PG instance, when the key belongs to one.
        pgid: Option<SpgId>,
        /// The key, printable.
        key: String,
        /// The version found.
        found: u8,
        /// The version this build reads and writes.
        supported: u8,
    },
    /// A value or key does not decode (a corrupted or truncated record).
    #[error("{osd} pg {pgid:?} key {key}: corrupt: {detail}")]
    Corrupt {
        /// The OSD.
        osd: OsdId,
        /// The PG instance, when the key belongs to one.
        pgid: Option<SpgId>,
        /// The key, printable.
        key: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A key belongs to a PG instance the OSD does not hold (no entry in its
    /// PG list: a collection left behind, or a key written by a bug).
    #[error("{osd}: key {key} belongs to pg {pgid}, which the OSD does not hold")]
    UnknownPg {
        /// The OSD.
        osd: OsdId,
        /// The PG instance the key names.
        pgid: SpgId,
        /// The key, printable.
        key: String,
    },
    /// A value could not be encoded (it does not fit the format).
    #[error("{osd} pg {pgid:?} key {key}: cannot encode: {detail}")]
    Encode {
        /// The OSD.
        osd: OsdId,
        /// The PG instance, when the key belongs to one.
        pgid: Option<SpgId>,
        /// The key, printable.
        key: String,
        /// Why.
        detail: String,
    },
}
