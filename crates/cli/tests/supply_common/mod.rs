//! What the supplier-workflow tests (`batch.rs`, `epcis.rs`) share: running the binary and a
//! small programme with a keyring.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const NOT_BEFORE: &str = "2026-01-01T00:00:00Z";

pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_catchcert"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Root and one vessel issuer bound to IMO9074729, and a keyring `keys.toml` whose signer
/// `vessel` carries the extra TOML lines `extra`.
pub fn programme(extra: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    for n in ["root", "vessel"] {
        ok(p, &["keygen", "--out", &format!("{n}.key")]);
    }
    ok(
        p,
        &[
            "pki",
            "init-root",
            "--key",
            "root.key",
            "--subject",
            "CN=Root",
            "--not-before",
            NOT_BEFORE,
            "--out",
            "root.pem",
        ],
    );
    ok(
        p,
        &[
            "pki",
            "issue",
            "--ca-key",
            "root.key",
            "--ca-cert",
            "root.pem",
            "--subject-key",
            "vessel.pub",
            "--subject",
            "CN=Sea Harvest 7,O=Sea Harvest",
            "--role",
            "vessel",
            "--vessel",
            "IMO9074729",
            "--not-before",
            NOT_BEFORE,
            "--out",
            "vessel.pem",
        ],
    );
    std::fs::write(
        p.join("keys.toml"),
        format!("[signers.vessel]\nkey = \"vessel.key\"\ncert = \"vessel.pem\"\n{extra}"),
    )
    .unwrap();
    d
}
