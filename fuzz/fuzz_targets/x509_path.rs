//! X.509 issuer path parsing: the input is split into DER certificates (the first byte picks
//! how many), validated as a signer's chain and as a certificate of `pki verify`.
#![no_main]
use catchcert_verify::path::PathValidator;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let parts = usize::from(n % 4) + 1;
    let size = rest.len().div_ceil(parts).max(1);
    let chain: Vec<Vec<u8>> = rest.chunks(size).map(<[u8]>::to_vec).collect();
    let mut v = PathValidator::new(common::anchors().clone());
    let _ = v.validate(&chain, &[], common::at());
    let _ = v.validate_certificate(&chain[..chain.len().min(1)], &chain, common::at());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = catchcert_verify::path::certs_from_pem(text);
    }
});
