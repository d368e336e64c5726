//! The JSON output form of a payload (as `inspect --json` and the HTTP API show it): the
//! input form's field names, RFC 3339 times, kilograms, ids as `sha256:…`; crew entries
//! as their commitments with the clear conditions.

use crate::payload::{Audit, Details, Payload, Step};
use crate::quantity::Grams;
use serde_json::{Map, Value, json};

fn kg(g: Grams) -> Value {
    // Whole grams print exactly as kilograms with at most three decimals.
    json!(g.kg())
}

fn audit(a: &Audit) -> Value {
    json!({"method": a.method.as_str(), "auditor": a.auditor, "date": a.date})
}

/// The payload as a JSON object.
pub fn payload_to_json(p: &Payload) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!(p.kind().as_str()));
    m.insert("time".into(), json!(p.time().to_rfc3339()));
    m.insert("issued_at".into(), json!(p.issued_at().to_rfc3339()));
    if let Some(c) = p.custody() {
        m.insert(
            "inputs".into(),
            Value::Array(
                c.inputs
                    .iter()
                    .map(|i| json!({"certificate": i.certificate.to_string(), "lot": i.lot, "quantity_kg": kg(i.quantity)}))
                    .collect(),
            ),
        );
        m.insert(
            "outputs".into(),
            Value::Array(
                c.outputs
                    .iter()
                    .map(|o| {
                        let mut e = Map::new();
                        e.insert("lot".into(), json!(o.lot));
                        e.insert("quantity_kg".into(), kg(o.quantity));
                        if let Some(s) = &o.species {
                            e.insert("species".into(), json!(s));
                        }
                        if let Some(s) = &o.product {
                            e.insert("product".into(), json!(s));
                        }
                        Value::Object(e)
                    })
                    .collect(),
            ),
        );
        m.insert(
            "attestations".into(),
            Value::Array(
                c.attestations
                    .iter()
                    .map(|a| json!(a.to_string()))
                    .collect(),
            ),
        );
    }
    let extra = match p.details() {
        Details::CrewAttestation(a) => json!({
            "vessel": {"name": a.vessel.name, "imo": a.vessel.imo, "flag": a.vessel.flag},
            "valid_from": a.valid_from.to_rfc3339(),
            "valid_until": a.valid_until.to_rfc3339(),
            "audit": audit(&a.audit),
            "crew": a.crew.iter().map(|c| json!({
                "commitment": hex::encode(c.commitment),
                "written_agreement": c.written_agreement,
                "holds_own_documents": c.holds_own_documents,
                "recruitment_fee_paid": c.recruitment_fee_paid,
                "wage_method": c.wage_method.as_str(),
            })).collect::<Vec<_>>(),
            "rest_hours": {
                "min_per_24h": f64::from(a.rest.min_per_24h) / 60.0,
                "min_per_7d": f64::from(a.rest.min_per_7d) / 60.0,
            },
            "ilo_indicators": a.ilo_indicators,
        }),
        Details::FacilityAttestation(a) => json!({
            "facility": a.facility,
            "valid_from": a.valid_from.to_rfc3339(),
            "valid_until": a.valid_until.to_rfc3339(),
            "audit": audit(&a.audit),
            "ilo_indicators": a.ilo_indicators,
        }),
        Details::Custody(c) => match &c.step {
            Step::Catch(c) => json!({
                "vessel_imo": c.vessel_imo, "fao_area": c.fao_area, "gear": c.gear,
                "catch_start": c.catch_start.to_rfc3339(), "catch_end": c.catch_end.to_rfc3339(),
            }),
            Step::Transshipment(t) => json!({
                "from_vessel_imo": t.from_vessel_imo, "to_vessel_imo": t.to_vessel_imo,
                "at_sea": t.at_sea, "fao_area": t.fao_area,
            }),
            Step::Landing { port } => json!({ "port": port }),
            Step::Processing { facility } => json!({ "facility": facility }),
            Step::Shipment(x) | Step::Receipt(x) => json!({"from": x.from, "to": x.to}),
        },
        Details::Revocation(r) => {
            json!({"certificate": r.certificate.to_string(), "reason": r.reason})
        }
    };
    if let Value::Object(e) = extra {
        m.extend(e);
    }
    Value::Object(m)
}
