//! Transparency-log proofs (contract §6, docs/transparency.md): with a log key given, every
//! certificate of the head's graph must carry a C2SP tlog-proof (`c2sp.org/tlog-proof@v1`) in
//! the bundle whose checkpoint the log key signed, that puts the certificate's exact COSE
//! bytes in the checkpoint's tree, and that at least `threshold` of the given witnesses
//! cosigned. Pure: the proofs travel in the bundle, nothing is fetched.
//!
//! Findings (errors): `log.missing` (no proof for a certificate of the graph: a bundle made
//! from files, or a certificate newer than the server's latest checkpoint),
//! `log.proof_invalid` (malformed proof, or the entry is not at the index it claims),
//! `log.checkpoint_invalid` (the checkpoint is not signed by the log key, is for another
//! origin, or is malformed), `log.witness` (fewer than `threshold` valid cosignatures).

use crate::findings::{Finding, Integrity, Severity, Verdict};
use crate::kinds::FindingKind;
use catchcert_model::CertId;
use catchcert_tlog::{NoteKey, ProofError, TlogProof, WitnessKey};
use std::collections::HashMap;

/// What the verifier trusts about the log.
#[derive(Clone, Debug)]
pub struct LogTrust {
    /// The log's Ed25519 public key.
    pub key: ed25519_dalek::VerifyingKey,
    /// The log's origin (the checkpoint's first line and the note key name); when `None`,
    /// the origin each checkpoint names, which the signature then binds.
    pub origin: Option<String>,
    /// Witness keys whose cosignatures count.
    pub witnesses: Vec<WitnessKey>,
    /// How many distinct witnesses must have cosigned each checkpoint (0: none).
    pub threshold: usize,
}

impl LogTrust {
    /// A log trusted by its key alone (no witnesses required).
    pub fn new(key: ed25519_dalek::VerifyingKey) -> Self {
        LogTrust {
            key,
            origin: None,
            witnesses: Vec::new(),
            threshold: 0,
        }
    }
}

/// The log findings for the certificates of `verdict`'s graph, found in `certificates` (the
/// set the verdict was computed from) and proved by `proofs` (`(id, tlog-proof text)`, as a
/// bundle carries them).
pub fn findings(
    verdict: &Verdict,
    certificates: &[Vec<u8>],
    proofs: &[(CertId, String)],
    trust: &LogTrust,
) -> Vec<Finding> {
    let bytes: HashMap<CertId, &Vec<u8>> = certificates
        .iter()
        .map(|c| (CertId::of_cose(c), c))
        .collect();
    let proofs: HashMap<CertId, &String> = proofs.iter().map(|(id, p)| (*id, p)).collect();
    let mut out = Vec::new();
    for node in &verdict.nodes {
        let id = node.id;
        let Some(entry) = bytes.get(&id) else {
            continue;
        };
        let Some(text) = proofs.get(&id) else {
            out.push(FindingKind::LogMissing.on(id));
            continue;
        };
        if let Err(e) = check(entry, text, trust) {
            out.push(FindingKind::LogProof { error: e }.on(id));
        }
    }
    out
}

/// Checks one proof for `entry`.
pub fn check(entry: &[u8], text: &str, trust: &LogTrust) -> Result<(), ProofError> {
    let proof = TlogProof::parse(text)?;
    let name = match &trust.origin {
        Some(o) => o.clone(),
        None => proof
            .checkpoint
            .split('\n')
            .next()
            .unwrap_or_default()
            .to_string(),
    };
    let key = NoteKey::new(name, trust.key);
    proof
        .verify(entry, &key, None, &trust.witnesses, trust.threshold)
        .map(|_| ())
}

/// Adds `findings` to `verdict` (an error makes it invalid).
pub fn add_findings(verdict: &mut Verdict, findings: Vec<Finding>) {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        verdict.integrity = Integrity::Invalid;
    }
    verdict.findings.extend(findings);
}
