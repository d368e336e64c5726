//! Walks the issuer-path table `fixtures/pki/cases.json` (made by
//! `catchcert_testkit::pki_fixtures`, written by `cargo xtask pki-fixtures`): each case names a certificate, its intermediates, the
//! trusted roots and the time, and the expected result code, error variant and subject.
//! The same table is also regenerated into a temporary directory and walked again, so the
//! generator and the checked-in fixtures cannot drift apart.

use catchcert_model::{Kind, Timestamp};
use catchcert_testkit::pki_fixtures::{self, Case};
use catchcert_verify::path::{
    self, MAX_DEPTH, PathError, PathValidator, TrustAnchors, ValidIssuer, roles_allow,
};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki")
}

fn load(dir: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join("cases.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn certs(dir: &Path, file: &str) -> Vec<Vec<u8>> {
    path::certs_from_pem(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap()
}

fn variant(e: &PathError) -> (&'static str, Option<&str>) {
    match e {
        PathError::Expired { subject, .. } => ("Expired", Some(subject)),
        PathError::NotYetValid { subject, .. } => ("NotYetValid", Some(subject)),
        PathError::UnknownIssuer { subject, .. } => ("UnknownIssuer", Some(subject)),
        PathError::BadSignature { subject, .. } => ("BadSignature", Some(subject)),
        PathError::NotACa { subject, .. } => ("NotACa", Some(subject)),
        PathError::PathLenExceeded { subject, .. } => ("PathLenExceeded", Some(subject)),
        PathError::KeyUsage { subject, .. } => ("KeyUsage", Some(subject)),
        PathError::UnknownCriticalExtension { subject, .. } => {
            ("UnknownCriticalExtension", Some(subject))
        }
        PathError::RoleWidening { subject, .. } => ("RoleWidening", Some(subject)),
        PathError::UnsupportedAlgorithm { subject, .. } => ("UnsupportedAlgorithm", Some(subject)),
        PathError::Malformed { cert, .. } => ("Malformed", Some(cert)),
        PathError::TooDeep { .. } => ("TooDeep", None),
        PathError::TooComplex(_) => ("TooComplex", None),
        PathError::NoAnchors => ("NoAnchors", None),
        _ => ("other", None),
    }
}

fn run_case(
    dir: &Path,
    c: &Case,
    validator: Option<&mut PathValidator>,
) -> Result<ValidIssuer, PathError> {
    let anchors = TrustAnchors::from_pem(&std::fs::read_to_string(dir.join(&c.trust)).unwrap())
        .unwrap_or_else(|e| panic!("{}: trust: {e}", c.name));
    let mut own;
    let v = match validator {
        Some(v) => v,
        None => {
            own = PathValidator::new(anchors);
            &mut own
        }
    };
    let mut chain = certs(dir, &c.leaf);
    let mut pool = Vec::new();
    if let Some(f) = &c.chain {
        if c.intermediates_in_pool {
            pool = certs(dir, f);
        } else {
            chain.extend(certs(dir, f));
        }
    }
    let at = Timestamp::parse_rfc3339(&c.at).unwrap();
    match c.mode.as_str() {
        "signer" => v.validate(&chain, &pool, at),
        "any" => v.validate_certificate(&chain, &pool, at),
        m => panic!("{}: unknown mode {m}", c.name),
    }
}

fn check(dir: &Path, c: &Case, got: Result<ValidIssuer, PathError>) {
    let name = &c.name;
    match got {
        Ok(v) => {
            assert!(
                c.expect.valid,
                "{name}: expected {:?}, got valid",
                c.expect.error
            );
            assert_eq!(v.subject, c.expect.subject, "{name}");
            let roles: Vec<&str> = v.roles.iter().map(|r| r.as_str()).collect();
            assert_eq!(roles, c.expect.roles, "{name}");
            assert_eq!(v.path.first(), Some(&v.subject), "{name}");
            let leaf_der = &certs(dir, &c.leaf)[0];
            let h: [u8; 32] =
                sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(leaf_der))
                    .into();
            assert_eq!(v.leaf_sha256, h, "{name}");
            assert!(
                v.not_before <= Timestamp::parse_rfc3339(&c.at).unwrap(),
                "{name}"
            );
            let code = match &c.kind {
                Some(k) => {
                    let kind: Kind = k.parse().unwrap();
                    let allowed = roles_allow(&v, kind);
                    assert_eq!(Some(allowed), c.expect.kind_allowed, "{name}");
                    (!allowed).then_some("issuer.role")
                }
                None => None,
            };
            assert_eq!(code, c.expect.code.as_deref(), "{name}");
        }
        Err(e) => {
            assert!(!c.expect.valid, "{name}: expected valid, got {e}");
            let (var, subject) = variant(&e);
            assert_eq!(Some(var), c.expect.error.as_deref(), "{name}: {e}");
            assert_eq!(Some(e.code()), c.expect.code.as_deref(), "{name}: {e}");
            if let Some(s) = subject {
                assert_eq!(s, c.expect.subject, "{name}: {e}");
            }
            // every message names the certificate it is about (TooDeep names the limit)
            let msg = e.to_string();
            assert!(
                msg.contains(&c.expect.subject) || matches!(e, PathError::TooDeep { .. }),
                "{name}: {msg}"
            );
        }
    }
}

#[test]
fn checked_in_cases() {
    let dir = fixtures();
    let cases = load(&dir);
    assert!(cases.len() >= 20, "only {} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    for c in &cases {
        check(&dir, c, run_case(&dir, c, None));
    }
}

#[test]
fn one_validator_for_all_cases_gives_the_same_results() {
    // The cache keyed by certificate hash must not leak a result from one path to another.
    let dir = fixtures();
    let cases = load(&dir);
    let anchors =
        TrustAnchors::from_pem(&std::fs::read_to_string(dir.join("root.pem")).unwrap()).unwrap();
    let mut v = PathValidator::new(anchors);
    for _ in 0..2 {
        for c in cases.iter().filter(|c| c.trust == "root.pem") {
            check(&dir, c, run_case(&dir, c, Some(&mut v)));
        }
    }
}

#[test]
fn regenerated_fixtures_match_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    let generated = pki_fixtures::generate(tmp.path()).unwrap();
    let checked_in = load(&fixtures());
    assert_eq!(
        generated, checked_in,
        "regenerate fixtures/pki with `cargo xtask pki-fixtures fixtures/pki --force`"
    );
    for c in &generated {
        check(tmp.path(), c, run_case(tmp.path(), c, None));
    }
}

#[test]
fn time_is_checked_per_call_with_a_warm_cache() {
    let dir = fixtures();
    let anchors =
        TrustAnchors::from_pem(&std::fs::read_to_string(dir.join("root.pem")).unwrap()).unwrap();
    let mut v = PathValidator::new(anchors);
    let mut chain = certs(&dir, "leaf-2.pem");
    chain.extend(certs(&dir, "int-a.pem"));
    let t = |s| Timestamp::parse_rfc3339(s).unwrap();
    // 2026-01-01 .. 2027-01-01 inclusive
    assert!(v.validate(&chain, &[], t("2026-01-01T00:00:00Z")).is_ok());
    assert!(v.validate(&chain, &[], t("2027-01-01T00:00:00Z")).is_ok());
    assert!(matches!(
        v.validate(&chain, &[], t("2027-01-01T00:00:01Z")),
        Err(PathError::Expired { .. })
    ));
    assert!(matches!(
        v.validate(&chain, &[], t("2025-12-31T23:59:59Z")),
        Err(PathError::NotYetValid { .. })
    ));
    assert!(v.validate(&chain, &[], t("2026-06-01T00:00:00Z")).is_ok());
}

#[test]
fn the_most_specific_error_wins_among_candidates() {
    // Leaf Under Old has one candidate issuer path, through an expired intermediate; an
    // impostor with the same name but another key is also offered. The expiry (a sound
    // path) is reported, not the impostor's bad signature.
    let dir = fixtures();
    let anchors =
        TrustAnchors::from_pem(&std::fs::read_to_string(dir.join("root.pem")).unwrap()).unwrap();
    let mut v = PathValidator::new(anchors);
    let chain = certs(&dir, "leaf-under-old.pem");
    let mut pool = certs(&dir, "leaf-other-key.pem"); // unrelated, ignored
    pool.extend(certs(&dir, "int-old.pem"));
    let at = Timestamp::parse_rfc3339(pki_fixtures::AT).unwrap();
    let e = v.validate(&chain, &pool, at).unwrap_err();
    assert!(
        matches!(&e, PathError::Expired { subject, .. } if subject.contains("Intermediate Old")),
        "{e}"
    );
}

#[test]
fn hostile_inputs_are_refused_with_typed_errors() {
    let dir = fixtures();
    let anchors =
        TrustAnchors::from_pem(&std::fs::read_to_string(dir.join("root.pem")).unwrap()).unwrap();
    assert_eq!(anchors.len(), 1);
    let mut v = PathValidator::new(anchors);
    let at = Timestamp::parse_rfc3339(pki_fixtures::AT).unwrap();
    assert!(matches!(
        v.validate(&[], &[], at),
        Err(PathError::Malformed { .. })
    ));
    let leaf = certs(&dir, "leaf-1.pem").remove(0);
    let long = vec![leaf.clone(); path::MAX_CHAIN + 1];
    assert!(matches!(
        v.validate(&long, &[], at),
        Err(PathError::Malformed { .. })
    ));
    // trailing bytes after the certificate
    let mut trailing = leaf.clone();
    trailing.push(0);
    assert!(
        matches!(v.validate(&[trailing], &[], at), Err(PathError::Malformed { reason, .. }) if reason.contains("trailing"))
    );
    // a flipped bit in the signed part breaks the signature
    let mut flipped = leaf.clone();
    let i = flipped.len() / 2;
    flipped[i] ^= 0x01;
    let r = v.validate(&[flipped], &[], at);
    assert!(r.is_err(), "{r:?}");
    // a garbage pool entry is reported, not skipped
    assert!(matches!(
        v.validate(std::slice::from_ref(&leaf), &[vec![0x30, 0x00]], at),
        Err(PathError::Malformed { .. })
    ));
    // the same certificate repeated in the chain is harmless
    assert!(v.validate(&[leaf.clone(), leaf.clone()], &[], at).is_ok());
    // a P-256 root is refused as an anchor, naming the algorithm
    let p256 = std::fs::read_to_string(dir.join("int-p256.pem")).unwrap();
    let e = TrustAnchors::from_pem(&p256).unwrap_err();
    assert!(e.to_string().contains("1.2.840.10045.2.1"), "{e}");
    assert_eq!(MAX_DEPTH, 8);
}

#[test]
fn unsupported_algorithms_are_named() {
    let dir = fixtures();
    let anchors =
        TrustAnchors::from_pem(&std::fs::read_to_string(dir.join("root.pem")).unwrap()).unwrap();
    let mut v = PathValidator::new(anchors);
    let at = Timestamp::parse_rfc3339(pki_fixtures::AT).unwrap();
    let e = v
        .validate(&certs(&dir, "leaf-p256.pem"), &[], at)
        .unwrap_err();
    assert!(
        matches!(&e, PathError::UnsupportedAlgorithm { what: "public key", oid, .. } if oid == "1.2.840.10045.2.1"),
        "{e}"
    );
    assert!(e.to_string().contains("P-256"), "{e}");
    let mut chain = certs(&dir, "leaf-under-p256.pem");
    chain.extend(certs(&dir, "int-p256.pem"));
    let e = v.validate(&chain, &[], at).unwrap_err();
    assert!(
        matches!(&e, PathError::UnsupportedAlgorithm { what: "signature", oid, .. } if oid == "1.2.840.10045.4.3.2"),
        "{e}"
    );
    assert!(e.to_string().contains("ECDSA with SHA-256"), "{e}");
}
