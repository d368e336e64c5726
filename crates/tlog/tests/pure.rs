//! `catchcert-tlog` is pure (ARCHITECTURE.md): the verifier depends on it, so its source names
//! no file, network, process, clock, thread or async.

use std::path::PathBuf;

const FORBIDDEN: [&str; 11] = [
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "SystemTime",
    "Instant::now",
    "tokio",
    "async fn",
    ".await",
    "std::thread",
    "OsRng",
];

#[test]
fn source_is_pure() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for f in FORBIDDEN {
                assert!(!text.contains(f), "{} names {f}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 5);
}
