//! Who may speak for what, and who holds a lot (contract §2 "Bindings", §4 `issuer.scope`,
//! `link.custody`, `link.species`, `link.lot_conflict`).
//!
//! A valid signature proves who signed; these rules decide whether the signer may say what
//! it says. Every function here is pure: the caller supplies the payloads and the bindings
//! of their (already validated) issuers and gets back the breaches, each with the code it
//! falls under and a message that names the field and the values concerned.
//!
//! - [`scope`]: the certificate names a vessel, facility or party its issuer is not bound to.
//! - [`holder`] and [`custody`]: a certificate consumes a lot from someone who did not hold
//!   it (the holder rules of contract §4).
//! - [`SpeciesIndex`] and [`species`]: a step other than a catch outputs a species that none
//!   of the lots it consumes carries.
//! - [`lot_conflicts`]: a lot id with two lineages in one set.

use catchcert_model::CertId;
use catchcert_model::payload::{Input, Payload, Step};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use unicode_normalization::UnicodeNormalization;

/// A rule of this module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `issuer.scope`
    Scope,
    /// `link.custody`
    Custody,
    /// `link.species`
    Species,
    /// `link.lot_conflict`
    LotConflict,
}

/// One breach of a rule: which rule, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong, naming the field and the values.
    pub message: String,
}

impl Breach {
    fn new(rule: Rule, message: String) -> Self {
        Breach { rule, message }
    }
}

/// Names compare exactly after Unicode NFC, so that one party written in composed or
/// decomposed form is one party, and nothing else is.
pub fn name_key(s: &str) -> String {
    s.nfc().collect()
}

/// What an issuer may name as its own: the vessels (IMO numbers), facilities and parties
/// bound in its issuer certificate; its parties include its subject's `O`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    vessels: BTreeSet<String>,
    facilities: BTreeSet<String>,
    parties: BTreeSet<String>,
}

impl Scope {
    /// A scope from the bound values (normalised here).
    pub fn new<'a>(
        vessels: impl IntoIterator<Item = &'a str>,
        facilities: impl IntoIterator<Item = &'a str>,
        parties: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        Scope {
            vessels: vessels.into_iter().map(str::to_string).collect(),
            facilities: facilities.into_iter().map(name_key).collect(),
            parties: parties.into_iter().map(name_key).collect(),
        }
    }

    /// Whether the issuer speaks for vessel `imo`.
    pub fn vessel(&self, imo: &str) -> bool {
        self.vessels.contains(imo)
    }

    /// Whether the issuer speaks for facility `name`.
    pub fn facility(&self, name: &str) -> bool {
        self.facilities.contains(&name_key(name))
    }

    /// Whether `name` is one of the issuer's parties.
    pub fn party(&self, name: &str) -> bool {
        self.parties.contains(&name_key(name))
    }

    /// Whether two issuers share a party (the same company).
    pub fn shares_party(&self, other: &Scope) -> bool {
        self.parties.iter().any(|p| other.parties.contains(p))
    }

    fn describe(&self) -> String {
        let list = |s: &BTreeSet<String>| {
            if s.is_empty() {
                "none".to_string()
            } else {
                s.iter()
                    .map(|v| format!("{v:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        format!(
            "vessels {}; facilities {}; parties {}",
            list(&self.vessels),
            list(&self.facilities),
            list(&self.parties)
        )
    }
}

/// `issuer.scope` for what a certificate names by itself: a catch's `vessel_imo`, a
/// transshipment's vessels (its signer must be one of them), a processing's `facility`, a
/// shipment's parties (its signer must be one of them), a receipt's `to`. Landings are
/// checked against the holder of what they land ([`custody`]).
pub fn scope(p: &Payload, signer: &Scope) -> Option<Breach> {
    let why = match p.step() {
        Some(Step::Catch(c)) if !signer.vessel(&c.vessel_imo) => format!(
            "the catch names vessel {} but its issuer is not bound to it (issuer speaks for {})",
            c.vessel_imo,
            signer.describe()
        ),
        Some(Step::Transshipment(t))
            if !signer.vessel(&t.from_vessel_imo) && !signer.vessel(&t.to_vessel_imo) =>
        {
            format!(
                "the transshipment from {} to {} is signed by neither vessel (issuer speaks for {})",
                t.from_vessel_imo,
                t.to_vessel_imo,
                signer.describe()
            )
        }
        Some(Step::Processing { facility }) if !signer.facility(facility) => format!(
            "the processing names facility {facility:?} but its issuer is not bound to it (issuer speaks for {})",
            signer.describe()
        ),
        Some(Step::Shipment(x)) if !signer.party(&x.from) && !signer.party(&x.to) => format!(
            "the shipment from {:?} to {:?} is signed by neither party (issuer speaks for {})",
            x.from,
            x.to,
            signer.describe()
        ),
        Some(Step::Receipt(x)) if !signer.party(&x.to) => format!(
            "the receipt is to {:?} but is not signed by it (issuer speaks for {})",
            x.to,
            signer.describe()
        ),
        _ => return None,
    };
    Some(Breach::new(Rule::Scope, why))
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
    Issuer(&'a Scope),
    /// A party by name: the `to` of a shipment or receipt.
    Party(&'a str),
}

impl Holder<'_> {
    fn describe(&self) -> String {
        match self {
            Holder::Vessel(v) => format!("vessel {v}"),
            Holder::Anyone => "the port".to_string(),
            Holder::Issuer(s) => format!("the processor ({})", s.describe()),
            Holder::Party(p) => format!("party {p:?}"),
        }
    }
}

/// The holder of the lots `producer` outputs. `producer_scope` is the scope of its issuer,
/// `None` when its issuer path did not validate (then the holder of a processing's lots is
/// unknown and no custody rule is applied to its consumers: the producer carries its own
/// error).
pub fn holder<'a>(producer: &'a Payload, producer_scope: Option<&'a Scope>) -> Option<Holder<'a>> {
    Some(match producer.step() {
        Some(Step::Catch(c)) => Holder::Vessel(&c.vessel_imo),
        Some(Step::Transshipment(t)) => Holder::Vessel(&t.to_vessel_imo),
        Some(Step::Landing { .. }) => Holder::Anyone,
        Some(Step::Processing { .. }) => Holder::Issuer(producer_scope?),
        Some(Step::Shipment(x)) | Some(Step::Receipt(x)) => Holder::Party(&x.to),
        _ => return None,
    })
}

/// The custody rule for input `k` of `consumer` (signed by `signer`), which consumes a lot
/// that `producer` output and `holder` holds. A landing whose signer is not the holding
/// vessel is `issuer.scope` (the landing speaks for that vessel); every other mismatch is
/// `link.custody`.
pub fn custody(
    consumer: &Payload,
    signer: &Scope,
    k: usize,
    input: &Input,
    producer: &Payload,
    holder: Holder<'_>,
) -> Option<Breach> {
    let lot = format!("inputs[{k}] (lot {:?} of {})", input.lot, input.certificate);
    let held = holder.describe();
    let custody = |why: String| Some(Breach::new(Rule::Custody, why));
    match (consumer.step(), holder) {
        (Some(Step::Transshipment(t)), Holder::Vessel(v)) => (t.from_vessel_imo != v).then(|| {
            Breach::new(
                Rule::Custody,
                format!(
                    "{lot} is held by {held}, but the transshipment takes it from {}",
                    t.from_vessel_imo
                ),
            )
        }),
        (Some(Step::Transshipment(_)), _) => custody(format!(
            "{lot} is held by {held}, not by a vessel: a transshipment moves fish between vessels"
        )),
        (Some(Step::Landing { .. }), Holder::Vessel(v)) => (!signer.vessel(v)).then(|| {
            Breach::new(
                Rule::Scope,
                format!(
                    "{lot} is held by {held}, but the landing is not signed by that vessel (issuer speaks for {})",
                    signer.describe()
                ),
            )
        }),
        (Some(Step::Landing { .. }), _) => custody(format!(
            "{lot} is held by {held}, not by a vessel: only a vessel's catch is landed"
        )),
        (Some(Step::Processing { .. }), h) => {
            let ok = match h {
                Holder::Vessel(v) => signer.vessel(v),
                Holder::Anyone => true,
                Holder::Issuer(s) => signer.shares_party(s),
                Holder::Party(p) => signer.party(p),
            };
            (!ok).then(|| {
                Breach::new(
                    Rule::Custody,
                    format!(
                        "{lot} is held by {held}, but the processing is signed by someone else (issuer speaks for {})",
                        signer.describe()
                    ),
                )
            })
        }
        (Some(Step::Shipment(x)) | Some(Step::Receipt(x)), h) => {
            let acknowledges = matches!(consumer.step(), Some(Step::Receipt(_)))
                && matches!(producer.step(), Some(Step::Shipment(s))
                    if name_key(&s.from) == name_key(&x.from) && name_key(&s.to) == name_key(&x.to));
            let ok = match h {
                Holder::Vessel(_) => false,
                Holder::Anyone => true,
                Holder::Issuer(s) => s.party(&x.from),
                Holder::Party(p) => name_key(p) == name_key(&x.from),
            };
            if ok || acknowledges {
                return None;
            }
            let what = if matches!(consumer.step(), Some(Step::Shipment(_))) {
                "shipment"
            } else {
                "receipt"
            };
            let why = match h {
                Holder::Vessel(_) => format!(
                    "{lot} is still held by {held}: a {what} never takes fish from a vessel (it is landed first)"
                ),
                _ => format!(
                    "{lot} is held by {held}, but the {what} is from {:?}",
                    x.from
                ),
            };
            custody(why)
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
pub fn species(p: &Payload, carried: &[BTreeSet<&str>]) -> Vec<Breach> {
    if p.kind() == catchcert_model::Kind::Catch || !p.kind().is_custody() {
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
            (!known.contains(s)).then(|| {
                Breach::new(
                    Rule::Species,
                    format!(
                        "outputs[{k}] (lot {:?}) is {s}, but the lots it consumes carry only {}",
                        o.lot,
                        known.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                )
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
        for o in p.outputs() {
            if !p.inputs().iter().any(|i| i.lot == o.lot) {
                roots.entry(o.lot.as_str()).or_default().push(id);
            }
        }
    }
    roots.retain(|_, ids| {
        ids.sort();
        ids.dedup();
        ids.len() > 1
    });
    roots
}

/// The message of a `link.lot_conflict` finding on `on`, one of `roots`.
pub fn lot_conflict_message(lot: &str, on: CertId, roots: &[CertId]) -> Breach {
    let others: Vec<String> = roots
        .iter()
        .filter(|r| **r != on)
        .map(ToString::to_string)
        .collect();
    Breach::new(
        Rule::LotConflict,
        format!(
            "lot {lot:?} is also first output by {}: one lot id, two lineages (an event signed twice, or an id reused)",
            others.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
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

    fn vessel(imo: &str) -> Scope {
        Scope::new([imo], [], ["Fishing Co"])
    }

    fn party(name: &str) -> Scope {
        Scope::new([], [], [name])
    }

    #[test]
    fn a_catch_names_only_a_vessel_its_issuer_is_bound_to() {
        let p = catch(SH7, "L1", "YFT");
        assert_eq!(scope(&p, &vessel(SH7)), None);
        let b = scope(&p, &vessel(BH12)).expect("another vessel's key");
        assert_eq!(b.rule, Rule::Scope);
        assert!(
            b.message.contains(SH7) && b.message.contains(BH12),
            "{}",
            b.message
        );
    }

    #[test]
    fn a_transshipment_is_signed_by_one_of_its_vessels() {
        let p = transship(SH7, PR3, 1, "L1", "YFT");
        assert_eq!(scope(&p, &vessel(SH7)), None);
        assert_eq!(scope(&p, &vessel(PR3)), None);
        assert_eq!(scope(&p, &vessel(BH12)).map(|b| b.rule), Some(Rule::Scope));
    }

    #[test]
    fn a_processing_names_only_its_own_facility() {
        let p = build(
            Kind::Processing,
            json!({"facility": "Plant 1", "inputs": inp(1, "L1"),
                   "outputs": [{"lot": "P1", "quantity_kg": 50.0, "product": "loins"}]}),
        );
        assert_eq!(scope(&p, &Scope::new([], ["Plant 1"], ["Co"])), None);
        let other = Scope::new([], ["Plant 2"], ["Co"]);
        assert_eq!(scope(&p, &other).map(|b| b.rule), Some(Rule::Scope));
    }

    #[test]
    fn shipments_and_receipts_are_signed_by_their_parties() {
        let s = parties(Kind::Shipment, "Packer", "Importer", 1, "L1", "S1");
        assert_eq!(scope(&s, &party("Packer")), None);
        assert_eq!(scope(&s, &party("Importer")), None);
        assert_eq!(
            scope(&s, &party("Stranger")).map(|b| b.rule),
            Some(Rule::Scope)
        );
        let r = parties(Kind::Receipt, "Importer", "Retailer", 1, "S1", "R1");
        assert_eq!(scope(&r, &party("Retailer")), None);
        // The sender may not sign the receipt in the receiver's name.
        assert_eq!(
            scope(&r, &party("Importer")).map(|b| b.rule),
            Some(Rule::Scope)
        );
    }

    #[test]
    fn party_names_compare_after_nfc_only() {
        let composed = party("Caf\u{e9} Seafood");
        assert!(composed.party("Cafe\u{301} Seafood"));
        assert!(!composed.party("Cafe Seafood"));
        assert!(!composed.party("caf\u{e9} seafood"));
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
        assert_eq!(b.rule, Rule::Custody);
        assert!(b.message.contains(SH7), "{}", b.message);
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
        assert_eq!(b.rule, Rule::Scope);
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
        assert_eq!(b.rule, Rule::Custody);
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
        assert_eq!(b.rule, Rule::Custody);
        assert!(b.message.contains("landed first"), "{}", b.message);
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
        let me = Scope::new([], ["Plant 1"], ["Andaman Co"]);
        let p = proc_of(3, "L2");
        let h = holder(&landing, None).unwrap();
        assert_eq!(custody(&p, &me, 0, &p.inputs()[0], &landing, h), None);
        let earlier = proc_of(3, "L2");
        let same_co = Scope::new([], ["Plant 2"], ["Andaman Co"]);
        let rival = Scope::new([], ["Plant 3"], ["Rival Co"]);
        let h = holder(&earlier, Some(&same_co)).unwrap();
        let next = proc_of(4, "P9");
        assert_eq!(custody(&next, &me, 0, &next.inputs()[0], &earlier, h), None);
        let h = holder(&earlier, Some(&rival)).unwrap();
        assert_eq!(
            custody(&next, &me, 0, &next.inputs()[0], &earlier, h).map(|b| b.rule),
            Some(Rule::Custody)
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
        assert_eq!(b[0].rule, Rule::Species);
        assert!(b[0].message.contains("SKJ"), "{}", b[0].message);
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
        let b = lot_conflict_message("L1", id(1), &conflicts["L1"]);
        assert_eq!(b.rule, Rule::LotConflict);
        assert!(b.message.contains(&id(3).to_string()));
    }
}
