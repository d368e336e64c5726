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
use catchcert_model::bindings_ext::Bindings;
use catchcert_model::{CertId, Payload};
use std::collections::{HashMap, HashSet};

/// The findings of the rules of [`crate::custody`] over `graph` (`in_graph`: its ids).
pub(crate) fn findings(
    set: &Set,
    checks: &mut Checks,
    graph: &[CertId],
    in_graph: &HashSet<CertId>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // The payload of each certificate of the graph, looked up once.
    let payloads: Vec<Option<&Payload>> = graph.iter().map(|id| set.payload(id)).collect();
    {
        // Bindings of the sound certificates of the graph (every certificate of the graph
        // has been checked; those outside it are not asked for), borrowed from the checks.
        let checks: &Checks = checks;
        let bound = |id: &CertId| -> Option<&Bindings> {
            let c = checks.get(id)?;
            c.is_sound().then(|| c.issuer().map(|i| &i.bindings))?
        };
        let mut index = SpeciesIndex::new(|i: &CertId| set.payload(i));
        let mut named: Vec<CertId> = Vec::new();
        let mut known: Vec<&str> = Vec::new();
        for (id, p) in graph.iter().zip(&payloads) {
            let Some(p) = *p else { continue };
            custody::named_into(p, &mut named);
            for n in &named {
                if let Some(np) = set.payload(n) {
                    out.extend(custody::issued_before_named(p, *n, np).map(|k| k.on(*id)));
                }
            }
            if !p.kind().is_custody() {
                continue;
            }
            // The species of every input's lot are resolved (in input order, as the index
            // remembers them), then read where an output names a species.
            for i in p.inputs() {
                index.resolve(i.certificate, i.lot.as_str());
            }
            if custody::judges_species(p) {
                known.clear();
                for i in p.inputs() {
                    if let Some(s) = index.resolved(i.certificate, i.lot.as_str()) {
                        known.extend(s.iter().copied());
                    }
                }
                known.sort_unstable();
                known.dedup();
                out.extend(
                    custody::species_known(p, &known)
                        .into_iter()
                        .map(|k| k.on(*id)),
                );
            }
            let Some(signer) = bound(id) else {
                continue;
            };
            out.extend(custody::scope(p, signer).map(|k| k.on(*id)));
            for (k, input) in p.inputs().iter().enumerate() {
                let Some(src) = set.payload(&input.certificate) else {
                    continue;
                };
                // An input present in the set is in the graph (its closure).
                let Some(src_bound) = bound(&input.certificate) else {
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
    }
    out.extend(lot_conflicts(set, checks, graph, &payloads, in_graph));
    out
}

/// `link.lot_conflict` on each certificate of the graph that starts a lineage of a lot id
/// another in-graph or sound certificate of the set also starts. Only the lot ids the graph
/// starts are indexed; the rest of the set is scanned for their other first certificates
/// only when the graph is not the whole set.
fn lot_conflicts(
    set: &Set,
    checks: &mut Checks,
    graph: &[CertId],
    payloads: &[Option<&Payload>],
    in_graph: &HashSet<CertId>,
) -> Vec<Finding> {
    let mut starts: HashMap<&str, Vec<CertId>> = HashMap::new();
    let mut decoded = 0;
    for (id, p) in graph.iter().zip(payloads) {
        let Some(p) = p else { continue };
        decoded += 1;
        for lot in custody::first_outputs(p) {
            starts.entry(lot).or_default().push(*id);
        }
    }
    if starts.is_empty() {
        return Vec::new();
    }
    // The graph's ids are distinct and each decoded one is an entry of the set: when they
    // are as many as the entries, the graph holds every certificate of the set.
    if decoded < set.entries.len() {
        starts.values_mut().for_each(Vec::clear);
        for (id, e) in &set.entries {
            for lot in custody::first_outputs(&e.payload) {
                if let Some(ids) = starts.get_mut(lot) {
                    ids.push(*id);
                }
            }
        }
    }
    // As `custody::lot_conflicts`: by lot id, each lot's first certificates sorted.
    let mut conflicts: Vec<(&str, Vec<CertId>)> = starts
        .into_iter()
        .filter_map(|(lot, mut ids)| {
            ids.sort();
            ids.dedup();
            (ids.len() > 1).then_some((lot, ids))
        })
        .collect();
    conflicts.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    for (lot, roots) in conflicts {
        if !roots.iter().any(|r| in_graph.contains(r)) {
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
