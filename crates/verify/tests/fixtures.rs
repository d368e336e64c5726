//! Data-driven verification of `fixtures/`: every case directory under `fixtures/cases/`
//! and the demo chain under `fixtures/demo/` (as a directory of `.cose` files and as
//! bundles) must get the verdict its `expected.json` states: integrity, risk, every
//! required finding code, and none of the codes listed as absent. A case's `watchlists/`
//! directory holds watch lists given to the verifier beside the set; an EPCIS case's
//! `epcis.jsonld` is the EPCIS document given beside it (as `verify --epcis`).
//!
//! The fixtures are written by `cargo xtask fixtures fixtures --force` (see
//! `fixtures/README.md`).

use catchcert_model::bundle::Bundle;
use catchcert_model::{CertId, Timestamp};
use catchcert_testkit::cose_files;
use catchcert_verify::chain::{
    DecodedSet, Limits, candidate_heads, lot_holders, verify, verify_bundle, verify_decoded,
    verify_screened,
};
use catchcert_verify::findings::{Code, Verdict};
use catchcert_verify::path::TrustAnchors;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    head: String,
    at: String,
    integrity: String,
    risk: String,
    codes: Vec<String>,
    absent: Vec<String>,
    description: String,
    /// Demo only: the bundle file with the same head.
    bundle: Option<String>,
    /// Demo only: the number of certificates in the head's graph.
    certificates: Option<usize>,
    /// Log cases (80 and up): the bundle with log proofs and the log trust to verify it with.
    log: Option<LogExpect>,
}

/// The `log` object of a log case: what `verify --log-key … --witness … --witness-threshold`
/// is given (file names relative to the case directory).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogExpect {
    bundle: String,
    key: String,
    origin: String,
    witnesses: Vec<String>,
    threshold: usize,
}

fn public_key(path: &Path) -> ed25519_dalek::VerifyingKey {
    let pem = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    catchcert_sign::keys::read_public_or_private(&pem)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The verdict of a log case: its bundle verified, then its log proofs checked with the
/// case's log key, origin, witness keys and threshold.
fn verify_logged(
    dir: &Path,
    l: &LogExpect,
    head: CertId,
    anchors: &TrustAnchors,
    at: Timestamp,
) -> Verdict {
    use catchcert_verify::logproof::{self, LogTrust};
    let file = dir.join(&l.bundle);
    let bundle = Bundle::from_bytes(&std::fs::read(&file).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert_eq!(bundle.head, head, "{}: head", file.display());
    let mut trust = LogTrust::new(public_key(&dir.join(&l.key)));
    trust.origin = Some(l.origin.clone());
    trust.witnesses = l
        .witnesses
        .iter()
        .map(|w| catchcert_tlog::WitnessKey::any_name(public_key(&dir.join(w))))
        .collect();
    trust.threshold = l.threshold;
    let mut v = verify_bundle(&bundle, Some(head), anchors, at, &Limits::default());
    let found = logproof::findings(&v, &bundle.certificates, &bundle.log_proofs, &trust);
    logproof::add_findings(&mut v, found);
    v
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn anchors() -> TrustAnchors {
    let path = fixtures().join("trust/root.pem");
    let pem = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (generate the fixtures)", path.display()));
    TrustAnchors::from_pem(&pem).unwrap()
}

fn read_expected(path: &Path) -> Expected {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Subdirectories of `fixtures/cases`, sorted.
fn case_dirs() -> Vec<PathBuf> {
    let root = fixtures().join("cases");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn codes_of(names: &[String], what: &str, file: &Path) -> Vec<Code> {
    names
        .iter()
        .map(|n| {
            Code::parse(n)
                .unwrap_or_else(|| panic!("{}: {what}: unknown code {n:?}", file.display()))
        })
        .collect()
}

fn show(v: &Verdict) -> String {
    let mut s = format!(
        "integrity {:?}, risk {}, {} certificates, findings:",
        v.integrity, v.risk, v.certificates
    );
    if v.findings.is_empty() {
        s += " none";
    }
    for f in &v.findings {
        s += &format!("\n      {} on {}: {}", f.code, f.certificate, f.message);
    }
    s
}

/// The differences between a verdict and what `e` (read from `file`) requires.
fn compare(v: &Verdict, e: &Expected, file: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let integrity = serde_json::to_value(v.integrity).unwrap();
    if integrity != e.integrity.as_str() {
        out.push(format!("integrity {integrity}, expected {}", e.integrity));
    }
    if v.risk.as_str() != e.risk {
        out.push(format!("risk {}, expected {}", v.risk, e.risk));
    }
    for c in codes_of(&e.codes, "codes", file) {
        if !v.has(c) {
            out.push(format!("required finding {c} is missing"));
        }
    }
    for c in codes_of(&e.absent, "absent", file) {
        if v.has(c) {
            out.push(format!("finding {c} must not appear"));
        }
    }
    if let Some(n) = e.certificates
        && v.certificates != n
    {
        out.push(format!("{} certificates, expected {n}", v.certificates));
    }
    out
}

fn head_and_at(e: &Expected, file: &Path) -> (CertId, Timestamp) {
    let head: CertId = e
        .head
        .parse()
        .unwrap_or_else(|_| panic!("{}: bad head {:?}", file.display(), e.head));
    let at = Timestamp::parse_rfc3339(&e.at)
        .unwrap_or_else(|_| panic!("{}: bad at {:?}", file.display(), e.at));
    (head, at)
}

/// The events of an EPCIS document with their CBV 2.0 hashes (crate catchcert-supply), as
/// the CLI gives them to the verifier for `--epcis`.
fn epcis_events(path: &Path) -> Vec<catchcert_verify::epcis::EventHash> {
    let text = std::fs::read_to_string(path).unwrap();
    catchcert_supply::epcis::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .hashed_events()
}

#[test]
fn every_case_gets_its_expected_verdict() {
    let anchors = anchors();
    let dirs = case_dirs();
    assert!(
        dirs.len() >= 24,
        "only {} case directories in fixtures/cases",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let file = dir.join("expected.json");
        let e = read_expected(&file);
        assert!(
            !e.description.trim().is_empty(),
            "{}: no description",
            file.display()
        );
        assert!(
            e.bundle.is_none(),
            "{}: cases are directories",
            file.display()
        );
        let (head, at) = head_and_at(&e, &file);
        let certs = cose_files(dir);
        assert!(!certs.is_empty(), "{}: no .cose files", dir.display());
        // Watch lists of the case (cases 70 and up) are given as lists, not certificates.
        let lists = catchcert_testkit::case_watchlists(dir);
        let mut v = match &e.log {
            Some(l) => {
                // The case's .cose files are the bundle's certificates.
                let plain =
                    verify_screened(&certs, &[], &lists, head, &anchors, at, &Limits::default());
                assert!(
                    !plain
                        .findings
                        .iter()
                        .any(|f| f.code.as_str().starts_with("log.")),
                    "{}: no log finding without a log key",
                    dir.display()
                );
                verify_logged(dir, l, head, &anchors, at)
            }
            None => verify_screened(&certs, &[], &lists, head, &anchors, at, &Limits::default()),
        };
        // EPCIS cases (85 and up): the document beside the set, as `verify --epcis`.
        let epcis = dir.join("epcis.jsonld");
        if epcis.is_file() {
            let found = catchcert_verify::epcis::mismatches(&certs, &epcis_events(&epcis));
            catchcert_verify::epcis::add_findings(&mut v, found);
        }
        let diff = compare(&v, &e, &file);
        if !diff.is_empty() {
            failures.push(format!(
                "{}:\n    {}\n    got: {}",
                dir.file_name().unwrap().to_string_lossy(),
                diff.join("\n    "),
                show(&v)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

#[test]
fn expected_files_are_consistent() {
    for dir in case_dirs() {
        let file = dir.join("expected.json");
        let e = read_expected(&file);
        let codes: BTreeSet<Code> = codes_of(&e.codes, "codes", &file).into_iter().collect();
        let absent: BTreeSet<Code> = codes_of(&e.absent, "absent", &file).into_iter().collect();
        assert!(
            codes.is_disjoint(&absent),
            "{}: a code is both required and absent",
            file.display()
        );
        assert!(
            ["valid", "invalid"].contains(&e.integrity.as_str()),
            "{}: integrity {:?}",
            file.display(),
            e.integrity
        );
        assert!(
            ["low", "medium", "unknown", "high"].contains(&e.risk.as_str()),
            "{}: risk {:?}",
            file.display(),
            e.risk
        );
        // An error code required means integrity invalid, and the reverse.
        let any_error = codes
            .iter()
            .any(|c| c.severity() == catchcert_verify::findings::Severity::Error);
        assert_eq!(
            any_error,
            e.integrity == "invalid",
            "{}: integrity {} but required codes {:?}",
            file.display(),
            e.integrity,
            e.codes
        );
    }
}

#[test]
fn every_finding_code_is_required_by_some_case() {
    let mut covered = BTreeSet::new();
    for dir in case_dirs() {
        let file = dir.join("expected.json");
        covered.extend(codes_of(&read_expected(&file).codes, "codes", &file));
    }
    // Cycles cannot be built with content-addressed ids; the limits are tested with
    // small limits in the verifier's own tests.
    // The log.* codes are required by the log cases (80 and up), which give a log key;
    // epcis.mismatch by the EPCIS cases (85 and up), which give an EPCIS document.
    let untestable = [Code::LinkCycle, Code::LimitsExceeded];
    let missing: Vec<&str> = Code::ALL
        .into_iter()
        .filter(|c| !untestable.contains(c) && !covered.contains(c))
        .map(Code::as_str)
        .collect();
    assert!(
        missing.is_empty(),
        "no case in fixtures/cases requires {missing:?}"
    );
}

#[test]
fn demo_directory_and_bundles_get_their_expected_verdicts() {
    let anchors = anchors();
    let demo = fixtures().join("demo");
    let certs = cose_files(&demo);
    assert_eq!(certs.len(), 16, "demo chain files");
    let mut expected: Vec<PathBuf> = std::fs::read_dir(&demo)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".expected.json"))
        })
        .collect();
    expected.sort();
    assert_eq!(expected.len(), 2, "loins and steaks verdicts");
    let mut heads = Vec::new();
    let mut failures = Vec::new();
    for file in &expected {
        let e = read_expected(file);
        let (head, at) = head_and_at(&e, file);
        heads.push(head);
        let name = file.file_name().unwrap().to_string_lossy().to_string();

        let v = verify(&certs, &[], head, &anchors, at, &Limits::default());
        let diff = compare(&v, &e, file);
        if !diff.is_empty() {
            failures.push(format!(
                "demo/ ({name}):\n    {}\n    got: {}",
                diff.join("\n    "),
                show(&v)
            ));
        }

        let bundle_file = demo.join(e.bundle.as_deref().expect("demo verdicts name a bundle"));
        let bundle = Bundle::from_bytes(&std::fs::read(&bundle_file).unwrap()).unwrap();
        assert_eq!(bundle.head, head, "{}: head", bundle_file.display());
        assert_eq!(
            Some(bundle.certificates.len()),
            e.certificates,
            "{}: the bundle holds exactly the head's graph",
            bundle_file.display()
        );
        let b = verify_bundle(&bundle, None, &anchors, at, &Limits::default());
        let diff = compare(&b, &e, file);
        if !diff.is_empty() {
            failures.push(format!(
                "{} ({name}):\n    {}\n    got: {}",
                bundle_file.display(),
                diff.join("\n    "),
                show(&b)
            ));
        }
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            serde_json::to_value(&v).unwrap(),
            "{name}: the bundle and the directory give the same verdict"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    heads.sort();
    assert_eq!(
        candidate_heads(&certs),
        heads,
        "the demo directory has exactly the two receipts as candidate heads"
    );
}

#[test]
fn steaks_baseline_has_no_findings() {
    // The single-mutation cases rest on this: the unmutated steaks chain is clean.
    let file = fixtures().join("demo/steaks.expected.json");
    let e = read_expected(&file);
    let (head, at) = head_and_at(&e, &file);
    let v = verify(
        &cose_files(&fixtures().join("demo")),
        &[],
        head,
        &anchors(),
        at,
        &Limits::default(),
    );
    assert!(v.findings.is_empty(), "{}", show(&v));
}

/// A set decoded once ([`DecodedSet`], what `catchcert verify DIR` does) gives the same
/// undecodable messages, head candidates, lot holders and verdicts as the entry points that
/// decode the set themselves, on every case directory and the demo directory: for the
/// expected head and every candidate head, with the case's watch lists.
#[test]
fn a_set_decoded_once_gives_the_same_heads_and_verdicts() {
    let anchors = anchors();
    let limits = Limits::default();
    let mut dirs = case_dirs();
    dirs.push(fixtures().join("demo"));
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let certs = cose_files(dir);
        let lists = catchcert_testkit::case_watchlists(dir);
        let expected = if dir.join("expected.json").is_file() {
            vec![read_expected(&dir.join("expected.json"))]
        } else {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
                .collect();
            files.sort();
            files.iter().map(|f| read_expected(f)).collect()
        };
        assert!(!expected.is_empty(), "{name}: no expected verdict");
        let d = DecodedSet::decode(&certs, &limits);
        assert_eq!(d.len(), certs.len(), "{name}");
        let errors: Vec<(usize, String)> = d.errors().map(|(i, e)| (i, e.to_string())).collect();
        let old_errors: Vec<(usize, String)> = certs
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                catchcert_verify::cose::decode_certificate(b)
                    .err()
                    .map(|e| (i, e.to_string()))
            })
            .collect();
        assert_eq!(errors, old_errors, "{name}: undecodable messages");
        assert_eq!(
            d.candidate_heads(),
            candidate_heads(&certs),
            "{name}: heads"
        );
        let mut lots: Vec<String> = certs
            .iter()
            .filter_map(|b| catchcert_verify::cose::decode_certificate(b).ok())
            .flat_map(|(_, p)| {
                p.outputs()
                    .iter()
                    .map(|o| o.lot.clone())
                    .collect::<Vec<_>>()
            })
            .collect();
        lots.sort();
        lots.dedup();
        for lot in &lots {
            assert_eq!(
                d.lot_holders(lot),
                lot_holders(&certs, lot),
                "{name}: holders of {lot}"
            );
        }
        let mut runs: Vec<(CertId, Timestamp)> = Vec::new();
        for e in &expected {
            let (head, at) = head_and_at(e, &dir.join("expected.json"));
            runs.push((head, at));
            runs.extend(d.candidate_heads().into_iter().map(|h| (h, at)));
        }
        runs.sort();
        runs.dedup();
        for (head, at) in runs {
            let new = verify_decoded(
                DecodedSet::decode(&certs, &limits),
                &[],
                &lists,
                head,
                &anchors,
                at,
                &limits,
            );
            let old = verify_screened(&certs, &[], &lists, head, &anchors, at, &limits);
            assert_eq!(
                format!("{new:?}"),
                format!("{old:?}"),
                "{name}: the verdict of {head}"
            );
        }
    }
}
