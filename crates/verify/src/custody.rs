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
        self.memo.get(&(cert, lot)).cloned().unwrap_or_default()
    }
}

/// `link.species`: every species a non-catch custody certificate outputs must be carried by
/// one of the lots it consumes. `carried[k]` holds the species of input `k`'s lot; inputs
/// whose species are unknown (empty) make no species claim, and a certificate none of whose
/// inputs has a known species is not judged.
pub fn species(p: &Payload, carried: &[BTreeSet<&str>]) -> Vec<FindingKind> {
    if p.kind() == Kind::Catch || !p.kind().is_custody() {
        return Vec::new();
    }
    let known: BTreeSet<&str> = carried.iter().flatten().copied().collect();
    if known.is_empty() {
        return Vec::new();
    }
    p.outputs()
        .iter()
        .enumerate()
        .filter_map(|(k, o)| {
            let s = o.species.as_deref()?;
            (!known.contains(s)).then(|| FindingKind::Species {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Code;
    use catchcert_model::codes::CodeLists;
    use catchcert_model::{Kind, Timestamp, input};
    use serde_json::{Value, json};

    fn build(kind: Kind, mut v: Value) -> Payload {
        if v.get("time").is_none() {
            v["time"] = json!("2026-03-02T06:00:00Z");
        }
        let bytes = serde_json::to_vec(&v).unwrap();
        let issued = Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
        input::build(
            kind,
            &bytes,
            issued,
            &CodeLists::new(None, None),
            &mut || [7; 16],
        )
        .unwrap_or_else(|e| panic!("{kind}: {e}"))
        .payload
    }

    fn id(n: u8) -> CertId {
        CertId([n; 32])
    }

    fn out(lot: &str, species: &str) -> Value {
        json!([{"lot": lot, "quantity_kg": 100.0, "species": species}])
    }

    fn inp(n: u8, lot: &str) -> Value {
        json!([{"certificate": id(n).to_string(), "lot": lot, "quantity_kg": 100.0}])
    }

    const SH7: &str = "IMO9074729";
    const BH12: &str = "IMO9176187";
    const PR3: &str = "IMO9354521";

    fn catch(imo: &str, lot: &str, species: &str) -> Payload {
        build(
            Kind::Catch,
            json!({"vessel_imo": imo, "fao_area": "71", "gear": "LLD",
                   "catch_start": "2026-03-01T00:00:00Z", "catch_end": "2026-03-02T00:00:00Z",
                   "outputs": out(lot, species)}),
        )
    }

    fn transship(from: &str, to: &str, src: u8, lot: &str, species: &str) -> Payload {
        build(
            Kind::Transshipment,
            json!({"from_vessel_imo": from, "to_vessel_imo": to, "at_sea": true, "fao_area": "71",
                   "inputs": inp(src, lot), "outputs": out(lot, species)}),
        )
    }

    fn parties(kind: Kind, from: &str, to: &str, src: u8, lot: &str, out_lot: &str) -> Payload {
        build(
            kind,
            json!({"from": from, "to": to, "inputs": inp(src, lot), "outputs": out(out_lot, "YFT")}),
        )
    }

    fn sc(v: &[&str], f: &[&str], p: &[&str]) -> Bindings {
        let l = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Bindings {
            vessels: l(v),
            facilities: l(f),
            parties: l(p),
        }
    }

    fn vessel(imo: &str) -> Bindings {
        sc(&[imo], &[], &["Fishing Co"])
    }

    fn party(name: &str) -> Bindings {
        sc(&[], &[], &[name])
    }

    #[test]
    fn a_catch_names_only_a_vessel_its_issuer_is_bound_to() {
        let p = catch(SH7, "L1", "YFT");
        assert_eq!(scope(&p, &vessel(SH7)), None);
        let b = scope(&p, &vessel(BH12)).expect("another vessel's key");
        assert_eq!(b.code(), Code::IssuerScope);
        assert!(
            b.message().contains(SH7) && b.message().contains(BH12),
            "{}",
            b.message()
        );
    }

    #[test]
    fn a_transshipment_is_signed_by_one_of_its_vessels() {
        let p = transship(SH7, PR3, 1, "L1", "YFT");
        assert_eq!(scope(&p, &vessel(SH7)), None);
        assert_eq!(scope(&p, &vessel(PR3)), None);
        assert_eq!(
            scope(&p, &vessel(BH12)).map(|b| b.code()),
            Some(Code::IssuerScope)
        );
    }

    #[test]
    fn a_processing_names_only_its_own_facility() {
        let p = build(
            Kind::Processing,
            json!({"facility": "Plant 1", "inputs": inp(1, "L1"),
                   "outputs": [{"lot": "P1", "quantity_kg": 50.0, "product": "loins"}]}),
        );
        assert_eq!(scope(&p, &sc(&[], &["Plant 1"], &["Co"])), None);
        let other = sc(&[], &["Plant 2"], &["Co"]);
        assert_eq!(scope(&p, &other).map(|b| b.code()), Some(Code::IssuerScope));
    }

    #[test]
    fn shipments_and_receipts_are_signed_by_their_parties() {
        let s = parties(Kind::Shipment, "Packer", "Importer", 1, "L1", "S1");
        assert_eq!(scope(&s, &party("Packer")), None);
        assert_eq!(scope(&s, &party("Importer")), None);
        assert_eq!(
            scope(&s, &party("Stranger")).map(|b| b.code()),
            Some(Code::IssuerScope)
        );
        let r = parties(Kind::Receipt, "Importer", "Retailer", 1, "S1", "R1");
        assert_eq!(scope(&r, &party("Retailer")), None);
        // The sender may not sign the receipt in the receiver's name.
        assert_eq!(
            scope(&r, &party("Importer")).map(|b| b.code()),
            Some(Code::IssuerScope)
        );
    }

    #[test]
    fn party_names_compare_after_nfc_only() {
        let composed = party("Caf\u{e9} Seafood");
        assert!(composed.has_party("Cafe\u{301} Seafood"));
        assert!(!composed.has_party("Cafe Seafood"));
        assert!(!composed.has_party("caf\u{e9} seafood"));
    }

    #[test]
    fn a_transshipment_takes_fish_from_the_vessel_that_holds_it() {
        let c = catch(SH7, "L1", "YFT");
        let truthful = transship(SH7, PR3, 1, "L1", "YFT");
        let h = holder(&c, None).unwrap();
        let i = &truthful.inputs()[0];
        assert_eq!(custody(&truthful, &vessel(SH7), 0, i, &c, h), None);
        let lie = transship(BH12, PR3, 1, "L1", "YFT");
        let b = custody(&lie, &vessel(BH12), 0, &lie.inputs()[0], &c, h).unwrap();
        assert_eq!(b.code(), Code::LinkCustody);
        assert!(b.message().contains(SH7), "{}", b.message());
    }

    #[test]
    fn a_landing_is_signed_by_the_vessel_holding_the_lot() {
        let t = transship(SH7, PR3, 1, "L1", "YFT");
        let landing = build(
            Kind::Landing,
            json!({"port": "THPKT", "inputs": inp(2, "L1"), "outputs": out("L2", "YFT")}),
        );
        let h = holder(&t, None).unwrap();
        let i = &landing.inputs()[0];
        assert_eq!(custody(&landing, &vessel(PR3), 0, i, &t, h), None);
        let b = custody(&landing, &vessel(SH7), 0, i, &t, h).unwrap();
        assert_eq!(b.code(), Code::IssuerScope);
    }

    #[test]
    fn a_trader_consumes_only_what_was_shipped_to_it() {
        let ship = parties(Kind::Shipment, "Packer", "Retailer", 1, "L1", "S1");
        let h = holder(&ship, None).unwrap();
        // The retailer's receipt of the very shipment.
        let ok = parties(Kind::Receipt, "Packer", "Retailer", 2, "S1", "R1");
        assert_eq!(
            custody(&ok, &party("Retailer"), 0, &ok.inputs()[0], &ship, h),
            None
        );
        // An unrelated trader ships the retailer's lot onwards.
        let theft = parties(Kind::Shipment, "Other Trader", "Buyer", 2, "S1", "X1");
        let b = custody(
            &theft,
            &party("Other Trader"),
            0,
            &theft.inputs()[0],
            &ship,
            h,
        )
        .unwrap();
        assert_eq!(b.code(), Code::LinkCustody);
        // The holder itself may ship it onwards.
        let onward = parties(Kind::Shipment, "Retailer", "Store 9", 2, "S1", "X2");
        assert_eq!(
            custody(
                &onward,
                &party("Retailer"),
                0,
                &onward.inputs()[0],
                &ship,
                h
            ),
            None
        );
    }

    #[test]
    fn nothing_is_shipped_straight_off_a_vessel() {
        let c = catch(SH7, "L1", "YFT");
        let s = parties(Kind::Shipment, SH7, "Importer", 1, "L1", "S1");
        let b = custody(
            &s,
            &party("Importer"),
            0,
            &s.inputs()[0],
            &c,
            holder(&c, None).unwrap(),
        )
        .unwrap();
        assert_eq!(b.code(), Code::LinkCustody);
        assert!(b.message().contains("landed first"), "{}", b.message());
    }

    #[test]
    fn a_processor_consumes_landed_lots_and_its_own_company_lots() {
        let landing = build(
            Kind::Landing,
            json!({"port": "THPKT", "inputs": inp(2, "L1"), "outputs": out("L2", "YFT")}),
        );
        let proc_of = |src: u8, lot: &str| {
            build(
                Kind::Processing,
                json!({"facility": "Plant 1", "inputs": inp(src, lot),
                       "outputs": [{"lot": "P9", "quantity_kg": 50.0, "product": "loins"}]}),
            )
        };
        let me = sc(&[], &["Plant 1"], &["Andaman Co"]);
        let p = proc_of(3, "L2");
        let h = holder(&landing, None).unwrap();
        assert_eq!(custody(&p, &me, 0, &p.inputs()[0], &landing, h), None);
        let earlier = proc_of(3, "L2");
        let same_co = sc(&[], &["Plant 2"], &["Andaman Co"]);
        let rival = sc(&[], &["Plant 3"], &["Rival Co"]);
        let h = holder(&earlier, Some(&same_co)).unwrap();
        let next = proc_of(4, "P9");
        assert_eq!(custody(&next, &me, 0, &next.inputs()[0], &earlier, h), None);
        let h = holder(&earlier, Some(&rival)).unwrap();
        assert_eq!(
            custody(&next, &me, 0, &next.inputs()[0], &earlier, h).map(|b| b.code()),
            Some(Code::LinkCustody)
        );
    }

    #[test]
    fn species_pass_through_every_step() {
        let c = catch(SH7, "L1", "SKJ");
        let truthful = transship(SH7, PR3, 1, "L1", "SKJ");
        let lie = transship(SH7, PR3, 1, "L1", "YFT");
        let certs = HashMap::from([(id(1), c)]);
        let mut index = SpeciesIndex::new(|i: &CertId| certs.get(i));
        let carried = vec![index.carried(id(1), "L1")];
        assert!(species(&truthful, &carried).is_empty());
        let b = species(&lie, &carried);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].code(), Code::LinkSpecies);
        assert!(b[0].message().contains("SKJ"), "{}", b[0].message());
    }

    #[test]
    fn species_are_inherited_through_outputs_that_name_none() {
        let c = catch(SH7, "L1", "SKJ");
        let processing = build(
            Kind::Processing,
            json!({"facility": "Plant 1", "inputs": inp(1, "L1"),
                   "outputs": [{"lot": "P1", "quantity_kg": 50.0, "product": "loins"}]}),
        );
        let certs = HashMap::from([(id(1), c), (id(2), processing)]);
        let mut index = SpeciesIndex::new(|i: &CertId| certs.get(i));
        assert_eq!(index.carried(id(2), "P1"), BTreeSet::from(["SKJ"]));
        assert!(index.carried(id(9), "P1").is_empty());
    }

    #[test]
    fn one_lot_id_has_one_lineage() {
        let first = catch(SH7, "L1", "YFT");
        let passed_on = transship(SH7, PR3, 1, "L1", "YFT");
        let truthful = [(id(1), &first), (id(2), &passed_on)];
        assert!(lot_conflicts(truthful).is_empty());
        let signed_twice = catch(SH7, "L1", "YFT");
        let conflicts =
            lot_conflicts([(id(1), &first), (id(2), &passed_on), (id(3), &signed_twice)]);
        assert_eq!(conflicts.get("L1"), Some(&vec![id(1), id(3)]));
        let b = lot_conflict("L1", id(1), &conflicts["L1"]);
        assert_eq!(b.code(), Code::LinkLotConflict);
        assert!(b.message().contains(&id(3).to_string()));
    }
}
