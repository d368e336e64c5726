//! The DER pieces the roles and bindings extensions are made of: a definite length and
//! one tag-length-value element. Lengths stay below 0x10000 (each extension's `MAX_LEN`).

/// Why a TLV could not be read; the error of each extension has variants of the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlvError {
    /// A tag other than `expected` at byte `offset`.
    Tag {
        expected: &'static str,
        offset: usize,
        found: u8,
    },
    /// Input ended inside an element, at this byte.
    Truncated(usize),
    /// An indefinite, non-minimal or oversized length at this byte.
    NonDerLength(usize),
}

/// `impl From<TlvError>` for an extension's error, whose variants `Tag`, `Truncated` and
/// `NonDerLength` say the same as those of [`TlvError`].
macro_rules! from_tlv_error {
    ($error:ident) => {
        impl From<$crate::der::TlvError> for $error {
            fn from(e: $crate::der::TlvError) -> Self {
                use $crate::der::TlvError;
                match e {
                    TlvError::Tag {
                        expected,
                        offset,
                        found,
                    } => $error::Tag {
                        expected,
                        offset,
                        found,
                    },
                    TlvError::Truncated(at) => $error::Truncated(at),
                    TlvError::NonDerLength(at) => $error::NonDerLength(at),
                }
            }
        }
    };
}
pub(crate) use from_tlv_error;

/// Append the DER length `len` (short form, or one or two length bytes).
pub(crate) fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        // MAX_LEN keeps every length of these formats below 0x10000.
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
}

/// Read one TLV with tag `tag` at `pos` of `buf`: (contents, offset of contents, offset after).
pub(crate) fn read_tlv<'a>(
    buf: &'a [u8],
    pos: usize,
    tag: u8,
    expected: &'static str,
) -> Result<(&'a [u8], usize, usize), TlvError> {
    let found = *buf.get(pos).ok_or(TlvError::Truncated(pos))?;
    if found != tag {
        return Err(TlvError::Tag {
            expected,
            offset: pos,
            found,
        });
    }
    let len_pos = pos + 1;
    let first = *buf.get(len_pos).ok_or(TlvError::Truncated(len_pos))?;
    let (len, start) = if first < 0x80 {
        (usize::from(first), len_pos + 1)
    } else {
        let n = usize::from(first & 0x7f);
        // 0x80 is the indefinite form; more than two length bytes cannot fit MAX_LEN.
        if n == 0 || n > 2 {
            return Err(TlvError::NonDerLength(len_pos));
        }
        let bytes = buf
            .get(len_pos + 1..len_pos + 1 + n)
            .ok_or(TlvError::Truncated(len_pos + 1))?;
        if bytes[0] == 0 {
            return Err(TlvError::NonDerLength(len_pos));
        }
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if len < 0x80 || (n == 2 && len <= 0xff) {
            return Err(TlvError::NonDerLength(len_pos));
        }
        (len, len_pos + 1 + n)
    };
    let end = start
        .checked_add(len)
        .filter(|e| *e <= buf.len())
        .ok_or(TlvError::Truncated(buf.len()))?;
    Ok((&buf[start..end], start, end))
}
