//! Bundle decoding, then the full verification of its head against the fixtures' root.
#![no_main]
use catchcert_model::bundle::Bundle;
use catchcert_verify::pipeline::{VerifyLimits, verify_bundle};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = Bundle::from_bytes(data) else {
        return;
    };
    let limits = VerifyLimits::default();
    let verdict = verify_bundle(&bundle, None, common::anchors(), common::at(), &limits);
    let _ = serde_json::to_string(&verdict);
});
