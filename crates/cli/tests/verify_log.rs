//! `catchcert verify --log-key` (contract §6): a directory or a bundle made by the CLI from
//! files carries no transparency-log proofs, so every certificate of the graph is
//! `log.missing` (exit 4); without --log-key nothing about the log is reported.

mod verify_common;

use catchcert_testkit::certs::{self, Pki};
use verify_common::{catchcert, dir_with, stdout_of, verify_in};

fn codes(out: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(out).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_cli_made_bundle_or_a_directory_is_log_missing() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = certs::landing(&pki.vessel, certs::id(&c), "L1", 60.0, "L2", 60.0);
    let d = dir_with(&pki, &[("catch.cose", &c), ("landing.cose", &l)]);
    let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let pem = catchcert_sign::keys::public_pem(&key.verifying_key()).unwrap();
    std::fs::write(d.path().join("log.pub"), pem).unwrap();
    let log_missing = |target: &str| {
        let out = stdout_of(&verify_in(
            d.path(),
            target,
            &["--json", "--log-key", "log.pub"],
            4,
        ));
        codes(&out).iter().filter(|c| *c == "log.missing").count()
    };

    // Without --log-key: no log finding (exit 3: risk unknown, no attestation).
    let out = stdout_of(&verify_in(d.path(), "certs", &["--json"], 3));
    assert!(!codes(&out).iter().any(|c| c.starts_with("log.")));
    // With it: both certificates of the graph are log.missing, integrity invalid.
    assert_eq!(log_missing("certs"), 2);

    // A bundle made by `catchcert bundle`: the same.
    catchcert()
        .args([
            "bundle",
            "--from",
            "certs",
            "--head",
            &certs::id(&l).to_string(),
            "--out",
            "l.bundle",
        ])
        .current_dir(d.path())
        .assert()
        .success();
    assert_eq!(log_missing("l.bundle"), 2);
    // More witnesses required than given: a usage error.
    verify_in(
        d.path(),
        "l.bundle",
        &["--log-key", "log.pub", "--witness-threshold", "1"],
        2,
    );
}

/// The log fixture cases (80 and up) through the CLI, with the flags their `log` object
/// gives: each required log code is reported, no other log code is, and the exit code
/// follows integrity.
#[test]
fn log_fixture_cases_through_the_cli() {
    let root = catchcert_testkit::fixtures_dir();
    let mut seen = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let e: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let Some(l) = e.get("log") else { continue };
        seen += 1;
        let trust = root.join("trust/root.pem");
        let mut args: Vec<String> = vec![
            "verify".into(),
            l["bundle"].as_str().unwrap().into(),
            "--trust".into(),
            trust.display().to_string(),
            "--at".into(),
            e["at"].as_str().unwrap().into(),
            "--json".into(),
            "--log-key".into(),
            l["key"].as_str().unwrap().into(),
            "--log-origin".into(),
            l["origin"].as_str().unwrap().into(),
            "--witness-threshold".into(),
            l["threshold"].to_string(),
        ];
        for w in l["witnesses"].as_array().unwrap() {
            args.push("--witness".into());
            args.push(w.as_str().unwrap().into());
        }
        let out = catchcert().args(&args).current_dir(&dir).output().unwrap();
        let found: Vec<String> = codes(&out.stdout)
            .into_iter()
            .filter(|c| c.starts_with("log."))
            .collect();
        let required: Vec<String> = e["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        for r in &required {
            assert!(found.contains(r), "{name}: {r} not reported: {found:?}");
        }
        for f in &found {
            assert!(required.contains(f), "{name}: {f} reported: {required:?}");
        }
        let invalid = e["integrity"] == "invalid";
        assert_eq!(
            out.status.code() == Some(4),
            invalid,
            "{name}: exit {:?}",
            out.status
        );
    }
    assert_eq!(seen, 5, "log cases 80-84");
}
