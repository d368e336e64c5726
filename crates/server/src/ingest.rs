//! Checks on a posted certificate before it is stored.
//!
//! In order: decoding (400 when the body is not a certificate); then, collecting every
//! finding rather than stopping at the first (422): the issuer path at `issued_at`, the
//! signature, the issuer's role, the time order inside the payload, a signing time in the
//! future, the certificate's own mass balance, and — against the stored certificates —
//! that each input names a stored certificate that outputs the lot and is not later than
//! the posted one. The store then re-checks the links and the quantities atomically.

use crate::error::ApiError;
use crate::recent::{Recent, RecentCache};
use catchcert_model::payload::Details;
use catchcert_model::{CertId, Role, Timestamp};
use catchcert_store::{InputRef, NewCertificate, OutputLot, Store};
use catchcert_verify::custody::{self, SpeciesIndex};
use catchcert_verify::findings::Finding;
use catchcert_verify::kinds::{Absence, FindingKind, RevocationRefusal};
use catchcert_verify::path::{PathValidator, ValidIssuer};
use catchcert_verify::rules;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// How far in the future a signing time may be (clock skew between signer and server).
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

pub use crate::recent::{Decoded, decode};

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
    recent: &RecentCache,
    validator: &Mutex<PathValidator>,
    d: &Decoded,
    issuer: &ValidIssuer,
) -> Result<Option<Finding>, ApiError> {
    let id = d.sign1.id;
    let Some(target) = rules::revoked_needing_signer(issuer, &d.payload) else {
        return Ok(None);
    };
    let Some(stored) = stored_one(store, recent, target).await? else {
        let refusal = RevocationRefusal::NotStored(target);
        return Ok(rules::self_revocation(id, issuer, Err(refusal)));
    };
    let Some(target) = stored else {
        let refusal = RevocationRefusal::Undecodable;
        return Ok(rules::self_revocation(id, issuer, Err(refusal)));
    };
    let signer = match target.issuer(|t| validated(validator, t)) {
        Some(t) => Ok(&t.key),
        None => Err(RevocationRefusal::TargetIssuerInvalid),
    };
    Ok(rules::self_revocation(id, issuer, signer))
}

/// A revocation of a stored revocation: refused (`issuer.role`), since a revocation cannot
/// itself be revoked (contract §4), whoever signs it.
pub async fn check_revocation_target(
    store: &Store,
    recent: &RecentCache,
    d: &Decoded,
    issuer: &ValidIssuer,
) -> Result<Option<Finding>, ApiError> {
    let Details::Revocation(r) = d.payload.details() else {
        return Ok(None);
    };
    let Some(stored) = stored_one(store, recent, r.certificate).await? else {
        return Ok(None);
    };
    let target_is_revocation =
        stored.is_some_and(|t| matches!(t.payload().details(), Details::Revocation(_)));
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

/// Check each input against the stored certificates: present ([`Absence::NotStored`]),
/// then the verifier's links of one input ([`rules::input_links`]: outputs the lot, not
/// later), custody ([`custody::custody`], with the holder from the stored producer and the
/// bindings of its validated issuer; not judged when that issuer no longer validates) and
/// species ([`custody::species`]); and, for every stored certificate it names (inputs and
/// attestations), that it was not signed before it ([`custody::issued_before_named`]).
/// `issuer` is the posted certificate's validated issuer (custody needs its bindings).
/// The named certificates come from `recent` when kept there, else from the store (and are
/// then kept).
pub async fn check_inputs(
    store: &Store,
    recent: &RecentCache,
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
    let stored = stored_many(store, recent, &wanted).await?;
    let mut findings = Vec::new();
    for n in &wanted {
        if let Some(Some(named)) = stored.get(n) {
            findings.extend(custody::issued_before_named(p, *n, named.payload()).map(|k| k.on(id)));
        }
    }
    let mut linked = Vec::new();
    for (k, input) in p.inputs().iter().enumerate() {
        match stored.get(&input.certificate) {
            None => findings.push(rules::link_missing(id, k, input, Absence::NotStored)),
            // Stored certificates were verified when they arrived; one that no longer
            // decodes is left to the store's own checks.
            Some(None) => {}
            Some(Some(src)) => match rules::input_links(id, p, k, src.payload()) {
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
            let bound = src.issuer(|s| validated(validator, s)).map(|v| &v.bindings);
            let Some(holder) = custody::holder(src.payload(), bound) else {
                continue;
            };
            findings.extend(
                custody::custody(p, &issuer.bindings, *k, input, src.payload(), holder)
                    .map(|f| f.on(id)),
            );
        }
    }
    if p.kind().is_custody() && !p.inputs().is_empty() {
        let known = species_ancestors(store, recent, &stored).await?;
        let mut index = SpeciesIndex::new(|c: &CertId| known.get(c).map(|r| r.payload()));
        let carried: Vec<BTreeSet<&str>> = p
            .inputs()
            .iter()
            .map(|i| index.carried(i.certificate, i.lot.as_str()))
            .collect();
        findings.extend(custody::species(p, &carried).into_iter().map(|k| k.on(id)));
    }
    Ok(findings)
}

/// `validate(x5chain, [], issued_at)` of a certificate with the shared validator: its issuer,
/// when the path is valid (what [`Recent::issuer`] keeps).
fn validated(validator: &Mutex<PathValidator>, d: &Decoded) -> Option<ValidIssuer> {
    lock(validator)
        .validate(&d.sign1.x5chain, &[], d.payload.issued_at())
        .ok()
}

/// A certificate read from the store, decoded and kept in `recent`; `None` when its bytes do
/// not decode (then it is not kept).
fn keep(recent: &RecentCache, id: CertId, bytes: &[u8]) -> Option<Arc<Recent>> {
    let r = Arc::new(Recent::new(decode(bytes).ok()?, bytes.len()));
    recent.put(id, Arc::clone(&r));
    Some(r)
}

/// The stored certificate `id`: from `recent` when kept, else read from the store (and
/// kept). `None` when it is not stored; `Some(None)` when its stored bytes do not decode.
async fn stored_one(
    store: &Store,
    recent: &RecentCache,
    id: CertId,
) -> Result<Option<Option<Arc<Recent>>>, ApiError> {
    if let Some(r) = recent.get(&id) {
        return Ok(Some(Some(r)));
    }
    let bytes = store.get(id).await.map_err(ApiError::from_read)?;
    Ok(bytes.map(|b| keep(recent, id, &b)))
}

/// The stored certificates among `ids` (distinct), as [`stored_one`] finds them: those kept in
/// `recent`, the rest in one store read (then kept). Those not stored are absent.
async fn stored_many(
    store: &Store,
    recent: &RecentCache,
    ids: &[CertId],
) -> Result<HashMap<CertId, Option<Arc<Recent>>>, ApiError> {
    let mut found = HashMap::with_capacity(ids.len());
    let mut misses = Vec::new();
    for id in ids {
        match recent.get(id) {
            Some(r) => {
                found.insert(*id, Some(r));
            }
            None => misses.push(*id),
        }
    }
    if !misses.is_empty() {
        for (id, bytes) in store.get_many(&misses).await.map_err(ApiError::from_read)? {
            found.insert(id, keep(recent, id, &bytes));
        }
    }
    Ok(found)
}

/// How many stored certificates [`check_inputs`] looks up, at most, to find the species of
/// lots whose outputs name none (species pass through every step).
pub const MAX_SPECIES_LOOKUPS: usize = 1_000;

/// The stored producers, and their stored ancestors as far as outputs without a species need
/// them (at most [`MAX_SPECIES_LOOKUPS`] more look-ups, in `recent` or the store).
async fn species_ancestors(
    store: &Store,
    recent: &RecentCache,
    stored: &HashMap<CertId, Option<Arc<Recent>>>,
) -> Result<HashMap<CertId, Arc<Recent>>, ApiError> {
    let mut known: HashMap<CertId, Arc<Recent>> = stored
        .iter()
        .filter_map(|(c, d)| d.as_ref().map(|d| (*c, Arc::clone(d))))
        .collect();
    let needs = |r: &Recent| r.payload().outputs().iter().any(|o| o.species.is_none());
    let mut frontier: BTreeSet<CertId> = known
        .values()
        .filter(|r| needs(r))
        .flat_map(|r| r.payload().inputs().iter().map(|i| i.certificate))
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
        let got = stored_many(store, recent, &batch).await?;
        let mut next = BTreeSet::new();
        for (c, r) in got {
            let Some(r) = r else { continue };
            if needs(&r) {
                next.extend(r.payload().inputs().iter().map(|i| i.certificate));
            }
            known.insert(c, r);
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
        evidence: Some(catchcert_store::payload_evidence(p)),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Ingest hands the store the evidence facts of the payload it decoded
    /// ([`catchcert_store::payload_evidence`]) instead of letting the store decode the bytes
    /// again: for every certificate of the demo and of every fixture case, the two agree,
    /// among them attestations (what they attest) and catches, processing and at-sea
    /// transshipments (what they need attested).
    #[test]
    fn evidence_from_the_decoded_payload_equals_evidence_from_the_bytes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut dirs = vec![root.join("demo")];
        let mut cases: Vec<_> = std::fs::read_dir(root.join("cases"))
            .expect("fixtures/cases")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_dir())
            .collect();
        cases.sort();
        dirs.extend(cases);
        let (mut checked, mut attests, mut needs) = (0, 0, 0);
        for dir in dirs {
            for bytes in catchcert_testkit::cose_files(&dir) {
                let Ok((_, p)) = catchcert_verify::cose::decode_certificate(&bytes) else {
                    continue;
                };
                let given = catchcert_store::payload_evidence(&p);
                assert_eq!(given, catchcert_store::evidence_facts(&bytes), "{dir:?}");
                checked += 1;
                attests += usize::from(given.attests.is_some());
                needs += usize::from(given.needs.is_some());
            }
        }
        assert!(
            checked > 100 && attests > 5 && needs > 20,
            "{checked} {attests} {needs}"
        );
    }
}
