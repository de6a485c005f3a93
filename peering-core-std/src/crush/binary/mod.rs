//! The binary CRUSH map: what `crushtool -c` writes and `ceph osd
//! getcrushmap` returns (`CrushWrapper::encode` / `decode`, the Pacific
//! layout: no version field, the magic `0x00010000`, then the buckets, the
//! rules, the names, the tunables, the device classes and the choose_args).
//!
//! [`decode_crush`] reads untrusted bytes: every error is a
//! [`CrushDecodeError`] with the byte offset where it was found, nothing
//! panics, and no allocation is larger than what the remaining input could
//! hold. The decoded map is checked as one built from text is (a bucket naming
//! a missing bucket, a cycle, choose_args of the wrong size), then finalized
//! as Ceph's `decode` does. [`encode_crush`] writes the same layout: a map
//! decoded from Ceph's bytes re-encodes to the same bytes (rule steps keep
//! only the arguments their operation uses: Ceph's compiler writes zeros in
//! the others, and so does this encoder).
//!
//! Newer encodings (Squid's MSR tunables after the choose_args) are refused
//! with [`CrushDecodeErrorKind::TrailingData`] rather than half read.

mod decode;
mod encode;
mod reader;

pub use decode::decode_crush;
pub use encode::{CrushEncodeError, encode_crush};
pub use reader::{CrushDecodeError, CrushDecodeErrorKind};

/// `CRUSH_MAGIC`: the first four bytes of an encoded map.
pub const CRUSH_MAGIC: u32 = 0x0001_0000;

#[cfg(test)]
mod tests;
