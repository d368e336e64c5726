//! `catchcert witness serve` and `catchcert log audit` through the binary: flags and exit
//! codes (the protocols themselves are tested in crates/witness and crates/audit).

use assert_cmd::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_catchcert"))
}

#[test]
fn log_audit_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .current_dir(dir.path())
        .args(["keygen", "--out", "log.key"])
        .assert()
        .success();
    // Nothing listens on port 1: an error (exit 1), not a verdict.
    let out = bin()
        .current_dir(dir.path())
        .args([
            "log",
            "audit",
            "--url",
            "http://127.0.0.1:1",
            "--log-key",
            "log.pub",
            "--state",
            "st",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // A missing flag is a usage error.
    let out = bin()
        .args(["log", "audit", "--url", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn witness_serve_refuses_a_missing_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args([
            "witness",
            "serve",
            "--key",
            "absent.key",
            "--log",
            "absent.pub",
            "--log-origin",
            "example.org/log",
            "--state",
            "st",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = bin().args(["witness", "serve", "--help"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--log-origin"));
}
