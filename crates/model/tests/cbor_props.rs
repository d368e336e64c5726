//! Properties of the deterministic CBOR codec over generated values and bytes.

use catchcert_model::cbor::{self, DecodeError, Limits, Value};
use proptest::collection::vec;
use proptest::prelude::*;

/// Integers around every boundary of the argument encodings.
fn arb_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..30,
        any::<u64>(),
        prop::sample::select(vec![
            23u64,
            24,
            255,
            256,
            65_535,
            65_536,
            0xffff_ffff,
            0x1_0000_0000,
            u64::MAX,
        ]),
    ]
}

/// Floats of every width: arbitrary doubles, singles, values with short mantissas (often
/// halves, including subnormal ones), zeros, infinities and NaN.
fn arb_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        any::<f32>().prop_map(f64::from),
        (-2048i32..=2048, -40i32..=20).prop_map(|(m, e)| f64::from(m) * f64::powi(2.0, e)),
        prop::sample::select(vec![
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
        ]),
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        arb_u64().prop_map(Value::Uint),
        arb_u64().prop_map(Value::Nint),
        vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
        "\\PC{0,20}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        Just(Value::Undefined),
        prop_oneof![0u8..20, 32u8..=255].prop_map(Value::Simple),
        arb_f64().prop_map(Value::Float),
    ]
}

/// Values of bounded depth and size; map keys are distinct (by their encoding), since a
/// map with duplicate keys has no deterministic encoding.
fn arb_value() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            vec((inner.clone(), inner.clone()), 0..6).prop_map(|entries| {
                let mut seen = std::collections::BTreeSet::new();
                Value::Map(
                    entries
                        .into_iter()
                        .filter(|(k, _)| seen.insert(cbor::to_vec(k)))
                        .collect(),
                )
            }),
            (arb_u64(), inner).prop_map(|(tag, v)| Value::Tag(tag, Box::new(v))),
        ]
    })
}

/// `v` with every map sorted as the encoder sorts it.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        Value::Map(entries) => {
            let mut entries: Vec<(Value, Value)> = entries
                .iter()
                .map(|(k, v)| (sorted(k), sorted(v)))
                .collect();
            entries.sort_by_cached_key(|(k, _)| cbor::to_vec(k));
            Value::Map(entries)
        }
        Value::Tag(tag, inner) => Value::Tag(*tag, Box::new(sorted(inner))),
        other => other.clone(),
    }
}

/// Structural equality with floats compared by their bits and any NaN equal to any NaN.
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

/// Whatever the strict decoder accepts re-encodes to exactly the input; whatever the
/// lenient decoder accepts has a deterministic encoding the strict decoder accepts (unless
/// it has duplicate map keys, which have none).
fn check_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    let limits = Limits::default();
    let strict = cbor::from_slice(bytes, &limits);
    let lenient = cbor::from_slice_lenient(bytes, &limits);
    if let Ok(v) = &strict {
        prop_assert_eq!(cbor::to_vec(v), bytes.to_vec());
        let l = lenient
            .as_ref()
            .map_err(|e| TestCaseError::fail(format!("lenient: {e}")))?;
        prop_assert!(same(v, l), "strict {} != lenient {}", v, l);
    }
    if let Ok(v) = &lenient {
        let encoded = cbor::to_vec(v);
        match cbor::from_slice(&encoded, &limits) {
            Ok(again) => {
                prop_assert!(same(&again, &sorted(v)), "{} vs {}", again, v);
                prop_assert_eq!(cbor::to_vec(&again), encoded);
            }
            Err(DecodeError::DuplicateMapKey { .. }) => {}
            Err(e) => prop_assert!(false, "deterministic form of {} rejected: {}", v, e),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encode_then_strict_decode_gives_the_value_back(v in arb_value()) {
        let bytes = cbor::to_vec(&v);
        let decoded = cbor::from_slice(&bytes, &Limits::default())
            .map_err(|e| TestCaseError::fail(format!("{e} decoding {}", hex::encode(&bytes))))?;
        prop_assert!(same(&decoded, &sorted(&v)), "{} vs {}", decoded, v);
        prop_assert_eq!(cbor::to_vec(&decoded), bytes.clone());
        let lenient = cbor::from_slice_lenient(&bytes, &Limits::default())
            .map_err(|e| TestCaseError::fail(format!("lenient: {e}")))?;
        prop_assert!(same(&lenient, &decoded));
        // The encoding does not depend on the order map entries were given in.
        prop_assert_eq!(cbor::to_vec(&sorted(&v)), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..64)) {
        check_bytes(&bytes)?;
    }

    #[test]
    fn damaged_encodings_never_panic(
        v in arb_value(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = cbor::to_vec(&v);
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        check_bytes(&bytes)?;
    }

    #[test]
    fn every_proper_prefix_is_truncated(v in arb_value()) {
        let bytes = cbor::to_vec(&v);
        for end in 0..bytes.len() {
            let prefix = &bytes[..end];
            let strict = cbor::from_slice(prefix, &Limits::default());
            prop_assert!(
                matches!(strict, Err(DecodeError::Truncated { .. })),
                "prefix {} of {}: {:?}", end, hex::encode(&bytes), strict
            );
        }
    }

    #[test]
    fn trailing_bytes_are_rejected(v in arb_value(), extra in vec(any::<u8>(), 1..4)) {
        let mut bytes = cbor::to_vec(&v);
        let end = bytes.len();
        bytes.extend_from_slice(&extra);
        prop_assert_eq!(
            cbor::from_slice(&bytes, &Limits::default()),
            Err(DecodeError::TrailingBytes { offset: end })
        );
        prop_assert_eq!(
            cbor::from_slice_lenient(&bytes, &Limits::default()),
            Err(DecodeError::TrailingBytes { offset: end })
        );
    }
}
