//! Reading `shared/vectors/ed25519` for the Ed25519 tests (`ed25519_vectors.rs`,
//! `ed25519_batch.rs`).

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The vectors' folder, or `None` (with a notice) when the shared folder is absent. Under
/// `CI=true` it must be there.
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/ed25519");
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "shared test vectors missing at {} under CI",
            dir.display()
        );
        eprintln!(
            "skipping: shared test vectors not found at {}",
            dir.display()
        );
        None
    }
}

/// A JSON file of the folder, parsed.
pub fn read_json<T: for<'de> Deserialize<'de>>(dir: &Path, file: &str) -> T {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

/// Hex text as bytes.
pub fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}
