//! Verdicts do not depend on the number of threads (ARCHITECTURE.md, "deterministic data
//! parallelism"): every fixture case, the demo chain and a generated set are verified on a
//! rayon pool of one thread and of two, with the parallel path forced for every set size
//! (`parallel_from` 1), at its default and never taken (`parallel_from` `usize::MAX`), and
//! the verdicts compared field by field. The parallel path also runs the stages after the
//! signatures beside the batch, assuming every signature valid, and runs them again when
//! one is not (`pipeline`): the sets with forged signatures check that the speculative
//! verdict never stands for the sequential one.

use catchcert_demo::{Programme, VERIFY_AT, demo_chain, t};
use catchcert_model::{CertId, Timestamp};
use catchcert_testkit::cose_files;
use catchcert_testkit::large_set;
use catchcert_verify::chain::{Limits, verify, verify_screened};
use catchcert_verify::findings::{Integrity, Verdict};
use catchcert_verify::path::TrustAnchors;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Expected {
    head: String,
    at: String,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The verdict as text: every field, findings in their order.
fn show(v: &Verdict) -> String {
    format!("{v:?}")
}

fn on_threads<R: Send>(n: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("pool")
        .install(f)
}

/// The verdict with 1 and 2 threads, parallel path forced, at its default and never taken;
/// all five must be equal. Returns it.
fn same_on_1_and_2_threads(name: &str, run: &(dyn Fn(&Limits) -> Verdict + Sync)) -> Verdict {
    let forced = Limits {
        parallel_from: 1,
        ..Limits::default()
    };
    let sequential = Limits {
        parallel_from: usize::MAX,
        ..Limits::default()
    };
    let reference = on_threads(1, || run(&sequential));
    for (threads, limits, label) in [
        (1, &Limits::default(), "1 thread, default"),
        (1, &forced, "1 thread, forced"),
        (2, &forced, "2 threads, forced"),
        (2, &Limits::default(), "2 threads, default"),
    ] {
        let v = on_threads(threads, || run(limits));
        assert_eq!(show(&v), show(&reference), "{name}: {label}");
    }
    reference
}

#[test]
fn every_fixture_case_gets_the_same_verdict_on_1_and_2_threads() {
    let path = fixtures().join("trust/root.pem");
    let pem = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (generate the fixtures)", path.display()));
    let anchors = TrustAnchors::from_pem(&pem).unwrap();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 24, "{} cases", dirs.len());
    let mut invalid = 0;
    for dir in &dirs {
        let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
        let e: Expected = serde_json::from_str(&text).unwrap();
        let head: CertId = e.head.parse().unwrap();
        let at = Timestamp::parse_rfc3339(&e.at).unwrap();
        let certs = cose_files(dir);
        let lists = catchcert_testkit::case_watchlists(dir);
        let name = dir.display().to_string();
        let v = same_on_1_and_2_threads(&name, &|limits: &Limits| {
            verify_screened(&certs, &[], &lists, head, &anchors, at, limits)
        });
        invalid += usize::from(v.integrity == Integrity::Invalid);
    }
    // The cases include forged signatures and broken paths, so the comparison covers
    // rejected signatures too.
    assert!(invalid >= 5, "{invalid} invalid cases");
}

#[test]
fn the_demo_chain_and_a_large_set_with_bad_signatures_agree_on_1_and_2_threads() {
    let p = Programme::new().expect("programme");
    let anchors = TrustAnchors::from_pem(&p.root_pem).expect("anchors");
    let demo = demo_chain(&p).expect("demo chain");
    let certs = demo.bytes();
    let (head, at) = (demo.loins_head(), t(VERIFY_AT));
    let v = same_on_1_and_2_threads("demo", &|l: &Limits| {
        verify(&certs, &[], head, &anchors, at, l)
    });
    assert_eq!(v.integrity, Integrity::Valid);

    // A set above the default threshold (1 000 certificates), whole and with three certificates whose
    // signature was altered (the last byte of the message is the signature's last byte):
    // they drop out of the graph or make it invalid, the same way on any pool.
    let set = large_set::generate(&p, 1000).expect("generate");
    let mut certs = set.bytes();
    let v = same_on_1_and_2_threads("large 600", &|l: &Limits| {
        verify(&certs, &[], set.head, &anchors, at, l)
    });
    assert_eq!(
        (v.integrity, v.certificates, v.findings.len()),
        (Integrity::Valid, 1000, 0),
        "{:?}",
        v.findings.first()
    );
    let head_index = certs
        .iter()
        .position(|c| CertId::of_cose(c) == set.head)
        .expect("head in set");
    let mut bad_head = CertId::of_cose(&certs[head_index]);
    for i in [7, 300, head_index] {
        let last = certs[i].len() - 1;
        certs[i][last] ^= 0x01;
        if i == head_index {
            bad_head = CertId::of_cose(&certs[i]);
        }
    }
    let v = same_on_1_and_2_threads("large 600, 3 bad", &|l: &Limits| {
        verify(&certs, &[], bad_head, &anchors, at, l)
    });
    assert_eq!(v.integrity, Integrity::Invalid);
}

#[test]
fn an_issuer_certificate_with_a_bad_signature_is_caught_by_the_batch_on_every_pool() {
    use catchcert_testkit::certs::{self, Issuer, Pki};
    // The issuer certificates' signatures are checked in the batch with the certificates'
    // own; beside it the paths assume them valid, and must start over when one is not.
    let pki = Pki::new();
    let anchors = TrustAnchors::from_pem(&pki.root_pem).expect("anchors");
    let at = t("2026-12-01T00:00:00Z");
    let catch = certs::catch(&pki.vessel, "L1", 100.0);
    // The vessel's own certificate with one bit of its signature flipped (a DER
    // certificate ends with its signature), under the vessel's own key.
    let mut forged = Issuer {
        key: pki.vessel.key.clone(),
        chain: pki.vessel.chain.clone(),
    };
    let last = forged.chain[0].len() - 1;
    forged.chain[0][last] ^= 0x01;
    for (name, by, valid) in [("forged", &forged, false), ("true", &pki.vessel, true)] {
        let landing = certs::landing(by, certs::id(&catch), "L1", 60.0, "L2", 60.0);
        let head = certs::id(&landing);
        let set = vec![catch.clone(), landing];
        let v =
            same_on_1_and_2_threads(name, &|l: &Limits| verify(&set, &[], head, &anchors, at, l));
        let untrusted = v
            .findings
            .iter()
            .any(|f| f.certificate == head && f.code.as_str() == "issuer.untrusted");
        assert_eq!(
            (v.integrity == Integrity::Valid, untrusted),
            (valid, !valid),
            "{name}: {:?}",
            v.findings
        );
    }
}
