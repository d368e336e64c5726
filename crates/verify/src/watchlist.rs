//! Stage 5b, watch lists (contract §4 "Watch lists"): the lists given beside the set are
//! checked like any certificate (issuer path, signature, role `listkeeper`); a list that
//! fails is not applied and says so (`watchlist.ignored`, never silent). The entries of the
//! applied lists go into one hash index by (scheme, value), so screening a certificate is a
//! few look-ups, not a scan of the lists: an FAO area is looked up with each parent prefix
//! ("27.4.a" looks up "27.4.a", "27.4" and "27"), names (facility, party) after Unicode NFC.
//!
//! Every custody certificate of the graph is screened for what it names at its event time
//! (a catch: any moment of `catch_start..catch_end`): `imo` (a catch's vessel, both vessels
//! of a transshipment, and the vessel of a sound crew attestation covering it), `facility`
//! (a processing's), `party` (a shipment's or receipt's `from` and `to`), `flag` (of a
//! sound crew attestation of the vessel of a catch or transshipment valid during it) and
//! `fao_area`. A hit is `risk.watchlist` (risk high) on that custody certificate, so it
//! propagates to every lot downstream like any other risk.

use crate::check::Checks;
use crate::findings::Finding;
use crate::kinds::FindingKind;
use crate::set::Set;
use catchcert_model::payload::{Details, Scheme, Step, WatchEntry, Watchlist};
use catchcert_model::{CertId, Payload, Timestamp};
use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

/// One applied list.
#[derive(Clone, Debug)]
pub struct List {
    /// The list's certificate id.
    pub id: CertId,
    /// Its name.
    pub name: String,
    /// Its source.
    pub source: String,
    /// Its entries.
    pub entries: Vec<WatchEntry>,
}

/// A listed value a certificate names while it is listed.
#[derive(Clone, Debug)]
pub struct Hit<'a> {
    /// The list.
    pub list: &'a List,
    /// The entry.
    pub entry: &'a WatchEntry,
    /// What the certificate names (the listed value, or a subarea of a listed area).
    pub named: String,
}

/// The entries of every applied list, by (scheme, value).
#[derive(Clone, Debug, Default)]
pub struct WatchIndex {
    lists: Vec<List>,
    by_key: HashMap<(Scheme, String), Vec<(usize, usize)>>,
}

/// The form of a value that look-ups compare: names after Unicode NFC, the rest as is.
pub fn normal(scheme: Scheme, value: &str) -> String {
    match scheme {
        Scheme::Facility | Scheme::Party => value.nfc().collect(),
        _ => value.to_string(),
    }
}

/// The keys under which `value` is listed: itself and, for an FAO area, each parent area
/// ("27.4.a" → "27.4.a", "27.4", "27"; "27.41" never looks up "27.4").
pub fn lookup_keys(scheme: Scheme, value: &str) -> Vec<String> {
    let v = normal(scheme, value);
    let mut keys = vec![v.clone()];
    if scheme == Scheme::FaoArea {
        let mut rest = v.as_str();
        while let Some((parent, _)) = rest.rsplit_once('.') {
            keys.push(parent.to_string());
            rest = parent;
        }
    }
    keys
}

impl WatchIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a list's entries.
    pub fn add(&mut self, id: CertId, list: &Watchlist) {
        let li = self.lists.len();
        for (ei, e) in list.entries.iter().enumerate() {
            self.by_key
                .entry((e.scheme, normal(e.scheme, &e.value)))
                .or_default()
                .push((li, ei));
        }
        self.lists.push(List {
            id,
            name: list.name.clone(),
            source: list.source.clone(),
            entries: list.entries.clone(),
        });
    }

    /// The applied lists.
    pub fn lists(&self) -> &[List] {
        &self.lists
    }

    /// Whether no list is applied.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// The entries that list `value` under `scheme` at some moment of `from..=until`.
    pub fn hits(
        &self,
        scheme: Scheme,
        value: &str,
        from: Timestamp,
        until: Timestamp,
    ) -> Vec<Hit<'_>> {
        let mut out = Vec::new();
        if self.by_key.is_empty() {
            return out;
        }
        for key in lookup_keys(scheme, value) {
            let Some(found) = self.by_key.get(&(scheme, key)) else {
                continue;
            };
            for &(li, ei) in found {
                let (Some(list), Some(entry)) = (
                    self.lists.get(li),
                    self.lists.get(li).and_then(|l| l.entries.get(ei)),
                ) else {
                    continue;
                };
                if entry.in_force_during(from, until) {
                    out.push(Hit {
                        list,
                        entry,
                        named: value.to_string(),
                    });
                }
            }
        }
        out
    }
}

/// What a certificate names that a watch list can list, with the period it names it for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Named {
    /// The scheme.
    pub scheme: Scheme,
    /// The value as the certificate writes it.
    pub value: String,
    /// Start of the period (the event time; a catch's `catch_start`).
    pub from: Timestamp,
    /// End of the period (the event time; a catch's `catch_end`).
    pub until: Timestamp,
}

/// What a custody certificate names in its own fields (not the flags, which come from the
/// crew attestations that cover it).
pub fn named_by(p: &Payload) -> Vec<Named> {
    let t = p.time();
    let mut out = Vec::new();
    let mut push = |scheme, value: &str, from, until| {
        out.push(Named {
            scheme,
            value: value.to_string(),
            from,
            until,
        })
    };
    match p.details() {
        Details::Custody(c) => match &c.step {
            Step::Catch(x) => {
                let (from, until) = (
                    x.catch_start.min(x.catch_end),
                    x.catch_end.max(x.catch_start),
                );
                push(Scheme::Imo, &x.vessel_imo, from, until);
                push(Scheme::FaoArea, &x.fao_area, from, until);
            }
            Step::Transshipment(x) => {
                push(Scheme::Imo, &x.from_vessel_imo, t, t);
                push(Scheme::Imo, &x.to_vessel_imo, t, t);
                push(Scheme::FaoArea, &x.fao_area, t, t);
            }
            Step::Landing { .. } => {}
            Step::Processing { facility } => push(Scheme::Facility, facility, t, t),
            Step::Shipment(x) | Step::Receipt(x) => {
                push(Scheme::Party, &x.from, t, t);
                push(Scheme::Party, &x.to, t, t);
            }
        },
        Details::CrewAttestation(a) => push(Scheme::Imo, &a.vessel.imo, t, t),
        Details::FacilityAttestation(a) => push(Scheme::Facility, &a.facility, t, t),
        _ => {}
    }
    out
}

/// The vessels of a catch or transshipment whose crew attestations give flags, with the
/// period.
fn vessels(p: &Payload) -> Vec<(&str, Timestamp, Timestamp)> {
    match p.step() {
        Some(Step::Catch(x)) => vec![(
            x.vessel_imo.as_str(),
            x.catch_start.min(x.catch_end),
            x.catch_end.max(x.catch_start),
        )],
        Some(Step::Transshipment(x)) => vec![
            (x.from_vessel_imo.as_str(), p.time(), p.time()),
            (x.to_vessel_imo.as_str(), p.time(), p.time()),
        ],
        _ => Vec::new(),
    }
}

/// Check the given lists; the applied ones make the index, the others are
/// `watchlist.ignored` findings on the list itself.
pub(crate) fn load(
    set: &Set,
    checks: &mut Checks,
    lists: &[CertId],
    findings: &mut Vec<Finding>,
) -> WatchIndex {
    let mut index = WatchIndex::new();
    let mut seen = HashSet::new();
    for id in lists {
        if !seen.insert(*id) {
            continue;
        }
        if set.later.contains(id) {
            findings.push(
                FindingKind::WatchlistIgnored {
                    problems: vec![format!("issued after the verification time {}", set.at)],
                }
                .on(*id),
            );
            continue;
        }
        let checked = checks.check(set, *id, None);
        if !checked.is_sound() {
            findings.push(
                FindingKind::WatchlistIgnored {
                    problems: checked.problems().to_vec(),
                }
                .on(*id),
            );
            continue;
        }
        match set.payload(id).and_then(Payload::watchlist) {
            Some(w) => index.add(*id, w),
            None => findings.push(
                FindingKind::WatchlistIgnored {
                    problems: vec!["not a watch list certificate".into()],
                }
                .on(*id),
            ),
        }
    }
    index
}

/// Screen the custody certificates of `graph` against `index`.
pub(crate) fn screen(
    set: &Set,
    checks: &mut Checks,
    graph: &[CertId],
    index: &WatchIndex,
    findings: &mut Vec<Finding>,
) {
    if index.is_empty() {
        return;
    }
    let mut crew: Option<HashMap<&str, Vec<CertId>>> = None;
    for id in graph {
        let Some(p) = set.payload(id) else {
            continue;
        };
        if !p.kind().is_custody() {
            continue;
        }
        let mut names = named_by(p);
        // flags (and vessels) of the sound crew attestations of its vessels valid during it
        for (imo, from, until) in vessels(p) {
            let by_vessel = crew.get_or_insert_with(|| crew_index(set));
            for att in by_vessel.get(imo).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(Details::CrewAttestation(a)) = set.payload(att).map(Payload::details)
                else {
                    continue;
                };
                if !(a.valid_from <= until && from < a.valid_until) {
                    continue;
                }
                if !checks.check(set, *att, None).is_sound() {
                    continue;
                }
                names.push(Named {
                    scheme: Scheme::Flag,
                    value: a.vessel.flag.clone(),
                    from,
                    until,
                });
            }
        }
        names.sort();
        names.dedup();
        let mut done = HashSet::new();
        for n in &names {
            for h in index.hits(n.scheme, &n.value, n.from, n.until) {
                if !done.insert((h.list.id, n.scheme, h.entry.value.clone(), n.value.clone())) {
                    continue;
                }
                findings.push(
                    FindingKind::Watchlisted {
                        list: h.list.id,
                        name: h.list.name.clone(),
                        source: h.list.source.clone(),
                        scheme: n.scheme.as_str().to_string(),
                        value: h.entry.value.clone(),
                        named: n.value.clone(),
                        reason: h.entry.reason.clone(),
                    }
                    .on(*id),
                );
            }
        }
    }
}

fn crew_index(set: &Set) -> HashMap<&str, Vec<CertId>> {
    let mut m: HashMap<&str, Vec<CertId>> = HashMap::new();
    for (id, e) in &set.entries {
        if let Details::CrewAttestation(a) = e.payload.details() {
            m.entry(a.vessel.imo.as_str()).or_default().push(*id);
        }
    }
    for v in m.values_mut() {
        v.sort();
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fao_parents() {
        assert_eq!(
            lookup_keys(Scheme::FaoArea, "27.4.a"),
            ["27.4.a", "27.4", "27"]
        );
        assert_eq!(lookup_keys(Scheme::FaoArea, "27.41"), ["27.41", "27"]);
        assert_eq!(lookup_keys(Scheme::FaoArea, "71"), ["71"]);
        assert_eq!(lookup_keys(Scheme::Imo, "IMO1234567"), ["IMO1234567"]);
    }

    fn entry(scheme: Scheme, value: &str, from: i64, until: Option<i64>) -> WatchEntry {
        WatchEntry {
            scheme,
            value: value.into(),
            reason: "r".into(),
            listed_from: Timestamp(from),
            listed_until: until.map(Timestamp),
        }
    }

    #[test]
    fn hits_by_scheme_area_and_period() {
        let mut ix = WatchIndex::new();
        ix.add(
            CertId([1; 32]),
            &Watchlist {
                name: "n".into(),
                source: "s".into(),
                entries: vec![
                    entry(Scheme::FaoArea, "27.4", 100, Some(200)),
                    entry(Scheme::Party, "Cafe\u{301}", 0, None),
                ],
            },
        );
        let t = Timestamp;
        assert_eq!(ix.hits(Scheme::FaoArea, "27.4.a", t(150), t(150)).len(), 1);
        assert_eq!(ix.hits(Scheme::FaoArea, "27.4", t(150), t(150)).len(), 1);
        assert!(ix.hits(Scheme::FaoArea, "27.41", t(150), t(150)).is_empty());
        assert!(ix.hits(Scheme::FaoArea, "27", t(150), t(150)).is_empty());
        // period: before, inside, after, and a catch period overlapping the start
        assert!(ix.hits(Scheme::FaoArea, "27.4", t(99), t(99)).is_empty());
        assert!(ix.hits(Scheme::FaoArea, "27.4", t(200), t(200)).is_empty());
        assert_eq!(ix.hits(Scheme::FaoArea, "27.4", t(50), t(100)).len(), 1);
        // the same scheme only; names after NFC
        assert!(
            ix.hits(Scheme::Facility, "Caf\u{e9}", t(1), t(1))
                .is_empty()
        );
        assert_eq!(ix.hits(Scheme::Party, "Caf\u{e9}", t(1), t(1)).len(), 1);
    }
}
