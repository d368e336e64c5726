//! Deterministic CBOR (RFC 8949): an encoder, a strict decoder and a lenient decoder.
//!
//! # Why deterministic
//!
//! Certificates sign CBOR bytes. A signature over CBOR only means one thing when every value
//! has exactly one encoding: otherwise the same payload could be re-encoded into different
//! bytes (a different certificate id, a signature that no longer matches), or two different
//! byte strings could claim to carry the same payload. [`to_vec`] therefore always produces
//! the one deterministic encoding of RFC 8949 §4.2.1, and [`from_slice`] accepts only bytes
//! that [`to_vec`] would have produced: for every input `b` that [`from_slice`] accepts,
//! `to_vec(&from_slice(b)?) == b`.
//!
//! # Rules
//!
//! Both decoders reject input that is not well-formed (RFC 8949 §3 and Appendix F):
//!
//! - input longer than [`Limits::max_bytes`], nesting of arrays, maps and tags deeper than
//!   [`Limits::max_depth`], more than [`Limits::max_items`] data items
//!   ([`DecodeError::TooLarge`], [`DecodeError::TooDeep`], [`DecodeError::TooManyItems`]);
//! - input that ends inside a data item, including any declared length (of a byte string,
//!   text string, array or map) larger than what is left of the input
//!   ([`DecodeError::Truncated`]). Declared lengths are checked against the remaining input
//!   and the item budget *before* anything is allocated for them;
//! - bytes after the one top-level data item ([`DecodeError::TrailingBytes`]);
//! - the reserved additional-information values 28, 29 and 30
//!   ([`DecodeError::Reserved`]);
//! - a two-byte simple value (`0xf8`) below 32 ([`DecodeError::BadSimple`], §3.3);
//! - a "break" byte (`0xff`) that does not close an indefinite-length array or map
//!   ([`DecodeError::UnexpectedBreak`]); an indefinite length on an integer or tag, and a
//!   chunk of an indefinite-length string that is not a definite string of the same type
//!   ([`DecodeError::MalformedIndefinite`]);
//! - text strings (and each chunk of an indefinite-length text string) that are not valid
//!   UTF-8 ([`DecodeError::InvalidUtf8`]).
//!
//! [`from_slice`] (strict) also rejects everything that is well-formed but not
//! deterministic (§4.2.1):
//!
//! - integers, lengths and tag numbers not in the shortest form
//!   ([`DecodeError::NonCanonicalInteger`]);
//! - indefinite-length strings, arrays and maps ([`DecodeError::IndefiniteLength`]);
//! - map keys not in strictly increasing bytewise lexicographic order of their encodings
//!   ([`DecodeError::UnsortedMapKeys`]; an equal key is [`DecodeError::DuplicateMapKey`]);
//! - floating-point values not in the shortest of half, single and double precision that
//!   holds the value exactly, and any NaN other than the half-precision `0xf97e00`
//!   ([`DecodeError::NonCanonicalFloat`]).
//!
//! [`from_slice_lenient`] accepts those, keeps map entries in the order read and accepts
//! duplicate keys (the first and later entries are all kept).
//!
//! Tags are not interpreted: a bignum (tag 2 or 3) is a tag around a byte string, and its
//! own preferred form (no leading zeros, not used for values that fit major type 0 or 1) is
//! left to the code that gives the tag a meaning. Integer-valued floats are not turned into
//! integers; [`Value::Float`] is always encoded as a float.

use std::cmp::Ordering;
use std::fmt;

/// A CBOR data item.
///
/// [`fmt::Display`] prints the value in CBOR diagnostic notation (RFC 8949 §8), e.g.
/// `{1: h'01', "a": [-1, 1.5, simple(16)]}`.
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
    ///
    /// 20..=23 have their own variants ([`Value::Bool`], [`Value::Null`],
    /// [`Value::Undefined`]); `Simple(20..=23)` encodes to the same bytes as those and
    /// decodes as them. 24..=31 have no well-formed encoding: `to_vec` writes them as
    /// `0xf8 n`, which both decoders reject.
    Simple(u8),
    /// Floating point (half, single or double on the wire).
    Float(f64),
}

impl Value {
    /// A text string.
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    /// A byte string.
    pub fn bytes(b: impl Into<Vec<u8>>) -> Value {
        Value::Bytes(b.into())
    }

    /// A signed integer: [`Value::Uint`] for `i >= 0`, [`Value::Nint`] otherwise.
    pub fn int(i: i64) -> Value {
        if i >= 0 {
            Value::Uint(i.unsigned_abs())
        } else {
            // -1 - n = i  =>  n = |i| - 1, which cannot underflow because i <= -1.
            Value::Nint(i.unsigned_abs() - 1)
        }
    }

    /// The value of a [`Value::Uint`].
    pub fn as_uint(&self) -> Option<u64> {
        match self {
            Value::Uint(n) => Some(*n),
            _ => None,
        }
    }

    /// The value of a [`Value::Uint`] or [`Value::Nint`] (every CBOR integer fits an `i128`).
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Uint(n) => Some(i128::from(*n)),
            Value::Nint(n) => Some(-1 - i128::from(*n)),
            _ => None,
        }
    }

    /// The contents of a [`Value::Text`].
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The contents of a [`Value::Bytes`].
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The elements of a [`Value::Array`].
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a [`Value::Map`], in their stored order.
    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of a [`Value::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value of a [`Value::Float`].
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The tag number and content of a [`Value::Tag`].
    pub fn as_tag(&self) -> Option<(u64, &Value)> {
        match self {
            Value::Tag(tag, inner) => Some((*tag, inner)),
            _ => None,
        }
    }

    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// In a [`Value::Map`], the value of the first entry whose key equals `key`; `None` for a
    /// missing key or when `self` is not a map.
    pub fn get(&self, key: &Value) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// In a [`Value::Map`], the value of the first entry whose key is the text string
    /// `name`; `None` for a missing key or when `self` is not a map.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_text() == Some(name))
            .map(|(_, v)| v)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Uint(n)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
}

/// Resource limits for decoding untrusted bytes.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Maximum nesting of arrays, maps and tags: a top-level integer has depth 0, `[1]` and
    /// `[]` have depth 1, `[[1]]`, `{1: [2]}` and `1([1])` have depth 2.
    pub max_depth: usize,
    /// Maximum input size in bytes.
    pub max_bytes: usize,
    /// Maximum number of data items in total (every key, value, element, tag and chunk of an
    /// indefinite-length string counts one).
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: crate::limits::CBOR_DEPTH,
            max_bytes: crate::limits::CERTIFICATE_BYTES,
            max_items: crate::limits::CBOR_ITEMS,
        }
    }
}

/// Why bytes are not (deterministic) CBOR. Offsets count bytes from the start of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input is longer than [`Limits::max_bytes`].
    #[error("CBOR input is {len} bytes, more than the size limit of {limit}")]
    TooLarge {
        /// Input length.
        len: usize,
        /// [`Limits::max_bytes`].
        limit: usize,
    },
    /// Arrays, maps and tags are nested deeper than [`Limits::max_depth`].
    #[error(
        "CBOR nesting of arrays, maps and tags exceeds the limit CBOR_DEPTH of {limit} levels at byte offset {offset}"
    )]
    TooDeep {
        /// The container that would exceed the limit.
        offset: usize,
        /// [`Limits::max_depth`].
        limit: usize,
    },
    /// More data items than [`Limits::max_items`] (counted or declared).
    #[error(
        "CBOR input has more data items than the limit CBOR_ITEMS of {limit} (at byte offset {offset})"
    )]
    TooManyItems {
        /// The item that exceeds the limit, or the header declaring too many.
        offset: usize,
        /// [`Limits::max_items`].
        limit: usize,
    },
    /// The input ends inside the data item starting at `offset`, or that item declares a
    /// length longer than the rest of the input.
    #[error("CBOR input ends inside the data item at byte offset {offset}")]
    Truncated {
        /// Start of the incomplete data item (the input length when the item is missing).
        offset: usize,
    },
    /// Bytes follow the one top-level data item.
    #[error("trailing bytes after the CBOR data item, from byte offset {offset}")]
    TrailingBytes {
        /// First byte after the data item.
        offset: usize,
    },
    /// Additional information 28, 29 or 30 (reserved, not well-formed).
    #[error("reserved additional information (28-30) in the CBOR header at byte offset {offset}")]
    Reserved {
        /// The header byte.
        offset: usize,
    },
    /// A two-byte simple value below 32 (RFC 8949 §3.3: not well-formed).
    #[error("simple value {value} encoded in two bytes at byte offset {offset} (not well-formed)")]
    BadSimple {
        /// The `0xf8` byte.
        offset: usize,
        /// The simple value that followed.
        value: u8,
    },
    /// A break byte (`0xff`) that closes no indefinite-length array or map.
    #[error("unexpected CBOR break byte at byte offset {offset}")]
    UnexpectedBreak {
        /// The break byte.
        offset: usize,
    },
    /// An indefinite length on a major type that has none (integers, tags), or a chunk of
    /// an indefinite-length string that is not a definite string of the same major type.
    #[error("malformed indefinite-length CBOR item at byte offset {offset}")]
    MalformedIndefinite {
        /// The offending header.
        offset: usize,
    },
    /// A text string that is not valid UTF-8.
    #[error("invalid UTF-8 in CBOR text string at byte offset {offset}")]
    InvalidUtf8 {
        /// The first byte that is not part of a valid UTF-8 sequence.
        offset: usize,
    },
    /// Strict only: an integer, length or tag number not in its shortest form.
    #[error("non-shortest integer, length or tag argument at byte offset {offset}")]
    NonCanonicalInteger {
        /// The header byte.
        offset: usize,
    },
    /// Strict only: an indefinite-length string, array or map.
    #[error("indefinite-length CBOR item at byte offset {offset} (not deterministic)")]
    IndefiniteLength {
        /// The header byte.
        offset: usize,
    },
    /// Strict only: a map key not greater (bytewise) than the key before it.
    #[error("CBOR map keys out of order at byte offset {offset}")]
    UnsortedMapKeys {
        /// The key that sorts before its predecessor.
        offset: usize,
    },
    /// Strict only: a map key equal to the key before it.
    #[error("duplicate CBOR map key at byte offset {offset}")]
    DuplicateMapKey {
        /// The repeated key.
        offset: usize,
    },
    /// Strict only: a float not in its shortest exact form, or a NaN other than `f97e00`.
    #[error("float at byte offset {offset} is not in its shortest form")]
    NonCanonicalFloat {
        /// The header byte.
        offset: usize,
    },
}

/// Encode deterministically (RFC 8949 §4.2.1).
///
/// Arguments in their shortest form, definite lengths only, map entries sorted by the
/// bytewise order of their encoded keys (duplicate keys are kept, in their given order),
/// floats in the shortest of half, single and double precision that holds the value exactly,
/// every NaN as `f97e00`. Recursion follows the nesting of `v`.
#[must_use]
pub fn to_vec(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(v, &mut out);
    out
}

/// Decode one data item, rejecting anything that is not deterministically encoded (see the
/// module documentation for the rules).
pub fn from_slice(bytes: &[u8], limits: &Limits) -> Result<Value, DecodeError> {
    Decoder::new(bytes, limits, Mode::Strict)?.run()
}

/// Decode one well-formed data item, accepting non-deterministic encodings (indefinite
/// lengths, unsorted or duplicate map keys, non-shortest arguments and floats).
pub fn from_slice_lenient(bytes: &[u8], limits: &Limits) -> Result<Value, DecodeError> {
    Decoder::new(bytes, limits, Mode::Lenient)?.run()
}

// ---------------------------------------------------------------------------------------
// Encoder

const MAJOR_UINT: u8 = 0;
const MAJOR_NINT: u8 = 1;
const MAJOR_BYTES: u8 = 2;
const MAJOR_TEXT: u8 = 3;
const MAJOR_ARRAY: u8 = 4;
const MAJOR_MAP: u8 = 5;
const MAJOR_TAG: u8 = 6;
const MAJOR_SIMPLE: u8 = 7;

/// The canonical NaN, half precision.
const NAN_HALF: [u8; 3] = [0xf9, 0x7e, 0x00];

fn write_head(major: u8, arg: u64, out: &mut Vec<u8>) {
    let m = major << 5;
    if let Ok(small) = u8::try_from(arg) {
        if small < 24 {
            out.push(m | small);
        } else {
            out.extend_from_slice(&[m | 24, small]);
        }
    } else if let Ok(v) = u16::try_from(arg) {
        out.push(m | 25);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = u32::try_from(arg) {
        out.push(m | 26);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

fn len_arg(len: usize) -> u64 {
    // usize is at most 64 bits on every supported target.
    u64::try_from(len).unwrap_or(u64::MAX)
}

fn encode_into(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Uint(n) => write_head(MAJOR_UINT, *n, out),
        Value::Nint(n) => write_head(MAJOR_NINT, *n, out),
        Value::Bytes(b) => {
            write_head(MAJOR_BYTES, len_arg(b.len()), out);
            out.extend_from_slice(b);
        }
        Value::Text(s) => {
            write_head(MAJOR_TEXT, len_arg(s.len()), out);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Array(items) => {
            write_head(MAJOR_ARRAY, len_arg(items.len()), out);
            for item in items {
                encode_into(item, out);
            }
        }
        Value::Map(entries) => {
            let mut sorted: Vec<(Vec<u8>, &Value)> =
                entries.iter().map(|(k, v)| (to_vec(k), v)).collect();
            // Stable: duplicate keys stay in their given order.
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            write_head(MAJOR_MAP, len_arg(sorted.len()), out);
            for (key, value) in sorted {
                out.extend_from_slice(&key);
                encode_into(value, out);
            }
        }
        Value::Tag(tag, inner) => {
            write_head(MAJOR_TAG, *tag, out);
            encode_into(inner, out);
        }
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Null => out.push(0xf6),
        Value::Undefined => out.push(0xf7),
        Value::Simple(n) => {
            if *n < 24 {
                out.push(0xe0 | *n);
            } else {
                out.extend_from_slice(&[0xf8, *n]);
            }
        }
        Value::Float(f) => encode_float(*f, out),
    }
}

fn encode_float(v: f64, out: &mut Vec<u8>) {
    if v.is_nan() {
        out.extend_from_slice(&NAN_HALF);
    } else if let Some(h) = f64_to_f16_exact(v) {
        out.push(0xf9);
        out.extend_from_slice(&h.to_be_bytes());
    } else {
        // `as` rounds to nearest (infinity when out of range); the value is kept only when
        // the round trip is exact, sign of zero included.
        let single = v as f32;
        if f64::from(single).to_bits() == v.to_bits() {
            out.push(0xfa);
            out.extend_from_slice(&single.to_bits().to_be_bytes());
        } else {
            out.push(0xfb);
            out.extend_from_slice(&v.to_bits().to_be_bytes());
        }
    }
}

/// The IEEE 754 half-precision bits that hold `v` exactly, if any (`None` for NaN).
fn f64_to_f16_exact(v: f64) -> Option<u16> {
    if v.is_nan() {
        return None;
    }
    let sign: u16 = if v.is_sign_negative() { 0x8000 } else { 0 };
    let a = v.abs();
    let magnitude = if a == 0.0 {
        0
    } else if a.is_infinite() {
        0x7c00
    } else if a >= f64::powi(2.0, -14) {
        // Normal half: exponent -14..=15, 10 mantissa bits.
        if a > 65504.0 {
            return None;
        }
        let bits = a.to_bits();
        if bits & ((1u64 << 42) - 1) != 0 {
            return None;
        }
        let exp = (bits >> 52) & 0x7ff; // biased by 1023, here 1009..=1038
        let half_exp = u16::try_from(exp.checked_sub(1023 - 15)?).ok()?;
        let mantissa = u16::try_from((bits >> 42) & 0x3ff).ok()?;
        (half_exp << 10) | mantissa
    } else {
        // Subnormal half: m * 2^-24 with 0 < m < 1024. Scaling by a power of two is exact.
        let m = a * f64::powi(2.0, 24);
        if m.fract() != 0.0 || m >= 1024.0 {
            return None;
        }
        m as u16
    };
    Some(sign | magnitude)
}

/// The value of IEEE 754 half-precision bits.
fn f16_to_f64(h: u16) -> f64 {
    let exp = i32::from((h >> 10) & 0x1f);
    let mantissa = f64::from(h & 0x3ff);
    let magnitude = match exp {
        0 => mantissa * f64::powi(2.0, -24),
        31 if mantissa == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1024.0 + mantissa) * f64::powi(2.0, e - 25),
    };
    if h & 0x8000 != 0 {
        -magnitude
    } else {
        magnitude
    }
}

// ---------------------------------------------------------------------------------------
// Decoder

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Strict,
    Lenient,
}

/// The argument of a header.
#[derive(Clone, Copy)]
enum Arg {
    Value(u64),
    /// Additional information 31.
    Indefinite,
}

#[derive(Clone, Copy)]
struct Header {
    offset: usize,
    major: u8,
    ai: u8,
    arg: Arg,
}

/// At most this many elements are reserved ahead for a declared array or map length; the
/// rest grows as elements are actually read. The length itself has already been checked
/// against the remaining input and the item budget, but a short input can still declare
/// far more elements than it is worth reserving memory for up front.
const PREALLOCATE_MAX: usize = 256;

/// An array, map or tag whose content is still being read.
enum Frame {
    Array {
        items: Vec<Value>,
        /// Elements still to read; `None` for an indefinite length.
        left: Option<usize>,
    },
    Map {
        entries: Vec<(Value, Value)>,
        /// The key read, waiting for its value.
        key: Option<Value>,
        /// Entries still to read; `None` for an indefinite length.
        left: Option<usize>,
        /// Where the key being read started.
        key_start: usize,
        /// Byte range of the previous key (strict key order).
        prev_key: Option<(usize, usize)>,
    },
    Tag(u64),
}

/// What one header turned into.
enum Step {
    /// A complete data item.
    Item(Value),
    /// A container was opened.
    Open(Frame),
    /// A break byte.
    Break,
}

struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
    mode: Mode,
    limits: &'a Limits,
    items: usize,
}

impl<'a> Decoder<'a> {
    fn new(input: &'a [u8], limits: &'a Limits, mode: Mode) -> Result<Self, DecodeError> {
        if input.len() > limits.max_bytes {
            return Err(DecodeError::TooLarge {
                len: input.len(),
                limit: limits.max_bytes,
            });
        }
        Ok(Decoder {
            input,
            pos: 0,
            mode,
            limits,
            items: 0,
        })
    }

    fn strict(&self) -> bool {
        self.mode == Mode::Strict
    }

    fn remaining(&self) -> usize {
        self.input.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.input.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    fn read_be(&mut self, n: usize, offset: usize) -> Result<u64, DecodeError> {
        let bytes = self.take(n).ok_or(DecodeError::Truncated { offset })?;
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn header(&mut self) -> Result<Header, DecodeError> {
        let offset = self.pos;
        let initial = *self
            .take(1)
            .and_then(|s| s.first())
            .ok_or(DecodeError::Truncated { offset })?;
        let major = initial >> 5;
        let ai = initial & 0x1f;
        let arg = match ai {
            0..=23 => Arg::Value(u64::from(ai)),
            24 => Arg::Value(self.read_be(1, offset)?),
            25 => Arg::Value(self.read_be(2, offset)?),
            26 => Arg::Value(self.read_be(4, offset)?),
            27 => Arg::Value(self.read_be(8, offset)?),
            28..=30 => return Err(DecodeError::Reserved { offset }),
            _ => Arg::Indefinite,
        };
        if let Arg::Value(v) = arg
            && self.strict()
            && major != MAJOR_SIMPLE
        {
            let shortest = match ai {
                24 => v >= 24,
                25 => v > 0xff,
                26 => v > 0xffff,
                27 => v > 0xffff_ffff,
                _ => true,
            };
            if !shortest {
                return Err(DecodeError::NonCanonicalInteger { offset });
            }
        }
        Ok(Header {
            offset,
            major,
            ai,
            arg,
        })
    }

    fn count_item(&mut self, offset: usize) -> Result<(), DecodeError> {
        self.items = self.items.saturating_add(1);
        if self.items > self.limits.max_items {
            return Err(DecodeError::TooManyItems {
                offset,
                limit: self.limits.max_items,
            });
        }
        Ok(())
    }

    /// Checks a declared element count (`per_entry` items of at least one byte each) against
    /// the item budget and the remaining input, before anything is allocated for it.
    fn check_declared(
        &self,
        declared: u64,
        per_entry: usize,
        offset: usize,
    ) -> Result<usize, DecodeError> {
        let needed = usize::try_from(declared)
            .ok()
            .and_then(|n| n.checked_mul(per_entry))
            .unwrap_or(usize::MAX);
        if needed > self.limits.max_items.saturating_sub(self.items) {
            return Err(DecodeError::TooManyItems {
                offset,
                limit: self.limits.max_items,
            });
        }
        if needed > self.remaining() {
            return Err(DecodeError::Truncated { offset });
        }
        // `needed` fits, so `declared` fits a usize.
        usize::try_from(declared).map_err(|_| DecodeError::Truncated { offset })
    }

    /// The content of a definite-length string, checked against the remaining input first.
    fn string_content(&mut self, len: u64, offset: usize) -> Result<&'a [u8], DecodeError> {
        let n = usize::try_from(len)
            .ok()
            .filter(|&n| n <= self.remaining())
            .ok_or(DecodeError::Truncated { offset })?;
        self.take(n).ok_or(DecodeError::Truncated { offset })
    }

    fn utf8(bytes: &[u8], start: usize) -> Result<&str, DecodeError> {
        std::str::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 {
            offset: start.saturating_add(e.valid_up_to()),
        })
    }

    /// A byte or text string; `h` has major type 2 or 3.
    fn string(&mut self, h: Header) -> Result<Value, DecodeError> {
        let text = h.major == MAJOR_TEXT;
        let content = match h.arg {
            Arg::Value(len) => {
                let start = self.pos;
                let bytes = self.string_content(len, h.offset)?;
                if text {
                    Self::utf8(bytes, start)?;
                }
                bytes.to_vec()
            }
            Arg::Indefinite => {
                if self.strict() {
                    return Err(DecodeError::IndefiniteLength { offset: h.offset });
                }
                let mut content = Vec::new();
                loop {
                    let chunk = self.header()?;
                    match chunk.arg {
                        Arg::Indefinite if chunk.major == MAJOR_SIMPLE => break,
                        Arg::Value(len) if chunk.major == h.major => {
                            self.count_item(chunk.offset)?;
                            let start = self.pos;
                            let bytes = self.string_content(len, chunk.offset)?;
                            if text {
                                Self::utf8(bytes, start)?;
                            }
                            content.extend_from_slice(bytes);
                        }
                        _ => {
                            return Err(DecodeError::MalformedIndefinite {
                                offset: chunk.offset,
                            });
                        }
                    }
                }
                content
            }
        };
        if text {
            // Each piece was checked above; the whole is valid UTF-8 too.
            String::from_utf8(content)
                .map(Value::Text)
                .map_err(|e| DecodeError::InvalidUtf8 {
                    offset: h.offset.saturating_add(e.utf8_error().valid_up_to()),
                })
        } else {
            Ok(Value::Bytes(content))
        }
    }

    fn simple_or_float(&mut self, h: Header) -> Result<Value, DecodeError> {
        let Arg::Value(arg) = h.arg else {
            // A break byte; `step` handles it before getting here.
            return Err(DecodeError::UnexpectedBreak { offset: h.offset });
        };
        let value = match h.ai {
            0..=19 => Value::Simple(h.ai),
            20 => Value::Bool(false),
            21 => Value::Bool(true),
            22 => Value::Null,
            23 => Value::Undefined,
            24 => {
                let n = u8::try_from(arg).unwrap_or(u8::MAX);
                if n < 32 {
                    return Err(DecodeError::BadSimple {
                        offset: h.offset,
                        value: n,
                    });
                }
                Value::Simple(n)
            }
            25 => Value::Float(f16_to_f64(u16::try_from(arg).unwrap_or(0))),
            26 => Value::Float(f64::from(f32::from_bits(u32::try_from(arg).unwrap_or(0)))),
            _ => Value::Float(f64::from_bits(arg)),
        };
        if let Value::Float(f) = value
            && self.strict()
        {
            let mut canonical = Vec::with_capacity(9);
            encode_float(f, &mut canonical);
            let read = self.input.get(h.offset..self.pos).unwrap_or_default();
            if canonical != read {
                return Err(DecodeError::NonCanonicalFloat { offset: h.offset });
            }
        }
        Ok(value)
    }

    fn open(&self, frame: Frame, depth: usize, offset: usize) -> Result<Step, DecodeError> {
        if depth >= self.limits.max_depth {
            return Err(DecodeError::TooDeep {
                offset,
                limit: self.limits.max_depth,
            });
        }
        Ok(Step::Open(frame))
    }

    /// Reads one header and what belongs to it (a whole string, a scalar), or opens a
    /// container.
    fn step(&mut self, depth: usize) -> Result<Step, DecodeError> {
        let h = self.header()?;
        if h.major == MAJOR_SIMPLE && matches!(h.arg, Arg::Indefinite) {
            return Ok(Step::Break);
        }
        self.count_item(h.offset)?;
        match (h.major, h.arg) {
            (MAJOR_UINT | MAJOR_NINT | MAJOR_TAG, Arg::Indefinite) => {
                Err(DecodeError::MalformedIndefinite { offset: h.offset })
            }
            (MAJOR_UINT, Arg::Value(n)) => Ok(Step::Item(Value::Uint(n))),
            (MAJOR_NINT, Arg::Value(n)) => Ok(Step::Item(Value::Nint(n))),
            (MAJOR_BYTES | MAJOR_TEXT, _) => Ok(Step::Item(self.string(h)?)),
            (MAJOR_ARRAY | MAJOR_MAP, Arg::Indefinite) => {
                if self.strict() {
                    return Err(DecodeError::IndefiniteLength { offset: h.offset });
                }
                let frame = if h.major == MAJOR_ARRAY {
                    Frame::Array {
                        items: Vec::new(),
                        left: None,
                    }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        left: None,
                        key_start: self.pos,
                        prev_key: None,
                    }
                };
                self.open(frame, depth, h.offset)
            }
            (MAJOR_ARRAY, Arg::Value(declared)) => {
                let n = self.check_declared(declared, 1, h.offset)?;
                let frame = Frame::Array {
                    items: Vec::with_capacity(n.min(PREALLOCATE_MAX)),
                    left: Some(n),
                };
                let step = self.open(frame, depth, h.offset)?;
                Ok(if n == 0 {
                    Step::Item(Value::Array(Vec::new()))
                } else {
                    step
                })
            }
            (MAJOR_MAP, Arg::Value(declared)) => {
                let n = self.check_declared(declared, 2, h.offset)?;
                let frame = Frame::Map {
                    entries: Vec::with_capacity(n.min(PREALLOCATE_MAX)),
                    key: None,
                    left: Some(n),
                    key_start: self.pos,
                    prev_key: None,
                };
                let step = self.open(frame, depth, h.offset)?;
                Ok(if n == 0 {
                    Step::Item(Value::Map(Vec::new()))
                } else {
                    step
                })
            }
            (MAJOR_TAG, Arg::Value(tag)) => self.open(Frame::Tag(tag), depth, h.offset),
            _ => Ok(Step::Item(self.simple_or_float(h)?)),
        }
    }

    /// Decodes the whole input: one data item and nothing after it. Iterative, with an
    /// explicit stack bounded by `max_depth`, so hostile nesting cannot exhaust the call
    /// stack.
    fn run(mut self) -> Result<Value, DecodeError> {
        let mut stack: Vec<Frame> = Vec::new();
        let value = loop {
            let item_start = self.pos;
            if let Some(Frame::Map {
                key: None,
                key_start,
                ..
            }) = stack.last_mut()
            {
                *key_start = item_start;
            }
            let done = match self.step(stack.len())? {
                Step::Open(frame) => {
                    stack.push(frame);
                    continue;
                }
                Step::Item(v) => v,
                Step::Break => match stack.pop() {
                    Some(Frame::Array { items, left: None }) => Value::Array(items),
                    Some(Frame::Map {
                        entries,
                        key: None,
                        left: None,
                        ..
                    }) => Value::Map(entries),
                    _ => return Err(DecodeError::UnexpectedBreak { offset: item_start }),
                },
            };
            if let Some(top) = self.complete(&mut stack, done)? {
                break top;
            }
        };
        if self.pos != self.input.len() {
            return Err(DecodeError::TrailingBytes { offset: self.pos });
        }
        Ok(value)
    }

    /// Hands a complete item to the innermost open container, closing every container it
    /// completes. Returns the top-level value once the stack is empty.
    fn complete(
        &self,
        stack: &mut Vec<Frame>,
        mut value: Value,
    ) -> Result<Option<Value>, DecodeError> {
        loop {
            if let Some(Frame::Tag(tag)) = stack.last() {
                value = Value::Tag(*tag, Box::new(value));
                stack.pop();
                continue;
            }
            let Some(top) = stack.last_mut() else {
                return Ok(Some(value));
            };
            let closed = match top {
                Frame::Array { items, left } => {
                    items.push(value);
                    match left {
                        Some(l) => {
                            *l = l.saturating_sub(1);
                            *l == 0
                        }
                        None => false,
                    }
                }
                Frame::Map {
                    entries,
                    key,
                    left,
                    key_start,
                    prev_key,
                } => match key.take() {
                    None => {
                        let this_key = (*key_start, self.pos);
                        if self.strict() {
                            if let Some(prev) = *prev_key {
                                self.check_key_order(prev, this_key)?;
                            }
                            *prev_key = Some(this_key);
                        }
                        *key = Some(value);
                        return Ok(None);
                    }
                    Some(k) => {
                        entries.push((k, value));
                        match left {
                            Some(l) => {
                                *l = l.saturating_sub(1);
                                *l == 0
                            }
                            None => false,
                        }
                    }
                },
                Frame::Tag(_) => false, // handled above
            };
            if !closed {
                return Ok(None);
            }
            value = match stack.pop() {
                Some(Frame::Array { items, .. }) => Value::Array(items),
                Some(Frame::Map { entries, .. }) => Value::Map(entries),
                // A Tag frame is never closed here; an empty stack cannot be.
                Some(Frame::Tag(_)) | None => return Ok(None),
            };
        }
    }

    /// Strict: the key encoded at `this` must sort strictly after the one at `prev`. In strict
    /// mode every key was itself deterministically encoded, so its input bytes are its
    /// deterministic encoding.
    fn check_key_order(
        &self,
        prev: (usize, usize),
        this: (usize, usize),
    ) -> Result<(), DecodeError> {
        let prev_bytes = self.input.get(prev.0..prev.1).unwrap_or_default();
        let this_bytes = self.input.get(this.0..this.1).unwrap_or_default();
        match this_bytes.cmp(prev_bytes) {
            Ordering::Greater => Ok(()),
            Ordering::Equal => Err(DecodeError::DuplicateMapKey { offset: this.0 }),
            Ordering::Less => Err(DecodeError::UnsortedMapKeys { offset: this.0 }),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Diagnostic notation

fn write_text(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if u32::from(c) < 0x20 || c == '\u{7f}' => write!(f, "\\u{:04x}", u32::from(c))?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for Value {
    /// CBOR diagnostic notation (RFC 8949 §8): integers in decimal, `h'…'` byte strings,
    /// JSON-escaped text, `[…]`, `{k: v, …}` in stored order, `tag(content)`, `simple(n)`,
    /// floats with a `.` or exponent, `NaN`, `Infinity`, `-Infinity`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Uint(n) => write!(f, "{n}"),
            Value::Nint(n) => write!(f, "{}", -1 - i128::from(*n)),
            Value::Bytes(b) => write!(f, "h'{}'", hex::encode(b)),
            Value::Text(s) => write_text(f, s),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            Value::Tag(tag, inner) => write!(f, "{tag}({inner})"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Null => f.write_str("null"),
            Value::Undefined => f.write_str("undefined"),
            Value::Simple(n) => write!(f, "simple({n})"),
            Value::Float(x) if x.is_nan() => f.write_str("NaN"),
            Value::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { "Infinity" } else { "-Infinity" })
            }
            // Debug keeps a `.0` on integral values and switches to an exponent for very
            // large and very small magnitudes; both read back as the same f64.
            Value::Float(x) => write!(f, "{x:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    fn strict(s: &str) -> Result<Value, DecodeError> {
        from_slice(&h(s), &Limits::default())
    }

    fn lenient(s: &str) -> Result<Value, DecodeError> {
        from_slice_lenient(&h(s), &Limits::default())
    }

    use DecodeError as E;

    /// Inputs both decoders reject, with the error each must give.
    const NOT_WELL_FORMED: &[(&str, DecodeError)] = &[
        // truncation
        ("", E::Truncated { offset: 0 }),
        ("18", E::Truncated { offset: 0 }),
        ("19 01", E::Truncated { offset: 0 }),
        ("1b 00000000 000000", E::Truncated { offset: 0 }),
        ("62 61", E::Truncated { offset: 0 }),
        ("5a ffffffff 00", E::Truncated { offset: 0 }),
        ("82 01", E::Truncated { offset: 0 }),
        ("82 01 82 01", E::Truncated { offset: 2 }),
        ("a1 01", E::Truncated { offset: 0 }),
        ("c0", E::Truncated { offset: 1 }),
        ("81 c0", E::Truncated { offset: 2 }),
        ("f9 00", E::Truncated { offset: 0 }),
        ("fa 000000", E::Truncated { offset: 0 }),
        ("fb 00000000 000000", E::Truncated { offset: 0 }),
        ("f8", E::Truncated { offset: 0 }),
        // trailing bytes
        ("00 00", E::TrailingBytes { offset: 1 }),
        ("81 00 ff", E::TrailingBytes { offset: 2 }),
        ("a0 a0", E::TrailingBytes { offset: 1 }),
        // reserved additional information
        ("1c", E::Reserved { offset: 0 }),
        ("3d", E::Reserved { offset: 0 }),
        ("5e", E::Reserved { offset: 0 }),
        ("7c", E::Reserved { offset: 0 }),
        ("9d", E::Reserved { offset: 0 }),
        ("be", E::Reserved { offset: 0 }),
        ("dc", E::Reserved { offset: 0 }),
        ("fc", E::Reserved { offset: 0 }),
        ("fd", E::Reserved { offset: 0 }),
        ("fe", E::Reserved { offset: 0 }),
        ("82 01 1e", E::Reserved { offset: 2 }),
        // two-byte simple values below 32
        (
            "f8 00",
            E::BadSimple {
                offset: 0,
                value: 0,
            },
        ),
        (
            "f8 14",
            E::BadSimple {
                offset: 0,
                value: 20,
            },
        ),
        (
            "f8 18",
            E::BadSimple {
                offset: 0,
                value: 24,
            },
        ),
        (
            "81 f8 1f",
            E::BadSimple {
                offset: 1,
                value: 31,
            },
        ),
        // break outside an indefinite-length array or map
        ("ff", E::UnexpectedBreak { offset: 0 }),
        ("81 ff", E::UnexpectedBreak { offset: 1 }),
        ("a1 ff 00", E::UnexpectedBreak { offset: 1 }),
        ("a1 01 ff", E::UnexpectedBreak { offset: 2 }),
        ("c1 ff", E::UnexpectedBreak { offset: 1 }),
        // indefinite length on integers and tags
        ("1f", E::MalformedIndefinite { offset: 0 }),
        ("3f", E::MalformedIndefinite { offset: 0 }),
        ("df 00", E::MalformedIndefinite { offset: 0 }),
        // invalid UTF-8
        ("62 c3 28", E::InvalidUtf8 { offset: 1 }),
        ("63 61 ff 62", E::InvalidUtf8 { offset: 2 }),
        ("63 ed a0 80", E::InvalidUtf8 { offset: 1 }), // UTF-16 surrogate
        ("62 c0 af", E::InvalidUtf8 { offset: 1 }),    // overlong "/"
        ("61 80", E::InvalidUtf8 { offset: 1 }),
        ("82 60 62 c3 28", E::InvalidUtf8 { offset: 3 }),
    ];

    /// Well-formed but not deterministic: the strict error, and the value the lenient
    /// decoder gives.
    fn not_deterministic() -> Vec<(&'static str, DecodeError, Value)> {
        vec![
            // non-shortest arguments
            (
                "18 00",
                E::NonCanonicalInteger { offset: 0 },
                Value::Uint(0),
            ),
            (
                "18 17",
                E::NonCanonicalInteger { offset: 0 },
                Value::Uint(23),
            ),
            (
                "19 00ff",
                E::NonCanonicalInteger { offset: 0 },
                Value::Uint(255),
            ),
            (
                "1a 0000ffff",
                E::NonCanonicalInteger { offset: 0 },
                Value::Uint(65535),
            ),
            (
                "1b 00000000ffffffff",
                E::NonCanonicalInteger { offset: 0 },
                Value::Uint(0xffff_ffff),
            ),
            (
                "38 00",
                E::NonCanonicalInteger { offset: 0 },
                Value::Nint(0),
            ),
            (
                "39 0001",
                E::NonCanonicalInteger { offset: 0 },
                Value::Nint(1),
            ),
            (
                "58 00",
                E::NonCanonicalInteger { offset: 0 },
                Value::bytes([]),
            ),
            (
                "79 0001 61",
                E::NonCanonicalInteger { offset: 0 },
                Value::text("a"),
            ),
            (
                "98 01 00",
                E::NonCanonicalInteger { offset: 0 },
                Value::Array(vec![Value::Uint(0)]),
            ),
            (
                "b8 00",
                E::NonCanonicalInteger { offset: 0 },
                Value::Map(vec![]),
            ),
            (
                "d8 00 00",
                E::NonCanonicalInteger { offset: 0 },
                Value::Tag(0, Box::new(Value::Uint(0))),
            ),
            (
                "82 00 18 01",
                E::NonCanonicalInteger { offset: 2 },
                Value::Array(vec![Value::Uint(0), Value::Uint(1)]),
            ),
            // indefinite lengths
            ("5f ff", E::IndefiniteLength { offset: 0 }, Value::bytes([])),
            (
                "5f 41 01 40 42 0203 ff",
                E::IndefiniteLength { offset: 0 },
                Value::bytes([1, 2, 3]),
            ),
            (
                "7f 61 61 61 62 ff",
                E::IndefiniteLength { offset: 0 },
                Value::text("ab"),
            ),
            (
                "9f ff",
                E::IndefiniteLength { offset: 0 },
                Value::Array(vec![]),
            ),
            (
                "bf ff",
                E::IndefiniteLength { offset: 0 },
                Value::Map(vec![]),
            ),
            (
                "82 01 9f 02 ff",
                E::IndefiniteLength { offset: 2 },
                Value::Array(vec![Value::Uint(1), Value::Array(vec![Value::Uint(2)])]),
            ),
            (
                "bf 01 9f ff ff",
                E::IndefiniteLength { offset: 0 },
                Value::Map(vec![(Value::Uint(1), Value::Array(vec![]))]),
            ),
            // map key order: bytewise order of the encodings, not length-first
            (
                "a2 61 62 01 61 61 02",
                E::UnsortedMapKeys { offset: 4 },
                Value::Map(vec![
                    (Value::text("b"), Value::Uint(1)),
                    (Value::text("a"), Value::Uint(2)),
                ]),
            ),
            (
                "a2 20 00 18 64 00",
                E::UnsortedMapKeys { offset: 3 },
                Value::Map(vec![
                    (Value::Nint(0), Value::Uint(0)),
                    (Value::Uint(100), Value::Uint(0)),
                ]),
            ),
            (
                "a3 01 00 03 00 02 00",
                E::UnsortedMapKeys { offset: 5 },
                Value::Map(vec![
                    (Value::Uint(1), Value::Uint(0)),
                    (Value::Uint(3), Value::Uint(0)),
                    (Value::Uint(2), Value::Uint(0)),
                ]),
            ),
            (
                "a2 61 61 00 60 00",
                E::UnsortedMapKeys { offset: 4 },
                Value::Map(vec![
                    (Value::text("a"), Value::Uint(0)),
                    (Value::text(""), Value::Uint(0)),
                ]),
            ),
            (
                "81 a2 81 02 00 81 01 00",
                E::UnsortedMapKeys { offset: 5 },
                Value::Array(vec![Value::Map(vec![
                    (Value::Array(vec![Value::Uint(2)]), Value::Uint(0)),
                    (Value::Array(vec![Value::Uint(1)]), Value::Uint(0)),
                ])]),
            ),
            (
                "a2 01 00 01 00",
                E::DuplicateMapKey { offset: 3 },
                Value::Map(vec![
                    (Value::Uint(1), Value::Uint(0)),
                    (Value::Uint(1), Value::Uint(0)),
                ]),
            ),
            (
                "a2 61 61 01 61 61 02",
                E::DuplicateMapKey { offset: 4 },
                Value::Map(vec![
                    (Value::text("a"), Value::Uint(1)),
                    (Value::text("a"), Value::Uint(2)),
                ]),
            ),
            // floats not in shortest form
            (
                "fa 3f800000",
                E::NonCanonicalFloat { offset: 0 },
                Value::Float(1.0),
            ),
            (
                "fb 3ff0000000000000",
                E::NonCanonicalFloat { offset: 0 },
                Value::Float(1.0),
            ),
            (
                "fb 40f86a0000000000",
                E::NonCanonicalFloat { offset: 0 },
                Value::Float(100000.0),
            ),
            (
                "fa 80000000",
                E::NonCanonicalFloat { offset: 0 },
                Value::Float(-0.0),
            ),
            (
                "fa 33800000",
                E::NonCanonicalFloat { offset: 0 },
                Value::Float(f64::powi(2.0, -24)),
            ),
            (
                "fb 3e70000000000000",
                E::NonCanonicalFloat { offset: 0 },
                Value::Float(f64::powi(2.0, -24)),
            ),
            (
                "fb 7ff0000000000000",
                E::NonCanonicalFloat { offset: 0 },
                Value::Float(f64::INFINITY),
            ),
            (
                "fa ff800000",
                E::NonCanonicalFloat { offset: 0 },
                Value::Float(f64::NEG_INFINITY),
            ),
            (
                "81 fb 3ff8000000000000",
                E::NonCanonicalFloat { offset: 1 },
                Value::Array(vec![Value::Float(1.5)]),
            ),
        ]
    }

    /// NaNs other than f97e00: strict rejects them, lenient gives some NaN.
    const OTHER_NANS: &[&str] = &[
        "f9 7e01",
        "f9 fe00",
        "f9 7c01",
        "fa 7fc00000",
        "fa 7f800001",
        "fb 7ff8000000000000",
        "fb fff8000000000000",
        "fb 7ff0000000000001",
    ];

    /// Deterministic encodings: both decoders give the value, and the encoder gives back
    /// the bytes.
    fn deterministic() -> Vec<(&'static str, Value)> {
        vec![
            ("00", Value::Uint(0)),
            ("17", Value::Uint(23)),
            ("18 18", Value::Uint(24)),
            ("18 ff", Value::Uint(255)),
            ("19 0100", Value::Uint(256)),
            ("19 ffff", Value::Uint(65535)),
            ("1a 00010000", Value::Uint(65536)),
            ("1a ffffffff", Value::Uint(0xffff_ffff)),
            ("1b 0000000100000000", Value::Uint(0x1_0000_0000)),
            ("1b ffffffffffffffff", Value::Uint(u64::MAX)),
            ("20", Value::Nint(0)),
            ("38 18", Value::Nint(24)),
            ("3b ffffffffffffffff", Value::Nint(u64::MAX)),
            ("40", Value::bytes([])),
            ("43 010203", Value::bytes([1, 2, 3])),
            ("60", Value::text("")),
            ("62 c3bc", Value::text("ü")),
            ("80", Value::Array(vec![])),
            ("a0", Value::Map(vec![])),
            (
                "a2 18 64 00 20 00",
                Value::Map(vec![
                    (Value::Uint(100), Value::Uint(0)),
                    (Value::Nint(0), Value::Uint(0)),
                ]),
            ),
            (
                "a3 60 00 61 61 00 62 6161 00",
                Value::Map(vec![
                    (Value::text(""), Value::Uint(0)),
                    (Value::text("a"), Value::Uint(0)),
                    (Value::text("aa"), Value::Uint(0)),
                ]),
            ),
            (
                "a2 81 01 00 81 02 00",
                Value::Map(vec![
                    (Value::Array(vec![Value::Uint(1)]), Value::Uint(0)),
                    (Value::Array(vec![Value::Uint(2)]), Value::Uint(0)),
                ]),
            ),
            (
                "c1 1a 514b67b0",
                Value::Tag(1, Box::new(Value::Uint(1_363_896_240))),
            ),
            (
                "d9 d9f7 80",
                Value::Tag(55799, Box::new(Value::Array(vec![]))),
            ),
            ("f0", Value::Simple(16)),
            ("f3", Value::Simple(19)),
            ("f4", Value::Bool(false)),
            ("f5", Value::Bool(true)),
            ("f6", Value::Null),
            ("f7", Value::Undefined),
            ("f8 20", Value::Simple(32)),
            ("f8 ff", Value::Simple(255)),
            ("f9 0000", Value::Float(0.0)),
            ("f9 8000", Value::Float(-0.0)),
            ("f9 3c00", Value::Float(1.0)),
            ("f9 7bff", Value::Float(65504.0)),
            ("f9 0001", Value::Float(f64::powi(2.0, -24))),
            ("f9 0400", Value::Float(f64::powi(2.0, -14))),
            ("f9 7c00", Value::Float(f64::INFINITY)),
            ("f9 fc00", Value::Float(f64::NEG_INFINITY)),
            ("fa 47c35000", Value::Float(100000.0)),
            ("fa 477ff000", Value::Float(65520.0)),
            ("fa 33000000", Value::Float(f64::powi(2.0, -25))),
            ("fa 7f7fffff", Value::Float(f64::from(f32::MAX))),
            ("fb 3ff199999999999a", Value::Float(1.1)),
            ("fb 0000000000000001", Value::Float(f64::from_bits(1))),
        ]
    }

    #[test]
    fn both_decoders_reject_what_is_not_well_formed() {
        for (i, (hex, want)) in NOT_WELL_FORMED.iter().enumerate() {
            assert_eq!(strict(hex).as_ref(), Err(want), "case {i} ({hex}), strict");
            assert_eq!(
                lenient(hex).as_ref(),
                Err(want),
                "case {i} ({hex}), lenient"
            );
        }
    }

    #[test]
    fn strict_rejects_what_is_not_deterministic_and_lenient_accepts_it() {
        for (i, (hex, want, value)) in not_deterministic().into_iter().enumerate() {
            assert_eq!(strict(hex), Err(want.clone()), "case {i} ({hex}), strict");
            let got = lenient(hex).unwrap_or_else(|e| panic!("case {i} ({hex}), lenient: {e}"));
            assert_eq!(got.to_string(), value.to_string(), "case {i} ({hex})");
            assert_eq!(to_vec(&got), to_vec(&value), "case {i} ({hex})");
            let duplicate = matches!(want, E::DuplicateMapKey { .. });
            assert!(
                duplicate || to_vec(&got) != h(hex),
                "case {i} ({hex}): re-encoding must differ"
            );
            // Its deterministic form is accepted (except duplicate keys, which have none).
            if !duplicate {
                let canonical = to_vec(&got);
                assert!(
                    from_slice(&canonical, &Limits::default()).is_ok(),
                    "case {i}"
                );
            }
        }
    }

    #[test]
    fn strict_rejects_every_nan_but_the_canonical_one() {
        for (i, hex) in OTHER_NANS.iter().enumerate() {
            assert_eq!(
                strict(hex),
                Err(E::NonCanonicalFloat { offset: 0 }),
                "case {i} ({hex})"
            );
            let v = lenient(hex).unwrap_or_else(|e| panic!("case {i} ({hex}): {e}"));
            assert!(v.as_float().is_some_and(f64::is_nan), "case {i} ({hex})");
            assert_eq!(to_vec(&v), h("f97e00"), "case {i} ({hex})");
        }
        let v = strict("f97e00").unwrap();
        assert!(v.as_float().is_some_and(f64::is_nan));
        assert_eq!(to_vec(&Value::Float(-f64::NAN)), h("f97e00"));
        assert_eq!(
            to_vec(&Value::Float(f64::from_bits(0x7ff0_0000_0000_0001))),
            h("f97e00")
        );
    }

    #[test]
    fn deterministic_bytes_round_trip() {
        for (i, (hex, value)) in deterministic().into_iter().enumerate() {
            let bytes = h(hex);
            assert_eq!(
                hex::encode(to_vec(&value)),
                hex::encode(&bytes),
                "case {i} ({hex})"
            );
            for (mode, got) in [("strict", strict(hex)), ("lenient", lenient(hex))] {
                let got = got.unwrap_or_else(|e| panic!("case {i} ({hex}), {mode}: {e}"));
                assert_eq!(got, value, "case {i} ({hex}), {mode}");
                if let (Value::Float(a), Value::Float(b)) = (&got, &value) {
                    assert_eq!(a.to_bits(), b.to_bits(), "case {i} ({hex}), {mode}");
                }
            }
        }
    }

    #[test]
    fn encoder_sorts_map_keys_bytewise() {
        let v = Value::Map(vec![
            (Value::text("b"), Value::Uint(1)),
            (Value::Nint(0), Value::Uint(2)),
            (Value::text("a"), Value::Uint(3)),
            (Value::Uint(100), Value::Uint(4)),
            (Value::text("aa"), Value::Uint(5)),
            (Value::Uint(1), Value::Uint(6)),
        ]);
        // 01 < 1864 < 20 < 6161 < 6162 < 626161
        assert_eq!(
            hex::encode(to_vec(&v)),
            "a6 01 06 1864 04 20 02 6161 03 6162 01 626161 05".replace(' ', "")
        );
        // Duplicates are encoded as given (stable order); strict decoding refuses them.
        let dup = Value::Map(vec![
            (Value::Uint(1), Value::Uint(2)),
            (Value::Uint(0), Value::Uint(0)),
            (Value::Uint(1), Value::Uint(1)),
        ]);
        assert_eq!(hex::encode(to_vec(&dup)), "a3000001020101");
        assert_eq!(
            from_slice(&to_vec(&dup), &Limits::default()),
            Err(E::DuplicateMapKey { offset: 5 })
        );
        // Nested maps are sorted too.
        let nested = Value::Array(vec![Value::Map(vec![
            (Value::Uint(2), Value::Null),
            (Value::Uint(1), Value::Null),
        ])]);
        assert_eq!(hex::encode(to_vec(&nested)), "81a201f602f6");
    }

    #[test]
    fn encoder_picks_shortest_float() {
        let cases: &[(f64, &str)] = &[
            (0.0, "f90000"),
            (-0.0, "f98000"),
            (1.5, "f93e00"),
            (-4.0, "f9c400"),
            (65504.0, "f97bff"),
            (65505.0, "fa477fe100"),
            (f64::powi(2.0, -24), "f90001"),
            (f64::powi(2.0, -24) * 3.0, "f90003"),
            (f64::powi(2.0, -25), "fa33000000"),
            (f64::powi(2.0, -14) * (1.0 + 1.0 / 1024.0), "f90401"),
            (f64::powi(2.0, -14) * (1.0 + 1.0 / 2048.0), "fa38801000"),
            (100000.0, "fa47c35000"),
            (f64::from(f32::MAX), "fa7f7fffff"),
            (f64::from(f32::MAX) * 2.0, "fb47ffffffe0000000"),
            (f64::from(f32::MIN_POSITIVE) / 2.0, "fa00400000"),
            (1.1, "fb3ff199999999999a"),
            (1e300, "fb7e37e43c8800759c"),
            (f64::INFINITY, "f97c00"),
            (f64::NEG_INFINITY, "f9fc00"),
            (f64::NAN, "f97e00"),
        ];
        for (i, (x, hex)) in cases.iter().enumerate() {
            let bytes = to_vec(&Value::Float(*x));
            assert_eq!(hex::encode(&bytes), *hex, "case {i} ({x})");
            let back = from_slice(&bytes, &Limits::default()).unwrap();
            let y = back.as_float().unwrap();
            assert!(
                y.to_bits() == x.to_bits() || (x.is_nan() && y.is_nan()),
                "case {i}"
            );
        }
    }

    #[test]
    fn half_precision_conversion_is_exact_for_every_half() {
        for bits in 0..=u16::MAX {
            let x = f16_to_f64(bits);
            if x.is_nan() {
                assert!(bits & 0x7c00 == 0x7c00 && bits & 0x3ff != 0, "{bits:04x}");
                assert_eq!(f64_to_f16_exact(x), None);
            } else {
                assert_eq!(f64_to_f16_exact(x), Some(bits), "{bits:04x} = {x}");
                // A half value is never written wider.
                let mut out = Vec::new();
                encode_float(x, &mut out);
                assert_eq!(out.first(), Some(&0xf9), "{bits:04x}");
            }
        }
        assert_eq!(f64_to_f16_exact(65520.0), None);
        assert_eq!(f64_to_f16_exact(1.0 + 1.0 / 2048.0), None);
        assert_eq!(f64_to_f16_exact(f64::powi(2.0, -25)), None);
        assert_eq!(f64_to_f16_exact(f64::from_bits(1)), None);
    }

    #[test]
    fn simple_values_that_have_their_own_variant() {
        assert_eq!(to_vec(&Value::Simple(20)), h("f4"));
        assert_eq!(strict("f4"), Ok(Value::Bool(false)));
        // 24..=31 have no well-formed encoding; what the encoder writes is rejected.
        assert_eq!(to_vec(&Value::Simple(24)), h("f818"));
        assert!(matches!(strict("f818"), Err(E::BadSimple { .. })));
    }

    #[test]
    fn depth_limit_counts_arrays_maps_and_tags() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        for ok in ["00", "818100", "81a10080", "c1c1c100", "a1008100"] {
            assert!(from_slice(&h(ok), &limits).is_ok(), "{ok}");
        }
        for (bad, offset) in [
            ("8181818100", 3),
            ("8181818180", 3),
            ("c1c1c1c100", 3),
            ("a100a100a100a10000", 6),
            ("9f9f9f9fffffffff", 3),
        ] {
            let want = E::TooDeep { offset, limit: 3 };
            assert_eq!(
                from_slice_lenient(&h(bad), &limits),
                Err(want.clone()),
                "{bad}"
            );
            if !bad.starts_with("9f") {
                assert_eq!(from_slice(&h(bad), &limits), Err(want), "{bad}");
            }
        }
        let zero = Limits {
            max_depth: 0,
            ..Limits::default()
        };
        assert_eq!(
            from_slice(&h("80"), &zero),
            Err(E::TooDeep {
                offset: 0,
                limit: 0
            })
        );
        assert_eq!(from_slice(&h("01"), &zero), Ok(Value::Uint(1)));
    }

    #[test]
    fn ten_thousand_levels_of_nesting_give_too_deep() {
        for opener in [0x81u8, 0x9f, 0xc1, 0xa1] {
            let mut bytes = Vec::new();
            for _ in 0..10_000 {
                if opener == 0xa1 {
                    bytes.extend_from_slice(&[0xa1, 0x00]);
                } else {
                    bytes.push(opener);
                }
            }
            bytes.push(0x00);
            let want_offset = if opener == 0xa1 { 32 } else { 16 };
            let want = E::TooDeep {
                offset: want_offset,
                limit: 16,
            };
            assert_eq!(
                from_slice_lenient(&bytes, &Limits::default()),
                Err(want.clone())
            );
            if opener != 0x9f {
                assert_eq!(from_slice(&bytes, &Limits::default()), Err(want));
            }
        }
        // With a limit above the nesting the iterative decoder still does not overflow.
        let mut bytes = vec![0x81; 100_000];
        bytes.push(0x00);
        let high = Limits {
            max_depth: 200_000,
            max_bytes: 1 << 20,
            max_items: 1 << 20,
        };
        let v = from_slice(&bytes, &high).unwrap();
        assert!(v.as_array().is_some());
        // Drop iteratively so that the test itself does not recurse 100 000 levels.
        let mut cur = v;
        while let Value::Array(mut items) = cur {
            cur = items.pop().unwrap_or(Value::Null);
        }
    }

    #[test]
    fn huge_declared_lengths_fail_before_allocating() {
        let unlimited = Limits {
            max_depth: 16,
            max_bytes: usize::MAX,
            max_items: usize::MAX,
        };
        // 2^32 - 1 elements on 5 bytes, 2^32 on 9: allocating for them would abort the
        // process, so getting an error at all shows nothing was allocated for them.
        for hex in [
            "9a ffffffff",
            "9b 0000000100000000",
            "ba ffffffff",
            "bb 7fffffffffffffff",
            "5b 0000000100000000",
            "7b ffffffffffffffff",
        ] {
            assert_eq!(
                from_slice(&h(hex), &unlimited),
                Err(E::Truncated { offset: 0 }),
                "{hex}"
            );
            assert_eq!(
                from_slice_lenient(&h(hex), &unlimited),
                Err(E::Truncated { offset: 0 }),
                "{hex}"
            );
        }
        // With the default item budget the declared count is refused first.
        assert_eq!(
            strict("9a ffffffff"),
            Err(E::TooManyItems {
                offset: 0,
                limit: 100_000
            })
        );
        // Counts that overflow even an unlimited item budget.
        for hex in ["9b ffffffffffffffff", "bb ffffffffffffffff"] {
            assert_eq!(
                from_slice(&h(hex), &unlimited),
                Err(E::TooManyItems {
                    offset: 0,
                    limit: usize::MAX
                }),
                "{hex}"
            );
        }
        // A declared length just within the input is fine; one more is truncated.
        assert!(from_slice(&h("83 01 02 03"), &unlimited).is_ok());
        assert_eq!(
            from_slice(&h("84 01 02 03"), &unlimited),
            Err(E::Truncated { offset: 0 })
        );
        assert_eq!(
            from_slice(&h("a2 01 02 03"), &unlimited),
            Err(E::Truncated { offset: 0 })
        );
    }

    #[test]
    fn byte_and_item_limits() {
        let small = Limits {
            max_depth: 16,
            max_bytes: 3,
            max_items: 3,
        };
        assert_eq!(
            from_slice(&h("83010203"), &small),
            Err(E::TooLarge { len: 4, limit: 3 })
        );
        assert_eq!(
            from_slice_lenient(&h("83010203"), &small),
            Err(E::TooLarge { len: 4, limit: 3 })
        );
        assert_eq!(
            from_slice(&h("820102"), &small).map(|v| to_vec(&v)),
            Ok(h("820102"))
        );
        // A one-entry map declares two more items: three in all.
        assert_eq!(
            from_slice(&h("a1 0102"), &small).map(|v| to_vec(&v)),
            Ok(h("a10102"))
        );
        let two = Limits {
            max_depth: 16,
            max_bytes: 100,
            max_items: 2,
        };
        assert_eq!(
            from_slice(&h("a1 01 02"), &two),
            Err(E::TooManyItems {
                offset: 0,
                limit: 2
            })
        );
        assert_eq!(
            from_slice(&h("81 81 00"), &two),
            Err(E::TooManyItems {
                offset: 1,
                limit: 2
            })
        );
        assert_eq!(
            from_slice(&h("c1 c1 00"), &two),
            Err(E::TooManyItems {
                offset: 2,
                limit: 2
            })
        );
        // Indefinite lengths declare nothing; items are counted as read.
        assert_eq!(
            from_slice_lenient(&h("9f 01 02 ff"), &two),
            Err(E::TooManyItems {
                offset: 2,
                limit: 2
            })
        );
        // Chunks of indefinite-length strings count.
        assert_eq!(
            from_slice_lenient(&h("5f 40 40 ff"), &two),
            Err(E::TooManyItems {
                offset: 2,
                limit: 2
            })
        );
        assert_eq!(
            from_slice_lenient(&h("5f 40 ff"), &two),
            Ok(Value::bytes([]))
        );
    }

    #[test]
    fn lenient_indefinite_strings_and_containers() {
        let cases: &[(&str, Result<Value, DecodeError>)] = &[
            ("7f ff", Ok(Value::text(""))),
            ("7f 61 c3 61 bc ff", Err(E::InvalidUtf8 { offset: 2 })), // split character
            ("7f 62 c3bc 60 ff", Ok(Value::text("ü"))),
            ("5f 61 61 ff", Err(E::MalformedIndefinite { offset: 1 })), // text chunk in bytes
            ("5f 5f ff ff", Err(E::MalformedIndefinite { offset: 1 })), // nested indefinite
            ("5f 01 ff", Err(E::MalformedIndefinite { offset: 1 })),
            ("5f 41", Err(E::Truncated { offset: 1 })),
            ("5f 41 00", Err(E::Truncated { offset: 3 })),
            ("5f 58 01 00 ff", Ok(Value::bytes([0]))), // chunk arguments may be long
            ("9f", Err(E::Truncated { offset: 1 })),
            ("9f 01", Err(E::Truncated { offset: 2 })),
            ("bf 01 ff", Err(E::UnexpectedBreak { offset: 2 })),
            ("bf 01 02", Err(E::Truncated { offset: 3 })),
            ("9f ff ff", Err(E::TrailingBytes { offset: 2 })),
            (
                "bf 61 62 01 61 61 02 ff",
                Ok(Value::Map(vec![
                    (Value::text("b"), Value::Uint(1)),
                    (Value::text("a"), Value::Uint(2)),
                ])),
            ),
            (
                "9f 9f ff 82 9f ff 00 ff",
                Ok(Value::Array(vec![
                    Value::Array(vec![]),
                    Value::Array(vec![Value::Array(vec![]), Value::Uint(0)]),
                ])),
            ),
        ];
        for (i, (hex, want)) in cases.iter().enumerate() {
            assert_eq!(&lenient(hex), want, "case {i} ({hex})");
            assert!(strict(hex).is_err(), "case {i} ({hex})");
        }
    }

    #[test]
    fn strict_output_re_encodes_to_the_input() {
        for (i, (hex, _)) in deterministic().into_iter().enumerate() {
            let bytes = h(hex);
            let v = from_slice(&bytes, &Limits::default()).unwrap();
            assert_eq!(to_vec(&v), bytes, "case {i}");
        }
    }

    #[test]
    fn diagnostic_notation() {
        let cases: Vec<(Value, &str)> = vec![
            (Value::Uint(0), "0"),
            (Value::Uint(u64::MAX), "18446744073709551615"),
            (Value::Nint(0), "-1"),
            (Value::Nint(u64::MAX), "-18446744073709551616"),
            (Value::bytes([]), "h''"),
            (Value::bytes([1, 0xab]), "h'01ab'"),
            (Value::text("a\"b\\c\n\u{1}ü"), r#""a\"b\\c\n\u0001ü""#),
            (Value::Array(vec![]), "[]"),
            (
                Value::Array(vec![Value::Uint(1), Value::Array(vec![Value::Nint(1)])]),
                "[1, [-2]]",
            ),
            (Value::Map(vec![]), "{}"),
            (
                Value::Map(vec![
                    (Value::Uint(3), Value::Uint(4)),
                    (Value::text("a"), Value::Null),
                ]),
                r#"{3: 4, "a": null}"#,
            ),
            (Value::Tag(1, Box::new(Value::Float(1.5))), "1(1.5)"),
            (Value::Bool(true), "true"),
            (Value::Bool(false), "false"),
            (Value::Undefined, "undefined"),
            (Value::Simple(16), "simple(16)"),
            (Value::Float(1.0), "1.0"),
            (Value::Float(-0.0), "-0.0"),
            (Value::Float(1363896240.5), "1363896240.5"),
            (Value::Float(1e300), "1e300"),
            (Value::Float(f64::NAN), "NaN"),
            (Value::Float(f64::INFINITY), "Infinity"),
            (Value::Float(f64::NEG_INFINITY), "-Infinity"),
        ];
        for (i, (v, want)) in cases.iter().enumerate() {
            assert_eq!(v.to_string(), *want, "case {i}");
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(Value::int(0), Value::Uint(0));
        assert_eq!(Value::int(-1), Value::Nint(0));
        assert_eq!(Value::int(i64::MIN), Value::Nint(i64::MAX.unsigned_abs()));
        assert_eq!(Value::int(i64::MIN).as_int(), Some(i128::from(i64::MIN)));
        assert_eq!(Value::Nint(u64::MAX).as_int(), Some(-(1i128 << 64)));
        assert_eq!(Value::from(-5i64).as_int(), Some(-5));
        assert_eq!(Value::from(5u64).as_uint(), Some(5));
        assert_eq!(Value::Nint(0).as_uint(), None);
        assert_eq!(Value::from("x").as_text(), Some("x"));
        assert_eq!(Value::text("x").as_bytes(), None);
        assert_eq!(Value::bytes([1]).as_bytes(), Some(&[1u8][..]));
        assert_eq!(Value::from(true).as_bool(), Some(true));
        assert!(Value::Null.is_null());
        assert!(!Value::Undefined.is_null());
        let m = Value::Map(vec![
            (Value::Uint(1), Value::text("one")),
            (Value::text("k"), Value::Uint(2)),
            (Value::text("k"), Value::Uint(3)),
        ]);
        assert_eq!(m.get(&Value::Uint(1)), Some(&Value::text("one")));
        assert_eq!(m.get(&Value::Uint(2)), None);
        assert_eq!(m.field("k"), Some(&Value::Uint(2)));
        assert_eq!(m.field("one"), None);
        assert_eq!(Value::Array(vec![]).field("k"), None);
        assert_eq!(m.as_map().map(<[_]>::len), Some(3));
        let t = Value::Tag(18, Box::new(Value::from(vec![Value::Null])));
        assert_eq!(
            t.as_tag().map(|(n, v)| (n, v.as_array().map(<[_]>::len))),
            Some((18, Some(1)))
        );
    }

    #[test]
    fn error_messages_name_the_offset() {
        let e = strict("82 00 18 01").unwrap_err();
        assert_eq!(
            e.to_string(),
            "non-shortest integer, length or tag argument at byte offset 2"
        );
        let e = strict("00 00").unwrap_err();
        assert!(e.to_string().contains("byte offset 1"), "{e}");
        let e = strict("a2 61 62 01 61 61 02").unwrap_err();
        assert_eq!(e.to_string(), "CBOR map keys out of order at byte offset 4");
    }
}
