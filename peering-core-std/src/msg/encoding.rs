//! The frame format: a version byte, the type code, then the postcard-encoded
//! payload.
//!
//! ```text
//! +---------+----------------+---------------------------+
//! | version | type code (LE) | postcard payload          |
//! |  1 byte |     2 bytes    | exactly to the frame end  |
//! +---------+----------------+---------------------------+
//! ```
//!
//! Ceph's own wire format (a `ceph_msg_header` with type, version and
//! compat_version, then front/middle/data) is not reproduced: peers of this library
//! speak this compact form. What is kept is what dispatch relies on: the type code
//! is read before the payload, and a frame is refused as a whole.

use super::catalog::{Message, MsgType};
use super::error::MsgError;

/// The frame version this build writes and reads.
pub const FRAME_VERSION: u8 = 1;

/// Bytes before the payload: the version and the type code.
pub const HEADER_LEN: usize = 3;

/// The default largest frame accepted or produced (16 MiB; Ceph's own messenger
/// caps a message's front section in the same range).
pub const MAX_FRAME_LEN: usize = 16 << 20;

/// Encodes `msg` as one frame.
pub fn encode(msg: &Message) -> Result<Vec<u8>, MsgError> {
    let payload = msg
        .encode_payload()
        .map_err(|e| MsgError::Encode(e.to_string()))?;
    let len = HEADER_LEN.saturating_add(payload.len());
    if len > MAX_FRAME_LEN {
        return Err(MsgError::TooLarge {
            len,
            max: MAX_FRAME_LEN,
        });
    }
    let mut frame = Vec::with_capacity(len);
    frame.push(FRAME_VERSION);
    frame.extend_from_slice(&msg.msg_type().code().to_le_bytes());
    frame.extend_from_slice(&payload);
    Ok(frame)
}

/// Decodes one frame, accepting at most [`MAX_FRAME_LEN`] bytes.
pub fn decode(frame: &[u8]) -> Result<Message, MsgError> {
    decode_with_limit(frame, MAX_FRAME_LEN)
}

/// Decodes one frame of at most `max_len` bytes. The whole frame must be one
/// message: a short header or payload, an unknown version or type, a payload
/// that does not parse, and bytes left over are all refused.
pub fn decode_with_limit(frame: &[u8], max_len: usize) -> Result<Message, MsgError> {
    if frame.len() > max_len {
        return Err(MsgError::TooLarge {
            len: frame.len(),
            max: max_len,
        });
    }
    let (header, payload) = frame
        .split_at_checked(HEADER_LEN)
        .ok_or(MsgError::Truncated)?;
    let [version, lo, hi] = header else {
        return Err(MsgError::Truncated);
    };
    if *version != FRAME_VERSION {
        return Err(MsgError::UnknownVersion(*version));
    }
    let code = u16::from_le_bytes([*lo, *hi]);
    let ty = MsgType::from_code(code).ok_or(MsgError::UnknownType(code))?;
    let (msg, rest) = Message::decode_payload(ty, payload).map_err(|e| match e {
        postcard::Error::DeserializeUnexpectedEnd => MsgError::Truncated,
        other => MsgError::Malformed {
            type_name: ty.name(),
            reason: other.to_string(),
        },
    })?;
    if !rest.is_empty() {
        return Err(MsgError::TrailingBytes(rest.len()));
    }
    Ok(msg)
}
