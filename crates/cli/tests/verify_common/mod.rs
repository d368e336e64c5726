//! Shared by the `catchcert verify` tests on small directories (`verify_lot.rs`,
//! `verify_log.rs`): the binary, a directory of certificates with the trust anchor beside
//! it, and one `verify` run in that directory with its exit code checked.
#![allow(dead_code)] // each test file uses some of it

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use catchcert_testkit::certs::Pki;
use std::path::Path;

/// The `catchcert` binary under test.
pub fn catchcert() -> Command {
    Command::new(env!("CARGO_BIN_EXE_catchcert"))
}

/// A directory `certs` under a fresh temporary directory with `root.pem` beside it, holding
/// `files` (name, bytes).
pub fn dir_with(pki: &Pki, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(d.path().join("root.pem"), &pki.root_pem).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    d
}

/// `catchcert verify TARGET --trust root.pem ARGS…` run in `dir`; its exit code must be
/// `code`.
pub fn verify_in(dir: &Path, target: &str, args: &[&str], code: i32) -> Assert {
    catchcert()
        .args(["verify", target, "--trust", "root.pem"])
        .args(args)
        .current_dir(dir)
        .assert()
        .code(code)
}

/// What a run wrote to standard output.
pub fn stdout_of(a: &Assert) -> Vec<u8> {
    a.get_output().stdout.clone()
}

/// What a run wrote to standard error, as text.
pub fn stderr_of(a: &Assert) -> String {
    String::from_utf8(a.get_output().stderr.clone()).unwrap()
}
