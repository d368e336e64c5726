//! CBV 2.0 event hashes of the GS1 EPCIS examples (../shared/vectors/epcis/gs1/examples),
//! checked against an independent computation: GS1's reference implementation
//! (`python3 -m epcis_event_hash_generator`, PyPI `epcis-event-hash-generator`) when it is
//! installed. Without python3 or the module the comparison is skipped with a notice (under
//! `CI=true` it fails).

use catchcert_supply::epcis::Document;
use std::path::PathBuf;
use std::process::Command;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/epcis");
    if p.is_dir() {
        Some(p)
    } else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "../shared/vectors/epcis is missing"
        );
        eprintln!("notice: ../shared/vectors/epcis is absent; skipping");
        None
    }
}

/// The hashes the reference implementation prints for a file, or None if it is unavailable.
fn reference_hashes(file: &std::path::Path) -> Option<Vec<String>> {
    let out = Command::new("python3")
        .args(["-m", "epcis_event_hash_generator", "-l", "ERROR"])
        .arg(file)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let hashes: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("ni:///"))
        .map(str::to_string)
        .collect();
    if hashes.is_empty() {
        None
    } else {
        Some(hashes)
    }
}

/// The examples whose every field the catchcert hash covers (the `*_all_possible_fields`
/// files add sensor data and error declarations, whose reference rendering depends on a
/// JSON-LD expansion catchcert does not perform; they are hashed but not compared), with the
/// hashes GS1's reference implementation (epcis-event-hash-generator 1.9.3, PyPI) printed for
/// them — recorded so the comparison also runs where python3 or the module is absent; when the
/// module is installed the test runs it again and requires the same.
const COMPARED: [(&str, &[&str]); 4] = [
    (
        "Example_9.6.1-ObjectEvent.jsonld",
        &[
            "ni:///sha-256;df6523665bc5e5803d6c7b84f5a04e103694d8220f2abc4f2c74310e89f31bc6?ver=CBV2.0",
            "ni:///sha-256;32547b2344d525ea60ab1b899d82a9011fd9c39bb26ed936e113066146f49941?ver=CBV2.0",
        ],
    ),
    (
        "Example_9.6.2-ObjectEvent.jsonld",
        &[
            "ni:///sha-256;352ffde936674c01925b7686e6725cc7f66867d2843fcb4e7b0e38c96011a27f?ver=CBV2.0",
        ],
    ),
    (
        "Example_9.6.3-AggregationEvent.jsonld",
        &[
            "ni:///sha-256;96b6bf98742a60dbfaa2dda08b63435ce67079d224ea27d63e55e62a7843b878?ver=CBV2.0",
        ],
    ),
    (
        "Example_9.6.4-TransformationEvent.jsonld",
        &[
            "ni:///sha-256;c794227acf3a4d9be9ba1f8340425782f88a0f4e3f35b533a8bf8f1bc206a379?ver=CBV2.0",
        ],
    ),
];

#[test]
fn gs1_examples_match_the_reference_implementation() {
    let Some(dir) = shared() else { return };
    for (name, recorded) in COMPARED {
        let path = dir.join("gs1/examples").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = Document::parse(&text).unwrap();
        let ours = doc.event_hashes();
        assert_eq!(
            ours, recorded,
            "{name}: event hashes differ from GS1's reference"
        );
        match reference_hashes(&path) {
            Some(theirs) => {
                assert_eq!(ours, theirs, "{name}: differs from the installed reference")
            }
            None => eprintln!(
                "notice: python3 -m epcis_event_hash_generator unavailable; {name} compared with the recorded reference hashes only"
            ),
        }
    }
}

#[test]
fn every_example_and_gdst_document_hashes_and_edits_change_the_hash() {
    let Some(dir) = shared() else { return };
    for sub in ["gs1/examples", "gdst", "gdst/invalid"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("jsonld") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let doc = Document::parse(&text).unwrap();
            let hashes = doc.event_hashes();
            assert!(!hashes.is_empty(), "{}", path.display());
            for (i, h) in hashes.iter().enumerate() {
                assert!(catchcert_model::epcis::is_event_hash(h), "{h}");
                // Edit the event time: the hash must change.
                let mut ev = doc.events()[i].clone();
                ev["eventTime"] = serde_json::json!("1999-01-01T00:00:00Z");
                assert_ne!(&catchcert_supply::hash::event_hash(&ev, &doc.namespaces), h);
            }
        }
    }
}
