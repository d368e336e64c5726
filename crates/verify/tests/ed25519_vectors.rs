//! The Ed25519 verify path (`signature::verify_ed25519`, i.e. ed25519-dalek's
//! `verify_strict`) against published vectors, pinned the way webpki pins x509-limbo:
//! every vector has an expected answer, and both an unexpected acceptance and an unexpected
//! rejection fail the test.
//!
//! Vectors (see `shared/vectors/ed25519/SOURCE.md`): RFC 8032 §7.1, Wycheproof
//! `ed25519_test.json`, the "Taming the many EdDSAs" speccheck cases and C2SP CCTV
//! `ed25519vectors.json`. When the shared folder is absent the tests print a notice and
//! pass without checking anything.

use catchcert_verify::signature::{SignatureError, verify_ed25519};
use ed25519_dalek::{Signer, SigningKey};
mod ed25519_common;

use ed25519_common::{read_json, unhex, vectors_dir};
use serde::Deserialize;
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// RFC 8032 §7.1

#[derive(Deserialize)]
struct Rfc8032File {
    vectors: Vec<Rfc8032Vector>,
}

#[derive(Deserialize)]
struct Rfc8032Vector {
    name: String,
    secret_key: String,
    public_key: String,
    message: String,
    message_length: usize,
    signature: String,
}

#[test]
fn rfc8032_vectors_verify_and_signing_reproduces_them() {
    let Some(dir) = vectors_dir() else { return };
    let file: Rfc8032File = read_json(&dir, "rfc8032_ed25519.json");
    assert_eq!(
        file.vectors.len(),
        5,
        "RFC 8032 §7.1 has five Ed25519 vectors"
    );
    for v in &file.vectors {
        let seed: [u8; 32] = unhex(&v.secret_key)
            .try_into()
            .unwrap_or_else(|_| panic!("{}: seed is not 32 bytes", v.name));
        let public = unhex(&v.public_key);
        let message = unhex(&v.message);
        let signature = unhex(&v.signature);
        assert_eq!(message.len(), v.message_length, "{}", v.name);

        // Verification through the project's one verify path.
        verify_ed25519(&public, &message, &signature)
            .unwrap_or_else(|e| panic!("{}: does not verify: {e}", v.name));

        // Signing is deterministic: the seed gives the same key and signature byte for byte.
        let key = SigningKey::from_bytes(&seed);
        assert_eq!(
            key.verifying_key().to_bytes().as_slice(),
            public.as_slice(),
            "{}: public key",
            v.name
        );
        assert_eq!(
            key.sign(&message).to_bytes().as_slice(),
            signature.as_slice(),
            "{}: signature",
            v.name
        );

        // The same signature must not verify for a different message or a changed signature.
        let mut other = message.clone();
        other.push(0);
        assert_eq!(
            verify_ed25519(&public, &other, &signature),
            Err(SignatureError::Invalid),
            "{}: extended message",
            v.name
        );
        let mut bad = signature.clone();
        bad[0] ^= 1;
        assert_eq!(
            verify_ed25519(&public, &message, &bad),
            Err(SignatureError::Invalid),
            "{}: changed R",
            v.name
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Wycheproof

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WycheproofFile {
    algorithm: String,
    number_of_tests: usize,
    test_groups: Vec<WycheproofGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WycheproofGroup {
    #[serde(rename = "type")]
    kind: String,
    public_key: WycheproofKey,
    tests: Vec<WycheproofTest>,
}

#[derive(Deserialize)]
struct WycheproofKey {
    curve: String,
    pk: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WycheproofTest {
    tc_id: u32,
    comment: String,
    flags: Vec<String>,
    msg: String,
    sig: String,
    result: String,
}

#[test]
fn wycheproof_valid_verify_and_invalid_are_rejected() {
    let Some(dir) = vectors_dir() else { return };
    let file: WycheproofFile = read_json(&dir, "wycheproof_ed25519_test.json");
    assert_eq!(file.algorithm, "EDDSA");
    let (mut valid, mut invalid, mut total) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for g in &file.test_groups {
        assert_eq!(g.kind, "EddsaVerify");
        assert_eq!(g.public_key.curve, "edwards25519");
        let pk = unhex(&g.public_key.pk);
        for t in &g.tests {
            total += 1;
            let sig = unhex(&t.sig);
            let got = verify_ed25519(&pk, &unhex(&t.msg), &sig);
            match t.result.as_str() {
                "valid" => {
                    valid += 1;
                    if let Err(e) = got {
                        failures.push(format!(
                            "tcId {} ({}; {:?}): valid but rejected: {e}",
                            t.tc_id, t.comment, t.flags
                        ));
                    }
                }
                "invalid" => {
                    invalid += 1;
                    match got {
                        Ok(_) => failures.push(format!(
                            "tcId {} ({}; {:?}): invalid but accepted",
                            t.tc_id, t.comment, t.flags
                        )),
                        // Wrong-length signatures must be reported as such.
                        Err(e) if sig.len() != 64 && e != SignatureError::BadLength(sig.len()) => {
                            failures.push(format!(
                                "tcId {}: {}-byte signature rejected as {e:?}, not BadLength",
                                t.tc_id,
                                sig.len()
                            ));
                        }
                        Err(_) => {}
                    }
                }
                other => failures.push(format!("tcId {}: unexpected result {other:?}", t.tc_id)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(total, file.number_of_tests);
    assert_eq!((total, valid, invalid), (151, 88, 63));
}

// ---------------------------------------------------------------------------------------------
// speccheck ("Taming the many EdDSAs")

#[derive(Deserialize)]
struct SpeccheckCase {
    message: String,
    pub_key: String,
    signature: String,
}

/// The speccheck cases (0–11) that `verify_strict` of ed25519-dalek 2.2 accepts.
///
/// `speccheck_results.md`, row "Dalek strict" (ed25519-dalek 1.0.0-pre.4):
/// `X X X V X X X X X X X X`, i.e. case 3 only (mixed-order A and R, 0 < S < L, valid under
/// both the cofactored and the cofactorless equation). Every other case has a small-order
/// A or R (0, 1, 2, 8–11), needs the cofactored equation (4, 5) or has S ≥ L (6, 7). The
/// version the project uses gives the same answer.
const SPECCHECK_STRICT_ACCEPTS: &[usize] = &[3];

#[test]
fn speccheck_cases_match_the_documented_strict_row() {
    let Some(dir) = vectors_dir() else { return };
    let cases: Vec<SpeccheckCase> = read_json(&dir, "speccheck_cases.json");
    assert_eq!(cases.len(), 12);
    let accepted: Vec<usize> = cases
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            verify_ed25519(&unhex(&c.pub_key), &unhex(&c.message), &unhex(&c.signature)).is_ok()
        })
        .map(|(i, _)| i)
        .collect();
    // Equality fails on an unexpected acceptance and on an unexpected rejection alike.
    assert_eq!(accepted, SPECCHECK_STRICT_ACCEPTS);
}

#[test]
fn speccheck_s_out_of_range_is_rejected_before_the_equation() {
    // Cases 6 and 7 have S ≥ L: rejected as invalid (not as a bad length or key).
    let Some(dir) = vectors_dir() else { return };
    let cases: Vec<SpeccheckCase> = read_json(&dir, "speccheck_cases.json");
    for i in [6, 7] {
        let c = &cases[i];
        assert_eq!(
            verify_ed25519(&unhex(&c.pub_key), &unhex(&c.message), &unhex(&c.signature)),
            Err(SignatureError::Invalid),
            "case {i}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// C2SP CCTV

#[derive(Deserialize)]
struct CctvVector {
    number: usize,
    key: String,
    sig: String,
    msg: String,
    flags: Option<Vec<String>>,
}

#[test]
fn cctv_strict_accepts_exactly_low_order_component_only_vectors() {
    let Some(dir) = vectors_dir() else { return };
    let vectors: Vec<CctvVector> = read_json(&dir, "cctv_ed25519vectors.json");
    assert_eq!(vectors.len(), 914);
    let allowed: BTreeSet<&str> = ["low_order_component_A", "low_order_component_R"]
        .into_iter()
        .collect();
    let mut expected_accepts = 0usize;
    let mut actual_accepts = 0usize;
    let mut failures = Vec::new();
    for (i, v) in vectors.iter().enumerate() {
        assert_eq!(v.number, i, "vectors are numbered in order");
        let flags = v.flags.clone().unwrap_or_default();
        let expect = flags.iter().all(|f| allowed.contains(f.as_str()));
        let got = verify_ed25519(&unhex(&v.key), v.msg.as_bytes(), &unhex(&v.sig)).is_ok();
        expected_accepts += usize::from(expect);
        actual_accepts += usize::from(got);
        if got != expect {
            failures.push(format!(
                "vector {} {:?}: expected {}, got {}",
                v.number,
                flags,
                if expect { "accept" } else { "reject" },
                if got { "accept" } else { "reject" }
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        expected_accepts, 43,
        "43 of 914 vectors have only component flags"
    );
    assert_eq!(actual_accepts, 43);
    // Number 305 is the one vector without any edge case.
    assert!(vectors[305].flags.as_ref().is_none_or(|f| f.is_empty()));
}

// ---------------------------------------------------------------------------------------------
// Input shapes the vectors do not cover

#[test]
fn wrong_key_and_signature_lengths_are_named() {
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let pk = key.verifying_key().to_bytes();
    let sig = key.sign(b"m").to_bytes();
    assert!(verify_ed25519(&pk, b"m", &sig).is_ok());
    assert_eq!(
        verify_ed25519(&pk[..31], b"m", &sig),
        Err(SignatureError::BadKey)
    );
    assert_eq!(
        verify_ed25519(&[pk.as_slice(), &[0]].concat(), b"m", &sig),
        Err(SignatureError::BadKey)
    );
    assert_eq!(
        verify_ed25519(&pk, b"m", &sig[..63]),
        Err(SignatureError::BadLength(63))
    );
    assert_eq!(
        verify_ed25519(&pk, b"m", &[sig.as_slice(), &[0]].concat()),
        Err(SignatureError::BadLength(65))
    );
    assert_eq!(
        verify_ed25519(&pk, b"m", &[]),
        Err(SignatureError::BadLength(0))
    );
}
