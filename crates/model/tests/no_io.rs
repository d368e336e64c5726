//! Architecture invariant (ARCHITECTURE.md): `catchcert-model` does no I/O and reads no
//! clock. Its sources name no file system, network, environment or clock API, and its
//! dependencies include no async runtime, so a caller hands it bytes and times.

use std::path::{Path, PathBuf};

/// API paths a pure crate must not name.
const FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::net",
    "std::env",
    "std::process",
    "std::time::SystemTime",
    "SystemTime",
    "Instant::now",
    "OffsetDateTime::now",
    "tokio",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            // `#[cfg(test)] mod tests;` files are unit tests, which may read files.
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

#[test]
fn sources_name_no_io_or_clock() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 5, "found only {files:?}");
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if code.contains(word) {
                    hits.push(format!(
                        "{}:{}: {word}: {}",
                        f.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "catchcert-model must do no I/O:\n{}",
        hits.join("\n")
    );
}

#[test]
fn dependencies_include_no_runtime_or_io_crate() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap();
    for name in [
        "tokio",
        "reqwest",
        "rusqlite",
        "tokio-postgres",
        "axum",
        "tempfile",
    ] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(name)),
            "catchcert-model depends on {name}"
        );
    }
}
