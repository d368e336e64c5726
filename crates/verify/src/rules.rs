//! The rules about one certificate, shared by the offline verifier and the server's
//! ingest: its own mass balance, the links of one input, its issuer's role (including
//! "an issuer may revoke what it signed itself") and its internal time order. Each rule
//! is a function of its inputs that returns findings; where the certificates it refers
//! to come from (a set, a store) is the caller's business.

use crate::cose::Sign1;
use crate::findings::Finding;
use crate::kinds::{Absence, FindingKind, RevocationRefusal};
use crate::path::{PathError, ValidIssuer};
use crate::signature::{SignatureChecked, SignatureError};
use catchcert_model::payload::{CustodyEvent, Details, Input, Step};
use catchcert_model::{CertId, Kind, Payload, Role};
use ed25519_dalek::VerifyingKey;

/// The issuer path of certificate `id` does not validate.
pub fn issuer_path(id: CertId, error: PathError) -> Finding {
    FindingKind::IssuerPath(error).on(id)
}

/// The signature of certificate `id` under its validated issuer's key: the proof, or the
/// `signature.invalid` finding.
pub fn signature(
    id: CertId,
    sign1: &Sign1,
    issuer: &ValidIssuer,
) -> Result<SignatureChecked, Finding> {
    signature_outcome(id, issuer.verify(&sign1.signed(), &sign1.signature), issuer)
}

/// [`signature`] for a check already made (by the batch verifier of a run).
pub fn signature_outcome(
    id: CertId,
    outcome: Result<SignatureChecked, SignatureError>,
    issuer: &ValidIssuer,
) -> Result<SignatureChecked, Finding> {
    outcome.map_err(|error| {
        FindingKind::SignatureUnderIssuer {
            error,
            issuer: issuer.subject.clone(),
        }
        .on(id)
    })
}

/// Own mass balance: a custody certificate other than a catch may not output more than it
/// consumes.
pub fn own_balance(id: CertId, p: &Payload) -> Option<Finding> {
    let kind = p.kind();
    if kind == Kind::Catch || !kind.is_custody() {
        return None;
    }
    let inputs: u128 = p.inputs().iter().map(|i| u128::from(i.quantity.0)).sum();
    let outputs: u128 = p.outputs().iter().map(|o| u128::from(o.quantity.0)).sum();
    (outputs > inputs).then(|| FindingKind::OwnBalanceExceeded { outputs, inputs }.on(id))
}

/// `inputs[k]` of certificate `id` names a certificate that is not available.
pub fn link_missing(id: CertId, k: usize, input: &Input, absence: Absence) -> Finding {
    FindingKind::LinkMissing {
        input: k,
        certificate: input.certificate,
        absence,
    }
    .on(id)
}

/// The links of `inputs[k]` of certificate `id` (payload `p`) to the certificate `src` it
/// names: `Err` with `link.lot` when `src` outputs no such lot, else the time-order
/// findings (not earlier than `src`, not before the end of fishing of a catch).
pub fn input_links(
    id: CertId,
    p: &Payload,
    k: usize,
    src: &Payload,
) -> Result<Vec<Finding>, Finding> {
    let Some(input) = p.inputs().get(k) else {
        return Ok(Vec::new());
    };
    if !src.outputs().iter().any(|o| o.lot == input.lot) {
        return Err(FindingKind::LinkLot {
            input: k,
            lot: input.lot.clone(),
            certificate: input.certificate,
        }
        .on(id));
    }
    let mut out = Vec::new();
    if src.time() > p.time() {
        out.push(
            FindingKind::BeforeInput {
                time: p.time(),
                input_time: src.time(),
                input_kind: src.kind(),
                certificate: input.certificate,
            }
            .on(id),
        );
    }
    if let Details::Custody(CustodyEvent {
        step: Step::Catch(c),
        ..
    }) = &src.details()
        && p.time() < c.catch_end
    {
        out.push(
            FindingKind::BeforeEndOfFishing {
                time: p.time(),
                catch_end: c.catch_end,
                certificate: input.certificate,
            }
            .on(id),
        );
    }
    Ok(out)
}

/// The certificate a revocation revokes, when its issuer's roles alone do not allow it:
/// the role rule then needs the signer of that certificate ([`role`]).
pub fn revoked_needing_signer(issuer: &ValidIssuer, p: &Payload) -> Option<CertId> {
    match &p.details() {
        Details::Revocation(r) if !Role::any_allows(&issuer.roles, p.kind()) => Some(r.certificate),
        _ => None,
    }
}

/// The role rule (contract §2): the issuer's roles must allow the kind, except that any
/// issuer may revoke what it signed itself. `revoked_signer` is the validated key of the
/// revoked certificate's signer, when the caller has it.
pub fn role(
    id: CertId,
    issuer: &ValidIssuer,
    p: &Payload,
    revoked_signer: Option<&VerifyingKey>,
) -> Option<Finding> {
    if Role::any_allows(&issuer.roles, p.kind()) {
        return None;
    }
    if matches!(p.details(), Details::Revocation(_)) && revoked_signer == Some(&issuer.key) {
        return None;
    }
    Some(role_finding(id, issuer, p.kind(), None))
}

/// The role rule for a revocation by an issuer whose roles do not allow it
/// ([`revoked_needing_signer`]), naming why it is refused: `revoked_signer` is the
/// validated key of the revoked certificate's signer, or why it is not available.
pub fn self_revocation(
    id: CertId,
    issuer: &ValidIssuer,
    revoked_signer: Result<&VerifyingKey, RevocationRefusal>,
) -> Option<Finding> {
    let refusal = match revoked_signer {
        Ok(key) if *key == issuer.key => return None,
        Ok(_) => RevocationRefusal::OtherSigner,
        Err(refusal) => refusal,
    };
    Some(role_finding(id, issuer, Kind::Revocation, Some(refusal)))
}

fn role_finding(
    id: CertId,
    issuer: &ValidIssuer,
    kind: Kind,
    refusal: Option<RevocationRefusal>,
) -> Finding {
    FindingKind::RoleNotAllowed {
        issuer: issuer.subject.clone(),
        roles: issuer.roles.clone(),
        kind,
        refusal,
    }
    .on(id)
}

/// The payload's internal time order (`time ≤ issued_at`, catch window, validity).
pub fn internal_time_order(id: CertId, p: &Payload) -> Vec<Finding> {
    p.time_order_problems()
        .into_iter()
        .map(|e| FindingKind::InternalTimeOrder(e).on(id))
        .collect()
}
