//! Unit tests of the custody rules: each attack and its truthful variant.
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
    let conflicts = lot_conflicts([(id(1), &first), (id(2), &passed_on), (id(3), &signed_twice)]);
    assert_eq!(conflicts.get("L1"), Some(&vec![id(1), id(3)]));
    let b = lot_conflict("L1", id(1), &conflicts["L1"]);
    assert_eq!(b.code(), Code::LinkLotConflict);
    assert!(b.message().contains(&id(3).to_string()));
}
