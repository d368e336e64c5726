//! The HTTP ingest check as a function (no socket, no store): decode the posted body as the
//! server does, then every check that needs nothing from the store.
#![no_main]
use catchcert_server::ingest;
use catchcert_verify::path::PathValidator;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    static V: OnceLock<Mutex<PathValidator>> = OnceLock::new();
    let v = V.get_or_init(|| Mutex::new(PathValidator::new(common::anchors().clone())));
    let Ok(decoded) = ingest::decode(data) else {
        return;
    };
    let check = ingest::check_own(v, &decoded, common::at());
    if let Some(issuer) = &check.issuer {
        let _ = ingest::new_certificate(data.to_vec(), &decoded, issuer);
    }
});
