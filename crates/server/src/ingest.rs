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
use catchcert_model::{CertId, Kind, Payload, Role, Timestamp};
use catchcert_store::{InputRef, NewCertificate, OutputLot, Store};
use catchcert_verify::cose::{self, Sign1};
use catchcert_verify::findings::{Code, Finding};
use catchcert_verify::path::{PathValidator, ValidIssuer};
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
pub fn check_own(validator: &Mutex<PathValidator>, d: &Decoded, now: Timestamp) -> OwnCheck {
    let id = d.sign1.id;
    let p = &d.payload;
    let kind = p.kind();
    let mut findings = Vec::new();
    let mut revocation_role_pending = false;
    let issuer = match lock(validator).validate(&d.sign1.x5chain, &[], p.issued_at) {
        Ok(i) => Some(i),
        Err(e) => {
            let code = Code::parse(e.code()).unwrap_or(Code::IssuerUntrusted);
            findings.push(Finding::new(code, id, format!("issuer path: {e}")));
            None
        }
    };
    if let Some(issuer) = &issuer {
        if let Err(e) = d.sign1.verify(&issuer.key) {
            findings.push(Finding::new(
                Code::SignatureInvalid,
                id,
                format!("{e} with the key of issuer {:?}", issuer.subject),
            ));
        }
        if !Role::any_allows(&issuer.roles, kind)
            && !catchcert_verify::path::legacy_auditor_revocation(issuer, kind)
        {
            if kind == Kind::Revocation {
                revocation_role_pending = true;
            } else {
                findings.push(role_finding(id, issuer, kind));
            }
        }
    }
    for problem in p.time_order_problems() {
        findings.push(Finding::new(Code::TimeOrder, id, problem.to_string()));
    }
    if p.issued_at.0 > now.0.saturating_add(MAX_CLOCK_SKEW_SECS) {
        findings.push(Finding::new(
            Code::TimeOrder,
            id,
            format!(
                "issued_at {} is in the future (server time {now}, {MAX_CLOCK_SKEW_SECS} s of clock skew allowed)",
                p.issued_at
            ),
        ));
    }
    if kind != Kind::Catch && kind.is_custody() {
        let total_in: u128 = p.inputs().iter().map(|i| u128::from(i.quantity.0)).sum();
        let total_out: u128 = p.outputs().iter().map(|o| u128::from(o.quantity.0)).sum();
        if total_out > total_in {
            findings.push(Finding::new(
                Code::MassBalanceExceeded,
                id,
                format!(
                    "outputs weigh {} but inputs only {}",
                    weight(total_out),
                    weight(total_in)
                ),
            ));
        }
    }
    OwnCheck {
        issuer,
        findings,
        revocation_role_pending,
    }
}

/// A total weight in grams, shown as kilograms.
fn weight(g: u128) -> String {
    match u64::try_from(g) {
        Ok(g) => catchcert_model::Grams(g).to_string(),
        Err(_) => format!("{g} g"),
    }
}

fn role_finding(id: CertId, issuer: &ValidIssuer, kind: Kind) -> Finding {
    Finding::new(
        Code::IssuerRole,
        id,
        format!(
            "issuer {:?} with roles [{}] may not sign a {kind}",
            issuer.subject,
            issuer
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// A revocation signed by an issuer without the auditor role: allowed when the stored
/// target was signed with the same key. Returns the finding when it is not.
pub async fn check_self_revocation(
    store: &Store,
    validator: &Mutex<PathValidator>,
    d: &Decoded,
    issuer: &ValidIssuer,
) -> Result<Option<Finding>, ApiError> {
    let id = d.sign1.id;
    let Details::Revocation(r) = &d.payload.details else {
        return Ok(None);
    };
    let refuse = |why: &str| {
        let mut f = role_finding(id, issuer, Kind::Revocation);
        f.message.push_str(&format!(
            " (only an auditor, or the issuer of the revoked certificate, may revoke it; {why})"
        ));
        Some(f)
    };
    let Some(bytes) = store
        .get(r.certificate)
        .await
        .map_err(ApiError::from_read)?
    else {
        return Ok(refuse(&format!("{} is not stored", r.certificate)));
    };
    let Ok(target) = decode(&bytes) else {
        return Ok(refuse("the revoked certificate does not decode"));
    };
    let target_issuer =
        lock(validator).validate(&target.sign1.x5chain, &[], target.payload.issued_at);
    match target_issuer {
        Ok(t) if t.key == issuer.key => Ok(None),
        Ok(_) => Ok(refuse("the revoked certificate has another signer")),
        Err(_) => Ok(refuse("the revoked certificate's issuer is not valid")),
    }
}

/// Check each input against the stored certificates: present, outputs the lot, not later.
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
        let src = match stored.get(&input.certificate) {
            None => {
                findings.push(Finding::new(
                    Code::LinkMissing,
                    id,
                    format!(
                        "inputs[{k}] names {}, which is not stored",
                        input.certificate
                    ),
                ));
                continue;
            }
            // Stored certificates were verified when they arrived; one that no longer
            // decodes is left to the store's own checks.
            Some(None) => continue,
            Some(Some(src)) => src,
        };
        if !src.outputs().iter().any(|o| o.lot == input.lot) {
            findings.push(Finding::new(
                Code::LinkLot,
                id,
                format!(
                    "inputs[{k}] consumes lot {:?} of {}, which outputs no such lot",
                    input.lot, input.certificate
                ),
            ));
            continue;
        }
        if src.time > p.time {
            findings.push(Finding::new(
                Code::TimeOrder,
                id,
                format!(
                    "its time {} is earlier than {} of the {} it consumes ({})",
                    p.time,
                    src.time,
                    src.kind(),
                    input.certificate
                ),
            ));
        }
        if let Details::Catch(c) = &src.details
            && p.time < c.catch_end
        {
            findings.push(Finding::new(
                Code::TimeOrder,
                id,
                format!(
                    "its time {} is before the end of fishing {} of the catch {}",
                    p.time, c.catch_end, input.certificate
                ),
            ));
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
        time: p.time,
        issued_at: p.issued_at,
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
        revokes: match &p.details {
            Details::Revocation(r) => Some(r.certificate),
            _ => None,
        },
    }
}
