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
//!   cases) and [`large_set`] (a set of any size with one head).
//!
//! It depends only on model, sign and demo among the workspace crates, so verify, store and
//! server may use it from their tests without a dependency loop.
#![forbid(unsafe_code)]

pub mod bin;
pub mod certs;
pub mod db;
pub mod http;
pub mod large_set;
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
