//! Who may speak for what (contract §2 bindings and revocation scope, §4 `issuer.scope`,
//! `link.custody`, `link.species`, `link.lot_conflict`, `time.order` on `issued_at`),
//! through `chain::verify` on small sets signed by the testkit's bound issuers: each attack
//! of issue 16 is caught, and its truthful variant still verifies.

use catchcert_model::{CertId, Kind, Timestamp};
use catchcert_testkit::certs::{self, IMPORTER, Issuer, PLANT, Pki, RIVAL_IMO, VESSEL_IMO};
use catchcert_verify::chain::{self, Limits};
use catchcert_verify::findings::{Code, Integrity, Risk, Verdict};
use catchcert_verify::path::TrustAnchors;
use serde_json::{Value, json};

const REEFER_IMO: &str = "IMO9354521";

fn verify(pki: &Pki, set: &[&Vec<u8>], head: &[u8]) -> Verdict {
    let anchors = TrustAnchors::from_pem(&pki.root_pem).unwrap();
    let certs: Vec<Vec<u8>> = set.iter().map(|c| (*c).clone()).collect();
    chain::verify(
        &certs,
        &[],
        certs::id(head),
        &anchors,
        Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap(),
        &Limits::default(),
    )
}

/// Integrity valid and none of the codes of this issue.
fn clean(v: &Verdict) {
    assert_eq!(v.integrity, Integrity::Valid, "{:#?}", v.findings);
    for c in [
        Code::IssuerScope,
        Code::LinkCustody,
        Code::LinkSpecies,
        Code::LinkLotConflict,
        Code::TimeOrder,
        Code::RevocationIgnored,
    ] {
        assert!(!v.has(c), "{c:?}: {:#?}", v.findings);
    }
}

/// Integrity invalid with a `code` finding on `on`.
fn caught(v: &Verdict, code: Code, on: &[u8]) {
    assert_eq!(v.integrity, Integrity::Invalid, "{:#?}", v.findings);
    assert!(
        v.findings
            .iter()
            .any(|f| f.code == code && f.certificate == certs::id(on)),
        "{code:?} on {}: {:#?}",
        certs::id(on),
        v.findings
    );
}

fn input(from: &[u8], lot: &str, kg: f64) -> Value {
    json!([{"certificate": certs::id(from).to_string(), "lot": lot, "quantity_kg": kg}])
}

fn transship(by: &Issuer, from_imo: &str, to_imo: &str, src: &[u8]) -> Vec<u8> {
    certs::sign(
        by,
        Kind::Transshipment,
        &json!({"time": "2026-03-02T12:00:00Z", "from_vessel_imo": from_imo,
                "to_vessel_imo": to_imo, "at_sea": true, "fao_area": "71",
                "inputs": input(src, "L1", 100.0),
                "outputs": [{"lot": "L1", "quantity_kg": 100.0}]}),
    )
}

fn land(by: &Issuer, src: &[u8], species: Option<&str>) -> Vec<u8> {
    let mut out = json!({"lot": "L2", "quantity_kg": 100.0});
    if let Some(s) = species {
        out["species"] = json!(s);
    }
    certs::sign(
        by,
        Kind::Landing,
        &json!({"time": "2026-03-03T08:00:00Z", "port": "IDBIT",
                "inputs": input(src, "L1", 100.0), "outputs": [out]}),
    )
}

fn ship(by: &Issuer, from: &str, to: &str, src: &[u8], lot: &str, time: &str) -> Vec<u8> {
    certs::sign(
        by,
        Kind::Shipment,
        &json!({"time": time, "from": from, "to": to,
                "inputs": input(src, lot, 100.0),
                "outputs": [{"lot": lot, "quantity_kg": 100.0}]}),
    )
}

#[test]
fn a_vessel_key_speaks_only_for_its_own_vessel() {
    let pki = Pki::new();
    // Another accredited vessel's key signs a catch naming this vessel's IMO.
    let forged = certs::catch(&pki.rival, "L1", 100.0);
    let v = verify(&pki, &[&forged], &forged);
    caught(&v, Code::IssuerScope, &forged);
    assert!(
        v.findings[0].message.contains(VESSEL_IMO),
        "{:?}",
        v.findings
    );
    assert!(
        v.findings[0].message.contains(RIVAL_IMO),
        "{:?}",
        v.findings
    );
    let truthful = certs::catch(&pki.vessel, "L1", 100.0);
    clean(&verify(&pki, &[&truthful], &truthful));
}

#[test]
fn only_the_receiving_reefer_lands_what_was_transshipped_to_it() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    // The catch is said to go to an (audited) reefer, but another reefer lands it.
    let named_other = transship(&pki.vessel, VESSEL_IMO, REEFER_IMO, &c);
    let landing = land(&pki.rival, &named_other, None);
    let v = verify(&pki, &[&c, &named_other, &landing], &landing);
    caught(&v, Code::IssuerScope, &landing);
    // Truthful: the transshipment names the reefer that lands it.
    let t = transship(&pki.vessel, VESSEL_IMO, RIVAL_IMO, &c);
    let landing = land(&pki.rival, &t, None);
    clean(&verify(&pki, &[&c, &t, &landing], &landing));
}

#[test]
fn a_transshipment_takes_fish_from_the_catching_vessel() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let t = transship(&pki.rival, RIVAL_IMO, REEFER_IMO, &c);
    let v = verify(&pki, &[&c, &t], &t);
    caught(&v, Code::LinkCustody, &t);
    assert!(!v.has(Code::IssuerScope), "{:#?}", v.findings);
    let t = transship(&pki.vessel, VESSEL_IMO, REEFER_IMO, &c);
    clean(&verify(&pki, &[&c, &t], &t));
}

#[test]
fn a_processor_names_only_its_own_plant() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = land(&pki.vessel, &c, None);
    let process = |facility: &str| {
        certs::sign(
            &pki.processor,
            Kind::Processing,
            &json!({"time": "2026-03-04T08:00:00Z", "facility": facility,
                    "inputs": input(&l, "L2", 100.0),
                    "outputs": [{"lot": "P1", "quantity_kg": 50.0, "product": "loins"}]}),
        )
    };
    let borrowed = process("Other Company Plant 9");
    let v = verify(&pki, &[&c, &l, &borrowed], &borrowed);
    caught(&v, Code::IssuerScope, &borrowed);
    let own = process(catchcert_demo::FACILITY);
    clean(&verify(&pki, &[&c, &l, &own], &own));
}

#[test]
fn an_unrelated_trader_cannot_take_on_a_lot_shipped_to_another() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = land(&pki.vessel, &c, None);
    let s = ship(
        &pki.processor,
        PLANT,
        IMPORTER,
        &l,
        "L2",
        "2026-03-05T10:00:00Z",
    );
    // The sender ships the importer's lot again, to someone else.
    let theft = ship(
        &pki.processor,
        PLANT,
        "Buyer",
        &s,
        "L2",
        "2026-03-06T10:00:00Z",
    );
    let v = verify(&pki, &[&c, &l, &s, &theft], &theft);
    caught(&v, Code::LinkCustody, &theft);
    let onward = ship(
        &pki.importer,
        IMPORTER,
        "Buyer",
        &s,
        "L2",
        "2026-03-06T10:00:00Z",
    );
    clean(&verify(&pki, &[&c, &l, &s, &onward], &onward));
    // Nothing is shipped straight off a vessel.
    let off_vessel = ship(
        &pki.processor,
        PLANT,
        IMPORTER,
        &c,
        "L1",
        "2026-03-05T10:00:00Z",
    );
    let v = verify(&pki, &[&c, &off_vessel], &off_vessel);
    caught(&v, Code::LinkCustody, &off_vessel);
}

#[test]
fn a_landing_does_not_change_the_species() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0); // yellowfin
    let relabelled = land(&pki.vessel, &c, Some("SKJ"));
    let v = verify(&pki, &[&c, &relabelled], &relabelled);
    caught(&v, Code::LinkSpecies, &relabelled);
    let same = land(&pki.vessel, &c, Some("YFT"));
    clean(&verify(&pki, &[&c, &same], &same));
}

#[test]
fn one_catch_signed_twice_is_two_lineages() {
    let pki = Pki::new();
    let first = certs::catch(&pki.vessel, "L1", 100.0);
    let second = certs::catch(&pki.vessel, "L1", 90.0);
    let l = land(&pki.vessel, &first, None);
    let v = verify(&pki, &[&first, &second, &l], &l);
    caught(&v, Code::LinkLotConflict, &first);
    let f = v
        .findings
        .iter()
        .find(|f| f.code == Code::LinkLotConflict)
        .unwrap();
    assert!(
        f.message.contains(&certs::id(&second).to_string()),
        "{}",
        f.message
    );
    // The rival outside the head's graph is named, not reported on.
    assert!(
        v.findings
            .iter()
            .all(|f| f.certificate != certs::id(&second)),
        "{:#?}",
        v.findings
    );
    clean(&verify(&pki, &[&first, &l], &l));
}

#[test]
fn a_revoked_catch_re_signed_stays_tainted() {
    let pki = Pki::new();
    let revoked = certs::catch(&pki.vessel, "L1", 100.0);
    let r = certs::revocation(&pki.vessel, certs::id(&revoked), "illegal area");
    let again = certs::sign_at(
        &pki.vessel,
        Kind::Catch,
        &json!({"time": "2026-03-02T06:00:00Z", "vessel_imo": VESSEL_IMO, "fao_area": "71",
                "gear": "LLD", "catch_start": "2026-03-01T04:00:00Z",
                "catch_end": "2026-03-02T05:30:00Z",
                "outputs": [{"lot": "L1", "quantity_kg": 100.0, "species": "YFT"}]}),
        "2026-06-02T00:00:00Z",
    );
    let l = land(&pki.vessel, &again, None);
    let v = verify(&pki, &[&revoked, &r, &again, &l], &l);
    caught(&v, Code::LinkLotConflict, &again);
}

#[test]
fn only_the_issuer_or_a_registrar_revokes() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    // An auditor revoking a competitor's chain: ignored.
    let by_auditor = certs::revocation(&pki.auditor, certs::id(&c), "competitor");
    let v = verify(&pki, &[&c, &by_auditor], &c);
    assert!(v.has(Code::RevocationIgnored), "{:#?}", v.findings);
    assert!(!v.has(Code::CertificateRevoked), "{:#?}", v.findings);
    assert_eq!(v.integrity, Integrity::Valid);
    // A revocation cannot itself be revoked, even by a registrar.
    let r = certs::revocation(&pki.vessel, certs::id(&c), "withdrawn");
    let undo = certs::revocation(&pki.registrar, certs::id(&r), "undo");
    let v = verify(&pki, &[&c, &r, &undo], &r);
    assert!(v.has(Code::RevocationIgnored), "{:#?}", v.findings);
    assert!(!v.has(Code::CertificateRevoked), "{:#?}", v.findings);
    let v = verify(&pki, &[&c, &r, &undo], &c);
    assert!(v.has(Code::CertificateRevoked), "{:#?}", v.findings);
    // The programme's registrar, and the issuer itself, may.
    for by in [&pki.registrar, &pki.vessel] {
        let r = certs::revocation(by, certs::id(&c), "withdrawn");
        let v = verify(&pki, &[&c, &r], &c);
        assert!(v.has(Code::CertificateRevoked), "{:#?}", v.findings);
        assert!(!v.has(Code::RevocationIgnored), "{:#?}", v.findings);
    }
}

#[test]
fn a_rival_auditor_cannot_withdraw_a_forced_labour_finding() {
    let pki = Pki::new();
    let crew = certs::sign_at(
        &pki.auditor,
        Kind::CrewAttestation,
        &catchcert_demo::crew_attestation_json(("Sea Harvest 7", VESSEL_IMO, "TWN"), true),
        "2026-01-16T00:00:00Z",
    );
    let catch = catch_naming(&pki, &crew, certs::ISSUED_AT);
    let v = verify(&pki, &[&crew, &catch], &catch);
    assert_eq!(v.risk, Risk::High, "{:#?}", v.findings);
    let withdrawal = certs::revocation(&pki.rival_auditor, certs::id(&crew), "no longer valid");
    let v = verify(&pki, &[&crew, &catch, &withdrawal], &catch);
    assert!(v.has(Code::RevocationIgnored), "{:#?}", v.findings);
    assert_eq!(v.risk, Risk::High, "{:#?}", v.findings);
    // The attestation's own auditor may withdraw it (here before the catch): it then no
    // longer counts.
    let own = certs::sign(
        &pki.auditor,
        Kind::Revocation,
        &json!({"time": "2026-02-01T00:00:00Z", "certificate": certs::id(&crew).to_string(),
                "reason": "withdrawn"}),
    );
    let v = verify(&pki, &[&crew, &catch, &own], &catch);
    assert!(!v.has(Code::RevocationIgnored), "{:#?}", v.findings);
    assert!(v.has(Code::AttestationRevoked), "{:#?}", v.findings);
}

fn catch_naming(pki: &Pki, attestation: &[u8], issued_at: &str) -> Vec<u8> {
    certs::sign_at(
        &pki.vessel,
        Kind::Catch,
        &json!({"time": "2026-03-02T06:00:00Z", "vessel_imo": VESSEL_IMO, "fao_area": "71",
                "gear": "LLD", "catch_start": "2026-03-01T04:00:00Z",
                "catch_end": "2026-03-02T05:30:00Z",
                "outputs": [{"lot": "L1", "quantity_kg": 100.0, "species": "YFT"}],
                "attestations": [certs::id(attestation).to_string()]}),
        issued_at,
    )
}

#[test]
fn a_certificate_is_signed_after_what_it_names() {
    let pki = Pki::new();
    let crew = certs::sign_at(
        &pki.auditor,
        Kind::CrewAttestation,
        &catchcert_demo::crew_attestation_json(("Sea Harvest 7", VESSEL_IMO, "TWN"), false),
        "2026-05-01T00:00:00Z",
    );
    let early = catch_naming(&pki, &crew, "2026-04-01T00:00:00Z");
    let v = verify(&pki, &[&crew, &early], &early);
    caught(&v, Code::TimeOrder, &early);
    let late = catch_naming(&pki, &crew, certs::ISSUED_AT);
    let v = verify(&pki, &[&crew, &late], &late);
    clean(&v);
    assert_eq!(v.risk, Risk::Low, "{:#?}", v.findings);
    assert_eq!(v.lots, ["L1"]);
}

#[test]
fn lot_holders_pick_the_head_of_a_lot() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = land(&pki.vessel, &c, None);
    let set = vec![c.clone(), l.clone()];
    assert_eq!(chain::lot_holders(&set, "L2"), vec![certs::id(&l)]);
    assert_eq!(chain::lot_holders(&set, "L1"), Vec::<CertId>::new());
    let partial = vec![c.clone()];
    assert_eq!(chain::lot_holders(&partial, "L1"), vec![certs::id(&c)]);
}
