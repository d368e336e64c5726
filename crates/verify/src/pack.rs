//! Sets to and from bundles: a set decoded once ([`DecodedSet`]), head discovery (which
//! certificates of a set could be its head, or hold a lot) and bundle packing (a head with
//! everything needed to verify it offline).

use crate::cose::{self, Sign1};
use crate::evidence::{self, Subject};
use crate::limits::VerifyLimits;
use crate::set;
use catchcert_model::bundle::Bundle;
use catchcert_model::payload::Details;
use catchcert_model::{CertId, Payload, Timestamp};
use std::collections::{HashMap, HashSet, VecDeque};

/// The messages of an input set, each hashed (its id) and decoded exactly once, in input
/// order. Decode a set once, then name the messages that are not certificates
/// ([`DecodedSet::errors`]), find its head ([`DecodedSet::candidate_heads`],
/// [`DecodedSet::lot_holders`]) and verify it (`verify_decoded`, which takes it by value)
/// without decoding anything again.
pub struct DecodedSet {
    messages: Vec<set::Decoded>,
}

impl DecodedSet {
    /// Hash and decode every message of `certificates` once (on several threads from
    /// `limits.parallel_from` messages; the result does not depend on it). Nothing is
    /// verified.
    pub fn decode(certificates: &[Vec<u8>], limits: &VerifyLimits) -> DecodedSet {
        DecodedSet {
            messages: set::decode_each(certificates, limits),
        }
    }

    /// How many messages the set holds, decoded or not.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether the set holds no message.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The messages that are not certificates, as (position in the input, why), in input
    /// order.
    pub fn errors(&self) -> impl Iterator<Item = (usize, &cose::CertificateError)> {
        self.messages
            .iter()
            .enumerate()
            .filter_map(|(i, (_, d))| d.as_ref().err().map(|e| (i, e)))
    }

    /// Every message that decodes as a certificate, with its id, in input order.
    fn certificates(&self) -> impl Iterator<Item = (CertId, &Payload)> {
        self.messages
            .iter()
            .filter_map(|(id, d)| d.as_ref().ok().map(|(_, p)| (*id, p)))
    }

    /// The messages, for the verifier to build its set from.
    pub(crate) fn into_messages(self) -> Vec<set::Decoded> {
        self.messages
    }

    /// The certificates that could be the head of the set: custody certificates with
    /// outputs that no other certificate of the set lists in its inputs (attestations and
    /// revocations are never candidates), sorted. Undecodable messages are skipped.
    pub fn candidate_heads(&self) -> Vec<CertId> {
        let consumed: HashSet<CertId> = self
            .certificates()
            .flat_map(|(_, p)| p.inputs().iter().map(|i| i.certificate))
            .collect();
        let mut out: Vec<CertId> = self
            .certificates()
            .filter(|(id, p)| {
                p.kind().is_custody() && !p.outputs().is_empty() && !consumed.contains(id)
            })
            .map(|(id, _)| id)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The certificates of the set that hold lot `lot` (contract §4 `--lot`): custody
    /// certificates that output it and whose output of it no certificate of the set
    /// consumes, sorted. Undecodable messages are skipped.
    pub fn lot_holders(&self, lot: &str) -> Vec<CertId> {
        let consumed: HashSet<CertId> = self
            .certificates()
            .flat_map(|(_, p)| p.inputs().iter())
            .filter(|i| i.lot == lot)
            .map(|i| i.certificate)
            .collect();
        let mut out: Vec<CertId> = self
            .certificates()
            .filter(|(id, p)| {
                p.kind().is_custody()
                    && p.outputs().iter().any(|o| o.lot == lot)
                    && !consumed.contains(id)
            })
            .map(|(id, _)| id)
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// The certificates that could be the head of a set: custody certificates with outputs
/// that no other certificate of the set lists in its inputs (attestations and revocations
/// are never candidates). Undecodable messages are skipped. To also verify the set, decode
/// it once with [`DecodedSet::decode`] and use [`DecodedSet::candidate_heads`].
pub fn candidate_heads(certificates: &[Vec<u8>]) -> Vec<CertId> {
    DecodedSet::decode(certificates, &VerifyLimits::default()).candidate_heads()
}

/// The certificates of `certificates` that hold lot `lot` (contract §4 `--lot`): custody
/// certificates that output it and whose output of it no certificate of the set consumes,
/// sorted. Undecodable messages are skipped. To also verify the set, decode it once with
/// [`DecodedSet::decode`] and use [`DecodedSet::lot_holders`].
pub fn lot_holders(certificates: &[Vec<u8>], lot: &str) -> Vec<CertId> {
    DecodedSet::decode(certificates, &VerifyLimits::default()).lot_holders(lot)
}

/// Why a bundle could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BundleBuildError {
    /// The head is not among the certificates.
    #[error("the head certificate {0} is not among the certificates")]
    HeadMissing(CertId),
    /// Too many certificates.
    #[error("the bundle would hold more than {0} certificates")]
    TooLarge(usize),
}

/// Pack a head certificate, all its ancestors, the attestations any of them names, every
/// attestation of their vessels and facilities that covers their times (named or not:
/// [`evidence::needs`]), and the revocations of any of them, with every issuer certificate of their x5chains, into
/// a bundle (contract §4). Undecodable messages are never packed; names of inputs that
/// are not present are simply absent (the verifier reports them).
pub fn bundle_for(certificates: &[Vec<u8>], head: CertId) -> Result<Bundle, BundleBuildError> {
    let mut decoded: HashMap<CertId, (&Vec<u8>, Sign1, Payload)> = HashMap::new();
    let mut revocations: HashMap<CertId, Vec<CertId>> = HashMap::new();
    for b in certificates {
        let Ok((s, p)) = cose::decode_certificate(b) else {
            continue;
        };
        if let Details::Revocation(r) = &p.details() {
            revocations.entry(r.certificate).or_default().push(s.id);
        }
        decoded.insert(s.id, (b, s, p));
    }
    if !decoded.contains_key(&head) {
        return Err(BundleBuildError::HeadMissing(head));
    }
    // The attestations of the set by subject, for the covering attestations nobody names.
    let mut attestations: HashMap<Subject, Vec<(CertId, Timestamp, Timestamp)>> = HashMap::new();
    for (id, (_, _, p)) in &decoded {
        if let Some((subject, from, until)) = evidence::attests(p) {
            attestations
                .entry(subject)
                .or_default()
                .push((*id, from, until));
        }
    }
    for v in attestations.values_mut() {
        v.sort();
    }
    let mut seen = HashSet::from([head]);
    let mut queue = VecDeque::from([head]);
    let mut certs = Vec::new();
    let mut issuers = Vec::new();
    while let Some(id) = queue.pop_front() {
        let Some((bytes, s, p)) = decoded.get(&id) else {
            continue;
        };
        certs.push((*bytes).clone());
        if certs.len() > catchcert_model::bundle::MAX_CERTIFICATES {
            return Err(BundleBuildError::TooLarge(
                catchcert_model::bundle::MAX_CERTIFICATES,
            ));
        }
        issuers.extend(s.x5chain.iter().cloned());
        let next = p
            .inputs()
            .iter()
            .map(|i| i.certificate)
            .chain(p.attestations().iter().copied())
            .chain(revocations.get(&id).into_iter().flatten().copied());
        let covering = evidence::needs(p)
            .and_then(|(subject, start, end)| {
                attestations.get(&subject).map(|v| {
                    v.iter()
                        .filter(move |(_, from, until)| *from <= start && end <= *until)
                        .map(|(a, _, _)| *a)
                })
            })
            .into_iter()
            .flatten();
        for n in next.chain(covering).collect::<Vec<_>>() {
            if decoded.contains_key(&n) && seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    Ok(Bundle::new(head, certs, issuers))
}
