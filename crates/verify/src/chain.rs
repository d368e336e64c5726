//! Verification of a head certificate's graph: every certificate's signature and issuer,
//! links between lots, time order, mass balance, revocation, attestations and labour
//! risk. All findings are collected; nothing stops at the first problem.
//!
//! The work is linear in the size of the input: each certificate is decoded once, each
//! issuer certificate is checked once per run (the [`PathValidator`] caches it), and every
//! rule walks the inputs of each certificate once, with hash maps for look-ups.

use crate::cose::{self, Sign1};
use crate::findings::{Code, Finding, Integrity, Node, Risk, Severity, Verdict};
use crate::path::{PathValidator, TrustAnchors, ValidIssuer};
use catchcert_model::bundle::Bundle;
use catchcert_model::payload::{
    AuditMethod, CrewAttestation, Details, FacilityAttestation, Payload, WageMethod,
};
use catchcert_model::{CertId, Grams, Kind, Role, Timestamp};
use std::collections::{HashMap, HashSet, VecDeque};

/// Resource limits of one verification.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most certificates accepted in the input set (decoding stops beyond).
    pub max_certificates: usize,
    /// Longest chain of custody steps from the head back to a catch.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_certificates: catchcert_model::bundle::MAX_CERTIFICATES,
            max_depth: 10_000,
        }
    }
}

/// C188 Art. 14(1)(b): minimum rest of 10 hours in any 24 hours, in minutes.
pub const C188_REST_24H_MIN: u32 = 10 * 60;
/// C188 Art. 14(1)(b): minimum rest of 77 hours in any 7 days, in minutes.
pub const C188_REST_7D_MIN: u32 = 77 * 60;

/// A decoded certificate of the input set.
struct Entry {
    sign1: Sign1,
    payload: Payload,
}

/// The outcome of checking one certificate's own signature, issuer and role.
#[derive(Clone)]
struct Checked {
    issuer: Option<ValidIssuer>,
    /// No error finding about the certificate itself.
    sound: bool,
    /// The messages of its error findings.
    problems: Vec<String>,
}

/// Verify a bundle. `head` overrides the bundle's own head.
pub fn verify_bundle(
    bundle: &Bundle,
    head: Option<CertId>,
    anchors: &TrustAnchors,
    at: Timestamp,
    limits: &Limits,
) -> Verdict {
    verify(
        &bundle.certificates,
        &bundle.issuers,
        head.unwrap_or(bundle.head),
        anchors,
        at,
        limits,
    )
}

/// The certificates that could be the head of a set: custody certificates with outputs
/// that no other certificate of the set lists in its inputs (attestations and revocations
/// are never candidates). Undecodable messages are skipped.
pub fn candidate_heads(certificates: &[Vec<u8>]) -> Vec<CertId> {
    let decoded: Vec<(CertId, Payload)> = certificates
        .iter()
        .filter_map(|b| {
            let (s, p) = cose::decode_certificate(b).ok()?;
            Some((s.id, p))
        })
        .collect();
    let consumed: HashSet<CertId> = decoded
        .iter()
        .flat_map(|(_, p)| p.inputs().iter().map(|i| i.certificate))
        .collect();
    let mut out: Vec<CertId> = decoded
        .iter()
        .filter(|(id, p)| {
            p.kind().is_custody() && !p.outputs().is_empty() && !consumed.contains(id)
        })
        .map(|(id, _)| *id)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Verify the graph of `head` within the set `certificates` (COSE_Sign1 messages), with
/// `issuers` as extra DER issuer certificates for path building, against `anchors`, as of
/// `at`: certificates issued after `at` and revocations effective after `at` are ignored.
pub fn verify(
    certificates: &[Vec<u8>],
    issuers: &[Vec<u8>],
    head: CertId,
    anchors: &TrustAnchors,
    at: Timestamp,
    limits: &Limits,
) -> Verdict {
    let mut v = Run::new(anchors, issuers, at);
    v.load(certificates, limits);
    v.run(head, limits)
}

struct Run {
    validator: PathValidator,
    at: Timestamp,
    /// Decoded, in-scope certificates by id.
    entries: HashMap<CertId, Entry>,
    /// Messages that did not decode, with the reason.
    broken: HashMap<CertId, String>,
    /// Certificates left out because they were issued after `at`.
    later: HashSet<CertId>,
    /// Revocations by revoked id.
    revocations: HashMap<CertId, Vec<CertId>>,
    /// Consumers of each (certificate, lot): (consumer, quantity).
    consumers: HashMap<(CertId, String), Vec<(CertId, Grams)>>,
    checked: HashMap<CertId, Checked>,
    findings: Vec<Finding>,
    over_limit: Option<String>,
}

impl Run {
    fn new(anchors: &TrustAnchors, pool: &[Vec<u8>], at: Timestamp) -> Self {
        // The set's extra issuer certificates are parsed and indexed once per run.
        let mut validator = PathValidator::new(anchors.clone());
        validator.add_pool(pool);
        Run {
            validator,
            at,
            entries: HashMap::new(),
            broken: HashMap::new(),
            later: HashSet::new(),
            revocations: HashMap::new(),
            consumers: HashMap::new(),
            checked: HashMap::new(),
            findings: Vec::new(),
            over_limit: None,
        }
    }

    fn load(&mut self, certificates: &[Vec<u8>], limits: &Limits) {
        if certificates.len() > limits.max_certificates {
            self.over_limit = Some(format!(
                "the set holds {} certificates, over the limit of {}; only the first {} were read",
                certificates.len(),
                limits.max_certificates,
                limits.max_certificates
            ));
        }
        for bytes in certificates.iter().take(limits.max_certificates) {
            let id = CertId::of_cose(bytes);
            if self.entries.contains_key(&id) || self.broken.contains_key(&id) {
                continue;
            }
            let (sign1, payload) = match cose::decode_certificate(bytes) {
                Ok(d) => d,
                Err(e) => {
                    self.broken.insert(id, e.to_string());
                    continue;
                }
            };
            if payload.issued_at > self.at {
                self.later.insert(id);
                continue;
            }
            if let Details::Revocation(r) = &payload.details
                && payload.time <= self.at
            {
                self.revocations.entry(r.certificate).or_default().push(id);
            }
            for i in payload.inputs() {
                self.consumers
                    .entry((i.certificate, i.lot.clone()))
                    .or_default()
                    .push((id, i.quantity));
            }
            self.entries.insert(id, Entry { sign1, payload });
        }
    }

    fn find(&mut self, code: Code, cert: CertId, msg: impl Into<String>) {
        self.findings.push(Finding::new(code, cert, msg));
    }

    /// The head's graph in breadth-first order: ancestors through inputs and named
    /// attestations. Revocations join it later, once they are known to verify.
    fn closure(&self, head: CertId) -> Vec<CertId> {
        let mut seen = HashSet::from([head]);
        let mut order = Vec::new();
        let mut queue = VecDeque::from([head]);
        while let Some(id) = queue.pop_front() {
            order.push(id);
            let mut next: Vec<CertId> = Vec::new();
            if let Some(e) = self.entries.get(&id) {
                next.extend(e.payload.inputs().iter().map(|i| i.certificate));
                next.extend(e.payload.attestations().iter().copied());
            }
            for n in next {
                let present = self.entries.contains_key(&n) || self.broken.contains_key(&n);
                if present && seen.insert(n) {
                    queue.push_back(n);
                }
            }
        }
        order
    }

    /// Check one certificate's issuer path, signature, role and internal time order,
    /// once; records its findings the first time.
    fn check(&mut self, id: CertId, record: bool) -> Checked {
        if let Some(c) = self.checked.get(&id) {
            return c.clone();
        }
        let mut out = Vec::new();
        let result = match (self.entries.get(&id), self.broken.get(&id)) {
            (_, Some(reason)) => {
                out.push(Finding::new(Code::SignatureInvalid, id, reason.clone()));
                Checked {
                    issuer: None,
                    sound: false,
                    problems: Vec::new(),
                }
            }
            (Some(e), None) => {
                let (sign1, payload) = (e.sign1.clone(), e.payload.clone());
                let kind = payload.kind();
                let mut sound = true;
                let issuer = match self
                    .validator
                    .validate(&sign1.x5chain, &[], payload.issued_at)
                {
                    Ok(issuer) => Some(issuer),
                    Err(err) => {
                        let code = Code::parse(err.code()).unwrap_or(Code::IssuerUntrusted);
                        out.push(Finding::new(code, id, format!("issuer path: {err}")));
                        // The path failed, but the message may also be forged: check it
                        // against the key of the certificate it presents, so that an
                        // altered message is named as such.
                        if let Some(key) = sign1.x5chain.first().and_then(|d| leaf_key(d))
                            && let Err(e) = sign1.verify(&key)
                        {
                            out.push(Finding::new(
                                Code::SignatureInvalid,
                                id,
                                format!("{e} with the key of the certificate in its x5chain"),
                            ));
                        }
                        sound = false;
                        None
                    }
                };
                if let Some(issuer) = &issuer {
                    if let Err(err) = sign1.verify(&issuer.key) {
                        out.push(Finding::new(
                            Code::SignatureInvalid,
                            id,
                            format!("{err} with the key of issuer {:?}", issuer.subject),
                        ));
                        sound = false;
                    }
                    if !self.role_allows(issuer, &payload) {
                        out.push(Finding::new(
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
                        ));
                        sound = false;
                    }
                }
                for p in payload.time_order_problems() {
                    out.push(Finding::new(Code::TimeOrder, id, p.to_string()));
                    sound = false;
                }
                Checked {
                    issuer,
                    sound,
                    problems: Vec::new(),
                }
            }
            (None, None) => Checked {
                issuer: None,
                sound: false,
                problems: vec!["not present".into()],
            },
        };
        let mut result = result;
        result
            .problems
            .extend(out.iter().map(|f| format!("{}: {}", f.code, f.message)));
        if record {
            self.findings.extend(out);
        }
        self.checked.insert(id, result.clone());
        result
    }

    /// Role rule (contract §2), including "any issuer may revoke what it signed itself".
    fn role_allows(&mut self, issuer: &ValidIssuer, payload: &Payload) -> bool {
        let kind = payload.kind();
        if Role::any_allows(&issuer.roles, kind)
            || crate::path::legacy_auditor_revocation(issuer, kind)
        {
            return true;
        }
        if let Details::Revocation(r) = &payload.details
            && let Some(target) = self.entries.get(&r.certificate)
        {
            let chain = target.sign1.x5chain.clone();
            let issued_at = target.payload.issued_at;
            if let Ok(t) = self.validator.validate(&chain, &[], issued_at) {
                return t.key == issuer.key;
            }
        }
        false
    }

    fn run(mut self, head: CertId, limits: &Limits) -> Verdict {
        if let Some(msg) = self.over_limit.take() {
            self.find(Code::LimitsExceeded, head, msg);
        }
        if !self.entries.contains_key(&head) && !self.broken.contains_key(&head) {
            let why = if self.later.contains(&head) {
                format!(
                    "the head certificate was issued after {} and is ignored",
                    self.at
                )
            } else {
                "the head certificate is not in the set".to_string()
            };
            self.find(Code::LinkMissing, head, why);
            return self.finish(head, Vec::new(), HashMap::new());
        }
        let mut graph = self.closure(head);
        let in_graph: HashSet<CertId> = graph.iter().copied().collect();
        for id in &graph {
            self.check(*id, true);
        }
        self.links_and_balance(&graph, &in_graph);
        let revoked_at = self.revocation_effects(&mut graph);
        let mut own_risk: HashMap<CertId, Risk> = HashMap::new();
        self.attestations_and_risk(&graph, &revoked_at);
        // An error makes the step unverifiable: its lots are at least of unknown risk, so
        // that breaking a chain never makes it look cleaner than a complete one.
        for f in &self.findings {
            let r = match (f.risk, f.severity) {
                (Some(r), _) => Some(r),
                (None, Severity::Error) => Some(Risk::Unknown),
                (None, _) => None,
            };
            if let Some(r) = r {
                let e = own_risk.entry(f.certificate).or_default();
                *e = (*e).max(r);
            }
        }
        let risk = self.propagate(&graph, &own_risk, limits);
        self.finish(head, graph, risk)
    }

    fn links_and_balance(&mut self, graph: &[CertId], in_graph: &HashSet<CertId>) {
        let mut producers: Vec<(CertId, String)> = Vec::new();
        // Built on the first missing link only: which certificates of the set output each
        // lot, to name a likely altered copy (an altered certificate has a new id).
        let mut by_lot: Option<HashMap<String, Vec<CertId>>> = None;
        for id in graph {
            let Some(e) = self.entries.get(id) else {
                continue;
            };
            let p = &e.payload;
            if !p.kind().is_custody() {
                continue;
            }
            let mut found = Vec::new();
            for (k, input) in p.inputs().iter().enumerate() {
                let Some(src) = self.entries.get(&input.certificate) else {
                    let why = if self.later.contains(&input.certificate) {
                        " (it was issued after the verification time)".to_string()
                    } else if self.broken.contains_key(&input.certificate) {
                        " (it is present but not a valid certificate)".to_string()
                    } else {
                        let index = by_lot.get_or_insert_with(|| {
                            let mut m: HashMap<String, Vec<CertId>> = HashMap::new();
                            for (cid, e) in &self.entries {
                                for o in e.payload.outputs() {
                                    m.entry(o.lot.clone()).or_default().push(*cid);
                                }
                            }
                            m
                        });
                        match index.get(&input.lot) {
                            Some(others) if !others.is_empty() => {
                                let mut others = others.clone();
                                others.sort();
                                format!(
                                    " (the set holds {} that output{} lot {:?} under another id: altered or re-signed?)",
                                    others
                                        .iter()
                                        .map(|o| o.to_string())
                                        .collect::<Vec<_>>()
                                        .join(", "),
                                    if others.len() == 1 { "s" } else { "" },
                                    input.lot
                                )
                            }
                            _ => String::new(),
                        }
                    };
                    if !self.broken.contains_key(&input.certificate) {
                        found.push(Finding::new(
                            Code::LinkMissing,
                            *id,
                            format!(
                                "inputs[{k}] names {} which is not present{why}",
                                input.certificate
                            ),
                        ));
                    }
                    continue;
                };
                if !src.payload.outputs().iter().any(|o| o.lot == input.lot) {
                    found.push(Finding::new(
                        Code::LinkLot,
                        *id,
                        format!(
                            "inputs[{k}] consumes lot {:?} of {}, which outputs no such lot",
                            input.lot, input.certificate
                        ),
                    ));
                    continue;
                }
                producers.push((input.certificate, input.lot.clone()));
                if src.payload.time > p.time {
                    found.push(Finding::new(
                        Code::TimeOrder,
                        *id,
                        format!(
                            "its time {} is earlier than {} of the {} it consumes ({})",
                            p.time,
                            src.payload.time,
                            src.payload.kind(),
                            input.certificate
                        ),
                    ));
                }
                if let Details::Catch(c) = &src.payload.details
                    && p.time < c.catch_end
                {
                    found.push(Finding::new(
                        Code::TimeOrder,
                        *id,
                        format!(
                            "its time {} is before the end of fishing {} of the catch {}",
                            p.time, c.catch_end, input.certificate
                        ),
                    ));
                }
            }
            if p.kind() != Kind::Catch {
                let total_in: u128 = p.inputs().iter().map(|i| u128::from(i.quantity.0)).sum();
                let total_out: u128 = p.outputs().iter().map(|o| u128::from(o.quantity.0)).sum();
                if total_out > total_in {
                    found.push(Finding::new(
                        Code::MassBalanceExceeded,
                        *id,
                        format!(
                            "outputs weigh {} but inputs only {} (yield {:.1} %)",
                            grams(total_out),
                            grams(total_in),
                            total_out as f64 * 100.0 / (total_in.max(1)) as f64
                        ),
                    ));
                }
            }
            self.findings.extend(found);
        }
        // Across the set: everything consumed of one (certificate, lot) must fit in what
        // that certificate output. Consumers outside the head's graph count when they are
        // themselves sound: that is how a double sale to another buyer shows.
        producers.sort();
        producers.dedup();
        for (src, lot) in producers {
            let Some(available) = self
                .entries
                .get(&src)
                .and_then(|e| e.payload.outputs().iter().find(|o| o.lot == lot))
                .map(|o| o.quantity)
            else {
                continue;
            };
            let consumers = self
                .consumers
                .get(&(src, lot.clone()))
                .cloned()
                .unwrap_or_default();
            let mut total: u128 = 0;
            let mut parts = Vec::new();
            for (c, q) in consumers {
                let counts = in_graph.contains(&c) || self.check(c, false).sound;
                if counts {
                    total += u128::from(q.0);
                    parts.push(format!("{c} ({q})"));
                }
            }
            if total > u128::from(available.0) {
                self.find(
                    Code::MassBalanceExceeded,
                    src,
                    format!(
                        "lot {lot:?} was output with {available} but {} is consumed in total by: {}",
                        grams(total),
                        parts.join(", ")
                    ),
                );
            }
        }
    }

    /// Apply the revocations of certificates in the graph. A revocation that verifies and
    /// whose signer may revoke the certificate (an auditor, or the certificate's own
    /// issuer) joins the graph: custody certificates are then revoked outright, and for
    /// attestations the earliest effective time is returned. Any other revocation is
    /// ignored with an informational `revocation.ignored`: unauthenticated data must not
    /// be able to change a verdict, neither to revoke nor to invalidate.
    fn revocation_effects(&mut self, graph: &mut Vec<CertId>) -> HashMap<CertId, Timestamp> {
        let mut revoked_at: HashMap<CertId, Timestamp> = HashMap::new();
        let targets = graph.clone();
        for id in &targets {
            let Some(revs) = self.revocations.get(id).cloned() else {
                continue;
            };
            for r in revs {
                let checked = self.check(r, false);
                if !checked.sound {
                    self.findings.push(Finding::new(
                        Code::RevocationIgnored,
                        *id,
                        format!(
                            "the revocation {r} does not take effect: {}",
                            checked.problems.join("; ")
                        ),
                    ));
                    continue;
                }
                graph.push(r);
                let Some(re) = self.entries.get(&r) else {
                    continue;
                };
                let (time, reason) = match &re.payload.details {
                    Details::Revocation(x) => (re.payload.time, x.reason.clone()),
                    _ => continue,
                };
                let Some(target) = self.entries.get(id) else {
                    continue;
                };
                if target.payload.kind().is_attestation() {
                    let e = revoked_at.entry(*id).or_insert(time);
                    *e = (*e).min(time);
                } else {
                    self.find(
                        Code::CertificateRevoked,
                        *id,
                        format!(
                            "revoked from {time} by {r}: {reason:?}; every lot from it is tainted"
                        ),
                    );
                }
            }
        }
        revoked_at
    }

    fn attestations_and_risk(&mut self, graph: &[CertId], revoked_at: &HashMap<CertId, Timestamp>) {
        for id in graph {
            let Some(e) = self.entries.get(id) else {
                continue;
            };
            let p = e.payload.clone();
            match &p.details {
                Details::Catch(c) => {
                    let window = (c.catch_start, c.catch_end);
                    self.cover(*id, &p, Want::Crew(&c.vessel_imo), window, revoked_at, None);
                }
                Details::Processing { facility } => {
                    self.cover(
                        *id,
                        &p,
                        Want::Facility(facility),
                        (p.time, p.time),
                        revoked_at,
                        None,
                    );
                }
                Details::Transshipment(t) if t.at_sea => {
                    self.cover(
                        *id,
                        &p,
                        Want::Crew(&t.to_vessel_imo),
                        (p.time, p.time),
                        revoked_at,
                        Some(Code::RiskTransshipmentAtSea),
                    );
                }
                Details::CrewAttestation(a) if Some(id) == graph.first() => {
                    let f = crew_risk(*id, *id, a);
                    self.findings.extend(f);
                }
                Details::FacilityAttestation(a) if Some(id) == graph.first() => {
                    let f = facility_risk(*id, *id, a);
                    self.findings.extend(f);
                }
                _ => {}
            }
        }
    }

    /// Find the attestations named by certificate `id` that cover `want` over `window`,
    /// and apply their risk; or record why none does. `missing_code` replaces
    /// `attestation.missing` (the at-sea transshipment rule).
    fn cover(
        &mut self,
        id: CertId,
        p: &Payload,
        want: Want<'_>,
        window: (Timestamp, Timestamp),
        revoked_at: &HashMap<CertId, Timestamp>,
        missing_code: Option<Code>,
    ) {
        let mut matched_expired = Vec::new();
        let mut matched_revoked = Vec::new();
        let mut matched_unsound = Vec::new();
        let mut absent = Vec::new();
        let mut covering = Vec::new();
        for a in p.attestations() {
            let Some(ae) = self.entries.get(a) else {
                absent.push(*a);
                continue;
            };
            let matches = match (&want, &ae.payload.details) {
                (Want::Crew(imo), Details::CrewAttestation(x)) => x.vessel.imo == *imo,
                (Want::Facility(f), Details::FacilityAttestation(x)) => x.facility == *f,
                _ => false,
            };
            if !matches {
                continue;
            }
            let Some((from, until)) = ae.payload.validity() else {
                continue;
            };
            if !self.check(*a, true).sound {
                matched_unsound.push(*a);
            } else if !(from <= window.0 && window.1 <= until) {
                matched_expired.push((*a, from, until));
            } else if revoked_at.get(a).is_some_and(|t| *t <= window.1) {
                matched_revoked.push((*a, revoked_at[a]));
            } else {
                covering.push(*a);
            }
        }
        if !covering.is_empty() {
            for a in covering {
                let Some(ae) = self.entries.get(&a) else {
                    continue;
                };
                let f = match &ae.payload.details {
                    Details::CrewAttestation(x) => crew_risk(id, a, x),
                    Details::FacilityAttestation(x) => facility_risk(id, a, x),
                    _ => Vec::new(),
                };
                self.findings.extend(f);
            }
            return;
        }
        let subject = match want {
            Want::Crew(imo) => format!("crew of vessel {imo}"),
            Want::Facility(f) => format!("facility {f:?}"),
        };
        let period = if window.0 == window.1 {
            format!("the time {}", window.0)
        } else {
            format!("the period {}..{}", window.0, window.1)
        };
        if let Some((a, t)) = matched_revoked.first() {
            self.find(
                Code::AttestationRevoked,
                id,
                format!("the attestation {a} of the {subject} was revoked from {t}, before the end of the period it must cover ({period})"),
            );
        } else if let Some((a, from, until)) = matched_expired.first() {
            self.find(
                Code::AttestationExpired,
                id,
                format!("the attestation {a} of the {subject} is valid {from}..{until}, which does not cover {period}"),
            );
        } else {
            let mut msg = format!("no valid attestation of the {subject} covers {period}");
            if !matched_unsound.is_empty() {
                msg += &format!(
                    " ({} named attestation(s) failed verification)",
                    matched_unsound.len()
                );
            }
            if !absent.is_empty() {
                msg += &format!(
                    "; named but not present: {}",
                    absent
                        .iter()
                        .map(|a| {
                            if self.later.contains(a) {
                                format!("{a} (issued after the verification time)")
                            } else if self.broken.contains_key(a) {
                                format!("{a} (not a valid certificate)")
                            } else {
                                a.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let code = missing_code.unwrap_or(Code::AttestationMissing);
            if code == Code::RiskTransshipmentAtSea {
                msg = format!("transshipment at sea to a vessel with {msg}");
            }
            self.find(code, id, msg);
        }
    }

    /// Risk through custody edges (worst of everything a lot came from), in one pass in
    /// topological order; reports cycles and over-deep chains.
    fn propagate(
        &mut self,
        graph: &[CertId],
        own: &HashMap<CertId, Risk>,
        limits: &Limits,
    ) -> HashMap<CertId, Risk> {
        let index: HashMap<CertId, usize> =
            graph.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let n = graph.len();
        // parents[i]: custody parents of i within the graph
        let parents: Vec<Vec<usize>> = graph
            .iter()
            .map(|id| {
                let mut ps: Vec<usize> = self
                    .entries
                    .get(id)
                    .map(|e| {
                        e.payload
                            .inputs()
                            .iter()
                            .filter_map(|i| index.get(&i.certificate).copied())
                            .collect()
                    })
                    .unwrap_or_default();
                ps.sort_unstable();
                ps.dedup();
                ps
            })
            .collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, ps) in parents.iter().enumerate() {
            for &p in ps {
                children[p].push(i);
            }
        }
        // Kahn: start from nodes without parents.
        let mut remaining: Vec<usize> = parents.iter().map(Vec::len).collect();
        let mut queue: VecDeque<usize> = (0..n).filter(|i| remaining[*i] == 0).collect();
        let mut risk = vec![Risk::Low; n];
        let mut depth = vec![0usize; n];
        let mut done = 0;
        let mut max_depth = 0;
        while let Some(i) = queue.pop_front() {
            done += 1;
            let mut r = own.get(&graph[i]).copied().unwrap_or_default();
            for &p in &parents[i] {
                r = r.max(risk[p]);
                depth[i] = depth[i].max(depth[p] + 1);
            }
            max_depth = max_depth.max(depth[i]);
            risk[i] = r;
            for &c in &children[i] {
                remaining[c] -= 1;
                if remaining[c] == 0 {
                    queue.push_back(c);
                }
            }
        }
        if done < n {
            for i in (0..n).filter(|i| remaining[*i] > 0) {
                risk[i] = Risk::Unknown;
                self.find(
                    Code::LinkCycle,
                    graph[i],
                    "the certificate is part of a cycle of inputs",
                );
            }
        }
        if max_depth > limits.max_depth {
            self.find(
                Code::LimitsExceeded,
                graph[0],
                format!(
                    "the chain is {max_depth} custody steps deep, over the limit of {}",
                    limits.max_depth
                ),
            );
        }
        graph.iter().copied().zip(risk).collect()
    }

    fn finish(mut self, head: CertId, graph: Vec<CertId>, risk: HashMap<CertId, Risk>) -> Verdict {
        let order: HashMap<CertId, usize> =
            graph.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        self.findings.sort_by(|a, b| {
            let ka = order.get(&a.certificate).copied().unwrap_or(usize::MAX);
            let kb = order.get(&b.certificate).copied().unwrap_or(usize::MAX);
            (ka, a.certificate, a.code, &a.message).cmp(&(kb, b.certificate, b.code, &b.message))
        });
        self.findings.dedup();
        let integrity = if self.findings.iter().any(|f| f.severity == Severity::Error) {
            Integrity::Invalid
        } else {
            Integrity::Valid
        };
        let verdict_risk = if graph.is_empty() {
            Risk::Unknown
        } else {
            // The head's propagated risk; attestations and revocations as heads carry
            // their own.
            graph
                .first()
                .and_then(|h| risk.get(h))
                .copied()
                .unwrap_or(Risk::Unknown)
        };
        let nodes = graph
            .iter()
            .map(|id| {
                let e = self.entries.get(id);
                Node {
                    id: *id,
                    kind: e.map(|e| e.payload.kind()),
                    issuer: self
                        .checked
                        .get(id)
                        .and_then(|c| c.issuer.as_ref())
                        .map(|i| i.subject.clone()),
                    summary: e
                        .map(|e| summary(&e.payload))
                        .unwrap_or_else(|| self.broken.get(id).cloned().unwrap_or_default()),
                    time: e.map(|e| e.payload.time),
                    parents: e
                        .map(|e| {
                            let mut v: Vec<CertId> =
                                e.payload.inputs().iter().map(|i| i.certificate).collect();
                            v.dedup();
                            v
                        })
                        .unwrap_or_default(),
                    attestations: e
                        .map(|e| e.payload.attestations().to_vec())
                        .unwrap_or_default(),
                    risk: risk.get(id).copied().unwrap_or_default(),
                }
            })
            .collect();
        Verdict {
            head,
            integrity,
            risk: verdict_risk,
            certificates: graph.len(),
            findings: self.findings,
            nodes,
        }
    }
}

enum Want<'a> {
    Crew(&'a str),
    Facility(&'a str),
}

fn grams(g: u128) -> String {
    Grams(u64::try_from(g).unwrap_or(u64::MAX)).to_string()
}

fn audit_finding(on: CertId, att: CertId, method: AuditMethod) -> Option<Finding> {
    match method {
        AuditMethod::ThirdParty => None,
        AuditMethod::Internal => Some(Finding::new(
            Code::AttestationWeakAudit,
            on,
            format!(
                "the attestation {att} rests on an internal (first- or second-party) audit only"
            ),
        )),
        AuditMethod::None => Some(
            Finding::new(
                Code::AttestationWeakAudit,
                on,
                format!("the attestation {att} rests on no audit at all (self-declaration)"),
            )
            .with_risk(Risk::Unknown),
        ),
    }
}

fn ilo_finding(on: CertId, att: CertId, ids: &[u8]) -> Option<Finding> {
    if ids.is_empty() {
        return None;
    }
    let names: Vec<String> = ids
        .iter()
        .map(
            |i| match catchcert_model::codes::ilo_indicator(u64::from(*i)) {
                Some(ind) => format!("{i} ({})", ind.short_name),
                None => i.to_string(),
            },
        )
        .collect();
    Some(Finding::new(
        Code::RiskForcedLabourIndicator,
        on,
        format!(
            "the attestation {att} records ILO forced-labour indicators {}",
            names.join(", ")
        ),
    ))
}

/// Risk findings of a crew attestation, attached to the certificate `on` it covers.
fn crew_risk(on: CertId, att: CertId, a: &CrewAttestation) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(ilo_finding(on, att, &a.ilo_indicators));
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
    let count = |f: &dyn Fn(&catchcert_model::payload::CrewMember) -> bool| {
        a.crew.iter().filter(|m| f(m)).count()
    };
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
    if !issues.is_empty() {
        out.push(Finding::new(
            Code::RiskCrewConditions,
            on,
            format!(
                "the attestation {att} of vessel {}: {}",
                a.vessel.imo,
                issues.join("; ")
            ),
        ));
    }
    out.extend(audit_finding(on, att, a.audit.method));
    out
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

/// One line describing a certificate for reports.
pub fn summary(p: &Payload) -> String {
    let lots = |p: &Payload| {
        p.outputs()
            .iter()
            .map(|o| {
                let mut s = format!("{} {}", o.lot, o.quantity);
                if let Some(sp) = &o.species {
                    s += &format!(" {sp}");
                }
                if let Some(pr) = &o.product {
                    s += &format!(" {pr:?}");
                }
                s
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &p.details {
        Details::CrewAttestation(a) => format!(
            "crew of {} {} ({}), {}..{}, {} crew, audit {}",
            a.vessel.name,
            a.vessel.imo,
            a.vessel.flag,
            a.valid_from,
            a.valid_until,
            a.crew.len(),
            a.audit.method.as_str()
        ),
        Details::FacilityAttestation(a) => format!(
            "facility {:?}, {}..{}, audit {}",
            a.facility,
            a.valid_from,
            a.valid_until,
            a.audit.method.as_str()
        ),
        Details::Catch(c) => format!(
            "{} in FAO {} with {}, {}..{}: {}",
            c.vessel_imo,
            c.fao_area,
            c.gear,
            c.catch_start,
            c.catch_end,
            lots(p)
        ),
        Details::Transshipment(t) => format!(
            "{} -> {} {} in FAO {}: {}",
            t.from_vessel_imo,
            t.to_vessel_imo,
            if t.at_sea { "at sea" } else { "in port" },
            t.fao_area,
            lots(p)
        ),
        Details::Landing { port } => format!("at {port}: {}", lots(p)),
        Details::Processing { facility } => format!("at {facility:?}: {}", lots(p)),
        Details::Shipment(x) | Details::Receipt(x) => {
            format!("{:?} -> {:?}: {}", x.from, x.to, lots(p))
        }
        Details::Revocation(r) => format!("revokes {}: {:?}", r.certificate, r.reason),
    }
}

/// Why a bundle could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BundleBuildError {
    /// The head is not among the certificates.
    #[error("the head certificate {0} is not among the certificates")]
    HeadMissing(CertId),
    /// Too many certificates.
    #[error("the bundle would hold more than {0} certificates")]
    TooLarge(usize),
}

/// Pack a head certificate, all its ancestors, the attestations any of them names, and
/// the revocations of any of them, with every issuer certificate of their x5chains, into
/// a bundle (contract §4). Undecodable messages are never packed; names of inputs that
/// are not present are simply absent (the verifier reports them).
pub fn bundle_for(certificates: &[Vec<u8>], head: CertId) -> Result<Bundle, BundleBuildError> {
    let mut decoded: HashMap<CertId, (&Vec<u8>, Sign1, Payload)> = HashMap::new();
    let mut revocations: HashMap<CertId, Vec<CertId>> = HashMap::new();
    for b in certificates {
        let Ok((s, p)) = cose::decode_certificate(b) else {
            continue;
        };
        if let Details::Revocation(r) = &p.details {
            revocations.entry(r.certificate).or_default().push(s.id);
        }
        decoded.insert(s.id, (b, s, p));
    }
    if !decoded.contains_key(&head) {
        return Err(BundleBuildError::HeadMissing(head));
    }
    let mut seen = HashSet::from([head]);
    let mut queue = VecDeque::from([head]);
    let mut certs = Vec::new();
    let mut issuers = Vec::new();
    while let Some(id) = queue.pop_front() {
        let Some((bytes, s, p)) = decoded.get(&id) else {
            continue;
        };
        certs.push((*bytes).clone());
        if certs.len() > catchcert_model::bundle::MAX_CERTIFICATES {
            return Err(BundleBuildError::TooLarge(
                catchcert_model::bundle::MAX_CERTIFICATES,
            ));
        }
        issuers.extend(s.x5chain.iter().cloned());
        let next = p
            .inputs()
            .iter()
            .map(|i| i.certificate)
            .chain(p.attestations().iter().copied())
            .chain(revocations.get(&id).into_iter().flatten().copied());
        for n in next.collect::<Vec<_>>() {
            if decoded.contains_key(&n) && seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    Ok(Bundle::new(head, certs, issuers))
}

/// The Ed25519 public key of a DER certificate, without validating anything else.
fn leaf_key(der: &[u8]) -> Option<ed25519_dalek::VerifyingKey> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let spki = cert.public_key();
    if spki.algorithm.algorithm.as_bytes() != [0x2b, 0x65, 0x70] {
        return None;
    }
    let bytes: [u8; 32] = spki.subject_public_key.data.as_ref().try_into().ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()
}
