//! Stage 3b, who may speak for what: the rules of [`crate::custody`] over the head's graph
//! (`issuer.scope`, `link.custody`, `link.species`, `link.lot_conflict`, and `time.order`
//! on the `issued_at` of named certificates).
//!
//! Bindings come from sound certificates only (their own checks passed, so their issuer is
//! validated): an unsound certificate is not judged for scope or custody, and its lots'
//! holder is unknown when it is a processing; it carries its own error, which already makes
//! the chain invalid. Rival lineages of a lot id count when they are in the graph or sound:
//! unauthenticated data must not be able to change a verdict.

use crate::check::Checks;
use crate::custody::{self, SpeciesIndex};
use crate::findings::Finding;
use crate::set::Set;
use catchcert_model::CertId;
use catchcert_model::bindings_ext::Bindings;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The findings of the rules of [`crate::custody`] over `graph`.
pub(crate) fn findings(set: &Set, checks: &mut Checks, graph: &[CertId]) -> Vec<Finding> {
    let mut out = Vec::new();
    // Bindings of the sound certificates of the graph.
    let mut bound: HashMap<CertId, Bindings> = HashMap::new();
    for id in graph {
        if let Some(c) = checks.get(id)
            && c.is_sound()
            && let Some(i) = c.issuer()
        {
            bound.insert(*id, i.bindings.clone());
        }
    }
    let mut index = SpeciesIndex::new(|i: &CertId| set.payload(i));
    for id in graph {
        let Some(p) = set.payload(id) else { continue };
        for n in custody::named(p) {
            if let Some(np) = set.payload(&n) {
                out.extend(custody::issued_before_named(p, n, np).map(|k| k.on(*id)));
            }
        }
        if !p.kind().is_custody() {
            continue;
        }
        let carried: Vec<BTreeSet<&str>> = p
            .inputs()
            .iter()
            .map(|i| index.carried(i.certificate, i.lot.as_str()))
            .collect();
        out.extend(custody::species(p, &carried).into_iter().map(|k| k.on(*id)));
        let Some(signer) = bound.get(id) else {
            continue;
        };
        out.extend(custody::scope(p, signer).map(|k| k.on(*id)));
        for (k, input) in p.inputs().iter().enumerate() {
            let Some(src) = set.payload(&input.certificate) else {
                continue;
            };
            let Some(src_bound) = bound.get(&input.certificate) else {
                continue;
            };
            if !src.outputs().iter().any(|o| o.lot == input.lot) {
                continue; // link.lot
            }
            let Some(holder) = custody::holder(src, Some(src_bound)) else {
                continue;
            };
            out.extend(custody::custody(p, signer, k, input, src, holder).map(|f| f.on(*id)));
        }
    }
    out.extend(lot_conflicts(set, checks, graph));
    out
}

/// `link.lot_conflict` on each certificate of the graph that starts a lineage of a lot id
/// another in-graph or sound certificate of the set also starts.
fn lot_conflicts(set: &Set, checks: &mut Checks, graph: &[CertId]) -> Vec<Finding> {
    let in_graph: HashSet<CertId> = graph.iter().copied().collect();
    let wanted: HashSet<&str> = graph
        .iter()
        .filter_map(|id| set.payload(id))
        .flat_map(custody::first_outputs)
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let candidates: Vec<(CertId, &catchcert_model::Payload)> = set
        .entries
        .iter()
        .filter(|(_, e)| custody::first_outputs(&e.payload).any(|l| wanted.contains(l)))
        .map(|(id, e)| (*id, &e.payload))
        .collect();
    let mut out = Vec::new();
    for (lot, roots) in custody::lot_conflicts(candidates) {
        if !wanted.contains(lot) || !roots.iter().any(|r| in_graph.contains(r)) {
            continue;
        }
        let roots: Vec<CertId> = roots
            .into_iter()
            .filter(|r| in_graph.contains(r) || checks.check(set, *r, None).is_sound())
            .collect();
        if roots.len() < 2 {
            continue;
        }
        for r in roots.iter().filter(|r| in_graph.contains(r)) {
            out.push(custody::lot_conflict(lot, *r, &roots).on(*r));
        }
    }
    out
}
