//! What catchcert's tests share (`publish = false`):
//!
//! - [`db`]: a fresh SQLite or PostgreSQL database per test (`CATCHCERT_TEST_PG_URL`);
//! - [`certs`]: a throwaway programme PKI and signed certificates built from input JSON, and
//!   the facility attestation builder;
//! - [`http`]: a plain HTTP/1.1 client and a server handle on `127.0.0.1:0`;
//! - [`bin::catchcert`]: the CLI binary, for tests of other packages;
//! - [`demo`] (re-exported `catchcert-demo`) and [`fixtures_dir`]: the demo chain, live and
//!   as committed under `fixtures/`;
//! - the data behind the fixture generators of `cargo xtask`: [`pki_fixtures`] (issuer-path
//!   cases) and [`large_set`] (a set of any size with one head);
//! - [`modgraph`]: a crate's module import graph, for the tests that keep it without a circle.
//!
//! It depends only on model, sign and demo among the workspace crates, so verify, store and
//! server may use it from their tests without a dependency loop.
#![forbid(unsafe_code)]

pub mod bin;
pub mod certs;
pub mod db;
pub mod http;
pub mod large_set;
pub mod modgraph;
pub mod pki_fixtures;

pub use catchcert_demo as demo;

use std::path::{Path, PathBuf};

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The committed fixtures (`fixtures/` at the workspace root).
pub fn fixtures_dir() -> PathBuf {
    workspace_root().join("fixtures")
}

/// The `.cose` files of a directory, in file-name order (panics when it cannot be read:
/// for tests of committed fixtures).
pub fn cose_files(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "cose"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect()
}

/// The watch lists of a fixture case (the `.cose` files of its `watchlists/` folder, given
/// to the verifier as lists, not certificates); none when it has no such folder.
pub fn case_watchlists(dir: &Path) -> Vec<Vec<u8>> {
    let lists = dir.join("watchlists");
    if lists.is_dir() {
        cose_files(&lists)
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    /// The workspace crates named in `crate_dir`'s manifest (any section).
    fn workspace_deps(crate_dir: &str) -> Vec<String> {
        let manifest =
            std::fs::read_to_string(super::workspace_root().join(crate_dir).join("Cargo.toml"))
                .unwrap();
        manifest
            .lines()
            .filter_map(|l| l.trim_start().split(['.', ' ', '=']).next())
            .filter(|n| n.starts_with("catchcert-") && !n.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// verify, store and server use the testkit from their tests, and verify uses demo: a
    /// dependency of either on them would be a loop (two copies of a crate in one test).
    #[test]
    fn testkit_and_demo_depend_on_no_crate_that_tests_with_them() {
        for dir in ["crates/testkit", "crates/demo"] {
            let deps = workspace_deps(dir);
            for banned in [
                "catchcert-verify",
                "catchcert-store",
                "catchcert-server",
                "catchcert-cli",
            ] {
                assert!(!deps.iter().any(|d| d == banned), "{dir} names {banned}");
            }
        }
        assert!(workspace_deps("crates/testkit").contains(&"catchcert-demo".to_string()));
    }
}
