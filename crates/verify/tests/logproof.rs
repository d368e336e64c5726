//! Transparency-log proofs in bundles (`verify --log-key`): each attack it stops and the
//! truthful bundle that still passes. The log here is an in-memory tree; the server's own
//! bundles are checked end to end in crates/server/tests/logproof.rs.

use catchcert_model::CertId;
use catchcert_model::bundle::Bundle;
use catchcert_tlog::{Checkpoint, MemoryLog, TlogProof, WitnessKey, cosign, sign_checkpoint};
use catchcert_verify::codes::Code;
use catchcert_verify::findings::{Integrity, Verdict};
use catchcert_verify::logproof::{self, LogTrust};
use catchcert_verify::path::TrustAnchors;
use catchcert_verify::pipeline::{VerifyLimits, verify_bundle};
use ed25519_dalek::SigningKey;
use std::path::{Path, PathBuf};

const ORIGIN: &str = "catchcert.test/log";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn anchors() -> TrustAnchors {
    TrustAnchors::from_pem(&std::fs::read_to_string(fixtures().join("trust/root.pem")).unwrap())
        .unwrap()
}

fn loins() -> Bundle {
    Bundle::from_bytes(&std::fs::read(fixtures().join("demo/loins.bundle")).unwrap()).unwrap()
}

fn log_key() -> SigningKey {
    SigningKey::from_bytes(&[11; 32])
}

fn witness_key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[100 + n; 32])
}

/// The bundle with proofs from a log holding an unrelated entry and then its certificates,
/// under a checkpoint signed by `key` and cosigned by `witnesses`.
fn logged(bundle: &Bundle, key: &SigningKey, witnesses: &[SigningKey]) -> Bundle {
    let mut log = MemoryLog::new();
    log.append(b"some other entry").unwrap();
    let mut indexes = Vec::new();
    for c in &bundle.certificates {
        indexes.push((CertId::of_cose(c), log.append(c).unwrap()));
    }
    let cp = Checkpoint::new(ORIGIN, log.size(), log.root());
    let mut note = sign_checkpoint(&cp, ORIGIN, key);
    let lines: Vec<String> = witnesses
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let signed = cosign(&cp.body(), &format!("witness{i}.test"), w, 1_780_000_000);
            signed.trim_end().to_string()
        })
        .collect();
    note = catchcert_tlog::add_signature_lines(&note, &lines);
    let proofs = indexes
        .into_iter()
        .map(|(id, index)| {
            let proof = catchcert_tlog::prove_inclusion(log.size(), index, &log).unwrap();
            let text = TlogProof {
                extra: None,
                index,
                proof,
                checkpoint: note.clone(),
            }
            .encode();
            (id, text)
        })
        .collect();
    bundle.clone().with_log_proofs(proofs)
}

fn check(bundle: &Bundle, trust: &LogTrust) -> Verdict {
    let at = catchcert_demo::t(catchcert_demo::VERIFY_AT);
    let mut v = verify_bundle(bundle, None, &anchors(), at, &VerifyLimits::default());
    let found = logproof::findings(&v, &bundle.certificates, &bundle.log_proofs, trust);
    logproof::add_findings(&mut v, found);
    v
}

fn log_codes(v: &Verdict) -> Vec<Code> {
    v.findings
        .iter()
        .map(|f| f.code)
        .filter(|c| c.as_str().starts_with("log."))
        .collect()
}

fn trust() -> LogTrust {
    LogTrust::new(log_key().verifying_key())
}

#[test]
fn a_logged_bundle_verifies_clean_and_keeps_its_proofs_through_bytes() {
    let plain = check(&loins(), &LogTrust::new(log_key().verifying_key()));
    let b = Bundle::from_bytes(&logged(&loins(), &log_key(), &[]).to_bytes()).unwrap();
    assert_eq!(b.log_proofs.len(), b.certificates.len());
    let v = check(&b, &trust());
    assert_eq!(log_codes(&v), vec![], "{:#?}", v.findings);
    assert!(!plain.nodes.is_empty());
    // The origin, given explicitly, also passes.
    let mut t = trust();
    t.origin = Some(ORIGIN.into());
    assert_eq!(log_codes(&check(&b, &t)), vec![]);
}

#[test]
fn a_bundle_without_proofs_is_log_missing_for_every_certificate_of_the_graph() {
    let v = check(&loins(), &trust());
    let missing = log_codes(&v);
    assert_eq!(missing.len(), v.nodes.len());
    assert!(missing.iter().all(|c| *c == Code::LogMissing));
    assert_eq!(v.integrity, Integrity::Invalid);
    // One certificate left out (newer than the checkpoint): only it is missing.
    let mut b = logged(&loins(), &log_key(), &[]);
    let head = b.head;
    b.log_proofs.retain(|(id, _)| *id != head);
    let v = check(&b, &trust());
    assert_eq!(log_codes(&v), vec![Code::LogMissing]);
    assert!(
        v.findings
            .iter()
            .any(|f| f.code == Code::LogMissing && f.certificate == head)
    );
}

#[test]
fn a_tampered_proof_is_log_proof_invalid() {
    let mut b = logged(&loins(), &log_key(), &[]);
    let head = b.head;
    // The head's proof moved to another index: the path no longer reaches the root.
    for (id, text) in &mut b.log_proofs {
        if *id == head {
            let mut p = TlogProof::parse(text).unwrap();
            p.index += 1;
            *text = p.encode();
        }
    }
    let v = check(&b, &trust());
    assert_eq!(log_codes(&v), vec![Code::LogProofInvalid]);
    assert_eq!(v.integrity, Integrity::Invalid);
    // The proof of another certificate presented for the head (a certificate never logged).
    let mut b = logged(&loins(), &log_key(), &[]);
    let other = b
        .log_proofs
        .iter()
        .find(|(id, _)| *id != head)
        .unwrap()
        .1
        .clone();
    for (id, text) in &mut b.log_proofs {
        if *id == head {
            *text = other.clone();
        }
    }
    assert_eq!(log_codes(&check(&b, &trust())), vec![Code::LogProofInvalid]);
    // Garbage.
    let mut b = logged(&loins(), &log_key(), &[]);
    b.log_proofs[0].1 = "not a proof".into();
    assert_eq!(log_codes(&check(&b, &trust())), vec![Code::LogProofInvalid]);
}

#[test]
fn a_checkpoint_not_signed_by_the_log_key_is_log_checkpoint_invalid() {
    // A log that is not the one the verifier trusts.
    let b = logged(&loins(), &SigningKey::from_bytes(&[12; 32]), &[]);
    let v = check(&b, &trust());
    let codes = log_codes(&v);
    assert_eq!(codes.len(), b.certificates.len().min(v.nodes.len()));
    assert!(
        codes.iter().all(|c| *c == Code::LogCheckpointInvalid),
        "{codes:?}"
    );
    // The right key, the wrong origin.
    let b = logged(&loins(), &log_key(), &[]);
    let mut t = trust();
    t.origin = Some("another.example/log".into());
    let codes = log_codes(&check(&b, &t));
    assert!(!codes.is_empty());
    assert!(
        codes.iter().all(|c| *c == Code::LogCheckpointInvalid),
        "{codes:?}"
    );
}

#[test]
fn fewer_than_k_witness_cosignatures_is_log_witness() {
    let (w0, w1, w2) = (witness_key(0), witness_key(1), witness_key(2));
    let mut t = trust();
    t.witnesses = [&w0, &w1, &w2]
        .iter()
        .map(|k| WitnessKey::any_name(k.verifying_key()))
        .collect();
    t.threshold = 2;
    // Two of the three trusted witnesses cosigned: clean.
    let b = logged(&loins(), &log_key(), &[w0.clone(), w2.clone()]);
    assert_eq!(log_codes(&check(&b, &t)), vec![]);
    // One trusted witness plus an unknown one: K−1 valid cosignatures.
    let b = logged(&loins(), &log_key(), &[w1.clone(), witness_key(9)]);
    let v = check(&b, &t);
    let codes = log_codes(&v);
    assert!(!codes.is_empty());
    assert!(codes.iter().all(|c| *c == Code::LogWitness), "{codes:?}");
    assert_eq!(v.integrity, Integrity::Invalid);
}
