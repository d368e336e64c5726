//! Stage 6, the verdict: each certificate's own risk from its findings, risk propagated
//! through custody edges in topological order (with cycle and depth checks), findings in
//! a stable order, and the nodes for reports.

use crate::check::Checks;
use crate::findings::{Finding, Integrity, Node, Risk, Severity, Verdict};
use crate::kinds::FindingKind;
use crate::set::Set;
use catchcert_model::CertId;
use std::collections::{HashMap, VecDeque};

/// Each certificate's own risk: the worst its findings set. An error makes the step
/// unverifiable: its lots are at least of unknown risk, so that breaking a chain never
/// makes it look cleaner than a complete one.
pub(crate) fn own_risk(findings: &[Finding]) -> HashMap<CertId, Risk> {
    let mut own: HashMap<CertId, Risk> = HashMap::new();
    for f in findings {
        let r = match (f.risk, f.severity) {
            (Some(r), _) => Some(r),
            (None, Severity::Error) => Some(Risk::Unknown),
            (None, _) => None,
        };
        if let Some(r) = r {
            let e = own.entry(f.certificate).or_default();
            *e = (*e).max(r);
        }
    }
    own
}

/// Custody parents of each graph node, as graph indexes, sorted and unique.
fn parents(set: &Set, graph: &[CertId]) -> Vec<Vec<usize>> {
    let index: HashMap<CertId, usize> = graph.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    graph
        .iter()
        .map(|id| {
            let mut ps: Vec<usize> = set
                .payload(id)
                .map(|p| {
                    p.inputs()
                        .iter()
                        .filter_map(|i| index.get(&i.certificate).copied())
                        .collect()
                })
                .unwrap_or_default();
            ps.sort_unstable();
            ps.dedup();
            ps
        })
        .collect()
}

/// Risk through custody edges (worst of everything a lot came from), in one pass in
/// topological order; reports cycles and chains deeper than `max_depth`.
pub(crate) fn propagate(
    set: &Set,
    graph: &[CertId],
    own: &HashMap<CertId, Risk>,
    max_depth: usize,
    findings: &mut Vec<Finding>,
) -> HashMap<CertId, Risk> {
    let n = graph.len();
    let parents = parents(set, graph);
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
    let mut deepest = 0;
    while let Some(i) = queue.pop_front() {
        done += 1;
        let mut r = own.get(&graph[i]).copied().unwrap_or_default();
        for &p in &parents[i] {
            r = r.max(risk[p]);
            depth[i] = depth[i].max(depth[p] + 1);
        }
        deepest = deepest.max(depth[i]);
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
            findings.push(FindingKind::Cycle.on(graph[i]));
        }
    }
    if deepest > max_depth
        && let Some(head) = graph.first()
    {
        findings.push(
            FindingKind::TooDeep {
                depth: deepest,
                limit: max_depth,
            }
            .on(*head),
        );
    }
    graph.iter().copied().zip(risk).collect()
}

/// The verdict: findings sorted by graph order, certificate, code and message, without
/// duplicates; integrity; the head's propagated risk; the nodes.
pub(crate) fn finish(
    set: &Set,
    checks: &Checks,
    head: CertId,
    graph: &[CertId],
    risk: &HashMap<CertId, Risk>,
    mut findings: Vec<Finding>,
) -> Verdict {
    let order: HashMap<CertId, usize> = graph.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    findings.sort_by(|a, b| {
        let ka = order.get(&a.certificate).copied().unwrap_or(usize::MAX);
        let kb = order.get(&b.certificate).copied().unwrap_or(usize::MAX);
        (ka, a.certificate, a.code, &a.message).cmp(&(kb, b.certificate, b.code, &b.message))
    });
    findings.dedup();
    let integrity = if findings.iter().any(|f| f.severity == Severity::Error) {
        Integrity::Invalid
    } else {
        Integrity::Valid
    };
    // The head's propagated risk; attestations and revocations as heads carry their own.
    let verdict_risk = graph
        .first()
        .and_then(|h| risk.get(h))
        .copied()
        .unwrap_or(Risk::Unknown);
    let nodes = graph
        .iter()
        .map(|id| node(set, checks, *id, risk))
        .collect();
    let lots = set
        .payload(&head)
        .map(|p| p.outputs().iter().map(|o| o.lot.clone()).collect())
        .unwrap_or_default();
    Verdict {
        head,
        lots,
        integrity,
        risk: verdict_risk,
        certificates: graph.len(),
        findings,
        nodes,
        undecodable: {
            let mut u: Vec<(CertId, String)> = set
                .broken
                .iter()
                .map(|(id, why)| (*id, why.clone()))
                .collect();
            u.sort();
            u
        },
    }
}

fn node(set: &Set, checks: &Checks, id: CertId, risk: &HashMap<CertId, Risk>) -> Node {
    let p = set.payload(&id);
    Node {
        id,
        kind: p.map(|p| p.kind()),
        issuer: checks
            .get(&id)
            .and_then(|c| c.issuer())
            .map(|i| i.subject.clone()),
        summary: p
            .map(catchcert_model::summary::summary)
            .unwrap_or_else(|| set.broken.get(&id).cloned().unwrap_or_default()),
        time: p.map(|p| p.time()),
        parents: p
            .map(|p| {
                let mut v: Vec<CertId> = p.inputs().iter().map(|i| i.certificate).collect();
                v.dedup();
                v
            })
            .unwrap_or_default(),
        attestations: p.map(|p| p.attestations().to_vec()).unwrap_or_default(),
        risk: risk.get(&id).copied().unwrap_or_default(),
    }
}
