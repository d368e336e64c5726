//! The verifier's limits (`catchcert_model::limits`, `docs/limits.md`) at the limit and one
//! past it, each refused with an error or finding that names the limit.

use catchcert_model::bundle::Bundle;
use catchcert_model::{Payload, Timestamp, limits};
use catchcert_verify::codes::Code;
use catchcert_verify::cose::{self, CoseError};
use catchcert_verify::findings::Verdict;
use catchcert_verify::path::{PathValidator, TrustAnchors};
use catchcert_verify::pipeline::{VerifyLimits, verify_bundle};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn anchors() -> TrustAnchors {
    TrustAnchors::from_pem(&std::fs::read_to_string(fixtures().join("trust/root.pem")).unwrap())
        .unwrap()
}

fn at() -> Timestamp {
    catchcert_demo::t(catchcert_demo::VERIFY_AT)
}

fn loins() -> Bundle {
    Bundle::from_bytes(&std::fs::read(fixtures().join("demo/loins.bundle")).unwrap()).unwrap()
}

fn run(limits: &VerifyLimits) -> Verdict {
    verify_bundle(&loins(), None, &anchors(), at(), limits)
}

/// The messages of the `limits.exceeded` findings of a verdict.
fn exceeded(v: &Verdict) -> Vec<String> {
    v.findings
        .iter()
        .filter(|f| f.code == Code::LimitsExceeded)
        .map(|f| f.message.clone())
        .collect()
}

fn codes(v: &Verdict) -> Vec<(String, Code)> {
    v.findings
        .iter()
        .map(|f| (f.certificate.to_string(), f.code))
        .collect()
}

#[test]
fn defaults_are_the_limits() {
    let d = VerifyLimits::default();
    assert_eq!(d.max_certificates, limits::CERTIFICATES_PER_BUNDLE);
    assert_eq!(d.max_depth, limits::GRAPH_DEPTH);
    assert_eq!(d.max_signatures, limits::SIGNATURES_PER_RUN);
    assert_eq!(cose::MAX_X5CHAIN, limits::X5CHAIN_LENGTH);
    assert_eq!(catchcert_verify::path::MAX_POOL, limits::ISSUER_POOL);
    assert!(exceeded(&run(&d)).is_empty());
}

#[test]
fn certificate_bytes() {
    let at_limit = vec![0u8; limits::CERTIFICATE_BYTES];
    let e = cose::decode(&at_limit).unwrap_err();
    assert!(!matches!(e, CoseError::TooLarge(_)), "{e:?}");
    let over = vec![0u8; limits::CERTIFICATE_BYTES + 1];
    let e = cose::decode(&over).unwrap_err();
    assert!(matches!(e, CoseError::TooLarge(_)), "{e:?}");
    assert!(e.to_string().contains("CERTIFICATE_BYTES"), "{e}");
}

#[test]
fn x5chain_length() {
    let catch = std::fs::read(fixtures().join("demo/05-catch-sea-harvest.cose")).unwrap();
    let payload = Payload::from_cbor(&cose::decode(&catch).unwrap().payload).unwrap();
    let key = catchcert_demo::seeded_key("x5chain limit");
    let chain = |n: usize| -> Vec<Vec<u8>> { (0..n).map(|i| vec![0x30, 0x01, i as u8]).collect() };
    let ok =
        catchcert_sign::cose::sign_payload(&payload, &key, &chain(limits::X5CHAIN_LENGTH)).unwrap();
    assert_eq!(
        cose::decode(&ok).unwrap().x5chain.len(),
        limits::X5CHAIN_LENGTH
    );
    let over =
        catchcert_sign::cose::sign_payload(&payload, &key, &chain(limits::X5CHAIN_LENGTH + 1))
            .unwrap();
    let e = cose::decode(&over).unwrap_err();
    assert!(e.to_string().contains("X5CHAIN_LENGTH"), "{e}");
}

#[test]
fn issuer_pool() {
    let leaf = std::fs::read_to_string(fixtures().join("pki/leaf-1.pem")).unwrap();
    let leaf = catchcert_verify::path::certs_from_pem(&leaf).unwrap();
    let pool = |n: usize| vec![vec![0x30, 0x00]; n];
    let mut v = PathValidator::new(anchors());
    let e = v
        .validate(&leaf, &pool(limits::ISSUER_POOL), at())
        .unwrap_err();
    assert!(!e.to_string().contains("ISSUER_POOL"), "{e}");
    let e = v
        .validate(&leaf, &pool(limits::ISSUER_POOL + 1), at())
        .unwrap_err();
    assert!(e.to_string().contains("ISSUER_POOL"), "{e}");
}

/// The smallest value of a limit at which the demo chain verifies as with the defaults.
fn smallest(set: impl Fn(usize) -> VerifyLimits) -> usize {
    let baseline = codes(&run(&VerifyLimits::default()));
    (0..100)
        .find(|&n| codes(&run(&set(n))) == baseline)
        .expect("the demo chain needs fewer than 100")
}

#[test]
fn graph_depth() {
    let with = |n| VerifyLimits {
        max_depth: n,
        ..Default::default()
    };
    let limit = smallest(with);
    assert!(limit > 1, "the demo chain is several steps deep");
    assert!(exceeded(&run(&with(limit))).is_empty());
    let over = exceeded(&run(&with(limit - 1)));
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(over[0].contains("GRAPH_DEPTH"), "{over:?}");
}

#[test]
fn certificates_per_run() {
    let n = loins().certificates.len();
    let with = |n| VerifyLimits {
        max_certificates: n,
        ..Default::default()
    };
    assert!(exceeded(&run(&with(n))).is_empty());
    let over = exceeded(&run(&with(n - 1)));
    assert!(!over.is_empty());
    assert!(over[0].contains("CERTIFICATES_PER_BUNDLE"), "{over:?}");
}

#[test]
fn signatures_per_run() {
    let with = |n| VerifyLimits {
        max_signatures: n,
        ..Default::default()
    };
    let limit = smallest(with);
    let v = run(&with(limit));
    assert!(exceeded(&v).is_empty());
    assert!(v.integrity == catchcert_verify::findings::Integrity::Valid);
    // One signature fewer: one certificate is left unchecked, named, and the chain fails.
    let v = run(&with(limit - 1));
    let over = exceeded(&v);
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(over[0].contains("SIGNATURES_PER_RUN"), "{over:?}");
    assert!(v.integrity != catchcert_verify::findings::Integrity::Valid);
}
