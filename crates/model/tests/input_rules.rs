//! One test per input rule of contract §3: each invalid input is refused with a
//! `FieldError` that names the field path and carries the offending value. Plus the crew
//! disclosure check against a built crew attestation.

use catchcert_model::codes::CodeLists;
use catchcert_model::crew::{self, DisclosureError};
use catchcert_model::input::{self, Built};
use catchcert_model::payload::FieldError;
use catchcert_model::{CertId, Kind, Timestamp};
use serde_json::{Value, json};

const ISSUED_AT: &str = "2026-03-10T12:00:00Z";

fn issued_at() -> Timestamp {
    Timestamp::parse_rfc3339(ISSUED_AT).unwrap()
}

fn try_build(kind: Kind, doc: &Value) -> Result<Built, FieldError> {
    let mut n = 0u8;
    let mut salt = || {
        n = n.wrapping_add(1);
        [n; 16]
    };
    input::build(
        kind,
        doc.to_string().as_bytes(),
        issued_at(),
        &CodeLists::default(),
        &mut salt,
    )
}

fn build(kind: Kind, doc: &Value) -> Built {
    try_build(kind, doc).unwrap_or_else(|e| panic!("{kind}: valid input refused: {e}"))
}

/// Build `doc` after `edit`, expect a refusal naming `field`; returns the error.
fn refused(kind: Kind, mut doc: Value, edit: impl FnOnce(&mut Value)) -> FieldError {
    // The unedited document is valid: the refusal comes from the edit.
    build(kind, &doc);
    edit(&mut doc);
    match try_build(kind, &doc) {
        Ok(_) => panic!("{kind}: accepted {doc}"),
        Err(e) => e,
    }
}

/// The error names `field` and shows `value` (as the error's Display also does).
fn assert_field(e: &FieldError, field: &str, value: &str) {
    assert_eq!(e.field, field, "{e}");
    assert!(
        e.value.contains(value),
        "value {:?} does not show {value:?} ({e})",
        e.value
    );
    assert!(!e.reason.is_empty(), "{e}");
    let shown = e.to_string();
    assert!(shown.contains(field), "{shown}");
    assert!(shown.contains(value), "{shown}");
}

fn cert(n: u8) -> String {
    CertId([n; 32]).to_string()
}

fn crew_doc() -> Value {
    json!({
        "time": "2026-02-27T09:00:00Z",
        "vessel": {"name": "Sea Dragon 7", "imo": "IMO9074729", "flag": "THA"},
        "valid_from": "2026-03-01T00:00:00Z",
        "valid_until": "2026-09-01T00:00:00Z",
        "audit": {"method": "third_party", "auditor": "Andaman Labour Audits Ltd", "date": "2026-02-27"},
        "crew": [
            {"name": "Somchai Prasert", "nationality": "THA", "role": "captain",
             "written_agreement": true, "holds_own_documents": true,
             "recruitment_fee_paid": false, "wage_method": "bank_transfer"},
            {"name": "Aung Min", "nationality": "MMR", "role": "deckhand",
             "written_agreement": true, "holds_own_documents": false,
             "recruitment_fee_paid": true, "wage_method": "via_broker"}
        ],
        "rest_hours": {"min_per_24h": 10, "min_per_7d": 77.5},
        "ilo_indicators": [9, 7]
    })
}

fn facility_doc() -> Value {
    json!({
        "time": "2026-02-20T10:00:00Z",
        "facility": "Samut Sakhon Tuna Plant 3",
        "valid_from": "2026-03-01T00:00:00Z",
        "valid_until": "2027-03-01T00:00:00Z",
        "audit": {"method": "internal", "auditor": "Plant compliance office", "date": "2026-02-20"},
        "ilo_indicators": []
    })
}

fn catch_doc() -> Value {
    json!({
        "time": "2026-03-04T18:00:00Z",
        "vessel_imo": "IMO9074729",
        "fao_area": "71",
        "gear": "LLD",
        "catch_start": "2026-03-02T06:00:00Z",
        "catch_end": "2026-03-04T18:00:00Z",
        "outputs": [
            {"lot": "SD7-YFT", "quantity_kg": 1200.5, "species": "YFT"},
            {"lot": "SD7-BET", "quantity_kg": 310.125, "species": "BET"}
        ],
        "attestations": [cert(1)]
    })
}

fn landing_doc() -> Value {
    json!({
        "time": "2026-03-08T07:30:00Z",
        "inputs": [{"certificate": cert(2), "lot": "SD7-YFT", "quantity_kg": 1200.5}],
        "outputs": [{"lot": "THBKK-L-0042", "quantity_kg": 1200.5, "species": "YFT"}],
        "port": "THBKK"
    })
}

fn transshipment_doc() -> Value {
    json!({
        "time": "2026-03-05T04:00:00Z",
        "inputs": [{"certificate": cert(2), "lot": "SD7-YFT", "quantity_kg": 1200.5}],
        "outputs": [{"lot": "REEFER-YFT-01", "quantity_kg": 1200.5, "species": "YFT"}],
        "from_vessel_imo": "IMO9074729",
        "to_vessel_imo": "IMO9305972",
        "at_sea": true,
        "fao_area": "71"
    })
}

// ---------------------------------------------------------------------------------------------
// Codes and shapes

#[test]
fn bad_imo_pattern() {
    for bad in [
        "IMO907472",
        "IMO907472912",
        "imo9074729",
        "IMO 9074729",
        "9074729",
        "IMO90747A9",
    ] {
        let e = refused(Kind::Catch, catch_doc(), |d| d["vessel_imo"] = json!(bad));
        assert_field(&e, "vessel_imo", bad);
    }
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["vessel"]["imo"] = json!("IMO12345")
    });
    assert_field(&e, "vessel.imo", "IMO12345");
    let e = refused(Kind::Transshipment, transshipment_doc(), |d| {
        d["to_vessel_imo"] = json!("IMO-9305972")
    });
    assert_field(&e, "to_vessel_imo", "IMO-9305972");
    // 8 digits match the pattern.
    let mut d = catch_doc();
    d["vessel_imo"] = json!("IMO12345678");
    build(Kind::Catch, &d);
}

#[test]
fn bad_flag() {
    for bad in ["XXX", "tha", "TH", "THAI", "XKX", "SUN"] {
        let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
            d["vessel"]["flag"] = json!(bad)
        });
        assert_field(&e, "vessel.flag", bad);
    }
    let mut d = crew_doc();
    d["vessel"]["flag"] = json!("TWN");
    build(Kind::CrewAttestation, &d);
    // Crew nationality follows the same list.
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["crew"][1]["nationality"] = json!("BUR")
    });
    assert_field(&e, "crew[1].nationality", "BUR");
}

#[test]
fn unknown_fao_area() {
    for bad in ["99", "7", "071", "27.4.z", "area 71"] {
        let e = refused(Kind::Catch, catch_doc(), |d| d["fao_area"] = json!(bad));
        assert_field(&e, "fao_area", bad);
    }
    let e = refused(Kind::Transshipment, transshipment_doc(), |d| {
        d["fao_area"] = json!("100")
    });
    assert_field(&e, "fao_area", "100");
    let mut d = catch_doc();
    d["fao_area"] = json!("27.4.a");
    build(Kind::Catch, &d);
}

#[test]
fn unknown_gear() {
    for bad in ["ZZZ", "lld", "09.99", "LLD "] {
        let e = refused(Kind::Catch, catch_doc(), |d| d["gear"] = json!(bad));
        assert_eq!(e.field, "gear", "{bad}: {e}");
        assert!(e.value.contains(bad.trim()), "{bad}: {e}");
    }
    let mut d = catch_doc();
    d["gear"] = json!("09.32");
    build(Kind::Catch, &d);
}

#[test]
fn species_not_three_capitals() {
    for bad in ["yft", "YF", "YFTX", "Y1T", "ÝFT"] {
        let e = refused(Kind::Catch, catch_doc(), |d| {
            d["outputs"][1]["species"] = json!(bad)
        });
        assert_field(&e, "outputs[1].species", bad);
    }
    // A catch output needs a species at all.
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["outputs"][0].as_object_mut().unwrap().remove("species");
    });
    assert_eq!(e.field, "outputs[0].species", "{e}");
}

#[test]
fn bad_unlocode_shape() {
    for bad in ["TH BKK", "thbkk", "THBK1", "THBK", "THBKKK", "T1BKK"] {
        let e = refused(Kind::Landing, landing_doc(), |d| d["port"] = json!(bad));
        assert_field(&e, "port", bad);
    }
    let mut d = landing_doc();
    d["port"] = json!("XZ2A9");
    build(Kind::Landing, &d);
}

#[test]
fn unchecked_codes_are_reported_as_warnings() {
    let b = build(Kind::Landing, &landing_doc());
    assert!(
        b.warnings.iter().any(|w| w.contains("THBKK")),
        "{:?}",
        b.warnings
    );
    assert!(
        b.warnings.iter().any(|w| w.contains("outputs[0].species")),
        "{:?}",
        b.warnings
    );
}

// ---------------------------------------------------------------------------------------------
// Times

#[test]
fn non_rfc3339_time() {
    for bad in [
        "2026-03-04 18:00:00",
        "2026-03-04",
        "04/03/2026 18:00",
        "2026-03-04T18:00:00",
        "1772647200",
    ] {
        let e = refused(Kind::Catch, catch_doc(), |d| d["time"] = json!(bad));
        assert_field(&e, "time", bad);
    }
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["catch_end"] = json!("yesterday")
    });
    assert_field(&e, "catch_end", "yesterday");
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["valid_from"] = json!("2026-13-01T00:00:00Z")
    });
    assert_field(&e, "valid_from", "2026-13-01T00:00:00Z");
    // A number is not a time string.
    let e = refused(Kind::Catch, catch_doc(), |d| d["time"] = json!(1772647200));
    assert_field(&e, "time", "1772647200");
}

#[test]
fn fraction_of_second_time() {
    for bad in ["2026-03-04T18:00:00.5Z", "2026-03-04T18:00:00.000001Z"] {
        let e = refused(Kind::Catch, catch_doc(), |d| d["catch_end"] = json!(bad));
        assert_field(&e, "catch_end", bad);
        assert!(e.reason.contains("fraction"), "{e}");
    }
    // Zero fractions are whole seconds.
    let mut d = catch_doc();
    d["catch_end"] = json!("2026-03-04T18:00:00.000Z");
    build(Kind::Catch, &d);
}

#[test]
fn catch_start_after_catch_end() {
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["catch_start"] = json!("2026-03-04T18:00:01Z")
    });
    assert_field(&e, "catch_start", "2026-03-04T18:00:01Z");
    // Equal is allowed.
    let mut d = catch_doc();
    d["catch_start"] = json!("2026-03-04T18:00:00Z");
    build(Kind::Catch, &d);
}

#[test]
fn valid_from_not_before_valid_until() {
    for (kind, doc) in [
        (Kind::CrewAttestation, crew_doc()),
        (Kind::FacilityAttestation, facility_doc()),
    ] {
        let e = refused(kind, doc.clone(), |d| {
            d["valid_until"] = d["valid_from"].clone()
        });
        assert_field(&e, "valid_until", "2026-03-01T00:00:00Z");
        let e = refused(kind, doc, |d| {
            d["valid_until"] = json!("2026-02-28T23:59:59Z")
        });
        assert_field(&e, "valid_until", "2026-02-28T23:59:59Z");
    }
}

#[test]
fn time_after_issued_at() {
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["time"] = json!("2026-03-10T12:00:01Z")
    });
    assert_field(&e, "time", "2026-03-10T12:00:01Z");
    assert!(e.reason.contains(ISSUED_AT), "{e}");
    // Offsets are normalised to UTC before comparing: 14:00+02:00 is 12:00Z, allowed.
    let mut d = landing_doc();
    d["time"] = json!("2026-03-10T14:00:00+02:00");
    build(Kind::Landing, &d);
    let e = refused(Kind::Landing, landing_doc(), |d| {
        d["time"] = json!("2026-03-10T14:00:01+02:00")
    });
    assert_field(&e, "time", "2026-03-10T12:00:01Z");
}

// ---------------------------------------------------------------------------------------------
// Quantities

#[test]
fn quantity_zero_negative_too_precise_or_not_a_number() {
    for (bad, shown) in [
        (json!(0), "0"),
        (json!(0.0), "0"),
        (json!(-5), "-5"),
        (json!(-0.001), "-0.001"),
        (json!(1.2345), "1.2345"),
        (json!(0.0001), "0.0001"),
        (json!(2e12), "2000000000000"),
    ] {
        let e = refused(Kind::Catch, catch_doc(), |d| {
            d["outputs"][1]["quantity_kg"] = bad.clone()
        });
        assert_field(&e, "outputs[1].quantity_kg", shown);
    }
    for s in ["NaN", "nan", "Infinity", "-inf", "1200.5", ""] {
        let e = refused(Kind::Catch, catch_doc(), |d| {
            d["outputs"][0]["quantity_kg"] = json!(s)
        });
        assert_field(&e, "outputs[0].quantity_kg", &format!("{s:?}"));
    }
    let e = refused(Kind::Landing, landing_doc(), |d| {
        d["inputs"][0]["quantity_kg"] = json!(-1200.5)
    });
    assert_field(&e, "inputs[0].quantity_kg", "-1200.5");
    // Three decimals are whole grams.
    let mut d = catch_doc();
    d["outputs"][0]["quantity_kg"] = json!(0.001);
    build(Kind::Catch, &d);
}

// ---------------------------------------------------------------------------------------------
// Structure

#[test]
fn unknown_top_level_field() {
    let e = refused(Kind::Catch, catch_doc(), |d| d["colour"] = json!("blue"));
    assert_field(&e, "colour", "blue");
    assert!(e.reason.contains("unknown"), "{e}");
}

#[test]
fn unknown_nested_field() {
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["outputs"][0]["colour"] = json!("red")
    });
    assert_field(&e, "outputs[0].colour", "red");
    let e = refused(Kind::Landing, landing_doc(), |d| {
        d["inputs"][0]["grade"] = json!("A")
    });
    assert_field(&e, "inputs[0].grade", "A");
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["vessel"]["callsign"] = json!("HSB2093")
    });
    assert_field(&e, "vessel.callsign", "HSB2093");
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["crew"][1]["passport"] = json!("MA1234567")
    });
    assert_field(&e, "crew[1].passport", "MA1234567");
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["audit"]["scope"] = json!("full")
    });
    assert_field(&e, "audit.scope", "full");
}

#[test]
fn field_of_another_kind() {
    let e = refused(Kind::Catch, catch_doc(), |d| d["port"] = json!("THBKK"));
    assert_field(&e, "port", "THBKK");
    assert!(e.reason.contains("catch"), "{e}");
    let e = refused(Kind::Landing, landing_doc(), |d| d["gear"] = json!("LLD"));
    assert_field(&e, "gear", "LLD");
    // Attestations and revocations take no custody fields.
    let e = refused(Kind::FacilityAttestation, facility_doc(), |d| {
        d["outputs"] = json!([{"lot": "X", "quantity_kg": 1}])
    });
    assert_eq!(e.field, "outputs", "{e}");
}

#[test]
fn missing_required_field() {
    for field in [
        "time",
        "vessel_imo",
        "fao_area",
        "gear",
        "catch_start",
        "catch_end",
        "outputs",
    ] {
        let e = refused(Kind::Catch, catch_doc(), |d| {
            d.as_object_mut().unwrap().remove(field);
        });
        assert_eq!(e.field, field, "{e}");
        assert_eq!(e.value, "", "a missing field has no value: {e}");
        assert!(e.reason.contains("missing"), "{e}");
    }
    // A missing nested field is reported at its own path, also inside arrays.
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["vessel"].as_object_mut().unwrap().remove("flag");
    });
    assert_eq!(
        (e.field.as_str(), e.reason.as_str()),
        ("vessel.flag", "missing"),
        "{e}"
    );
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["outputs"][0]
            .as_object_mut()
            .unwrap()
            .remove("quantity_kg");
    });
    assert_eq!(e.field, "outputs[0].quantity_kg", "{e}");
    let e = refused(Kind::Landing, landing_doc(), |d| {
        d.as_object_mut().unwrap().remove("port");
    });
    assert_eq!(e.field, "port", "{e}");
}

#[test]
fn catch_with_inputs() {
    let e =
        refused(
            Kind::Catch,
            catch_doc(),
            |d| d["inputs"] = json!([{"certificate": cert(3), "lot": "OTHER", "quantity_kg": 5}]),
        );
    assert_field(&e, "inputs", "1");
}

#[test]
fn landing_without_inputs() {
    let e = refused(Kind::Landing, landing_doc(), |d| {
        d.as_object_mut().unwrap().remove("inputs");
    });
    assert_field(&e, "inputs", "[]");
    let e = refused(Kind::Landing, landing_doc(), |d| d["inputs"] = json!([]));
    assert_field(&e, "inputs", "[]");
}

#[test]
fn duplicate_output_lot() {
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["outputs"][1]["lot"] = json!("SD7-YFT")
    });
    assert_field(&e, "outputs[1].lot", "SD7-YFT");
    // The same (certificate, lot) twice in inputs.
    let e = refused(Kind::Landing, landing_doc(), |d| {
        let first = d["inputs"][0].clone();
        d["inputs"].as_array_mut().unwrap().push(first);
    });
    assert_field(&e, "inputs[1]", "SD7-YFT");
}

#[test]
fn bad_certificate_id_in_inputs() {
    let good = cert(2);
    for bad in [
        good.trim_start_matches("sha256:").to_string(),
        good.to_uppercase(),
        format!("{good}0"),
        good[..good.len() - 1].to_string(),
        "sha256:XYZ".to_string(),
    ] {
        let e = refused(Kind::Landing, landing_doc(), |d| {
            d["inputs"][0]["certificate"] = json!(bad)
        });
        assert_field(&e, "inputs[0].certificate", &bad);
    }
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["attestations"] = json!(["sha256:00"])
    });
    assert_field(&e, "attestations[0]", "sha256:00");
}

// ---------------------------------------------------------------------------------------------
// Crew and audits

#[test]
fn ilo_indicator_out_of_range() {
    for bad in [12, 0, 255, 256] {
        let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
            d["ilo_indicators"] = json!([3, bad])
        });
        assert_field(&e, "ilo_indicators", &bad.to_string());
    }
    let e = refused(Kind::FacilityAttestation, facility_doc(), |d| {
        d["ilo_indicators"] = json!([12])
    });
    assert_field(&e, "ilo_indicators", "12");
    // Repeats and order are normalised.
    let mut d = crew_doc();
    d["ilo_indicators"] = json!([11, 1, 11]);
    let b = build(Kind::CrewAttestation, &d);
    let catchcert_model::payload::Details::CrewAttestation(a) = b.payload.details() else {
        panic!("crew attestation")
    };
    assert_eq!(a.ilo_indicators, vec![1, 11]);
}

#[test]
fn rest_hours_not_whole_minutes() {
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["rest_hours"]["min_per_24h"] = json!(10.33)
    });
    assert_field(&e, "rest_hours.min_per_24h", "10.33");
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["rest_hours"]["min_per_7d"] = json!(77.01)
    });
    assert_field(&e, "rest_hours.min_per_7d", "77.01");
    for (field, bad) in [
        ("min_per_24h", 24.5),
        ("min_per_24h", -1.0),
        ("min_per_7d", 168.25),
    ] {
        let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
            d["rest_hours"][field] = json!(bad)
        });
        assert_field(&e, &format!("rest_hours.{field}"), &bad.to_string());
    }
    // 10.25 hours is 615 minutes.
    let mut d = crew_doc();
    d["rest_hours"]["min_per_24h"] = json!(10.25);
    let b = build(Kind::CrewAttestation, &d);
    let catchcert_model::payload::Details::CrewAttestation(a) = b.payload.details() else {
        panic!("crew attestation")
    };
    assert_eq!(a.rest.min_per_24h, 615);
    assert_eq!(a.rest.min_per_7d, 4650);
}

#[test]
fn unknown_wage_method() {
    let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
        d["crew"][1]["wage_method"] = json!("paypal")
    });
    assert_field(&e, "crew[1].wage_method", "paypal");
}

#[test]
fn bad_audit_date() {
    for bad in [
        "2026-02-30",
        "27/02/2026",
        "2026-2-27",
        "2026-02-27T00:00:00Z",
        "1969-12-31",
    ] {
        let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
            d["audit"]["date"] = json!(bad)
        });
        assert_field(&e, "audit.date", bad);
    }
    let e = refused(Kind::FacilityAttestation, facility_doc(), |d| {
        d["audit"]["date"] = json!("")
    });
    assert_eq!(e.field, "audit.date", "{e}");
}

#[test]
fn unknown_audit_method() {
    for bad in ["external", "Third_Party", "third-party", ""] {
        let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
            d["audit"]["method"] = json!(bad)
        });
        assert_field(&e, "audit.method", bad);
    }
}

// ---------------------------------------------------------------------------------------------
// Crew disclosure

#[test]
fn crew_disclosure_matches_only_the_unchanged_entries() {
    let built = build(Kind::CrewAttestation, &crew_doc());
    let payload = built.payload;
    let mut d = built
        .disclosure
        .expect("a crew attestation has a disclosure");
    assert_eq!(d.certificate, None, "filled in after signing");
    assert_eq!(d.vessel_imo, "IMO9074729");
    assert_eq!(d.crew.len(), 2);
    // The clear names are only in the disclosure, never in the payload.
    let cbor = payload.to_cbor();
    assert!(!cbor.windows(8).any(|w| w == b"Aung Min"));

    let id = CertId::of_cose(b"the signed crew attestation");
    d.certificate = Some(id);
    assert_eq!(crew::check_disclosure(id, &payload, &d), Ok(()));

    let entry_err = |r: Result<(), DisclosureError>, index: usize| match r {
        Err(DisclosureError::Entry { index: i, .. }) => assert_eq!(i, index),
        other => panic!("expected an entry error at {index}, got {other:?}"),
    };

    let mut m = d.clone();
    m.crew[1].entry.name = "Aung Min Htet".into();
    entry_err(crew::check_disclosure(id, &payload, &m), 1);

    let mut m = d.clone();
    m.crew[0].entry.nationality = "MMR".into();
    entry_err(crew::check_disclosure(id, &payload, &m), 0);

    // Each boolean flag changed on its own.
    let mut m = d.clone();
    m.crew[1].entry.recruitment_fee_paid = false;
    entry_err(crew::check_disclosure(id, &payload, &m), 1);
    let mut m = d.clone();
    m.crew[1].entry.holds_own_documents = true;
    entry_err(crew::check_disclosure(id, &payload, &m), 1);
    let mut m = d.clone();
    m.crew[0].entry.written_agreement = false;
    entry_err(crew::check_disclosure(id, &payload, &m), 0);

    let mut m = d.clone();
    m.crew[0].entry.wage_method = "cash".into();
    entry_err(crew::check_disclosure(id, &payload, &m), 0);

    let mut m = d.clone();
    m.crew[0].salt = hex::encode([0xeeu8; 16]);
    entry_err(crew::check_disclosure(id, &payload, &m), 0);
    let mut m = d.clone();
    m.crew[0].salt = "not hex".into();
    entry_err(crew::check_disclosure(id, &payload, &m), 0);

    // Swapped salts (each entry with the other's salt).
    let mut m = d.clone();
    let s0 = m.crew[0].salt.clone();
    m.crew[0].salt = m.crew[1].salt.clone();
    m.crew[1].salt = s0;
    entry_err(crew::check_disclosure(id, &payload, &m), 0);

    let mut m = d.clone();
    m.crew.pop();
    assert_eq!(
        crew::check_disclosure(id, &payload, &m),
        Err(DisclosureError::Count {
            certificate: 2,
            disclosure: 1
        })
    );

    // The same entry twice in place of the other.
    let mut m = d.clone();
    m.crew[1] = m.crew[0].clone();
    entry_err(crew::check_disclosure(id, &payload, &m), 0);

    let mut m = d.clone();
    m.crew[1].index = 2;
    entry_err(crew::check_disclosure(id, &payload, &m), 2);

    let other = CertId::of_cose(b"another certificate");
    assert_eq!(
        crew::check_disclosure(other, &payload, &d),
        Err(DisclosureError::WrongCertificate {
            disclosed: id,
            actual: other
        })
    );

    // A disclosure is only checked against crew attestations.
    let catch = build(Kind::Catch, &catch_doc()).payload;
    assert!(matches!(
        crew::check_disclosure(id, &catch, &d),
        Err(DisclosureError::NotCrewAttestation(_))
    ));
}

#[test]
fn crew_commitments_are_salted() {
    // The same crew with other salts gives other commitments.
    let a = build(Kind::CrewAttestation, &crew_doc());
    let mut salt = || [0x5a; 16];
    let mut n = 0u8;
    let mut fresh = || {
        n = n.wrapping_add(1);
        [n.wrapping_mul(37); 16]
    };
    let doc = crew_doc().to_string();
    let b = input::build(
        Kind::CrewAttestation,
        doc.as_bytes(),
        issued_at(),
        &CodeLists::default(),
        &mut fresh,
    )
    .unwrap();
    let commitments = |p: &catchcert_model::Payload| match p.details() {
        catchcert_model::payload::Details::CrewAttestation(c) => {
            c.crew.iter().map(|m| m.commitment).collect::<Vec<_>>()
        }
        _ => panic!("crew attestation"),
    };
    let (ca, cb) = (commitments(&a.payload), commitments(&b.payload));
    assert_ne!(ca[0], cb[0]);
    assert_ne!(ca[1], cb[1]);
    // One salt for every entry: equal entries would collide, distinct ones do not.
    let c = input::build(
        Kind::CrewAttestation,
        doc.as_bytes(),
        issued_at(),
        &CodeLists::default(),
        &mut salt,
    )
    .unwrap();
    let cc = commitments(&c.payload);
    assert_ne!(cc[0], cc[1]);
}

/// The three forms follow the one field table: the CBOR map and the JSON output carry
/// exactly the kind's table fields (plus the common ones), and the JSON output, read back
/// as input, gives the same payload.
#[test]
fn the_forms_of_a_payload_follow_the_field_table() {
    use catchcert_model::cbor;
    use catchcert_model::fields;
    use catchcert_model::json::payload_to_json;
    let docs = [
        (Kind::CrewAttestation, crew_doc()),
        (Kind::FacilityAttestation, facility_doc()),
        (Kind::Catch, catch_doc()),
        (Kind::Landing, landing_doc()),
        (Kind::Transshipment, transshipment_doc()),
        (Kind::Transshipment, {
            let mut d = transshipment_doc();
            d["at_sea"] = json!(false);
            d["port"] = json!("THBKK");
            d
        }),
    ];
    for (kind, doc) in docs {
        let p = build(kind, &doc).payload;
        // An optional field without a value is absent from both forms.
        let table: Vec<&fields::FieldSpec> = fields::table(kind)
            .iter()
            .filter(|f| f.codec != fields::Codec::OptPort || doc.get(f.json).is_some())
            .collect();
        let cbor::Value::Map(entries) = p.to_value() else {
            panic!("{kind}: payload is not a map");
        };
        let cbor_keys: Vec<String> = entries
            .iter()
            .map(|(k, _)| match k {
                cbor::Value::Text(t) => t.clone(),
                other => panic!("{kind}: key {other:?}"),
            })
            .collect();
        let mut want: Vec<String> = ["v", "kind", "time", "issued_at"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        want.extend(table.iter().map(|f| f.cbor.to_string()));
        assert_eq!(cbor_keys, want, "{kind}");

        let Value::Object(out) = payload_to_json(&p) else {
            panic!("{kind}: JSON output is not an object");
        };
        let mut json_keys: Vec<&str> = out.keys().map(String::as_str).collect();
        let mut want: Vec<&str> = vec!["kind", "time", "issued_at"];
        want.extend(table.iter().map(|f| f.json));
        json_keys.sort_unstable();
        want.sort_unstable();
        assert_eq!(json_keys, want, "{kind}");

        // Crew entries are output as commitments, not as the clear input entries.
        if kind != Kind::CrewAttestation {
            let mut again = out.clone();
            again.remove("kind");
            again.remove("issued_at");
            let back = build(kind, &Value::Object(again)).payload;
            assert_eq!(back, p, "{kind}");
        }
    }
}
// ---------------------------------------------------------------------------------------------
// Lot ids (GS1 AI (10), contract §3)

#[test]
fn lot_ids_use_gs1_character_set_82() {
    // every character of set 82 is accepted (in lots of at most 20 characters)
    let set82: String = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain("!\"%&'()*+,-./:;<=>?_".chars())
        .collect();
    assert_eq!(set82.chars().count(), 82);
    let chars: Vec<char> = set82.chars().collect();
    for chunk in chars.chunks(20) {
        let lot: String = chunk.iter().collect();
        let mut doc = catch_doc();
        doc["outputs"][0]["lot"] = json!(lot);
        let b = build(Kind::Catch, &doc);
        assert_eq!(b.payload.outputs()[0].lot, lot);
        // and through the CBOR encoding
        let back = catchcert_model::Payload::from_cbor(&b.payload.to_cbor()).unwrap();
        assert_eq!(back.outputs()[0].lot, lot);
    }
    let twenty = "A".repeat(20);
    let mut doc = catch_doc();
    doc["outputs"][0]["lot"] = json!(twenty);
    build(Kind::Catch, &doc);

    for (bad, shown) in [
        ("SD7\u{200B}YFT", "\\u{200b}"),         // zero-width space
        ("SD7-\u{0420}FT", "SD7-"),              // Cyrillic Er, looks like a Latin P
        ("SD7 YFT", "SD7 YFT"),                  // space
        ("ABCDEFGHIJKLMNOPQRSTU", "ABCDEFGHIJ"), // 21 characters
        ("", ""),
        ("SD7#YFT", "SD7#YFT"), // '#' is not in set 82
        ("SD7-\u{e9}", "SD7-"), // Latin-1 letter
    ] {
        let e = refused(Kind::Catch, catch_doc(), |d| {
            d["outputs"][0]["lot"] = json!(bad)
        });
        assert_field(&e, "outputs[0].lot", shown);
        let e = refused(Kind::Landing, landing_doc(), |d| {
            d["inputs"][0]["lot"] = json!(bad)
        });
        assert_field(&e, "inputs[0].lot", shown);
    }
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["outputs"][0]["lot"] = json!("ABCDEFGHIJKLMNOPQRSTU")
    });
    assert!(e.reason.contains("21 characters"), "{e}");
    let e = refused(Kind::Catch, catch_doc(), |d| {
        d["outputs"][0]["lot"] = json!("SD7\u{200B}YFT")
    });
    assert!(e.reason.contains("U+200B"), "{e}");
}

#[test]
fn a_lot_id_outside_set_82_is_refused_at_decode() {
    for bad in [
        "SD7\u{200B}YFT",
        "SD7-\u{0420}FT",
        "SD7 YFT",
        "ABCDEFGHIJKLMNOPQRSTU",
    ] {
        // A validated payload cannot hold such a lot id: edit its CBOR value.
        let mut v = build(Kind::Catch, &catch_doc()).payload.to_value();
        set_output_lot(&mut v, bad);
        let e =
            catchcert_model::Payload::from_cbor(&catchcert_model::cbor::to_vec(&v)).unwrap_err();
        assert!(e.to_string().contains("outputs[0].lot"), "{bad:?}: {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// In-port transshipments name their port (contract §3)

#[test]
fn an_in_port_transshipment_needs_a_port() {
    // at sea: no port needed
    build(Kind::Transshipment, &transshipment_doc());
    // in port without a port: refused, naming the field
    let mut in_port = transshipment_doc();
    in_port["at_sea"] = json!(false);
    let e = try_build(Kind::Transshipment, &in_port).unwrap_err();
    assert_eq!(e.field, "port", "{e}");
    assert!(e.reason.contains("in-port"), "{e}");
    // with its port: accepted and kept through CBOR
    in_port["port"] = json!("THBKK");
    let b = build(Kind::Transshipment, &in_port);
    let back = catchcert_model::Payload::from_cbor(&b.payload.to_cbor()).unwrap();
    match back.step() {
        Some(catchcert_model::payload::Step::Transshipment(t)) => {
            assert!(!t.at_sea);
            assert_eq!(t.port.as_deref(), Some("THBKK"));
        }
        d => panic!("{d:?}"),
    }
    // a port that is not a UN/LOCODE
    let e = refused(Kind::Transshipment, in_port.clone(), |d| {
        d["port"] = json!("Bangkok")
    });
    assert_field(&e, "port", "Bangkok");
    // a signed payload that says in port without a port does not decode
    let mut v = b.payload.to_value();
    if let catchcert_model::cbor::Value::Map(entries) = &mut v {
        entries.retain(|(k, _)| *k != catchcert_model::cbor::Value::Text("port".into()));
    }
    let e = catchcert_model::Payload::from_cbor(&catchcert_model::cbor::to_vec(&v)).unwrap_err();
    assert!(e.to_string().contains("port"), "{e}");
    // an at-sea transshipment without a port still encodes without the key
    let at_sea = build(Kind::Transshipment, &transshipment_doc()).payload;
    let cbor = at_sea.to_cbor();
    assert!(!cbor.windows(4).any(|w| w == b"port"), "no port key at sea");
}

/// Replace `outputs[0].lot` in a payload's CBOR value.
fn set_output_lot(v: &mut catchcert_model::cbor::Value, lot: &str) {
    use catchcert_model::cbor::Value as C;
    let C::Map(entries) = v else {
        panic!("not a map")
    };
    for (k, val) in entries.iter_mut() {
        if *k == C::Text("outputs".into()) {
            let C::Array(outs) = val else {
                panic!("outputs")
            };
            let C::Map(out) = &mut outs[0] else {
                panic!("outputs[0]")
            };
            for (k2, v2) in out.iter_mut() {
                if *k2 == C::Text("lot".into()) {
                    *v2 = C::Text(lot.into());
                }
            }
        }
    }
}

/// A crew member's name is personal data: a refused name is not echoed in the error.
#[test]
fn a_refused_crew_name_is_not_echoed() {
    for bad in [
        "Somchai\u{7}Prasert".to_string(),
        format!("Somchai Prasert {}", "x".repeat(300)),
    ] {
        let e = refused(Kind::CrewAttestation, crew_doc(), |d| {
            d["crew"][0]["name"] = json!(bad);
        });
        assert_eq!(e.field, "crew[0].name");
        assert!(!e.to_string().contains("Somchai"), "{e}");
    }
}
