//! The JSON output form of a payload (as `inspect --json` and the HTTP API show it): the
//! input form's field names, RFC 3339 times, kilograms, ids as `sha256:…`; crew entries
//! as their commitments with the clear conditions. The kind's fields are those of
//! [`fields::table`].

use crate::fields::{self, FieldValue};
use crate::payload::{Audit, Payload};
use crate::quantity::Grams;
use serde_json::{Map, Value, json};

fn kg(g: Grams) -> Value {
    // Whole grams print exactly as kilograms with at most three decimals.
    json!(g.kg())
}

fn audit(a: &Audit) -> Value {
    json!({"method": a.method.as_str(), "auditor": a.auditor, "date": a.date})
}

/// The JSON output form of one field's value.
fn field_value(v: &FieldValue) -> Value {
    match v {
        FieldValue::Text(s) => json!(s),
        FieldValue::OptText(s) => json!(s),
        FieldValue::Time(t) => json!(t.to_rfc3339()),
        FieldValue::Bool(b) => json!(b),
        FieldValue::Id(id) => json!(id.to_string()),
        FieldValue::Inputs(inputs) => Value::Array(
            inputs
                .iter()
                .map(|i| json!({"certificate": i.certificate.to_string(), "lot": i.lot, "quantity_kg": kg(i.quantity)}))
                .collect(),
        ),
        FieldValue::Outputs(outputs) => Value::Array(
            outputs
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
        FieldValue::Attestations(ids) => {
            Value::Array(ids.iter().map(|a| json!(a.to_string())).collect())
        }
        FieldValue::Vessel(v) => json!({"name": v.name, "imo": v.imo, "flag": v.flag}),
        FieldValue::Audit(a) => audit(a),
        FieldValue::Crew(crew) => Value::Array(
            crew.iter()
                .map(|c| {
                    json!({
                        "commitment": hex::encode(c.commitment),
                        "written_agreement": c.written_agreement,
                        "holds_own_documents": c.holds_own_documents,
                        "recruitment_fee_paid": c.recruitment_fee_paid,
                        "wage_method": c.wage_method.as_str(),
                    })
                })
                .collect(),
        ),
        FieldValue::Rest(r) => json!({
            "min_per_24h": f64::from(r.min_per_24h) / 60.0,
            "min_per_7d": f64::from(r.min_per_7d) / 60.0,
        }),
        FieldValue::Ilo(ids) => json!(ids),
        FieldValue::Entries(entries) => Value::Array(
            entries
                .iter()
                .map(|e| {
                    let mut m = Map::new();
                    m.insert("scheme".into(), json!(e.scheme.as_str()));
                    m.insert("value".into(), json!(e.value));
                    m.insert("reason".into(), json!(e.reason));
                    m.insert("listed_from".into(), json!(e.listed_from.to_rfc3339()));
                    if let Some(u) = e.listed_until {
                        m.insert("listed_until".into(), json!(u.to_rfc3339()));
                    }
                    Value::Object(m)
                })
                .collect(),
        ),
    }
}

/// The payload as a JSON object.
pub fn payload_to_json(p: &Payload) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!(p.kind().as_str()));
    m.insert("time".into(), json!(p.time().to_rfc3339()));
    m.insert("issued_at".into(), json!(p.issued_at().to_rfc3339()));
    for (spec, value) in fields::table(p.kind())
        .iter()
        .zip(fields::split(p.details()))
    {
        if value != FieldValue::OptText(None) {
            m.insert(spec.json.into(), field_value(&value));
        }
    }
    if let Some(e) = p.epcis() {
        let mut o = Map::new();
        o.insert("event_hash".into(), json!(e.event_hash));
        for (k, v) in [
            ("event_id", &e.event_id),
            ("event_type", &e.event_type),
            ("biz_step", &e.biz_step),
            ("disposition", &e.disposition),
            ("product_owner", &e.product_owner),
            ("information_provider", &e.information_provider),
            ("location", &e.location),
            ("read_point", &e.read_point),
        ] {
            if let Some(v) = v {
                o.insert(k.into(), json!(v));
            }
        }
        if !e.lots.is_empty() {
            o.insert("lots".into(), json!(e.lots));
        }
        if !e.input_lots.is_empty() {
            o.insert("input_lots".into(), json!(e.input_lots));
        }
        m.insert("epcis".into(), Value::Object(o));
    }
    Value::Object(m)
}
