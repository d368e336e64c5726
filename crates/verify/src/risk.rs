//! Stage 5, attestations and labour risk: every catch, processing step and at-sea
//! transshipment must name a valid attestation that covers it (crew of the vessel,
//! facility); the covering attestations' contents set the risk (ILO forced-labour
//! indicators, C188 rest hours, crew conditions, audit strength).

use crate::check::Checks;
use crate::findings::Finding;
use crate::kinds::FindingKind;
use crate::set::Set;
use catchcert_model::payload::{
    AuditMethod, CrewAttestation, CrewMember, CustodyEvent, Details, FacilityAttestation, Payload,
    Step, WageMethod,
};
use catchcert_model::{CertId, Timestamp};
use std::collections::HashMap;

/// C188 Art. 14(1)(b): minimum rest of 10 hours in any 24 hours, in minutes.
pub const C188_REST_24H_MIN: u32 = 10 * 60;
/// C188 Art. 14(1)(b): minimum rest of 77 hours in any 7 days, in minutes.
pub const C188_REST_7D_MIN: u32 = 77 * 60;

/// What an attestation must attest.
enum Want<'a> {
    Crew(&'a str),
    Facility(&'a str),
}

/// One certificate's need for an attestation.
struct Need<'a> {
    id: CertId,
    payload: &'a Payload,
    want: Want<'a>,
    window: (Timestamp, Timestamp),
    at_sea: bool,
}

/// The attestation and risk findings of the graph (head first). `revoked_at` holds the
/// effective revocation time of revoked attestations.
pub(crate) fn attestations_and_risk(
    set: &Set,
    checks: &mut Checks,
    graph: &[CertId],
    revoked_at: &HashMap<CertId, Timestamp>,
    findings: &mut Vec<Finding>,
) {
    for id in graph {
        let Some(p) = set.payload(id) else {
            continue;
        };
        let need = |want, window, at_sea| Need {
            id: *id,
            payload: p,
            want,
            window,
            at_sea,
        };
        match &p.details() {
            Details::Custody(CustodyEvent {
                step: Step::Catch(c),
                ..
            }) => {
                let window = (c.catch_start, c.catch_end);
                let n = need(Want::Crew(&c.vessel_imo), window, false);
                cover(set, checks, &n, revoked_at, findings);
            }
            Details::Custody(CustodyEvent {
                step: Step::Processing { facility },
                ..
            }) => {
                let n = need(Want::Facility(facility), (p.time(), p.time()), false);
                cover(set, checks, &n, revoked_at, findings);
            }
            Details::Custody(CustodyEvent {
                step: Step::Transshipment(t),
                ..
            }) if t.at_sea => {
                let n = need(Want::Crew(&t.to_vessel_imo), (p.time(), p.time()), true);
                cover(set, checks, &n, revoked_at, findings);
            }
            Details::CrewAttestation(a) if Some(id) == graph.first() => {
                findings.extend(crew_risk(*id, *id, a));
            }
            Details::FacilityAttestation(a) if Some(id) == graph.first() => {
                findings.extend(facility_risk(*id, *id, a));
            }
            _ => {}
        }
    }
}

/// The named attestations that match what `need` wants, sorted by how they fail.
#[derive(Default)]
struct Matches {
    covering: Vec<CertId>,
    expired: Vec<(CertId, Timestamp, Timestamp)>,
    revoked: Vec<(CertId, Timestamp)>,
    unsound: usize,
    absent: Vec<CertId>,
}

fn matches(
    set: &Set,
    checks: &mut Checks,
    need: &Need<'_>,
    revoked_at: &HashMap<CertId, Timestamp>,
    findings: &mut Vec<Finding>,
) -> Matches {
    let mut m = Matches::default();
    for a in need.payload.attestations() {
        let Some(ap) = set.payload(a) else {
            m.absent.push(*a);
            continue;
        };
        let matches = match (&need.want, &ap.details()) {
            (Want::Crew(imo), Details::CrewAttestation(x)) => x.vessel.imo == *imo,
            (Want::Facility(f), Details::FacilityAttestation(x)) => x.facility == *f,
            _ => false,
        };
        if !matches {
            continue;
        }
        let Some((from, until)) = ap.validity() else {
            continue;
        };
        let window = need.window;
        if !checks.check(set, *a, Some(findings)).is_sound() {
            m.unsound += 1;
        } else if !(from <= window.0 && window.1 <= until) {
            m.expired.push((*a, from, until));
        } else if let Some(t) = revoked_at.get(a).filter(|t| **t <= window.1) {
            m.revoked.push((*a, *t));
        } else {
            m.covering.push(*a);
        }
    }
    m
}

/// Find the attestations named by `need.id` that cover what it wants over its window,
/// and apply their risk; or record why none does.
fn cover(
    set: &Set,
    checks: &mut Checks,
    need: &Need<'_>,
    revoked_at: &HashMap<CertId, Timestamp>,
    findings: &mut Vec<Finding>,
) {
    let m = matches(set, checks, need, revoked_at, findings);
    let id = need.id;
    if !m.covering.is_empty() {
        for a in m.covering {
            match set.payload(&a).map(|p| p.details()) {
                Some(Details::CrewAttestation(x)) => findings.extend(crew_risk(id, a, x)),
                Some(Details::FacilityAttestation(x)) => findings.extend(facility_risk(id, a, x)),
                _ => {}
            }
        }
        return;
    }
    let subject = match need.want {
        Want::Crew(imo) => format!("crew of vessel {imo}"),
        Want::Facility(f) => format!("facility {f:?}"),
    };
    let window = need.window;
    let period = if window.0 == window.1 {
        format!("the time {}", window.0)
    } else {
        format!("the period {}..{}", window.0, window.1)
    };
    let kind = if let Some((a, t)) = m.revoked.first() {
        FindingKind::AttestationRevoked {
            attestation: *a,
            subject,
            from: *t,
            period,
        }
    } else if let Some((a, from, until)) = m.expired.first() {
        FindingKind::AttestationExpired {
            attestation: *a,
            subject,
            valid: (*from, *until),
            period,
        }
    } else {
        FindingKind::AttestationMissing {
            subject,
            period,
            unsound: m.unsound,
            absent: m.absent.iter().map(|a| set.describe_absent(a)).collect(),
            at_sea: need.at_sea,
        }
    };
    findings.push(kind.on(id));
}

fn audit_finding(on: CertId, attestation: CertId, method: AuditMethod) -> Option<Finding> {
    match method {
        AuditMethod::ThirdParty => None,
        method => Some(
            FindingKind::WeakAudit {
                attestation,
                method,
            }
            .on(on),
        ),
    }
}

fn ilo_finding(on: CertId, attestation: CertId, ids: &[u8]) -> Option<Finding> {
    if ids.is_empty() {
        return None;
    }
    let indicators = ids
        .iter()
        .map(
            |i| match catchcert_model::codes::ilo_indicator(u64::from(*i)) {
                Some(ind) => format!("{i} ({})", ind.short_name),
                None => i.to_string(),
            },
        )
        .collect();
    Some(
        FindingKind::ForcedLabourIndicators {
            attestation,
            indicators,
        }
        .on(on),
    )
}

/// Risk findings of a crew attestation, attached to the certificate `on` it covers.
fn crew_risk(on: CertId, att: CertId, a: &CrewAttestation) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(ilo_finding(on, att, &a.ilo_indicators));
    let issues = crew_issues(a);
    if !issues.is_empty() {
        out.push(
            FindingKind::CrewConditions {
                attestation: att,
                imo: a.vessel.imo.clone(),
                issues,
            }
            .on(on),
        );
    }
    out.extend(audit_finding(on, att, a.audit.method));
    out
}

/// The shortfalls of a crew attestation: C188 rest hours and crew conditions.
fn crew_issues(a: &CrewAttestation) -> Vec<String> {
    let mut issues = Vec::new();
    if a.rest.min_per_24h < C188_REST_24H_MIN {
        issues.push(format!(
            "minimum rest {} h in 24 h is below 10 h (C188 Art. 14)",
            hours(a.rest.min_per_24h)
        ));
    }
    if a.rest.min_per_7d < C188_REST_7D_MIN {
        issues.push(format!(
            "minimum rest {} h in 7 days is below 77 h (C188 Art. 14)",
            hours(a.rest.min_per_7d)
        ));
    }
    let count = |f: &dyn Fn(&CrewMember) -> bool| a.crew.iter().filter(|m| f(m)).count();
    let no_docs = count(&|m| !m.holds_own_documents);
    let fee = count(&|m| m.recruitment_fee_paid);
    let no_agreement = count(&|m| !m.written_agreement);
    let broker = count(&|m| matches!(m.wage_method, WageMethod::ViaBroker | WageMethod::Deferred));
    let n = a.crew.len();
    for (k, what) in [
        (no_docs, "without their own identity documents"),
        (fee, "who paid a recruitment fee"),
        (no_agreement, "without a written work agreement"),
        (broker, "paid via a broker or with deferred wages"),
    ] {
        if k > 0 {
            issues.push(format!("{k} of {n} crew {what}"));
        }
    }
    issues
}

fn facility_risk(on: CertId, att: CertId, a: &FacilityAttestation) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(ilo_finding(on, att, &a.ilo_indicators));
    out.extend(audit_finding(on, att, a.audit.method));
    out
}

fn hours(minutes: u32) -> String {
    let h = f64::from(minutes) / 60.0;
    if minutes.is_multiple_of(60) {
        format!("{h:.0}")
    } else {
        format!("{h:.2}")
    }
}
