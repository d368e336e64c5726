//! Strict percent-decoding of one path segment (RFC 3986 §2.1).
//!
//! Lot ids travel percent-encoded in `/v1/lots/{lot}/…`. The router matches the raw
//! (still encoded) path, so a `/` inside a lot id must arrive as `%2F`. Decoding here is
//! strict where common decoders are lenient: a `%` not followed by two hex digits, or bytes
//! that are not UTF-8 after decoding, are errors (400) rather than passed through, so that
//! one lot id has exactly one meaning. `+` is a literal plus sign in a path.

/// Longest raw segment accepted, in bytes (a lot id has at most 128 bytes, so at most 384
/// encoded).
pub const MAX_RAW_SEGMENT: usize = 4096;

/// Why a segment could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegmentError {
    /// `%` not followed by two hex digits.
    #[error("invalid percent-encoding at byte {at}: `%` must be followed by two hex digits")]
    BadEscape {
        /// Byte offset of the `%`.
        at: usize,
    },
    /// The decoded bytes are not UTF-8.
    #[error("the decoded segment is not UTF-8")]
    NotUtf8,
    /// Nothing to decode.
    #[error("the segment is empty")]
    Empty,
    /// Over [`MAX_RAW_SEGMENT`].
    #[error("the segment is over {MAX_RAW_SEGMENT} bytes")]
    TooLong,
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decode one raw path segment.
pub fn decode(raw: &str) -> Result<String, SegmentError> {
    if raw.is_empty() {
        return Err(SegmentError::Empty);
    }
    if raw.len() > MAX_RAW_SEGMENT {
        return Err(SegmentError::TooLong);
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_value);
            let lo = bytes.get(i + 2).copied().and_then(hex_value);
            match (hi, lo) {
                (Some(h), Some(l)) => out.push(h * 16 + l),
                _ => return Err(SegmentError::BadEscape { at: i }),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| SegmentError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_keeps_the_rest() {
        assert_eq!(decode("LOT-1").unwrap(), "LOT-1");
        assert_eq!(decode("A%2FB").unwrap(), "A/B");
        assert_eq!(decode("a%2fb").unwrap(), "a/b");
        assert_eq!(decode("x+y").unwrap(), "x+y");
        assert_eq!(decode("%C3%A9t%C3%A9").unwrap(), "été");
        assert_eq!(
            decode("urn:epc:class:lgtin:4012345.012345.998877").unwrap(),
            "urn:epc:class:lgtin:4012345.012345.998877"
        );
    }

    #[test]
    fn refuses_bad_escapes_and_non_utf8() {
        assert_eq!(decode("%ZZ"), Err(SegmentError::BadEscape { at: 0 }));
        assert_eq!(decode("ab%2"), Err(SegmentError::BadEscape { at: 2 }));
        assert_eq!(decode("ab%"), Err(SegmentError::BadEscape { at: 2 }));
        assert_eq!(decode("%G0"), Err(SegmentError::BadEscape { at: 0 }));
        assert_eq!(decode("%FF%FE"), Err(SegmentError::NotUtf8));
        assert_eq!(decode(""), Err(SegmentError::Empty));
        assert_eq!(
            decode(&"a".repeat(MAX_RAW_SEGMENT + 1)),
            Err(SegmentError::TooLong)
        );
    }
}
