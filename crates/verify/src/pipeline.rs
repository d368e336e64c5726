//! The verification of a head certificate's graph, stage by stage:
//!
//! 1. decode the set (`set`; [`verify_decoded`] takes a set decoded beforehand, e.g. to find
//!    its head, so that no message is decoded twice),
//! 2. check each certificate of the graph: signature, issuer path, role (`check`),
//! 3. the graph: closure, links, balance, time (`graph`); who may speak for what: issuer
//!    scope, custody, species, lot lineages, signing order (`speaks`, rules in [`crate::custody`]),
//! 4. revocations (`revocation`),
//! 5. attestations and risk ([`crate::risk`]); watch lists ([`crate::watchlist`]),
//! 6. the verdict: risk propagation and ordering (`verdict`).
//!
//! All findings are collected; nothing stops at the first problem. The work is linear in
//! the size of the input: each certificate is decoded once, each issuer certificate is
//! checked once per run, and every rule walks the inputs of each certificate once, with
//! hash maps for look-ups.

use crate::check::{Checks, SignatureResult, Signatures};
use crate::findings::{Finding, Verdict};
use crate::kinds::FindingKind;
pub use crate::limits::VerifyLimits;
pub use crate::pack::DecodedSet;
use crate::path::{IssuerSignature, TrustAnchors};
use crate::set::Set;
use crate::signature::{self, Assumption};
use crate::{graph, revocation, risk, speaks, verdict, watchlist};
use catchcert_model::bundle::Bundle;
use catchcert_model::{CertId, Timestamp};
use std::collections::{HashMap, HashSet};

/// Verify a bundle. `head` overrides the bundle's own head.
pub fn verify_bundle(
    bundle: &Bundle,
    head: Option<CertId>,
    anchors: &TrustAnchors,
    at: Timestamp,
    limits: &VerifyLimits,
) -> Verdict {
    verify_screened(
        &bundle.certificates,
        &bundle.issuers,
        &bundle.watchlists,
        head.unwrap_or(bundle.head),
        anchors,
        at,
        limits,
    )
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
    limits: &VerifyLimits,
) -> Verdict {
    verify_screened(certificates, issuers, &[], head, anchors, at, limits)
}

/// [`verify`], with the graph screened against the watch lists `watchlists` (COSE_Sign1
/// `watchlist` certificates, contract §4 "Watch lists"): lists that verify and whose issuer
/// is a listkeeper are applied, the others are reported `watchlist.ignored`.
pub fn verify_screened(
    certificates: &[Vec<u8>],
    issuers: &[Vec<u8>],
    watchlists: &[Vec<u8>],
    head: CertId,
    anchors: &TrustAnchors,
    at: Timestamp,
    limits: &VerifyLimits,
) -> Verdict {
    // A large set runs on the pool as a whole: its maps and joins start from a worker.
    crate::par::on_pool(certificates.len() >= limits.parallel_from, || {
        // 1. decode
        let set = Set::decode(certificates, at, limits);
        run(set, issuers, watchlists, head, anchors, at, limits)
    })
}

/// [`verify_screened`] on a set already decoded ([`DecodedSet::decode`], which may have
/// served to find the head): the same verdict, and no message is decoded again. Only the
/// first `limits.max_certificates` messages take part, as in [`verify_screened`].
pub fn verify_decoded(
    certificates: DecodedSet,
    issuers: &[Vec<u8>],
    watchlists: &[Vec<u8>],
    head: CertId,
    anchors: &TrustAnchors,
    at: Timestamp,
    limits: &VerifyLimits,
) -> Verdict {
    // 1. decode (done): the set as of `at`
    let count = certificates.len();
    crate::par::on_pool(count >= limits.parallel_from, || {
        let set = Set::from_decoded(count, certificates.into_messages(), at, limits);
        run(set, issuers, watchlists, head, anchors, at, limits)
    })
}

/// The stages after decoding, on the decoded set.
fn run(
    mut set: Set,
    issuers: &[Vec<u8>],
    watchlists: &[Vec<u8>],
    head: CertId,
    anchors: &TrustAnchors,
    at: Timestamp,
    limits: &VerifyLimits,
) -> Verdict {
    set.add_watchlists(watchlists);
    let mut checks = Checks::new(anchors, issuers, limits);
    let mut findings = Vec::new();
    if let Some(over) = set.over_limit.clone() {
        findings.push(over.on(head));
    }
    if !set.contains(&head) {
        let later = set.later.contains(&head).then_some(at);
        findings.push(FindingKind::HeadMissing { later }.on(head));
        return verdict::finish(&set, &checks, head, &[], &HashMap::new(), findings);
    }
    // 2. check each certificate of the graph: every signature under the key its message
    // presents, and the issuer certificates' signatures their paths may need, in one batch
    // (on several threads for a large graph); then the issuer paths
    let graph = graph::closure(&set, head);
    let signatures = checks.signatures(&set, &graph);
    let ahead = checks.issuer_signatures(&signatures);
    let mut items = signatures.items();
    items.extend(ahead.iter().map(IssuerSignature::item));
    if items.len() < limits.parallel_from {
        let outcomes = signature::verify_batch_from(&items, limits.parallel_from);
        paths(&mut checks, &set, &graph, &signatures, &ahead, outcomes);
        return stages(&set, checks, graph, findings, head, limits);
    }
    // A large graph: the issuer paths and the stages run beside the batch, on the
    // assumption that every signature holds. Their verdict stands only if the batch
    // confirms that; otherwise they run again with the batch's outcomes (a set with a bad
    // signature costs the stages twice).
    let (outcomes, (assumption, speculative)) = crate::par::join(
        || signature::verify_batch_from(&items, limits.parallel_from),
        || {
            let (assumption, proofs) = Assumption::take(items.len());
            paths(
                &mut checks,
                &set,
                &graph,
                &signatures,
                &ahead,
                proofs.map(Ok).collect(),
            );
            let v = stages(&set, checks, graph.clone(), findings.clone(), head, limits);
            (assumption, v)
        },
    );
    if assumption.holds(&outcomes) {
        return speculative;
    }
    // A fresh validator: the one beside the batch holds the assumed outcomes.
    let mut checks = Checks::new(anchors, issuers, limits);
    paths(&mut checks, &set, &graph, &signatures, &ahead, outcomes);
    stages(&set, checks, graph, findings, head, limits)
}

/// Hand the batch's `outcomes` (the certificates' signatures, then the issuer signatures
/// gathered ahead) to `checks`: the issuer signatures to the path validator, then the
/// paths of `graph` validated and paired with their certificates' outcomes.
fn paths(
    checks: &mut Checks,
    set: &Set,
    graph: &[CertId],
    signatures: &Signatures<'_>,
    ahead: &[IssuerSignature],
    mut outcomes: Vec<SignatureResult>,
) {
    let issuer_outcomes = outcomes.split_off(signatures.len().min(outcomes.len()));
    checks.seed(ahead, issuer_outcomes);
    let signers = checks.prepare_paths(set, graph, signatures);
    checks.accept(signers, signatures, outcomes);
}

/// Stages 2 to 6 on the graph `graph` of `head`, once [`Checks::accept`] holds the outcome
/// of every signature the graph's checks need: `findings` are those found so far.
fn stages(
    set: &Set,
    mut checks: Checks,
    mut graph: Vec<CertId>,
    mut findings: Vec<Finding>,
    head: CertId,
    limits: &VerifyLimits,
) -> Verdict {
    // 2. check each certificate of the graph (its signature's outcome is ready)
    for id in &graph {
        checks.check(set, *id, Some(&mut findings));
    }
    // 3. graph: links, time order, own and lot balance
    let in_graph: HashSet<CertId> = graph.iter().copied().collect();
    let (links, producers) = graph::links(set, &graph);
    findings.extend(links);
    findings.extend(graph::balance(set, &mut checks, &producers, &in_graph));
    // 3b. who may speak for what: scope, custody, species, lot lineages, signing order
    findings.extend(speaks::findings(set, &mut checks, &graph, &in_graph));
    // 4. revocations
    let effects = revocation::effects(set, &mut checks, &graph);
    findings.extend(effects.findings);
    graph.extend(effects.joined);
    // 5. attestations and risk
    risk::attestations_and_risk(
        set,
        &mut checks,
        &graph,
        &effects.attestation_revoked_at,
        &mut findings,
    );
    // 5b. watch lists
    let lists = set.watchlists.clone();
    let index = watchlist::load(set, &mut checks, &lists, &mut findings);
    watchlist::screen(set, &mut checks, &graph, &index, &mut findings);
    // 6. verdict
    let own = verdict::own_risk(&findings);
    let risk = verdict::propagate(set, &graph, &own, limits.max_depth, &mut findings);
    verdict::finish(set, &checks, head, &graph, &risk, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::DECODED;
    use catchcert_testkit::certs::{self, Pki};

    /// Messages decoded so far on this thread (`set::decode_each`, the one place a set's
    /// messages are decoded).
    fn decoded() -> usize {
        DECODED.with(|n| n.get())
    }

    /// Limits that keep every decoding on the calling thread, where the hook counts it.
    fn on_this_thread() -> VerifyLimits {
        VerifyLimits {
            parallel_from: usize::MAX,
            ..VerifyLimits::default()
        }
    }

    fn at() -> Timestamp {
        Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap()
    }

    /// A catch, a landing of part of it (the head, holding lot L2) and a damaged message.
    fn set(pki: &Pki) -> (Vec<Vec<u8>>, CertId) {
        let c = certs::catch(&pki.vessel, "L1", 100.0);
        let l = certs::landing(&pki.vessel, certs::id(&c), "L1", 60.0, "L2", 60.0);
        let damaged = l[..l.len() / 2].to_vec();
        let head = certs::id(&l);
        (vec![c, l, damaged], head)
    }

    #[test]
    fn finding_the_head_and_verifying_decode_each_message_once() {
        let pki = Pki::new();
        let anchors = TrustAnchors::from_pem(&pki.root_pem).unwrap();
        let limits = on_this_thread();
        let (certs, head) = set(&pki);
        let whole = &certs[..2];

        // Without --head: refuse a damaged set, find the only head candidate, verify.
        let start = decoded();
        let d = DecodedSet::decode(whole, &limits);
        assert_eq!(d.errors().count(), 0);
        assert_eq!(d.candidate_heads(), vec![head]);
        let v = verify_decoded(d, &[], &[], head, &anchors, at(), &limits);
        assert_eq!(decoded() - start, whole.len(), "each message decoded once");
        let old = verify_screened(whole, &[], &[], head, &anchors, at(), &limits);
        assert_eq!(format!("{v:?}"), format!("{old:?}"));

        // With --lot: the lot's holder, then verify.
        let start = decoded();
        let d = DecodedSet::decode(whole, &limits);
        assert_eq!(d.lot_holders("L2"), vec![head]);
        let v = verify_decoded(d, &[], &[], head, &anchors, at(), &limits);
        assert_eq!(decoded() - start, whole.len(), "each message decoded once");
        assert_eq!(format!("{v:?}"), format!("{old:?}"));

        // The hook sees the old way: finding the head, then verifying, decodes twice.
        let start = decoded();
        assert_eq!(crate::pack::candidate_heads(whole), vec![head]);
        verify_screened(whole, &[], &[], head, &anchors, at(), &limits);
        assert_eq!(decoded() - start, 2 * whole.len());
    }

    #[test]
    fn a_damaged_message_is_named_once_and_verified_like_before() {
        let pki = Pki::new();
        let anchors = TrustAnchors::from_pem(&pki.root_pem).unwrap();
        let limits = on_this_thread();
        let (certs, head) = set(&pki);
        let start = decoded();
        let d = DecodedSet::decode(&certs, &limits);
        let errors: Vec<(usize, String)> = d.errors().map(|(i, e)| (i, e.to_string())).collect();
        let why = crate::cose::decode_certificate(&certs[2]).unwrap_err();
        assert_eq!(errors, vec![(2, why.to_string())]);
        // Undecodable messages are skipped by head discovery.
        assert_eq!(d.candidate_heads(), vec![head]);
        assert_eq!(d.lot_holders("L2"), vec![head]);
        let v = verify_decoded(d, &[], &[], head, &anchors, at(), &limits);
        assert_eq!(decoded() - start, certs.len(), "each message decoded once");
        let old = verify_screened(&certs, &[], &[], head, &anchors, at(), &limits);
        assert_eq!(format!("{v:?}"), format!("{old:?}"));
        assert_eq!(v.undecodable, vec![(certs::id(&certs[2]), why.to_string())]);
    }

    #[test]
    fn over_the_limit_only_the_first_messages_take_part() {
        let pki = Pki::new();
        let anchors = TrustAnchors::from_pem(&pki.root_pem).unwrap();
        let (certs, head) = set(&pki);
        // The head is the second message: with a limit of one it is left out, and the set
        // is reported over the limit, exactly as when the verifier decodes the set itself.
        let limits = VerifyLimits {
            max_certificates: 1,
            ..on_this_thread()
        };
        let d = DecodedSet::decode(&certs, &limits);
        assert_eq!(d.len(), certs.len());
        let v = verify_decoded(d, &[], &[], head, &anchors, at(), &limits);
        let old = verify_screened(&certs, &[], &[], head, &anchors, at(), &limits);
        assert_eq!(format!("{v:?}"), format!("{old:?}"));
        assert!(v.has(crate::codes::Code::LimitsExceeded), "{v:?}");
    }
}
