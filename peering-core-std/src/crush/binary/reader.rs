//! [`Reader`]: little-endian fields off untrusted bytes, with the offset of
//! every error.

use super::super::CrushError;

/// Why a binary CRUSH map was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CrushDecodeErrorKind {
    /// The input ends inside a field.
    #[error("truncated: {need} more bytes needed for {what}")]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// The bytes it needs.
        need: usize,
    },
    /// The first four bytes are not `CRUSH_MAGIC`.
    #[error("bad magic {0:#010x}")]
    BadMagic(u32),
    /// A count larger than the rest of the input could hold.
    #[error("{what} count {count} does not fit in the {remaining} bytes left")]
    CountTooLarge {
        /// What is counted.
        what: &'static str,
        /// The count read.
        count: u64,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// A bucket algorithm Ceph does not have.
    #[error("unknown bucket algorithm {0}")]
    UnknownBucketAlg(u32),
    /// A rule step operation Ceph does not have.
    #[error("unknown rule step operation {0}")]
    UnknownStepOp(u32),
    /// A field that contradicts another (a bucket whose id is not its slot,
    /// a rule whose ruleset is not its id, a tree of the wrong size...).
    #[error("{0}")]
    Inconsistent(String),
    /// A name that is not UTF-8.
    #[error("a name is not UTF-8")]
    BadName,
    /// Bytes after the last field this decoder knows (a newer encoding).
    #[error("{0} bytes after the choose_args: a newer encoding than Pacific's")]
    TrailingData(usize),
    /// The decoded map is not one CRUSH can evaluate.
    #[error("invalid map: {0}")]
    Invalid(CrushError),
}

/// A binary CRUSH map that could not be decoded: what, and at which byte.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {kind}")]
pub struct CrushDecodeError {
    /// The offset of the field that failed.
    pub offset: usize,
    /// What failed.
    pub kind: CrushDecodeErrorKind,
}

/// A cursor over the input.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    pub(super) fn offset(&self) -> usize {
        self.pos
    }

    pub(super) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub(super) fn error(&self, kind: CrushDecodeErrorKind) -> CrushDecodeError {
        CrushDecodeError {
            offset: self.pos,
            kind,
        }
    }

    fn take<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], CrushDecodeError> {
        let end = self.pos.checked_add(N);
        let slice = end.and_then(|e| self.bytes.get(self.pos..e));
        match slice.and_then(|s| <[u8; N]>::try_from(s).ok()) {
            Some(a) => {
                self.pos += N;
                Ok(a)
            }
            None => Err(self.error(CrushDecodeErrorKind::Truncated {
                what,
                need: N - self.remaining().min(N),
            })),
        }
    }

    pub(super) fn u8(&mut self, what: &'static str) -> Result<u8, CrushDecodeError> {
        Ok(self.take::<1>(what)?[0])
    }

    pub(super) fn u16(&mut self, what: &'static str) -> Result<u16, CrushDecodeError> {
        Ok(u16::from_le_bytes(self.take(what)?))
    }

    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32, CrushDecodeError> {
        Ok(u32::from_le_bytes(self.take(what)?))
    }

    pub(super) fn i32(&mut self, what: &'static str) -> Result<i32, CrushDecodeError> {
        Ok(i32::from_le_bytes(self.take(what)?))
    }

    pub(super) fn i64(&mut self, what: &'static str) -> Result<i64, CrushDecodeError> {
        Ok(i64::from_le_bytes(self.take(what)?))
    }

    /// A count of items of at least `min_size` bytes each, refused when the
    /// rest of the input could not hold that many (the allocation bound).
    pub(super) fn count(
        &mut self,
        what: &'static str,
        min_size: usize,
    ) -> Result<usize, CrushDecodeError> {
        let at = self.pos;
        let n = self.u32(what)?;
        let fits = usize::try_from(n)
            .ok()
            .filter(|n| n.saturating_mul(min_size.max(1)) <= self.remaining());
        fits.ok_or(CrushDecodeError {
            offset: at,
            kind: CrushDecodeErrorKind::CountTooLarge {
                what,
                count: u64::from(n),
                remaining: self.remaining(),
            },
        })
    }

    /// `len` raw bytes as a UTF-8 string.
    pub(super) fn string(
        &mut self,
        len: usize,
        what: &'static str,
    ) -> Result<String, CrushDecodeError> {
        let Some(s) = self
            .pos
            .checked_add(len)
            .and_then(|e| self.bytes.get(self.pos..e))
        else {
            return Err(self.error(CrushDecodeErrorKind::Truncated {
                what,
                need: len.saturating_sub(self.remaining()),
            }));
        };
        let s = std::str::from_utf8(s)
            .map_err(|_| self.error(CrushDecodeErrorKind::BadName))?
            .to_string();
        self.pos += len;
        Ok(s)
    }
}

impl Reader<'_> {
    /// Refuses `n` items of `size` bytes when the rest of the input could
    /// not hold them (a count read earlier, checked for another width).
    pub(super) fn count_fits(
        &self,
        what: &'static str,
        n: usize,
        size: usize,
    ) -> Result<(), CrushDecodeError> {
        if n.saturating_mul(size) > self.remaining() {
            return Err(self.error(CrushDecodeErrorKind::CountTooLarge {
                what,
                count: n as u64,
                remaining: self.remaining(),
            }));
        }
        Ok(())
    }
}
