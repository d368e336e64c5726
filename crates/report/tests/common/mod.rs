//! What the report tests share: the fixtures, verified as their `expected.json` says.

#![allow(dead_code)]

use catchcert_model::bundle::Bundle;
use catchcert_model::{CertId, Timestamp};
pub use catchcert_testkit::cose_files;
use catchcert_verify::chain::{Limits, verify_bundle, verify_screened};
use catchcert_verify::findings::Verdict;
use catchcert_verify::path::TrustAnchors;
use std::path::{Path, PathBuf};

/// Crew names of the demo programme: they are in no certificate (crew are commitments)
/// and must never be on a page.
pub const CREW_NAMES: [&str; 3] = ["Ahmad Suryadi", "Juan Dela Cruz", "Chen Wei"];

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn anchors() -> TrustAnchors {
    let path = fixtures().join("trust/root.pem");
    let pem = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (generate the fixtures)", path.display()));
    TrustAnchors::from_pem(&pem).unwrap()
}

pub struct Expected {
    pub head: CertId,
    pub at: Timestamp,
    pub codes: Vec<String>,
}

fn expected(path: &Path) -> Expected {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    Expected {
        head: v["head"].as_str().unwrap().parse().unwrap(),
        at: Timestamp::parse_rfc3339(v["at"].as_str().unwrap()).unwrap(),
        codes: v["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect(),
    }
}

/// The demo's loins bundle: its verdict, certificates and time.
pub fn demo() -> (Verdict, Vec<Vec<u8>>, Timestamp) {
    let e = expected(&fixtures().join("demo/loins.expected.json"));
    let bytes = std::fs::read(fixtures().join("demo/loins.bundle")).unwrap();
    let bundle = Bundle::from_bytes(&bytes).unwrap();
    let v = verify_bundle(&bundle, Some(e.head), &anchors(), e.at, &Limits::default());
    (v, bundle.certificates, e.at)
}

/// Every case directory under `fixtures/cases`, sorted.
pub fn case_dirs() -> Vec<PathBuf> {
    let root = fixtures().join("cases");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// One case: its verdict, certificates, time and expected codes.
pub fn case(dir: &Path) -> (Verdict, Vec<Vec<u8>>, Timestamp, Vec<String>) {
    let e = expected(&dir.join("expected.json"));
    let certs = cose_files(dir);
    let lists = catchcert_testkit::case_watchlists(dir);
    let mut v = verify_screened(
        &certs,
        &[],
        &lists,
        e.head,
        &anchors(),
        e.at,
        &Limits::default(),
    );
    // A log case (80 and up): its bundle's log proofs checked with the case's log trust.
    let raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    if let Some(l) = raw.get("log") {
        use catchcert_verify::logproof::{self, LogTrust};
        let key = |f: &serde_json::Value| {
            let pem = std::fs::read_to_string(dir.join(f.as_str().unwrap())).unwrap();
            catchcert_sign::keys::read_public_or_private(&pem).unwrap()
        };
        let bundle =
            Bundle::from_bytes(&std::fs::read(dir.join(l["bundle"].as_str().unwrap())).unwrap())
                .unwrap();
        let mut trust = LogTrust::new(key(&l["key"]));
        trust.origin = l["origin"].as_str().map(str::to_string);
        trust.witnesses = l["witnesses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| catchcert_tlog::WitnessKey::any_name(key(w)))
            .collect();
        trust.threshold = l["threshold"].as_u64().unwrap() as usize;
        let found = logproof::findings(&v, &bundle.certificates, &bundle.log_proofs, &trust);
        logproof::add_findings(&mut v, found);
    }
    // EPCIS cases (85 and up): the document beside the set, as `verify --epcis`.
    let epcis = dir.join("epcis.jsonld");
    if epcis.is_file() {
        let found = catchcert_verify::epcis::mismatches(&certs, &epcis_events(&epcis));
        catchcert_verify::epcis::add_findings(&mut v, found);
    }
    (v, certs, e.at, e.codes)
}

/// The events of an EPCIS document with their CBV 2.0 hashes, as the CLI computes them.
fn epcis_events(path: &Path) -> Vec<catchcert_verify::epcis::EventHash> {
    let text = std::fs::read_to_string(path).unwrap();
    catchcert_supply::epcis::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .hashed_events()
}
