//! `catchcert import epcis` and `verify --epcis` end to end through the binary, on a small
//! truthful GDST document written here: strict import signs one certificate per event, the
//! set verifies, the unchanged document gives no `epcis.mismatch`, an edited quantity or time
//! does; a document missing a required KDE is refused whole, naming it, with nothing written.

use serde_json::{Value, json};
use std::path::Path;
mod supply_common;

use supply_common::{ok, programme, run};

const OWNER: &str = "urn:gdst:example.org:party:seaharvest.1";

const CLASS: &str = "urn:gdst:example.org:product:lot:class:seaharvest.yft.SH7-0302";

fn document() -> Value {
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
                     {"gdst": "https://traceability-dialogue.org/epcis"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-06T00:00:00Z",
        "epcisHeader": {"epcisMasterData": {"vocabularyList": [{
            "type": "urn:epcglobal:epcis:vtype:epcclass",
            "vocabularyElementList": [{
                "id": "urn:gdst:example.org:product:class:seaharvest.yft",
                "attributes": [{"id": "urn:epcglobal:cbv:mda#speciesForFisheryStatisticsPurposesCode", "attribute": "YFT"}]
            }]
        }]}},
        "epcisBody": {"eventList": [
            {
                "type": "ObjectEvent", "eventID": "urn:uuid:fishing-1",
                "eventTime": "2026-03-02T06:00:00.000Z", "eventTimeZoneOffset": "+00:00",
                "action": "ADD", "bizStep": "urn:gdst:bizStep:fishingEvent", "disposition": "active",
                "bizLocation": {"id": "urn:epc:id:sgln:0614141.07346.0"},
                "quantityList": [{"epcClass": CLASS, "quantity": 1200.0, "uom": "KGM"}],
                "ilmd": {
                    "cbvmda:vesselCatchInformationList": {"cbvmda:vesselCatchInformation": [{
                        "cbvmda:vesselName": "Sea Harvest 7", "gdst:imoNumber": "IMO9074729",
                        "cbvmda:vesselFlagState": "TW", "cbvmda:catchArea": "urn:gdst:fao:71",
                        "cbvmda:fishingGearTypeCode": "urn:gdst:gear:9.32",
                        "gdst:vesselTripDate": "2026-03-01T04:00:00Z"
                    }]},
                    "cbvmda:productionMethodForFishAndSeafoodCode": "MARINE_FISHERY"
                },
                "gdst:productOwner": OWNER, "cbvmda:informationProvider": OWNER,
                "gdst:humanWelfarePolicy": "3P Audit"
            },
            {
                "type": "ObjectEvent", "eventID": "urn:uuid:landing-1",
                "eventTime": "2026-03-05T08:00:00.000Z", "eventTimeZoneOffset": "+07:00",
                "action": "OBSERVE", "bizStep": "urn:gdst:bizStep:landing", "disposition": "active",
                "bizLocation": {"id": "urn:epc:id:sgln:0614141.07346.1"},
                "quantityList": [{"epcClass": CLASS, "quantity": 1200.0, "uom": "KGM"}],
                "cbvmda:unloadingPort": "THHKT",
                "gdst:productOwner": OWNER, "cbvmda:informationProvider": OWNER,
                "gdst:humanWelfarePolicy": "3P Audit"
            }
        ]}
    })
}

fn write(dir: &Path, name: &str, v: &Value) {
    std::fs::write(dir.join(name), serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

fn verify(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["verify", "certs", "--trust", "root.pem", "--json"];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn strict_import_signs_each_event_and_verify_epcis_catches_an_edit() {
    let d = programme(&format!("parties = [\"{OWNER}\"]\n"));
    let p = d.path();
    write(p, "gdst.jsonld", &document());
    let out = ok(
        p,
        &[
            "import",
            "epcis",
            "gdst.jsonld",
            "--keys",
            "keys.toml",
            "--out",
            "certs",
            "--report",
            "r.json",
        ],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    let report: Value = serde_json::from_slice(&std::fs::read(p.join("r.json")).unwrap()).unwrap();
    assert_eq!(
        report["certificates"].as_array().unwrap().len(),
        2,
        "{report}"
    );
    assert_eq!(report["certificates"][0]["kind"], "catch");
    assert_eq!(report["certificates"][1]["kind"], "landing");
    let landing_id = report["certificates"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The chain verifies (integrity valid; labour risk is unknown without attestations).
    let (code, v) = verify(p, &[]);
    assert_eq!(v["integrity"], "valid", "{v:#}");
    assert_eq!(v["head"], landing_id.as_str());
    assert_ne!(code, 4);

    // The truthful document: no epcis.mismatch.
    let (_, v) = verify(p, &["--epcis", "gdst.jsonld"]);
    assert!(!codes(&v).contains(&"epcis.mismatch".to_string()), "{v:#}");
    assert_eq!(v["integrity"], "valid");

    // The landing's quantity edited after signing: epcis.mismatch on the landing, invalid.
    let mut edited = document();
    edited["epcisBody"]["eventList"][1]["quantityList"][0]["quantity"] = json!(1100.0);
    write(p, "edited.jsonld", &edited);
    let (code, v) = verify(p, &["--epcis", "edited.jsonld"]);
    assert_eq!(code, 4, "{v:#}");
    let f: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "epcis.mismatch")
        .collect();
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["certificate"], landing_id.as_str());
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("urn:uuid:landing-1")
    );

    // The catch's time edited: epcis.mismatch on the catch.
    let mut edited = document();
    edited["epcisBody"]["eventList"][0]["eventTime"] = json!("2026-03-02T07:00:00.000Z");
    write(p, "edited2.jsonld", &edited);
    let (_, v) = verify(p, &["--epcis", "edited2.jsonld"]);
    assert_eq!(
        codes(&v).iter().filter(|c| *c == "epcis.mismatch").count(),
        1,
        "{v:#}"
    );
}

#[test]
fn strict_import_refuses_a_missing_kde_and_writes_nothing() {
    let d = programme(&format!("parties = [\"{OWNER}\"]\n"));
    let p = d.path();
    let mut doc = document();
    let info = &mut doc["epcisBody"]["eventList"][0]["ilmd"]["cbvmda:vesselCatchInformationList"]["cbvmda:vesselCatchInformation"]
        [0];
    info.as_object_mut().unwrap().remove("gdst:imoNumber");
    write(p, "bad.jsonld", &doc);
    let out = run(
        p,
        &[
            "import",
            "epcis",
            "bad.jsonld",
            "--keys",
            "keys.toml",
            "--out",
            "certs",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("urn:uuid:fishing-1") && err.contains("gdst:imoNumber"),
        "{err}"
    );
    assert!(
        !p.join("certs").exists() || std::fs::read_dir(p.join("certs")).unwrap().next().is_none()
    );

    // --lenient maps nothing that depends on the bad event, and says so.
    let out = run(
        p,
        &[
            "import",
            "epcis",
            "bad.jsonld",
            "--keys",
            "keys.toml",
            "--out",
            "certs",
            "--lenient",
            "--report",
            "r.json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&std::fs::read(p.join("r.json")).unwrap()).unwrap();
    assert_eq!(
        report["certificates"].as_array().unwrap().len(),
        0,
        "{report}"
    );
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kde"] == "gdst:imoNumber")
    );
}

#[test]
fn every_gdst_vector_imports_leniently() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/epcis/gdst");
    if !dir.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} missing",
            dir.display()
        );
        eprintln!("notice: {} absent; skipping", dir.display());
        return;
    }
    let d = programme(&format!("parties = [\"{OWNER}\"]\n"));
    let p = d.path();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("jsonld") {
            continue;
        }
        let file = path.to_str().unwrap();
        // Strict: refused (each lacks something the contract needs), nothing written.
        let out = run(
            p,
            &[
                "import",
                "epcis",
                file,
                "--keys",
                "keys.toml",
                "--out",
                "strict",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(!p.join("strict").exists(), "{file}");
        // Lenient: succeeds and reports.
        let out = run(
            p,
            &[
                "import",
                "epcis",
                file,
                "--keys",
                "keys.toml",
                "--out",
                "lenient",
                "--lenient",
                "--report",
                "r.json",
            ],
        );
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value =
            serde_json::from_slice(&std::fs::read(p.join("r.json")).unwrap()).unwrap();
        assert!(!report["problems"].as_array().unwrap().is_empty(), "{file}");
    }
}

/// The GS1 EPCIS 2.0 JSON schema from ../shared (None with a notice when absent).
fn gs1_schema() -> Option<Value> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/epcis/gs1/EPCIS-JSON-Schema.json");
    if !p.is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} missing",
            p.display()
        );
        eprintln!("notice: {} absent; schema check skipped", p.display());
        return None;
    }
    Some(serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
}

#[test]
fn export_restores_every_mapped_kde_and_validates_against_the_gs1_schema() {
    let d = programme(&format!("parties = [\"{OWNER}\"]\n"));
    let p = d.path();
    write(p, "gdst.jsonld", &document());
    ok(
        p,
        &[
            "import",
            "epcis",
            "gdst.jsonld",
            "--keys",
            "keys.toml",
            "--out",
            "certs",
            "--report",
            "r.json",
        ],
    );
    let report: Value = serde_json::from_slice(&std::fs::read(p.join("r.json")).unwrap()).unwrap();
    let head = report["certificates"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let catch_id = report["certificates"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        p,
        &[
            "export",
            "epcis",
            "--head",
            &head,
            "--from",
            "certs",
            "--out",
            "out.jsonld",
            "--trust",
            "root.pem",
        ],
    );
    let out: Value = serde_json::from_slice(&std::fs::read(p.join("out.jsonld")).unwrap()).unwrap();

    if let Some(schema) = gs1_schema() {
        let v = jsonschema::draft7::new(&schema).unwrap();
        let errors: Vec<String> = v
            .iter_errors(&out)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{out:#}");
        // The check can fail: an event without its required eventTime is refused.
        let mut broken = out.clone();
        broken["epcisBody"]["eventList"][0]
            .as_object_mut()
            .unwrap()
            .remove("eventTime");
        assert!(!v.is_valid(&broken));
    }

    let events = out["epcisBody"]["eventList"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    let orig = document();
    let (fishing, landing) = (&events[0], &events[1]);
    // Parents first; certificate ids and recorded hashes.
    assert_eq!(fishing["certificationInfo"], catch_id.as_str());
    assert_eq!(landing["certificationInfo"], head.as_str());
    let hashes = recorded_hashes(&orig);
    assert_eq!(fishing["catchcert:eventHash"], hashes[0].as_str());
    assert_eq!(landing["catchcert:eventHash"], hashes[1].as_str());
    // Every mapped KDE survives.
    for (k, o) in [
        (fishing, &orig["epcisBody"]["eventList"][0]),
        (landing, &orig["epcisBody"]["eventList"][1]),
    ] {
        for key in [
            "type",
            "eventID",
            "bizStep",
            "disposition",
            "bizLocation",
            "gdst:productOwner",
            "cbvmda:informationProvider",
            "quantityList",
        ] {
            assert_eq!(k[key], o[key], "{key}");
        }
    }
    let vci = |e: &Value| {
        e["ilmd"]["cbvmda:vesselCatchInformationList"]["cbvmda:vesselCatchInformation"][0].clone()
    };
    let (a, b) = (vci(fishing), vci(&orig["epcisBody"]["eventList"][0]));
    for key in [
        "gdst:imoNumber",
        "cbvmda:catchArea",
        "cbvmda:fishingGearTypeCode",
    ] {
        assert_eq!(a[key], b[key], "{key}");
    }
    assert_eq!(a["gdst:vesselTripDate"], "2026-03-01T04:00:00Z");
    assert_eq!(landing["cbvmda:unloadingPort"], "THHKT");
    assert_eq!(fishing["eventTime"], "2026-03-02T06:00:00Z");
}

/// The CBV 2.0 hashes a fresh import of `doc` records in its certificates (read back with
/// `inspect --json`), in event order.
fn recorded_hashes(doc: &Value) -> Vec<String> {
    let d = programme(&format!("parties = [\"{OWNER}\"]\n"));
    let p = d.path();
    write(p, "x.jsonld", doc);
    let mut out = Vec::new();
    for id in ok(
        p,
        &[
            "import",
            "epcis",
            "x.jsonld",
            "--keys",
            "keys.toml",
            "--out",
            "c",
        ],
    )
    .lines()
    {
        let id = id.split_whitespace().next().unwrap();
        let file = p
            .join("c")
            .join(format!("{}.cose", id.trim_start_matches("sha256:")));
        let j = ok(p, &["inspect", file.to_str().unwrap(), "--json"]);
        let v: Value = serde_json::from_str(&j).unwrap();
        out.push(find_hash(&v).unwrap_or_else(|| panic!("no epcis.event_hash in {v:#}")));
    }
    out
}

fn find_hash(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(h)) = m.get("event_hash") {
                return Some(h.clone());
            }
            m.values().find_map(find_hash)
        }
        Value::Array(a) => a.iter().find_map(find_hash),
        _ => None,
    }
}

/// `gdst_data_withmasterdata.jsonld` (../shared) with the flaws that keep it from a strict
/// import corrected in memory (docs/gdst.md, "The GDST vectors"), reduced to its wild branch:
/// fishing → transshipment → landing → receiving at the processor. Corrections: the
/// fisherman's product class gets its species code (`YFT`), the carrier vessel a 7-digit IMO
/// number with a valid check digit (`IMO9321483` for "IMO987654321") and an FAO area in its
/// location master data (`urn:gdst:fao:47`, where its `readPoint` lies), the landing a
/// UN/LOCODE (`USSAN`, San Diego, for "PORTSD"). Every other field is the vector's.
fn completed_wild_branch() -> Option<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/epcis/gdst/gdst_data_withmasterdata.jsonld");
    if !path.is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} missing",
            path.display()
        );
        eprintln!("notice: {} absent; skipping", path.display());
        return None;
    }
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for v in doc["epcisHeader"]["epcisMasterData"]["vocabularyList"]
        .as_array_mut()
        .unwrap()
    {
        for el in v["vocabularyElementList"].as_array_mut().unwrap() {
            let id = el["id"].as_str().unwrap().to_string();
            let attrs = el["attributes"].as_array_mut().unwrap();
            match id.as_str() {
                "urn:gdst:example.org:product:class:fisherman01.tunau" => attrs.push(json!({
                    "id": "urn:epcglobal:cbv:mda#speciesForFisheryStatisticsPurposesCode",
                    "attribute": "YFT"
                })),
                "urn:epc:id:sgln:08600031303.3.1" => {
                    for a in attrs.iter_mut() {
                        if a["id"] == "urn:gdst:kde#imoNumber" {
                            a["attribute"] = json!("IMO9321483");
                        }
                    }
                    attrs.push(json!({"id": "urn:epcglobal:cbv:mda#catchArea", "attribute": "urn:gdst:fao:47"}));
                }
                _ => {}
            }
        }
    }
    let keep = [
        "urn:uuid:2fbb3592-c9fa-47ca-b419-b35528fee66fU",
        "urn:uuid:f281edee-11e5-414c-a662-4baaac767353U",
        "urn:uuid:cb3da244-df7f-40e5-a58c-35748019c463U",
        "urn:uuid:910fa13a-77ac-45e8-a37a-66543cf539d6U",
    ];
    let events = doc["epcisBody"]["eventList"].as_array_mut().unwrap();
    events.retain(|e| keep.contains(&e["eventID"].as_str().unwrap_or_default()));
    for e in events.iter_mut() {
        if e["bizStep"] == "urn:gdst:bizStep:landing" {
            e["cbvmda:unloadingPort"] = json!("USSAN");
        }
    }
    assert_eq!(events.len(), 4);
    Some(doc)
}

#[test]
fn a_completed_gdst_vector_imports_strictly_and_verifies() {
    let Some(doc) = completed_wild_branch() else {
        return;
    };
    // The fisherman's issuer speaks for its vessel and for the carrier it transships to and
    // lands from (the landing's product owner is the fisherman, and the contract wants the
    // holding vessel's operator to sign a landing); a processor issuer for the plant.
    let d = programme("parties = [\"urn:gdst:example.org:party:fisherman01.1u\"]\n");
    let p = d.path();
    ok(p, &["keygen", "--out", "fisher.key"]);
    ok(p, &["keygen", "--out", "plant.key"]);
    for (key, role, bind, out) in [
        (
            "fisher.pub",
            "vessel",
            &["--vessel", "IMO12345678", "--vessel", "IMO9321483"][..],
            "fisher.pem",
        ),
        (
            "plant.pub",
            "processor",
            &["--party", "urn:gdst:example.org:party:processor.1u"][..],
            "plant.pem",
        ),
    ] {
        let mut args = vec![
            "pki",
            "issue",
            "--ca-key",
            "root.key",
            "--ca-cert",
            "root.pem",
            "--subject-key",
            key,
            "--subject",
            "CN=GDST,O=GDST",
            "--role",
            role,
            "--not-before",
            supply_common::NOT_BEFORE,
            "--out",
            out,
        ];
        args.extend_from_slice(bind);
        ok(p, &args);
    }
    std::fs::write(
        p.join("gdst-keys.toml"),
        "[signers.fisher]\nkey = \"fisher.key\"\ncert = \"fisher.pem\"\nparties = [\"urn:gdst:example.org:party:fisherman01.1u\"]\n\
         [signers.plant]\nkey = \"plant.key\"\ncert = \"plant.pem\"\nparties = [\"urn:gdst:example.org:party:processor.1u\"]\n",
    )
    .unwrap();
    write(p, "wild.jsonld", &doc);
    // Strict (the default): one certificate per event, in chain order.
    ok(
        p,
        &[
            "import",
            "epcis",
            "wild.jsonld",
            "--keys",
            "gdst-keys.toml",
            "--out",
            "certs",
            "--report",
            "r.json",
        ],
    );
    let report: Value = serde_json::from_slice(&std::fs::read(p.join("r.json")).unwrap()).unwrap();
    let kinds: Vec<&str> = report["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["catch", "transshipment", "landing", "receipt"],
        "{report:#}"
    );
    assert!(report["problems"].as_array().unwrap().is_empty());
    assert!(report["skipped"].as_array().unwrap().is_empty());
    let head = report["certificates"][3]["id"].as_str().unwrap();
    // `verify` gives the chain's verdict; the unchanged document matches every certificate.
    let (code, v) = verify(p, &["--epcis", "wild.jsonld"]);
    assert_eq!(v["head"], head, "{v:#}");
    assert_eq!(v["integrity"], "valid", "{v:#}");
    assert!(!codes(&v).contains(&"epcis.mismatch".to_string()), "{v:#}");
    assert_ne!(code, 4, "{v:#}");
}
