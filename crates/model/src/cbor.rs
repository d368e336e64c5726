//! Deterministic CBOR (RFC 8949 §4.2.1) — encoder and strict decoder.
//!
//! STUB: the API below is fixed; the implementation is being written.

/// A CBOR data item.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Major type 0.
    Uint(u64),
    /// Major type 1: the value `-1 - n`.
    Nint(u64),
    /// Major type 2.
    Bytes(Vec<u8>),
    /// Major type 3.
    Text(String),
    /// Major type 4.
    Array(Vec<Value>),
    /// Major type 5, in the order decoded; the encoder sorts keys.
    Map(Vec<(Value, Value)>),
    /// Major type 6.
    Tag(u64, Box<Value>),
    /// false / true.
    Bool(bool),
    /// null.
    Null,
    /// undefined.
    Undefined,
    /// Other simple values (0..=19, 32..=255).
    Simple(u8),
    /// Floating point (half, single or double on the wire).
    Float(f64),
}

/// Resource limits for decoding untrusted bytes.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Maximum nesting of arrays, maps and tags.
    pub max_depth: usize,
    /// Maximum input size in bytes.
    pub max_bytes: usize,
    /// Maximum number of data items in total.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 16,
            max_bytes: 1 << 20,
            max_items: 100_000,
        }
    }
}

/// Why bytes are not (deterministic) CBOR.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Placeholder.
    #[error("CBOR decoding is not implemented yet")]
    Unimplemented,
}

/// Encode deterministically (RFC 8949 §4.2.1).
pub fn to_vec(_v: &Value) -> Vec<u8> {
    Vec::new()
}

/// Decode one data item, rejecting anything that is not deterministically encoded.
pub fn from_slice(_bytes: &[u8], _limits: &Limits) -> Result<Value, DecodeError> {
    Err(DecodeError::Unimplemented)
}

/// Decode one well-formed data item, accepting non-deterministic encodings.
pub fn from_slice_lenient(_bytes: &[u8], _limits: &Limits) -> Result<Value, DecodeError> {
    Err(DecodeError::Unimplemented)
}
