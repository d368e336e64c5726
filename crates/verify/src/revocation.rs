//! Stage 4, revocations of certificates in the graph. A revocation that verifies and
//! whose signer may revoke the certificate (the certificate's own issuer, same key, or a
//! registrar)
//! joins the graph: custody certificates are then revoked outright, and for attestations
//! the earliest effective time is kept. Any other revocation is ignored with an
//! informational `revocation.ignored`: unauthenticated data must not be able to change a
//! verdict, neither to revoke nor to invalidate. A revocation cannot itself be revoked.

use crate::check::Checks;
use crate::findings::Finding;
use crate::kinds::FindingKind;
use crate::set::Set;
use catchcert_model::payload::Details;
use catchcert_model::{CertId, Timestamp};
use std::collections::HashMap;

/// What the revocations of a graph do.
#[derive(Default)]
pub(crate) struct Effects {
    /// Findings (`certificate.revoked`, `revocation.ignored`).
    pub(crate) findings: Vec<Finding>,
    /// Revocations that take effect, to join the graph.
    pub(crate) joined: Vec<CertId>,
    /// The earliest effective revocation time of each revoked attestation.
    pub(crate) attestation_revoked_at: HashMap<CertId, Timestamp>,
}

/// Apply the revocations of the certificates in `graph`.
pub(crate) fn effects(set: &Set, checks: &mut Checks, graph: &[CertId]) -> Effects {
    let mut out = Effects::default();
    for id in graph {
        let Some(revs) = set.revocations.get(id) else {
            continue;
        };
        let target_is_revocation = set
            .payload(id)
            .is_some_and(|t| matches!(t.details(), Details::Revocation(_)));
        for r in revs {
            if target_is_revocation {
                out.findings.push(
                    FindingKind::RevocationIgnored {
                        revocation: *r,
                        problems: vec!["a revocation cannot itself be revoked".into()],
                    }
                    .on(*id),
                );
                continue;
            }
            let checked = checks.check(set, *r, None);
            if !checked.is_sound() {
                out.findings.push(
                    FindingKind::RevocationIgnored {
                        revocation: *r,
                        problems: checked.problems().to_vec(),
                    }
                    .on(*id),
                );
                continue;
            }
            out.joined.push(*r);
            let Some(rp) = set.payload(r) else {
                continue;
            };
            let Details::Revocation(x) = &rp.details() else {
                continue;
            };
            let Some(target) = set.payload(id) else {
                continue;
            };
            if target.kind().is_attestation() {
                let e = out.attestation_revoked_at.entry(*id).or_insert(rp.time());
                *e = (*e).min(rp.time());
            } else {
                out.findings.push(
                    FindingKind::Revoked {
                        from: rp.time(),
                        by: *r,
                        reason: x.reason.clone(),
                    }
                    .on(*id),
                );
            }
        }
    }
    out
}
