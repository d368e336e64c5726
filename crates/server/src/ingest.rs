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
use catchcert_model::{CertId, Payload, Role, Timestamp};
use catchcert_store::{InputRef, NewCertificate, OutputLot, Store};
use catchcert_verify::cose::{self, Sign1};
use catchcert_verify::custody::{self, SpeciesIndex};
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
        // Scope is judged for what the issuer's roles allow it to sign at all.
        if Role::any_allows(&issuer.roles, p.kind()) {
            findings.extend(custody::scope(p, &issuer.bindings).map(|k| k.on(id)));
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
    // Plausibility (contract §5): the store can decide it from the attestation alone.
    let problems = catchcert_verify::evidence::implausible(p);
    if !problems.is_empty() {
        findings.push(
            FindingKind::AttestationImplausible {
                attestation: id,
                problems,
            }
            .on(id),
        );
    }
    OwnCheck {
        issuer,
        findings,
        revocation_role_pending,
    }
}

/// A revocation signed by an issuer without the registrar role: allowed when the stored
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

/// A revocation of a stored revocation: refused (`issuer.role`), since a revocation cannot
/// itself be revoked (contract §4), whoever signs it.
pub async fn check_revocation_target(
    store: &Store,
    d: &Decoded,
    issuer: &ValidIssuer,
) -> Result<Option<Finding>, ApiError> {
    let Details::Revocation(r) = d.payload.details() else {
        return Ok(None);
    };
    let Some(bytes) = store
        .get(r.certificate)
        .await
        .map_err(ApiError::from_read)?
    else {
        return Ok(None);
    };
    let target_is_revocation =
        decode(&bytes).is_ok_and(|t| matches!(t.payload.details(), Details::Revocation(_)));
    Ok(target_is_revocation.then(|| {
        FindingKind::RoleNotAllowed {
            issuer: issuer.subject.clone(),
            roles: issuer.roles.clone(),
            kind: d.payload.kind(),
            refusal: Some(RevocationRefusal::TargetIsRevocation),
        }
        .on(d.sign1.id)
    }))
}

/// How many stored certificates [`check_inputs`] reads, at most, to find the species of
/// lots whose outputs name none (species pass through every step).
pub const MAX_SPECIES_LOOKUPS: usize = 1_000;

/// Check each input against the stored certificates: present ([`Absence::NotStored`]),
/// then the verifier's links of one input ([`rules::input_links`]: outputs the lot, not
/// later), custody ([`custody::custody`], with the holder from the stored producer and the
/// bindings of its validated issuer; not judged when that issuer no longer validates) and
/// species ([`custody::species`]); and, for every stored certificate it names (inputs and
/// attestations), that it was not signed before it ([`custody::issued_before_named`]).
/// `issuer` is the posted certificate's validated issuer (custody needs its bindings).
pub async fn check_inputs(
    store: &Store,
    validator: &Mutex<PathValidator>,
    d: &Decoded,
    issuer: Option<&ValidIssuer>,
) -> Result<Vec<Finding>, ApiError> {
    let id = d.sign1.id;
    let p = &d.payload;
    let wanted: Vec<CertId> = custody::named(p).into_iter().collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let stored: HashMap<CertId, Option<Decoded>> = store
        .get_many(&wanted)
        .await
        .map_err(ApiError::from_read)?
        .into_iter()
        .map(|(cid, bytes)| (cid, decode(&bytes).ok()))
        .collect();
    let mut findings = Vec::new();
    for n in &wanted {
        if let Some(Some(named)) = stored.get(n) {
            findings.extend(custody::issued_before_named(p, *n, &named.payload).map(|k| k.on(id)));
        }
    }
    let mut linked = Vec::new();
    for (k, input) in p.inputs().iter().enumerate() {
        match stored.get(&input.certificate) {
            None => findings.push(rules::link_missing(id, k, input, Absence::NotStored)),
            // Stored certificates were verified when they arrived; one that no longer
            // decodes is left to the store's own checks.
            Some(None) => {}
            Some(Some(src)) => match rules::input_links(id, p, k, &src.payload) {
                Ok(time) => {
                    findings.extend(time);
                    linked.push((k, input, src));
                }
                Err(lot) => findings.push(lot),
            },
        }
    }
    if let Some(issuer) = issuer {
        for (k, input, src) in &linked {
            let bound = lock(validator)
                .validate(&src.sign1.x5chain, &[], src.payload.issued_at())
                .ok()
                .map(|v| v.bindings);
            let Some(holder) = custody::holder(&src.payload, bound.as_ref()) else {
                continue;
            };
            findings.extend(
                custody::custody(p, &issuer.bindings, *k, input, &src.payload, holder)
                    .map(|f| f.on(id)),
            );
        }
    }
    if p.kind().is_custody() && !p.inputs().is_empty() {
        let known = species_ancestors(store, &stored).await?;
        let mut index = SpeciesIndex::new(|c: &CertId| known.get(c));
        let carried: Vec<BTreeSet<&str>> = p
            .inputs()
            .iter()
            .map(|i| index.carried(i.certificate, i.lot.as_str()))
            .collect();
        findings.extend(custody::species(p, &carried).into_iter().map(|k| k.on(id)));
    }
    Ok(findings)
}

/// The payloads of the stored producers, and of their stored ancestors as far as outputs
/// without a species need them (at most [`MAX_SPECIES_LOOKUPS`] more reads).
async fn species_ancestors(
    store: &Store,
    stored: &HashMap<CertId, Option<Decoded>>,
) -> Result<HashMap<CertId, Payload>, ApiError> {
    let mut known: HashMap<CertId, Payload> = stored
        .iter()
        .filter_map(|(c, d)| d.as_ref().map(|d| (*c, d.payload.clone())))
        .collect();
    let needs = |p: &Payload| p.outputs().iter().any(|o| o.species.is_none());
    let mut frontier: BTreeSet<CertId> = known
        .values()
        .filter(|p| needs(p))
        .flat_map(|p| p.inputs().iter().map(|i| i.certificate))
        .filter(|c| !known.contains_key(c))
        .collect();
    let mut reads = 0;
    while !frontier.is_empty() && reads < MAX_SPECIES_LOOKUPS {
        let batch: Vec<CertId> = frontier
            .iter()
            .copied()
            .take(MAX_SPECIES_LOOKUPS - reads)
            .collect();
        reads += batch.len();
        let got = store.get_many(&batch).await.map_err(ApiError::from_read)?;
        let mut next = BTreeSet::new();
        for (c, bytes) in got {
            let Ok(d) = decode(&bytes) else { continue };
            if needs(&d.payload) {
                next.extend(d.payload.inputs().iter().map(|i| i.certificate));
            }
            known.insert(c, d.payload);
        }
        next.retain(|c| !known.contains_key(c) && !batch.contains(c));
        frontier = next;
    }
    Ok(known)
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
