//! The architecture invariant "catchcert-verify has no I/O, no clock and no async"
//! (ARCHITECTURE.md): its source names none of them, and neither it nor anything it
//! depends on (normal dependencies) is an async runtime. Its one kind of concurrency is
//! deterministic data parallelism through rayon, named in `src/par.rs` only (no thread of
//! its own: `std::thread` stays forbidden); `tests/parallel.rs` checks that verdicts do not
//! depend on the number of threads.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Source text that would mean I/O, a clock, a process or async in the verifier.
const FORBIDDEN_SOURCE: [&str; 12] = [
    "std::fs",
    "std::net",
    "std::io::stdin",
    "std::process",
    "std::env",
    "SystemTime",
    "Instant::now",
    "OffsetDateTime::now",
    "tokio",
    "async fn",
    ".await",
    "std::thread",
];

/// Crates that must not be among the verifier's (transitive, normal) dependencies.
const FORBIDDEN_CRATES: [&str; 7] = [
    "tokio",
    "async-std",
    "smol",
    "futures",
    "mio",
    "rusqlite",
    "tokio-postgres",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn source_names_no_io_clock_or_async() {
    let mut files = Vec::new();
    rust_files(&crate_dir().join("src"), &mut files);
    assert!(files.len() >= 10, "the verifier's modules: {files:?}");
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            for word in FORBIDDEN_SOURCE {
                if line.contains(word) {
                    hits.push(format!("{}:{}: {word}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "I/O, clock or async in the verifier:\n{}",
        hits.join("\n")
    );
}

#[test]
fn rayon_is_named_in_par_rs_only() {
    let mut files = Vec::new();
    rust_files(&crate_dir().join("src"), &mut files);
    let named: Vec<String> = files
        .iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("rayon::"))
        .map(|f| f.strip_prefix(crate_dir()).unwrap().display().to_string())
        .collect();
    assert_eq!(named, ["src/par.rs"]);
}

#[test]
fn manifest_lists_no_runtime() {
    let manifest = std::fs::read_to_string(crate_dir().join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap();
    assert!(deps.contains("catchcert-model"), "parsed {deps:?}");
    for line in deps.lines() {
        let name = line.split(['=', '.']).next().unwrap_or("").trim();
        assert!(!FORBIDDEN_CRATES.contains(&name), "{name} is a dependency");
    }
}

#[test]
fn dependency_tree_holds_no_runtime() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-p",
            "catchcert-verify",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(crate_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(names.contains(&"ed25519-dalek"), "parsed {names:?}");
    for name in FORBIDDEN_CRATES {
        assert!(!names.contains(&name), "{name} is in the dependency tree");
    }
}
