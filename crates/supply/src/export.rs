//! Certificates → an EPCIS 2.0 JSON-LD document with GDST KDEs (docs/gdst.md, "export").
//!
//! One event per custody certificate, parents first. A certificate made from an EPCIS event
//! restores what it recorded of it (`epcis`: event id and type, business step, disposition,
//! product owner, information provider, locations, GS1 lot identifiers); the kind's fields
//! become GDST KDEs. Every event carries `certificationInfo` = the certificate id and
//! `catchcert:eventHash` = the CBV 2.0 event hash the certificate recorded at import (or, for
//! certificates issued directly, the hash of the exported event itself).

use crate::hash;
use catchcert_model::payload::{Details, Step};
use catchcert_model::{CertId, Payload};
use serde_json::{Map, Value as Json, json};

/// The JSON-LD prefix of catchcert's own extension fields.
pub const CATCHCERT_NS: &str = "https://catchcert.example.invalid/epcis/";
/// The GDST namespace, as GDST documents bind it.
pub const GDST_NS: &str = "https://traceability-dialogue.org/epcis";

fn time(t: catchcert_model::Timestamp) -> String {
    t.to_rfc3339()
}

/// Percent-encode a lot id for a URN.
fn urn_part(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The class-level identifier of a lot: the GS1 identifier recorded at import, else
/// `urn:catchcert:lot:<lot>`.
fn class_of(recorded: Option<&String>, lot: &str) -> String {
    recorded
        .cloned()
        .unwrap_or_else(|| format!("urn:catchcert:lot:{}", urn_part(lot)))
}

fn qty(class: String, kg: f64) -> Json {
    json!({"epcClass": class, "quantity": kg, "uom": "KGM"})
}

/// `01.1` → `1.1` (GDST writes ISSCFG codes without the leading zero).
fn gdst_gear(g: &str) -> String {
    match g.split_once('.') {
        Some((a, b)) if a.len() == 2 && a.starts_with('0') => format!("{}.{b}", &a[1..]),
        _ => g.to_string(),
    }
}

/// One event for one custody certificate (`None` for attestations and revocations).
pub fn event(id: CertId, p: &Payload) -> Option<Json> {
    let Details::Custody(c) = p.details() else {
        return None;
    };
    let link = p.epcis();
    let mut e = Map::new();
    let kind = c.step.kind();
    let transformation = matches!(c.step, Step::Processing { .. });
    let default_type = if transformation {
        "TransformationEvent"
    } else {
        "ObjectEvent"
    };
    let ty = link
        .and_then(|l| l.event_type.clone())
        .unwrap_or_else(|| default_type.to_string());
    e.insert("type".into(), json!(ty));
    if let Some(eid) = link.and_then(|l| l.event_id.clone()) {
        e.insert("eventID".into(), json!(eid));
    }
    e.insert("eventTime".into(), json!(time(p.time())));
    e.insert("eventTimeZoneOffset".into(), json!("+00:00"));
    e.insert("certificationInfo".into(), json!(id.to_string()));
    let outs: Vec<Json> = c
        .outputs
        .iter()
        .enumerate()
        .map(|(i, o)| {
            qty(
                class_of(link.and_then(|l| l.lots.get(i)), &o.lot),
                o.quantity.kg(),
            )
        })
        .collect();
    if transformation {
        let ins: Vec<Json> = c
            .inputs
            .iter()
            .enumerate()
            .map(|(i, x)| {
                qty(
                    class_of(link.and_then(|l| l.input_lots.get(i)), &x.lot),
                    x.quantity.kg(),
                )
            })
            .collect();
        e.insert("inputQuantityList".into(), Json::Array(ins));
        e.insert("outputQuantityList".into(), Json::Array(outs));
    } else {
        e.insert(
            "action".into(),
            json!(if kind == catchcert_model::Kind::Catch {
                "ADD"
            } else {
                "OBSERVE"
            }),
        );
        e.insert("quantityList".into(), Json::Array(outs));
    }
    let default_step = match kind {
        catchcert_model::Kind::Catch => "urn:gdst:bizStep:fishingEvent",
        catchcert_model::Kind::Transshipment => "urn:gdst:bizStep:transshipment",
        catchcert_model::Kind::Landing => "urn:gdst:bizStep:landing",
        catchcert_model::Kind::Processing => "commissioning",
        catchcert_model::Kind::Shipment => "shipping",
        _ => "receiving",
    };
    e.insert(
        "bizStep".into(),
        json!(
            link.and_then(|l| l.biz_step.clone())
                .unwrap_or_else(|| default_step.into())
        ),
    );
    if let Some(d) = link.and_then(|l| l.disposition.clone()) {
        e.insert("disposition".into(), json!(d));
    }
    if let Some(r) = link.and_then(|l| l.read_point.clone()) {
        e.insert("readPoint".into(), json!({"id": r}));
    }
    let location = link
        .and_then(|l| l.location.clone())
        .or_else(|| match &c.step {
            Step::Processing { facility } if facility.contains(':') => Some(facility.clone()),
            _ => None,
        });
    if let Some(l) = location {
        e.insert("bizLocation".into(), json!({"id": l}));
    }
    match &c.step {
        Step::Catch(k) => {
            e.insert(
                "ilmd".into(),
                json!({"cbvmda:vesselCatchInformationList": {"cbvmda:vesselCatchInformation": [{
                    "gdst:imoNumber": k.vessel_imo,
                    "cbvmda:catchArea": format!("urn:gdst:fao:{}", k.fao_area),
                    "cbvmda:fishingGearTypeCode": format!("urn:gdst:gear:{}", gdst_gear(&k.gear)),
                    "gdst:vesselTripDate": time(k.catch_start),
                }]}}),
            );
        }
        Step::Transshipment(t) => {
            e.insert(
                "catchcert:transshipment".into(),
                json!({"fromVesselIMO": t.from_vessel_imo, "toVesselIMO": t.to_vessel_imo,
                       "atSea": t.at_sea, "faoArea": t.fao_area}),
            );
            if let Some(port) = &t.port {
                e.insert("cbvmda:unloadingPort".into(), json!(port));
            }
        }
        Step::Landing { port } => {
            e.insert("cbvmda:unloadingPort".into(), json!(port));
        }
        Step::Processing { facility } => {
            e.insert("catchcert:facility".into(), json!(facility));
        }
        Step::Shipment(parties) | Step::Receipt(parties) => {
            e.insert(
                "sourceList".into(),
                json!([{"type": "owning_party", "source": parties.from}]),
            );
            e.insert(
                "destinationList".into(),
                json!([{"type": "owning_party", "destination": parties.to}]),
            );
        }
    }
    if let Some(o) = link.and_then(|l| l.product_owner.clone()) {
        e.insert("gdst:productOwner".into(), json!(o));
    }
    if let Some(o) = link.and_then(|l| l.information_provider.clone()) {
        e.insert("cbvmda:informationProvider".into(), json!(o));
    }
    Some(Json::Object(e))
}

/// The document for certificates in order (parents first).
pub fn document(certs: &[(CertId, Payload)], created: catchcert_model::Timestamp) -> Json {
    let ns: hash::Namespaces = [
        ("gdst".to_string(), GDST_NS.to_string()),
        ("catchcert".to_string(), CATCHCERT_NS.to_string()),
    ]
    .into_iter()
    .collect();
    let mut events = Vec::new();
    for (id, p) in certs {
        let Some(mut e) = event(*id, p) else { continue };
        let h = p
            .epcis()
            .map(|l| l.event_hash.clone())
            .unwrap_or_else(|| hash::event_hash(&e, &ns));
        e["catchcert:eventHash"] = json!(h);
        events.push(e);
    }
    json!({
        "@context": [
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            {"gdst": GDST_NS},
            {"catchcert": CATCHCERT_NS}
        ],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created.to_rfc3339(),
        "epcisBody": {"eventList": events}
    })
}
