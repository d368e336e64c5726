//! Stage 3, the graph of the head: its closure through inputs and named attestations,
//! the links of every input (presence, lot, time order), each certificate's own mass
//! balance, and the balance of every lot across the whole set.

use crate::check::Checks;
use crate::findings::Finding;
use crate::kinds::{Absence, FindingKind};
use crate::rules;
use crate::set::Set;
use catchcert_model::{CertId, Grams};
use std::collections::{HashMap, HashSet, VecDeque};

/// The head's graph in breadth-first order: ancestors through inputs and named
/// attestations. Revocations join it later, once they are known to verify.
pub(crate) fn closure(set: &Set, head: CertId) -> Vec<CertId> {
    let mut seen = HashSet::from([head]);
    let mut order = Vec::new();
    let mut queue = VecDeque::from([head]);
    while let Some(id) = queue.pop_front() {
        order.push(id);
        let Some(p) = set.payload(&id) else {
            continue;
        };
        let inputs = p.inputs().iter().map(|i| i.certificate);
        for n in inputs.chain(p.attestations().iter().copied()) {
            if set.contains(&n) && seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    order
}

/// The links of every input of the custody certificates of the graph, and their own
/// mass balance. Returns the findings and the (certificate, lot) pairs consumed.
pub(crate) fn links<'s>(set: &'s Set, graph: &[CertId]) -> (Vec<Finding>, Vec<(CertId, &'s str)>) {
    let mut findings = Vec::new();
    let mut producers: Vec<(CertId, &'s str)> = Vec::new();
    // Built on the first missing link only: which certificates of the set output each
    // lot, to name a likely altered copy (an altered certificate has a new id).
    let mut by_lot: Option<HashMap<String, Vec<CertId>>> = None;
    for id in graph {
        let Some(p) = set.payload(id) else {
            continue;
        };
        if !p.kind().is_custody() {
            continue;
        }
        for (k, input) in p.inputs().iter().enumerate() {
            let Some(src) = set.payload(&input.certificate) else {
                match set.absence(&input.certificate, &input.lot, &mut by_lot) {
                    // Its own finding says why it is not valid.
                    Absence::Broken => {}
                    absence => findings.push(rules::link_missing(*id, k, input, absence)),
                }
                continue;
            };
            match rules::input_links(*id, p, k, src) {
                Ok(time) => {
                    producers.push((input.certificate, input.lot.as_str()));
                    findings.extend(time);
                }
                Err(lot) => findings.push(lot),
            }
        }
        findings.extend(rules::own_balance(*id, p));
    }
    producers.sort();
    producers.dedup();
    (findings, producers)
}

/// Across the set: everything consumed of one (certificate, lot) must fit in what that
/// certificate output. Consumers outside the head's graph count when they are themselves
/// sound: that is how a double sale to another buyer shows.
pub(crate) fn balance(
    set: &Set,
    checks: &mut Checks,
    producers: &[(CertId, &str)],
    in_graph: &HashSet<CertId>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    // The look-up key, one buffer for every lot.
    let mut key: (CertId, String) = (CertId([0; 32]), String::new());
    for (src, lot) in producers {
        let Some(available) = set
            .payload(src)
            .and_then(|p| p.outputs().iter().find(|o| o.lot == *lot))
            .map(|o| o.quantity)
        else {
            continue;
        };
        key.0 = *src;
        key.1.clear();
        key.1.push_str(lot);
        let mut consumed: u128 = 0;
        let mut consumers: Vec<(CertId, Grams)> = Vec::new();
        for (c, q) in set.consumers.get(&key).into_iter().flatten() {
            if in_graph.contains(c) || checks.check(set, *c, None).is_sound() {
                consumed += u128::from(q.0);
                consumers.push((*c, *q));
            }
        }
        if consumed > u128::from(available.0) {
            findings.push(
                FindingKind::LotOverConsumed {
                    lot: lot.to_string(),
                    available,
                    consumed,
                    consumers,
                }
                .on(*src),
            );
        }
    }
    findings
}
