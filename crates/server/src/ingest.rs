//! Checks on a posted certificate before it is stored.
//!
//! In order: decoding (400 when the body is not a certificate); then, collecting every
//! finding rather than stopping at the first (422): the issuer path at `issued_at`, the
//! signature, the issuer's role, the time order inside the payload, a signing time in the
//! future, the certificate's own mass balance, and — against the stored certificates —
//! that each input names a stored certificate that outputs the lot and is not later than
//! the posted one. The store then re-checks the links and the quantities atomically.

use crate::error::ApiError;
use catchcert_model::payload::Details;
use catchcert_model::{CertId, Payload, Timestamp};
use catchcert_store::{InputRef, NewCertificate, OutputLot, Store};
use catchcert_verify::cose::{self, Sign1};
use catchcert_verify::findings::Finding;
use catchcert_verify::kinds::{Absence, FindingKind, RevocationRefusal};
use catchcert_verify::path::{PathValidator, ValidIssuer};
use catchcert_verify::rules;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

/// How far in the future a signing time may be (clock skew between signer and server).
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// A posted message that decoded as a certificate.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The COSE_Sign1 message.
    pub sign1: Sign1,
    /// Its payload.
    pub payload: Payload,
}

/// Decode the body: a tagged COSE_Sign1 in the catchcert profile with a valid payload.
pub fn decode(bytes: &[u8]) -> Result<Decoded, ApiError> {
    let (sign1, payload) = cose::decode_certificate(bytes)
        .map_err(|e| ApiError::MalformedCertificate(e.to_string()))?;
    Ok(Decoded { sign1, payload })
}

/// The outcome of the checks that need nothing from the store.
#[derive(Debug)]
pub struct OwnCheck {
    /// The validated issuer, when the path is valid.
    pub issuer: Option<ValidIssuer>,
    /// Findings about the certificate.
    pub findings: Vec<Finding>,
    /// The issuer's roles do not allow the kind, but the kind is a revocation: allowed if
    /// the target was signed with the same key (needs the stored target).
    pub revocation_role_pending: bool,
}

/// Lock the shared validator (its caches stay consistent even after a panic elsewhere).
pub fn lock(v: &Mutex<PathValidator>) -> std::sync::MutexGuard<'_, PathValidator> {
    v.lock().unwrap_or_else(|e| e.into_inner())
}

/// Issuer path, signature, role, internal time order, signing time and own mass balance.
/// The rules are the verifier's ([`rules`]); only the signing time against the server's
/// clock is the server's own.
pub fn check_own(validator: &Mutex<PathValidator>, d: &Decoded, now: Timestamp) -> OwnCheck {
    let id = d.sign1.id;
    let p = &d.payload;
    let mut findings = Vec::new();
    let mut revocation_role_pending = false;
    let issuer = match lock(validator).validate(&d.sign1.x5chain, &[], p.issued_at()) {
        Ok(i) => Some(i),
        Err(e) => {
            findings.push(rules::issuer_path(id, e));
            None
        }
    };
    if let Some(issuer) = &issuer {
        findings.extend(rules::signature(id, &d.sign1, issuer).err());
        // A revocation the issuer's roles do not allow needs the stored target
        // (`check_self_revocation`).
        if rules::revoked_needing_signer(issuer, p).is_some() {
            revocation_role_pending = true;
        } else {
            findings.extend(rules::role(id, issuer, p, None));
        }
    }
    findings.extend(rules::internal_time_order(id, p));
    if p.issued_at().0 > now.0.saturating_add(MAX_CLOCK_SKEW_SECS) {
        findings.push(
            FindingKind::IssuedInFuture {
                issued_at: p.issued_at(),
                now,
                skew_secs: MAX_CLOCK_SKEW_SECS,
            }
            .on(id),
        );
    }
    findings.extend(rules::own_balance(id, p));
    OwnCheck {
        issuer,
        findings,
        revocation_role_pending,
    }
}

/// A revocation signed by an issuer without the auditor role: allowed when the stored
/// target was signed with the same key ([`rules::self_revocation`]). Returns the finding
/// when it is not.
pub async fn check_self_revocation(
    store: &Store,
    validator: &Mutex<PathValidator>,
    d: &Decoded,
    issuer: &ValidIssuer,
) -> Result<Option<Finding>, ApiError> {
    let id = d.sign1.id;
    let Some(target) = rules::revoked_needing_signer(issuer, &d.payload) else {
        return Ok(None);
    };
    let Some(bytes) = store.get(target).await.map_err(ApiError::from_read)? else {
        let refusal = RevocationRefusal::NotStored(target);
        return Ok(rules::self_revocation(id, issuer, Err(refusal)));
    };
    let Ok(target) = decode(&bytes) else {
        let refusal = RevocationRefusal::Undecodable;
        return Ok(rules::self_revocation(id, issuer, Err(refusal)));
    };
    let target_issuer =
        lock(validator).validate(&target.sign1.x5chain, &[], target.payload.issued_at());
    let signer = match &target_issuer {
        Ok(t) => Ok(&t.key),
        Err(_) => Err(RevocationRefusal::TargetIssuerInvalid),
    };
    Ok(rules::self_revocation(id, issuer, signer))
}

/// Check each input against the stored certificates: present ([`Absence::NotStored`]),
/// then the verifier's links of one input ([`rules::input_links`]: outputs the lot, not
/// later).
pub async fn check_inputs(store: &Store, d: &Decoded) -> Result<Vec<Finding>, ApiError> {
    let id = d.sign1.id;
    let p = &d.payload;
    if p.inputs().is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<CertId> = p
        .inputs()
        .iter()
        .map(|i| i.certificate)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let stored: HashMap<CertId, Option<Payload>> = store
        .get_many(&wanted)
        .await
        .map_err(ApiError::from_read)?
        .into_iter()
        .map(|(cid, bytes)| (cid, decode(&bytes).ok().map(|d| d.payload)))
        .collect();
    let mut findings = Vec::new();
    for (k, input) in p.inputs().iter().enumerate() {
        match stored.get(&input.certificate) {
            None => findings.push(rules::link_missing(id, k, input, Absence::NotStored)),
            // Stored certificates were verified when they arrived; one that no longer
            // decodes is left to the store's own checks.
            Some(None) => {}
            Some(Some(src)) => match rules::input_links(id, p, k, src) {
                Ok(time) => findings.extend(time),
                Err(lot) => findings.push(lot),
            },
        }
    }
    Ok(findings)
}

/// What the store indexes about a checked certificate.
pub fn new_certificate(bytes: Vec<u8>, d: &Decoded, issuer: &ValidIssuer) -> NewCertificate {
    let p = &d.payload;
    NewCertificate {
        id: d.sign1.id,
        bytes,
        kind: p.kind(),
        time: p.time(),
        issued_at: p.issued_at(),
        issuer_subject: issuer.subject.clone(),
        issuer_key: issuer.key.to_bytes(),
        inputs: p
            .inputs()
            .iter()
            .map(|i| InputRef {
                certificate: i.certificate,
                lot: i.lot.clone(),
                quantity: i.quantity,
            })
            .collect(),
        outputs: p
            .outputs()
            .iter()
            .map(|o| OutputLot {
                lot: o.lot.clone(),
                quantity: o.quantity,
            })
            .collect(),
        attestations: p.attestations().to_vec(),
        revokes: match &p.details() {
            Details::Revocation(r) => Some(r.certificate),
            _ => None,
        },
    }
}
