//! Ceph's `pg_log_entry_t`, `osd_reqid_t` and `pg_log_dup_t`.

use alloc::vec::Vec;
use core::fmt;

use super::mod_desc::ModDesc;
use crate::types::{EVersion, ObjectId, SnapId, UTime, Version};

/// The operation a log entry records (`pg_log_entry_t::op`), with Ceph's numeric
/// codes. `BACKLOG = 4` is obsolete upstream and not modelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(i32)]
pub enum LogOp {
    /// `MODIFY`: some modification of the object.
    Modify = 1,
    /// `CLONE`: a clone made from the head.
    Clone = 2,
    /// `DELETE`: the object was deleted.
    Delete = 3,
    /// `LOST_REVERT`: the newest version was lost; revert to an older one.
    LostRevert = 5,
    /// `LOST_DELETE`: the newest version was lost; revert to no object.
    LostDelete = 6,
    /// `LOST_MARK`: the newest version was lost; reads return EIO.
    LostMark = 7,
    /// `PROMOTE`: promoted from another tier.
    Promote = 8,
    /// `CLEAN`: the object was marked clean.
    Clean = 9,
    /// `ERROR`: a write that returned an error (kept for dup detection only).
    Error = 10,
    /// `REPLACE`: delete and recreate.
    Replace = 11,
}

impl LogOp {
    /// Ceph's numeric op code.
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// The op for a Ceph numeric code, `None` for unknown or obsolete codes.
    pub const fn from_code(code: i32) -> Option<LogOp> {
        Some(match code {
            1 => LogOp::Modify,
            2 => LogOp::Clone,
            3 => LogOp::Delete,
            5 => LogOp::LostRevert,
            6 => LogOp::LostDelete,
            7 => LogOp::LostMark,
            8 => LogOp::Promote,
            9 => LogOp::Clean,
            10 => LogOp::Error,
            11 => LogOp::Replace,
            _ => return None,
        })
    }

    /// `get_op_name()`: the name Ceph prints.
    pub const fn name(self) -> &'static str {
        match self {
            LogOp::Modify => "modify",
            LogOp::Clone => "clone",
            LogOp::Delete => "delete",
            LogOp::LostRevert => "l_revert",
            LogOp::LostDelete => "l_delete",
            LogOp::LostMark => "l_mark",
            LogOp::Promote => "promote",
            LogOp::Clean => "clean",
            LogOp::Error => "error",
            LogOp::Replace => "replace",
        }
    }
}

/// Ceph's `osd_reqid_t`: the client request that wrote an entry (entity name,
/// tid, incarnation), used for dup detection. The default (all zero) is
/// "no request" and is never indexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReqId {
    /// `entity_name_t` type (client, osd, mds...).
    pub entity_type: u8,
    /// `entity_name_t` number (`client.4225` → 4225).
    pub entity_num: i64,
    /// The client's transaction id.
    pub tid: u64,
    /// The client incarnation.
    pub inc: i32,
}

impl ReqId {
    /// `entity_name_t::TYPE_CLIENT`.
    pub const TYPE_CLIENT: u8 = 8;

    /// A client request `client.num:tid` (incarnation 0).
    pub const fn client(num: i64, tid: u64) -> Self {
        ReqId {
            entity_type: Self::TYPE_CLIENT,
            entity_num: num,
            tid,
            inc: 0,
        }
    }

    /// True for the default "no request" id.
    pub fn is_zero(&self) -> bool {
        *self == ReqId::default()
    }
}

/// Ceph's `pg_log_entry_t`: one event in a PG log.
///
/// Not modelled: `clean_regions` (the partial-recovery optimisation: every missing
/// item here is fully dirty), `op_returns` and EC `written_shards` (partial
/// writes); none of them changes which objects are missing or what is rolled back.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LogEntry {
    /// What the entry did.
    pub op: LogOp,
    /// The object it did it to.
    pub soid: ObjectId,
    /// The PG version of this entry.
    pub version: EVersion,
    /// The object's previous version (`0'0`: the entry created the object).
    pub prior_version: EVersion,
    /// For `LOST_REVERT`: the version reverted to.
    pub reverting_to: EVersion,
    /// The request that wrote it.
    pub reqid: ReqId,
    /// Further requests folded into this entry, with their user versions.
    pub extra_reqids: Vec<(ReqId, Version)>,
    /// Return codes of `extra_reqids` by index (only errors are recorded).
    pub extra_reqid_return_codes: Vec<(u32, i32)>,
    /// The request's return code (only meaningful for `ERROR` entries).
    pub return_code: i32,
    /// The user-visible object version.
    pub user_version: Version,
    /// The user's mtime.
    pub mtime: UTime,
    /// How to roll the entry back.
    pub mod_desc: ModDesc,
    /// For clones: the snaps the clone belongs to.
    pub snaps: Vec<SnapId>,
}

impl LogEntry {
    /// An entry `op` on `soid` at `version` with `prior_version`, rollbackable and
    /// with no request, as Ceph's constructor leaves it.
    pub fn new(op: LogOp, soid: ObjectId, version: EVersion, prior_version: EVersion) -> Self {
        LogEntry {
            op,
            soid,
            version,
            prior_version,
            reverting_to: EVersion::ZERO,
            reqid: ReqId::default(),
            extra_reqids: Vec::new(),
            extra_reqid_return_codes: Vec::new(),
            return_code: 0,
            user_version: 0,
            mtime: UTime::default(),
            mod_desc: ModDesc::default(),
            snaps: Vec::new(),
        }
    }

    /// `is_clone()`.
    pub fn is_clone(&self) -> bool {
        self.op == LogOp::Clone
    }
    /// `is_modify()`.
    pub fn is_modify(&self) -> bool {
        self.op == LogOp::Modify
    }
    /// `is_lost_revert()`.
    pub fn is_lost_revert(&self) -> bool {
        self.op == LogOp::LostRevert
    }
    /// `is_lost_delete()`.
    pub fn is_lost_delete(&self) -> bool {
        self.op == LogOp::LostDelete
    }
    /// `is_lost_mark()`.
    pub fn is_lost_mark(&self) -> bool {
        self.op == LogOp::LostMark
    }
    /// `is_error()`: `ERROR` entries only serve dup detection; missing-set and
    /// divergence logic ignore them.
    pub fn is_error(&self) -> bool {
        self.op == LogOp::Error
    }

    /// `is_update()`: the entry leaves an object behind.
    pub fn is_update(&self) -> bool {
        matches!(
            self.op,
            LogOp::Clone
                | LogOp::Modify
                | LogOp::Promote
                | LogOp::Clean
                | LogOp::LostRevert
                | LogOp::LostMark
                | LogOp::Replace
        )
    }

    /// `is_delete()`: `DELETE` or `LOST_DELETE`.
    pub fn is_delete(&self) -> bool {
        matches!(self.op, LogOp::Delete | LogOp::LostDelete)
    }

    /// `can_rollback()`: the entry's `ObjectModDesc` allows a local rollback.
    pub fn can_rollback(&self) -> bool {
        self.mod_desc.can_rollback()
    }

    /// `mark_unrollbackable()`.
    pub fn mark_unrollbackable(&mut self) {
        self.mod_desc.mark_unrollbackable();
    }

    /// `object_is_indexed()`: every entry but `ERROR` is indexed by object.
    pub fn object_is_indexed(&self) -> bool {
        !self.is_error()
    }

    /// `reqid_is_indexed()`: a real request on a `MODIFY`, `DELETE`, `ERROR` or
    /// `REPLACE` entry goes into the dup-detection index.
    pub fn reqid_is_indexed(&self) -> bool {
        !self.reqid.is_zero()
            && matches!(
                self.op,
                LogOp::Modify | LogOp::Delete | LogOp::Error | LogOp::Replace
            )
    }

    /// The return code Ceph reports for the `idx`-th extra request
    /// (`extra_reqid_return_codes`, falling back to the entry's own code).
    pub fn extra_return_code(&self, idx: u32) -> i32 {
        if self.return_code < 0 {
            return self.return_code;
        }
        self.extra_reqid_return_codes
            .iter()
            .find(|(i, _)| *i == idx)
            .map_or(self.return_code, |(_, rc)| *rc)
    }
}

impl fmt::Debug for LogEntry {
    /// Ceph's form: `10'101 (10'100) modify obj by client.1:2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} ({:?}) {} {:?}",
            self.version,
            self.prior_version,
            self.op.name(),
            self.soid
        )?;
        if !self.reqid.is_zero() {
            write!(f, " by {:?}", self.reqid)?;
        }
        if !self.can_rollback() {
            f.write_str(" (unrollbackable)")?;
        }
        Ok(())
    }
}

/// Ceph's `pg_log_dup_t`: what is kept of a trimmed entry to answer a resent
/// request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LogDup {
    /// The request.
    pub reqid: ReqId,
    /// The version of the entry it came from.
    pub version: EVersion,
    /// The user version the request produced.
    pub user_version: Version,
    /// The request's return code.
    pub return_code: i32,
}

impl LogDup {
    /// `pg_log_dup_t(entry)`: the dup of an entry's own request.
    pub fn from_entry(e: &LogEntry) -> Self {
        LogDup {
            reqid: e.reqid,
            version: e.version,
            user_version: e.user_version,
            return_code: e.return_code,
        }
    }

    /// The dups of an entry's extra requests, which share its version.
    pub fn extras_of(e: &LogEntry) -> impl Iterator<Item = LogDup> + '_ {
        e.extra_reqids
            .iter()
            .zip(0u32..)
            .map(move |(&(reqid, user_version), idx)| LogDup {
                reqid,
                version: e.version,
                user_version,
                return_code: e.extra_return_code(idx),
            })
    }

    /// `get_key_name()`: `dup_` followed by the version's key.
    pub fn key_name(&self) -> alloc::string::String {
        alloc::format!("dup_{}", self.version.key_name())
    }
}
