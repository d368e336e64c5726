//! Which attestations count (contract §4): every sound attestation of the set, named or
//! not, of a vessel or facility that covers the times counts, so that a supplier cannot
//! choose its evidence. This module holds the index of the set's attestations by subject
//! (built once per run), the effective revocation time of attestations that are not in the
//! graph, the independence test (`attestation.self`) and the plausibility rules
//! (`attestation.implausible`, `risk.long_trip`).

use crate::check::Checks;
use crate::path::ValidIssuer;
use crate::set::Set;
use catchcert_model::payload::Details;
use catchcert_model::{CertId, Payload, Timestamp};
use std::collections::HashMap;

/// Longest plausible validity of an attestation, in days (programme policy: an audit
/// speaks for at most one year, plus a leap day).
pub const MAX_VALIDITY_DAYS: i64 = 366;

/// Longest catch period, in days, before `risk.long_trip` (programme policy, after the ILO
/// indicator 4 "isolation" and the long trips documented for distant-water fleets).
pub const LONG_TRIP_DAYS: i64 = 180;

const DAY: i64 = 86_400;

/// The set's attestations by subject: crew attestations by vessel IMO, facility
/// attestations by facility name. Ids are sorted, so that findings are deterministic.
#[derive(Default)]
pub(crate) struct Index {
    crew: HashMap<String, Vec<CertId>>,
    facility: HashMap<String, Vec<CertId>>,
}

impl Index {
    /// Index every decoded attestation of the set (one pass).
    pub(crate) fn build(set: &Set) -> Index {
        let mut ix = Index::default();
        for (id, e) in &set.entries {
            match &e.payload.details() {
                Details::CrewAttestation(a) => {
                    ix.crew.entry(a.vessel.imo.clone()).or_default().push(*id);
                }
                Details::FacilityAttestation(a) => {
                    ix.facility.entry(a.facility.clone()).or_default().push(*id);
                }
                _ => {}
            }
        }
        for v in ix.crew.values_mut().chain(ix.facility.values_mut()) {
            v.sort();
        }
        ix
    }

    /// The crew attestations of a vessel.
    pub(crate) fn crew(&self, imo: &str) -> &[CertId] {
        self.crew.get(imo).map_or(&[], Vec::as_slice)
    }

    /// The facility attestations of a facility.
    pub(crate) fn facility(&self, name: &str) -> &[CertId] {
        self.facility.get(name).map_or(&[], Vec::as_slice)
    }
}

/// What an attestation is about, or what a certificate needs attested.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// The crew of a vessel, by IMO number.
    Vessel(String),
    /// A facility, by name.
    Facility(String),
}

/// The subject and validity of an attestation (`None` for other kinds).
pub fn attests(p: &Payload) -> Option<(Subject, Timestamp, Timestamp)> {
    match &p.details() {
        Details::CrewAttestation(a) => Some((
            Subject::Vessel(a.vessel.imo.clone()),
            a.valid_from,
            a.valid_until,
        )),
        Details::FacilityAttestation(a) => Some((
            Subject::Facility(a.facility.clone()),
            a.valid_from,
            a.valid_until,
        )),
        _ => None,
    }
}

/// What a custody certificate needs attested and over which times (contract §4): a
/// catch, the crew of its vessel over `catch_start`..`catch_end`; a processing, its
/// facility at its `time`; a transshipment at sea, the crew of the receiving vessel at its
/// `time`. `None` for anything else.
pub fn needs(p: &Payload) -> Option<(Subject, Timestamp, Timestamp)> {
    use catchcert_model::payload::{CustodyEvent, Step};
    match &p.details() {
        Details::Custody(CustodyEvent {
            step: Step::Catch(c),
            ..
        }) => Some((
            Subject::Vessel(c.vessel_imo.clone()),
            c.catch_start,
            c.catch_end,
        )),
        Details::Custody(CustodyEvent {
            step: Step::Processing { facility },
            ..
        }) => Some((Subject::Facility(facility.clone()), p.time(), p.time())),
        Details::Custody(CustodyEvent {
            step: Step::Transshipment(t),
            ..
        }) if t.at_sea => Some((Subject::Vessel(t.to_vessel_imo.clone()), p.time(), p.time())),
        _ => None,
    }
}

/// The earliest effective time of a revocation of the attestation `id` that verifies and
/// whose signer may revoke it: `known` (the graph's, from the revocation stage) first,
/// else from the set's revocations (for attestations that are not named).
pub(crate) fn revoked_at(
    set: &Set,
    checks: &mut Checks,
    id: &CertId,
    known: &HashMap<CertId, Timestamp>,
) -> Option<Timestamp> {
    if let Some(t) = known.get(id) {
        return Some(*t);
    }
    let mut out: Option<Timestamp> = None;
    for r in set.revocations.get(id).into_iter().flatten() {
        if !checks.check(set, *r, None).is_sound() {
            continue;
        }
        let Some(t) = set.payload(r).map(|p| p.time()) else {
            continue;
        };
        out = Some(out.map_or(t, |o| o.min(t)));
    }
    out
}

/// The subject's `O` values of a validated issuer (`CN=…,O=…`, RFC 4514 escaping). One
/// buffer holds each unescaped attribute in turn; only the `O` values are kept.
fn organisations(subject: &str) -> Vec<String> {
    fn keep(part: &mut String, out: &mut Vec<String>) {
        if let Some((k, v)) = part.split_once('=')
            && k.trim().eq_ignore_ascii_case("O")
        {
            let v = v.trim();
            if !v.is_empty() {
                out.push(v.to_string());
            }
        }
        part.clear();
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for ch in subject.chars() {
        if escaped {
            cur.push(ch);
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == ',' || ch == '+' {
            keep(&mut cur, &mut out);
        } else {
            cur.push(ch);
        }
    }
    keep(&mut cur, &mut out);
    out
}

/// What the attestation's issuer shares with the relying certificate's issuer: the same
/// key, or the same subject `O` (contract §4 `attestation.self`).
pub(crate) fn shared(auditor: &ValidIssuer, relying: &ValidIssuer) -> Option<String> {
    if auditor.key == relying.key {
        return Some("the same key".into());
    }
    let theirs = organisations(&relying.subject);
    organisations(&auditor.subject)
        .into_iter()
        .find(|o| theirs.contains(o))
        .map(|o| format!("the organisation (O) {o:?}"))
}

/// Why an attestation cannot be right (contract §4 `attestation.implausible`); empty when
/// plausible or not an attestation.
pub fn implausible(p: &Payload) -> Vec<String> {
    let mut out = Vec::new();
    let Some((from, until)) = p.validity() else {
        return out;
    };
    if until < from {
        out.push(format!("valid_until {until} is before valid_from {from}"));
    } else if until.0.saturating_sub(from.0) > MAX_VALIDITY_DAYS * DAY {
        out.push(format!(
            "valid {from}..{until}: {} days, over {MAX_VALIDITY_DAYS} days",
            until.0.saturating_sub(from.0) / DAY
        ));
    }
    let audit = match &p.details() {
        Details::CrewAttestation(a) => {
            if a.crew.is_empty() {
                out.push("the crew attestation lists no crew member".into());
            }
            &a.audit
        }
        Details::FacilityAttestation(a) => &a.audit,
        _ => return out,
    };
    // `audit.date` is `YYYY-MM-DD`; RFC 3339 times start with the date, so the strings
    // compare as dates.
    let issued = p.issued_at().to_string();
    if let Some(day) = issued.get(..10)
        && audit.date.as_str() > day
    {
        out.push(format!(
            "audit.date {} is after the attestation's issued_at {issued}",
            audit.date
        ));
    }
    out
}

/// The catch period's length in whole days when it is over [`LONG_TRIP_DAYS`].
pub fn long_trip(start: Timestamp, end: Timestamp) -> Option<i64> {
    let secs = end.0.saturating_sub(start.0);
    (secs > LONG_TRIP_DAYS * DAY).then_some(secs / DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_of_a_subject() {
        assert_eq!(organisations("CN=FV Test,O=Fleet"), vec!["Fleet"]);
        assert_eq!(organisations("CN=A\\, B,O=X\\, Y Ltd"), vec!["X, Y Ltd"]);
        assert!(organisations("CN=Only").is_empty());
    }

    #[test]
    fn long_trip_is_over_180_days() {
        let t = Timestamp(0);
        assert_eq!(long_trip(t, Timestamp(180 * DAY)), None);
        assert_eq!(long_trip(t, Timestamp(180 * DAY + 1)), Some(180));
        assert_eq!(long_trip(t, Timestamp(3 * 365 * DAY)), Some(1095));
    }
}
