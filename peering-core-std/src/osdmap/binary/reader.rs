//! [`Reader`]: Ceph's `denc` primitives over untrusted bytes: little-endian
//! integers, length-prefixed strings and containers, and the versioned struct
//! header (`DECODE_START` / `DECODE_FINISH`).
//!
//! Every count is checked against the bytes left (times the smallest size an
//! element can take) before anything is allocated, so memory stays linear in
//! the input.

use std::collections::BTreeMap;

use super::error::{OsdMapDecodeError, OsdMapDecodeErrorKind as Kind};

/// A cursor over the input.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// An open versioned struct: its version and where its body ends.
pub(super) struct Struct {
    pub(super) what: &'static str,
    pub(super) version: u8,
    end: usize,
}

type Result<T> = core::result::Result<T, OsdMapDecodeError>;

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

    /// The bytes from `start` to the cursor.
    pub(super) fn since(&self, start: usize) -> &'a [u8] {
        self.bytes.get(start..self.pos).unwrap_or(&[])
    }

    pub(super) fn error(&self, kind: Kind) -> OsdMapDecodeError {
        self.error_at(self.pos, kind)
    }

    pub(super) fn error_at(&self, offset: usize, kind: Kind) -> OsdMapDecodeError {
        OsdMapDecodeError { offset, kind }
    }

    /// `n` raw bytes.
    pub(super) fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.pos..end));
        match slice {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(self.error(Kind::Truncated {
                what,
                need: n.saturating_sub(self.remaining()),
            })),
        }
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N]> {
        let s = self.bytes(N, what)?;
        <[u8; N]>::try_from(s).map_err(|_| self.error(Kind::Truncated { what, need: N }))
    }

    pub(super) fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(super) fn bool(&mut self, what: &'static str) -> Result<bool> {
        Ok(self.u8(what)? != 0)
    }

    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn i32(&mut self, what: &'static str) -> Result<i32> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn u64(&mut self, what: &'static str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    pub(super) fn i64(&mut self, what: &'static str) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    pub(super) fn f32(&mut self, what: &'static str) -> Result<f32> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn f64(&mut self, what: &'static str) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    /// A `u32` element count, refused when the rest of the input could not
    /// hold that many elements of at least `min_size` bytes each.
    pub(super) fn count(&mut self, what: &'static str, min_size: usize) -> Result<usize> {
        let at = self.pos;
        let n = self.u32(what)?;
        usize::try_from(n)
            .ok()
            .filter(|n| n.saturating_mul(min_size.max(1)) <= self.remaining())
            .ok_or(OsdMapDecodeError {
                offset: at,
                kind: Kind::CountTooLarge {
                    what,
                    count: u64::from(n),
                    remaining: self.remaining(),
                },
            })
    }

    /// `std::string`: a `u32` length and the bytes, which must be UTF-8.
    pub(super) fn string(&mut self, what: &'static str) -> Result<String> {
        let n = self.count(what, 1)?;
        let at = self.pos;
        let raw = self.bytes(n, what)?;
        core::str::from_utf8(raw)
            .map(str::to_string)
            .map_err(|_| self.error_at(at, Kind::BadString(what)))
    }

    /// `bufferlist`: a `u32` length and the bytes.
    pub(super) fn blob(&mut self, what: &'static str) -> Result<&'a [u8]> {
        let n = self.count(what, 1)?;
        self.bytes(n, what)
    }

    /// `vector<T>` / `set<T>` / `list<T>` with elements of at least `min_size`
    /// bytes.
    pub(super) fn vec<T>(
        &mut self,
        what: &'static str,
        min_size: usize,
        mut item: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        let n = self.count(what, min_size)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(item(self)?);
        }
        Ok(out)
    }

    /// `map<K, V>` with entries of at least `min_size` bytes. A repeated key
    /// keeps the last value, as `std::map` decoding does.
    pub(super) fn map<K: Ord, V>(
        &mut self,
        what: &'static str,
        min_size: usize,
        mut entry: impl FnMut(&mut Self) -> Result<(K, V)>,
    ) -> Result<BTreeMap<K, V>> {
        let n = self.count(what, min_size)?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let (k, v) = entry(self)?;
            out.insert(k, v);
        }
        Ok(out)
    }

    /// `map<string, string>`.
    pub(super) fn string_map(&mut self, what: &'static str) -> Result<BTreeMap<String, String>> {
        self.map(what, 8, |r| Ok((r.string(what)?, r.string(what)?)))
    }

    /// `DECODE_START(known, bl)`: `struct_v`, `struct_compat`, `struct_len`.
    /// Refuses a `compat` newer than `known` (the fields this decoder knows are
    /// no longer where it would look) and a length past the input.
    pub(super) fn start(&mut self, what: &'static str, known: u8) -> Result<Struct> {
        let at = self.pos;
        let version = self.u8(what)?;
        let compat = self.u8(what)?;
        self.body(what, known, version, compat, at)
    }

    /// `DECODE_START_LEGACY_COMPAT_LEN(known, compatv, lenv)`: encodings older
    /// than `lenv` have no compat byte and no length; this decoder refuses them.
    pub(super) fn start_legacy(
        &mut self,
        what: &'static str,
        known: u8,
        lenv: u8,
    ) -> Result<Struct> {
        let at = self.pos;
        let version = self.u8(what)?;
        if version < lenv {
            return Err(self.error_at(
                at,
                Kind::UnsupportedVersion {
                    what,
                    version,
                    compat: 0,
                    known,
                },
            ));
        }
        let compat = self.u8(what)?;
        self.body(what, known, version, compat, at)
    }

    fn body(
        &mut self,
        what: &'static str,
        known: u8,
        version: u8,
        compat: u8,
        at: usize,
    ) -> Result<Struct> {
        if compat > known {
            return Err(self.error_at(
                at,
                Kind::UnsupportedVersion {
                    what,
                    version,
                    compat,
                    known,
                },
            ));
        }
        let len = self.count(what, 1)?;
        Ok(Struct {
            what,
            version,
            end: self.pos + len,
        })
    }

    /// `DECODE_FINISH`: refuses a body that read past its length and skips
    /// what a newer encoder appended after the fields this decoder knows.
    pub(super) fn finish(&mut self, s: Struct) -> Result<()> {
        if self.pos > s.end {
            return Err(self.error(Kind::StructOverrun {
                what: s.what,
                over: self.pos - s.end,
            }));
        }
        self.pos = s.end;
        Ok(())
    }
}
