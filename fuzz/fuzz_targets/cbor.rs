//! Deterministic CBOR decoding: never panics, and whatever decodes re-encodes to exactly the
//! input (one value, one encoding).
#![no_main]
use catchcert_model::cbor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = cbor::Limits::default();
    if let Ok(v) = cbor::from_slice(data, &limits) {
        assert_eq!(cbor::to_vec(&v), data, "a decoded value re-encodes to its input");
    }
    let _ = cbor::from_slice_lenient(data, &limits);
});
