//! The README's walkthrough works exactly as written: its shell block runs with the built
//! `catchcert` on PATH, in an empty temporary directory, and ends in a valid, low-risk verdict.

use std::path::Path;
use std::process::Command;

fn walkthrough() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let start = readme
        .find("<!-- walkthrough -->")
        .expect("walkthrough marker");
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("sh block") + "```sh\n".len();
    let close = rest[open..].find("\n```").expect("end of block");
    rest[open..open + close].to_string()
}

#[test]
fn readme_walkthrough_runs_as_written() {
    let script = walkthrough();
    assert!(
        script.contains("catchcert issue catch"),
        "walkthrough lost its catch step"
    );
    let dir = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_catchcert"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{script}"))
        .current_dir(dir.path())
        .env("PATH", path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "walkthrough failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("integrity VALID · risk LOW · 2 certificates"),
        "{stdout}"
    );
    assert!(
        dir.path()
            .join("walkthrough/crew.cose.disclosure.json")
            .exists()
    );
}
