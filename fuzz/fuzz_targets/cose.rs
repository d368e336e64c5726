//! COSE_Sign1 decoding of a certificate, then its issuer path and signature.
#![no_main]
use catchcert_verify::cose;
use catchcert_verify::path::PathValidator;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = cose::decode(data);
    let Ok((sign1, payload)) = cose::decode_certificate(data) else {
        return;
    };
    assert_eq!(sign1.id, catchcert_model::CertId::of_cose(data), "the id is the hash of the bytes");
    let mut v = PathValidator::new(common::anchors().clone());
    if let Ok(issuer) = v.validate(&sign1.x5chain, &[], payload.issued_at()) {
        let _ = sign1.verify(&issuer.key);
    }
});
