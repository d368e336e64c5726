//! RFC 8949 Appendix A examples (`../shared/vectors/cbor/appendix_a.json`, see its SOURCE.md)
//! against the decoders and the deterministic encoder.
//!
//! Every item is classified, and the classification is pinned: an item that passes where
//! it is expected to fail is as much an error as the reverse.

use catchcert_model::cbor::{self, DecodeError, Limits, Value};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// Not well-formed under RFC 8949 §3.3 (`f818`, simple(24)): both decoders reject it.
const NOT_WELL_FORMED: &[usize] = &[45];

/// Deterministic as given: re-encode to exactly their hex, accepted by the strict decoder
/// (64 items; SOURCE.md's headline count of 62 does not match its own ranges).
fn deterministic() -> BTreeSet<usize> {
    (0..=33).chain(40..=44).chain(46..=70).collect()
}

/// Well-formed but not deterministic: floats not in shortest form (34–39) and indefinite
/// lengths (71–81), 17 items.
fn not_deterministic() -> BTreeSet<usize> {
    (34..=39).chain(71..=81).collect()
}

const ITEM_COUNT: usize = 82;

/// The strict decoder's error for each non-deterministic item.
fn strict_error(index: usize) -> DecodeError {
    match index {
        34..=39 => DecodeError::NonCanonicalFloat { offset: 0 },
        76 => DecodeError::IndefiniteLength { offset: 5 }, // 83 01 820203 9f…
        77 => DecodeError::IndefiniteLength { offset: 2 }, // 83 01 9f…
        80 => DecodeError::IndefiniteLength { offset: 3 }, // 82 6161 bf…
        _ => DecodeError::IndefiniteLength { offset: 0 },
    }
}

fn vectors_path() -> Option<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if !shared.is_dir() {
        eprintln!(
            "skipping: {} is absent (the shared vectors are not available)",
            shared.display()
        );
        return None;
    }
    Some(shared.join("vectors/cbor/appendix_a.json"))
}

/// One item, each field kept as raw JSON so that `"decoded": null` stays distinct from a
/// missing `decoded`, and big integers keep every digit.
struct Item {
    index: usize,
    bytes: Vec<u8>,
    decoded: Option<Box<RawValue>>,
    diagnostic: Option<String>,
}

fn load() -> Option<Vec<Item>> {
    let path = vectors_path()?;
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let raw: Vec<BTreeMap<String, Box<RawValue>>> = serde_json::from_str(&text).unwrap();
    let items = raw
        .into_iter()
        .enumerate()
        .map(|(index, mut fields)| {
            let hex: String = serde_json::from_str(fields["hex"].get()).unwrap();
            let diagnostic = fields
                .remove("diagnostic")
                .map(|d| serde_json::from_str::<String>(d.get()).unwrap());
            let decoded = fields.remove("decoded");
            assert!(
                decoded.is_some() != diagnostic.is_some(),
                "item {index}: exactly one of decoded and diagnostic"
            );
            Item {
                index,
                bytes: hex::decode(hex).unwrap(),
                decoded,
                diagnostic,
            }
        })
        .collect();
    Some(items)
}

/// JSON with object keys in document order (serde_json's own map sorts them).
enum Json {
    Null,
    Bool(bool),
    Uint(u64),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Json, E> {
                Ok(Json::Bool(b))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Json, E> {
                Ok(Json::Uint(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Json, E> {
                Ok(Json::Int(n))
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Json, E> {
                Ok(Json::Float(x))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
                Ok(Json::Str(s.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Json::Object(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// The CBOR value a JSON value stands for. Integers beyond the range of major types 0 and 1
/// are bignums (tags 2 and 3, RFC 8949 §3.4.3) in their preferred form.
fn expected_from_json(raw: &RawValue) -> Value {
    let text = raw.get().trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Parse integers from the text: serde_json turns those beyond 64 bits into floats.
        let n: i128 = text.parse().unwrap();
        return integer(n);
    }
    if text
        .bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        // Floats too: serde_json's default float parsing is not always correctly rounded
        // (item 25, 3.4028234663852886e+38, would come out one ulp off); Rust's is.
        return Value::Float(text.parse().unwrap());
    }
    json_to_value(serde_json::from_str(text).unwrap())
}

fn integer(n: i128) -> Value {
    if n >= 0 {
        match u64::try_from(n) {
            Ok(u) => Value::Uint(u),
            Err(_) => Value::Tag(2, Box::new(Value::Bytes(minimal_be(n.unsigned_abs())))),
        }
    } else {
        let m = (-1 - n).unsigned_abs();
        match u64::try_from(m) {
            Ok(u) => Value::Nint(u),
            Err(_) => Value::Tag(3, Box::new(Value::Bytes(minimal_be(m)))),
        }
    }
}

fn minimal_be(n: u128) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[first..].to_vec()
}

fn json_to_value(j: Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Uint(n) => Value::Uint(n),
        Json::Int(n) => Value::int(n),
        Json::Float(x) => Value::Float(x),
        Json::Str(s) => Value::Text(s),
        Json::Array(items) => Value::Array(items.into_iter().map(json_to_value).collect()),
        Json::Object(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Value::Text(k), json_to_value(v)))
                .collect(),
        ),
    }
}

/// Structural equality, maps in stored order, floats by their bits (so `-0.0 != 0.0`) and
/// NaN equal to NaN.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
        }
        (Value::Map(xs), Value::Map(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys)
                    .all(|((kx, vx), (ky, vy))| same(kx, ky) && same(vx, vy))
        }
        (Value::Tag(tx, x), Value::Tag(ty, y)) => tx == ty && same(x, y),
        _ => a == b,
    }
}

/// Diagnostic notation as the decoder's values print it: an indefinite-length byte string
/// `(_ h'01', h'02')` is one byte string `h'0102'` once decoded.
fn normalize_diagnostic(diag: &str) -> String {
    match diag.strip_prefix("(_ ").and_then(|d| d.strip_suffix(')')) {
        Some(chunks) => {
            let hex: String = chunks
                .split(", ")
                .map(|c| {
                    c.strip_prefix("h'")
                        .and_then(|c| c.strip_suffix('\''))
                        .unwrap_or_else(|| panic!("unexpected chunk {c:?} in {diag:?}"))
                })
                .collect();
            format!("h'{hex}'")
        }
        None => diag.to_owned(),
    }
}

fn check_decoded(item: &Item, got: &Value) {
    let i = item.index;
    match (&item.decoded, &item.diagnostic) {
        (Some(raw), _) => {
            let want = expected_from_json(raw);
            assert!(
                same(got, &want),
                "item {i}: decoded {got} ({got:?}), expected {want} from JSON {}",
                raw.get()
            );
        }
        (None, Some(diag)) => {
            assert_eq!(
                got.to_string(),
                normalize_diagnostic(diag),
                "item {i}: diagnostic notation"
            );
        }
        (None, None) => unreachable!("checked in load"),
    }
}

#[test]
fn index_sets_cover_every_item_once() {
    let det = deterministic();
    let non = not_deterministic();
    let bad: BTreeSet<usize> = NOT_WELL_FORMED.iter().copied().collect();
    assert_eq!(det.len(), 64);
    assert_eq!(non.len(), 17);
    assert!(det.is_disjoint(&non) && det.is_disjoint(&bad) && non.is_disjoint(&bad));
    let all: BTreeSet<usize> = det.union(&non).chain(&bad).copied().collect();
    assert_eq!(all, (0..ITEM_COUNT).collect());
}

#[test]
fn appendix_a_decodes_and_is_classified_as_pinned() {
    let Some(items) = load() else { return };
    assert_eq!(items.len(), ITEM_COUNT, "number of Appendix A items");
    let limits = Limits::default();

    let mut strict_ok = BTreeSet::new();
    let mut reencodes_exactly = BTreeSet::new();
    let mut lenient_ok = BTreeSet::new();
    for item in &items {
        let i = item.index;
        let lenient = cbor::from_slice_lenient(&item.bytes, &limits);
        let strict = cbor::from_slice(&item.bytes, &limits);
        if let Ok(v) = &lenient {
            lenient_ok.insert(i);
            if cbor::to_vec(v) == item.bytes {
                reencodes_exactly.insert(i);
            }
        }
        if strict.is_ok() {
            strict_ok.insert(i);
        }
    }
    let well_formed: BTreeSet<usize> = (0..ITEM_COUNT)
        .filter(|i| !NOT_WELL_FORMED.contains(i))
        .collect();
    assert_eq!(lenient_ok, well_formed, "items the lenient decoder accepts");
    assert_eq!(
        strict_ok,
        deterministic(),
        "items the strict decoder accepts"
    );
    assert_eq!(
        reencodes_exactly,
        deterministic(),
        "items whose decoded value re-encodes to exactly their hex"
    );
}

#[test]
fn appendix_a_values_match_decoded_or_diagnostic() {
    let Some(items) = load() else { return };
    let limits = Limits::default();
    for item in items
        .iter()
        .filter(|it| !NOT_WELL_FORMED.contains(&it.index))
    {
        let got = cbor::from_slice_lenient(&item.bytes, &limits)
            .unwrap_or_else(|e| panic!("item {}: {e}", item.index));
        check_decoded(item, &got);
    }
}

#[test]
fn appendix_a_deterministic_items() {
    let Some(items) = load() else { return };
    let limits = Limits::default();
    for i in deterministic() {
        let item = &items[i];
        let strict = cbor::from_slice(&item.bytes, &limits)
            .unwrap_or_else(|e| panic!("item {i}: strict decoder: {e}"));
        let lenient = cbor::from_slice_lenient(&item.bytes, &limits).unwrap();
        assert!(
            same(&strict, &lenient),
            "item {i}: strict and lenient differ"
        );
        check_decoded(item, &strict);
        assert_eq!(
            hex::encode(cbor::to_vec(&strict)),
            hex::encode(&item.bytes),
            "item {i}: re-encoding"
        );
    }
}

#[test]
fn appendix_a_non_deterministic_items() {
    let Some(items) = load() else { return };
    let limits = Limits::default();
    for i in not_deterministic() {
        let item = &items[i];
        assert_eq!(
            cbor::from_slice(&item.bytes, &limits),
            Err(strict_error(i)),
            "item {i}: strict decoder"
        );
        let value = cbor::from_slice_lenient(&item.bytes, &limits)
            .unwrap_or_else(|e| panic!("item {i}: lenient decoder: {e}"));
        let encoded = cbor::to_vec(&value);
        assert_ne!(
            encoded, item.bytes,
            "item {i}: the encoder must not produce it"
        );
        // The deterministic form is accepted and means the same (maps sorted).
        let again = cbor::from_slice(&encoded, &limits)
            .unwrap_or_else(|e| panic!("item {i}: deterministic form rejected: {e}"));
        assert_eq!(cbor::to_vec(&again), encoded, "item {i}");
        if !matches!(value, Value::Map(_)) {
            assert!(same(&again, &value), "item {i}: {again} != {value}");
        }
    }
    // 34–39 have the deterministic forms of items 31–33.
    for (i, canonical) in [(34, 31), (35, 32), (36, 33), (37, 31), (38, 32), (39, 33)] {
        let v = cbor::from_slice_lenient(&items[i].bytes, &limits).unwrap();
        assert_eq!(cbor::to_vec(&v), items[canonical].bytes, "item {i}");
    }
    // 81 keeps its keys in the order read; encoding sorts them ("Amt" < "Fun").
    let v = cbor::from_slice_lenient(&items[81].bytes, &limits).unwrap();
    assert_eq!(v.to_string(), r#"{"Fun": true, "Amt": -2}"#);
    assert_eq!(hex::encode(cbor::to_vec(&v)), "a263416d74216346756ef5");
}

#[test]
fn appendix_a_item_45_is_rejected_by_both_decoders() {
    let Some(items) = load() else { return };
    let limits = Limits::default();
    for &i in NOT_WELL_FORMED {
        let want = DecodeError::BadSimple {
            offset: 0,
            value: 24,
        };
        assert_eq!(
            cbor::from_slice(&items[i].bytes, &limits),
            Err(want.clone()),
            "item {i}"
        );
        assert_eq!(
            cbor::from_slice_lenient(&items[i].bytes, &limits),
            Err(want),
            "item {i}"
        );
    }
}

#[test]
fn json_expectations_are_built_faithfully() {
    // The helpers above decide what "matches decoded" means; pin them.
    let raw = |s: &str| RawValue::from_string(s.to_owned()).unwrap();
    assert_eq!(
        expected_from_json(&raw("18446744073709551616")),
        Value::Tag(2, Box::new(Value::Bytes(vec![1, 0, 0, 0, 0, 0, 0, 0, 0])))
    );
    assert_eq!(
        expected_from_json(&raw("-18446744073709551617")),
        Value::Tag(3, Box::new(Value::Bytes(vec![1, 0, 0, 0, 0, 0, 0, 0, 0])))
    );
    assert_eq!(
        expected_from_json(&raw("-18446744073709551616")),
        Value::Nint(u64::MAX)
    );
    assert_eq!(expected_from_json(&raw("-1")), Value::Nint(0));
    assert_eq!(
        expected_from_json(&raw("3.4028234663852886e+38")),
        Value::Float(f64::from(f32::MAX))
    );
    let neg_zero = expected_from_json(&raw("-0.0"));
    assert!(
        neg_zero
            .as_float()
            .is_some_and(|x| x == 0.0 && x.is_sign_negative())
    );
    let v = expected_from_json(&raw(r#"{"b": [1, -0.0], "a": null}"#));
    assert_eq!(v.to_string(), r#"{"b": [1, -0.0], "a": null}"#);
    assert!(!same(&Value::Float(0.0), &Value::Float(-0.0)));
    assert!(same(&Value::Float(f64::NAN), &Value::Float(-f64::NAN)));
    assert!(!same(
        &Value::Map(vec![
            (Value::Uint(1), Value::Null),
            (Value::Uint(2), Value::Null)
        ]),
        &Value::Map(vec![
            (Value::Uint(2), Value::Null),
            (Value::Uint(1), Value::Null)
        ])
    ));
    assert_eq!(
        normalize_diagnostic("(_ h'0102', h'030405')"),
        "h'0102030405'"
    );
    assert_eq!(normalize_diagnostic("h''"), "h''");
}
