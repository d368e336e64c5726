//! Stage 5, attestations and labour risk: every catch, processing step and at-sea
//! transshipment must be covered by a valid attestation (crew of the vessel, facility).
//! Every sound attestation of the set that covers it counts, named or not ([`crate::evidence`]);
//! the covering attestations' contents set the risk (ILO forced-labour indicators, C188
//! rest hours, crew conditions, audit strength, self-audit, plausibility), the worst wins.

use crate::check::Checks;
use crate::evidence::{self, Index};
use crate::findings::Finding;
use crate::kinds::FindingKind;
use crate::path::ValidIssuer;
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
/// effective revocation time of revoked attestations of the graph; those of attestations
/// that are not named are found here ([`crate::evidence::revoked_at`]).
pub(crate) fn attestations_and_risk(
    set: &Set,
    checks: &mut Checks,
    graph: &[CertId],
    revoked_at: &HashMap<CertId, Timestamp>,
    findings: &mut Vec<Finding>,
) {
    let index = Index::build(set);
    let mut memo = Memo::default();
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
                if let Some(days) = evidence::long_trip(c.catch_start, c.catch_end) {
                    findings.push(
                        FindingKind::LongTrip {
                            start: c.catch_start,
                            end: c.catch_end,
                            days,
                            limit: evidence::LONG_TRIP_DAYS,
                        }
                        .on(*id),
                    );
                }
                let window = (c.catch_start, c.catch_end);
                let n = need(Want::Crew(&c.vessel_imo), window, false);
                cover(set, checks, &index, &mut memo, &n, revoked_at, findings);
            }
            Details::Custody(CustodyEvent {
                step: Step::Processing { facility },
                ..
            }) => {
                let n = need(Want::Facility(facility), (p.time(), p.time()), false);
                cover(set, checks, &index, &mut memo, &n, revoked_at, findings);
            }
            Details::Custody(CustodyEvent {
                step: Step::Transshipment(t),
                ..
            }) if t.at_sea => {
                let n = need(Want::Crew(&t.to_vessel_imo), (p.time(), p.time()), true);
                cover(set, checks, &index, &mut memo, &n, revoked_at, findings);
            }
            Details::CrewAttestation(a) if Some(id) == graph.first() => {
                findings.extend(crew_risk(*id, *id, a));
                findings.extend(implausible(*id, *id, p));
            }
            Details::FacilityAttestation(a) if Some(id) == graph.first() => {
                findings.extend(facility_risk(*id, *id, a));
                findings.extend(implausible(*id, *id, p));
            }
            _ => {}
        }
    }
}

/// The attestations of the set about what `need` wants (named or not), sorted by how they
/// fail. Only named ones are reported as expired or unsound; an unnamed attestation that
/// does not cover the period is simply about another time.
#[derive(Default)]
struct Matches {
    covering: Vec<CertId>,
    expired: Vec<(CertId, Timestamp, Timestamp)>,
    /// (attestation, effective time, named)
    revoked: Vec<(CertId, Timestamp, bool)>,
    unsound: usize,
    absent: Vec<CertId>,
}

fn matches(
    set: &Set,
    checks: &mut Checks,
    index: &Index,
    need: &Need<'_>,
    revoked_at: &HashMap<CertId, Timestamp>,
    findings: &mut Vec<Finding>,
) -> Matches {
    let mut m = Matches::default();
    let named = need.payload.attestations();
    for a in named {
        if set.payload(a).is_none() && !m.absent.contains(a) {
            m.absent.push(*a);
        }
    }
    let candidates = match need.want {
        Want::Crew(imo) => index.crew(imo),
        Want::Facility(f) => index.facility(f),
    };
    let window = need.window;
    for a in candidates {
        let Some((from, until)) = set.payload(a).and_then(|ap| ap.validity()) else {
            continue;
        };
        let is_named = named.contains(a);
        let record = if is_named { Some(&mut *findings) } else { None };
        if !checks.check(set, *a, record).is_sound() {
            if is_named {
                m.unsound += 1;
            }
        } else if !(from <= window.0 && window.1 <= until) {
            if is_named {
                m.expired.push((*a, from, until));
            }
        } else if let Some(t) =
            evidence::revoked_at(set, checks, a, revoked_at).filter(|t| *t <= window.1)
        {
            m.revoked.push((*a, t, is_named));
        } else {
            m.covering.push(*a);
        }
    }
    m
}

/// Find every sound attestation of the set that covers what `need.id` wants over its
/// window (named or not: the worst risk among them wins) and apply their risk; or record
/// why none does. Named attestations that are absent, or revoked within the window, are
/// reported even when others cover.
fn cover(
    set: &Set,
    checks: &mut Checks,
    index: &Index,
    memo: &mut Memo,
    need: &Need<'_>,
    revoked_at: &HashMap<CertId, Timestamp>,
    findings: &mut Vec<Finding>,
) {
    let m = matches(set, checks, index, need, revoked_at, findings);
    let id = need.id;
    // The subject and period are written out only for a finding that names them.
    let subject = || match need.want {
        Want::Crew(imo) => format!("crew of vessel {imo}"),
        Want::Facility(f) => format!("facility {f:?}"),
    };
    let window = need.window;
    let period = || {
        if window.0 == window.1 {
            format!("the time {}", window.0)
        } else {
            format!("the period {}..{}", window.0, window.1)
        }
    };
    for (a, _, _) in &m.expired {
        if let Some(ap) = set.payload(a) {
            findings.extend(memo.implausible(id, *a, ap));
        }
    }
    if !m.covering.is_empty() {
        covered(set, checks, memo, &m, id, (&subject, &period), findings);
        return;
    }
    let (subject, period) = (subject(), period());
    let kind = if let Some((a, t, _)) = m.revoked.first() {
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

/// The risk of every covering attestation, applied to `id`; plus the named ones revoked
/// within the window and the named ones absent, which are reported even so.
fn covered(
    set: &Set,
    checks: &mut Checks,
    memo: &mut Memo,
    m: &Matches,
    id: CertId,
    (subject, period): (&dyn Fn() -> String, &dyn Fn() -> String),
    findings: &mut Vec<Finding>,
) {
    // Checked in this order before (the covering ones already are), then read in place.
    checks.check(set, id, None);
    for a in &m.covering {
        checks.check(set, *a, None);
    }
    let checks: &Checks = checks;
    let relying = checks.get(&id).and_then(|c| c.issuer());
    for a in &m.covering {
        let Some(ap) = set.payload(a) else {
            continue;
        };
        match ap.details() {
            Details::CrewAttestation(x) => findings.extend(crew_risk(id, *a, x)),
            Details::FacilityAttestation(x) => findings.extend(facility_risk(id, *a, x)),
            _ => {}
        }
        findings.extend(memo.implausible(id, *a, ap));
        let auditor = checks.get(a).and_then(|c| c.issuer());
        if let (Some(auditor), Some(relying)) = (auditor, relying)
            && let Some(shared) = memo.shared(auditor, relying)
        {
            findings.push(
                FindingKind::AttestationSelf {
                    attestation: *a,
                    auditor: auditor.subject.clone(),
                    issuer: relying.subject.clone(),
                    shared,
                }
                .on(id),
            );
        }
    }
    for (a, t, named) in &m.revoked {
        if *named {
            findings.push(
                FindingKind::AttestationRevoked {
                    attestation: *a,
                    subject: subject(),
                    from: *t,
                    period: period(),
                }
                .on(id),
            );
        }
    }
    if !m.absent.is_empty() {
        findings.push(
            FindingKind::AttestationNotPresent {
                absent: m.absent.iter().map(|a| set.describe_absent(a)).collect(),
            }
            .on(id),
        );
    }
}

/// What one run works out once about an attestation or a pair of issuers: both are
/// functions of what they are keyed by (an attestation's payload; two leaf certificates,
/// which fix their keys and subjects), however many certificates they are asked for.
#[derive(Default)]
struct Memo {
    /// `evidence::implausible` of each attestation.
    implausible: HashMap<CertId, Vec<String>>,
    /// `evidence::shared` of (auditor, relying issuer), by their leaves' SHA-256.
    shared: HashMap<([u8; 32], [u8; 32]), Option<String>>,
}

impl Memo {
    /// [`implausible`], with the attestation's problems worked out once.
    fn implausible(&mut self, on: CertId, att: CertId, p: &Payload) -> Option<Finding> {
        let problems = self
            .implausible
            .entry(att)
            .or_insert_with(|| evidence::implausible(p));
        (!problems.is_empty()).then(|| {
            FindingKind::AttestationImplausible {
                attestation: att,
                problems: problems.clone(),
            }
            .on(on)
        })
    }

    /// `evidence::shared`, worked out once per pair of leaf certificates.
    fn shared(&mut self, auditor: &ValidIssuer, relying: &ValidIssuer) -> Option<String> {
        self.shared
            .entry((auditor.leaf_sha256, relying.leaf_sha256))
            .or_insert_with(|| evidence::shared(auditor, relying))
            .clone()
    }
}

/// `attestation.implausible` about the attestation `att`, on the certificate `on`.
fn implausible(on: CertId, att: CertId, p: &Payload) -> Option<Finding> {
    let problems = evidence::implausible(p);
    (!problems.is_empty()).then(|| {
        FindingKind::AttestationImplausible {
            attestation: att,
            problems,
        }
        .on(on)
    })
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
