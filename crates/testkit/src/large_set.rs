//! A generated certificate set of a chosen size whose whole graph hangs from one head, for
//! benchmarks and load runs. Used by `crates/verify/benches/verify.rs` and
//! `cargo xtask large-set`.
//!
//! Shape, for `c` catches: one facility attestation, the reefer's crew attestation and one
//! to five crew attestations of Sea Harvest 7 (padding to the exact size asked for), then
//! per catch a catch by Sea Harvest 7, a transshipment at sea to the reefer (as in the demo
//! chain: the reefer may only land what it holds), a landing by the reefer, a processing
//! into loins and a shipment; the shipments are
//! gathered by up to 1 000 per aggregate shipment (when there are more than 1 000), and a
//! single receipt consumes everything and is the head.

use crate::certs::FacilityAttestation;
use catchcert_demo::{
    DemoError, FACILITY, Programme, Signed, crew_attestation_json, sign, vessels,
};
use catchcert_model::{CertId, Kind};
use serde_json::{Value, json};

/// Most inputs given to one aggregating certificate (the model allows 1 024 lots).
const FAN_IN: usize = 1000;

/// A generated set: every certificate and the head.
pub struct LargeSet {
    /// Every certificate, in signing order.
    pub certs: Vec<Signed>,
    /// The head (a receipt whose graph is the whole set).
    pub head: CertId,
}

impl LargeSet {
    /// All COSE messages.
    pub fn bytes(&self) -> Vec<Vec<u8>> {
        self.certs.iter().map(|c| c.bytes.clone()).collect()
    }
}

/// Number of aggregate shipments needed over `c` shipments.
fn aggregates(c: usize) -> usize {
    if c <= FAN_IN { 0 } else { c.div_ceil(FAN_IN) }
}

/// Certificates other than Sea Harvest 7's crew attestations for `c` catches.
fn fixed(c: usize) -> usize {
    2 + 5 * c + aggregates(c) + 1
}

fn input(id: CertId, lot: &str, kg: f64) -> Value {
    json!({"certificate": id.to_string(), "lot": lot, "quantity_kg": kg})
}

/// Build a set of exactly `n` certificates (`n` ≥ 9).
pub fn generate(p: &Programme, n: usize) -> Result<LargeSet, DemoError> {
    if n < 9 {
        return Err(DemoError(format!(
            "a large set needs at least 9 certificates, not {n}"
        )));
    }
    let mut c = (n - 4) / 5;
    while fixed(c) + 1 > n {
        c -= 1;
    }
    let crews = n - fixed(c);
    if crews > 8 {
        return Err(DemoError(format!("no exact shape for {n} certificates")));
    }
    let (_, imo, _) = vessels::SEA_HARVEST;
    let auditor = p.party("auditor")?;
    let mut certs = Vec::with_capacity(n);
    let mut crew_ids = Vec::new();
    for k in 0..crews {
        let s = sign(
            &format!("crew-{k}"),
            auditor,
            Kind::CrewAttestation,
            &crew_attestation_json(vessels::SEA_HARVEST, false),
            &format!("2026-01-15T10:{k:02}:00Z"),
        )?;
        crew_ids.push(s.id);
        certs.push(s);
    }
    let reefer_crew = sign(
        "crew-reefer",
        auditor,
        Kind::CrewAttestation,
        &crew_attestation_json(vessels::PACIFIC_REEFER, false),
        "2026-01-17T10:00:00Z",
    )?;
    let reefer_crew_id = reefer_crew.id;
    certs.push(reefer_crew);
    let facility = sign(
        "facility",
        auditor,
        Kind::FacilityAttestation,
        &FacilityAttestation::default().json(),
        "2026-02-01T10:00:00Z",
    )?;
    let facility_id = facility.id;
    certs.push(facility);
    let (vessel, carrier) = (p.party("vessel-a")?, p.party("carrier")?);
    let (processor, importer) = (p.party("processor")?, p.party("importer")?);
    let mut shipments = Vec::with_capacity(c);
    for i in 0..c {
        let lot = format!("SH7-{i:05}");
        let catch = sign(
            &lot,
            vessel,
            Kind::Catch,
            &json!({
                "time": "2026-03-02T06:00:00Z",
                "vessel_imo": imo, "fao_area": "71", "gear": "LLD",
                "catch_start": "2026-03-01T04:00:00Z", "catch_end": "2026-03-02T05:30:00Z",
                "outputs": [{"lot": lot, "quantity_kg": 1000.0, "species": "YFT"}],
                "attestations": [crew_ids[i % crews].to_string()]
            }),
            "2026-03-02T06:05:00Z",
        )?;
        let carried = format!("PR3-{i:05}");
        let transshipment = sign(
            &carried,
            carrier,
            Kind::Transshipment,
            &json!({
                "time": "2026-03-05T12:00:00Z",
                "from_vessel_imo": imo, "to_vessel_imo": vessels::PACIFIC_REEFER.1,
                "at_sea": true, "fao_area": "71",
                "inputs": [input(catch.id, &lot, 1000.0)],
                "outputs": [{"lot": carried, "quantity_kg": 1000.0, "species": "YFT"}],
                "attestations": [reefer_crew_id.to_string()]
            }),
            "2026-03-05T12:30:00Z",
        )?;
        let landed = format!("THPKT-{i:05}");
        // The reefer's carrier holds the transshipped catch, so the carrier lands it.
        let landing = sign(
            &landed,
            carrier,
            Kind::Landing,
            &json!({
                "time": "2026-03-20T03:00:00Z",
                "port": "THPKT",
                "inputs": [input(transshipment.id, &carried, 1000.0)],
                "outputs": [{"lot": landed, "quantity_kg": 1000.0, "species": "YFT"}]
            }),
            "2026-03-20T04:00:00Z",
        )?;
        let loins = format!("ALP-{i:05}");
        let processing = sign(
            &loins,
            processor,
            Kind::Processing,
            &json!({
                "time": "2026-03-25T10:00:00Z",
                "facility": FACILITY,
                "inputs": [input(landing.id, &landed, 1000.0)],
                "outputs": [{"lot": loins, "quantity_kg": 570.0, "species": "YFT", "product": "yellowfin tuna loins, frozen"}],
                "attestations": [facility_id.to_string()]
            }),
            "2026-03-25T11:00:00Z",
        )?;
        let shipped = format!("NSI-{i:05}");
        let shipment = sign(
            &shipped,
            importer,
            Kind::Shipment,
            &json!({
                "time": "2026-04-02T08:00:00Z",
                "from": "Andaman Loins Co Ltd", "to": "Nordic Seafood AB",
                "inputs": [input(processing.id, &loins, 570.0)],
                "outputs": [{"lot": shipped, "quantity_kg": 570.0, "species": "YFT", "product": "yellowfin tuna loins, frozen"}]
            }),
            "2026-04-02T09:00:00Z",
        )?;
        shipments.push((shipment.id, shipped, 570.0));
        certs.extend([catch, transshipment, landing, processing, shipment]);
    }
    let mut last = shipments;
    if aggregates(c) > 0 {
        let mut next = Vec::new();
        for (g, group) in last.chunks(FAN_IN).enumerate() {
            let lot = format!("NSI-AGG-{g:03}");
            let kg: f64 = group.iter().map(|s| s.2).sum();
            let s = sign(
                &lot,
                importer,
                Kind::Shipment,
                &json!({
                    "time": "2026-04-05T08:00:00Z",
                    "from": "Nordic Seafood AB", "to": "Nordic Seafood AB",
                    "inputs": group.iter().map(|s| input(s.0, &s.1, s.2)).collect::<Vec<_>>(),
                    "outputs": [{"lot": lot, "quantity_kg": kg, "species": "YFT", "product": "yellowfin tuna loins, frozen"}]
                }),
                "2026-04-05T09:00:00Z",
            )?;
            next.push((s.id, lot, kg));
            certs.push(s);
        }
        last = next;
    }
    let kg: f64 = last.iter().map(|s| s.2).sum();
    let receipt = sign(
        "receipt",
        p.party("retailer")?,
        Kind::Receipt,
        &json!({
            "time": "2026-04-12T07:00:00Z",
            "from": "Nordic Seafood AB", "to": "FreshMart Stores",
            "inputs": last.iter().map(|s| input(s.0, &s.1, s.2)).collect::<Vec<_>>(),
            "outputs": [{"lot": "FM-LOINS-LARGE", "quantity_kg": kg, "species": "YFT", "product": "yellowfin tuna loins, frozen"}]
        }),
        "2026-04-12T07:30:00Z",
    )?;
    let head = receipt.id;
    certs.push(receipt);
    Ok(LargeSet { certs, head })
}
