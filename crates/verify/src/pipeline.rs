//! The verification of a head certificate's graph, stage by stage:
//!
//! 1. decode the set (`set`),
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

use crate::check::Checks;
use crate::findings::Verdict;
use crate::kinds::FindingKind;
pub use crate::limits::VerifyLimits;
use crate::path::TrustAnchors;
use crate::set::Set;
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
    // 1. decode
    let mut set = Set::decode(certificates, at, limits);
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
    // 2. check each certificate of the graph
    let mut graph = graph::closure(&set, head);
    checks.prepare(&set, &graph);
    for id in &graph {
        checks.check(&set, *id, Some(&mut findings));
    }
    // 3. graph: links, time order, own and lot balance
    let in_graph: HashSet<CertId> = graph.iter().copied().collect();
    let (links, producers) = graph::links(&set, &graph);
    findings.extend(links);
    findings.extend(graph::balance(&set, &mut checks, &producers, &in_graph));
    // 3b. who may speak for what: scope, custody, species, lot lineages, signing order
    findings.extend(speaks::findings(&set, &mut checks, &graph, &in_graph));
    // 4. revocations
    let effects = revocation::effects(&set, &mut checks, &graph);
    findings.extend(effects.findings);
    graph.extend(effects.joined);
    // 5. attestations and risk
    risk::attestations_and_risk(
        &set,
        &mut checks,
        &graph,
        &effects.attestation_revoked_at,
        &mut findings,
    );
    // 5b. watch lists
    let lists = set.watchlists.clone();
    let index = watchlist::load(&set, &mut checks, &lists, &mut findings);
    watchlist::screen(&set, &mut checks, &graph, &index, &mut findings);
    // 6. verdict
    let own = verdict::own_risk(&findings);
    let risk = verdict::propagate(&set, &graph, &own, limits.max_depth, &mut findings);
    verdict::finish(&set, &checks, head, &graph, &risk, findings)
}
