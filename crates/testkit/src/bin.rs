//! The `catchcert` binary for tests outside `catchcert-cli` (which use
//! `CARGO_BIN_EXE_catchcert`): cargo builds a package's binaries only for that package's own
//! tests, so the first call runs `cargo build --workspace --tests` in the same profile and
//! target directory as the running test. That is the build `cargo test --workspace` has just
//! made, with the same features (dev-dependencies unified), so it is a no-op there; a build
//! of the CLI package alone would resolve other features and rebuild its dependencies.

use std::path::PathBuf;
use std::sync::OnceLock;

/// The path of the `catchcert` binary, built on first use; panics if it cannot be built.
pub fn catchcert() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        // target/<profile>/deps/<test binary>
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .unwrap_or_else(|| panic!("{}: not in a cargo target directory", exe.display()))
            .to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let mut cmd = std::process::Command::new(cargo);
        cmd.args(["build", "--quiet", "--workspace", "--tests"])
            .current_dir(crate::workspace_root());
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd
            .status()
            .unwrap_or_else(|e| panic!("running cargo build for catchcert: {e}"));
        assert!(status.success(), "cargo build --workspace --tests failed");
        let bin = profile_dir.join(format!("catchcert{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "{}: not built", bin.display());
        bin
    })
    .clone()
}
