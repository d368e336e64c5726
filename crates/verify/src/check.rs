//! Stage 2, check each certificate on its own: issuer path, signature, role and internal
//! time order. Each certificate is checked once per run; the outcome is cached, and a
//! sound outcome holds the proof that its signature was checked.
//!
//! The signatures of the head's graph are checked together first ([`Checks::signatures`]
//! gathers them, the pipeline checks them in one Ed25519 batch, on several threads for
//! large graphs, see [`crate::par`], and [`Checks::accept`] pairs the outcomes with the
//! issuer paths [`Checks::prepare_paths`] validated); the one-by-one checks then read them. A certificate the batch did not cover (an
//! attestation or revocation outside the graph, a watch list) is checked alone.

use crate::findings::Finding;
use crate::kinds::FindingKind;
use crate::limits::VerifyLimits;
use crate::path::{IssuerSignature, PathError, PathValidator, TrustAnchors, ValidIssuer};
use crate::rules;
use crate::set::{Entry, Set};
use crate::signature::{BatchItem, SignatureChecked, SignatureError};
use catchcert_model::CertId;
use std::collections::{HashMap, HashSet};

/// The outcome of checking one certificate's own signature, issuer, role and times.
#[derive(Clone, Debug)]
pub(crate) enum CheckedCertificate {
    /// No error finding about the certificate itself.
    Sound {
        /// Its validated issuer.
        issuer: ValidIssuer,
        /// The proof that its signature verifies under the issuer's key.
        _signature: SignatureChecked,
    },
    /// At least one error finding (or not present).
    Unsound {
        /// Its validated issuer, when the path is valid.
        issuer: Option<ValidIssuer>,
        /// Its error findings as `code: message`.
        problems: Vec<String>,
    },
}

impl CheckedCertificate {
    pub(crate) fn is_sound(&self) -> bool {
        matches!(self, CheckedCertificate::Sound { .. })
    }

    pub(crate) fn issuer(&self) -> Option<&ValidIssuer> {
        match self {
            CheckedCertificate::Sound { issuer, .. } => Some(issuer),
            CheckedCertificate::Unsound { issuer, .. } => issuer.as_ref(),
        }
    }

    pub(crate) fn problems(&self) -> &[String] {
        match self {
            CheckedCertificate::Sound { .. } => &[],
            CheckedCertificate::Unsound { problems, .. } => problems,
        }
    }
}

/// The per-certificate checks of one run, with their cache.
pub(crate) struct Checks {
    validator: PathValidator,
    done: HashMap<CertId, CheckedCertificate>,
    /// Issuer paths and signature outcomes made ahead ([`Checks::prepare_paths`],
    /// [`Checks::accept`]), taken by the one-by-one check.
    ahead: HashMap<CertId, (Result<ValidIssuer, PathError>, Option<SignatureResult>)>,
    /// Certificate signatures checked so far, and the most allowed.
    signatures: usize,
    max_signatures: usize,
}

impl Checks {
    /// A validator for `anchors` with the set's extra issuer certificates, indexed once.
    pub(crate) fn new(anchors: &TrustAnchors, pool: &[Vec<u8>], limits: &VerifyLimits) -> Self {
        let mut validator = PathValidator::new(anchors.clone());
        validator.add_pool(pool);
        Checks {
            validator,
            done: HashMap::new(),
            ahead: HashMap::new(),
            signatures: 0,
            max_signatures: limits.max_signatures,
        }
    }

    /// The signatures of `ids` (in order, within the signature budget), each under the key
    /// its message presents (its x5chain's leaf), to be checked in one batch before or
    /// while the issuer paths are validated: a path that holds ends in that same key.
    /// The leaf of each distinct x5chain is parsed once (by the path validator, which
    /// keeps it for the paths), found by the chain's digest ([`ChainDigests`], lent to
    /// [`Checks::prepare_paths`]).
    pub(crate) fn signatures<'s>(&mut self, set: &'s Set, ids: &[CertId]) -> Signatures<'s> {
        let room = self.max_signatures.saturating_sub(self.signatures);
        let candidates: Vec<(CertId, &Entry)> = ids
            .iter()
            .filter(|id| !self.done.contains_key(id) && !self.ahead.contains_key(id))
            .filter_map(|id| match (set.entries.get(id), set.broken.get(id)) {
                (Some(e), None) => Some((*id, e)),
                _ => None,
            })
            .take(room)
            .collect();
        let mut digests = ChainDigests::default();
        let chains: Vec<[u8; 32]> = candidates
            .iter()
            .map(|(_, e)| digests.of(&e.sign1.x5chain))
            .collect();
        let mut leaves: HashMap<[u8; 32], Option<ed25519_dalek::VerifyingKey>> = HashMap::new();
        let mut signatures = Signatures {
            ids: Vec::with_capacity(candidates.len()),
            entries: Vec::with_capacity(candidates.len()),
            keys: Vec::with_capacity(candidates.len()),
            chains: Vec::with_capacity(candidates.len()),
        };
        for ((id, e), chain) in candidates.into_iter().zip(chains) {
            let Some(der) = e.sign1.x5chain.first() else {
                continue;
            };
            let validator = &mut self.validator;
            let leaf = leaves
                .entry(chain)
                .or_insert_with(|| validator.presented_key(der));
            if let Some(key) = *leaf {
                signatures.ids.push(id);
                signatures.entries.push(e);
                signatures.keys.push(key);
                signatures.chains.push(chain);
            }
        }
        signatures
    }

    /// The issuer signatures that validating the x5chains of `signatures` may check (each
    /// distinct chain once, at most [`ISSUER_SIGNATURES_AHEAD`] in all), to be checked in
    /// the batch beside them and handed to [`Checks::seed`] before
    /// [`Checks::prepare_paths`] validates the paths (`path/ahead.rs`).
    pub(crate) fn issuer_signatures(
        &mut self,
        signatures: &Signatures<'_>,
    ) -> Vec<IssuerSignature> {
        let mut chains: HashSet<[u8; 32]> = HashSet::new();
        let mut gathered = HashSet::new();
        let mut out = Vec::new();
        for (e, chain) in signatures.entries.iter().zip(&signatures.chains) {
            let room = ISSUER_SIGNATURES_AHEAD.saturating_sub(out.len());
            if room == 0 {
                break;
            }
            if chains.insert(*chain) {
                out.extend(
                    self.validator
                        .issuer_signatures(&e.sign1.x5chain, &mut gathered, room),
                );
            }
        }
        out
    }

    /// Hand the outcomes of the issuer signatures [`Checks::issuer_signatures`] gathered
    /// (`outcomes`, in their order) to the path validator's cache.
    pub(crate) fn seed(
        &mut self,
        gathered: &[IssuerSignature],
        outcomes: impl IntoIterator<Item = SignatureResult>,
    ) {
        for (g, outcome) in gathered.iter().zip(outcomes) {
            self.validator.seed(g, outcome.ok());
        }
    }

    /// Validate the issuer paths of `ids` (in order, within the signature budget; a failed
    /// path is cached at once), for [`Checks::accept`] to pair with their signatures'
    /// outcomes; `signatures` (gathered from the same `ids`) lend the digests of their
    /// chains. Only a cache: each outcome is exactly what the one-by-one check would
    /// compute.
    pub(crate) fn prepare_paths(
        &mut self,
        set: &Set,
        ids: &[CertId],
        signatures: &Signatures<'_>,
    ) -> Vec<(CertId, ValidIssuer)> {
        let room = self.max_signatures.saturating_sub(self.signatures);
        // Each of `ids` is checked next: room for their outcomes up front.
        self.ahead.reserve(ids.len().min(room));
        self.done.reserve(ids.len());
        let mut signers: Vec<(CertId, ValidIssuer)> = Vec::with_capacity(ids.len().min(room));
        // `signatures.ids` is a subsequence of `ids`: walked alongside.
        let mut gathered = signatures.ids.iter().zip(&signatures.chains).peekable();
        for id in ids {
            if signers.len() + self.ahead.len() >= room {
                break;
            }
            if self.done.contains_key(id) || self.ahead.contains_key(id) {
                continue;
            }
            let (Some(e), None) = (set.entries.get(id), set.broken.get(id)) else {
                continue;
            };
            let chain = match gathered.next_if(|(g, _)| *g == id) {
                Some((_, chain)) => *chain,
                None => crate::path::chain_key(&e.sign1.x5chain),
            };
            match self
                .validator
                .validate_keyed(&e.sign1.x5chain, chain, e.payload.issued_at())
            {
                Ok(issuer) => signers.push((*id, issuer)),
                Err(err) => {
                    self.ahead.insert(*id, (Err(err), None));
                }
            }
        }
        signers
    }

    /// Cache each signer's issuer with the outcome of its signature among `signatures`
    /// (`outcomes`, in their order), for the one-by-one checks to take. A signer whose
    /// signature is not among them, or was checked under another key than its issuer's,
    /// is checked alone later.
    pub(crate) fn accept(
        &mut self,
        signers: Vec<(CertId, ValidIssuer)>,
        signatures: &Signatures<'_>,
        outcomes: impl IntoIterator<Item = SignatureResult>,
    ) {
        let mut checked: HashMap<CertId, (&ed25519_dalek::VerifyingKey, SignatureResult)> =
            HashMap::with_capacity(signatures.ids.len());
        for ((id, key), outcome) in signatures.ids.iter().zip(&signatures.keys).zip(outcomes) {
            checked.insert(*id, (key, outcome));
        }
        for (id, issuer) in signers {
            let outcome = checked
                .remove(&id)
                .filter(|(key, _)| **key == issuer.key)
                .map(|(_, outcome)| outcome);
            self.ahead.insert(id, (Ok(issuer), outcome));
        }
    }

    /// The cached outcome of a certificate already checked.
    pub(crate) fn get(&self, id: &CertId) -> Option<&CheckedCertificate> {
        self.done.get(id)
    }

    /// Check `id` once. Its findings are appended to `record` the first time only, when
    /// given; later calls return the cached outcome.
    pub(crate) fn check(
        &mut self,
        set: &Set,
        id: CertId,
        record: Option<&mut Vec<Finding>>,
    ) -> &CheckedCertificate {
        if !self.done.contains_key(&id) {
            let (outcome, findings) = match (set.entries.get(&id), set.broken.get(&id)) {
                (_, Some(reason)) => (
                    unsound(None),
                    vec![
                        FindingKind::Undecodable {
                            reason: reason.clone(),
                        }
                        .on(id),
                    ],
                ),
                (Some(e), None) => self.check_entry(set, id, e),
                (None, None) => (
                    CheckedCertificate::Unsound {
                        issuer: None,
                        problems: vec!["not present".into()],
                    },
                    Vec::new(),
                ),
            };
            let outcome = match outcome {
                CheckedCertificate::Unsound {
                    issuer,
                    mut problems,
                } => {
                    problems.extend(
                        findings
                            .iter()
                            .map(|f| format!("{}: {}", f.code, f.message)),
                    );
                    CheckedCertificate::Unsound { issuer, problems }
                }
                sound => sound,
            };
            if let Some(record) = record {
                record.extend(findings);
            }
            return self.done.entry(id).or_insert(outcome);
        }
        match self.done.get(&id) {
            Some(c) => c,
            None => &NOT_PRESENT,
        }
    }

    /// Issuer path, signature, role and internal time order of a decoded certificate.
    fn check_entry(
        &mut self,
        set: &Set,
        id: CertId,
        e: &Entry,
    ) -> (CheckedCertificate, Vec<Finding>) {
        if self.signatures >= self.max_signatures {
            let over = FindingKind::TooManySignatures {
                limit: self.max_signatures,
            };
            return (unsound(None), vec![over.on(id)]);
        }
        self.signatures += 1;
        let (sign1, payload) = (&e.sign1, &e.payload);
        let mut out = Vec::new();
        let (path, ahead) = match self.ahead.remove(&id) {
            Some(made) => made,
            None => (
                self.validator
                    .validate(&sign1.x5chain, &[], payload.issued_at()),
                None,
            ),
        };
        let issuer = match path {
            Ok(issuer) => issuer,
            Err(err) => {
                out.push(rules::issuer_path(id, err));
                // The path failed, but the message may also be forged: check it against
                // the key of the certificate it presents, so that an altered message is
                // named as such.
                if let Some(key) = sign1.x5chain.first().and_then(|d| leaf_key(d))
                    && let Err(e) = sign1.verify(&key)
                {
                    out.push(FindingKind::SignatureUnderPresentedKey(e).on(id));
                }
                out.extend(rules::internal_time_order(id, payload));
                return (unsound(None), out);
            }
        };
        let signature = match ahead {
            Some(outcome) => rules::signature_outcome(id, outcome, &issuer),
            None => rules::signature(id, sign1, &issuer),
        }
        .map_err(|f| out.push(f))
        .ok();
        let revoked_signer = self.revoked_signer(set, &issuer, payload);
        out.extend(rules::role(id, &issuer, payload, revoked_signer.as_ref()));
        out.extend(rules::internal_time_order(id, payload));
        match signature {
            Some(proof) if out.is_empty() => (
                CheckedCertificate::Sound {
                    issuer,
                    _signature: proof,
                },
                out,
            ),
            _ => (unsound(Some(issuer)), out),
        }
    }

    /// For a revocation the issuer's roles do not allow: the validated key of the revoked
    /// certificate's signer, when that certificate is in the set.
    fn revoked_signer(
        &mut self,
        set: &Set,
        issuer: &ValidIssuer,
        payload: &catchcert_model::Payload,
    ) -> Option<ed25519_dalek::VerifyingKey> {
        let target = rules::revoked_needing_signer(issuer, payload)?;
        let t = set.entries.get(&target)?;
        self.validator
            .validate(&t.sign1.x5chain, &[], t.payload.issued_at())
            .ok()
            .map(|v| v.key)
    }
}

/// The digests (`path::chain_key`) of the x5chains of a set's certificates, each computed
/// once per distinct chain: a set has few signers, and each signer's certificates carry
/// the same chain. A chain equal, byte for byte, to one of the last [`ChainDigests::RECENT`]
/// distinct chains takes that one's digest; any other is hashed.
#[derive(Default)]
struct ChainDigests<'s> {
    recent: Vec<(&'s [Vec<u8>], [u8; 32])>,
    /// Where the next distinct chain goes once `recent` is full.
    next: usize,
}

impl<'s> ChainDigests<'s> {
    /// Distinct chains remembered: a comparison with each, most of which stop at the
    /// certificates' serial numbers, costs less than hashing the chain.
    const RECENT: usize = 16;

    fn of(&mut self, chain: &'s [Vec<u8>]) -> [u8; 32] {
        if let Some((_, digest)) = self.recent.iter().find(|(c, _)| *c == chain) {
            return *digest;
        }
        let digest = crate::path::chain_key(chain);
        if self.recent.len() < Self::RECENT {
            self.recent.push((chain, digest));
        } else {
            self.recent[self.next] = (chain, digest);
            self.next = (self.next + 1) % Self::RECENT;
        }
        digest
    }
}

/// Most issuer signatures gathered ahead in one run; any others are checked by the path
/// search itself, as before.
const ISSUER_SIGNATURES_AHEAD: usize = 256;

/// A signature's outcome.
pub(crate) type SignatureResult = Result<SignatureChecked, SignatureError>;

/// The signatures [`Checks::signatures`] gathered: each certificate's id, message and the
/// key its x5chain's leaf presents.
pub(crate) struct Signatures<'s> {
    ids: Vec<CertId>,
    entries: Vec<&'s Entry>,
    keys: Vec<ed25519_dalek::VerifyingKey>,
    /// The digest of each one's x5chain (`path::chain_key`).
    chains: Vec<[u8; 32]>,
}

impl Signatures<'_> {
    /// How many signatures were gathered.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The signatures to check, in order.
    pub(crate) fn items(&self) -> Vec<BatchItem<'_>> {
        self.entries
            .iter()
            .zip(&self.keys)
            .map(|(e, key)| BatchItem {
                key,
                message: e.sign1.signed(),
                signature: &e.sign1.signature,
            })
            .collect()
    }
}

static NOT_PRESENT: CheckedCertificate = CheckedCertificate::Unsound {
    issuer: None,
    problems: Vec::new(),
};

fn unsound(issuer: Option<ValidIssuer>) -> CheckedCertificate {
    CheckedCertificate::Unsound {
        issuer,
        problems: Vec::new(),
    }
}

/// The Ed25519 public key of a DER certificate, without validating anything else.
fn leaf_key(der: &[u8]) -> Option<ed25519_dalek::VerifyingKey> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let spki = cert.public_key();
    if spki.algorithm.algorithm.as_bytes() != [0x2b, 0x65, 0x70] {
        return None;
    }
    let bytes: [u8; 32] = spki.subject_public_key.data.as_ref().try_into().ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::ChainDigests;
    use crate::path::chain_key;

    /// A chain of `n` certificates whose bytes depend on `seed`.
    fn chain(seed: u8, n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| vec![seed; 300 + i]).collect()
    }

    #[test]
    fn every_chain_gets_its_own_digest_however_many_signers_and_repeats() {
        // More distinct chains than are remembered, each seen several times, interleaved,
        // plus chains that differ only in their last byte or in length.
        let mut chains: Vec<Vec<Vec<u8>>> =
            (0..40u8).map(|s| chain(s, 1 + s as usize % 3)).collect();
        let mut near = chain(7, 2);
        *near[1].last_mut().unwrap() ^= 1;
        chains.push(near);
        chains.push(chain(7, 3));
        chains.push(Vec::new());
        let order: Vec<usize> = (0..600).map(|i| (i * 7 + i / 13) % chains.len()).collect();
        let mut digests = ChainDigests::default();
        for &i in &order {
            assert_eq!(digests.of(&chains[i]), chain_key(&chains[i]), "chain {i}");
        }
        assert_eq!(digests.recent.len(), ChainDigests::RECENT);
    }
}
