//! Private key files that group or others may read are refused (naming the file and the fix)
//! unless `--insecure-key-mode` is given; key material and crew names never reach stderr or
//! the output of the ordinary flows.

use assert_cmd::Command;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_catchcert"))
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The demo's crew names and the marker of a PEM private key.
const SECRETS: [&str; 4] = ["Ahmad Suryadi", "Juan Dela Cruz", "Chen Wei", "PRIVATE KEY"];

fn assert_no_secrets(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows {s:?}:\n{text}");
    }
}

fn init_root(dir: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .current_dir(dir)
        .args(extra)
        .args([
            "pki",
            "init-root",
            "--key",
            "root.key",
            "--subject",
            "CN=Root,O=P",
        ])
        .args(["--out", "root.pem", "--not-before", "2026-01-01T00:00:00Z"])
        .output()
        .unwrap()
}

#[test]
fn a_readable_private_key_is_refused_unless_insecure_key_mode() {
    let d = tempfile::tempdir().unwrap();
    bin()
        .current_dir(d.path())
        .args(["keygen", "--out", "root.key"])
        .assert()
        .success();
    let key = d.path().join("root.key");
    // Written 0600: used as is.
    assert!(init_root(d.path(), &[]).status.success());
    std::fs::remove_file(d.path().join("root.pem")).unwrap();
    for mode in [0o640, 0o604, 0o644] {
        chmod(&key, mode);
        let out = init_root(d.path(), &[]);
        assert_eq!(out.status.code(), Some(1), "mode {mode:o}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("root.key"), "{err}");
        assert!(err.contains("chmod 600"), "{err}");
        assert!(err.contains("--insecure-key-mode"), "{err}");
        assert_no_secrets("the refusal", &err);
        assert!(!d.path().join("root.pem").exists());
    }
    // The override, before or after the subcommand (a global flag).
    assert!(
        init_root(d.path(), &["--insecure-key-mode"])
            .status
            .success()
    );
    std::fs::remove_file(d.path().join("root.pem")).unwrap();
    let out = bin()
        .current_dir(d.path())
        .args([
            "pki",
            "init-root",
            "--insecure-key-mode",
            "--key",
            "root.key",
        ])
        .args(["--subject", "CN=Root,O=P", "--out", "root.pem"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_ordinary_flows_never_print_crew_names_or_keys() {
    let d = tempfile::tempdir().unwrap();
    let mut seen = String::new();
    let mut run = |args: &[&str]| {
        let out = bin().current_dir(d.path()).args(args).output().unwrap();
        seen.push_str(&String::from_utf8_lossy(&out.stdout));
        seen.push_str(&String::from_utf8_lossy(&out.stderr));
        out.status
    };
    assert!(run(&["demo", "--out", "demo"]).success());
    let demo = d.path().join("demo");
    let mut files: Vec<_> = std::fs::read_dir(&demo)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let root = files
        .iter()
        .find(|p| p.extension().is_some_and(|x| x == "pem") && p.to_string_lossy().contains("root"))
        .cloned();
    for f in &files {
        let f = f.to_string_lossy().to_string();
        if f.ends_with(".cose") {
            run(&["inspect", &f]);
            run(&["inspect", &f, "--json"]);
        }
        // A key or another file given where a certificate is expected: the error must not
        // echo its content.
        if f.ends_with(".key") {
            run(&["inspect", &f]);
        }
    }
    if let Some(root) = root {
        let root = root.to_string_lossy().to_string();
        run(&[
            "verify",
            &demo.to_string_lossy(),
            "--trust",
            &root,
            "--at",
            "2026-12-01T00:00:00Z",
        ]);
        run(&[
            "verify",
            &demo.to_string_lossy(),
            "--trust",
            &root,
            "--json",
        ]);
    }
    assert!(seen.len() > 1000, "the flows printed something: {seen}");
    assert_no_secrets("the CLI flows", &seen);
}

/// The other commands that load a private key apply the same rule: the log key of `serve`,
/// the witness key, and the subject key of `pki issue` when it is a private key file.
#[test]
fn every_command_that_loads_a_private_key_checks_its_mode() {
    let d = tempfile::tempdir().unwrap();
    for n in ["log", "witness", "subject"] {
        bin()
            .current_dir(d.path())
            .args(["keygen", "--out", &format!("{n}.key")])
            .assert()
            .success();
        chmod(&d.path().join(format!("{n}.key")), 0o644);
    }
    let runs: [&[&str]; 2] = [
        &[
            "serve",
            "--trust",
            "root.pem",
            "--db",
            "sqlite://never.db",
            "--log-key",
            "log.key",
            "--listen",
            "127.0.0.1:0",
        ],
        &[
            "witness",
            "serve",
            "--key",
            "witness.key",
            "--log",
            "log.pub",
            "--log-origin",
            "example.org/log",
            "--state",
            "state",
            "--listen",
            "127.0.0.1:0",
        ],
    ];
    // serve needs a trust file that exists; its content is checked after the key.
    keyed_root(d.path());
    for args in runs {
        let out = bin().current_dir(d.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("chmod 600"), "{args:?}: {err}");
        assert_no_secrets("the refusal", &err);
    }
    let out = bin()
        .current_dir(d.path())
        .args([
            "pki",
            "issue",
            "--ca-key",
            "root.key",
            "--ca-cert",
            "root.pem",
        ])
        .args(["--subject-key", "subject.key", "--subject", "CN=V,O=V"])
        .args(["--role", "vessel", "--out", "v.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("subject.key") && err.contains("chmod 600"),
        "{err}"
    );
    assert!(!d.path().join("v.pem").exists());
    // Its public key is not a secret: no mode rule.
    chmod(&d.path().join("subject.pub"), 0o644);
    bin()
        .current_dir(d.path())
        .args([
            "pki",
            "issue",
            "--ca-key",
            "root.key",
            "--ca-cert",
            "root.pem",
        ])
        .args(["--subject-key", "subject.pub", "--subject", "CN=V,O=V"])
        .args(["--role", "vessel", "--out", "v.pem"])
        .args(["--not-before", "2026-01-01T00:00:00Z"])
        .assert()
        .success();
}

/// A programme root `root.key` (0600) and `root.pem` in `dir`.
fn keyed_root(dir: &Path) {
    bin()
        .current_dir(dir)
        .args(["keygen", "--out", "root.key"])
        .assert()
        .success();
    assert!(init_root(dir, &[]).status.success());
}
