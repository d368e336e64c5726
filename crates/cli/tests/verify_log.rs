//! `catchcert verify --log-key` (contract §6): a directory or a bundle made by the CLI from
//! files carries no transparency-log proofs, so every certificate of the graph is
//! `log.missing` (exit 4); without --log-key nothing about the log is reported.

use assert_cmd::Command;
use catchcert_testkit::certs::{self, Pki};

fn catchcert() -> Command {
    Command::new(env!("CARGO_BIN_EXE_catchcert"))
}

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
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(d.path().join("root.pem"), &pki.root_pem).unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let pem = catchcert_sign::keys::public_pem(&key.verifying_key()).unwrap();
    std::fs::write(d.path().join("log.pub"), pem).unwrap();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = certs::landing(&pki.vessel, certs::id(&c), "L1", 60.0, "L2", 60.0);
    std::fs::write(dir.join("catch.cose"), &c).unwrap();
    std::fs::write(dir.join("landing.cose"), &l).unwrap();

    // Without --log-key: no log finding (exit 3: risk unknown, no attestation).
    let out = catchcert()
        .args(["verify", "certs", "--trust", "root.pem", "--json"])
        .current_dir(d.path())
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    assert!(!codes(&out).iter().any(|c| c.starts_with("log.")));
    // With it: both certificates of the graph are log.missing, integrity invalid.
    let out = catchcert()
        .args([
            "verify",
            "certs",
            "--trust",
            "root.pem",
            "--json",
            "--log-key",
            "log.pub",
        ])
        .current_dir(d.path())
        .assert()
        .code(4)
        .get_output()
        .stdout
        .clone();
    let missing = codes(&out)
        .into_iter()
        .filter(|c| c == "log.missing")
        .count();
    assert_eq!(missing, 2);

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
    let out = catchcert()
        .args([
            "verify",
            "l.bundle",
            "--trust",
            "root.pem",
            "--json",
            "--log-key",
            "log.pub",
        ])
        .current_dir(d.path())
        .assert()
        .code(4)
        .get_output()
        .stdout
        .clone();
    let missing = codes(&out)
        .into_iter()
        .filter(|c| c == "log.missing")
        .count();
    assert_eq!(missing, 2);
    // More witnesses required than given: a usage error.
    catchcert()
        .args([
            "verify",
            "l.bundle",
            "--trust",
            "root.pem",
            "--log-key",
            "log.pub",
            "--witness-threshold",
            "1",
        ])
        .current_dir(d.path())
        .assert()
        .code(2);
}
