//! `epcis.mismatch`: certificates made from EPCIS events against the events as they are now.
//!
//! The caller (the CLI) reads the EPCIS document and computes each event's CBV 2.0 hash (crate
//! `catchcert-supply`); this module only compares. An event is matched to a certificate by the
//! certificate id its `certificationInfo` names, else by `eventID` = the certificate's
//! `epcis.event_id`. A matched event whose hash differs from the certificate's
//! `epcis.event_hash` is an error on that certificate: the signed statement no longer
//! describes the event the supplier's system holds (edited quantity, time, place, party…).

use crate::codes::Code;
use crate::cose::decode_certificate;
use crate::findings::{Finding, Integrity, Severity, Verdict};
use catchcert_model::CertId;

/// One event of the document, as the caller hashed it.
pub use catchcert_model::epcis::EventHash;

/// The `epcis.mismatch` findings for `certs` (every certificate that decodes and records an
/// EPCIS event) against `events`.
pub fn mismatches(certs: &[Vec<u8>], events: &[EventHash]) -> Vec<Finding> {
    let mut out = Vec::new();
    for bytes in certs {
        let Ok((_, payload)) = decode_certificate(bytes) else {
            continue;
        };
        let Some(link) = payload.epcis() else {
            continue;
        };
        let id = CertId::of_cose(bytes);
        let matched = events
            .iter()
            .find(|e| e.certificate == Some(id))
            .or_else(|| {
                link.event_id
                    .as_ref()
                    .and_then(|eid| events.iter().find(|e| e.event_id.as_ref() == Some(eid)))
            });
        if let Some(e) = matched
            && e.hash != link.event_hash
        {
            out.push(Finding::new(
                Code::EpcisMismatch,
                id,
                format!(
                    "EPCIS event {} now hashes to {}, but the certificate made from it records {}: the event was changed after signing",
                    e.label, e.hash, link.event_hash
                ),
            ));
        }
    }
    out
}

/// Add findings to a verdict: kept in its order (certificate, then code), integrity invalid
/// when one is an error.
pub fn add_findings(verdict: &mut Verdict, findings: Vec<Finding>) {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        verdict.integrity = Integrity::Invalid;
    }
    verdict.findings.extend(findings);
}
