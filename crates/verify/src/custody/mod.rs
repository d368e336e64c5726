//! Who may speak for what, and who holds a lot (contract §2 "Bindings", §4 `issuer.scope`,
//! `link.custody`, `link.species`, `link.lot_conflict`, and the `time.order` rule on the
//! `issued_at` of named certificates).
//!
//! A valid signature proves who signed; these rules decide whether the signer may say what
//! it says. Every function here is pure: the caller supplies the payloads and the bindings
//! of their (already validated) issuers and gets back typed [`FindingKind`]s, which the
//! verifier's pipeline and the server's ingest attach to the certificate concerned.
//!
//! - [`scope`]: the certificate names a vessel, facility or party its issuer is not bound to.
//! - [`holder`] and [`custody`]: a certificate consumes a lot from someone who did not hold
//!   it (the holder rules of contract §4).
//! - [`SpeciesIndex`] and [`species`]: a step other than a catch outputs a species that none
//!   of the lots it consumes carries.
//! - [`lot_conflicts`]: a lot id with two lineages in one set.
//! - [`issued_before_named`]: a certificate signed before a certificate it names by hash.
//!
//! Bindings exist only for certificates whose own checks passed (a sound certificate with
//! a validated issuer). When a producer's issuer is unknown, the holder of a processing's
//! lots is unknown and its consumers are not judged for custody: the producer already
//! carries its own error, which makes the whole chain invalid.

use crate::kinds::{CustodyBreach, FindingKind, HolderKind, ScopeClaim};
use catchcert_model::bindings_ext::{Bindings, name_key};
use catchcert_model::payload::{Input, Payload, Step};
use catchcert_model::{CertId, Kind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `issuer.scope` for what a certificate names by itself: a catch's `vessel_imo`, a
/// transshipment's vessels (its signer must be one of them), a processing's `facility`, a
/// shipment's parties (its signer must be one of them), a receipt's `to`. Landings are
/// checked against the holder of what they land ([`custody`]).
pub fn scope(p: &Payload, signer: &Bindings) -> Option<FindingKind> {
    let claim = match p.step() {
        Some(Step::Catch(c)) if !signer.has_vessel(&c.vessel_imo) => ScopeClaim::CatchVessel {
            imo: c.vessel_imo.clone(),
        },
        Some(Step::Transshipment(t))
            if !signer.has_vessel(&t.from_vessel_imo) && !signer.has_vessel(&t.to_vessel_imo) =>
        {
            ScopeClaim::TransshipmentVessels {
                from: t.from_vessel_imo.clone(),
                to: t.to_vessel_imo.clone(),
            }
        }
        Some(Step::Processing { facility }) if !signer.has_facility(facility) => {
            ScopeClaim::ProcessingFacility {
                facility: facility.clone(),
            }
        }
        Some(Step::Shipment(x)) if !signer.has_party(&x.from) && !signer.has_party(&x.to) => {
            ScopeClaim::ShipmentParties {
                from: x.from.clone(),
                to: x.to.clone(),
            }
        }
        Some(Step::Receipt(x)) if !signer.has_party(&x.to) => {
            ScopeClaim::ReceiptTo { to: x.to.clone() }
        }
        _ => return None,
    };
    Some(FindingKind::IssuerScope {
        claim,
        bound: signer.clone(),
    })
}

/// Who holds a lot that a certificate output (contract §4 "Holders and custody").
#[derive(Clone, Copy, Debug)]
pub enum Holder<'a> {
    /// A vessel, by IMO number: after a catch (`vessel_imo`) or a transshipment
    /// (`to_vessel_imo`).
    Vessel(&'a str),
    /// Nobody in particular: a landed lot lies at the port and anyone may take it on.
    Anyone,
    /// The issuer of a processing, matched by any of its parties.
    Issuer(&'a Bindings),
    /// A party by name: the `to` of a shipment or receipt.
    Party(&'a str),
}

impl Holder<'_> {
    fn kind(&self) -> HolderKind {
        match self {
            Holder::Vessel(v) => HolderKind::Vessel(v.to_string()),
            Holder::Anyone => HolderKind::Port,
            Holder::Issuer(b) => HolderKind::Processor((*b).clone()),
            Holder::Party(p) => HolderKind::Party(p.to_string()),
        }
    }
}

/// The holder of the lots `producer` outputs. `producer_bindings` are the bindings of its
/// issuer, `None` when it is not sound (then the holder of a processing's lots is unknown
/// and no custody rule is applied to its consumers: the producer carries its own error).
pub fn holder<'a>(
    producer: &'a Payload,
    producer_bindings: Option<&'a Bindings>,
) -> Option<Holder<'a>> {
    Some(match producer.step() {
        Some(Step::Catch(c)) => Holder::Vessel(&c.vessel_imo),
        Some(Step::Transshipment(t)) => Holder::Vessel(&t.to_vessel_imo),
        Some(Step::Landing { .. }) => Holder::Anyone,
        Some(Step::Processing { .. }) => Holder::Issuer(producer_bindings?),
        Some(Step::Shipment(x)) | Some(Step::Receipt(x)) => Holder::Party(&x.to),
        _ => return None,
    })
}

/// The custody rule for input `k` of `consumer` (signed by `signer`), which consumes a lot
/// that `producer` output and `holder` holds. A landing whose signer is not bound to the
/// holding vessel is `issuer.scope` (the landing speaks for that vessel); every other
/// mismatch is `link.custody`.
pub fn custody(
    consumer: &Payload,
    signer: &Bindings,
    k: usize,
    input: &Input,
    producer: &Payload,
    holder: Holder<'_>,
) -> Option<FindingKind> {
    let breach = |breach: CustodyBreach| {
        Some(FindingKind::Custody {
            input: k,
            lot: input.lot.clone(),
            certificate: input.certificate,
            consumer: consumer.kind(),
            holder: holder.kind(),
            breach,
        })
    };
    match (consumer.step(), holder) {
        (Some(Step::Transshipment(t)), Holder::Vessel(v)) => {
            if t.from_vessel_imo == v {
                None
            } else {
                breach(CustodyBreach::From {
                    from: t.from_vessel_imo.clone(),
                })
            }
        }
        (Some(Step::Transshipment(_)), _) => breach(CustodyBreach::NotAtSea),
        (Some(Step::Landing { .. }), Holder::Vessel(v)) => {
            (!signer.has_vessel(v)).then(|| FindingKind::IssuerScope {
                claim: ScopeClaim::LandingVessel {
                    input: k,
                    lot: input.lot.clone(),
                    certificate: input.certificate,
                    imo: v.to_string(),
                },
                bound: signer.clone(),
            })
        }
        (Some(Step::Landing { .. }), _) => breach(CustodyBreach::NotAtSea),
        (Some(Step::Processing { .. }), h) => {
            let ok = match h {
                Holder::Vessel(v) => signer.has_vessel(v),
                Holder::Anyone => true,
                Holder::Issuer(b) => signer.shares_party(b),
                Holder::Party(p) => signer.has_party(p),
            };
            if ok {
                None
            } else {
                breach(CustodyBreach::Signer {
                    bound: signer.clone(),
                })
            }
        }
        (Some(Step::Shipment(x)) | Some(Step::Receipt(x)), h) => {
            let acknowledges = matches!(consumer.step(), Some(Step::Receipt(_)))
                && matches!(producer.step(), Some(Step::Shipment(s))
                    if name_key(&s.from) == name_key(&x.from) && name_key(&s.to) == name_key(&x.to));
            let ok = match h {
                Holder::Vessel(_) => false,
                Holder::Anyone => true,
                Holder::Issuer(b) => b.has_party(&x.from),
                Holder::Party(p) => name_key(p) == name_key(&x.from),
            };
            if ok || acknowledges {
                None
            } else if matches!(h, Holder::Vessel(_)) {
                breach(CustodyBreach::NotLanded)
            } else {
                breach(CustodyBreach::From {
                    from: x.from.clone(),
                })
            }
        }
        _ => None,
    }
}

/// The species each lot carries: an output's own `species`, or, when it names none, every
/// species of the lots its certificate consumed (species pass through every step).
pub struct SpeciesIndex<'a, F> {
    get: F,
    memo: HashMap<(CertId, &'a str), BTreeSet<&'a str>>,
}

/// How deep [`SpeciesIndex`] follows outputs without a species before giving up (the
/// answer is then "no species known", which never raises a breach).
pub const MAX_SPECIES_DEPTH: usize = 10_000;

impl<'a, F: Fn(&CertId) -> Option<&'a Payload>> SpeciesIndex<'a, F> {
    /// An index over the certificates `get` finds.
    pub fn new(get: F) -> Self {
        SpeciesIndex {
            get,
            memo: HashMap::new(),
        }
    }

    /// The species carried by lot `lot` of certificate `cert` (empty when unknown).
    pub fn carried(&mut self, cert: CertId, lot: &'a str) -> BTreeSet<&'a str> {
        self.resolve(cert, lot);
        self.memo.get(&(cert, lot)).cloned().unwrap_or_default()
    }

    /// The species of lot `lot` of certificate `cert` as resolved by an earlier
    /// [`SpeciesIndex::resolve`] or [`SpeciesIndex::carried`] of it, borrowed.
    pub(crate) fn resolved(&self, cert: CertId, lot: &'a str) -> Option<&BTreeSet<&'a str>> {
        self.memo.get(&(cert, lot))
    }

    /// Resolve (and remember) the species of lot `lot` of certificate `cert`, as
    /// [`SpeciesIndex::carried`] does, without copying them out.
    pub(crate) fn resolve(&mut self, cert: CertId, lot: &'a str) {
        if self.memo.contains_key(&(cert, lot)) {
            return;
        }
        // Iterative depth-first resolution of outputs without a species.
        let mut stack: Vec<(CertId, &'a str, bool)> = vec![(cert, lot, false)];
        while let Some((c, l, expanded)) = stack.pop() {
            if self.memo.contains_key(&(c, l)) {
                continue;
            }
            let Some(p) = (self.get)(&c) else {
                self.memo.insert((c, l), BTreeSet::new());
                continue;
            };
            let Some(out) = p.outputs().iter().find(|o| o.lot == l) else {
                self.memo.insert((c, l), BTreeSet::new());
                continue;
            };
            if let Some(s) = &out.species {
                self.memo.insert((c, l), BTreeSet::from([s.as_str()]));
                continue;
            }
            if expanded || stack.len() > MAX_SPECIES_DEPTH {
                let mut all = BTreeSet::new();
                for i in p.inputs() {
                    if let Some(s) = self.memo.get(&(i.certificate, i.lot.as_str())) {
                        all.extend(s.iter().copied());
                    }
                }
                self.memo.insert((c, l), all);
                continue;
            }
            stack.push((c, l, true));
            for i in p.inputs() {
                if !self.memo.contains_key(&(i.certificate, i.lot.as_str())) {
                    stack.push((i.certificate, i.lot.as_str(), false));
                }
            }
        }
    }
}

/// `link.species`: every species a non-catch custody certificate outputs must be carried by
/// one of the lots it consumes. `carried[k]` holds the species of input `k`'s lot; inputs
/// whose species are unknown (empty) make no species claim, and a certificate none of whose
/// inputs has a known species is not judged.
pub fn species(p: &Payload, carried: &[BTreeSet<&str>]) -> Vec<FindingKind> {
    if !judges_species(p) {
        return Vec::new();
    }
    let mut known: Vec<&str> = carried.iter().flatten().copied().collect();
    known.sort_unstable();
    known.dedup();
    species_known(p, &known)
}

/// Whether [`species`] can find anything on `p`: a custody certificate other than a catch
/// with at least one output that names its species.
pub(crate) fn judges_species(p: &Payload) -> bool {
    p.kind() != Kind::Catch
        && p.kind().is_custody()
        && p.outputs().iter().any(|o| o.species.is_some())
}

/// [`species`] with `known`, the species of all its inputs' lots, sorted and unique.
pub(crate) fn species_known(p: &Payload, known: &[&str]) -> Vec<FindingKind> {
    if known.is_empty() {
        return Vec::new();
    }
    p.outputs()
        .iter()
        .enumerate()
        .filter_map(|(k, o)| {
            let s = o.species.as_deref()?;
            known
                .binary_search(&s)
                .is_err()
                .then(|| FindingKind::Species {
                    output: k,
                    lot: o.lot.clone(),
                    species: s.to_string(),
                    carried: known.iter().map(|c| c.to_string()).collect(),
                })
        })
        .collect()
}

/// `link.lot_conflict`: every lot id output in `set` that has more than one lineage, with
/// the first certificates of each lineage (sorted). A certificate continues a lineage when
/// it consumes a lot of the same id; one that outputs a lot id without consuming it starts
/// a lineage. One event signed twice, a revoked catch re-signed, or an id reused for other
/// fish each start a second lineage.
pub fn lot_conflicts<'a>(
    set: impl IntoIterator<Item = (CertId, &'a Payload)>,
) -> BTreeMap<&'a str, Vec<CertId>> {
    let mut roots: BTreeMap<&'a str, Vec<CertId>> = BTreeMap::new();
    for (id, p) in set {
        for lot in first_outputs(p) {
            roots.entry(lot).or_default().push(id);
        }
    }
    roots.retain(|_, ids| {
        ids.sort();
        ids.dedup();
        ids.len() > 1
    });
    roots
}

/// The lot ids `p` outputs without consuming a lot of the same id: the lineages it starts.
pub fn first_outputs(p: &Payload) -> impl Iterator<Item = &str> {
    p.outputs()
        .iter()
        .filter(|o| !p.inputs().iter().any(|i| i.lot == o.lot))
        .map(|o| o.lot.as_str())
}

/// The `link.lot_conflict` finding on `on`, one of `roots` (the first certificates of the
/// lineages of `lot`): it names the others.
pub fn lot_conflict(lot: &str, on: CertId, roots: &[CertId]) -> FindingKind {
    FindingKind::LotConflict {
        lot: lot.to_string(),
        rivals: roots.iter().filter(|r| **r != on).copied().collect(),
    }
}

/// `time.order` on signing times: a certificate (`issued_at`) names certificate `named`
/// (an input or an attestation), which was signed later. Naming by hash proves the named
/// certificate existed first, so this cannot be true of honest certificates.
pub fn issued_before_named(p: &Payload, named: CertId, named_p: &Payload) -> Option<FindingKind> {
    (p.issued_at() < named_p.issued_at()).then(|| FindingKind::IssuedBeforeNamed {
        issued_at: p.issued_at(),
        named,
        named_kind: named_p.kind(),
        named_issued_at: named_p.issued_at(),
    })
}

/// The certificates `p` names by hash for [`issued_before_named`]: its inputs' certificates
/// and its attestations, each once.
pub fn named(p: &Payload) -> BTreeSet<CertId> {
    p.inputs()
        .iter()
        .map(|i| i.certificate)
        .chain(p.attestations().iter().copied())
        .collect()
}

/// [`named`] into `out` (cleared first), in the same order: sorted, each once.
pub(crate) fn named_into(p: &Payload, out: &mut Vec<CertId>) {
    out.clear();
    out.extend(p.inputs().iter().map(|i| i.certificate));
    out.extend(p.attestations().iter().copied());
    out.sort_unstable();
    out.dedup();
}

#[cfg(test)]
mod tests;
