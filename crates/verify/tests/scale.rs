//! A large set verifies completely: 2 500 catches, each moved at sea to a reefer and
//! landed, then commingled pairwise in layers of processing down to one lot, then
//! shipped: 10 009 certificates in one head's graph. The test asserts the verdict (every
//! certificate in the graph, integrity valid, no findings), never the time taken; the
//! benchmarks measure speed.
//!
//! Also: the resource limits of a verification are enforced (`limits.exceeded`).

use catchcert_demo::{
    FACILITY, Programme, Signed, VERIFY_AT, crew_attestation_json, demo_chain, sign, t, vessels,
};
use catchcert_model::{CertId, Kind};
use catchcert_testkit::certs::FacilityAttestation;
use catchcert_verify::chain::{Limits, verify};
use catchcert_verify::findings::{Code, Integrity, Risk};
use catchcert_verify::path::TrustAnchors;
use serde_json::json;

/// Catches in the large set: 3 certificates each, about as many processing steps, and
/// three attestations.
const CATCHES: usize = 2_500;

fn kg(g: u64) -> f64 {
    g as f64 / 1000.0
}

#[test]
fn ten_thousand_certificates_verify_as_one_graph() {
    let p = Programme::new().unwrap();
    let auditor = p.party("auditor").unwrap();
    let vessel = p.party("vessel-a").unwrap();
    let carrier = p.party("carrier").unwrap();
    let processor = p.party("processor").unwrap();
    let importer = p.party("importer").unwrap();
    let mut set: Vec<Signed> = Vec::with_capacity(4 * CATCHES + 16);
    let crew = sign(
        "crew",
        auditor,
        Kind::CrewAttestation,
        &crew_attestation_json(vessels::SEA_HARVEST, false),
        "2026-01-15T10:00:00Z",
    )
    .unwrap();
    let reefer = sign(
        "reefer",
        auditor,
        Kind::CrewAttestation,
        &crew_attestation_json(vessels::PACIFIC_REEFER, false),
        "2026-01-15T10:00:00Z",
    )
    .unwrap();
    let facility = sign(
        "facility",
        auditor,
        Kind::FacilityAttestation,
        &FacilityAttestation::default().json(),
        "2026-02-01T10:00:00Z",
    )
    .unwrap();
    let (crew_id, reefer_id, facility_id) = (
        crew.id.to_string(),
        reefer.id.to_string(),
        facility.id.to_string(),
    );
    set.extend([crew, reefer, facility]);

    // (certificate, lot, grams) of the lots still to be consumed.
    let mut layer: Vec<(CertId, String, u64)> = Vec::with_capacity(CATCHES);
    for i in 0..CATCHES {
        let grams = 100_000 + (i as u64 % 97) * 1_000;
        let catch = sign(
            &format!("catch-{i}"),
            vessel,
            Kind::Catch,
            &json!({
                "time": "2026-03-02T06:00:00Z",
                "vessel_imo": vessels::SEA_HARVEST.1, "fao_area": "71", "gear": "LLD",
                "catch_start": "2026-03-01T04:00:00Z", "catch_end": "2026-03-02T05:30:00Z",
                "outputs": [{"lot": format!("C-{i}"), "quantity_kg": kg(grams), "species": "YFT"}],
                "attestations": [crew_id]
            }),
            "2026-03-02T06:05:00Z",
        )
        .unwrap();
        let trans = sign(
            &format!("trans-{i}"),
            carrier,
            Kind::Transshipment,
            &json!({
                "time": "2026-03-05T12:00:00Z",
                "from_vessel_imo": vessels::SEA_HARVEST.1, "to_vessel_imo": vessels::PACIFIC_REEFER.1,
                "at_sea": true, "fao_area": "71",
                "inputs": [{"certificate": catch.id.to_string(), "lot": format!("C-{i}"), "quantity_kg": kg(grams)}],
                "outputs": [{"lot": format!("T-{i}"), "quantity_kg": kg(grams), "species": "YFT"}],
                "attestations": [reefer_id]
            }),
            "2026-03-05T12:30:00Z",
        )
        .unwrap();
        let landing = sign(
            &format!("landing-{i}"),
            carrier,
            Kind::Landing,
            &json!({
                "time": "2026-03-20T03:00:00Z",
                "port": "THPKT",
                "inputs": [{"certificate": trans.id.to_string(), "lot": format!("T-{i}"), "quantity_kg": kg(grams)}],
                "outputs": [{"lot": format!("L-{i}"), "quantity_kg": kg(grams), "species": "YFT"}]
            }),
            "2026-03-20T04:00:00Z",
        )
        .unwrap();
        layer.push((landing.id, format!("L-{i}"), grams));
        set.extend([catch, trans, landing]);
    }
    // Commingle pairwise, one layer of processing per hour, down to one lot.
    let mut depth = 0;
    while layer.len() > 1 {
        depth += 1;
        let mut next = Vec::with_capacity(layer.len() / 2 + 1);
        for (k, group) in layer.chunks(2).enumerate() {
            let total: u64 = group.iter().map(|g| g.2).sum();
            let lot = format!("P{depth}-{k}");
            let inputs: Vec<_> = group
                .iter()
                .map(|(id, lot, g)| json!({"certificate": id.to_string(), "lot": lot, "quantity_kg": kg(*g)}))
                .collect();
            let proc = sign(
                &format!("processing-{depth}-{k}"),
                processor,
                Kind::Processing,
                &json!({
                    "time": format!("2026-03-25T{depth:02}:00:00Z"),
                    "facility": FACILITY,
                    "inputs": inputs,
                    "outputs": [{"lot": lot, "quantity_kg": kg(total), "species": "YFT", "product": "yellowfin tuna loins, frozen"}],
                    "attestations": [facility_id]
                }),
                &format!("2026-03-25T{depth:02}:30:00Z"),
            )
            .unwrap();
            next.push((proc.id, lot, total));
            set.push(proc);
        }
        layer = next;
    }
    let (top, top_lot, top_grams) = layer.pop().unwrap();
    let head = sign(
        "shipment",
        importer,
        Kind::Shipment,
        &json!({
            "time": "2026-04-02T08:00:00Z",
            "from": "Andaman Loins Co Ltd", "to": "Nordic Seafood AB",
            "inputs": [{"certificate": top.to_string(), "lot": top_lot, "quantity_kg": kg(top_grams)}],
            "outputs": [{"lot": "NSI-ALL", "quantity_kg": kg(top_grams), "species": "YFT", "product": "yellowfin tuna loins, frozen"}]
        }),
        "2026-04-02T09:00:00Z",
    )
    .unwrap();
    let head_id = head.id;
    set.push(head);
    let expected = set.len();
    assert!(expected >= 10_000, "{expected} certificates");

    let bytes: Vec<Vec<u8>> = set.into_iter().map(|s| s.bytes).collect();
    let anchors = TrustAnchors::from_pem(&p.root_pem).unwrap();
    let v = verify(
        &bytes,
        &[],
        head_id,
        &anchors,
        t(VERIFY_AT),
        &Limits::default(),
    );
    assert!(
        v.findings.is_empty(),
        "{} findings, first: {:?}",
        v.findings.len(),
        v.findings.first()
    );
    assert_eq!(v.integrity, Integrity::Valid);
    assert_eq!(v.risk, Risk::Low);
    assert_eq!(
        v.certificates, expected,
        "every certificate is in the graph"
    );
    assert_eq!(v.nodes.len(), expected);
}

/// The demo chain, for the limit tests: the loins receipt is 5 custody steps from the
/// catches (catch, transshipment, landing, processing, shipment, receipt).
fn demo() -> (Vec<Vec<u8>>, CertId, TrustAnchors) {
    let p = Programme::new().unwrap();
    let chain = demo_chain(&p).unwrap();
    (
        chain.bytes(),
        chain.loins_head(),
        TrustAnchors::from_pem(&p.root_pem).unwrap(),
    )
}

#[test]
fn a_chain_deeper_than_the_limit_is_reported() {
    let (certs, head, anchors) = demo();
    let run = |max_depth| {
        let limits = Limits {
            max_depth,
            ..Limits::default()
        };
        verify(&certs, &[], head, &anchors, t(VERIFY_AT), &limits)
    };
    let at_limit = run(5);
    assert!(
        !at_limit.has(Code::LimitsExceeded),
        "{:#?}",
        at_limit.findings
    );
    assert_eq!(at_limit.integrity, Integrity::Valid);
    let over = run(4);
    assert!(over.has(Code::LimitsExceeded), "{:#?}", over.findings);
    assert_eq!(over.integrity, Integrity::Invalid);
}

#[test]
fn a_set_larger_than_the_limit_is_reported() {
    let (certs, head, anchors) = demo();
    let run = |max_certificates| {
        let limits = Limits {
            max_certificates,
            ..Limits::default()
        };
        verify(&certs, &[], head, &anchors, t(VERIFY_AT), &limits)
    };
    let at_limit = run(certs.len());
    assert!(
        !at_limit.has(Code::LimitsExceeded),
        "{:#?}",
        at_limit.findings
    );
    assert_eq!(at_limit.integrity, Integrity::Valid);
    let over = run(certs.len() - 1);
    assert!(over.has(Code::LimitsExceeded), "{:#?}", over.findings);
    assert_eq!(over.integrity, Integrity::Invalid);
}
