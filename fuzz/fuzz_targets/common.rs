//! Shared by the targets: the programme root of `fixtures/` and the verification time.
#![allow(dead_code)]
use catchcert_model::Timestamp;
use catchcert_verify::path::TrustAnchors;
use std::sync::OnceLock;

/// The fixtures' programme root (the seeds in `fuzz/corpus` are signed under it).
pub fn anchors() -> &'static TrustAnchors {
    static A: OnceLock<TrustAnchors> = OnceLock::new();
    A.get_or_init(|| {
        TrustAnchors::from_pem(include_str!("../../fixtures/trust/root.pem"))
            .expect("fixtures/trust/root.pem holds the root")
    })
}

/// The fixtures' verification time (`catchcert_demo::VERIFY_AT`).
pub fn at() -> Timestamp {
    Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").expect("a valid time")
}
